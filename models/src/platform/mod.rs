//! The platform facade: the atomics, mutex, cell, threads and spin hint the models are written against.
//!
//! Every model is generic over a [`Platform`], and the harness picks the backend at run time:
//! [`Loom`] inside `loom::model` (exhaustive, weak memory), [`Shuttle`] inside a shuttle runner
//! (random, PCT, DFS), and [`Std`] for real-thread stress runs and benchmarks. This departs on
//! purpose from the `--cfg loom` swap of tokio and crossbeam: here checking is the product, so one
//! build runs every engine.
//!
//! The surface is the size the models need and no bigger, and every backend has the same
//! signatures. Each operation on these types is a scheduling point under the checkers, so the
//! models use them exactly where the Go code synchronizes and nowhere else.
//!
//! # What each backend cannot see
//! - **Shuttle** runs every atomic as `SeqCst` whatever ordering is passed, and has no `UnsafeCell`
//!   of its own (this facade supplies a plain one). Weak-memory bugs (Relaxed publication, missing
//!   barriers) and unsynchronized cell accesses are therefore invisible to it.
//! - **Loom** treats `SeqCst` loads and stores as `AcqRel` (false alarms are possible, loom
//!   #180/#191), does not explore load buffering, and supports at most 4 spawned threads (5
//!   counting the main thread); the harness refuses larger scenarios before entering loom.
//! - **Stateful** is shuttle with every operation's effect recorded for the stateful engine's
//!   fingerprints (see [`stateful`]): it sees what shuttle sees. Data behind its mutexes and in
//!   its cells must be `Hash`, which is why every backend asks for it.
//! - **Std** runs real threads: it sees only what the hardware happens to do, and an
//!   unsynchronized cell access there is undefined behaviour, so broken variants that race on a
//!   cell are refused under it.

/// Implements the facade's [`AtomicU64`], [`Mutex`] and [`JoinHandle`] for a backend whose types
/// have std's shape (std's own, loom's, shuttle's): `forward_std_shaped!(loom::sync, loom::thread)`.
/// One body for the three, so a backend cannot drift in what `lock` or `join` means: `lock` is
/// poison-free (the first panic is the violation the harness reports; loom and shuttle never
/// poison) and `join` re-raises a thread's panic.
macro_rules! forward_std_shaped {
    ($sync:path, $thread:path) => {
        const _: () = {
            use std::panic::Location;
            use $crate::platform::orderings::{applied, Access};
            use $crate::platform::{AtomicU64, JoinHandle, Mutex, Ordering};
            use $sync as sync;
            use $thread as thread;

            // Each access passes its ordering through `orderings::applied` with the model's call
            // site (the trait's methods are #[track_caller]), for the ordering sweep.
            impl AtomicU64 for sync::atomic::AtomicU64 {
                fn new(value: u64) -> Self {
                    sync::atomic::AtomicU64::new(value)
                }
                fn load(&self, order: Ordering) -> u64 {
                    self.load(applied(order, Access::Load, Location::caller()))
                }
                fn store(&self, value: u64, order: Ordering) {
                    self.store(value, applied(order, Access::Store, Location::caller()))
                }
                fn fetch_add(&self, value: u64, order: Ordering) -> u64 {
                    self.fetch_add(value, applied(order, Access::FetchAdd, Location::caller()))
                }
                fn compare_exchange(&self, current: u64, new: u64, success: Ordering, failure: Ordering) -> Result<u64, u64> {
                    self.compare_exchange(current, new, applied(success, Access::CompareExchange, Location::caller()), failure)
                }
            }

            impl<T: Send + 'static> Mutex<T> for sync::Mutex<T> {
                type Guard<'a> = sync::MutexGuard<'a, T>;
                fn new(value: T) -> Self {
                    sync::Mutex::new(value)
                }
                fn lock(&self) -> Self::Guard<'_> {
                    self.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
                }
            }

            impl<T: Send + 'static> JoinHandle<T> for thread::JoinHandle<T> {
                fn join(self) -> T {
                    match thread::JoinHandle::join(self) {
                        Ok(value) => value,
                        Err(payload) => std::panic::resume_unwind(payload),
                    }
                }
            }
        };
    };
}

