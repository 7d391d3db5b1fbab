//! The catalogue: every checked case with its expected verdict (`models/catalogue.toml`).
//!
//! ```toml
//! [[case]]
//! id = "R1-loom"                      # R1..R14 for regression cases, a readable name otherwise
//! model = "lfstack"
//! variant = "no-counter"
//! config = { threads = 3, nodes = 3, iterations = 1, counter_bits = 0 }  # over default_for(variant)
//! engine = { name = "loom", bound = 3 }
//! budget = { max_seconds = 60 }       # optional: max_executions, max_seconds, max_branches, max_steps
//! expect = "violation:aba"            # holds | violation:<kind> | budget-exhausted
//! executions = 593                    # optional: the executions it explores, exactly
//! replay = "replays/R1-loom.json"     # pinned counterexample, relative to the catalogue's directory
//! deep = false                        # true: only with `check --deep`
//! why = "..."                         # optional: why this case and this expectation
//! ```

pub mod load;

pub use load::{load, load_str, DEFAULT_CATALOGUE};

use crate::engine::{Budget, Engine, Outcome};
use crate::registry::{DynModel, ModelConfig};
use gcmc_models::check::ViolationKind;
use std::fmt;
use std::path::PathBuf;

/// A validated catalogue.
pub struct Catalogue {
    /// The file it came from, as given.
    pub path: PathBuf,
    pub cases: Vec<Case>,
}

/// One validated case.
pub struct Case {
    pub id: String,
    pub model: &'static dyn DynModel,
    pub config: ModelConfig,
    pub engine: Engine,
    pub budget: Budget,
    pub expect: Expect,
    /// The executions the case explores (to its end, its failure, or its budget), recorded so
    /// that a change that silently shrinks or shifts the explored space fails the gate.
    pub executions: Option<u64>,
    /// The pinned replay file, resolved against the catalogue's directory.
    pub replay: Option<PathBuf>,
    /// The pinned replay as written in the catalogue.
    pub replay_as_written: Option<String>,
    pub deep: bool,
    pub why: Option<String>,
}

impl Case {
    /// Whether `filter` selects this case: a substring of the id, or the model or variant name.
    pub fn selected_by(&self, filter: &str) -> bool {
        self.id.contains(filter) || self.config.model == filter || self.config.variant == filter
    }
}

/// An expected verdict, in the catalogue's vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Holds,
    Violation(ViolationKind),
    /// For cases that show a budget ends a run (a livelock, an exploration too large).
    BudgetExhausted,
}

impl Expect {
    pub fn parse(text: &str) -> Result<Expect, String> {
        match text {
            "holds" => Ok(Expect::Holds),
            "budget-exhausted" => Ok(Expect::BudgetExhausted),
            _ => match text.strip_prefix("violation:") {
                Some(kind) => ViolationKind::from_name(kind).map(Expect::Violation).ok_or_else(|| {
                    let known: Vec<_> = ViolationKind::ALL.iter().map(|k| k.name()).collect();
                    format!("unknown violation kind `{kind}` (known: {})", known.join(", "))
                }),
                None => Err(format!("expect `{text}` is not `holds`, `violation:<kind>` or `budget-exhausted`")),
            },
        }
    }

    pub fn matches(&self, outcome: &Outcome) -> bool {
        match (self, outcome) {
            (Expect::Holds, Outcome::Holds) => true,
            (Expect::Violation(kind), Outcome::Violation(v)) => v.kind == *kind,
            (Expect::BudgetExhausted, Outcome::BudgetExhausted { .. }) => true,
            _ => false,
        }
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Holds => f.write_str("holds"),
            Expect::Violation(kind) => write!(f, "violation:{kind}"),
            Expect::BudgetExhausted => f.write_str("budget-exhausted"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gcmc_models::check::Violation;

    #[test]
    fn expectations_parse_print_and_match() {
        for text in ["holds", "budget-exhausted", "violation:aba", "violation:lost-arena"] {
            assert_eq!(Expect::parse(text).unwrap().to_string(), text);
        }
        assert!(Expect::parse("violation:nope").unwrap_err().contains("unknown violation kind `nope`"));
        assert!(Expect::parse("fails").is_err());
        let aba = Outcome::Violation(Violation { kind: ViolationKind::Aba, detail: String::new() });
        assert!(Expect::Violation(ViolationKind::Aba).matches(&aba));
        assert!(!Expect::Violation(ViolationKind::LostNode).matches(&aba));
        assert!(!Expect::Holds.matches(&aba));
        assert!(!Expect::Holds.matches(&Outcome::BudgetExhausted { reason: String::new() }));
        assert!(Expect::BudgetExhausted.matches(&Outcome::BudgetExhausted { reason: String::new() }));
    }
}
