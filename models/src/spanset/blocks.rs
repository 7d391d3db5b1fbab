//! `spanSetBlock` and `spanSetBlockAlloc`: fixed-size blocks of span slots, recycled through a
//! global lock-free pool shared by every span set.
//!
//! Ports `spanSetBlock`, `spanSetBlockPool`, `(*spanSetBlockAlloc).alloc` and `free`
//! (src/runtime/mspanset.go, go1.25.6). The pool's stack is the lfstack model's [`LfStack`], over
//! the blocks' own `lfnode` headers, as Go embeds `lfnode` first in `spanSetBlock`.
//!
//! Differences from Go:
//! - persistentalloc is a bump over a fixed array of never-freed blocks, kept in a std-side
//!   [`Shared`] counter: no scheduling point. Go's persistentalloc takes its own lock, which
//!   orders nothing the span set relies on (a fresh block is published through the spine, as a
//!   recycled one is), so no schedule is lost by leaving it out.
//! - A block's memory is never unmapped, as in Go, so a stale pointer can always be followed; the
//!   ledger ([`super::ledger`]) says when following it reached a block that had moved on.
//! - `popped` is 64 bits wide (Go's is a `uint32`): it never comes near either width here.

use super::Variant;
use crate::check::{Ctx, Shared, ViolationKind};
use crate::lfstack::{self, LfNode, LfNodes, LfStack, Packing};
use crate::platform::{AtomicU64, Ordering, Platform};

/// Where block 0 lives; block i is `BLOCK_STRIDE` bytes above block i - 1 (4 KiB, as Go's are).
pub const BLOCK_BASE: u64 = 0x00c0_0010_0000;
pub const BLOCK_STRIDE: u64 = 0x1000;

/// A block: Go's `spanSetBlock`.
pub struct Block<P: Platform> {
    /// Free blocks are linked through it. Protocol: the lfstack's (ownership passes through the
    /// pool's head CAS).
    node: LfNode<P>,
    /// Pops completed on this block since it was last allocated.
    /// Protocol: Go's `atomic.Uint32`: an add by each popper, a store of 0 by `free` before the
    /// block is published to the pool. Invariant: never above the block's entries.
    pub popped: P::AtomicU64,
    /// The span slots (0 is nil). Protocol: a pusher stores its span once into the slot it claimed
    /// through the tail; the popper that claimed the slot through the head loads it, spinning while
    /// it is still nil, and stores nil back.
    pub spans: Vec<P::AtomicU64>,
}

/// Every block memory can hold: what persistentalloc has handed out and what it may yet.
pub struct Blocks<P: Platform> {
    blocks: Vec<Block<P>>,
    /// How many blocks persistentalloc has handed out (the next fresh one's index).
    fresh: Shared<usize>,
}

impl<P: Platform> Blocks<P> {
    pub fn new(count: usize, entries: usize) -> Self {
        let block =
            || Block { node: LfNode::new(), popped: P::AtomicU64::new(0), spans: (0..entries).map(|_| P::AtomicU64::new(0)).collect() };
        Blocks { blocks: (0..count).map(|_| block()).collect(), fresh: Shared::steering(0) }
    }

    pub fn addr(index: usize) -> u64 {
        BLOCK_BASE + index as u64 * BLOCK_STRIDE
    }

    /// The block's index, if `addr` is the start of one.
    pub fn index(&self, addr: u64) -> Option<usize> {
        let offset = addr.checked_sub(BLOCK_BASE)?;
        let index = usize::try_from(offset / BLOCK_STRIDE).ok()?;
        (offset % BLOCK_STRIDE == 0 && index < self.blocks.len()).then_some(index)
    }

    pub fn block(&self, index: usize) -> &Block<P> {
        &self.blocks[index]
    }

    /// How many blocks persistentalloc handed out: each must end in the pool or in a live slot.
    pub fn handed_out(&self) -> usize {
        *self.fresh.lock()
    }

    fn persistentalloc(&self, cx: &Ctx) -> usize {
        let mut fresh = self.fresh.lock();
        let index = *fresh;
        if index == self.blocks.len() {
            drop(fresh);
            cx.fail(
                ViolationKind::Panic,
                format!("persistentalloc: the model sized {} blocks and a push wanted another", self.blocks.len()),
            );
        }
        *fresh += 1;
        index
    }
}

impl<P: Platform> LfNodes<P> for Blocks<P> {
    fn node(&self, addr: u64) -> Option<&LfNode<P>> {
        self.index(addr).map(|i| &self.blocks[i].node)
    }

    fn label(&self, addr: u64) -> String {
        match self.index(addr) {
            Some(i) => format!("b{i}"),
            None => format!("{addr:#x}"),
        }
    }
}

/// `spanSetBlockAlloc`: the pool of free blocks every span set allocates from.
pub struct BlockPool<P: Platform> {
    /// Protocol: the lfstack's; the blocks it links are owned by no span set.
    stack: LfStack<P>,
    pub blocks: Blocks<P>,
    variant: Variant,
}

impl<P: Platform> BlockPool<P> {
    pub fn new(blocks: Blocks<P>, variant: Variant) -> Self {
        BlockPool { stack: LfStack::new("spanSetBlockPool", Packing::GO_AMD64, lfstack::Variant::Go), blocks, variant }
    }

    /// `alloc`: a block from the pool, else a fresh one; returns its index.
    pub fn alloc(&self, cx: &Ctx) -> usize {
        if let Some(addr) = self.stack.pop(&self.blocks, cx) {
            let index = self.blocks.index(addr).expect("the pool links only blocks");
            cx.step("spanSetBlockAlloc.alloc", format_args!("b{index} from the pool"));
            return index;
        }
        let index = self.blocks.persistentalloc(cx);
        cx.step("spanSetBlockAlloc.alloc", format_args!("pool empty: persistentalloc b{index}"));
        index
    }

    /// `free`: zero `popped`, then publish the block to the pool.
    pub fn free(&self, index: usize, cx: &Ctx) {
        if self.variant != Variant::FreeKeepsPopped {
            self.blocks.block(index).popped.store(0, Ordering::SeqCst);
        }
        self.stack.push(&self.blocks, Blocks::<P>::addr(index), cx);
    }

    /// The blocks in the pool, for audits at quiescence.
    pub fn walk(&self, cx: &Ctx) -> lfstack::Walk {
        self.stack.walk(&self.blocks, cx)
    }
}
