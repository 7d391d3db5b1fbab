//! Verdicts: what an exploration established, and for a failure, how to see it again.

use gcmc_models::check::{Step, Violation};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// How an exploration ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    /// No execution violated anything.
    Holds,
    /// An execution violated an invariant.
    Violation(Violation),
    /// The budget ran out first; `reason` says which limit and how far the run got.
    BudgetExhausted { reason: String },
}

impl Outcome {
    /// The catalogue's vocabulary: `holds`, `violation:<kind>`, `budget-exhausted`.
    pub fn label(&self) -> String {
        match self {
            Outcome::Holds => "holds".into(),
            Outcome::Violation(v) => format!("violation:{}", v.kind),
            Outcome::BudgetExhausted { .. } => "budget-exhausted".into(),
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Holds => f.write_str("holds"),
            Outcome::Violation(v) => write!(f, "violation: {v}"),
            Outcome::BudgetExhausted { reason } => write!(f, "budget exhausted: {reason}"),
        }
    }
}

/// One line of a failing execution's trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceLine {
    pub thread: Option<u32>,
    pub func: String,
    pub what: String,
}

impl From<&Step> for TraceLine {
    fn from(step: &Step) -> Self {
        TraceLine { thread: step.thread, func: step.func.to_string(), what: step.what.clone() }
    }
}

impl fmt::Display for TraceLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let thread = self.thread.map_or_else(|| "main".to_string(), |t| format!("T{t}"));
        write!(f, "{thread:<5}{}: {}", self.func, self.what)
    }
}

/// What an engine needs to run one execution again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Schedule {
    /// shuttle's encoded schedule string (as `shuttle::replay` takes it).
    Shuttle { encoded: String },
    /// loom's checkpoint: the serialized execution path of the failing execution.
    Loom { path: serde_json::Value },
}

impl Schedule {
    pub fn engine_family(&self) -> &'static str {
        match self {
            Schedule::Shuttle { .. } => "shuttle",
            Schedule::Loom { .. } => "loom",
        }
    }
}

/// The result of one exploration.
#[derive(Clone, Debug)]
pub struct Verdict {
    pub outcome: Outcome,
    /// Executions run (for a failure, including the failing one).
    pub executions: u64,
    /// Every execution of the scenario was explored (loom without a bound, DFS that finished).
    pub exhaustive: bool,
    pub seconds: f64,
    /// The failing execution's trace; empty when the scenario held.
    pub trace: Vec<TraceLine>,
    /// How to replay the failing execution; `None` when it held, or under std (real threads).
    pub schedule: Option<Schedule>,
    /// Per-execution figures reported by the model, maximised over all executions.
    pub figures: BTreeMap<String, u64>,
    /// The stateful engine's search figures; `None` under the other engines.
    pub search: Option<super::stateful::SearchStats>,
}

impl Verdict {
    pub fn holds(&self) -> bool {
        self.outcome == Outcome::Holds
    }

    /// The violation, if the outcome is one.
    pub fn violation(&self) -> Option<&Violation> {
        match &self.outcome {
            Outcome::Violation(v) => Some(v),
            _ => None,
        }
    }
}
