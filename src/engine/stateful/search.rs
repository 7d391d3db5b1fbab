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

use super::SearchStats;
use gcmc_models::platform::stateful::digest::{Digest, StateMode};
use gcmc_models::platform::stateful::tracker::{self, Omit};
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
    pub mode: StateMode,
    pub omit: Option<Omit>,
    pub max_states: u64,
}

pub(crate) struct StatefulSearch {
    params: SearchParams,
    frames: Vec<Frame>,
    /// Decisions taken so far in the current execution.
    depth: usize,
    /// The current execution reached a state already explored: it runs on to its end without
    /// branching or tracking (stopping it instead would make shuttle leak its tasks' stacks).
    pruned: bool,
    started: bool,
    visited: Visited,
    stats: Arc<Mutex<SearchStats>>,
}

impl StatefulSearch {
    pub(crate) fn new(params: SearchParams, stats: Arc<Mutex<SearchStats>>) -> StatefulSearch {
        StatefulSearch { params, frames: Vec::new(), depth: 0, pruned: false, started: false, visited: Visited::new(params.mode), stats }
    }

    fn stats(&self) -> std::sync::MutexGuard<'_, SearchStats> {
        self.stats.lock().unwrap_or_else(PoisonError::into_inner)
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
        let out_of_states = self.stats().stopped.is_some();
        if out_of_states || (self.started && !self.backtrack()) {
            self.stats().complete = !out_of_states;
            tracker::end();
            return None;
        }
        self.started = true;
        self.depth = 0;
        self.pruned = false;
        tracker::begin(self.params.mode, self.params.omit);
        Some(Schedule::new(0))
    }

    fn next_task(&mut self, runnable: &[&Task], current: Option<TaskId>, _is_yielding: bool) -> Option<TaskId> {
        if self.pruned {
            // Stay on the running task where possible: fewer context switches to the end.
            return Some(current.filter(|c| runnable.iter().any(|t| t.id() == *c)).unwrap_or_else(|| runnable[0].id()));
        }
        if let Some(frame) = self.frames.get(self.depth) {
            let now: Vec<TaskId> = runnable.iter().map(|t| t.id()).collect();
            assert!(
                now == frame.options,
                "stateful: the scenario is not deterministic: at decision {} the runnable tasks were {:?} and are now {now:?}",
                self.depth,
                frame.options
            );
            self.depth += 1;
            return Some(frame.options[frame.chosen]);
        }
        let options: Vec<TaskId> = runnable.iter().map(|t| t.id()).collect();
        if options.len() > 1 {
            let ids: Vec<usize> = options.iter().map(|&t| usize::from(t)).collect();
            let state = tracker::fingerprint(&ids).expect("tracking is on during a stateful execution");
            if !self.visited.insert(state) {
                self.stats().revisits += 1;
                tracker::end();
                self.pruned = true;
                return self.next_task(runnable, current, false);
            }
            let bytes = self.visited.bytes();
            let mut stats = self.stats();
            stats.states += 1;
            stats.peak_bytes = stats.peak_bytes.max(bytes);
            if stats.states >= self.params.max_states {
                stats.stopped = Some(format!("stopped after storing {} states (max_states)", stats.states));
                drop(stats);
                tracker::end();
                return None;
            }
        }
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
