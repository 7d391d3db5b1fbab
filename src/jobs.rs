//! Worker threads for independent runs (catalogue cases, chunks of a PCT run, shards of a DFS):
//! each result lands in its item's slot, so what a caller reports never depends on how many
//! workers ran or which finished first.
//!
//! The workers are threads. An item either runs an engine on its worker (a PCT chunk, whose
//! shuttle runs reuse their stacks) or waits there for a child process that runs it (a catalogue
//! case under `check --jobs`: loom cases must not share a process, see `check::worker`). Every
//! engine runs its model threads on the OS thread that called it (loom's and shuttle's state is
//! thread-local, and so is the harness's quiet panic hook).

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread;

/// A worker's stack: what the main thread gets, since the engines run deep call chains there.
const WORKER_STACK_BYTES: usize = 8 << 20;

/// The most workers `--jobs` accepts: beyond it, threads only contend for the same cores.
pub const MAX_JOBS: usize = 256;

/// The default for `--jobs`: the cores this process may use.
pub fn default_jobs() -> usize {
    thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// Refuses a `--jobs` value that cannot be meant.
pub fn validate(jobs: usize) -> Result<usize, String> {
    match jobs {
        0 => Err("--jobs must be at least 1".into()),
        n if n > MAX_JOBS => Err(format!("--jobs {n} is more than {MAX_JOBS} workers")),
        n => Ok(n),
    }
}

/// What a worker tells the loop after an item: go on, or stop taking items that come later in
/// `order` (a PCT run whose chunk found a violation needs no later chunk).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    Continue,
    StopAfter,
}

/// Runs `work` over `items` on `jobs` threads, starting items in `order` (a permutation of the
/// indices; the caller puts the costliest first), and returns the results by item index.
///
/// A `Next::StopAfter` from item `order[k]` keeps items `order[k+1..]` from starting; those
/// already running finish, and the slots of the ones never started are `None`. With `jobs == 1`
/// this is a plain loop in `order`.
pub fn run_in_order<T: Sync, R: Send>(
    items: &[T],
    order: &[usize],
    jobs: usize,
    work: &(dyn Fn(usize, &T) -> (R, Next) + Sync),
) -> Vec<Option<R>> {
    debug_assert_eq!(order.len(), items.len());
    let slots: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    // The position in `order` after which nothing starts (usize::MAX: no stop yet).
    let stop_after = AtomicUsize::new(usize::MAX);
    let worker = || loop {
        let k = next.fetch_add(1, Ordering::Relaxed);
        if k >= order.len() || k > stop_after.load(Ordering::Acquire) {
            return;
        }
        let i = order[k];
        let (result, then) = work(i, &items[i]);
        *slots[i].lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
        if then == Next::StopAfter {
            stop_after.fetch_min(k, Ordering::AcqRel);
        }
    };
    let workers = jobs.clamp(1, items.len().max(1));
    if workers == 1 {
        worker();
    } else {
        thread::scope(|scope| {
            for n in 0..workers {
                thread::Builder::new()
                    .name(format!("gcmc-worker-{n}"))
                    .stack_size(WORKER_STACK_BYTES)
                    .spawn_scoped(scope, worker)
                    .expect("spawning a worker thread");
            }
        });
    }
    slots.into_iter().map(|s| s.into_inner().unwrap_or_else(PoisonError::into_inner)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_land_in_item_order_whatever_the_start_order_and_worker_count() {
        let items: Vec<u64> = (0..40).collect();
        let order: Vec<usize> = (0..40).rev().collect();
        for jobs in [1, 2, 7] {
            let out = run_in_order(&items, &order, jobs, &|i, x| (x * 10 + i as u64, Next::Continue));
            assert_eq!(out, items.iter().map(|x| Some(x * 11)).collect::<Vec<_>>(), "jobs {jobs}");
        }
    }

    #[test]
    fn a_stop_keeps_later_items_from_starting_and_never_drops_earlier_ones() {
        let items: Vec<u64> = (0..50).collect();
        let order: Vec<usize> = (0..50).collect();
        for jobs in [1, 2, 4] {
            let out = run_in_order(&items, &order, jobs, &|_, &x| (x, if x == 10 { Next::StopAfter } else { Next::Continue }));
            assert!(out[..=10].iter().all(Option::is_some), "jobs {jobs}: an item before the stop did not run");
            if jobs == 1 {
                assert!(out[11..].iter().all(Option::is_none));
            }
        }
    }

    #[test]
    fn impossible_job_counts_are_refused() {
        assert!(validate(0).is_err());
        assert!(validate(MAX_JOBS + 1).unwrap_err().contains("more than"));
        assert_eq!(validate(2), Ok(2));
    }
}
