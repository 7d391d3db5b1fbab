//! The stateful search: a shuttle scheduler that walks the tree of scheduling decisions depth
//! first, and prunes an execution at a state it has already explored.
//!
//! shuttle re-runs the scenario from the start for every execution, so the search keeps the path
//! of decisions it is on (like shuttle's own DFS scheduler) and replays its prefix: each
//! execution replays the decisions down to the deepest one with an alternative left, takes that
//! alternative, and from there on chooses the first runnable task at every new decision. At each
//! new decision with a choice it asks the tracker for the state's fingerprint; a state already in
//! the visited set was (or is being) explored from its first visit, so the execution is stopped
//! there and the search backtracks. The rest of a pruned execution runs to its end untracked,
//! staying on the running task, with no decision recorded: shuttle can stop an execution when
//! `next_task` returns `None`, but it then leaks the stacks of the tasks it tears down (about 4 KB
//! an execution here, gigabytes over a proof), and running on is faster too: gcbits `v1` 3 x 3
//! took 8.7 s and 12 MB running on, 12.2 s and 496 MB stopped, measured side by side.
//!
//! Why pruning is sound: the fingerprint covers every Platform object, every std-side
//! [`Shared`](gcmc_models::check::Shared) datum, every task's history and the runnable set, so two
//! decisions with one fingerprint reach the same model states (up to hash collisions, see
//! [`StateMode`]). Every model state reachable is then reached, and every violation reachable,
//! during a run or at quiescence, is found. It does not cover shuttle's own state of a task
//! between two recorded events (a waiter in a lock's queue, a stale wake): two decisions that differ
//! only there are merged, and their successors differ by steps that record nothing (a poll that
//! fails, a wake), which change no model state but do change the runnable sets, so the number of
//! states stored depends on the order of the walk, not the verdict (see the README's stateful
//! section). Without local
//! states histories only grow, so the state graph has no cycles, and a retry loop that never makes
//! progress ends at shuttle's `max_steps` as `budget-exhausted`. With them a retry that brings a
//! thread back to the top of its operation with nothing else changed reaches a state on the current
//! path: it is matched like any other (it is being explored from its first visit), which keeps
//! every reachable state reached; the search checks safety, not progress, so a livelock is not
//! reported.
//!
//! **Sleep sets** (the `sleep` module; on unless `--no-sleep-sets`) prune transitions, not states:
//! a transition is not taken again after one independent of it, and a state stores the sleep set
//! of its first visit, so a revisit with fewer tasks asleep takes those now awake. They rest on the
//! tracker's footprints (what each transition touched) and announcements (a lock attempt that
//! blocks touches nothing, but its task's next transition is that attempt); tests/stateful.rs
//! shows that with them every case stores exactly the states it stores without, and that a
//! footprint without the announcements, or a read called independent of a write, loses states.
//!
//! **Partial-order reduction** (the `por` and `frames` modules; on unless `--no-por`) prunes
//! states: a new state is explored from one task, and races found with the path add the others
//! that matter; a revisit checks the summary of what lies below the state against the path.
//! tests/stateful.rs shows it reaches every end state DFS and the unreduced search reach, and that
//! each of its safety nets (summaries, the cycle proviso, every race rather than the latest) is
//! needed.
//!
//! Decisions with one runnable task are not stored: their successor is unique, so a revisit is
//! caught at the next decision with a choice, and the visited set holds only branching states.
//!
//! **Shards** (`explore --shard I/N`). The tree is cut at its `split_depth`-th decision with a
//! choice: each path to such a decision is the root of one subtree, and a path that ends above
//! the cut is a subtree of its own. Subtrees are numbered in depth-first order and dealt round
//! robin; a shard explores its own subtrees in full and, on reaching a root it does not own, runs
//! that execution on to its end without branching and does not count it. Above the cut every shard
//! walks the same tree, so every shard numbers the subtrees alike, and no state is stored or
//! matched there: a state above the cut is explored only in part by each shard, so matching it
//! would let one shard skip what it alone was to explore. Below the cut a shard matches states
//! against its own visited set only, whose every state it explored in full. The same walk without
//! state matching is the sharded DFS. Union of the shards: every subtree explored by exactly one
//! shard, so every execution (DFS) or every reachable state (stateful) is covered.

