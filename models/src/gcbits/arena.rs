//! One gcBits arena: its memory (the free offset under v2, and the bits) and its header.
//!
//! Ports `gcBitsArena` (src/runtime/mheap.go at 6c4a8d19 and 2ef88f7f).
//!
//! Differences from Go:
//! - The header (`free`, `next`) and the bits are split: the parts Go protects with
//!   `gcBitsArenas.lock` live in a [`Header`] under that lock; what v2 reads without the lock
//!   (`free`) is an atomic in the [`Arena`].
//! - Bits are 8-byte words, one [`Cell`] each, so loom checks every write to them (memclr, the
//!   owner's marks) against happens-before.
//! - A fresh arena's Platform objects are created by the thread that called sysAlloc: that is
//!   Go's plain initialisation of the header (`result.free = 0`), which loom checks later readers
//!   against. A reused arena's reset of `free` is a Relaxed atomic store here (the facade has no
//!   plain store to an atomic), so R10 shows through fresh arenas, not reused ones.

use crate::platform::{AtomicU64, Cell, Platform};
use std::fmt;

/// The name of an arena: `a3`. Ids are slots of the modelled address space ([`super::os`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ArenaId(pub u32);

impl ArenaId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for ArenaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a{}", self.0)
    }
}

/// An optional arena for traces: `a3`, or `nil`.
#[derive(Clone, Copy, Debug)]
pub struct Named(pub Option<ArenaId>);

impl fmt::Display for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(a) => a.fmt(f),
            None => f.write_str("nil"),
        }
    }
}

/// The part of an arena's header that `gcBitsArenas.lock` protects.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Header {
    /// The next arena on whichever list this one is on. Protected by `gcBitsArenas.lock`.
    pub next: Option<ArenaId>,
    /// v0 and v1 only: the index of the next free byte, protected by `gcBitsArenas.lock` ("free is
    /// the index into bits of the next free byte; protected by gcBitsArenas.lock", 6c4a8d19).
    /// Invariant: a multiple of 8, at most the arena's capacity.
    pub free: u64,
}

/// An arena's memory, created by whoever obtained it from the modelled OS. Creating it is the
/// initialisation loom checks a later reader against: a thread that reaches an arena without
/// having synchronised with its creator reads an uninitialised header (R10).
pub struct Arena<P: Platform> {
    /// v2 only: the index of the next free byte ("read/write atomically", 2ef88f7f). Protocol: the
    /// fast path loads it, then adds to it; the bounds check after the add decides; an overshoot
    /// is never undone. Reset (a plain store in Go) only under the lock, while no list holds the
    /// arena.
    pub(crate) free: P::AtomicU64,
    /// The bits, one cell per 8-byte word. Invariant: a word handed out by `newMarkBits` is zero.
    /// Written by memclr under the lock (while the arena is on no list) and by the owner of an
    /// allocation (its marks), which owns those words until three epochs later.
    words: Vec<P::Cell<u64>>,
}

impl<P: Platform> Arena<P> {
    /// An arena of `words` words, each holding `fill` (0 for fresh OS memory).
    pub fn new(words: usize, fill: u64) -> Self {
        Arena { free: P::AtomicU64::new(0), words: (0..words).map(|_| P::Cell::new(fill)).collect() }
    }

    /// memclrNoHeapPointers over the bits. The caller holds `gcBitsArenas.lock` and has taken the
    /// arena off the free list, so no other thread can reach it.
    pub fn clear(&self) {
        for word in &self.words {
            // Safety: the arena is on no list and the lock is held: nobody else touches it.
            word.with_mut(|w| unsafe { *w = 0 });
        }
    }

    /// The first nonzero word in `[offset, offset + bytes)`, as (byte offset, value).
    /// The caller owns that range; it must lie inside the arena.
    pub fn first_nonzero(&self, offset: u64, bytes: u64) -> Option<(u64, u64)> {
        self.word_range(offset, bytes).find_map(|i| {
            // Safety: the caller owns these words (it was just handed them).
            let value = self.words[i].with(|w| unsafe { *w });
            (value != 0).then_some((i as u64 * 8, value))
        })
    }

    /// Writes the owner's marks over `[offset, offset + bytes)`, as a sweep would.
    pub fn mark(&self, offset: u64, bytes: u64, pattern: u64) {
        for i in self.word_range(offset, bytes) {
            // Safety: the caller owns these words until the rotation that starts epoch e+3.
            self.words[i].with_mut(|w| unsafe { *w = pattern });
        }
    }

    fn word_range(&self, offset: u64, bytes: u64) -> std::ops::Range<usize> {
        let start = (offset / 8) as usize;
        let end = (offset + bytes).div_ceil(8) as usize;
        debug_assert!(end <= self.words.len(), "bits [{offset},+{bytes}) outside the arena");
        start..end.min(self.words.len())
    }
}
