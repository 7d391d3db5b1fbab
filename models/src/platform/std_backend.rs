//! Real threads and std types: the stress baseline and the benchmarks.

use super::{Cell, Platform};
use std::hash::Hash;

/// Real OS threads, `std::sync` types.
#[derive(Debug, Clone, Copy)]
pub enum Std {}

impl Platform for Std {
    const NAME: &'static str = "std";
    const SERIALIZED: bool = false;
    type AtomicU64 = std::sync::atomic::AtomicU64;
    type Mutex<T: Send + Hash + 'static> = std::sync::Mutex<T>;
    type Cell<T: Send + Hash + 'static> = PlainCell<T>;
    type JoinHandle<T: Send + 'static> = std::thread::JoinHandle<T>;

    fn spawn<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        std::thread::spawn(f)
    }

    fn spin_loop() {
        std::hint::spin_loop();
    }
}

forward_std_shaped!(std::sync, std::thread);

/// An unchecked cell, shared by the std and shuttle backends.
pub struct PlainCell<T>(std::cell::UnsafeCell<T>);

// Safety: a `PlainCell` is only reached through a model field whose doc names the protocol (a lock
// or an ownership hand-off) that gives one thread exclusive access for each mutation. Loom checks
// those protocols; variants that break them on purpose are refused on real threads.
unsafe impl<T: Send> Sync for PlainCell<T> {}

impl<T: Send + 'static> Cell<T> for PlainCell<T> {
    fn new(value: T) -> Self {
        PlainCell(std::cell::UnsafeCell::new(value))
    }
    fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }
    fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}
