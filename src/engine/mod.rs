//! Engines: run a [`Scenario`] under loom, shuttle or real threads, within a budget, and turn what
//! happened into a typed [`Verdict`].
//!
//! Every engine gets the same scenario object and calls [`Scenario::execute`] once per explored
//! execution with a fresh [`Recorder`](gcmc_models::check::Recorder). A violation ends the execution with a
//! [`ViolationRaised`](gcmc_models::check::ViolationRaised) panic; the engine catches it, reads the
//! violation from the last execution's recorder, and captures what is needed to replay that
//! execution (shuttle's schedule, loom's checkpoint). Explorations trace nothing: the failing
//! execution is run again from that schedule, with tracing on, for its trace (`retrace`).

pub mod bare;
mod budget;
mod driver;
mod kind;
mod loom_engine;
mod panics;
pub mod progress;
mod retrace;
pub mod schedule_check;
mod shuttle_engine;
pub mod spread;
pub mod stateful;
mod std_engine;
mod verdict;

pub use budget::Budget;
pub use kind::EngineKind;
pub use progress::{Progress, Watch};
pub use spread::Spread;
pub use verdict::{Outcome, Schedule, TraceLine, Verdict};

use gcmc_models::check::{ConfigError, Scenario};
use gcmc_models::platform::LOOM_MAX_SPAWNED_THREADS;
use serde::{Deserialize, Serialize};
pub use stateful::reductions::{Reduction, Reductions};
use stateful::StatefulOptions;
use std::fmt;
use std::sync::Arc;

/// An engine and its exploration parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "engine", rename_all = "kebab-case")]
pub enum Engine {
    /// loom's exhaustive DPOR exploration; with a preemption bound, exhaustive only up to it.
    Loom { preemption_bound: Option<usize> },
    /// shuttle's PCT scheduler: `iterations` executions at bug depth `depth`, seeded.
    Pct { iterations: usize, depth: usize, seed: u64 },
    /// shuttle's uniformly random scheduler, seeded.
    Random { iterations: usize, seed: u64 },
    /// shuttle's depth-first search: exhaustive when it finishes within `max_iterations`.
    Dfs { max_iterations: Option<usize> },
    /// Real threads, `iterations` runs: the stress test a user would otherwise write.
    Std { iterations: usize },
    /// The stateful search over shuttle's decisions: exhaustive when it finishes within its
    /// `max_states`; `exact_states` stores full states instead of 128-bit fingerprints;
    /// `reductions` are the reductions it applies (all by default).
    Stateful {
        exact_states: bool,
        #[serde(default)]
        reductions: Reductions,
    },
}

impl Engine {
    /// The stateful engine with fingerprints and every reduction: its default.
    pub fn stateful() -> Engine {
        Engine::Stateful { exact_states: false, reductions: Reductions::default() }
    }

    /// Refuses a scenario this engine cannot run, before anything is spawned.
    pub fn admit<S: Scenario>(&self, scenario: &S) -> Result<(), ConfigError> {
        self.validate().map_err(ConfigError)?;
        match self {
            Engine::Loom { .. } if scenario.threads() > LOOM_MAX_SPAWNED_THREADS => Err(ConfigError(format!(
                "loom supports at most {LOOM_MAX_SPAWNED_THREADS} spawned threads, the scenario spawns {}{}",
                scenario.threads(),
                scenario.spawn_note().map(|why| format!(": {why}")).unwrap_or_default()
            ))),
            Engine::Pct { .. } | Engine::Random { .. } if std::env::var_os(SHUTTLE_SEED_VARIABLE).is_some() => Err(ConfigError(format!(
                "{SHUTTLE_SEED_VARIABLE} is set: shuttle would seed every {} run with it instead of the run's own seed, so \
                 the run would not be the one its seed names; unset it and give the seed with --seed or in the catalogue",
                self.name()
            ))),
            Engine::Loom { .. } => loom_engine::environment_problem().map_or(Ok(()), |problem| Err(ConfigError(problem))),
            Engine::Std { .. } => scenario.std_safe(),
            _ => Ok(()),
        }
    }
}

