//! What the models report to the harness: violations, trace steps, figures, and the scenario
//! contract.
//!
//! Everything here records through plain std types, never through the [`Platform`](crate::platform)
//! types: loom and shuttle only schedule around their own operations, so this bookkeeping adds no
//! scheduling point and no happens-before edge, and cannot hide a bug.

mod declare;
pub mod limits;
mod model;
mod places;
mod recorder;
mod scenario;
mod shared;
mod violation;

pub use declare::{Named, VariantInfo, VariantSet};
pub use model::{Model, Programs};
pub use places::{Misplaced, Places};
#[cfg(test)]
pub(crate) use recorder::violation_of;
pub use recorder::{Ctx, Recorder, RunLog, Step, ViolationRaised};
pub use scenario::{ConfigError, Scenario};
pub use shared::{Shared, SharedGuard};
pub use violation::{Violation, ViolationKind};
