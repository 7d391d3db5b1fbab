//! `spanSet`: a lock-free set of spans, a growable spine of pointers to fixed-size blocks.
//!
//! Ports `(*spanSet).push`, `pop` and `reset`, and the spine's `lookup` (src/runtime/mspanset.go,
//! go1.25.6: the set of 2020 whose pop was made safe to run concurrently with push, in the typed
//! atomics of later releases). Go's contract: push and pop may run concurrently with each other;
//! reset may not run concurrently with any other operation on the set.
//!
//! Differences from Go:
//! - Spines are named, not pointed to: `spine` holds 0 (nil) or k + 1 for the k-th spine the set
//!   ever allocated, and spine k has `spanSetInitSpineCap << k` slots, never freed (Go leaks old
//!   spines for the same reason: a reader may still hold one). A block pointer is the block's
//!   modelled address, 0 for nil. So a nil or stale pointer is something to report, not to
//!   dereference: each load of a block is checked against the ledger before it is used.
//! - The growth's `memmove` of the old spine is a Relaxed load and a Relaxed store per slot, each
//!   a scheduling point: Go's memmove is plain, but a popper may clear a slot of the old spine
//!   while it runs, and a plain copy racing an atomic store is a data race in Rust. Relaxed
//!   promises no more than memmove, which copies each pointer-sized word whole.
//! - `spineCap` and the next spine to allocate are the data of the `spineLock` mutex.
//! - A failed CAS on the index is Relaxed: its value is discarded, and the index is loaded again.

use super::blocks::BlockPool;
use super::index::{AtomicHeadTailIndex, IndexWidth};
use super::ledger::{Ledger, Owner};
use super::Variant;
use crate::check::{Ctx, ViolationKind};
use crate::platform::{AtomicU64, Mutex, Ordering, Platform};

/// One spine: Go's `*[N]atomic.Pointer[spanSetBlock]`.
struct Spine<P: Platform> {
    /// Protocol: a slot is stored (a block, or nil by its last popper or by reset) with Go's
    /// sequentially consistent atomics; the growth's copy reads and writes it Relaxed.
    slots: Vec<P::AtomicU64>,
}

/// The data `spineLock` protects.
#[derive(Hash)]
struct SpineLocked {
    /// `spineCap`: the current spine's capacity, 0 before the first block.
    cap: u64,
    /// Spines allocated so far; the next growth takes this one.
    allocated: usize,
}

pub struct SpanSet<P: Platform> {
    id: usize,
    spine_lock: P::Mutex<SpineLocked>,
    /// Protocol: stored only with `spineLock` held, loaded by anyone; SeqCst, as Go's.
    /// Invariant: from the head's slot to `spine_len` the current spine holds the set's blocks;
    /// below the head's slot it may keep a pointer to a freed block (the growth copied the slot
    /// before its last popper cleared it in the old spine), which nothing reads. Go's push keeps
    /// the first half only while blocks are added in index order (the README's "spanSet and
    /// golang/go#78237": not when more pushers than a block has entries race).
    spine: P::AtomicU64,
    /// `spineLen`. Protocol: stored with `spineLock` held, after the new block is stored in the
    /// spine (so a reader who sees the length sees the block), and by reset; loaded by anyone.
    spine_len: P::AtomicU64,
    index: AtomicHeadTailIndex<P>,
    spines: Vec<Spine<P>>,
    entries: u64,
    init_cap: u64,
    variant: Variant,
}

impl<P: Platform> SpanSet<P> {
    /// A set with room for `max_blocks` blocks in its largest spine.
    pub fn new(id: usize, variant: Variant, width: IndexWidth, entries: u64, init_cap: u64, max_blocks: u64) -> Self {
        let mut spines = Vec::new();
        let mut cap = init_cap;
        loop {
            spines.push(Spine { slots: (0..cap).map(|_| P::AtomicU64::new(0)).collect() });
            if cap >= max_blocks {
                break;
            }
            cap *= 2;
        }
        SpanSet {
            id,
            spine_lock: P::Mutex::new(SpineLocked { cap: 0, allocated: 0 }),
            spine: P::AtomicU64::new(0),
            spine_len: P::AtomicU64::new(0),
            index: AtomicHeadTailIndex::new(width),
            spines,
            entries,
            init_cap,
            variant,
        }
    }

