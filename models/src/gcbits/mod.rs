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
//! ledger), [`arenas`] (the lists, the lock and the Go functions), [`audit`] (std-typed checks),
//! [`config`] and [`scenario`].
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

pub mod arena;
pub mod arenas;
pub mod audit;
pub mod config;
pub mod os;
pub mod scenario;

pub use arena::{Arena, ArenaId};
pub use arenas::{Bits, GcBitsArenas, Tally};
pub use config::{Config, Op};
pub use scenario::GcBitsScenario;

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which gcBits code runs: one of Go's versions, or a catalogued breakage of one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// Before the seed: the lock is held across everything, sysAlloc included. Must hold.
    V0,
    /// The seed 6c4a8d19: drop the lock around sysAlloc, re-lock, revalidate (try `next` again,
    /// put the surplus fresh arena back on the free list). Must hold.
    V1,
    /// 2ef88f7f: a lock-free fast path (atomic load of `next`, atomic add on `free` with a bounds
    /// check after the add); fresh arenas are published by an atomic store after their first
    /// allocation. Must hold.
    V2,
    /// R6 (on v1): link fresh in front of the `next` read before the lock was dropped. Another
    /// thread's arena, pushed meanwhile, falls off the list: a lost arena.
    StaleNextLink,
    /// R7 (on v2): no bounds check after the atomic add. Out of bounds.
    NoPostAddCheck,
    /// R8 (on v2): the bump of `free` is a load and a store, not an atomic add. Double allocation.
    NonAtomicBump,
    /// R9 (on v2): publish fresh before allocating from it; the fast path can fill it first and
    /// the slow path throws "markBits overflow".
    PublishBeforeAlloc,
    /// R10 (on v2): `next` is published with a Relaxed store, so the fast path can reach a fresh
    /// arena whose initialisation it has not seen. Weak memory: loom only.
    RelaxedNextPublication,
    /// R11 (on v1): the epoch rotation skips `previous` and frees `current` at once, so bits are
    /// reused one epoch early, while still live.
    RotationSkipsPrevious,
    /// v1 without the revalidation after re-locking. Safe, but it wastes arenas: the checker must
    /// report no violation, and the `wasted-arenas` and `abandoned-bytes` figures show the cost
    /// (room left behind in an arena that could have served the request).
    NoRevalidation,
    /// Not in the catalogue: v1 reusing a free-list arena without clearing it (the zero-bits rule
    /// omicron#1146 broke from outside Go). It shows that the zero-bits check can fail.
    ReuseWithoutClearing,
    /// Not in the catalogue: v1 sizing the bits by truncating `nelems/64` instead of rounding up,
    /// so a span whose object count is not a multiple of 64 gets too few bits. It shows that the
    /// request-size check can fail.
    TruncatedBits,
}

/// The Go version a variant is built on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Base {
    V0,
    V1,
    V2,
}

impl Variant {
    pub const ALL: [Variant; 12] = [
        Variant::V0,
        Variant::V1,
        Variant::V2,
        Variant::StaleNextLink,
        Variant::NoPostAddCheck,
        Variant::NonAtomicBump,
        Variant::PublishBeforeAlloc,
        Variant::RelaxedNextPublication,
        Variant::RotationSkipsPrevious,
        Variant::NoRevalidation,
        Variant::ReuseWithoutClearing,
        Variant::TruncatedBits,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Variant::V0 => "v0",
            Variant::V1 => "v1",
            Variant::V2 => "v2",
            Variant::StaleNextLink => "stale-next-link",
            Variant::NoPostAddCheck => "no-post-add-check",
            Variant::NonAtomicBump => "non-atomic-bump",
            Variant::PublishBeforeAlloc => "publish-before-alloc",
            Variant::RelaxedNextPublication => "relaxed-next-publication",
            Variant::RotationSkipsPrevious => "rotation-skips-previous",
            Variant::NoRevalidation => "no-revalidation",
            Variant::ReuseWithoutClearing => "reuse-without-clearing",
            Variant::TruncatedBits => "truncated-bits",
        }
    }

    pub fn from_name(name: &str) -> Option<Variant> {
        Variant::ALL.into_iter().find(|v| v.name() == name)
    }

    pub fn base(self) -> Base {
        match self {
            Variant::V0 => Base::V0,
            Variant::V1
            | Variant::StaleNextLink
            | Variant::RotationSkipsPrevious
            | Variant::NoRevalidation
            | Variant::ReuseWithoutClearing
            | Variant::TruncatedBits => Base::V1,
            Variant::V2
            | Variant::NoPostAddCheck
            | Variant::NonAtomicBump
            | Variant::PublishBeforeAlloc
            | Variant::RelaxedNextPublication => Base::V2,
        }
    }

    /// The regression-catalogue id of a broken variant.
    pub fn catalogue_id(self) -> Option<&'static str> {
        match self {
            Variant::StaleNextLink => Some("R6"),
            Variant::NoPostAddCheck => Some("R7"),
            Variant::NonAtomicBump => Some("R8"),
            Variant::PublishBeforeAlloc => Some("R9"),
            Variant::RelaxedNextPublication => Some("R10"),
            Variant::RotationSkipsPrevious => Some("R11"),
            _ => None,
        }
    }

    /// Whether the variant must hold (Go's versions, and the safe-but-wasteful one).
    pub fn is_correct(self) -> bool {
        matches!(self, Variant::V0 | Variant::V1 | Variant::V2 | Variant::NoRevalidation)
    }

    /// Whether its bug needs weak memory or a data-race detector, so that only loom can see it.
    pub fn loom_only(self) -> bool {
        self == Variant::RelaxedNextPublication
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