use super::frames::{self, Frame};
use super::sleep::{self, Entry};
use super::visited::{Visit, Visited};
use super::{PorFlaw, SearchStats};
use crate::engine::Watch;
use crate::shard::Shard;
use gcmc_models::platform::stateful::tracker::{self, Tracking};
use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};
use std::sync::{Arc, Mutex, PoisonError};

/// The search's parameters.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SearchParams {
    pub tracking: Tracking,
    pub max_states: u64,
    /// Sleep sets (see the `sleep` module); never with shards, whose walk above the cut must be
    /// the same tree in every shard.
    pub sleep_sets: bool,
    /// Partial-order reduction of states (see the `por` module); never with shards, like sleep
    /// sets.
    pub por: bool,
    /// The part of the partial-order reduction a test removes (never in a real run).
    pub por_flaw: Option<PorFlaw>,
    /// The deliberately unsound independence of the tests (a read and a write of one object
    /// called independent): never set in a real run.
    pub unsound_independence: bool,
    /// Match states above the cut too: the deliberately unsound search of the shard tests.
    pub match_above_cut: bool,
    /// Store and match states (the stateful engine); off, the walk is a plain DFS.
    pub matching: bool,
    /// Stop after this many executions of the shard's own (a capped DFS).
    pub max_executions: Option<u64>,
    pub shard: Shard,
    /// Where the tree is cut into subtrees, in decisions with a choice (see the module's docs).
    pub split_depth: usize,
}

pub(crate) struct StatefulSearch {
    params: SearchParams,
    frames: Vec<Frame>,
    /// Decisions taken so far in the current execution.
    depth: usize,
    /// Decisions with a choice taken so far in the current execution.
    branching: usize,
    /// The task taken at the last decision of the current execution.
    last_chosen: Option<TaskId>,
    /// The current execution reached a state already explored, or a subtree of another shard: it
    /// runs on to its end without branching or tracking (stopping it instead would make shuttle
    /// leak its tasks' stacks).
    pruned: bool,
    /// The current execution belongs to another shard.
    foreign: bool,
    /// The current execution reached the cut.
    reached_cut: bool,
    /// Subtrees numbered so far.
    subtrees: u64,
    /// This shard's executions so far.
    own_executions: u64,
    /// Decisions replayed, and run on in a pruned tail, in the current execution (added to the
    /// figures when it ends, so the stats' lock is not taken at every step).
    replayed: u64,
    tail_steps: u64,
    started: bool,
    visited: Visited,
    /// Told of every state stored, for live progress.
    watch: Option<Watch>,
    stats: Arc<Mutex<SearchStats>>,
}

impl StatefulSearch {
    pub(crate) fn new(params: SearchParams, stats: Arc<Mutex<SearchStats>>) -> StatefulSearch {
        StatefulSearch {
            params,
            frames: Vec::new(),
            depth: 0,
            branching: 0,
            last_chosen: None,
            pruned: false,
            foreign: false,
            reached_cut: false,
            subtrees: 0,
            own_executions: 0,
            replayed: 0,
            tail_steps: 0,
            started: false,
            visited: Visited::new(params.tracking.mode),
            watch: None,
            stats,
        }
    }

    /// The search, telling `watch` of every state it stores.
    pub(crate) fn watched_by(self, watch: Option<Watch>) -> StatefulSearch {
        StatefulSearch { watch, ..self }
    }

    /// Numbers the next subtree; whether this shard owns it.
    fn deal_subtree(&mut self) -> bool {
        let n = self.subtrees;
        self.subtrees += 1;
        self.params.shard.owns(n)
    }

    /// Accounts for the execution that just ended: a path that ended above the cut is a subtree of
    /// its own, dealt like the others.
    fn end_execution(&mut self) {
        if !self.started {
            return;
        }
        if !self.params.shard.is_whole() && !self.reached_cut && !self.deal_subtree() {
            self.foreign = true;
        }
        if self.foreign {
            self.stats().foreign += 1;
        } else {
            self.own_executions += 1;
        }
        let (replayed, tail_steps) = (std::mem::take(&mut self.replayed), std::mem::take(&mut self.tail_steps));
        let mut stats = self.stats();
        stats.replayed += replayed;
        stats.tail_steps += tail_steps;
    }

