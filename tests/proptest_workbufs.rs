//! proptest-generated workbufs scenarios (gcmc::generated::workbufs): per-worker programs of get,
//! put, dispose and balance, run under shuttle PCT with fixed seeds. Go's version holds on every
//! generated program, over two GC cycles with the controller and the sweeper and in a bare mark
//! phase; R14 (first-on-empty) is caught on every program of the GC-cycles shape, and in the bare
//! mark phase a failing program is found and shrunk (by proptest, and by the harness's own
//! shrinker) to one from which no worker and no operation can be removed.

use gcmc::engine::{self, Budget, Engine, Verdict};
use gcmc::generated::{self, workbufs::Shape};
use gcmc::registry;
use gcmc::shrink;
use gcmc_models::check::{Model, ViolationKind};
use gcmc_models::workbufs::{Config, Op, Variant};
use proptest::test_runner::{TestCaseError, TestRunner};
use std::sync::Arc;
use std::time::Duration;

/// The engine every generated program runs under: PCT, seeded, depth 3.
fn pct() -> Engine {
    Engine::Pct { iterations: 2000, depth: 3, seed: 0x9cc8_83a4 }
}

fn runner(cases: u32) -> TestRunner {
    generated::runner(cases, 0x0518_09e3)
}

fn run(config: &Config) -> Verdict {
    engine::run(Arc::new(config.build().expect("generated programs are valid")), &pct(), &Budget::default()).expect("admitted")
}

fn total_ops(programs: &[Vec<Op>]) -> usize {
    programs.iter().map(Vec::len).sum()
}

#[test]
fn go_holds_on_generated_programs_over_two_gc_cycles() {
    let found = generated::find_violation(
        &mut runner(48),
        generated::workbufs::configs(Variant::Go, Shape::gc_cycles()),
        &pct(),
        &Budget::default(),
    );
    assert!(found.is_none(), "{found:?}");
}

#[test]
fn go_holds_on_generated_programs_in_a_bare_mark_phase() {
    let found = generated::find_violation(
        &mut runner(48),
        generated::workbufs::configs(Variant::Go, Shape::mark_only()),
        &pct(),
        &Budget::default(),
    );
    assert!(found.is_none(), "{found:?}");
}

/// With the controller every worker's end of mark initializes its gcWork, so R14's carve runs
/// whatever the program: every generated program catches it, with its kind.
#[test]
fn r14_is_caught_on_every_generated_program_over_two_gc_cycles() {
    let mut runner = runner(24);
    let result = runner.run(&generated::workbufs::configs(Variant::R14FirstOnEmpty, Shape::gc_cycles()), |config| {
        let kind = run(&config).violation().map(|v| v.kind);
        if kind == Some(ViolationKind::DuplicatedWorkbuf) {
            Ok(())
        } else {
            Err(TestCaseError::fail(format!("{:?}: {kind:?}", config.programs)))
        }
    });
    assert!(result.is_ok(), "{result:?}");
}

/// In a bare mark phase only a put or a get initializes a gcWork (carving a span): proptest finds
/// a failing program and shrinks it to one worker with one such operation, and removing it (the
/// only thing left to remove) makes the program hold.
#[test]
fn r14_fails_on_a_generated_program_that_shrinks_to_a_minimal_one() {
    let shape = Shape::mark_only();
    let (minimal, verdict) = generated::find_violation(
        &mut runner(64),
        generated::workbufs::configs(Variant::R14FirstOnEmpty, shape.clone()),
        &pct(),
        &Budget::default(),
    )
    .expect("some generated program catches R14");
    let minimal = minimal.programs.expect("generated configurations have programs");
    eprintln!("R14 shrunk to {minimal:?}: {}", verdict.outcome);
    assert_eq!(verdict.violation().map(|v| v.kind), Some(ViolationKind::DuplicatedWorkbuf), "{}", verdict.outcome);
    let min_workers = *shape.workers.start();
    for smaller in generated::one_step_smaller(&minimal, min_workers, true) {
        let v = run(&shape.config(Variant::R14FirstOnEmpty, smaller.clone()));
        assert!(v.holds(), "{minimal:?} is not minimal: {smaller:?} still fails ({})", v.outcome);
    }
    assert_eq!(minimal.len(), 1, "one worker is enough: {minimal:?}");
    assert_eq!(total_ops(&minimal), 1, "one carve is enough: {minimal:?}");
    assert!(matches!(minimal[0][0], Op::Put | Op::Get), "only put and get initialize a gcWork: {minimal:?}");
}

/// The strategy's configurations are valid and what it says: the shape's sizes, one program per
/// worker, a heap with room for every getempty.
#[test]
fn generated_configurations_have_the_shape_asked_for() {
    let shape = Shape::gc_cycles();
    let mut runner = runner(64);
    let result = runner.run(&generated::workbufs::configs(Variant::Go, shape.clone()), |config| {
        config.build().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let programs = config.programs.clone().expect("programs");
        assert_eq!(programs.len(), config.workers);
        assert!(shape.workers.contains(&config.workers));
        assert!(programs.iter().all(|p| shape.ops.contains(&p.len())));
        assert_eq!((config.cycles, config.controller, config.sweeper), (2, true, true));
        assert_eq!(config.threads(), config.workers);
        Ok(())
    });
    assert!(result.is_ok(), "{result:?}");
}

/// The harness's own shrinker (what `explore` and `check` use) on a padded failure whose carving
/// worker is not the first: it drops the other workers' programs (workbufs calls its thread count
/// `workers`, not `threads`) and the padding, down to one worker with one put or get.
#[test]
fn the_harness_shrinks_a_padded_failure_to_a_minimal_program() {
    let shape = Shape::mark_only();
    let padded = vec![vec![Op::Balance, Op::Dispose], vec![Op::Dispose, Op::Get, Op::Balance], vec![Op::Balance, Op::Put, Op::Dispose]];
    let config = shape.config(Variant::R14FirstOnEmpty, padded.clone());
    let verdict = run(&config);
    assert!(verdict.violation().is_some(), "the padded program must fail to begin with: {}", verdict.outcome);
    let model = registry::model("workbufs").unwrap();
    let as_model_config = model.decode(&serde_json::to_value(&config).unwrap()).unwrap();
    let shrunk = shrink::shrink(model, &as_model_config, verdict, &pct(), &Budget::default(), Duration::from_secs(120));
    assert!(!shrunk.timed_out);
    let programs: Vec<Vec<Op>> = serde_json::from_value(shrunk.config.value["programs"].clone()).unwrap();
    eprintln!("shrunk {padded:?} to {programs:?} ({} candidates): {}", shrunk.tried, shrunk.verdict.outcome);
    assert_eq!(shrunk.verdict.violation().map(|v| v.kind), Some(ViolationKind::DuplicatedWorkbuf));
    assert_eq!(shrunk.config.threads, 1, "{programs:?}");
    assert!(programs == [vec![Op::Get]] || programs == [vec![Op::Put]], "{programs:?}");
}
