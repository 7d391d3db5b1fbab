//! What the models report to the harness: violations, trace steps, figures, and the scenario
//! contract.
//!
//! Everything here records through plain std types, never through the [`Platform`](crate::platform)
//! types: loom and shuttle only schedule around their own operations, so this bookkeeping adds no
//! scheduling point and no happens-before edge, and cannot hide a bug.

pub mod limits;
mod model;
mod recorder;
mod scenario;
mod shared;
mod violation;

pub use model::{Model, Programs};
#[cfg(test)]
pub(crate) use recorder::violation_of;
pub use recorder::{Ctx, Recorder, RunLog, Step, ViolationRaised};
pub use scenario::{ConfigError, Scenario};
pub use shared::{Shared, SharedGuard};
pub use violation::{Violation, ViolationKind};
