//! lfstack: Go's lock-free stack, under work.full and work.empty.
//!
//! Ports src/runtime/lfstack.go and lfstack_64bit.go at the seed commits (9cc883a4, 6c4a8d19):
//! the algorithm of 62a4359e (Oct 2014) on the typed `lfstack` of 13ae271d. Go's own tests are
//! TestLFStack and TestLFStackStress; the scenarios here are their shape, shrunk for the checkers.
//!
//! Differences from Go: see [`packing`] (widths are parameters) and [`stack`] (nodes live in a
//! never-freed pool named by modelled addresses; `next` is a Relaxed atomic).
//!
//! Scheduling points, audited against `push`, `pop` and `empty` at the seeds: every access Go
//! makes to memory another M may touch is a Platform atomic here, so a point (the head's load and
//! CAS, the `next` load), and Go's one plain shared store, `node.next = old` before the head CAS,
//! is a Relaxed atomic: a point Go's code does not have, which adds orders (the store is invisible
//! until the CAS publishes it, so it commutes with every other thread's step) and removes none.
//! `pushcnt++` is the owner's plain write. No callee takes a lock or makes an atomic.

pub mod config;
pub mod linearizability;
pub mod model;
pub mod packing;
pub mod scenario;
pub mod stack;

pub use config::{Config, Op};
pub use packing::{Packing, TaggedPointer};
pub use scenario::LfStackScenario;
pub use stack::{LfNode, LfNodes, LfStack, Walk};

crate::declare_variants! {
    /// Which lfstack algorithm runs: Go's, or one of its catalogued breakages.
    pub enum Variant {
        /// With a counter wide enough for the scenario: a 1- or 2-bit counter is R2.
        Go = "go" {
            origin: "62a4359e, lfstack.go at the seeds 9cc883a4 and 6c4a8d19",
            must_hold: true,
            meaning: "the algorithm at the seeds: a per-node push counter in the head word; pop restores the saved word",
        },
        NoCounter = "no-counter" {
            regression: "R1",
            origin: "the textbook Treiber stack lfstack.go replaced",
            meaning: "no counter at all, a plain Treiber stack: ABA, a node popped twice or lost",
        },
        /// Only loom sees it: shuttle has no tracked cells.
        Pop2012 = "pop-2012" {
            regression: "R3",
            origin: "a5dc7793 (2012), the race 62a4359e suspected",
            meaning: "pop rebuilds the counter from the next node's pushcnt: a data race on pushcnt",
        },
        /// Loom only: shuttle runs every atomic as SeqCst.
        RelaxedPushCas = "relaxed-push-cas" {
            regression: "R4",
            origin: "#7977 (ARM CAS without barriers)",
            meaning: "the head CAS in push is Relaxed, so the store to next is not published: a stale next, nodes lost",
        },
        /// Loom only: shuttle runs every atomic as SeqCst.
        RelaxedPopLoad = "relaxed-pop-load" {
            regression: "R4",
            origin: "#10189 (ARM CAS without barriers)",
            meaning: "the head load in pop is Relaxed, so pop may read a stale next: nodes lost",
        },
    }
}

impl Variant {
    /// Whether the variant keeps a push counter in the head word.
    pub fn uses_counter(self) -> bool {
        self != Variant::NoCounter
    }
}
