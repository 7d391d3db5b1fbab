//! The stateful engine: a depth-first search of shuttle's scheduling decisions that stores the
//! fingerprint of every state it explores and stops an execution at a state already explored
//! (`search`), over the real model code run under the tracking backend
//! ([`gcmc_models::platform::Stateful`]).
//!
//! It sees what shuttle sees (interleavings under sequential consistency; no weak memory, no data
//! race) and proves, when it finishes, that no interleaving of the scenario violates anything,
//! like shuttle's DFS but visiting each state once instead of each interleaving. A failure comes
//! back as a shuttle schedule, replayed under plain shuttle for its trace, so replay files,
//! `replay`, traces and shrinking work as for the other shuttle engines.

mod frames;
mod por;
pub mod reductions;
mod search;
mod sleep;
mod visited;

use super::driver::Driver;
use super::panics::QuietPanics;
use super::retrace::Match;
use super::shuttle_engine::{config, Recording};
use super::{Budget, Outcome, Schedule, Verdict};
use crate::shard::Shard;
use gcmc_models::check::Scenario;
use gcmc_models::platform::stateful::digest::{Digest, StateMode};
use gcmc_models::platform::stateful::tracker::{self, Omit, Tracking};
use gcmc_models::platform::Stateful;
use reductions::Reductions;
use search::{SearchParams, StatefulSearch};
use serde::{Deserialize, Serialize};
use shuttle::scheduler::{DfsScheduler, Schedule as ShuttleSchedule, Scheduler, Task, TaskId};
use shuttle_engine::scheduler::serialization::serialize_schedule;
use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, PoisonError};

/// States stored before a compact search stops, by default: the visited set then takes about
/// 4.5 GiB (up to twice that while it grows), well within a 24 GiB machine.
pub const DEFAULT_MAX_STATES: u64 = 200_000_000;
/// The same for `--exact-states`, whose states take hundreds of bytes to kilobytes each.
pub const DEFAULT_MAX_STATES_EXACT: u64 = 2_000_000;

/// What a stateful search did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchStats {
    /// Distinct branching states stored in the visited set.
    pub states: u64,
    /// Scheduling decisions taken past a replayed prefix: the transitions explored.
    pub transitions: u64,
    /// Executions stopped at a state already explored.
    pub revisits: u64,
    /// Revisits that explored the tasks asleep at the first visit and awake now (sleep sets).
    #[serde(default)]
    pub woken: u64,
    /// Executions stopped where every runnable task was asleep (sleep sets).
    #[serde(default)]
    pub sleep_prunes: u64,
    /// Transitions a decision did not explore because the partial-order reduction found their
    /// order with the path does not matter.
    #[serde(default)]
    pub por_skipped: u64,
    /// Decisions replayed from a prefix explored before: what shuttle's re-execution costs.
    #[serde(default)]
    pub replayed: u64,
    /// Decisions of pruned executions run on to their end untracked: what their tails cost.
    #[serde(default)]
    pub tail_steps: u64,
    /// The deepest decision reached.
    pub max_depth: u64,
    /// Executions run on through a subtree of another shard, not counted (`explore --shard`).
    #[serde(default)]
    pub foreign: u64,
    /// An estimate of the visited set's peak memory, in bytes.
    pub peak_bytes: u64,
    /// Every alternative of every stored state was explored.
    pub complete: bool,
    /// Why the search stopped early, if it did (the `max_states` budget).
    #[serde(skip)]
    pub stopped: Option<String>,
}

impl std::fmt::Display for SearchStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "stateful: {} states stored, {} transitions ({} decisions replayed, {} run on in pruned tails), {} revisits pruned, {} sleep-set prunes, {} revisits woken, {} transitions skipped by POR, depth {}, visited set {:.1} MiB",
            self.states,
            self.transitions,
            self.replayed,
            self.tail_steps,
            self.revisits,
            self.sleep_prunes,
            self.woken,
            self.por_skipped,
            self.max_depth,
            self.peak_bytes as f64 / (1024.0 * 1024.0)
        )
    }
}