    fn width(&self) -> IndexWidth {
        self.index.width()
    }

    /// `spine.lookup(top)`: the slot, or a nil-block violation if the spine is nil or too short
    /// (Go would compute an address outside any spine and load from it).
    fn slot(&self, spine: u64, top: u64, func: &'static str, cx: &Ctx) -> &P::AtomicU64 {
        let Some(s) = spine.checked_sub(1).and_then(|k| self.spines.get(k as usize)) else {
            cx.fail(ViolationKind::NilBlock, format!("{func}: set {}: {} looked up slot {top} of a nil spine", self.id, cx.name()));
        };
        match s.slots.get(top as usize) {
            Some(slot) => slot,
            None => cx.fail(
                ViolationKind::NilBlock,
                format!(
                    "{func}: set {}: {} looked up slot {top} past the end of spine {} ({} slots)",
                    self.id,
                    cx.name(),
                    spine - 1,
                    s.slots.len()
                ),
            ),
        }
    }

    /// Loads the block at slot `top` of `spine`; nil is a violation (the load Go dereferences).
    fn load_block(&self, pool: &BlockPool<P>, spine: u64, top: u64, func: &'static str, cx: &Ctx) -> usize {
        let word = self.slot(spine, top, func, cx).load(Ordering::SeqCst);
        match pool.blocks.index(word) {
            Some(block) => block,
            None => cx.fail(
                ViolationKind::NilBlock,
                format!("{func}: set {}: {} loaded block {word:#x} from slot {top} of spine {}", self.id, cx.name(), spine - 1),
            ),
        }
    }

    /// `push`: claims a tail slot, finds (or adds) its block, stores the span.
    pub fn push(&self, span: u64, pool: &BlockPool<P>, ledger: &Ledger, cx: &Ctx) {
        let ht = self.index.inc_tail(self.variant, cx);
        // Go's uintptr(tail - 1) of a uint32: a tail wrapped to 0 names the last index.
        let cursor = self.width().tail(ht).wrapping_sub(1) & self.width().max();
        let (top, bottom) = (cursor / self.entries, cursor % self.entries);
        ledger.claimed_push(cx, self.id, cursor, span);
        cx.step("spanSet.push", format_args!("set {}: s{span}: incTail -> {:?}: index {cursor}", self.id, self.width().split(ht)));
        let owner = Owner::Set { set: self.id, top };
        let mut spine_len = self.spine_len.load(Ordering::SeqCst);
        let block = loop {
            if top < spine_len {
                let spine = self.spine.load(Ordering::SeqCst);
                let block = self.load_block(pool, spine, top, "spanSet.push", cx);
                cx.step("spanSet.push", format_args!("set {}: spineLen {spine_len}: b{block} at slot {top}", self.id));
                break block;
            }
            let mut locked = self.spine_lock.lock();
            spine_len = self.spine_len.load(Ordering::SeqCst);
            if top < spine_len {
                drop(locked);
                continue;
            }
            let mut spine = self.spine.load(Ordering::SeqCst);
            if spine_len == locked.cap {
                spine = self.grow(&mut locked, spine, cx);
            }
            // Go stores at `top` and counts it as block `spine_len`: the same only when no pusher of
            // a later block got the lock before every pusher of this one.
            let block = pool.alloc(cx);
            ledger.allocated(block, owner);
            let slot = self.slot(spine, top, "spanSet.push", cx);
            if self.variant == Variant::LenBeforeBlock {
                self.spine_len.store(spine_len + 1, Ordering::SeqCst);
                slot.store(super::blocks::Blocks::<P>::addr(block), Ordering::SeqCst);
            } else {
                slot.store(super::blocks::Blocks::<P>::addr(block), Ordering::SeqCst);
                let order = if self.variant == Variant::RelaxedSpineLen { Ordering::Relaxed } else { Ordering::SeqCst };
                self.spine_len.store(spine_len + 1, order);
            }
            cx.step(
                "spanSet.push",
                format_args!("set {}: spineLock: b{block} stored at slot {top}, spineLen = {}", self.id, spine_len + 1),
            );
            drop(locked);
            break block;
        };
        ledger.touch(cx, block, owner, "store a span into");
        pool.blocks.block(block).spans[bottom as usize].store(span, Ordering::SeqCst);
        cx.step("spanSet.push", format_args!("set {}: s{span} stored in b{block}[{bottom}]", self.id));
    }

