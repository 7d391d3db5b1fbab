//! What the audits know and Go does not: which index each push and pop claimed, which span set
//! and spine slot own each block, and how many pops each block has completed.
//!
//! Std-typed ([`Shared::audit`]): recording adds no scheduling point. Each record is made right
//! after the Platform operation it describes, with no Platform operation in between, so under the
//! serializing engines it moves atomically with that operation; on real threads the block
//! ownership checks would race with the records and are off (`checks`), while the claims, which
//! are keyed by what the atomic returned, stay exact.

use crate::check::{Ctx, Shared, ViolationKind};
use std::collections::{BTreeMap, BTreeSet};

/// Who owns a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// Not yet handed out by persistentalloc.
    Fresh,
    /// In the block pool.
    Pool,
    /// Stored (or about to be stored) at spine slot `top` of span set `set`. Not told apart by
    /// the set's resets: a reader from before a reset is possible only outside Go's contract, and
    /// there the lost span or the throw it leads to is the finding.
    Set { set: usize, top: u64 },
}

/// Where a claimed index lives: a set, its count of resets when it was claimed, the index.
type Claim = (usize, u32, u64);

#[derive(Hash)]
struct Books {
    /// Per set: resets done.
    epochs: Vec<u32>,
    /// Every tail index a push claimed, with the span it pushed there.
    pushes: BTreeMap<Claim, u64>,
    /// Every head index a pop claimed.
    pops: BTreeSet<Claim>,
    /// Per block. Invariant: a block in a set's spine is `Set` with that set and slot.
    owners: Vec<Owner>,
    /// Per block: pops completed since it was allocated.
    pops_done: Vec<u64>,
}

pub struct Ledger {
    books: Shared<Books>,
    /// Whether block ownership is checked as the threads run (the serializing engines only).
    checks: bool,
}

impl Ledger {
    pub fn new(sets: usize, blocks: usize, checks: bool) -> Self {
        let books = Books {
            epochs: vec![0; sets],
            pushes: BTreeMap::new(),
            pops: BTreeSet::new(),
            owners: vec![Owner::Fresh; blocks],
            pops_done: vec![0; blocks],
        };
        Ledger { books: Shared::audit(books), checks }
    }

    /// A push claimed tail index `cursor` of `set` for `span`.
    pub fn claimed_push(&self, cx: &Ctx, set: usize, cursor: u64, span: u64) {
        let mut books = self.books.lock();
        let epoch = books.epochs[set];
        if let Some(earlier) = books.pushes.insert((set, epoch, cursor), span) {
            drop(books);
            cx.fail(
                ViolationKind::DuplicatedSlot,
                format!("{} claimed index {cursor} of set {set} for span s{span}, but a push already claimed it for s{earlier}", cx.name()),
            );
        }
    }

    /// A pop claimed head index `head` of `set`.
    pub fn claimed_pop(&self, cx: &Ctx, set: usize, head: u64) {
        let mut books = self.books.lock();
        let epoch = books.epochs[set];
        if !books.pops.insert((set, epoch, head)) {
            drop(books);
            cx.fail(ViolationKind::DuplicatedSlot, format!("{} claimed index {head} of set {set}, which a pop already claimed", cx.name()));
        }
    }

    pub fn reset(&self, set: usize) {
        self.books.lock().epochs[set] += 1;
    }

    /// Block `block` was allocated for slot `top` of `set`.
    pub fn allocated(&self, block: usize, owner: Owner) {
        let mut books = self.books.lock();
        books.owners[block] = owner;
        books.pops_done[block] = 0;
    }

    /// `block` is back in the pool. From a pop (not reset), every slot must have been popped.
    pub fn freed(&self, cx: &Ctx, block: usize, entries: u64, by_reset: bool) {
        let mut books = self.books.lock();
        let done = books.pops_done[block];
        books.owners[block] = Owner::Pool;
        if self.checks && !by_reset && done != entries {
            drop(books);
            cx.fail(
                ViolationKind::EarlyFree,
                format!("{} returned b{block} to the pool after {done} of its {entries} pops completed", cx.name()),
            );
        }
    }

    /// A thread of `set` that expects `block` at slot `top` is about to `what` it.
    pub fn touch(&self, cx: &Ctx, block: usize, want: Owner, what: &str) {
        if !self.checks {
            return;
        }
        let owner = self.books.lock().owners[block];
        if owner != want {
            let Owner::Set { set, top } = want else { unreachable!("threads expect a set's block") };
            let now = match owner {
                Owner::Fresh => "never handed out".to_string(),
                Owner::Pool => "back in the block pool".to_string(),
                Owner::Set { set: s, top: t } if s == set => format!("set {s}'s block at slot {t}"),
                Owner::Set { set: s, top: t } => format!("in use by set {s} at slot {t}"),
            };
            cx.fail(
                ViolationKind::RecycledBlock,
                format!("{} would {what} b{block} as set {set}'s slot {top}, but it is {now}", cx.name()),
            );
        }
    }

    /// A pop of `block` completed; `popped` is the count after its add.
    pub fn popped(&self, cx: &Ctx, block: usize, popped: u64, entries: u64) {
        self.books.lock().pops_done[block] += 1;
        if popped > entries {
            cx.fail(
                ViolationKind::PoppedOverflow,
                format!("{} raised b{block}'s popped to {popped}, above its {entries} entries", cx.name()),
            );
        }
    }

    /// Every span pushed, in push order of (set, epoch, index).
    pub fn pushed_spans(&self) -> Vec<u64> {
        self.books.lock().pushes.values().copied().collect()
    }

    pub fn owner(&self, block: usize) -> Owner {
        self.books.lock().owners[block]
    }
}
