//! spanset: Go's lock-free `spanSet`, the two-level set of spans mcentral and the sweeper use.
//!
//! Ports src/runtime/mspanset.go as of go1.25.6: `spanSet` (`push`, `pop`, `reset`),
//! `headTailIndex`, `spanSetBlock` and `spanSetBlockAlloc`. The structure is of 2020 (Go 1.15):
//! `gcSweepBuf` became `spanSet`, first with pops that could not run with pushes, then with the
//! lock-free pop of the `popped` count on each block; later releases changed its atomics to typed
//! ones (`atomic.Uint32`, `atomicHeadTailIndex`, `atomicSpanSetSpinePointer`) but not its protocol.
//!
//! Differences from Go: see [`index`] (the index's width is a parameter), [`blocks`] (blocks are a
//! fixed array; persistentalloc adds no scheduling point) and [`set`] (spines are named; the
//! growth's memmove is a Relaxed copy).
//!
//! Scheduling points, audited against `push`, `pop`, `reset`, `alloc` and `free`: every atomic Go
//! makes is a Platform atomic here (the index's add, load and CAS; `spine` and `spineLen`; each
//! spine slot; each span slot; `popped`), `spineLock` is a Platform mutex, and the block pool is
//! the lfstack model, whose points are Go's. The memmove of the old spine is one point per slot
//! (see [`set`]); persistentalloc is none (see [`blocks`]).

pub mod blocks;
pub mod config;
pub mod index;
pub mod ledger;
pub mod model;
pub mod scenario;
pub mod set;

pub use config::{Config, Op};
pub use index::{HeadTailIndex, IndexWidth};
pub use scenario::SpanSetScenario;
pub use set::SpanSet;

crate::declare_variants! {
    /// Which spanSet runs: Go's, or one of its plausible breakages.
    pub enum Variant {
        /// With `index_bits` too narrow for the pushes between resets, Go's own overflow throw; with
        /// more concurrent pushers than `entries`, a block added out of order (a nil slot counted).
        Go = "go" {
            origin: "mspanset.go at go1.25.6 (the lock-free pop of Go 1.15, typed atomics since)",
            must_hold: true,
            meaning: "Go's spanSet: spine growth under spineLock, block then spineLen; pop checks spineLen; the last popper clears the slot and frees the block",
        },
        /// Holds: no pop, push or reset reads a spine slot below the head's, where the stale
        /// pointer is left (Go's own growth copy leaves such pointers too).
        FreeBeforeClear = "free-before-clear" {
            origin: "plausible, on go1.25.6's pop: the two steps of the last popper swapped",
            must_hold: true,
            meaning: "the last popper frees the block before clearing its spine slot: a dangling pointer in a dead slot, which nothing reads",
        },
        LenBeforeBlock = "len-before-block" {
            origin: "plausible, on go1.25.6's push: the order pop's comment relies on, reversed",
            meaning: "push stores spineLen before the new block: a pop that sees the length loads a nil block",
        },
        PoppedEarly = "popped-early" {
            origin: "plausible, on go1.25.6's pop: Xadd's result read as the count before the add",
            meaning: "the last-popper test fires one pop early: the block is freed while a popper still has a slot in it",
        },
        PoppedOldValue = "popped-old-value" {
            origin: "plausible, a port's slip: fetch_add returns the count before the add, Go's Xadd the count after",
            meaning: "the last-popper test never fires: every fully popped block leaks",
        },
        FreeKeepsPopped = "free-keeps-popped" {
            origin: "plausible, on go1.25.6's spanSetBlockAlloc.free: popped.Store(0) dropped",
            meaning: "a block goes back to the pool with its popped count: its next owner counts past the block size and never frees it",
        },
        NoSpineLenCheck = "no-spinelen-check" {
            origin: "plausible, on go1.25.6's pop: the spineLen check before the claim dropped",
            meaning: "pop claims an index whose block a pusher has not added yet: it loads a nil block, or past the spine's end",
        },
        /// Needs an index too narrow for the pushes (`index_bits`); Go's `go` throws there instead.
        NoOverflowCheck = "no-overflow-check" {
            origin: "plausible, on go1.25.6's incTail: the tail() == 0 check dropped",
            meaning: "the tail wraps and carries into the head: a slot claimed twice, spans lost",
        },
        /// Loom only: shuttle runs every atomic as SeqCst.
        RelaxedSpineLen = "relaxed-spinelen-store" {
            origin: "plausible, on go1.25.6's push: atomic.Uintptr.Store made Relaxed",
            meaning: "spineLen is published Relaxed: a pop that reads the new length may load the block slot before the block's store",
        },
        /// Go's code; the caller breaks its contract.
        ResetRacesPop = "reset-races-pop" {
            origin: "outside Go's contract: reset concurrent with a pop",
            meaning: "reset frees the head's block while a pop that claimed a slot in it has not loaded it yet: nil or recycled block",
        },
        /// Go's code; the caller breaks its contract.
        ResetRacesPush = "reset-races-push" {
            origin: "outside Go's contract: reset concurrent with a push",
            meaning: "reset zeroes the index under a push that has claimed a slot: a throw, or the span lost",
        },
    }
}

impl Variant {
    /// The variants whose programs may reset a set while other threads run.
    pub fn breaks_reset_contract(self) -> bool {
        matches!(self, Variant::ResetRacesPop | Variant::ResetRacesPush)
    }
}
