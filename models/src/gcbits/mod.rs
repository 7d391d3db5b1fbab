//! gcBits arenas: where spans get their mark and allocation bits.
//!
//! Ports `gcBitsArenas`, `(*gcBitsArena).tryAlloc`, `newMarkBits`, `newAllocBits`,
//! `newArenaMayUnlock` and `nextMarkBitArenaEpoch` (src/runtime/mheap.go) in three versions, each
//! a run-time [`Variant`]: before the seed (`v0`, lock held across sysAlloc), the seed 6c4a8d19
//! (`v1`, Go 1.9: the lock is dropped around sysAlloc and the caller revalidates), and 2ef88f7f
//! (`v2`, Go 1.9 to today: a lock-free fast path on atomic `next` and `free`). The broken
//! neighbours of the regression catalogue (R6-R11) are one branch each beside the line they
//! break.
//!
//! Modules: [`arena`] (one arena's memory and header), [`os`] (the modelled sysAlloc and its
//! ledger), [`arenas`] (the lists, the lock and the Go functions), [`audit`] (std-typed checks), [`waste`] (the waste bound),
//! [`config`], [`scenario`] and [`model`] (the `Model` impl joining the two).
//!
//! Differences from Go:
//! - Arenas hold a few 8-byte words (`arena_words`), not 64 KiB; the header is not part of the
//!   words, so the first free offset is always 0 (Go's alignment fix-up is a no-op on 64-bit).
//! - Arenas are named by ids (`a3`), not pointers; lists link ids in a header table that lives
//!   under the lock. Go's plain reads of `gcBitsArenas.next` under the lock read that table; v2's
//!   atomic view of `next` is a separate atomic written beside it, exactly where Go stores it.
//! - Under v0 and v1 the free offset is protected by the lock and lives under it (plain data, no
//!   scheduling point); under v2 it is an atomic in the arena, as in Go.
//! - Allocation bits are one cell per word, so loom sees who writes them (memclr, the owner's
//!   marks); the owner marks its bits right after `newMarkBits` returns, as a sweep would.
//! - Epoch rotation runs on the main thread between phases of allocating threads (spawned, then
//!   joined): Go stops the world for it.
//! - Scheduling points, audited function by function against `newMarkBits`, `tryAlloc`,
//!   `newArenaMayUnlock` and `nextMarkBitArenaEpoch` at 6c4a8d19: every operation by which Go
//!   synchronises with another M is one here (the lock, its release and re-acquisition around
//!   sysAlloc, v2's atomic load and store of `next`, tryAlloc's atomic load and add of `free`).
//!   sysAlloc itself makes none: its mmap shares nothing with other Ms but the kernel's own lock
//!   and returns memory no other thread has seen, and its `mSysStatInc(&memstats.gc_sys)` is an
//!   atomic add to a statistic none of these functions reads, so a point there could only reorder
//!   an add that commutes with everything else: no variant, broken or not, can observe the order.
//!   The memclr of a reused arena is plain writes under the lock, as in Go (cells, so loom sees a
//!   write that escapes it).

pub mod arena;
pub mod arenas;
pub mod audit;
pub mod config;
pub mod model;
pub mod os;
pub mod scenario;
pub mod waste;

pub use arena::{Arena, ArenaId};
pub use arenas::{Bits, GcBitsArenas, Tally};
pub use config::{Config, Op};
pub use scenario::GcBitsScenario;

