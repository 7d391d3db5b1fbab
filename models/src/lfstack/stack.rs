//! The lock-free stack: push, pop and empty over a [`TaggedPointer`] head.
//!
//! Ports `(*lfstack).push`, `pop` and `empty` (src/runtime/lfstack.go, the Oct 2014 algorithm of
//! 62a4359e as it stands at the seed commits 9cc883a4 and 6c4a8d19), plus the broken neighbours of
//! the regression catalogue as [`Variant`]s, each one branch beside the line it breaks.
//!
//! Differences from Go:
//! - Nodes are named by modelled addresses that a [`LfNodes`] pool resolves, not by pointers, so a
//!   stale head can be followed safely: the pool is never freed while a popper may hold one
//!   (Go relies on the same property: lfnodes are never unmapped).
//! - `next` is an atomic with Relaxed accesses where Go uses a plain store and an atomic load:
//!   publication is through the head CAS, and a plain field would be a data race in Rust.
//! - `pushcnt` is a [`Cell`] so loom checks that only the owner touches it.
//! - Every `pushcnt` starts at 0, as in Go's tests (zeroed nodes); a workbuf carved from a span
//!   allocManual did not zero could start at any value in Go. The start does not change which
//!   schedules are ABA: a stale head word matches again only once the node's counter has wrapped,
//!   2^counter_bits pushes later, wherever it started.
//! - A failed head CAS is Relaxed here; Go's `atomic.Cas64` is a full barrier either way. Nothing is
//!   read through a failed CAS: push and pop discard its value and load the head again (SeqCst)
//!   before the next attempt, so the weaker failure ordering removes no synchronization the
//!   algorithm uses. The success orderings are Go's (SeqCst), except where R4 weakens them.

use super::{Packing, TaggedPointer, Variant};
use crate::check::{Ctx, ViolationKind};
use crate::platform::{AtomicU64, Cell, Ordering, Platform};

/// The lock-free-stack header Go embeds at the start of each node (`lfnode`).
pub struct LfNode<P: Platform> {
    /// The head word this node's push saw, restored by the pop that takes it off.
    /// Protocol: written (Relaxed) by the pushing owner before its head CAS, which publishes it;
    /// read (Relaxed) by poppers, possibly stale when the node was popped and reused meanwhile.
    next: P::AtomicU64,
    /// The node's own ABA counter.
    /// Invariant: touched only by the thread that owns the node (it popped it, or created it);
    /// ownership passes through the head CAS. The 2012 pop (R3) breaks this on purpose.
    pushcnt: P::Cell<u64>,
}

impl<P: Platform> LfNode<P> {
    pub fn new() -> Self {
        LfNode { next: P::AtomicU64::new(0), pushcnt: P::Cell::new(0) }
    }
}

impl<P: Platform> Default for LfNode<P> {
    fn default() -> Self {
        LfNode::new()
    }
}

/// Whatever holds the nodes (a plain pool, or workbufs carved from spans) and resolves addresses.
pub trait LfNodes<P: Platform> {
    /// The node at `addr`; `None` if no node lives there.
    fn node(&self, addr: u64) -> Option<&LfNode<P>>;
    /// A short readable name for the node at `addr`, for traces (`n3`, `wbuf 2.1`).
    fn label(&self, addr: u64) -> String;
}

/// A lock-free stack of nodes.
pub struct LfStack<P: Platform> {
    /// Name in traces (`stack 0`, `work.full`).
    name: &'static str,
    /// The packed (top node, its push counter) word; 0 when empty.
    /// Protocol: read and CAS'd with SeqCst, as Go's atomics are (R4 weakens one of them).
    head: P::AtomicU64,
    packing: Packing,
    variant: Variant,
}