    /// The growth, `spineLock` must be held: a spine twice the size, the old one's slots copied
    /// while poppers may clear them, then published. Returns the new spine.
    fn grow(&self, locked: &mut SpineLocked, old: u64, cx: &Ctx) -> u64 {
        let new_cap = if locked.cap == 0 { self.init_cap } else { locked.cap * 2 };
        let k = locked.allocated;
        let Some(new) = self.spines.get(k) else {
            cx.fail(
                ViolationKind::Panic,
                format!("set {}: the model sized {} spines and a push wanted another", self.id, self.spines.len()),
            );
        };
        debug_assert_eq!(new.slots.len() as u64, new_cap);
        locked.allocated += 1;
        if locked.cap != 0 {
            let from = &self.spines[old as usize - 1];
            for (i, to) in new.slots.iter().enumerate().take(locked.cap as usize) {
                to.store(from.slots[i].load(Ordering::Relaxed), Ordering::Relaxed);
            }
        }
        self.spine.store(k as u64 + 1, Ordering::SeqCst);
        locked.cap = new_cap;
        cx.step("spanSet.push", format_args!("set {}: spineLock: grew the spine to spine {k} ({new_cap} slots)", self.id));
        k as u64 + 1
    }

    /// `pop`: claims the head, loads its span, and frees the block after its last pop. `caller`
    /// is the calling thread's local state (see [`Platform::local_state`]), declared again at each
    /// turn of the wait for a span, so that a wait that sees nothing new is a state seen before.
    pub fn pop<L: std::hash::Hash + ?Sized>(&self, pool: &BlockPool<P>, ledger: &Ledger, cx: &Ctx, caller: &L) -> Option<u64> {
        let w = self.width();
        let head = 'claim: loop {
            let mut ht = self.index.load();
            let (mut head, mut tail) = w.split(ht);
            if head >= tail {
                cx.step("spanSet.pop", format_args!("set {}: index ({head}, {tail}): empty", self.id));
                return None;
            }
            if self.variant != Variant::NoSpineLenCheck {
                let spine_len = self.spine_len.load(Ordering::SeqCst);
                if spine_len <= head / self.entries {
                    cx.step("spanSet.pop", format_args!("set {}: index {head} not backed yet (spineLen {spine_len}): nil", self.id));
                    return None;
                }
            }
            let want = head;
            while want == head {
                if self.index.cas(ht, w.make(want + 1, tail)) {
                    break 'claim head;
                }
                ht = self.index.load();
                (head, tail) = w.split(ht);
            }
        };
        ledger.claimed_pop(cx, self.id, head);
        let (top, bottom) = (head / self.entries, head % self.entries);
        let spine = self.spine.load(Ordering::SeqCst);
        let block = self.load_block(pool, spine, top, "spanSet.pop", cx);
        cx.step("spanSet.pop", format_args!("set {}: claimed index {head}: b{block} at slot {top} of spine {}", self.id, spine - 1));
        let owner = Owner::Set { set: self.id, top };
        let b = pool.blocks.block(block);
        ledger.touch(cx, block, owner, "load a span from");
        let mut span = b.spans[bottom as usize].load(Ordering::SeqCst);
        while span == 0 {
            // The pusher of this index has not stored its span yet.
            P::local_state(&(caller, head, spine, block));
            P::spin_loop();
            ledger.touch(cx, block, owner, "load a span from");
            span = b.spans[bottom as usize].load(Ordering::SeqCst);
        }
        ledger.touch(cx, block, owner, "clear a slot of");
        b.spans[bottom as usize].store(0, Ordering::SeqCst);
        ledger.touch(cx, block, owner, "count a pop of");
        let popped = b.popped.fetch_add(1, Ordering::SeqCst) + 1;
        ledger.popped(cx, block, popped, self.entries);
        cx.step("spanSet.pop", format_args!("set {}: s{span} from b{block}[{bottom}]; popped = {popped}", self.id));
        let last = match self.variant {
            // Xadd's result read as the count before the add: one pop early.
            Variant::PoppedEarly => popped + 1 == self.entries,
            // fetch_add's result (the count before) compared as Go compares Xadd's: never.
            Variant::PoppedOldValue => popped - 1 == self.entries,
            _ => popped == self.entries,
        };
        if last {
            let slot = self.slot(spine, top, "spanSet.pop", cx);
            if self.variant == Variant::FreeBeforeClear {
                pool.free(block, cx);
                ledger.freed(cx, block, self.entries, false);
                slot.store(0, Ordering::SeqCst);
            } else {
                slot.store(0, Ordering::SeqCst);
                pool.free(block, cx);
                ledger.freed(cx, block, self.entries, false);
            }
            cx.step("spanSet.pop", format_args!("set {}: last pop of b{block}: slot {top} cleared, b{block} freed", self.id));
        }
        Some(span)
    }

    /// `reset`, which may not run concurrently with any other operation on the set: frees the
    /// block of the head's slot, if any, and zeroes the index and the length.
    pub fn reset(&self, pool: &BlockPool<P>, ledger: &Ledger, cx: &Ctx) {
        let (head, tail) = self.width().split(self.index.load());
        if head < tail {
            cx.step("spanSet.reset", format_args!("head = {head}, tail = {tail}"));
            cx.throw("attempt to clear non-empty span set");
        }
        let top = head / self.entries;
        if top < self.spine_len.load(Ordering::SeqCst) {
            let spine = self.spine.load(Ordering::SeqCst);
            let slot = self.slot(spine, top, "spanSet.reset", cx);
            if let Some(block) = pool.blocks.index(slot.load(Ordering::SeqCst)) {
                let b = pool.blocks.block(block);
                ledger.touch(cx, block, Owner::Set { set: self.id, top }, "reset");
                if b.popped.load(Ordering::SeqCst) == 0 {
                    cx.throw("span set block with unpopped elements found in reset");
                }
                if b.popped.load(Ordering::SeqCst) == self.entries {
                    cx.throw("fully empty unfreed span set block found in reset");
                }
                slot.store(0, Ordering::SeqCst);
                pool.free(block, cx);
                ledger.freed(cx, block, self.entries, true);
                cx.step("spanSet.reset", format_args!("set {}: b{block} at slot {top} cleared and freed", self.id));
            }
        }
        self.index.reset();
        ledger.reset(self.id);
        self.spine_len.store(0, Ordering::SeqCst);
        cx.step("spanSet.reset", format_args!("set {}: index = (0, 0), spineLen = 0", self.id));
    }

    /// What the set holds at quiescence (no other thread running).
    pub fn contents(&self, pool: &BlockPool<P>) -> Contents {
        let (head, tail) = self.width().split(self.index.load());
        let spine_len = self.spine_len.load(Ordering::SeqCst);
        let spine = self.spine.load(Ordering::SeqCst);
        let block_at = |top: u64| -> Option<usize> {
            let s = self.spines.get(spine.checked_sub(1)? as usize)?;
            (top < spine_len).then_some(())?;
            pool.blocks.index(s.slots.get(top as usize)?.load(Ordering::SeqCst))
        };
        let spans = (head..tail.max(head))
            .map(|i| {
                let span =
                    block_at(i / self.entries).map(|b| pool.blocks.block(b).spans[(i % self.entries) as usize].load(Ordering::SeqCst));
                (i, span.filter(|&s| s != 0))
            })
            .collect();
        let live = (head / self.entries..spine_len).map(|top| (top, block_at(top))).collect();
        Contents { spans, live }
    }
}

