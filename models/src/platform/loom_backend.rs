//! loom: exhaustive exploration under the C11 memory model (with loom's documented gaps).

use super::{Cell, Platform};
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

forward_std_shaped!(loom::sync, loom::thread);

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
