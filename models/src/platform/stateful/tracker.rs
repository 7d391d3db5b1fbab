//! The state tracker: what the stateful engine fingerprints, kept up to date by the tracked
//! Platform objects as the model runs.
//!
//! One tracker per OS thread (a `thread_local!`): shuttle runs every task of an execution on the
//! calling OS thread, so the tracked objects and the engine's scheduler see one store, and the
//! scheduler, called before each shuttle operation, reads the state after the previous one. Std
//! types only: nothing here is a shuttle operation, so tracking adds no scheduling point.
//!
//! The state is a set of entries:
//! - one per live tracked object (atomic, mutex, cell, [`Shared`](crate::check::Shared) data),
//!   named by the task that created it and how many objects that task had created before, which
//!   is deterministic given the task's history (creation order across tasks is not);
//! - one per task not yet joined: a digest of its history, the sequence of (event, object, value
//!   observed) it performed. Thread code is deterministic, so a task's local state is a function
//!   of its history and of what it was spawned with (its parent's history at the spawn).
//!
//! A model may say, at a point where a thread's future depends on a small value only (the top of
//! each operation: its index and the thread's own locals), what that value is
//! ([`Platform::local_state`](crate::platform::Platform::local_state)). When declarations are
//! honoured ([`Tracking::local_states`]), the task's history is replaced there by the digest of
//! (what it was spawned with, the objects it has created so far, the declared value), so two
//! states whose threads reached the same operation with the same locals by different paths (a CAS
//! retried once more, a slow path instead of a fast one) become one. The declaration is the
//! model's claim; the cross-validation against DFS (tests/stateful.rs) is what checks it, and a
//! declaration that leaves out a local the future depends on is shown to make it fail.
//!
//! In compact mode the entries are folded into a sum of 128-bit hashes, updated in O(1) per change.

pub use super::digest::{Digest, Fp128, StateMode};
pub use super::footprint::{independent, Access, Footprint, Target};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::hash::Hash;

/// A tracked object's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId {
    creator: u32,
    seq: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    Object(ObjectId),
    Task(u32),
}

/// A part of what the tracker records that it can be told to leave out. Only for the tests that
/// show the engine's cross-validation fails when the fingerprint or a footprint is incomplete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Omit {
    /// The tasks' histories: every task entry keeps its first value.
    Histories,
    /// The announced operations (a lock, a join) from the footprints: a blocked lock attempt
    /// then touches nothing, and looks independent of the unlock that would let it through.
    Announcements,
    /// The objects' sequence numbers: every object a task creates gets one name, so the entry of
    /// the last one written stands for all of them.
    ObjectNames,
}

/// What a task did, as recorded in its history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    Start,
    Load,
    Store,
    FetchAdd,
    CasSucceeded,
    CasFailed,
    Lock,
    Unlock,
    CellRead,
    CellWrite,
    SharedRead,
    Spawn,
    Join,
    Yield,
    Finish,
}

struct TaskState {
    history: Digest,
    created: u32,
    /// What the task was spawned with (its parent's history at the spawn): a declared local
    /// state is taken together with it.
    seed: Digest,
}

/// How a tracked execution is fingerprinted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tracking {
    pub mode: StateMode,
    /// Leave a part of the state out (tests of the cross-validation only).
    pub omit: Option<Omit>,
    /// Honour the models' local-state declarations (off: every task's local state is its whole
    /// history).
    pub local_states: bool,
    /// Record each transition's footprint, for the sleep sets (off: nothing reads them, so
    /// nothing is recorded).
    pub footprints: bool,
}

struct Tracker {
    active: bool,
    mode: StateMode,
    omit: Option<Omit>,
    local_states: bool,
    footprints: bool,
    /// Each entry's digest, and (compact mode) its `mix(key, digest)`.
    entries: BTreeMap<Key, (Digest, u128)>,
    /// Compact mode: the sum (mod 2^128) of the entries' mixes.
    sum: u128,
    tasks: BTreeMap<u32, TaskState>,
    /// The accesses made since the engine last took them: the running transition's.
    footprint: Footprint,
    /// Each task's announced next operation: one that may block (a lock, a join), whose attempt
    /// records nothing when it blocks. Which transition attempts it is shuttle's choice: an
    /// acquire that will succeed yields first (the attempt is the task's next transition), one
    /// that will block blocks at once, without a scheduling point (the attempt is the transition
    /// that announced it). So the access goes into both: into the running footprint when it is
    /// announced, and, through `announcing`, here until the task's next transition ends.
    announced: BTreeMap<u32, Access>,
    /// The announcement made by the running transition, if any.
    announcing: Option<(u32, Access)>,
}

thread_local! {
    static TRACKER: RefCell<Tracker> = const { RefCell::new(Tracker::idle()) };
}

