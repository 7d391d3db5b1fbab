//! Engines and budgets as the catalogue and the command line write them.
//!
//! Catalogue: `engine = { name = "pct", iterations = 20000, depth = 4, seed = 7 }` and
//! `budget = { max_seconds = 60 }`. Command line: `--engine pct --iterations 20000 --depth 4 --seed 7`.
//! The same [`EngineSpec::resolve`] turns both into an [`Engine`], refusing parameters that do not
//! apply to the engine named, so a typo never silently runs a different exploration.

use crate::engine::{Budget, Engine, EngineKind, Reduction, Reductions};
use serde::Deserialize;

/// An engine and its parameters, before validation.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineSpec {
    /// `loom`, `pct`, `random`, `dfs`, `std` or `stateful`.
    pub name: EngineKind,
    /// loom: the preemption bound (none: unbounded, exhaustive).
    pub bound: Option<usize>,
    /// pct, random, std: executions to run.
    pub iterations: Option<usize>,
    /// pct: the bug depth.
    pub depth: Option<usize>,
    /// pct, random: the scheduler's seed.
    pub seed: Option<u64>,
    /// dfs: stop after this many executions (none: run to the end, exhaustive).
    pub max_iterations: Option<usize>,
    /// stateful: store full states instead of 128-bit fingerprints.
    pub exact_states: Option<bool>,
    /// stateful: honour the models' local-state declarations (default true).
    pub local_states: Option<bool>,
    /// stateful: sleep sets (default true).
    pub sleep_sets: Option<bool>,
    /// stateful: partial-order reduction of states (default true).
    pub por: Option<bool>,
}

/// Defaults for parameters the command line may leave out (the catalogue must spell them out).
pub const DEFAULT_ITERATIONS: usize = 10_000;
pub const DEFAULT_PCT_DEPTH: usize = 3;
pub const DEFAULT_SEED: u64 = 0;
pub const DEFAULT_STD_ITERATIONS: usize = 1_000;

impl EngineSpec {
    /// Validates the spec. With `strict`, seeded engines must name every parameter (the catalogue:
    /// a pinned case must not depend on a default that may change).
    pub fn resolve(&self, strict: bool) -> Result<Engine, String> {
        let kind = self.name;
        let given = [
            ("bound", self.bound.is_some()),
            ("iterations", self.iterations.is_some()),
            ("depth", self.depth.is_some()),
            ("seed", self.seed.is_some()),
            ("max_iterations", self.max_iterations.is_some()),
            ("exact_states", self.exact_states.is_some()),
            ("local_states", self.local_states.is_some()),
            ("sleep_sets", self.sleep_sets.is_some()),
            ("por", self.por.is_some()),
        ];
        let is_given = |field: &str| given.iter().any(|(g, set)| *g == field && *set);
        if let Some((field, _)) = given.iter().find(|(field, set)| *set && !kind.parameters().contains(field)) {
            return Err(format!("`{field}` does not apply to engine {kind} (it takes: {})", kind.parameters().join(", ")));
        }
        if let Some(field) = kind.required().iter().find(|f| strict && !is_given(f)) {
            return Err(format!("engine {kind} needs `{field}`"));
        }
        let engine = match kind {
            EngineKind::Loom => Engine::Loom { preemption_bound: self.bound },
            EngineKind::Pct => Engine::Pct {
                iterations: self.iterations.unwrap_or(DEFAULT_ITERATIONS),
                depth: self.depth.unwrap_or(DEFAULT_PCT_DEPTH),
                seed: self.seed.unwrap_or(DEFAULT_SEED),
            },
            EngineKind::Random => {
                Engine::Random { iterations: self.iterations.unwrap_or(DEFAULT_ITERATIONS), seed: self.seed.unwrap_or(DEFAULT_SEED) }
            }
            EngineKind::Dfs => Engine::Dfs { max_iterations: self.max_iterations },
            EngineKind::Stateful => Engine::Stateful {
                exact_states: self.exact_states.unwrap_or(false),
                reductions: Reductions::default()
                    .with(Reduction::LocalStates, self.local_states.unwrap_or(true))
                    .with(Reduction::SleepSets, self.sleep_sets.unwrap_or(true))
                    .with(Reduction::Por, self.por.unwrap_or(true)),
            },
            EngineKind::Std => Engine::Std { iterations: self.iterations.unwrap_or(DEFAULT_STD_ITERATIONS) },
        };
        engine.validate()?;
        Ok(engine)
    }

    /// A spec of `kind` with no parameters given.
    pub fn of(kind: EngineKind) -> EngineSpec {
        EngineSpec {
            name: kind,
            bound: None,
            iterations: None,
            depth: None,
            seed: None,
            max_iterations: None,
            exact_states: None,
            local_states: None,
            sleep_sets: None,
            por: None,
        }
    }
}

