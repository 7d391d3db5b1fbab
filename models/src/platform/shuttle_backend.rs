//! shuttle: randomized, PCT and DFS scheduling; every atomic is sequentially consistent.

use super::std_backend::PlainCell;
use super::{AtomicU64, JoinHandle, Mutex, Ordering, Platform};
use std::hash::Hash;

/// shuttle's controlled atomics, mutex and threads. Cells are plain (shuttle has none of its own).
#[derive(Debug, Clone, Copy)]
pub enum Shuttle {}

impl Platform for Shuttle {
    const NAME: &'static str = "shuttle";
    const SERIALIZED: bool = true;
    type AtomicU64 = shuttle::sync::atomic::AtomicU64;
    type Mutex<T: Send + Hash + 'static> = shuttle::sync::Mutex<T>;
    type Cell<T: Send + Hash + 'static> = PlainCell<T>;
    type JoinHandle<T: Send + 'static> = shuttle::thread::JoinHandle<T>;

    fn spawn<F, T>(f: F) -> Self::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        shuttle::thread::spawn(f)
    }

    fn spin_loop() {
        shuttle::hint::spin_loop();
    }
}

impl AtomicU64 for shuttle::sync::atomic::AtomicU64 {
    fn new(value: u64) -> Self {
        shuttle::sync::atomic::AtomicU64::new(value)
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

impl<T: Send + 'static> Mutex<T> for shuttle::sync::Mutex<T> {
    type Guard<'a> = shuttle::sync::MutexGuard<'a, T>;
    fn new(value: T) -> Self {
        shuttle::sync::Mutex::new(value)
    }
    fn lock(&self) -> Self::Guard<'_> {
        self.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl<T: Send + 'static> JoinHandle<T> for shuttle::thread::JoinHandle<T> {
    fn join(self) -> T {
        match shuttle::thread::JoinHandle::join(self) {
            Ok(value) => value,
            Err(payload) => std::panic::resume_unwind(payload),
        }
    }
}
