//! lfstack: Go's lock-free stack, under work.full and work.empty.
//!
//! Ports src/runtime/lfstack.go and lfstack_64bit.go at the seed commits (9cc883a4, 6c4a8d19):
//! the algorithm of 62a4359e (Oct 2014) on the typed `lfstack` of 13ae271d. Go's own tests are
//! TestLFStack and TestLFStackStress; the scenarios here are their shape, shrunk for the checkers.
//!
//! Differences from Go: see [`packing`] (widths are parameters) and [`stack`] (nodes live in a
//! never-freed pool named by modelled addresses; `next` is a Relaxed atomic).

pub mod config;
pub mod linearizability;
pub mod packing;
pub mod scenario;
pub mod stack;

pub use config::{Config, Op};
pub use packing::{Packing, TaggedPointer};
pub use scenario::LfStackScenario;
pub use stack::{LfNode, LfNodes, LfStack, Walk};

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which lfstack algorithm runs: Go's, or one of its catalogued breakages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// The algorithm at the seeds: per-node push counter in the head word; pop restores the saved
    /// word. Must hold (with a counter wide enough for the scenario: a 1- or 2-bit counter is R2).
    Go,
    /// R1: no counter at all, a plain Treiber stack. ABA.
    NoCounter,
    /// R3: the 2012 pop (a5dc7793), rebuilding the counter from the next node's `pushcnt`. A data
    /// race; only loom sees it.
    #[serde(rename = "pop-2012")]
    Pop2012,
    /// R4 (#7977): the head CAS in push is Relaxed, so the store to `next` is not published. Loom
    /// only.
    RelaxedPushCas,
    /// R4 (#10189): the head load in pop is Relaxed, so pop may read a stale `next`. Loom only.
    RelaxedPopLoad,
}

impl Variant {
    pub const ALL: [Variant; 5] = [Variant::Go, Variant::NoCounter, Variant::Pop2012, Variant::RelaxedPushCas, Variant::RelaxedPopLoad];

    pub fn name(self) -> &'static str {
        match self {
            Variant::Go => "go",
            Variant::NoCounter => "no-counter",
            Variant::Pop2012 => "pop-2012",
            Variant::RelaxedPushCas => "relaxed-push-cas",
            Variant::RelaxedPopLoad => "relaxed-pop-load",
        }
    }

    pub fn from_name(name: &str) -> Option<Variant> {
        Variant::ALL.into_iter().find(|v| v.name() == name)
    }

    /// Whether the variant keeps a push counter in the head word.
    pub fn uses_counter(self) -> bool {
        self != Variant::NoCounter
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
