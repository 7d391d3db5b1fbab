//! Budgets: every exploration ends, with a distinct verdict when it ran out rather than finished.

use super::progress::Watch;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Limits on one exploration. Hitting one gives [`Outcome::BudgetExhausted`](super::Outcome),
/// never a silent "holds".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    /// Stop after this many executions (loom and DFS; shuttle PCT/random and std are bounded by
    /// their own iteration counts).
    pub max_executions: Option<u64>,
    /// Stop after this much wall-clock time. Checked between executions, so it never changes
    /// which executions are explored, only how many.
    pub max_seconds: Option<f64>,
    /// loom's `max_branches`: the longest execution, in branch points, before loom gives up
    /// (a livelocked CAS loop ends here).
    pub max_branches: usize,
    /// shuttle's `max_steps`: the longest execution, in scheduling steps.
    pub max_steps: usize,
    /// The stateful engine: stop after storing this many states (none: the engine's default,
    /// sized for a 24 GiB machine).
    #[serde(default)]
    pub max_states: Option<u64>,
    /// Who is told how far the run got, as it goes (the command line's progress bar): an
    /// observer, never a limit.
    #[serde(skip)]
    pub watch: Option<Watch>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { max_executions: None, max_seconds: Some(600.0), max_branches: 10_000, max_steps: 100_000, max_states: None, watch: None }
    }
}

impl Budget {
    pub(crate) fn time_limit(&self) -> Option<Duration> {
        self.max_seconds.map(Duration::from_secs_f64)
    }
}