crate::declare_variants! {
    /// Which gcBits code runs: one of Go's versions, or a catalogued breakage of one.
    pub enum Variant {
        V0 = "v0" {
            origin: "mheap.go before 6c4a8d19",
            must_hold: true,
            meaning: "before the seed: the lock is held across everything, sysAlloc included",
        },
        /// Try `next` again after re-locking, and put the surplus fresh arena back on the free list.
        V1 = "v1" {
            origin: "6c4a8d19 (Go 1.9)",
            must_hold: true,
            meaning: "the seed: drop the lock around sysAlloc, re-lock, revalidate",
        },
        /// Fresh arenas are published by an atomic store after their first allocation.
        V2 = "v2" {
            origin: "2ef88f7f (Go 1.9 to today)",
            must_hold: true,
            meaning: "a lock-free fast path: atomic load of next, atomic add on free with a bounds check after the add",
        },
        StaleNextLink = "stale-next-link" {
            regression: "R6",
            origin: "plausible, on v1 (6c4a8d19)",
            meaning: "links fresh in front of the next read before the lock was dropped: another thread's arena falls off, lost",
        },
        NoPostAddCheck = "no-post-add-check" {
            regression: "R7",
            origin: "plausible, on v2 (2ef88f7f)",
            meaning: "no bounds check after the atomic add: an allocation out of bounds",
        },
        NonAtomicBump = "non-atomic-bump" {
            regression: "R8",
            origin: "plausible, on v2 (2ef88f7f)",
            meaning: "the bump of free is a load and a store, not an atomic add: double allocation",
        },
        PublishBeforeAlloc = "publish-before-alloc" {
            regression: "R9",
            origin: "plausible, on v2 (2ef88f7f)",
            meaning: "publishes fresh before allocating from it: the fast path fills it first, \"markBits overflow\"",
        },
        /// Weak memory: loom only.
        RelaxedNextPublication = "relaxed-next-publication" {
            regression: "R10",
            origin: "plausible, on v2 (2ef88f7f): StorepNoWB made Relaxed",
            meaning: "next is published Relaxed: the fast path reads an arena whose initialisation it has not synchronized with",
        },
        RotationSkipsPrevious = "rotation-skips-previous" {
            regression: "R11",
            origin: "plausible, on v1 (6c4a8d19): nextMarkBitArenaEpoch",
            meaning: "the epoch rotation frees current at once, skipping previous: bits reused one epoch early, while live",
        },
        /// Safe (nothing lost or handed out twice), but the waste bound fails: the arena it links
        /// in front of still has room, which nothing allocates from again. The `wasted-arenas`
        /// and `abandoned-bytes` figures show the cost.
        NoRevalidation = "no-revalidation" {
            origin: "v1 (6c4a8d19) without its revalidation",
            meaning: "no revalidation after re-locking: fresh goes in front of a next that has room, which is abandoned",
        },
        FreshBehindNext = "fresh-behind-next" {
            origin: "plausible, on v1 (6c4a8d19)",
            meaning: "links fresh behind next's head, not in front: later requests find the full head and take a new arena every time",
        },
        SysAllocBeforeFreeList = "sysalloc-before-free-list" {
            origin: "plausible, on v1 (6c4a8d19): newArenaMayUnlock",
            meaning: "asks sysAlloc without looking at the free list: freed arenas idle while the OS hands out more",
        },
        ReuseWithoutClearing = "reuse-without-clearing" {
            origin: "on v1: the zero-bits rule omicron#1146 broke from outside Go",
            meaning: "reuses a free-list arena without clearing it: nonzero bits, shows the zero-bits check can fail",
        },
        TruncatedBits = "truncated-bits" {
            origin: "on v1: newMarkBits without its rounding up",
            meaning: "sizes the bits nelems/64 words, not rounded up: too few bits, shows the request-size check can fail",
        },
    }
}

/// The Go version a variant is built on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base {
    V0,
    V1,
    V2,
}

impl Variant {
    pub fn base(self) -> Base {
        match self {
            Variant::V0 => Base::V0,
            Variant::V1
            | Variant::StaleNextLink
            | Variant::RotationSkipsPrevious
            | Variant::NoRevalidation
            | Variant::FreshBehindNext
            | Variant::SysAllocBeforeFreeList
            | Variant::ReuseWithoutClearing
            | Variant::TruncatedBits => Base::V1,
            Variant::V2
            | Variant::NoPostAddCheck
            | Variant::NonAtomicBump
            | Variant::PublishBeforeAlloc
            | Variant::RelaxedNextPublication => Base::V2,
        }
    }

    /// Whether its bug needs weak memory or a data-race detector, so that only loom can see it.
    pub fn loom_only(self) -> bool {
        self == Variant::RelaxedNextPublication
    }
}
