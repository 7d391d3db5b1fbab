//! A scenario with one model thread has exactly one execution. shuttle's PCT asserts that a test
//! exercises some concurrency; the engine reports the one execution instead (held, exhaustive),
//! and a failure in it is still the failure.

use gcmc::engine::{self, Budget, Engine, Outcome};
use gcmc_models::check::{Model, ViolationKind};
use gcmc_models::lfstack::{Config, Op, Variant};
use std::sync::Arc;

fn one_thread(base: u64) -> Config {
    Config { stacks: 1, base, programs: Some(vec![vec![Op::Pop(0), Op::Push(0)]]), ..Config::stress(Variant::Go, 1, 2, 0, 19) }
}

#[test]
fn pct_on_one_thread_holds_in_its_one_execution() {
    let pct = Engine::Pct { iterations: 100, depth: 3, seed: 1 };
    let v = engine::run(Arc::new(one_thread(0x00c0_0000_0000).build().unwrap()), &pct, &Budget::default()).unwrap();
    assert_eq!(v.outcome, Outcome::Holds);
    assert_eq!((v.executions, v.exhaustive), (1, true));
    // A 57-bit address with 48 address bits: the one execution throws, and that is reported.
    let v = engine::run(Arc::new(one_thread(0x00ff_c000_0000_0000).build().unwrap()), &pct, &Budget::default()).unwrap();
    assert_eq!(v.violation().map(|v| v.kind), Some(ViolationKind::Throw), "{:?}", v.outcome);
}