/// Budget limits, before defaults. Every field is optional; see [`BudgetSpec::resolve`].
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetSpec {
    pub max_executions: Option<u64>,
    pub max_seconds: Option<f64>,
    pub max_branches: Option<usize>,
    pub max_steps: Option<usize>,
    pub max_states: Option<u64>,
}

/// The time limit of a catalogue case that sets none: generous for the default catalogue (whose
/// cases take seconds), short enough that a case that outgrows it fails the gate instead of hanging.
pub const DEFAULT_CASE_SECONDS: f64 = 120.0;

impl BudgetSpec {
    pub fn resolve(&self) -> Result<Budget, String> {
        let base = Budget::default();
        let budget = Budget {
            max_executions: self.max_executions.or(base.max_executions),
            max_seconds: Some(self.max_seconds.unwrap_or(DEFAULT_CASE_SECONDS)),
            max_branches: self.max_branches.unwrap_or(base.max_branches),
            max_steps: self.max_steps.unwrap_or(base.max_steps),
            max_states: self.max_states,
            watch: None,
        };
        if budget.max_seconds.is_some_and(|s| !(s > 0.0 && s.is_finite())) {
            return Err("budget max_seconds must be a positive number".into());
        }
        if budget.max_executions == Some(0) || budget.max_branches == 0 || budget.max_steps == 0 || budget.max_states == Some(0) {
            return Err("budget limits must be at least 1".into());
        }
        Ok(budget)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str) -> EngineSpec {
        EngineSpec::of(name.parse().unwrap())
    }

    #[test]
    fn specs_resolve_to_engines_and_refuse_what_does_not_apply() {
        assert_eq!(EngineSpec { bound: Some(3), ..spec("loom") }.resolve(true), Ok(Engine::Loom { preemption_bound: Some(3) }));
        assert_eq!(spec("dfs").resolve(true), Ok(Engine::Dfs { max_iterations: None }));
        assert_eq!(spec("pct").resolve(false), Ok(Engine::Pct { iterations: DEFAULT_ITERATIONS, depth: DEFAULT_PCT_DEPTH, seed: 0 }));
        assert_eq!(spec("pct").resolve(true).unwrap_err(), "engine pct needs `iterations`");
        assert_eq!(
            EngineSpec { seed: Some(1), ..spec("loom") }.resolve(false).unwrap_err(),
            "`seed` does not apply to engine loom (it takes: bound)"
        );
        assert_eq!(EngineSpec { depth: Some(0), ..spec("pct") }.resolve(false).unwrap_err(), "pct depth must be at least 1");
        assert_eq!(EngineSpec { iterations: Some(0), ..spec("std") }.resolve(false).unwrap_err(), "engine std needs at least 1 iteration");
        assert_eq!("magic".parse::<EngineKind>().unwrap_err(), "unknown engine `magic` (known: loom, pct, random, dfs, std, stateful)");
        assert_eq!(spec("stateful").resolve(true), Ok(Engine::stateful()));
        assert_eq!(
            EngineSpec { exact_states: Some(true), ..spec("stateful") }.resolve(true),
            Ok(Engine::Stateful { exact_states: true, reductions: Reductions::default() })
        );
        assert_eq!(
            EngineSpec { local_states: Some(false), ..spec("stateful") }.resolve(true),
            Ok(Engine::Stateful { exact_states: false, reductions: Reductions::default().with(Reduction::LocalStates, false) })
        );
        assert_eq!(
            EngineSpec { exact_states: Some(true), ..spec("dfs") }.resolve(true).unwrap_err(),
            "`exact_states` does not apply to engine dfs (it takes: max_iterations)"
        );
        assert_eq!(
            EngineSpec { bound: Some(2), ..spec("stateful") }.resolve(true).unwrap_err(),
            "`bound` does not apply to engine stateful (it takes: exact_states, local_states, sleep_sets, por)"
        );
    }

    #[test]
    fn budgets_default_to_a_time_limit_and_refuse_zero() {
        let b = BudgetSpec::default().resolve().unwrap();
        assert_eq!(b.max_seconds, Some(DEFAULT_CASE_SECONDS));
        assert!(BudgetSpec { max_steps: Some(0), ..BudgetSpec::default() }.resolve().is_err());
        assert!(BudgetSpec { max_seconds: Some(-1.0), ..BudgetSpec::default() }.resolve().is_err());
        assert!(BudgetSpec { max_states: Some(0), ..BudgetSpec::default() }.resolve().is_err());
    }
}