/// shuttle's PCT and random schedulers take their seed from this variable, when it is set, over
/// the one they are given (shuttle_engine::seed_from_env): gcmc refuses to run them then.
pub const SHUTTLE_SEED_VARIABLE: &str = "SHUTTLE_RANDOM_SEED";

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Engine::Loom { preemption_bound: None } => write!(f, "loom"),
            Engine::Loom { preemption_bound: Some(b) } => write!(f, "loom(bound={b})"),
            Engine::Pct { iterations, depth, seed } => write!(f, "pct(iterations={iterations}, depth={depth}, seed={seed})"),
            Engine::Random { iterations, seed } => write!(f, "random(iterations={iterations}, seed={seed})"),
            Engine::Dfs { max_iterations: None } => write!(f, "dfs"),
            Engine::Dfs { max_iterations: Some(n) } => write!(f, "dfs(max={n})"),
            Engine::Std { iterations } => write!(f, "std(iterations={iterations})"),
            Engine::Stateful { exact_states, reductions } => {
                let mut options: Vec<&str> = reductions.off().into_iter().map(|r| r.off_name()).collect();
                if *exact_states {
                    options.insert(0, "exact-states");
                }
                if options.is_empty() {
                    write!(f, "stateful")
                } else {
                    write!(f, "stateful({})", options.join(", "))
                }
            }
        }
    }
}

/// Runs `scenario` under `engine` within `budget`.
///
/// Returns `Err` only for a configuration the engine refuses up front (too many threads for loom,
/// a racy variant on real threads); every outcome of an exploration, including running out of
/// budget, is a [`Verdict`].
pub fn run<S: Scenario>(scenario: Arc<S>, engine: &Engine, budget: &Budget) -> Result<Verdict, ConfigError> {
    run_spread(scenario, engine, budget, &Spread::default())
}

/// [`run`], spread over worker threads and limited to one shard (see [`spread`]).
pub fn run_spread<S: Scenario>(scenario: Arc<S>, engine: &Engine, budget: &Budget, spread: &Spread) -> Result<Verdict, ConfigError> {
    engine.admit(&*scenario)?;
    spread.admit(engine)?;
    let whole = spread.shard.is_whole();
    Ok(match engine {
        Engine::Loom { preemption_bound } => loom_engine::explore(scenario, *preemption_bound, budget),
        Engine::Pct { .. } | Engine::Random { .. } => spread::chunked(scenario, engine, budget, spread),
        Engine::Dfs { .. } if whole => shuttle_engine::explore(scenario, engine, budget),
        Engine::Dfs { max_iterations } => stateful::dfs_shard(scenario, *max_iterations, spread.shard, spread.split_depth, budget),
        Engine::Std { iterations } => std_engine::stress(scenario, *iterations, budget),
        Engine::Stateful { exact_states, reductions } => {
            let options = StatefulOptions {
                exact_states: *exact_states,
                reductions: *reductions,
                shard: spread.shard,
                split_depth: spread.split_depth,
                ..StatefulOptions::default()
            };
            stateful::explore_with(scenario, &options, budget).verdict
        }
    })
}

/// Replays one execution from its schedule, with tracing on.
///
/// The schedule must come from the same scenario (model, variant, sizes) and engine family; the
/// replay-file layer checks that before calling this.
pub fn replay<S: Scenario>(scenario: Arc<S>, engine: &Engine, schedule: &Schedule) -> Result<Verdict, ConfigError> {
    engine.admit(&*scenario)?;
    match (engine, schedule) {
        (Engine::Loom { preemption_bound }, Schedule::Loom { path }) => Ok(loom_engine::replay(scenario, *preemption_bound, path)),
        (Engine::Pct { .. } | Engine::Random { .. } | Engine::Dfs { .. } | Engine::Stateful { .. }, Schedule::Shuttle { encoded }) => {
            Ok(shuttle_engine::replay(scenario, encoded))
        }
        (engine, schedule) => {
            Err(ConfigError(format!("a {} schedule cannot be replayed under {}", schedule.engine_family(), engine.name())))
        }
    }
}
