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
//! decisions with one fingerprint have the same futures (up to hash collisions, see
//! [`StateMode`]). Every state reachable is then reached once and every transition out of it is
//! taken once, so every violation reachable, during a run or at quiescence, is found. Histories only
//! grow, so the state graph has no cycles; a retry loop that never makes progress ends at shuttle's
//! `max_steps` as `budget-exhausted`.
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

use super::SearchStats;
use crate::engine::Watch;
use crate::shard::Shard;
use gcmc_models::platform::stateful::digest::{Digest, StateMode};
use gcmc_models::platform::stateful::tracker::{self, Tracking};
use shuttle::scheduler::{Schedule, Scheduler, Task, TaskId};
use std::collections::{BTreeSet, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

/// One decision on the current path: the tasks that were runnable, and the one taken.
struct Frame {
    options: Vec<TaskId>,
    chosen: usize,
}

/// Fingerprints are already uniform: hash a `u128` by folding its halves.
#[derive(Default)]
struct Folded(u64);

impl Hasher for Folded {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u128(&mut self, value: u128) {
        self.0 = (value as u64) ^ ((value >> 64) as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The visited set. Membership only: its iteration order is never used.
enum Visited {
    Compact(HashSet<u128, BuildHasherDefault<Folded>>),
    Exact { states: BTreeSet<Vec<u8>>, bytes: u64 },
}

impl Visited {
    fn new(mode: StateMode) -> Visited {
        match mode {
            StateMode::Compact => Visited::Compact(HashSet::default()),
            StateMode::Exact => Visited::Exact { states: BTreeSet::new(), bytes: 0 },
        }
    }

    /// Inserts `state`; false if it was there.
    fn insert(&mut self, state: Digest) -> bool {
        match (self, state) {
            (Visited::Compact(set), Digest::Compact(fp)) => set.insert(fp),
            (Visited::Exact { states, bytes }, Digest::Exact(full)) => {
                let len = full.len() as u64;
                let new = states.insert(full);
                if new {
                    *bytes += len;
                }
                new
            }
            _ => unreachable!("the tracker digests in the search's mode"),
        }
    }

    /// An estimate of the set's memory: the table (a 16-byte key and a control byte per bucket)
    /// or the stored states with the tree's per-entry overhead.
    fn bytes(&self) -> u64 {
        match self {
            Visited::Compact(set) => set.capacity() as u64 * 17,
            Visited::Exact { states, bytes } => bytes + states.len() as u64 * 48,
        }
    }
}

/// The search's parameters.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SearchParams {
    pub tracking: Tracking,
    pub max_states: u64,
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
            pruned: false,
            foreign: false,
            reached_cut: false,
            subtrees: 0,
            own_executions: 0,
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
    }

    fn stats(&self) -> std::sync::MutexGuard<'_, SearchStats> {
        self.stats.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs the current execution on to its end untracked, from this decision.
    fn prune(&mut self, runnable: &[&Task], current: Option<TaskId>) -> Option<TaskId> {
        tracker::end();
        self.pruned = true;
        self.next_task(runnable, current, false)
    }

    /// Moves to the next unexplored alternative; false when none is left.
    fn backtrack(&mut self) -> bool {
        while let Some(frame) = self.frames.last_mut() {
            if frame.chosen + 1 < frame.options.len() {
                frame.chosen += 1;
                return true;
            }
            self.frames.pop();
        }
        false
    }
}

impl Scheduler for StatefulSearch {
    fn new_execution(&mut self) -> Option<Schedule> {
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
        self.pruned = false;
        self.foreign = false;
        self.reached_cut = false;
        if self.params.matching {
            tracker::begin(self.params.tracking);
        }
        Some(Schedule::new(0))
    }

    fn next_task(&mut self, runnable: &[&Task], current: Option<TaskId>, _is_yielding: bool) -> Option<TaskId> {
        if self.pruned {
            // Stay on the running task where possible: fewer context switches to the end.
            return Some(current.filter(|c| runnable.iter().any(|t| t.id() == *c)).unwrap_or_else(|| runnable[0].id()));
        }
        let cut = !self.params.shard.is_whole() && self.branching == self.params.split_depth && runnable.len() > 1;
        if let Some(frame) = self.frames.get(self.depth) {
            let now: Vec<TaskId> = runnable.iter().map(|t| t.id()).collect();
            assert!(
                now == frame.options,
                "stateful: the scenario is not deterministic: at decision {} the runnable tasks were {:?} and are now {now:?}",
                self.depth,
                frame.options
            );
            self.reached_cut |= cut;
            self.branching += usize::from(now.len() > 1);
            self.depth += 1;
            return Some(frame.options[frame.chosen]);
        }
        let options: Vec<TaskId> = runnable.iter().map(|t| t.id()).collect();
        if cut {
            // A new subtree root: the frames above it are replayed, so no shard has seen it yet.
            self.reached_cut = true;
            if !self.deal_subtree() {
                self.foreign = true;
                return self.prune(runnable, current);
            }
        }
        let above_cut = !self.params.shard.is_whole() && self.branching < self.params.split_depth;
        if options.len() > 1 && self.params.matching && !above_cut {
            let ids: Vec<usize> = options.iter().map(|&t| usize::from(t)).collect();
            let state = tracker::fingerprint(&ids).expect("tracking is on during a stateful execution");
            if !self.visited.insert(state) {
                self.stats().revisits += 1;
                return self.prune(runnable, current);
            }
            let bytes = self.visited.bytes();
            let mut stats = self.stats();
            stats.states += 1;
            if let Some(watch) = &self.watch {
                watch.0.stored();
            }
            stats.peak_bytes = stats.peak_bytes.max(bytes);
            if stats.states >= self.params.max_states {
                stats.stopped = Some(format!("stopped after storing {} states (max_states)", stats.states));
                drop(stats);
                tracker::end();
                return None;
            }
        }
        self.branching += usize::from(options.len() > 1);
        self.frames.push(Frame { options, chosen: 0 });
        self.depth += 1;
        let mut stats = self.stats();
        stats.transitions += 1;
        stats.max_depth = stats.max_depth.max(self.depth as u64);
        drop(stats);
        Some(self.frames[self.depth - 1].options[0])
    }

    fn next_u64(&mut self) -> u64 {
        panic!("the stateful engine does not explore random values: the models must not use shuttle's rand")
    }
}