/// The options of one stateful search.
#[derive(Clone, Copy, Debug, Default)]
pub struct StatefulOptions {
    /// Store full states instead of 128-bit fingerprints.
    pub exact_states: bool,
    /// The reductions applied (`StatefulOptions::default()` has them all).
    pub reductions: Reductions,
    /// Leave a part of the state out of the fingerprint. Only for the tests that show the
    /// cross-validation then fails: never set it in a real run.
    pub omit: Option<Omit>,
    /// Call a read and a write of one object independent: the deliberately unsound relation of
    /// the tests that show the cross-validation fails with it. Never set it in a real run.
    pub unsound_independence: bool,
    /// Store and match states above a shard's cut too: the deliberately unsound search of the
    /// test that shows the shard cross-validation fails with it (a shard then prunes a state it
    /// explored only in part, and stops numbering subtrees as the others do). Never set it in a
    /// real run.
    pub match_above_cut: bool,
    /// Break the partial-order reduction in one way: the tests that show the cross-validation
    /// fails without the part it names. Never set it in a real run.
    pub por_flaw: Option<PorFlaw>,
    /// Collect the fingerprint of every end state reached (for cross-validation against DFS).
    pub collect_end_states: bool,
    /// The part of the tree to explore (see the `search` module's docs on shards).
    pub shard: Shard,
    /// Where a sharded search cuts the tree, in decisions with a choice (0: [`SPLIT_DEPTH`]).
    pub split_depth: usize,
}

/// A part of the partial-order reduction a test removes to show the cross-validation needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PorFlaw {
    /// A revisit of an explored state checks nothing below it against the path.
    NoSummaries,
    /// A revisit of a state still on the path (a cycle) expands nothing.
    NoCycleProviso,
    /// Backtrack at the latest race of each transition only, as stateless DPOR does.
    LatestRaceOnly,
}

/// Where a sharded search cuts the tree by default: deep enough that a configuration worth
/// sharding has thousands of subtrees to deal (balanced parts), shallow enough that a shard's
/// run-ons through the subtrees it does not own (one execution each) stay a small fraction of a
/// proof of hundreds of thousands of executions.
pub const SPLIT_DEPTH: usize = 8;

/// A search's verdict, and the end states it reached when asked.
#[derive(Debug)]
pub struct Exploration {
    pub verdict: Verdict,
    /// Fingerprints of the states at the end of every execution that ran to its end.
    pub end_states: BTreeSet<Digest>,
}

impl StatefulOptions {
    /// How the search's executions are fingerprinted.
    fn tracking(&self) -> Tracking {
        let mode = if self.exact_states { StateMode::Exact } else { StateMode::Compact };
        let footprints = (self.reductions.sleep_sets || self.reductions.por) && self.shard.is_whole();
        Tracking { mode, omit: self.omit, local_states: self.reductions.local_states, footprints }
    }
}

/// Runs the stateful search with `options`.
pub fn explore_with<S: Scenario>(scenario: Arc<S>, options: &StatefulOptions, budget: &Budget) -> Exploration {
    let default_max = if options.exact_states { DEFAULT_MAX_STATES_EXACT } else { DEFAULT_MAX_STATES };
    let tracking = options.tracking();
    let params = SearchParams {
        tracking,
        max_states: budget.max_states.unwrap_or(default_max),
        sleep_sets: options.reductions.sleep_sets && options.shard.is_whole(),
        por: options.reductions.por && options.shard.is_whole(),
        por_flaw: options.por_flaw,
        unsound_independence: options.unsound_independence,
        match_above_cut: options.match_above_cut,
        matching: true,
        max_executions: None,
        shard: options.shard,
        split_depth: split_depth(options.split_depth),
    };
    let stats = Arc::new(Mutex::new(SearchStats::default()));
    let search = StatefulSearch::new(params, Arc::clone(&stats)).watched_by(budget.watch.clone());
    let mut exploration = run_tracked(Arc::clone(&scenario), search, budget, options.collect_end_states);
    let stats = stats.lock().unwrap_or_else(PoisonError::into_inner).clone();
    let verdict = &mut exploration.verdict;
    verdict.executions -= stats.foreign;
    match (&verdict.outcome, &stats.stopped) {
        (Outcome::Holds, Some(reason)) => {
            verdict.outcome = Outcome::BudgetExhausted { reason: format!("{reason}, {} executions", verdict.executions) };
        }
        (Outcome::Holds, None) => verdict.exhaustive = stats.complete,
        _ => {}
    }
    verdict.search = Some(stats);
    exploration
}

fn split_depth(given: usize) -> usize {
    if given == 0 {
        SPLIT_DEPTH
    } else {
        given
    }
}

