//! loom: exhaustive exploration under the C11 memory model (with loom's documented gaps).

use super::{AtomicU64, Cell, JoinHandle, Mutex, Ordering, Platform};
use std::hash::Hash;

/// loom's modelled atomics, mutex, cell and threads.
#[derive(Debug, Clone, Copy)]
pub enum Loom {}

/// At most this many threads may be spawned inside one loom model (loom counts the main thread
/// too, and its limit is 5).
pub const LOOM_MAX_SPAWNED_THREADS: usize = 4;

impl Platform for Loom {
    const NAME: &'static str = "loom";
    const SERIALIZED: bool = true;
    type AtomicU64 = loom::sync::atomic::AtomicU64;
    type Mutex<T: Send + Hash + 'static> = loom::sync::Mutex<T>;
    type Cell<T: Send + Hash + 'static> = LoomCell<T>;
    type JoinHandle<T: Send + 'static> = loom::thread::JoinHandle<T>;

    fn spawn<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        loom::thread::spawn(f)
    }

    fn spin_loop() {
        loom::hint::spin_loop();
    }
}

impl AtomicU64 for loom::sync::atomic::AtomicU64 {
    fn new(value: u64) -> Self {
        loom::sync::atomic::AtomicU64::new(value)
    }
    fn load(&self, order: Ordering) -> u64 {
        self.load(order)
    }
    fn store(&self, value: u64, order: Ordering) {
        self.store(value, order)
    }
    fn fetch_add(&self, value: u64, order: Ordering) -> u64 {
        self.fetch_add(value, order)
    }
    fn compare_exchange(&self, current: u64, new: u64, success: Ordering, failure: Ordering) -> Result<u64, u64> {
        self.compare_exchange(current, new, success, failure)
    }
}

impl<T: Send + 'static> Mutex<T> for loom::sync::Mutex<T> {
    type Guard<'a> = loom::sync::MutexGuard<'a, T>;
    fn new(value: T) -> Self {
        loom::sync::Mutex::new(value)
    }
    fn lock(&self) -> Self::Guard<'_> {
        // loom never poisons, but keep the same poison-free contract as the other backends.
        self.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl<T: Send + 'static> JoinHandle<T> for loom::thread::JoinHandle<T> {
    fn join(self) -> T {
        match loom::thread::JoinHandle::join(self) {
            Ok(value) => value,
            Err(payload) => std::panic::resume_unwind(payload),
        }
    }
}

/// loom's tracked cell: every access is checked against happens-before.
pub struct LoomCell<T>(loom::cell::UnsafeCell<T>);

// Safety: loom checks every access to the inner cell and reports a conflicting unsynchronized pair
// as a "Causality violation" instead of letting it happen silently; the cell is only ever touched
// inside a loom execution, where loom's scheduler runs one thread at a time.
unsafe impl<T: Send> Sync for LoomCell<T> {}

impl<T: Send + 'static> Cell<T> for LoomCell<T> {
    fn new(value: T) -> Self {
        LoomCell(loom::cell::UnsafeCell::new(value))
    }
    fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        self.0.with(f)
    }
    fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        self.0.with_mut(f)
    }
}