mod loom_backend;
pub mod orderings;
mod shuttle_backend;
pub mod stateful;
mod std_backend;

pub use loom_backend::{Loom, LOOM_MAX_SPAWNED_THREADS};
pub use shuttle_backend::Shuttle;
pub use stateful::Stateful;
pub use std_backend::Std;

use std::hash::Hash;
use std::ops::DerefMut;
pub use std::sync::atomic::Ordering;

/// A backend: the concrete types a model is instantiated with.
pub trait Platform: Sized + Send + Sync + 'static {
    /// Short name used in reports: `std`, `loom` or `shuttle`.
    const NAME: &'static str;
    /// Whether every execution runs its threads one at a time on the calling OS thread under a
    /// controlled scheduler (loom, shuttle), so std-typed bookkeeping sees a global order.
    const SERIALIZED: bool;

    type AtomicU64: AtomicU64;
    type Mutex<T: Send + Hash + 'static>: Mutex<T>;
    type Cell<T: Send + Hash + 'static>: Cell<T>;
    type JoinHandle<T: Send + 'static>: JoinHandle<T>;

    /// Spawns a model thread.
    fn spawn<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static;

    /// A spin-loop hint. Under the checkers it yields, so a retry loop does not exhaust the branch
    /// or step budget by spinning on a thread that cannot make progress.
    fn spin_loop();

    /// Declares the calling model thread's local state at a point where its future depends only
    /// on `local` (with what it was spawned with and the shared state): the top of an operation,
    /// with the operation's index and every local the rest of the thread reads. The stateful
    /// engine then forgets how the thread got there, so states that differ only in the path merge
    /// ([`stateful::tracker`]); every other backend ignores it. Not a scheduling point.
    ///
    /// A value that leaves out something the future reads merges states whose futures differ:
    /// the stateful engine's cross-validation against DFS is what catches that.
    fn local_state<T: Hash + ?Sized>(_local: &T) {}
}

/// A 64-bit atomic with the operations the models use.
///
/// The accesses are `#[track_caller]`: each knows the model line that made it, so an ordering
/// sweep can record or weaken the orderings of one call site ([`orderings`]).
pub trait AtomicU64: Send + Sync + 'static {
    fn new(value: u64) -> Self;
    #[track_caller]
    fn load(&self, order: Ordering) -> u64;
    #[track_caller]
    fn store(&self, value: u64, order: Ordering);
    #[track_caller]
    fn fetch_add(&self, value: u64, order: Ordering) -> u64;
    #[track_caller]
    fn compare_exchange(&self, current: u64, new: u64, success: Ordering, failure: Ordering) -> Result<u64, u64>;
}

/// A mutex whose `lock` never reports poisoning: a model thread that panics has already produced
/// the verdict, and the models never rely on poisoning.
pub trait Mutex<T: Send + 'static>: Send + Sync + 'static {
    type Guard<'a>: DerefMut<Target = T>
    where
        Self: 'a;
    fn new(value: T) -> Self;
    fn lock(&self) -> Self::Guard<'_>;
}

/// A cell for data protected by a protocol rather than by its type (a lock held, or ownership
/// handed over through an atomic). Loom checks every access against happens-before and reports a
/// conflicting pair as a data race ("Causality violation"); the other backends do not check.
///
/// The closures receive raw pointers; dereferencing them is the caller's `unsafe`, justified by the
/// protocol named on the field.
pub trait Cell<T>: Send + Sync + 'static {
    fn new(value: T) -> Self;
    fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R;
    fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R;
}

/// A handle to a spawned model thread.
pub trait JoinHandle<T>: Send + 'static {
    /// Waits for the thread. A panic in the thread is re-raised here.
    fn join(self) -> T;
}
