//! shuttle: PCT, random and DFS exploration, and replay from an encoded schedule.
//!
//! shuttle's runner owns its scheduler and reports a failure only by printing, so the schedule is
//! taken by wrapping the scheduler: [`Recording`] mirrors every decision into a shared
//! [`shuttle::scheduler::Schedule`], exactly as shuttle's own execution records it.

use super::driver::Driver;
use super::panics::QuietPanics;
use super::retrace::{self, Match};
use super::{Budget, Engine, Outcome, Schedule, Verdict};
use gcmc_models::check::{Scenario, ViolationKind};
use gcmc_models::platform::Shuttle;
use shuttle::scheduler::{
    DfsScheduler, PctScheduler, RandomScheduler, ReplayScheduler, Schedule as ShuttleSchedule, Scheduler, Task, TaskId,
};
use shuttle_engine::scheduler::serialization::serialize_schedule;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, PoisonError};

/// A scheduler that records the current execution's schedule where the harness can read it.
pub(crate) struct Recording<S> {
    /// Always `Some` until drop.
    inner: Option<S>,
    current: Arc<Mutex<ShuttleSchedule>>,
    /// Forget the inner scheduler instead of dropping it: shuttle's random scheduler prints its
    /// seed from a drop guard after a failure, which the harness reports its own way. The cost is
    /// one small scheduler struct per failing random run.
    forget_on_drop: bool,
}

impl<S> Recording<S> {
    pub(crate) fn new(inner: S, current: Arc<Mutex<ShuttleSchedule>>, forget_on_drop: bool) -> Self {
        Recording { inner: Some(inner), current, forget_on_drop }
    }

    fn inner(&mut self) -> &mut S {
        self.inner.as_mut().expect("the inner scheduler lives until drop")
    }
}

impl<S> Drop for Recording<S> {
    fn drop(&mut self) {
        if self.forget_on_drop {
            std::mem::forget(self.inner.take());
        }
    }
}

impl<S: Scheduler> Scheduler for Recording<S> {
    fn new_execution(&mut self) -> Option<ShuttleSchedule> {
        let schedule = self.inner().new_execution()?;
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = schedule.clone();
        Some(schedule)
    }

    fn next_task(&mut self, runnable: &[&Task], current: Option<TaskId>, is_yielding: bool) -> Option<TaskId> {
        let next = self.inner().next_task(runnable, current, is_yielding)?;
        self.current.lock().unwrap_or_else(PoisonError::into_inner).push_task(next);
        Some(next)
    }

    fn next_u64(&mut self) -> u64 {
        self.current.lock().unwrap_or_else(PoisonError::into_inner).push_random();
        self.inner().next_u64()
    }
}

pub(crate) fn config(budget: &Budget) -> shuttle::Config {
    let mut config = shuttle::Config::new();
    // The harness writes its own replay files; shuttle's printing would only be noise.
    config.failure_persistence = shuttle::FailurePersistence::None;
    config.max_steps = shuttle::MaxSteps::FailAfter(budget.max_steps);
    config.max_time = None;
    config.silence_warnings = true;
    config
}

pub(crate) fn run_with<S: Scenario, Sch: Scheduler + 'static>(
    scenario: Arc<S>,
    inner: Sch,
    budget: &Budget,
    exhaustive_if_finished: bool,
    forget_scheduler: bool,
    tracing: bool,
) -> Verdict {
    let quiet = QuietPanics::begin();
    let driver = Driver::new(scenario, budget, tracing);
    let current = Arc::new(Mutex::new(ShuttleSchedule::new(0)));
    let scheduler = Recording::new(inner, Arc::clone(&current), forget_scheduler);
    let runner = shuttle::Runner::new(scheduler, config(budget));
    let exploring = Arc::clone(&driver);
    let result = catch_unwind(AssertUnwindSafe(|| {
        runner.run(move || exploring.execute::<Shuttle>());
    }));
    driver.conclude(result, &quiet, exhaustive_if_finished, || {
        let schedule = current.lock().unwrap_or_else(PoisonError::into_inner);
        Some(Schedule::Shuttle { encoded: serialize_schedule(&schedule) })
    })
}

/// Explores with tracing off; a failing execution is run again from its schedule for its trace
/// (see [`retrace`](super::retrace)).
pub(crate) fn explore<S: Scenario>(scenario: Arc<S>, engine: &Engine, budget: &Budget) -> Verdict {
    let untraced = Arc::clone(&scenario);
    let verdict = match *engine {
        Engine::Pct { iterations, depth, seed } => {
            let verdict = run_with(untraced, PctScheduler::new_from_seed(seed, depth, iterations), budget, false, false, false);
            sequential_is_one_execution(verdict)
        }
        Engine::Random { iterations, seed } => {
            run_with(untraced, RandomScheduler::new_from_seed(seed, iterations), budget, false, true, false)
        }
        Engine::Dfs { max_iterations } => {
            let verdict = run_with(untraced, DfsScheduler::new(max_iterations, false), budget, true, false, false);
            // DFS stops silently at its cap; it was exhaustive only if it stopped short of it.
            let capped = max_iterations.is_some_and(|max| verdict.executions >= max as u64);
            Verdict { exhaustive: verdict.exhaustive && !capped, ..verdict }
        }
        Engine::Loom { .. } | Engine::Std { .. } | Engine::Stateful { .. } => unreachable!("not a shuttle engine: {engine}"),
    };
    traced_by_replay(scenario, verdict, Match::Exact)
}

/// [`retrace::traced`] with a shuttle replay of the failing schedule.
pub(crate) fn traced_by_replay<S: Scenario>(scenario: Arc<S>, verdict: Verdict, matching: Match) -> Verdict {
    retrace::traced(verdict, matching, |schedule| match schedule {
        Schedule::Shuttle { encoded } => replay(scenario, encoded),
        Schedule::Loom { .. } => unreachable!("a shuttle exploration records shuttle schedules"),
    })
}

/// shuttle's PCT sizes its change points from the scheduling decisions of the first execution, and
/// asserts there were some before the second. A scenario whose first execution never had two
/// runnable threads (one model thread that main only joins) has no decision to make: the first
/// execution, which held, was the only one. Report that, not the assertion as a model panic.
fn sequential_is_one_execution(verdict: Verdict) -> Verdict {
    let no_concurrency = matches!(
        verdict.violation(),
        Some(v) if v.kind == ViolationKind::Panic && v.detail.contains("did not exercise any concurrency")
    );
    if !no_concurrency || verdict.executions != 1 {
        return verdict;
    }
    Verdict { outcome: Outcome::Holds, exhaustive: true, trace: Vec::new(), schedule: None, ..verdict }
}

/// Runs the one execution an encoded schedule describes, with tracing on.
pub(crate) fn replay<S: Scenario>(scenario: Arc<S>, encoded: &str) -> Verdict {
    let budget = Budget { max_executions: Some(1), max_seconds: None, ..Budget::default() };
    let mut replay = ReplayScheduler::new_from_encoded(encoded);
    replay.set_allow_incomplete();
    let mut verdict = run_with(scenario, replay, &budget, false, false, true);
    if verdict.schedule.is_some() {
        verdict.schedule = Some(Schedule::Shuttle { encoded: encoded.to_string() });
    }
    verdict
}