/// One shard of a depth-first search of every interleaving: the stateful search's walk without
/// state matching, under plain shuttle, counting only the shard's own executions. Its shards'
/// executions sum to shuttle's DFS count (shard 1/1 is exactly shuttle's DFS order).
pub(crate) fn dfs_shard<S: Scenario>(
    scenario: Arc<S>,
    max_iterations: Option<usize>,
    shard: Shard,
    split_depth_given: usize,
    budget: &Budget,
) -> Verdict {
    let params = SearchParams {
        tracking: Tracking::default(),
        max_states: u64::MAX,
        sleep_sets: false,
        por: false,
        por_flaw: None,
        unsound_independence: false,
        match_above_cut: false,
        matching: false,
        max_executions: max_iterations.map(|m| m as u64),
        shard,
        split_depth: split_depth(split_depth_given),
    };
    let stats = Arc::new(Mutex::new(SearchStats::default()));
    let search = StatefulSearch::new(params, Arc::clone(&stats));
    let verdict = super::shuttle_engine::run_with(Arc::clone(&scenario), search, budget, true, false, false);
    let mut verdict = super::shuttle_engine::traced_by_replay(scenario, verdict, Match::Exact);
    let stats = stats.lock().unwrap_or_else(PoisonError::into_inner).clone();
    verdict.executions -= stats.foreign;
    if !stats.complete {
        verdict.exhaustive = false;
    }
    verdict
}

/// shuttle's DFS over the same tracking backend, collecting end states: the exhaustive
/// reference the stateful search is cross-validated against. The end states are fingerprinted as
/// the search `options` describes fingerprints them (the part it omits left out, local-state
/// declarations honoured if its reductions honour them), so the two sets are comparable.
pub fn dfs_end_states<S: Scenario>(scenario: Arc<S>, options: &StatefulOptions, budget: &Budget) -> Exploration {
    let tracking = Tracked { inner: DfsScheduler::new(None, false), tracking: options.tracking() };
    let mut exploration = run_tracked(scenario, tracking, budget, true);
    if exploration.verdict.holds() {
        exploration.verdict.exhaustive = true;
    }
    exploration
}

/// Turns tracking on for every execution of an inner scheduler.
struct Tracked<S> {
    inner: S,
    tracking: Tracking,
}

impl<S: Scheduler> Scheduler for Tracked<S> {
    fn new_execution(&mut self) -> Option<ShuttleSchedule> {
        let next = self.inner.new_execution();
        if next.is_some() {
            tracker::begin(self.tracking);
        } else {
            tracker::end();
        }
        next
    }
    fn next_task(&mut self, runnable: &[&Task], current: Option<TaskId>, is_yielding: bool) -> Option<TaskId> {
        self.inner.next_task(runnable, current, is_yielding)
    }
    fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }
}

/// Runs `scheduler` over the scenario under the tracking backend, with tracing off; a failure is
/// replayed under plain shuttle, with tracing on, for its trace.
fn run_tracked<S: Scenario, Sch: Scheduler + 'static>(
    scenario: Arc<S>,
    scheduler: Sch,
    budget: &Budget,
    collect_end_states: bool,
) -> Exploration {
    let quiet = QuietPanics::begin();
    let driver = Driver::new(Arc::clone(&scenario), budget, false);
    let current = Arc::new(Mutex::new(ShuttleSchedule::new(0)));
    let runner = shuttle::Runner::new(Recording::new(scheduler, Arc::clone(&current), false), config(budget));
    let end_states = Arc::new(Mutex::new(BTreeSet::new()));
    let (exploring, ends) = (Arc::clone(&driver), Arc::clone(&end_states));
    let result = catch_unwind(AssertUnwindSafe(|| {
        runner.run(move || {
            exploring.execute::<Stateful>();
            if collect_end_states {
                if let Some(state) = tracker::fingerprint(&[]) {
                    ends.lock().unwrap_or_else(PoisonError::into_inner).insert(state);
                }
            }
        });
    }));
    tracker::end();
    let verdict = driver.conclude(result, &quiet, false, || {
        let schedule = current.lock().unwrap_or_else(PoisonError::into_inner);
        Some(Schedule::Shuttle { encoded: serialize_schedule(&schedule) })
    });
    drop(quiet);
    // The tracking backend numbers objects its own way, so only the kind must match.
    let verdict = super::shuttle_engine::traced_by_replay(scenario, verdict, Match::Kind);
    let end_states = std::mem::take(&mut *end_states.lock().unwrap_or_else(PoisonError::into_inner));
    Exploration { verdict, end_states }
}
