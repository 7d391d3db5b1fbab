//! The contract between a model's scenario and the harness's engines.

use super::Recorder;
use crate::platform::Platform;
use std::fmt;
use std::sync::Arc;

/// A checkable scenario: a model, a variant, sizes, and the threads' programs.
///
/// The harness calls [`Scenario::execute`] once per explored execution, inside `loom::model`, a
/// shuttle runner, or on real threads. Each call builds fresh model state, spawns the threads, joins
/// them and runs the quiescence audits. A violation is reported through the recorder (which ends the
/// execution with a [`ViolationRaised`](super::ViolationRaised) panic); a run that returns normally
/// held.
pub trait Scenario: Send + Sync + 'static {
    /// How many model threads one execution spawns (not counting the main thread).
    fn threads(&self) -> usize;

    /// Why [`threads`](Scenario::threads) is more than the configuration's thread count, when
    /// it is (threads spawned again in stages), and how to spawn fewer: for refusals.
    fn spawn_note(&self) -> Option<String> {
        None
    }

    /// Whether the scenario may run on real threads: a variant that races on a plain cell on
    /// purpose is undefined behaviour there, not a finding. The error says why.
    fn std_safe(&self) -> Result<(), ConfigError> {
        Ok(())
    }

    /// Runs one execution under platform `P`.
    fn execute<P: Platform>(&self, rec: &Arc<Recorder>);
}

/// A configuration the model refuses, with a one-line reason (for Go's own start-up checks, Go's
/// message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}
