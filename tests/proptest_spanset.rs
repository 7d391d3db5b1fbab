//! proptest-generated spanset scenarios (gcmc::generated::spanset): per-thread programs of pushes
//! and pops over two span sets sharing the block pool, under shuttle PCT with fixed seeds. Go's
//! spanSet holds on every generated program; `popped-early` (the last-popper test one pop early) is
//! found and shrunk to a program from which nothing can be removed while it still fails.

use gcmc::engine::{self, Budget, Engine, Verdict};
use gcmc::generated::{self, spanset::Shape};
use gcmc_models::check::{Model, ViolationKind};
use gcmc_models::spanset::{Config, Op, Variant};
use std::sync::Arc;

fn pct() -> Engine {
    Engine::Pct { iterations: 300, depth: 3, seed: 115 }
}

fn run(config: &Config) -> Verdict {
    engine::run(Arc::new(config.build().expect("generated programs are valid")), &pct(), &Budget::default()).expect("admitted")
}

#[test]
fn go_holds_on_generated_programs_over_two_sets() {
    let found = generated::find_violation(
        &mut generated::runner(48, 78_237),
        generated::spanset::configs(Variant::Go, Shape::two_sets()),
        &pct(),
        &Budget::default(),
    );
    assert!(found.is_none(), "{found:?}");
}

#[test]
fn popped_early_is_found_and_shrunk_to_a_minimal_program() {
    let shape = Shape::two_sets();
    let (minimal, verdict) = generated::find_violation(
        &mut generated::runner(64, 78_237),
        generated::spanset::configs(Variant::PoppedEarly, shape.clone()),
        &pct(),
        &Budget::default(),
    )
    .expect("some generated program catches popped-early");
    let programs = minimal.programs.clone().expect("generated configurations have programs");
    eprintln!("popped-early shrunk to {programs:?}: {}", verdict.outcome);
    assert_eq!(verdict.violation().map(|v| v.kind), Some(ViolationKind::EarlyFree), "{}", verdict.outcome);
    for smaller in generated::one_step_smaller(&programs, *shape.threads.start(), true) {
        let v = run(&shape.config(Variant::PoppedEarly, smaller.clone()));
        assert!(v.holds(), "{programs:?} is not minimal: {smaller:?} still fails ({})", v.outcome);
    }
    // Two spans in a block of three: the second pop (the main thread's drain, if no thread pops)
    // brings popped to 2, which the broken test takes for the last.
    let pushes = programs.iter().flatten().filter(|op| matches!(op, Op::Push(_))).count();
    assert_eq!(pushes, 2, "{programs:?}");
    assert_eq!(minimal.threads(), programs.len());
}
