//! Real threads: the stress test a user would otherwise write, the baseline the checkers beat.
//!
//! Tracing is off (a shared log would serialize the very threads whose races it should observe);
//! only violations and the quiescence audits are recorded, and there is no schedule to replay.
//!
//! Real threads cannot be stopped from outside, and they have no step budget: a livelocked model
//! would spin forever. So the executions run on a worker thread, and if they have not finished
//! shortly after the time budget, the run ends as budget-exhausted and the worker is abandoned
//! (it ends with the process).

use super::driver::Driver;
use super::panics::QuietPanics;
use super::{Budget, Outcome, Verdict};
use gcmc_models::check::Scenario;
use gcmc_models::platform::Std;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// How long past the time budget to wait for an execution already under way.
const GRACE: Duration = Duration::from_secs(2);

pub(crate) fn stress<S: Scenario>(scenario: Arc<S>, iterations: usize, budget: &Budget) -> Verdict {
    let driver = Driver::new(scenario, budget, false);
    let worker = Arc::clone(&driver);
    let (done, verdict) = mpsc::channel();
    let spawned = std::thread::Builder::new().name("gcmc-std-engine".into()).spawn(move || {
        // Panics are quiet on the thread that runs the engine, so this thread, not the caller.
        let quiet = QuietPanics::begin();
        let result = catch_unwind(AssertUnwindSafe(|| {
            for _ in 0..iterations {
                worker.execute::<Std>();
            }
        }));
        let _ = done.send(worker.conclude(result, &quiet, false, || None));
    });
    if let Err(e) = spawned {
        return abandoned(&driver, format!("cannot start the std engine's thread: {e}"));
    }
    let verdict = match budget.time_limit() {
        Some(limit) => verdict.recv_timeout(limit + GRACE).ok(),
        None => verdict.recv().ok(),
    };
    verdict.unwrap_or_else(|| {
        abandoned(
            &driver,
            format!(
                "execution {} did not finish within max_seconds ({:.1}s): a livelock or a hang on real threads; its threads were abandoned",
                driver.executions(),
                budget.max_seconds.unwrap_or_default()
            ),
        )
    })
}

fn abandoned<S: Scenario>(driver: &Driver<S>, reason: String) -> Verdict {
    Verdict {
        outcome: Outcome::BudgetExhausted { reason },
        executions: driver.executions(),
        exhaustive: false,
        seconds: driver.elapsed_seconds(),
        trace: Vec::new(),
        schedule: None,
        figures: BTreeMap::new(),
        search: None,
    }
}
