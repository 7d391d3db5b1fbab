//! Real threads: the stress test a user would otherwise write, the baseline the checkers beat.
//!
//! Tracing is off (a shared log would serialize the very threads whose races it should observe);
//! only violations and the quiescence audits are recorded, and there is no schedule to replay.

use super::driver::Driver;
use super::panics::QuietPanics;
use super::{Budget, Verdict};
use gcmc_models::check::Scenario;
use gcmc_models::platform::Std;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

pub(crate) fn stress<S: Scenario>(scenario: Arc<S>, iterations: usize, budget: &Budget) -> Verdict {
    let quiet = QuietPanics::begin();
    let driver = Driver::new(scenario, budget, false);
    let result = catch_unwind(AssertUnwindSafe(|| {
        for _ in 0..iterations {
            driver.execute::<Std>();
        }
    }));
    driver.conclude(result, &quiet, false, || None)
}
