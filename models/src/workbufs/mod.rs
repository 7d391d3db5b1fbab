//! workbufs: the GC work pool, workbufs carved from manually-managed spans, and their freeing.
//!
//! Ports src/runtime/mgcwork.go at 051809e3 (Go 1.9, "runtime: free workbufs during sweeping",
//! Fixes #19325), which builds on the seed 9cc883a4 ("allocate GC workbufs from manually-managed
//! spans", For #19325): `getempty`, `putempty`, `putfull`, `trygetfull`, `handoff`,
//! `checkempty` / `checknonempty`, `prepareFreeWorkbufs`, `freeSomeWbufs`, the per-P `gcWork`
//! (`init`, `put`, `tryGet`, `dispose`, `balance`, `empty`), the start-up check on `workbufAlloc`,
//! gcMark's checks at mark termination, and what prepareFreeWorkbufs relies on: every P's cached
//! buffers disposed before mark termination. At these commits that comes from mark 2 (gcMarkDone's
//! `forEachP` disposing each P's gcWork, with `gcBlackenPromptly` set so no P caches again).
//! `work.full` and `work.empty` are the [`crate::lfstack`] model, not a second stack.
//!
//! Module map: [`workbuf`] (a workbuf, sizes), [`heap`] (the modelled mheap: allocManual /
//! freeManual), [`pool`] (`work`: the lists and the workbuf factory routines), [`spans`]
//! (`wbufSpans`, prepareFreeWorkbufs, freeSomeWbufs), [`gcwork`] (the per-P cache), [`phase`]
//! (gcphase and the controller's stop-the-world transitions), [`audit`] (the ledger),
//! [`quiescence`] (the audit once every thread joined), [`config`], [`scenario`].
//!
//! Differences from Go (each module lists its own):
//! - Sizes are parameters, shrunk (a span of 2 to 4 workbufs, a workbuf of 1 or 2 objects).
//! - Object pointers are not modelled: a workbuf holds a count `nobj`, which decides every list
//!   transition; what the pointers are does not.
//! - The main thread is the phase controller: it starts each cycle's mark workers by spawning them
//!   and detects mark termination by joining them; the world stop is its hold on wbufSpans.lock
//!   (see [`phase`]).

pub mod audit;
pub mod config;
pub mod gcwork;
pub mod heap;
pub mod phase;
pub mod pool;
pub mod quiescence;
pub mod scenario;
pub mod spans;
pub mod workbuf;

pub use config::{Config, Op};
pub use scenario::WorkbufsScenario;
pub use workbuf::{Sizes, SpanId, WbufId};

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which version of the workbuf pool runs: Go's, or one of the regression catalogue's breakages,
/// each one branch beside the line it breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// 051809e3, with mark 2's dispose of every P's gcWork before mark termination: must hold.
    Go,
    /// R12: freeSomeWbufs frees without checking that the GC phase is off, so a span goes from
    /// manual to free during mark (the #11267 rule, d57056ba).
    R12FreeDuringMark,
    /// R12: freeSomeWbufs reads gcphase before taking wbufSpans.lock; a new cycle can start
    /// between the read and the lock, and the batch is freed during mark.
    R12PhaseOutsideLock,
    /// R13: prepareFreeWorkbufs moves the spans to free without wiping work.empty, which still
    /// links their workbufs.
    R13NoWipeEmpty,
    /// R13: mark 2 does not dispose the P caches (gcMarkDone's `forEachP` dispose dropped), so the
    /// drained, empty workbufs they still cache outlive their span once prepareFreeWorkbufs moves
    /// it to free. gcMark's check ("P has cached GC work at end of mark termination") cannot see
    /// it: an empty buffer is not work.
    R13NoDispose,
    /// R14: getempty carves a span and puts the first workbuf, the one it returns, on work.empty
    /// too: one workbuf, two owners.
    R14FirstOnEmpty,
    /// getempty allocates a span and never records it in wbufSpans.busy: it can never be freed.
    LostSpan,
    /// freeSomeWbufs answers "no more" when it stops a batch early for preemption, though spans
    /// remain on wbufSpans.free: bgsweep parks and they are never returned to the heap.
    SweeperStopsEarly,
}

impl Variant {
    pub const ALL: [Variant; 8] = [
        Variant::Go,
        Variant::R12FreeDuringMark,
        Variant::R12PhaseOutsideLock,
        Variant::R13NoWipeEmpty,
        Variant::R13NoDispose,
        Variant::R14FirstOnEmpty,
        Variant::LostSpan,
        Variant::SweeperStopsEarly,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Variant::Go => "go",
            Variant::R12FreeDuringMark => "r12-free-during-mark",
            Variant::R12PhaseOutsideLock => "r12-phase-outside-lock",
            Variant::R13NoWipeEmpty => "r13-no-wipe-empty",
            Variant::R13NoDispose => "r13-no-dispose",
            Variant::R14FirstOnEmpty => "r14-first-on-empty",
            Variant::LostSpan => "lost-span",
            Variant::SweeperStopsEarly => "sweeper-stops-early",
        }
    }

    pub fn from_name(name: &str) -> Option<Variant> {
        Variant::ALL.into_iter().find(|v| v.name() == name)
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