    fn stats(&self) -> std::sync::MutexGuard<'_, SearchStats> {
        self.stats.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs the current execution on to its end untracked, from this decision.
    fn prune(&mut self, runnable: &[&Task], current: Option<TaskId>, is_yielding: bool) -> Option<TaskId> {
        tracker::end();
        self.pruned = true;
        self.next_task(runnable, current, is_yielding)
    }

    /// Moves to the next unexplored alternative; false when none is left.
    fn backtrack(&mut self) -> bool {
        while let Some(frame) = self.frames.last_mut() {
            if frame.advance() {
                return true;
            }
            let done = self.frames.pop().expect("the last frame");
            if self.params.por {
                let skipped = frames::finish(&mut self.frames, done, &mut self.visited);
                self.stats().por_skipped += skipped;
            }
        }
        false
    }

    /// The transition taken at the last decision just ended: its footprint is now known.
    fn footprint_taken(&mut self) {
        if !self.params.sleep_sets && !self.params.por {
            return;
        }
        let footprint = tracker::take_footprint(self.last_chosen.map(|t| usize::from(t) as u32));
        let Some(at) = self.depth.checked_sub(1).filter(|&d| d < self.frames.len()) else { return };
        if let (Some(footprint), Some(last)) = (footprint, self.frames[at].explored.last_mut()) {
            last.1 = Some(footprint);
        }
        if self.params.por {
            let latest_only = self.params.por_flaw == Some(PorFlaw::LatestRaceOnly);
            frames::analyse(&mut self.frames, at, self.params.unsound_independence, latest_only);
        }
    }

    /// The tasks asleep at the new decision `options`, reached by the last frame's transition.
    fn asleep_at(&self, options: &[TaskId]) -> Vec<Entry> {
        match self.depth.checked_sub(1).and_then(|d| self.frames.get(d)) {
            Some(parent) if self.params.sleep_sets => {
                let (taken, before) = parent.explored.split_last().expect("a frame has taken a task");
                sleep::after(&parent.asleep, before, &taken.1, options, self.params.unsound_independence)
            }
            _ => Vec::new(),
        }
    }
}

impl Scheduler for StatefulSearch {
    fn new_execution(&mut self) -> Option<Schedule> {
        if self.started && !self.pruned {
            self.footprint_taken();
        }
        self.end_execution();
        let out_of_states = self.stats().stopped.is_some();
        let capped = self.params.max_executions.is_some_and(|max| self.own_executions >= max);
        if out_of_states || capped || (self.started && !self.backtrack()) {
            self.stats().complete = !out_of_states && !capped;
            tracker::end();
            return None;
        }
        self.started = true;
        self.depth = 0;
        self.branching = 0;
        self.last_chosen = None;
        self.pruned = false;
        self.foreign = false;
        self.reached_cut = false;
        if self.params.matching {
            tracker::begin(self.params.tracking);
        }
        Some(Schedule::new(0))
    }