/// [`SpanSet::contents`].
pub struct Contents {
    /// Each index in [head, tail) with the span its slot holds (None where no block backs it).
    pub spans: Vec<(u64, Option<u64>)>,
    /// The blocks of the live slots, from the head's slot to `spineLen`: each must be one.
    pub live: Vec<(u64, Option<usize>)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{violation_of, Recorder};
    use crate::platform::Std;
    use crate::spanset::blocks::Blocks;

    struct World {
        pool: BlockPool<Std>,
        set: SpanSet<Std>,
        ledger: Ledger,
    }

    fn world(entries: u64) -> World {
        World {
            pool: BlockPool::new(Blocks::new(4, entries as usize), Variant::Go),
            set: SpanSet::new(0, Variant::Go, IndexWidth(8), entries, 1, 4),
            ledger: Ledger::new(1, 4, true),
        }
    }

    /// Go's three reset throws, each from the state it guards against: forged here, since no
    /// schedule of Go's code within its contract reaches the last two (their blocks are freed
    /// by the last popper or not yet counted).
    #[test]
    fn reset_throws_go_s_messages() {
        let message = |f: &dyn Fn(&World, &Ctx)| {
            let w = world(3);
            let rec = Recorder::new(false);
            let cx = Ctx::thread(&rec, 0);
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&w, &cx)));
            assert!(caught.is_err());
            rec.violation().expect("a throw").detail
        };
        let push_pop = |w: &World, cx: &Ctx| {
            w.set.push(1, &w.pool, &w.ledger, cx);
            w.set.push(2, &w.pool, &w.ledger, cx);
            assert_eq!(w.set.pop(&w.pool, &w.ledger, cx, &()), Some(1));
            assert_eq!(w.set.pop(&w.pool, &w.ledger, cx, &()), Some(2));
        };
        assert_eq!(
            message(&|w, cx| {
                w.set.push(1, &w.pool, &w.ledger, cx);
                w.set.reset(&w.pool, &w.ledger, cx);
            }),
            "attempt to clear non-empty span set"
        );
        assert_eq!(
            message(&|w, cx| {
                push_pop(w, cx);
                w.pool.blocks.block(0).popped.store(0, Ordering::SeqCst);
                w.set.reset(&w.pool, &w.ledger, cx);
            }),
            "span set block with unpopped elements found in reset"
        );
        assert_eq!(
            message(&|w, cx| {
                push_pop(w, cx);
                w.pool.blocks.block(0).popped.store(3, Ordering::SeqCst);
                w.set.reset(&w.pool, &w.ledger, cx);
            }),
            "fully empty unfreed span set block found in reset"
        );
    }

    /// Within the contract, reset frees the head's partly popped block and the set starts over.
    #[test]
    fn reset_frees_the_head_block_and_the_set_is_usable_again() {
        let w = world(3);
        let rec = Recorder::new(false);
        let cx = Ctx::thread(&rec, 0);
        w.set.push(1, &w.pool, &w.ledger, &cx);
        assert_eq!(w.set.pop(&w.pool, &w.ledger, &cx, &()), Some(1));
        w.set.reset(&w.pool, &w.ledger, &cx);
        assert_eq!(w.ledger.owner(0), Owner::Pool);
        w.set.push(2, &w.pool, &w.ledger, &cx);
        assert_eq!(w.ledger.owner(0), Owner::Set { set: 0, top: 0 }, "the pool's block is reused");
        assert_eq!(w.set.pop(&w.pool, &w.ledger, &cx, &()), Some(2));
        assert_eq!(w.set.pop(&w.pool, &w.ledger, &cx, &()), None);
        assert!(rec.violation().is_none());
        // A block the ledger has in the pool is a recycled block to anyone who uses it as a set's.
        let used = std::panic::AssertUnwindSafe(&w);
        w.ledger.freed(&cx, 1, 3, true);
        assert_eq!(
            violation_of(|cx| used.ledger.touch(cx, 1, Owner::Set { set: 0, top: 1 }, "load a span from")),
            ViolationKind::RecycledBlock
        );
    }
}
