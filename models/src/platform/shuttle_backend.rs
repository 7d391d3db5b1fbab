//! shuttle: randomized, PCT and DFS scheduling; every atomic is sequentially consistent.

use super::std_backend::PlainCell;
use super::Platform;
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

forward_std_shaped!(shuttle::sync, shuttle::thread);
