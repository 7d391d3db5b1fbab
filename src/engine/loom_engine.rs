//! loom: exhaustive exploration (optionally preemption-bounded), and replay from a checkpoint.
//!
//! loom prints no schedule on failure. Its checkpoint (the serialized execution path) is what
//! replays one execution, but writing it after every execution would dominate the run, so the
//! exploration runs without it and, once an execution fails, runs again up to the failing one with
//! a checkpoint stored just before it (loom explores in a fixed order, so it is the same one).
//! Both runs trace nothing; the failing execution is replayed from its checkpoint for its trace
//! (see [`retrace`](super::retrace)).

use super::driver::Driver;
use super::panics::QuietPanics;
use super::retrace::{self, Match};
use super::{Budget, Outcome, Schedule, Verdict};
use gcmc_models::check::Scenario;
use gcmc_models::platform::Loom;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The variables loom 0.7.2's `Builder::new` parses as numbers, panicking ("invalid value for
/// `LOOM_MAX_BRANCHES`") on one that does not parse. gcmc overrides every setting they feed, so a
/// well-formed one changes nothing; a malformed one is refused before loom sees it
/// ([`environment_problem`]).
const NUMERIC_VARIABLES: [&str; 5] =
    ["LOOM_CHECKPOINT_INTERVAL", "LOOM_MAX_BRANCHES", "LOOM_MAX_DURATION", "LOOM_MAX_PERMUTATIONS", "LOOM_MAX_PREEMPTIONS"];

/// Why `Builder::new` would panic in this process's environment, if it would.
pub(crate) fn environment_problem() -> Option<String> {
    // loom reads them with `env::var`, which treats a value that is not UTF-8 as unset.
    NUMERIC_VARIABLES.iter().find_map(|name| {
        let value = std::env::var(name).ok()?;
        value.parse::<u64>().is_err().then(|| {
            format!(
                "{name}={value:?} is not a whole number, and loom panics reading it; gcmc sets every loom setting \
                 itself (--bound, the budget), so unset it"
            )
        })
    })
}

pub(crate) fn builder(preemption_bound: Option<usize>, budget: &Budget) -> loom::model::Builder {
    // Builder::new reads LOOM_* variables; every field that matters is set explicitly so a stray
    // environment variable cannot change what a catalogue case explores.
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = preemption_bound;
    builder.max_branches = budget.max_branches;
    builder.max_permutations = None;
    builder.max_duration = None;
    builder.checkpoint_file = None;
    builder.checkpoint_interval = 1_000_000;
    builder.log = false;
    builder.location = false;
    builder
}

pub(crate) fn explore<S: Scenario>(scenario: Arc<S>, preemption_bound: Option<usize>, budget: &Budget) -> Verdict {
    let quiet = QuietPanics::begin();
    let driver = Driver::new(Arc::clone(&scenario), budget, false);
    let builder = builder(preemption_bound, budget);
    let exploring = Arc::clone(&driver);
    let result = catch_unwind(AssertUnwindSafe(|| builder.check(move || exploring.execute::<Loom>())));
    let failing = driver.executions();
    let checkpointed = Arc::clone(&scenario);
    let verdict =
        driver.conclude(result, &quiet, preemption_bound.is_none(), || capture_checkpoint(checkpointed, preemption_bound, budget, failing));
    drop(quiet);
    retrace::traced(verdict, Match::Exact, |schedule| match schedule {
        Schedule::Loom { path } => replay(scenario, preemption_bound, path),
        Schedule::Shuttle { .. } => unreachable!("a loom exploration records loom checkpoints"),
    })
}

/// A scratch file for one checkpoint: unique per process and call, no randomness needed.
fn scratch_file() -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("gcmc-loom-{}-{n}.json", std::process::id()))
}

/// Re-runs the exploration up to execution `failing`, storing the checkpoint of that one only, and
/// returns the checkpoint of the failing one.
fn capture_checkpoint<S: Scenario>(scenario: Arc<S>, preemption_bound: Option<usize>, budget: &Budget, failing: u64) -> Option<Schedule> {
    let file = scratch_file();
    let mut rerun_budget = budget.clone();
    rerun_budget.max_executions = Some(failing);
    rerun_budget.max_seconds = None;
    // The re-run is not more progress: the watcher has already counted these executions.
    rerun_budget.watch = None;
    let driver = Driver::new(scenario, &rerun_budget, false);
    let mut builder = builder(preemption_bound, budget);
    builder.checkpoint_file = Some(file.clone());
    // loom stores the checkpoint before iteration i when i is a multiple of the interval: an
    // interval of `failing` stores exactly the failing execution's path, and nothing before it.
    builder.checkpoint_interval = usize::try_from(failing.max(1)).unwrap_or(usize::MAX);
    let rerun = Arc::clone(&driver);
    let result = catch_unwind(AssertUnwindSafe(|| builder.check(move || rerun.execute::<Loom>())));
    let reproduced = result.is_err() && driver.executions() == failing;
    let path = crate::files::read_bounded(&file, crate::files::MAX_REPLAY_BYTES).ok().and_then(|text| serde_json::from_str(&text).ok());
    let _ = std::fs::remove_file(&file);
    match (reproduced, path) {
        (true, Some(path)) => Some(Schedule::Loom { path }),
        _ => None,
    }
}

/// Runs the one execution a checkpoint describes, with tracing on.
pub(crate) fn replay<S: Scenario>(scenario: Arc<S>, preemption_bound: Option<usize>, path: &serde_json::Value) -> Verdict {
    let quiet = QuietPanics::begin();
    let file = scratch_file();
    let written = serde_json::to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|text| crate::files::write(&file, text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", file.display())));
    let budget = Budget { max_executions: Some(1), max_seconds: None, ..Budget::default() };
    let driver = Driver::new(scenario, &budget, true);
    if let Err(reason) = written {
        return driver.conclude(Err(Box::new(reason)), &quiet, false, || None);
    }
    let mut builder = builder(preemption_bound, &budget);
    builder.checkpoint_file = Some(file.clone());
    builder.checkpoint_interval = 1;
    // loom checks its permutation cap before each execution: 2 lets exactly the first one run.
    builder.max_permutations = Some(2);
    let replaying = Arc::clone(&driver);
    let result = catch_unwind(AssertUnwindSafe(|| builder.check(move || replaying.execute::<Loom>())));
    let _ = std::fs::remove_file(&file);
    let mut verdict = driver.conclude(result, &quiet, false, || Some(Schedule::Loom { path: path.clone() }));
    if let Outcome::BudgetExhausted { .. } = verdict.outcome {
        // The checkpoint led past its own execution without failing: report that it held.
        verdict.outcome = Outcome::Holds;
        verdict.executions = 1;
    }
    verdict
}