    fn next_task(&mut self, runnable: &[&Task], current: Option<TaskId>, is_yielding: bool) -> Option<TaskId> {
        if self.pruned {
            self.tail_steps += 1;
            return Some(run_on(runnable, current, is_yielding));
        }
        self.footprint_taken();
        let cut = !self.params.shard.is_whole() && self.branching == self.params.split_depth && runnable.len() > 1;
        if let Some(frame) = self.frames.get(self.depth) {
            let now: Vec<TaskId> = runnable.iter().map(|t| t.id()).collect();
            assert!(
                now == frame.options,
                "stateful: the scenario is not deterministic: at decision {} the runnable tasks were {:?} and are now {now:?}",
                self.depth,
                frame.options
            );
            let chosen = frame.chosen();
            self.replayed += 1;
            self.reached_cut |= cut;
            self.branching += usize::from(now.len() > 1);
            self.depth += 1;
            self.last_chosen = Some(chosen);
            return Some(chosen);
        }
        let options: Vec<TaskId> = runnable.iter().map(|t| t.id()).collect();
        if cut {
            // A new subtree root: the frames above it are replayed, so no shard has seen it yet.
            self.reached_cut = true;
            if !self.deal_subtree() {
                self.foreign = true;
                return self.prune(runnable, current, is_yielding);
            }
        }
        let asleep = self.asleep_at(&options);
        let asleep_mask = sleep::mask(&asleep);
        let mut todo: Vec<usize> = (0..options.len()).filter(|&i| !sleep::contains(asleep_mask, options[i])).collect();
        let mut stored = None;
        let above_cut = !self.params.shard.is_whole() && self.branching < self.params.split_depth;
        if options.len() > 1 && self.params.matching && (!above_cut || self.params.match_above_cut) {
            let ids: Vec<usize> = options.iter().map(|&t| usize::from(t)).collect();
            let state = tracker::fingerprint(&ids).expect("tracking is on during a stateful execution");
            // The partial-order reduction keeps the state, to settle its summary when its decision
            // is left.
            let kept = self.params.por.then(|| state.clone());
            match self.visited.visit(state, asleep_mask) {
                Visit::New => {
                    self.stored();
                    if kept.is_some() {
                        // One awake task to begin with: the races found below add the others
                        // whose order with it matters.
                        todo.truncate(1);
                        stored = kept;
                    }
                }
                Visit::Covered(below) => {
                    self.stats().revisits += 1;
                    if let Some(state) = &kept {
                        frames::revisited(&mut self.frames, &self.visited, state, below, self.params.por_flaw);
                    }
                    return self.prune(runnable, current, is_yielding);
                }
                Visit::Woken(woken, below) => {
                    self.stats().woken += 1;
                    todo = (0..options.len()).filter(|&i| sleep::contains(woken, options[i])).collect();
                    if let Some(state) = &kept {
                        frames::revisited(&mut self.frames, &self.visited, state, below, self.params.por_flaw);
                    }
                    // Only an explored state takes this exploration's summary; one on the path (a
                    // cycle) is finished by the frame that stored it.
                    stored = kept.filter(|_| matches!(below, super::visited::Below::Done(_)));
                }
            }
            if self.stats().stopped.is_some() {
                tracker::end();
                return None;
            }
        }
        if todo.is_empty() {
            // Every runnable task is asleep: each transition from here leads where an
            // independent one explored earlier already led.
            self.stats().sleep_prunes += 1;
            if let Some(state) = stored {
                self.visited.finish(&state, &Default::default());
            }
            return self.prune(runnable, current, is_yielding);
        }
        self.branching += usize::from(options.len() > 1);
        let frame = Frame::new(options, todo, asleep, stored);
        let chosen = frame.chosen();
        self.frames.push(frame);
        self.depth += 1;
        self.last_chosen = Some(chosen);
        let mut stats = self.stats();
        stats.transitions += 1;
        stats.max_depth = stats.max_depth.max(self.depth as u64);
        drop(stats);
        Some(chosen)
    }

    fn next_u64(&mut self) -> u64 {
        panic!("the stateful engine does not explore random values: the models must not use shuttle's rand")
    }
}

/// The task a pruned execution runs on with: the running one where possible (fewer context
/// switches to the end), unless it yields, as a spin loop does: then the next runnable after it,
/// so that a task waiting for another lets it run, and the execution ends.
fn run_on(runnable: &[&Task], current: Option<TaskId>, is_yielding: bool) -> TaskId {
    let ids = || runnable.iter().map(|t| t.id());
    match current.and_then(|c| ids().position(|t| t == c)) {
        Some(at) if is_yielding => ids().cycle().nth(at + 1).expect("a runnable task"),
        Some(at) => runnable[at].id(),
        None => runnable[0].id(),
    }
}

impl StatefulSearch {
    /// A new state was stored: its figures, and the `max_states` budget.
    fn stored(&mut self) {
        {
            let bytes = self.visited.bytes();
            let mut stats = self.stats();
            stats.states += 1;
            if let Some(watch) = &self.watch {
                watch.0.stored();
            }
            stats.peak_bytes = stats.peak_bytes.max(bytes);
            if stats.states >= self.params.max_states {
                stats.stopped = Some(format!("stopped after storing {} states (max_states)", stats.states));
            }
        }
    }
}
