//! Typed violations: what went wrong, in the vocabulary of the catalogue (`violation:<kind>`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// The kind of a violation. The kebab-case name is what catalogue expectations and replay files use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ViolationKind {
    /// A node (or workbuf) was popped while another thread still owned it: the stack handed out
    /// something that was not on it, the signature of ABA.
    Aba,
    /// At quiescence a node is on no stack and in no thread's hands.
    LostNode,
    /// At quiescence a node is reachable twice (on two stacks, twice on one, or in a cycle).
    DuplicatedNode,
    /// The observed results allow no sequential order of the same operations.
    NotLinearizable,
    /// Two live allocations overlap.
    DoubleAllocation,
    /// An allocation extends past the end of its arena.
    OutOfBounds,
    /// An allocation is not 8-byte aligned.
    Misaligned,
    /// An allocation holds fewer bits than the objects of the span it was requested for.
    UndersizedBits,
    /// Bits handed out were not zero.
    NonzeroBits,
    /// An arena that came from the OS is on none of the lists at quiescence.
    LostArena,
    /// An arena is on two lists, twice on one, or a list has a cycle.
    CorruptList,
    /// A workbuf is in no place at quiescence.
    LostWorkbuf,
    /// A workbuf is in two places at once (two owners, or on a list and in a cache).
    DuplicatedWorkbuf,
    /// A span that came from the heap is in none of busy, free, or returned; or, after a sweeper
    /// that ran to completion in _GCoff, a span prepared for freeing never went back to the heap.
    LostSpan,
    /// A span is on two lists at once.
    DuplicatedSpan,
    /// Memory was touched after it was returned to the modelled OS or heap.
    UseAfterFree,
    /// A workbuf span went from manual to free while the GC was marking (the #11267 rule).
    FreedDuringMark,
    /// The model reached one of Go's `throw`s; the detail is Go's message, verbatim.
    Throw,
    /// loom saw two unsynchronized conflicting accesses ("Causality violation").
    DataRace,
    /// Every live thread is blocked.
    Deadlock,
    /// A panic the model did not classify: a bug in the model or the harness, not in the variant.
    Panic,
}

impl ViolationKind {
    pub const ALL: [ViolationKind; 21] = [
        ViolationKind::Aba,
        ViolationKind::LostNode,
        ViolationKind::DuplicatedNode,
        ViolationKind::NotLinearizable,
        ViolationKind::DoubleAllocation,
        ViolationKind::OutOfBounds,
        ViolationKind::Misaligned,
        ViolationKind::UndersizedBits,
        ViolationKind::NonzeroBits,
        ViolationKind::LostArena,
        ViolationKind::CorruptList,
        ViolationKind::LostWorkbuf,
        ViolationKind::DuplicatedWorkbuf,
        ViolationKind::LostSpan,
        ViolationKind::DuplicatedSpan,
        ViolationKind::UseAfterFree,
        ViolationKind::FreedDuringMark,
        ViolationKind::Throw,
        ViolationKind::DataRace,
        ViolationKind::Deadlock,
        ViolationKind::Panic,
    ];

    /// The kebab-case name, as written in the catalogue.
    pub fn name(self) -> &'static str {
        match self {
            ViolationKind::Aba => "aba",
            ViolationKind::LostNode => "lost-node",
            ViolationKind::DuplicatedNode => "duplicated-node",
            ViolationKind::NotLinearizable => "not-linearizable",
            ViolationKind::DoubleAllocation => "double-allocation",
            ViolationKind::OutOfBounds => "out-of-bounds",
            ViolationKind::Misaligned => "misaligned",
            ViolationKind::UndersizedBits => "undersized-bits",
            ViolationKind::NonzeroBits => "nonzero-bits",
            ViolationKind::LostArena => "lost-arena",
            ViolationKind::CorruptList => "corrupt-list",
            ViolationKind::LostWorkbuf => "lost-workbuf",
            ViolationKind::DuplicatedWorkbuf => "duplicated-workbuf",
            ViolationKind::LostSpan => "lost-span",
            ViolationKind::DuplicatedSpan => "duplicated-span",
            ViolationKind::UseAfterFree => "use-after-free",
            ViolationKind::FreedDuringMark => "freed-during-mark",
            ViolationKind::Throw => "throw",
            ViolationKind::DataRace => "data-race",
            ViolationKind::Deadlock => "deadlock",
            ViolationKind::Panic => "panic",
        }
    }

    /// Parses a kebab-case name; `None` if there is no such kind.
    pub fn from_name(name: &str) -> Option<ViolationKind> {
        ViolationKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for ViolationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A violation: its kind and, in words, what happened (for a throw, Go's message verbatim).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub kind: ViolationKind,
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_round_trip_and_match_serde() {
        for kind in ViolationKind::ALL {
            assert_eq!(ViolationKind::from_name(kind.name()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.name()));
        }
        let mut names: Vec<_> = ViolationKind::ALL.iter().map(|k| k.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ViolationKind::ALL.len());
        assert_eq!(ViolationKind::from_name("no-such-kind"), None);
    }
}
