//! Nothing hangs: a livelocked CAS loop ends as budget-exhausted under every engine (loom's
//! branch limit, shuttle's step limit, the std engine's time limit), saying how far it got; an
//! exploration that outgrows its time budget ends the same way. Never a hang, never "holds".

use gcmc::engine::{self, Budget, Engine, Outcome};
use gcmc_models::check::{Ctx, Recorder, Scenario};
use gcmc_models::platform::{AtomicU64, JoinHandle, Ordering, Platform};
use std::sync::Arc;

/// Two threads, each retrying a CAS from 1 to 2 on a word that is 0 and that nobody sets to 1:
/// a livelock (each retry yields, as Go's loops do, so the checkers keep switching threads).
struct Livelock;

impl Scenario for Livelock {
    fn threads(&self) -> usize {
        2
    }

    fn execute<P: Platform>(&self, rec: &Arc<Recorder>) {
        let word = Arc::new(P::AtomicU64::new(0));
        let handles: Vec<_> = (0..2u32)
            .map(|t| {
                let word = Arc::clone(&word);
                let cx = Ctx::thread(rec, t);
                P::spawn(move || {
                    while word.compare_exchange(1, 2, Ordering::SeqCst, Ordering::SeqCst).is_err() {
                        cx.step("spin", format_args!("CAS 1 -> 2 failed, retrying"));
                        P::spin_loop();
                    }
                })
            })
            .collect();
        handles.into_iter().for_each(|h| h.join());
    }
}

fn budget() -> Budget {
    Budget { max_seconds: Some(3.0), max_branches: 500, max_steps: 5_000, ..Budget::default() }
}

#[test]
fn a_livelock_is_budget_exhausted_under_every_engine() {
    for engine in [
        Engine::Loom { preemption_bound: None },
        Engine::Loom { preemption_bound: Some(2) },
        Engine::Pct { iterations: 10, depth: 2, seed: 1 },
        Engine::Random { iterations: 10, seed: 1 },
        Engine::Dfs { max_iterations: Some(10) },
        Engine::Std { iterations: 10 },
    ] {
        let v = engine::run(Arc::new(Livelock), &engine, &budget()).unwrap();
        let Outcome::BudgetExhausted { reason } = &v.outcome else { panic!("{engine}: {:?}", v.outcome) };
        assert!(!reason.is_empty(), "{engine}: the reason says how far it got");
        assert_eq!(v.outcome.label(), "budget-exhausted");
        assert!(!v.exhaustive, "{engine}");
        eprintln!("{engine}: {reason}");
    }
}

#[test]
fn an_exploration_that_outgrows_its_time_budget_is_budget_exhausted() {
    // The unbounded 3-thread lfstack proof takes ~500k executions; a quarter second is not enough.
    let config = gcmc_models::lfstack::Config::stress(gcmc_models::lfstack::Variant::Go, 3, 3, 1, 3);
    let scenario = Arc::new(gcmc_models::check::Model::build(&config).unwrap());
    let budget = Budget { max_seconds: Some(0.25), ..Budget::default() };
    let v = engine::run(scenario, &Engine::Loom { preemption_bound: None }, &budget).unwrap();
    let Outcome::BudgetExhausted { reason } = &v.outcome else { panic!("{:?}", v.outcome) };
    assert!(reason.contains("max_seconds") && reason.contains(&format!("stopped after {} executions", v.executions)), "{reason}");
    assert!(v.executions > 0);
}
