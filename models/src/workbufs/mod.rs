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
//! [`quiescence`] (the audit once every thread joined), [`config`], [`scenario`], [`model`] (the
//! `Model` impl joining the two).
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
pub mod model;
pub mod phase;
pub mod pool;
pub mod quiescence;
pub mod scenario;
pub mod spans;
pub mod workbuf;

pub use config::{Config, Op};
pub use scenario::WorkbufsScenario;
pub use workbuf::{Sizes, SpanId, WbufId};

crate::declare_variants! {
    /// Which version of the workbuf pool runs: Go's, or one of the regression catalogue's
    /// breakages, each one branch beside the line it breaks.
    pub enum Variant {
        Go = "go" {
            origin: "051809e3 (Go 1.9, Fixes #19325) on the seed 9cc883a4",
            must_hold: true,
            meaning: "Go's pool, with mark 2's dispose of every P's gcWork before mark termination",
        },
        R12FreeDuringMark = "r12-free-during-mark" {
            regression: "R12",
            origin: "plausible, on 051809e3: the #11267 rule (d57056ba)",
            meaning: "freeSomeWbufs frees without checking that the GC phase is off: a span goes from manual to free during mark",
        },
        /// A new cycle can start between the read and the lock.
        R12PhaseOutsideLock = "r12-phase-outside-lock" {
            regression: "R12",
            origin: "plausible, on 051809e3",
            meaning: "freeSomeWbufs reads gcphase before taking wbufSpans.lock: a batch freed during mark",
        },
        /// Only the scheduling point of mheap_.lock inside freeSomeWbufs' batch lets a
        /// sequentially consistent checker see it (see [`spans`]).
        R12PhaseBeforeStw = "r12-phase-before-stw" {
            regression: "R12",
            origin: "plausible, on 051809e3",
            meaning: "gcStart stores _GCmark before its stop-the-world: the phase changes while a freeSomeWbufs batch is under way",
        },
        R13NoWipeEmpty = "r13-no-wipe-empty" {
            regression: "R13",
            origin: "plausible, on 051809e3",
            meaning: "prepareFreeWorkbufs moves the spans to free without wiping work.empty, which still links their workbufs",
        },
        /// gcMark's check ("P has cached GC work at end of mark termination") cannot see it: an
        /// empty buffer is not work.
        R13NoDispose = "r13-no-dispose" {
            regression: "R13",
            origin: "plausible, on 051809e3: gcMarkDone's forEachP dispose dropped",
            meaning: "mark 2 does not dispose the P caches: the empty workbufs they cache outlive their span once it is freed",
        },
        R14FirstOnEmpty = "r14-first-on-empty" {
            regression: "R14",
            origin: "plausible, on 9cc883a4's getempty",
            meaning: "getempty puts the first workbuf of a fresh span, the one it returns, on work.empty too: two owners",
        },
        LostSpan = "lost-span" {
            origin: "plausible, on 9cc883a4's getempty",
            meaning: "getempty allocates a span and never records it in wbufSpans.busy: it can never be freed",
        },
        /// Two Ps can read the same free.first; the second's remove throws "MSpanList_Remove".
        GetemptyTwoHolds = "getempty-two-holds" {
            origin: "plausible, on 051809e3's getempty",
            meaning: "getempty reads wbufSpans.free.first under one hold of the lock and takes it under a second: two Ps take one span",
        },
        /// bgsweep parks and they are never returned to the heap.
        SweeperStopsEarly = "sweeper-stops-early" {
            origin: "plausible, on 051809e3's freeSomeWbufs",
            meaning: "freeSomeWbufs answers \"no more\" after a batch stopped for preemption, though spans remain on free",
        },
    }
}