fn mix(key: &Key, digest: &Digest) -> u128 {
    let mut h = Fp128::new();
    key.hash(&mut h);
    digest.hash(&mut h);
    h.finish128()
}

/// The shuttle task running now, if anything is tracked (checked first, so that untracked runs,
/// loom's and std's included, never ask shuttle).
pub fn current_task() -> Option<u32> {
    if !TRACKER.with(|t| t.borrow().active) {
        return None;
    }
    shuttle::current::try_get_current_task().map(|id| usize::from(id) as u32)
}

impl Tracker {
    /// Nothing tracked, nothing recorded: between executions, and on threads that never track.
    const fn idle() -> Tracker {
        Tracker {
            active: false,
            mode: StateMode::Compact,
            omit: None,
            local_states: false,
            footprints: false,
            entries: BTreeMap::new(),
            sum: 0,
            tasks: BTreeMap::new(),
            footprint: Vec::new(),
            announced: BTreeMap::new(),
            announcing: None,
        }
    }

    fn touch(&mut self, target: Target, write: bool) {
        if !self.footprints {
            return;
        }
        let access = Access { target, write };
        if self.footprint.last() != Some(&access) {
            self.footprint.push(access);
        }
    }

    fn put(&mut self, key: Key, digest: Digest) {
        if let Key::Object(id) = key {
            self.touch(Target::Object(id), true);
        }
        let mixed = if self.mode == StateMode::Compact { mix(&key, &digest) } else { 0 };
        self.sum = self.sum.wrapping_add(mixed);
        if let Some((_, old)) = self.entries.insert(key, (digest, mixed)) {
            self.sum = self.sum.wrapping_sub(old);
        }
    }

    fn take(&mut self, key: Key) {
        if let Key::Object(id) = key {
            self.touch(Target::Object(id), true);
        }
        if let Some((_, old)) = self.entries.remove(&key) {
            self.sum = self.sum.wrapping_sub(old);
        }
    }

    fn task(&mut self, id: u32) -> &mut TaskState {
        let mode = self.mode;
        self.tasks.entry(id).or_insert_with(|| TaskState { history: Digest::empty(mode), created: 0, seed: Digest::empty(mode) })
    }

    fn record(&mut self, task: u32, event: Event, object: Option<ObjectId>, value: &Digest) {
        if let Some(id) = object {
            self.touch(Target::Object(id), false);
        }
        if self.omit == Some(Omit::Histories) {
            self.task(task);
            return;
        }
        let state = self.task(task);
        state.history.extend(&(event, object, value));
        let history = state.history.clone();
        self.put(Key::Task(task), history);
    }
}

fn with<R>(f: impl FnOnce(&mut Tracker) -> R) -> Option<R> {
    TRACKER.with(|t| {
        let mut t = t.borrow_mut();
        t.active.then(|| f(&mut t))
    })
}

/// Starts tracking a new execution on this OS thread, forgetting the previous one.
pub fn begin(tracking: Tracking) {
    let Tracking { mode, omit, local_states, footprints } = tracking;
    TRACKER.with(|t| {
        *t.borrow_mut() = Tracker { active: true, mode, omit, local_states, footprints, ..Tracker::idle() };
    });
}

/// Stops tracking: objects dropped while shuttle tears a stopped execution down are ignored.
pub fn end() {
    TRACKER.with(|t| t.borrow_mut().active = false);
}

/// The digest of `value`, or `None` when nothing is tracked (so the caller skips the work).
pub fn digest<T: Hash + ?Sized>(value: &T) -> Option<Digest> {
    with(|t| t.mode).map(|mode| Digest::of(mode, value))
}

/// The digest of a 64-bit value, or `None` when nothing is tracked.
pub fn word(value: u64) -> Option<Digest> {
    with(|t| Digest::word(t.mode, value))
}

/// Names a new object created by the current task, with its initial digest.
pub fn register(initial: Option<Digest>) -> Option<ObjectId> {
    let initial = initial?;
    let task = current_task()?;
    with(|t| {
        let merged = t.omit == Some(Omit::ObjectNames);
        let state = t.task(task);
        let id = ObjectId { creator: task, seq: if merged { 0 } else { state.created } };
        state.created += 1;
        t.put(Key::Object(id), initial);
        id
    })
}

/// The object's state is now `digest`.
pub fn set(object: Option<ObjectId>, digest: Option<Digest>) {
    if let (Some(id), Some(digest)) = (object, digest) {
        with(|t| t.put(Key::Object(id), digest));
    }
}

/// The object is gone.
pub fn remove(object: Option<ObjectId>) {
    if let Some(id) = object {
        with(|t| t.take(Key::Object(id)));
    }
}

