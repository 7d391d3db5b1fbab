//! The modelled OS: `sysAlloc` hands out fresh, zeroed arenas and remembers every one it handed
//! out, so the quiescence audit can account for each.
//!
//! Go's sysAlloc (src/runtime/mem_*.go) does not synchronise with `gcBitsArenas.lock`, so this
//! makes no Platform operation: each thread draws from its own range of slots (thread t's k-th
//! arena is slot `first_slot[t] + k`), and a slot is a `OnceLock` that only its owner ever sets.
//! The arena itself is created by the calling thread, which is what a fresh mapping is: memory no
//! other thread has seen until it is published.
//!
//! Differences from Go: sysAlloc can be told to fail after a number of arenas per thread (the
//! count is the thread's own, so the knob adds no shared state the checkers cannot see). For the
//! contention benchmark on real threads only, it can be made slow, a busy wait standing for the
//! mmap Go's sysAlloc makes (no configuration can ask for it: a checked execution reads no clock).

use super::arena::{Arena, ArenaId};
use crate::platform::Platform;
use std::fmt;
use std::sync::OnceLock;

/// Where an arena came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// On the free list when the scenario started, left over (and dirty) from an earlier cycle.
    FreeAtStart,
    /// Returned by sysAlloc to this thread.
    SysAlloc { thread: u32 },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::FreeAtStart => f.write_str("on the free list at the start"),
            Origin::SysAlloc { thread } => write!(f, "from T{thread}'s sysAlloc"),
        }
    }
}

/// The modelled address space of gcBits arenas.
pub struct Os<P: Platform> {
    words: usize,
    /// Invariant: slot i is set at most once, by the one thread whose range holds i (or by the
    /// main thread at set-up for the first `at_start` slots). The set slots are the OS ledger.
    slots: Vec<OnceLock<Arena<P>>>,
    at_start: usize,
    first_slot: Vec<usize>,
    quota: Vec<usize>,
    fails_after: Option<usize>,
    /// How long each sysAlloc busy-waits: the benchmark's slow OS. Never set under a checker.
    slow: Option<std::time::Duration>,
}

impl<P: Platform> Os<P> {
    /// `quota[t]`: the most arenas thread t can ask for (one per allocation at most).
    pub fn new(words: usize, at_start: usize, quota: &[usize], fails_after: Option<usize>) -> Self {
        let mut first_slot = Vec::with_capacity(quota.len());
        let mut next = at_start;
        for &q in quota {
            first_slot.push(next);
            next += q;
        }
        Os {
            words,
            slots: (0..next).map(|_| OnceLock::new()).collect(),
            at_start,
            first_slot,
            quota: quota.to_vec(),
            fails_after,
            slow: None,
        }
    }

    /// The same OS, with every sysAlloc busy-waiting `delay` first: for benchmarks on real threads
    /// (a checker would see the clock as nondeterminism it cannot control).
    pub fn slowed(mut self, delay: std::time::Duration) -> Self {
        self.slow = Some(delay);
        self
    }

    /// Set-up, on the main thread: the arenas on the free list at the start, each word holding
    /// `dirty` (the bits of an earlier cycle).
    pub fn preload(&self, dirty: u64) -> Vec<ArenaId> {
        (0..self.at_start)
            .map(|i| {
                let _ = self.slots[i].set(Arena::new(self.words, dirty));
                ArenaId(i as u32)
            })
            .collect()
    }

    /// sysAlloc(gcBitsChunkBytes) for `thread`, whose own count of arenas so far is `taken`.
    /// `None` is Go's nil: out of memory (only when told to fail).
    pub fn sys_alloc(&self, thread: u32, taken: &mut usize) -> Option<ArenaId> {
        let t = thread as usize;
        if let Some(delay) = self.slow {
            let start = std::time::Instant::now();
            while start.elapsed() < delay {
                std::hint::spin_loop();
            }
        }
        if self.fails_after.is_some_and(|n| *taken >= n) {
            return None;
        }
        assert!(*taken < self.quota[t], "T{thread} asked sysAlloc for more arenas than allocations it makes");
        let slot = self.first_slot[t] + *taken;
        *taken += 1;
        let fresh = self.slots[slot].set(Arena::new(self.words, 0));
        assert!(fresh.is_ok(), "slot {slot} handed out twice");
        Some(ArenaId(slot as u32))
    }

    /// The arena `id`, if the OS ever handed it out.
    pub fn arena(&self, id: ArenaId) -> Option<&Arena<P>> {
        self.slots.get(id.index()).and_then(OnceLock::get)
    }

    /// Every arena handed out so far, in slot order: at quiescence, or under the lock for the
    /// waste bound (a racing thread's slot may or may not be set yet; either way it is counted
    /// among the racing).
    pub fn ledger(&self) -> Vec<ArenaId> {
        (0..self.slots.len()).filter(|&i| self.slots[i].get().is_some()).map(|i| ArenaId(i as u32)).collect()
    }

    /// How many arenas have been handed out so far (the ledger's length, without building it).
    pub fn handed_out(&self) -> usize {
        self.slots.iter().filter(|slot| slot.get().is_some()).count()
    }

    pub fn origin(&self, id: ArenaId) -> Origin {
        let i = id.index();
        if i < self.at_start {
            return Origin::FreeAtStart;
        }
        let t = self.first_slot.iter().rposition(|&first| first <= i).unwrap_or(0);
        Origin::SysAlloc { thread: t as u32 }
    }

    /// How many slots the address space has: a bound on any list's length.
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }
}