impl<P: Platform> LfStack<P> {
    pub fn new(name: &'static str, packing: Packing, variant: Variant) -> Self {
        LfStack { name, head: P::AtomicU64::new(0), packing, variant }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn packing(&self) -> Packing {
        self.packing
    }

    /// Renders a head word for traces: `n2#3`, or `nil`.
    pub fn describe<N: LfNodes<P>>(&self, nodes: &N, word: TaggedPointer) -> String {
        if word.is_nil() {
            "nil".into()
        } else {
            format!("{}#{}", nodes.label(self.packing.unpack(word)), self.packing.counter(word))
        }
    }

    fn resolve<'n, N: LfNodes<P>>(&self, nodes: &'n N, addr: u64, cx: &Ctx) -> &'n LfNode<P> {
        match nodes.node(addr) {
            Some(node) => node,
            None => cx.fail(ViolationKind::Panic, format!("{}: head names {addr:#x}, where no node lives", self.name)),
        }
    }

    /// Pushes the node at `addr`. The caller owns it.
    pub fn push<N: LfNodes<P>>(&self, nodes: &N, addr: u64, cx: &Ctx) {
        let node = self.resolve(nodes, addr, cx);
        let label = nodes.label(addr);
        let count = if self.variant == Variant::NoCounter {
            0 // R1: a plain Treiber stack, nothing tells two pushes of one node apart.
        } else {
            // Safety: the caller owns the node, so no other thread touches its counter.
            node.pushcnt.with_mut(|c| unsafe {
                *c += 1;
                *c
            })
        };
        let new = self.packing.pack(addr, count);
        if !self.packing.round_trips(addr, count) {
            cx.step(
                "lfstack.push",
                format_args!("invalid packing: node={addr:#x} cnt={count:#x} packed={:#x} -> node={:#x}", new.0, self.packing.unpack(new)),
            );
            cx.throw("lfstack.push");
        }
        loop {
            let old = TaggedPointer(self.head.load(Ordering::SeqCst));
            node.next.store(old.0, Ordering::Relaxed);
            let success = match self.variant {
                // R4 (#7977, #10189): a CAS without a barrier does not publish the store to next.
                Variant::RelaxedPushCas => Ordering::Relaxed,
                _ => Ordering::SeqCst,
            };
            let swapped = self.head.compare_exchange(old.0, new.0, success, Ordering::Relaxed).is_ok();
            cx.step(
                "lfstack.push",
                format_args!(
                    "{}: {label}.next = {}; CAS head {} -> {}: {}",
                    self.name,
                    self.describe(nodes, old),
                    self.describe(nodes, old),
                    self.describe(nodes, new),
                    if swapped { "pushed" } else { "lost the race, retrying" }
                ),
            );
            if swapped {
                return;
            }
        }
    }

    /// Pops a node, returning its address; `None` if the stack was empty. The caller owns it.
    pub fn pop<N: LfNodes<P>>(&self, nodes: &N, cx: &Ctx) -> Option<u64> {
        loop {
            let load = match self.variant {
                // R4 (#10189): without acquire, the load of next below may see a stale value.
                Variant::RelaxedPopLoad => Ordering::Relaxed,
                _ => Ordering::SeqCst,
            };
            let old = TaggedPointer(self.head.load(load));
            if old.is_nil() {
                cx.step("lfstack.pop", format_args!("{}: empty", self.name));
                return None;
            }
            let addr = self.packing.unpack(old);
            let node = self.resolve(nodes, addr, cx);
            let mut next = TaggedPointer(node.next.load(Ordering::Relaxed));
            // The read an ABA goes stale on: show it where it happens, not only at the CAS.
            cx.step(
                "lfstack.pop",
                format_args!(
                    "{}: head is {}, {}.next is {}",
                    self.name,
                    self.describe(nodes, old),
                    nodes.label(addr),
                    self.describe(nodes, next)
                ),
            );
            if self.variant == Variant::Pop2012 && !next.is_nil() {
                // R3, the 2012 pop: rebuild the counter from the next node's own pushcnt instead
                // of restoring the saved word. That node may belong to another thread, which may
                // be incrementing it right now: the race 62a4359e removed.
                let next_addr = self.packing.unpack(next);
                let next_node = self.resolve(nodes, next_addr, cx);
                // Safety: none; this is the data race R3 exhibits. Loom reports it; the std
                // engine refuses this variant, and shuttle runs one thread at a time.
                let count = next_node.pushcnt.with(|c| unsafe { *c });
                next = self.packing.pack(next_addr, count);
            }
            let swapped = self.head.compare_exchange(old.0, next.0, Ordering::SeqCst, Ordering::Relaxed).is_ok();
            cx.step(
                "lfstack.pop",
                format_args!(
                    "{}: CAS head {} -> {}: {}",
                    self.name,
                    self.describe(nodes, old),
                    self.describe(nodes, next),
                    if swapped { format!("took {}", nodes.label(addr)) } else { "lost the race, retrying".into() }
                ),
            );
            if swapped {
                return Some(addr);
            }
        }
    }

    /// Whether the stack is empty.
    pub fn empty(&self, cx: &Ctx) -> bool {
        let empty = self.head.load(Ordering::SeqCst) == 0;
        cx.step("lfstack.empty", format_args!("{}: {}", self.name, if empty { "empty" } else { "not empty" }));
        empty
    }

    /// Drops every node from the stack at once (`work.empty = 0` in prepareFreeWorkbufs).
    pub fn wipe(&self, cx: &Ctx) {
        self.head.store(0, Ordering::SeqCst);
        cx.step("lfstack.wipe", format_args!("{}: head = nil", self.name));
    }

    /// The addresses on the stack, top first, for audits at quiescence: stops at the first repeat
    /// (a cycle) and reports it. Must only run when no thread is using the stack.
    pub fn walk<N: LfNodes<P>>(&self, nodes: &N, cx: &Ctx) -> Walk {
        let mut walk = Walk { nodes: Vec::new(), cycle_at: None };
        let mut word = TaggedPointer(self.head.load(Ordering::SeqCst));
        while !word.is_nil() {
            let addr = self.packing.unpack(word);
            if walk.nodes.contains(&addr) {
                walk.cycle_at = Some(addr);
                break;
            }
            walk.nodes.push(addr);
            word = TaggedPointer(self.resolve(nodes, addr, cx).next.load(Ordering::SeqCst));
        }
        walk
    }
}

/// What [`LfStack::walk`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walk {
    /// Node addresses from the top, each once.
    pub nodes: Vec<u64>,
    /// The node at which the walk came back on itself, if it did.
    pub cycle_at: Option<u64>,
}
