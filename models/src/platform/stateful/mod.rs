//! shuttle with state tracking: the backend of the stateful engine.
//!
//! Every type forwards to shuttle's, one shuttle operation per model operation and nothing more,
//! so an execution under [`Stateful`] makes exactly the scheduling decisions it makes under
//! [`Shuttle`](super::Shuttle) and a schedule found here replays there. Around each operation the
//! wrapper records, through std types only ([`tracker`]), the object's new value and what the
//! calling task observed, so that the engine's scheduler can fingerprint the whole state at every
//! decision:
//! - atomics: their value; a task observes what a load, swap or CAS returned;
//! - mutexes: the holder, and a digest of the protected data taken at each unlock; a task
//!   observes the data it finds when it acquires the lock;
//! - cells: a digest of the content after every write; a task observes the content it reads;
//! - threads: a child starts from its parent's history at the spawn; the joiner observes the
//!   child's final history (its result is a function of it).
//!
//! Like [`Shuttle`](super::Shuttle), every atomic is sequentially consistent and cells are plain:
//! the stateful engine sees no weak-memory behaviour and no data race.

pub mod digest;
pub mod footprint;
pub mod tracker;

use super::{AtomicU64, Cell, JoinHandle, Mutex, Ordering, Platform};
use std::hash::Hash;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, PoisonError};
use tracker::{Event, ObjectId};

/// shuttle's atomics, mutex and threads, with every operation's effect recorded for fingerprinting.
#[derive(Debug, Clone, Copy)]
pub enum Stateful {}

impl Platform for Stateful {
    const NAME: &'static str = "stateful";
    const SERIALIZED: bool = true;
    type AtomicU64 = TrackedAtomic;
    type Mutex<T: Send + Hash + 'static> = TrackedMutex<T>;
    type Cell<T: Send + Hash + 'static> = TrackedCell<T>;
    type JoinHandle<T: Send + 'static> = TrackedJoinHandle<T>;

    fn spawn<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let seed = tracker::spawn_seed();
        let last = Arc::new(std::sync::Mutex::new(None));
        let slot = Arc::clone(&last);
        let inner = shuttle::thread::spawn(move || {
            tracker::start(seed);
            let value = f();
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = tracker::finish();
            value
        });
        let child = usize::from(inner.thread().id()) as u32;
        TrackedJoinHandle { inner, last, child }
    }

    fn spin_loop() {
        tracker::record(Event::Yield, None, None);
        shuttle::hint::spin_loop();
    }

    fn local_state<T: Hash + ?Sized>(local: &T) {
        tracker::declare(local);
    }
}

/// A shuttle atomic whose value the tracker mirrors.
pub struct TrackedAtomic {
    inner: shuttle::sync::atomic::AtomicU64,
    id: Option<ObjectId>,
}

impl TrackedAtomic {
    fn observed(&self, event: Event, value: u64) {
        tracker::record(event, self.id, tracker::word(value).as_ref());
    }
}

impl AtomicU64 for TrackedAtomic {
    fn new(value: u64) -> Self {
        TrackedAtomic { inner: shuttle::sync::atomic::AtomicU64::new(value), id: tracker::register(tracker::word(value)) }
    }
    fn load(&self, order: Ordering) -> u64 {
        let value = self.inner.load(order);
        self.observed(Event::Load, value);
        value
    }
    fn store(&self, value: u64, order: Ordering) {
        self.inner.store(value, order);
        tracker::set(self.id, tracker::word(value));
        tracker::record(Event::Store, self.id, None);
    }
    fn fetch_add(&self, value: u64, order: Ordering) -> u64 {
        let old = self.inner.fetch_add(value, order);
        tracker::set(self.id, tracker::word(old.wrapping_add(value)));
        self.observed(Event::FetchAdd, old);
        old
    }
    fn compare_exchange(&self, current: u64, new: u64, success: Ordering, failure: Ordering) -> Result<u64, u64> {
        let result = self.inner.compare_exchange(current, new, success, failure);
        match result {
            Ok(old) => {
                tracker::set(self.id, tracker::word(new));
                self.observed(Event::CasSucceeded, old);
            }
            Err(seen) => self.observed(Event::CasFailed, seen),
        }
        result
    }
}

impl Drop for TrackedAtomic {
    fn drop(&mut self) {
        tracker::remove(self.id);
    }
}

/// A shuttle mutex whose holder and data the tracker mirrors.
pub struct TrackedMutex<T> {
    inner: shuttle::sync::Mutex<T>,
    id: Option<ObjectId>,
}

/// The digest of a mutex's state: who holds it, and its data as of the last unlock.
/// `data` is the digest of the protected data, taken once by the caller.
fn mutex_state(holder: Option<u32>, data: &Option<tracker::Digest>) -> Option<tracker::Digest> {
    tracker::digest(&(holder, data))
}

