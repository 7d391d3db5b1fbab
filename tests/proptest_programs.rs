//! proptest-generated lfstack scenarios: per-thread programs of push, pop and empty across stacks,
//! run under shuttle PCT with fixed seeds. Go's algorithm holds on every generated program; on the
//! broken no-counter variant a failing program is found and shrunk (by proptest, and by the
//! harness's own shrinker) to one from which no thread and no operation can be removed.

use gcmc::engine::{self, Budget, Engine, Verdict};
use gcmc::generated;
use gcmc::registry::{self, ModelConfig};
use gcmc::shrink;
use gcmc_models::check::Model;
use gcmc_models::lfstack::{Config, Op, Variant};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use std::sync::Arc;
use std::time::Duration;

const STACKS: usize = 2;
const NODES: usize = 3;

/// The engine every generated program runs under: PCT, seeded, at depth 4 (ABA needs a popper
/// stalled between reading next and its CAS while others pop and push: three preemptions).
fn pct() -> Engine {
    Engine::Pct { iterations: 4000, depth: 4, seed: 0x6c4a_8d19 }
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![(0..STACKS).prop_map(Op::Pop), (0..STACKS).prop_map(Op::Push), (0..STACKS).prop_map(Op::Empty)]
}

/// 2 or 3 threads (ABA needs two), each with 1 to 4 operations.
fn programs() -> impl Strategy<Value = Vec<Vec<Op>>> {
    prop::collection::vec(prop::collection::vec(op(), 1..=4), 2..=3)
}

fn config(variant: Variant, counter_bits: u32, programs: Vec<Vec<Op>>) -> Config {
    Config { stacks: STACKS, programs: Some(programs.clone()), ..Config::stress(variant, programs.len(), NODES, 0, counter_bits) }
}

fn run(config: &Config) -> Verdict {
    engine::run(Arc::new(config.build().expect("generated programs are valid")), &pct(), &Budget::default()).expect("admitted")
}

fn runner(cases: u32) -> TestRunner {
    generated::runner(cases, 0x9cc8_83a4)
}

fn total_ops(programs: &[Vec<Op>]) -> usize {
    programs.iter().map(Vec::len).sum()
}

fn generated(variant: Variant, counter_bits: u32) -> impl Strategy<Value = Config> {
    programs().prop_map(move |programs| config(variant, counter_bits, programs))
}

#[test]
fn go_holds_on_generated_programs() {
    // A 3-bit counter wraps after 8 pushes of one node: more than these programs can do.
    let found = generated::find_violation(&mut runner(48), generated(Variant::Go, 3), &pct(), &Budget::default());
    assert!(found.is_none(), "{found:?}");
}

#[test]
fn no_counter_fails_on_a_generated_program_that_shrinks_to_a_minimal_one() {
    let (minimal, verdict) = generated::find_violation(&mut runner(256), generated(Variant::NoCounter, 0), &pct(), &Budget::default())
        .expect("some generated program catches R1");
    let minimal = minimal.programs.expect("generated configurations have programs");
    eprintln!("R1 shrunk to {minimal:?}: {}", verdict.outcome);
    assert!(verdict.violation().is_some());
    // Minimal: removing any one thread or operation makes it hold.
    for smaller in generated::one_step_smaller(&minimal, 2, false) {
        let v = run(&config(Variant::NoCounter, 0, smaller.clone()));
        assert!(v.holds(), "{minimal:?} is not minimal: {smaller:?} still fails ({})", v.outcome);
    }
    assert!(
        minimal.len() >= 2 && total_ops(&minimal) >= 4,
        "ABA needs a stalled popper and at least a pop and a push besides: {minimal:?}"
    );
}

fn as_model_config(config: &Config) -> ModelConfig {
    registry::model("lfstack").unwrap().decode(&serde_json::to_value(config).unwrap()).unwrap()
}

/// The harness's own shrinker (what `explore` and `check` use) on a padded failing program.
#[test]
fn the_harness_shrinks_a_padded_failure_to_a_minimal_program() {
    let padded = vec![
        vec![Op::Empty(1), Op::Pop(0), Op::Empty(0)],
        vec![Op::Pop(1), Op::Pop(0), Op::Push(0), Op::Empty(1)],
        vec![Op::Pop(0), Op::Empty(1), Op::Push(1)],
    ];
    let config = config(Variant::NoCounter, 0, padded.clone());
    let verdict = run(&config);
    assert!(verdict.violation().is_some(), "the padded program must fail to begin with: {}", verdict.outcome);
    let model = registry::model("lfstack").unwrap();
    let shrunk = shrink::shrink(model, &as_model_config(&config), verdict, &pct(), &Budget::default(), Duration::from_secs(120));
    assert!(!shrunk.timed_out);
    let programs: Vec<Vec<Op>> = serde_json::from_value(shrunk.config.value["programs"].clone()).unwrap();
    eprintln!("shrunk {padded:?} to {programs:?} ({} candidates): {}", shrunk.tried, shrunk.verdict.outcome);
    assert!(shrunk.verdict.violation().is_some());
    assert!(total_ops(&programs) < total_ops(&padded));
    for smaller in generated::one_step_smaller(&programs, 2, false) {
        let v = run(&self::config(Variant::NoCounter, 0, smaller.clone()));
        assert!(v.holds(), "{programs:?} is not minimal: {smaller:?} still fails ({})", v.outcome);
    }
}

/// Shrinking over sizes: a stress-shaped failure loses the threads and iterations it does not need.
#[test]
fn the_harness_shrinks_stress_sizes() {
    let config = Config::stress(Variant::NoCounter, 4, 3, 3, 0);
    let verdict = run(&config);
    assert!(verdict.violation().is_some(), "{}", verdict.outcome);
    let model = registry::model("lfstack").unwrap();
    let shrunk = shrink::shrink(model, &as_model_config(&config), verdict, &pct(), &Budget::default(), Duration::from_secs(120));
    eprintln!("4 threads x 3 iterations shrunk to {} x {}: {}", shrunk.config.threads, shrunk.config.ops, shrunk.verdict.outcome);
    assert!(shrunk.verdict.violation().is_some());
    assert!(shrunk.config.threads < 4 || shrunk.config.ops < 3);
    for (t, k) in [(shrunk.config.threads - 1, shrunk.config.ops), (shrunk.config.threads, shrunk.config.ops - 1)] {
        if t == 0 || k == 0 {
            continue;
        }
        let smaller = config.resized(t, k);
        assert!(run(&smaller).holds(), "{t} x {k} still fails: not minimal in sizes");
    }
}
