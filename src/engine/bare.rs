//! The bare engines, for the overhead benchmark: the scenario's closure handed straight to loom's
//! `Builder::check` or shuttle's `Runner::run`, with a recorder that traces nothing and no driver,
//! budget checks, progress or replay capture. What a hand-written loom or shuttle test of the same
//! model would run; gcmc's own path over the same scenario is measured against it.

use super::shuttle_engine::config;
use super::{Budget, Engine};
use gcmc_models::check::{ConfigError, Recorder, Scenario};
use gcmc_models::platform::{Loom, Shuttle};
use shuttle::scheduler::{DfsScheduler, PctScheduler, RandomScheduler};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// What one bare exploration did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BareRun {
    pub executions: u64,
    pub seconds: f64,
}

/// Explores `scenario` under the bare form of `engine`. Only for scenarios that hold: a violation
/// is an error here (the bare engines have no way to report one but a panic).
pub fn run<S: Scenario>(scenario: Arc<S>, engine: &Engine, budget: &Budget) -> Result<BareRun, ConfigError> {
    engine.admit(&*scenario)?;
    if matches!(engine, Engine::Std { .. } | Engine::Stateful { .. }) {
        return Err(ConfigError(format!("{} has no bare form: it is gcmc's own engine", engine.name())));
    }
    let executions = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let (counted, bare) = (Arc::clone(&executions), Arc::clone(&scenario));
    let shuttle_body = move || {
        counted.fetch_add(1, Ordering::Relaxed);
        bare.execute::<Shuttle>(&Recorder::new(false));
    };
    let result = catch_unwind(AssertUnwindSafe(|| match *engine {
        Engine::Loom { preemption_bound } => {
            // gcmc's own settings (a stray LOOM_* variable must not make the two runs differ).
            let (counted, bare) = (Arc::clone(&executions), Arc::clone(&scenario));
            super::loom_engine::builder(preemption_bound, budget).check(move || {
                counted.fetch_add(1, Ordering::Relaxed);
                bare.execute::<Loom>(&Recorder::new(false));
            });
        }
        Engine::Pct { iterations, depth, seed } => {
            shuttle::Runner::new(PctScheduler::new_from_seed(seed, depth, iterations), config(budget)).run(shuttle_body);
        }
        Engine::Random { iterations, seed } => {
            shuttle::Runner::new(RandomScheduler::new_from_seed(seed, iterations), config(budget)).run(shuttle_body);
        }
        Engine::Dfs { max_iterations } => {
            shuttle::Runner::new(DfsScheduler::new(max_iterations, false), config(budget)).run(shuttle_body);
        }
        Engine::Std { .. } | Engine::Stateful { .. } => unreachable!("refused above"),
    }));
    let seconds = start.elapsed().as_secs_f64();
    match result {
        Ok(()) => Ok(BareRun { executions: executions.load(Ordering::Relaxed), seconds }),
        Err(_) => Err(ConfigError(format!("the bare {} run panicked: only scenarios that hold are measured bare", engine.name()))),
    }
}