impl<T: Send + Hash + 'static> Mutex<T> for TrackedMutex<T> {
    type Guard<'a> = TrackedGuard<'a, T>;
    fn new(value: T) -> Self {
        let id = tracker::register(mutex_state(None, &tracker::digest(&value)));
        TrackedMutex { inner: shuttle::sync::Mutex::new(value), id }
    }
    fn lock(&self) -> Self::Guard<'_> {
        if let Some(id) = self.id {
            tracker::announce(tracker::Access { target: tracker::Target::Object(id), write: true });
        }
        let guard = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let found = tracker::digest(&*guard);
        tracker::set(self.id, mutex_state(tracker::current_task(), &found));
        tracker::record(Event::Lock, self.id, found.as_ref());
        TrackedGuard { inner: Some(guard), id: self.id }
    }
}

impl<T> Drop for TrackedMutex<T> {
    fn drop(&mut self) {
        tracker::remove(self.id);
    }
}

/// A held [`TrackedMutex`]. Dropping it unlocks, then records the unlock and the data left
/// behind. The order matters: shuttle's unlock is a scheduling point taken *before* the lock is
/// released, so at that decision the lock is still held, and the state must say so (the holder's
/// history still ends at its `Lock`; the data it wrote since is a function of that history). Were
/// the unlock recorded first, that state would look like the one after the release, in which
/// another task can take the lock, and the two would be merged.
pub struct TrackedGuard<'a, T: Hash> {
    /// `Some` until drop.
    inner: Option<shuttle::sync::MutexGuard<'a, T>>,
    id: Option<ObjectId>,
}

impl<T: Hash> Deref for TrackedGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.inner.as_deref().expect("the guard is held until drop")
    }
}

impl<T: Hash> DerefMut for TrackedGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.inner.as_deref_mut().expect("the guard is held until drop")
    }
}

impl<T: Hash> Drop for TrackedGuard<'_, T> {
    fn drop(&mut self) {
        if let Some(guard) = self.inner.take() {
            let left = mutex_state(None, &tracker::digest(&*guard));
            drop(guard);
            tracker::set(self.id, left);
            tracker::record(Event::Unlock, self.id, None);
        }
    }
}

/// A plain cell whose content the tracker mirrors after every write.
pub struct TrackedCell<T> {
    inner: std::cell::UnsafeCell<T>,
    id: Option<ObjectId>,
}

// Safety: as for `PlainCell`: a cell is only reached through a model field whose doc names the
// protocol (a lock or an ownership hand-off) that gives one task access at a time, and under
// shuttle only one task runs at a time.
unsafe impl<T: Send> Sync for TrackedCell<T> {}

impl<T: Send + Hash + 'static> TrackedCell<T> {
    fn content(&self) -> Option<tracker::Digest> {
        // Safety: called only from `with`/`with_mut`, while the calling task has the access the
        // field's protocol grants, and no reference into the cell outlives those closures.
        tracker::digest(unsafe { &*self.inner.get() })
    }
}

impl<T: Send + Hash + 'static> Cell<T> for TrackedCell<T> {
    fn new(value: T) -> Self {
        let id = tracker::register(tracker::digest(&value));
        TrackedCell { inner: std::cell::UnsafeCell::new(value), id }
    }
    fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        tracker::record(Event::CellRead, self.id, self.content().as_ref());
        f(self.inner.get())
    }
    fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        tracker::record(Event::CellRead, self.id, self.content().as_ref());
        let result = f(self.inner.get());
        tracker::set(self.id, self.content());
        tracker::record(Event::CellWrite, self.id, None);
        result
    }
}

impl<T> Drop for TrackedCell<T> {
    fn drop(&mut self) {
        tracker::remove(self.id);
    }
}

/// A shuttle join handle that hands the child's final history to the joiner.
pub struct TrackedJoinHandle<T> {
    inner: shuttle::thread::JoinHandle<T>,
    last: Arc<std::sync::Mutex<Option<(u32, tracker::Digest)>>>,
    /// The child's task: a join waits for its end.
    child: u32,
}

impl<T: Send + 'static> JoinHandle<T> for TrackedJoinHandle<T> {
    fn join(self) -> T {
        tracker::announce(tracker::Access { target: tracker::Target::Task(self.child), write: true });
        let value = match shuttle::thread::JoinHandle::join(self.inner) {
            Ok(value) => value,
            Err(payload) => std::panic::resume_unwind(payload),
        };
        tracker::joined(self.last.lock().unwrap_or_else(PoisonError::into_inner).take());
        value
    }
}
