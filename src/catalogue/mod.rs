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
//! states = 6391                       # optional, stateful engine only: the states it stores
//! replay = "replays/R1-loom.json"     # pinned counterexample, relative, inside the catalogue's directory
//! deep = false                        # true: only with `check --deep`
//! why = "..."                         # optional: why this case and this expectation
//! ```
//!
//! An id is at most 200 characters, a `why` 2,000 and a `replay` path 1,000 (`load::MAX_*`), and
//! every other string and field name 100 ([`crate::lengths::MAX_NAME_CHARS`]); a `replay` with an
//! absolute path, a `..` or a symlink leading out of the directory is refused.

pub mod edit;
pub mod load;
pub mod locate;
pub mod variants;

pub use load::{load, load_str};
pub use locate::{locate, Located, DEFAULT_CATALOGUE};

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
    /// The stateful engine: the states it stores, recorded like `executions`.
    pub states: Option<u64>,
    /// The pinned replay file, resolved against the catalogue's directory and inside it.
    pub replay: Option<PathBuf>,
    /// The pinned replay as written in the catalogue.
    pub replay_as_written: Option<String>,
    pub deep: bool,
    pub why: Option<String>,
}

impl Case {
    /// Whether `filter` selects this case: the model or variant name, or whole `-`-separated words
    /// of the id (`R1` and `R1-loom` select `R1-loom` but not `R12-loom`; `loom` selects every
    /// `...-loom` case).
    pub fn selected_by(&self, filter: &str) -> bool {
        if self.config.model == filter || self.config.variant == filter {
            return true;
        }
        let words: Vec<&str> = self.id.split('-').collect();
        let wanted: Vec<&str> = filter.split('-').collect();
        words.windows(wanted.len()).any(|w| w == wanted.as_slice())
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
                    format!("unknown violation kind `{}` (known: {})", crate::lengths::shown(kind), known.join(", "))
                }),
                None => Err(format!("expect `{}` is not `holds`, `violation:<kind>` or `budget-exhausted`", crate::lengths::shown(text))),
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
    use crate::registry;
    use gcmc_models::check::Violation;
    use serde_json::Map;

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

    fn case(id: &str) -> Case {
        let model = registry::model("lfstack").unwrap();
        Case {
            id: id.into(),
            model,
            config: model.configure("no-counter", &Map::new()).unwrap(),
            engine: Engine::Loom { preemption_bound: None },
            budget: Budget::default(),
            expect: Expect::Holds,
            executions: None,
            states: None,
            replay: None,
            replay_as_written: None,
            deep: false,
            why: None,
        }
    }

    #[test]
    fn a_filter_selects_whole_words_of_the_id() {
        assert!(case("R1-loom").selected_by("R1"));
        assert!(!case("R12-free-during-mark-loom").selected_by("R1"));
        assert!(case("R12-free-during-mark-loom").selected_by("R12"));
        assert!(case("R12-free-during-mark-loom").selected_by("free-during-mark"));
        assert!(case("lfstack-go-loom-2x2x2").selected_by("loom-2x2x2"));
        assert!(!case("lfstack-go-loom-2x2x2").selected_by("oom"));
        assert!(case("anything").selected_by("lfstack"));
        assert!(case("anything").selected_by("no-counter"));
    }
}