/// The current task performed `event` on `object` and observed `value`.
pub fn record(event: Event, object: Option<ObjectId>, value: Option<&Digest>) {
    let Some(task) = current_task() else { return };
    with(|t| {
        let none = Digest::empty(t.mode);
        t.record(task, event, object, value.unwrap_or(&none));
    });
}

/// The current task is spawning a child: records the spawn, returns what the child starts from.
pub fn spawn_seed() -> Option<Digest> {
    let task = current_task()?;
    with(|t| {
        let none = Digest::empty(t.mode);
        t.record(task, Event::Spawn, None, &none);
        let mut seed = t.task(task).history.clone();
        seed.extend(&task);
        seed
    })
}

/// The current task is a child starting from `seed`.
pub fn start(seed: Option<Digest>) {
    let (Some(seed), Some(task)) = (seed, current_task()) else { return };
    with(|t| {
        t.tasks.insert(task, TaskState { history: seed.clone(), created: 0, seed: seed.clone() });
        t.put(Key::Task(task), seed);
        let none = Digest::empty(t.mode);
        t.record(task, Event::Start, None, &none);
    });
}

/// The current task declares its local state: from here on its future is a function of `local`,
/// what it was spawned with, the objects it created so far and the shared state. Ignored unless
/// declarations are honoured.
pub fn declare<T: Hash + ?Sized>(local: &T) {
    let Some(task) = current_task() else { return };
    with(|t| {
        if !t.local_states || t.omit == Some(Omit::Histories) {
            return;
        }
        let mode = t.mode;
        let state = t.task(task);
        state.history = Digest::of(mode, &(&state.seed, state.created, local));
        let history = state.history.clone();
        t.put(Key::Task(task), history);
    });
}

/// The current task finished: its final history, for the task that joins it.
pub fn finish() -> Option<(u32, Digest)> {
    let task = current_task()?;
    with(|t| {
        t.touch(Target::Task(task), true);
        let none = Digest::empty(t.mode);
        t.record(task, Event::Finish, None, &none);
        (task, t.task(task).history.clone())
    })
}

/// The current task joined `child`, which finished with history `last`: the joiner observes it
/// (the child's result is a function of it) and the child leaves the state.
pub fn joined(child: Option<(u32, Digest)>) {
    let Some((child, last)) = child else { return };
    let Some(task) = current_task() else { return };
    with(|t| {
        t.touch(Target::Task(child), true);
        t.record(task, Event::Join, None, &last);
        t.take(Key::Task(child));
        t.tasks.remove(&child);
    });
}

/// The current task's next operation may block: `access` is what its attempt touches.
pub fn announce(access: Access) {
    let Some(task) = current_task() else { return };
    with(|t| {
        if t.footprints && t.omit != Some(Omit::Announcements) {
            t.touch(access.target, access.write);
            t.announcing = Some((task, access));
        }
    });
}

/// The accesses made since the last call (the transition that just ran), with what `task`, the
/// task that ran it, had announced before it was scheduled. `None` when nothing is tracked.
pub fn take_footprint(task: Option<u32>) -> Option<Footprint> {
    with(|t| {
        let mut footprint = std::mem::take(&mut t.footprint);
        if let Some(announced) = task.and_then(|task| t.announced.remove(&task)) {
            footprint.push(announced);
        }
        if let Some((announcer, access)) = t.announcing.take() {
            t.announced.insert(announcer, access);
        }
        footprint
    })
}

/// The fingerprint of the current state, with the tasks shuttle reports runnable; `None` when
/// nothing is tracked.
pub fn fingerprint(runnable: &[usize]) -> Option<Digest> {
    with(|t| match t.mode {
        StateMode::Compact => {
            let mut h = Fp128::new();
            t.sum.hash(&mut h);
            runnable.hash(&mut h);
            Digest::Compact(h.finish128())
        }
        StateMode::Exact => {
            let mut bytes = Vec::new();
            for (key, (digest, _)) in &t.entries {
                match *key {
                    Key::Object(ObjectId { creator, seq }) => {
                        bytes.push(0);
                        bytes.extend_from_slice(&creator.to_le_bytes());
                        bytes.extend_from_slice(&seq.to_le_bytes());
                    }
                    Key::Task(task) => {
                        bytes.push(1);
                        bytes.extend_from_slice(&task.to_le_bytes());
                    }
                }
                let Digest::Exact(d) = digest else { unreachable!("exact mode keeps exact digests") };
                bytes.extend_from_slice(&(d.len() as u64).to_le_bytes());
                bytes.extend_from_slice(d);
            }
            for &r in runnable {
                bytes.extend_from_slice(&(r as u64).to_le_bytes());
            }
            Digest::Exact(bytes)
        }
    })
}
