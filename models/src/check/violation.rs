//! Typed violations: what went wrong, in the vocabulary of the catalogue (`violation:<kind>`).

use serde::{Deserialize, Serialize};
use std::fmt;

crate::declare_named! {
    /// The kind of a violation. Its name is what catalogue expectations and replay files use; its
    /// meaning is what `gcmc explain` prints beside a violation of the kind.
    pub enum ViolationKind as "violation kind" {
        Aba = "aba" => "ABA: a CAS on the head succeeded against a word whose node had been popped (and maybe pushed back) in between, so the stack handed out a node another thread holds",
        LostNode = "lost-node" => "a node is on no stack and in no thread's hands: a CAS installed a stale next and cut it off",
        DuplicatedNode = "duplicated-node" => "a node is reachable twice (two stacks, twice on one, a cycle, or a stack and a thread's hands)",
        NotLinearizable = "not-linearizable" => "no sequential order of the same operations gives these results",
        DoubleAllocation = "double-allocation" => "two live allocations overlap: the same bits were handed to two owners",
        OutOfBounds = "out-of-bounds" => "an allocation extends past the end of its arena",
        Misaligned = "misaligned" => "an allocation is not 8-byte aligned",
        UndersizedBits = "undersized-bits" => "an allocation holds fewer bits than the span it was requested for has objects",
        NonzeroBits = "nonzero-bits" => "bits handed out were not zero",
        LostArena = "lost-arena" => "an arena that came from the OS is on none of the free/next/current/previous lists",
        WastedArena = "wasted-arena" => "the OS was asked for an arena the requests did not need: one idled on the free list, or an arena in use was abandoned with room for a request",
        CorruptList = "corrupt-list" => "an arena is on two lists, twice on one, or a list has a cycle",
        LostWorkbuf = "lost-workbuf" => "a workbuf is in no place: not on work.empty or work.full, in no P's cache, in no thread's hands",
        LostObject = "lost-object" => "fewer objects are queued in workbufs than were put and not yet got: a grey object is never scanned",
        DuplicatedObject = "duplicated-object" => "more objects are queued in workbufs than were put and not yet got: an object was counted twice or made up",
        DuplicatedWorkbuf = "duplicated-workbuf" => "a workbuf is in two places at once: two owners, or a list and a cache",
        LostSpan = "lost-span" => "a span that came from the heap is in none of busy, free, or returned, or a sweeper that finished in _GCoff left it unreturned",
        DuplicatedSpan = "duplicated-span" => "a span is on two lists at once",
        ForeignSpan = "foreign-span" => "a span is on wbufSpans.busy or free that allocManual never handed out: memory the pool does not own",
        UseAfterFree = "use-after-free" => "memory was touched after it went back to the modelled OS or heap",
        FreedDuringMark = "freed-during-mark" => "a workbuf span went from manual to free while the GC was marking (the #11267 rule)",
        NilBlock = "nil-block" => "a span set's pop, push or reset loaded a nil block pointer from its spine, or looked past the spine's end: the load golang/go#78237 faulted on",
        RecycledBlock = "recycled-block" => "a span set operation used a block that is back in the block pool, or owned by another span set or another spine slot",
        DuplicatedSlot = "duplicated-slot" => "two pushes, or two pops, claimed the same index of a span set",
        EarlyFree = "early-free" => "a span set block went back to the pool before every slot of it was popped",
        PoppedOverflow = "popped-overflow" => "a span set block's popped count exceeded its number of entries",
        LostSetSpan = "lost-set-span" => "a span pushed into a span set was never popped and is not in the set",
        DuplicatedSetSpan = "duplicated-set-span" => "a span pushed into a span set was popped twice, or is both popped and still in the set",
        MisplacedBlock = "misplaced-block" => "a span set block is neither in the block pool nor in a live spine slot (leaked), or is in two places",
        Throw = "throw" => "the runtime reached one of Go's throws; the message is Go's",
        DataRace = "data-race" => "loom saw two conflicting accesses with no happens-before between them",
        Deadlock = "deadlock" => "every live thread is blocked",
        Panic = "panic" => "a panic the model did not classify: a bug in the model or the harness, not a finding",
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
    fn kind_names_are_distinct_and_meanings_given() {
        let mut names: Vec<_> = ViolationKind::ALL.iter().map(|k| k.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ViolationKind::ALL.len());
        assert!(ViolationKind::ALL.iter().all(|k| !k.meaning().is_empty()));
        assert_eq!(ViolationKind::from_name("no-such-kind"), None);
        assert_eq!(serde_json::to_string(&ViolationKind::LostArena).unwrap(), "\"lost-arena\"");
    }
}
