//! `work.wbufSpans`: the lock and the busy and free span lists; where getempty finds a span to
//! carve; prepareFreeWorkbufs and freeSomeWbufs.
//!
//! Ports getempty's span allocation (9cc883a4, with 051809e3's reuse of free spans),
//! `prepareFreeWorkbufs` and `freeSomeWbufs` (051809e3), src/runtime/mgcwork.go.
//!
//! Differences from Go:
//! - `mSpanList`s are deques of span ids; `insert` and `takeAll` put spans at the front, as Go's.
//! - getempty's unlocked `work.wbufSpans.free.first != nil` is a racy read in Go, not a
//!   synchronization; the model reads a std mirror of it (`WbufSpans::free_hint`), kept under
//!   the lock, so it costs no scheduling point. The answer under the lock decides.
//! - gp.preempt is not shared state here: the sweeper's preemption request arrives after
//!   `preempt_after` spans of every batch (none if unset), so the early stop is reachable. In Go a
//!   request is cleared once the goroutine is rescheduled (bgsweep's Gosched), and the next call
//!   runs until another one arrives; here each call gets its own, after the same number of spans,
//!   so `preempt_after = 0` (no call ever frees a span) is refused.
//! - freeSomeWbufs' batch is one step: Go's `mheap_.freeManual` takes `mheap_.lock` for each span,
//!   a point where other threads run, but the model's heap is std-side with no scheduling point.
//!   Decided from the property: the whole batch runs under `wbufSpans.lock`, so gcphase cannot
//!   change in it (the world cannot stop while a thread holds a runtime lock, and the controller's
//!   stop-the-world takes that lock), and the frees touch only spans already taken off
//!   `wbufSpans.free` under it; what another thread can do at `mheap_.lock` in between is an
//!   allocManual, which gets a never-used span or one already returned (reuse), or a freeManual of
//!   its own. No check reads anything a point there could reorder. Measured with a yield after
//!   each free, over the 56 workbufs cases: no verdict changed; loom's counts moved 352 -> 336 and
//!   304 -> 288 (a yield is a hint loom also prunes by), the stateful engine's states 177 -> 178
//!   and 1480 -> 1494; every other case had no batch of two. The point would cost states and
//!   show nothing, so it is left out.

use super::audit::Ledger;
use super::phase::GcPhase;
use super::pool::Work;
use super::{SpanId, Variant};
use crate::check::Ctx;
use crate::check::Shared;
use crate::platform::{Mutex, Platform};
use std::collections::VecDeque;

/// The span lists, protected by `wbufSpans.lock`.
#[derive(Debug, Default, Hash)]
pub struct SpanLists {
    /// Spans whose workbufs are in use. Invariant: each span once, and not on `free`.
    pub busy: VecDeque<SpanId>,
    /// Spans prepared for freeing: no workbuf of theirs is referenced. Invariant: each span once,
    /// and not on `busy`.
    pub free: VecDeque<SpanId>,
}

/// `work.wbufSpans`.
pub struct WbufSpans<P: Platform> {
    /// `wbufSpans.lock`: protects `busy` and `free`. Also taken by the phase controller around
    /// setGCPhase as the model's stop-the-world (see [`super::phase`]).
    pub lock: P::Mutex<SpanLists>,
    /// Mirror of `free.first != nil` for getempty's unlocked read. Written only with `lock` held;
    /// getempty acts on it, so it is steering data for the stateful engine.
    free_hint: Shared<bool>,
}

impl<P: Platform> WbufSpans<P> {
    pub fn new() -> Self {
        WbufSpans { lock: P::Mutex::new(SpanLists::default()), free_hint: Shared::steering(false) }
    }

    /// Go's unlocked `work.wbufSpans.free.first != nil`: a hint, rechecked under the lock.
    fn free_hint(&self) -> bool {
        *self.free_hint.lock()
    }

    /// Refreshes the hint after a change to `free`. `lock` must be held (the caller passes the lists).
    fn update_hint(&self, lists: &SpanLists) {
        *self.free_hint.lock() = !lists.free.is_empty();
    }
}

impl<P: Platform> Default for WbufSpans<P> {
    fn default() -> Self {
        WbufSpans::new()
    }
}

fn names(spans: &VecDeque<SpanId>) -> String {
    if spans.is_empty() {
        return "none".into();
    }
    spans.iter().map(SpanId::to_string).collect::<Vec<_>>().join(" ")
}

impl<P: Platform> Work<P> {
    /// getempty's "Allocate more workbufs": a span from wbufSpans.free, else a fresh one from the
    /// heap, recorded in busy. Throws "out of memory" when the heap has none.
    pub(super) fn span_for_workbufs(&self, cx: &Ctx) -> SpanId {
        if self.wbuf_spans.free_hint() {
            let mut lists = self.wbuf_spans.lock.lock();
            if let Some(s) = lists.free.pop_front() {
                lists.busy.push_front(s);
                self.wbuf_spans.update_hint(&lists);
                self.ledger.span_reused(s);
                cx.step("getempty", format_args!("reusing span {s} from wbufSpans.free; busy: {}", names(&lists.busy)));
                return s;
            }
            cx.step("getempty", format_args!("wbufSpans.free emptied before the lock was taken"));
        }
        let Some(s) = self.heap.alloc_manual(cx) else {
            cx.throw("out of memory");
        };
        self.ledger.span_allocated(s);
        if self.variant == Variant::LostSpan {
            // Broken: the span is never recorded, so prepareFreeWorkbufs can never free it.
            cx.step("getempty", format_args!("span {s} NOT recorded in wbufSpans.busy"));
            return s;
        }
        let mut lists = self.wbuf_spans.lock.lock();
        // Revalidate: nothing read under the first hold of the lock (if any) is relied on here; the
        // span is this thread's own until it is in busy, and busy may have changed meanwhile.
        lists.busy.push_front(s);
        cx.step("getempty", format_args!("recorded span {s} in wbufSpans.busy: {}", names(&lists.busy)));
        s
    }

    /// `prepareFreeWorkbufs`: at mark termination, after the world restarts, with every workbuf
    /// on work.empty. Throws "cannot free workbufs when work.full != 0".
    pub fn prepare_free_workbufs(&self, cx: &Ctx) {
        let mut lists = self.wbuf_spans.lock.lock();
        if !self.full.empty(cx) {
            cx.throw("cannot free workbufs when work.full != 0");
        }
        if self.variant == Variant::R13NoWipeEmpty {
            // Broken: work.empty keeps linking the workbufs of the spans about to be freed.
            cx.step("prepareFreeWorkbufs", format_args!("work.empty NOT wiped"));
        } else {
            self.empty.wipe(cx);
            self.ledger.empty_wiped();
        }
        let busy = std::mem::take(&mut lists.busy);
        self.ledger.spans_prepared(busy.iter().copied());
        for s in busy.into_iter().rev() {
            lists.free.push_front(s); // free.takeAll(&busy)
        }
        self.wbuf_spans.update_hint(&lists);
        cx.step("prepareFreeWorkbufs", format_args!("moved every busy span to free; free: {}", names(&lists.free)));
    }

    /// `freeSomeWbufs(preemptible)`: from the background sweeper, frees up to a batch of spans
    /// while gcphase is _GCoff; returns whether free spans remain.
    pub fn free_some_wbufs(&self, cx: &Ctx, preemptible: bool) -> bool {
        // R12 (phase outside the lock), broken: gcphase is read before the lock, so a new cycle
        // can start between the read and the frees.
        let early = (self.variant == Variant::R12PhaseOutsideLock).then(|| {
            let (cycle, phase) = self.gc.load();
            cx.step("freeSomeWbufs", format_args!("read gcphase {} (cycle {cycle}) BEFORE taking wbufSpans.lock", phase.go_name()));
            (cycle, phase)
        });
        let mut lists = self.wbuf_spans.lock.lock();
        let (cycle, phase) = match self.variant {
            // Broken (R12): no phase check at all.
            Variant::R12FreeDuringMark => {
                cx.step("freeSomeWbufs", format_args!("gcphase NOT checked"));
                (0, GcPhase::Off)
            }
            Variant::R12PhaseOutsideLock => early.expect("read above"),
            // The world cannot stop while this thread holds the lock: the phase stays what it is.
            _ => self.gc.load(),
        };
        if phase != GcPhase::Off || lists.free.is_empty() {
            cx.step(
                "freeSomeWbufs",
                format_args!("gcphase {} (cycle {cycle}), free: {}: nothing to do", phase.go_name(), names(&lists.free)),
            );
            self.ledger.sweep_returned(false);
            return false;
        }
        cx.step("freeSomeWbufs", format_args!("gcphase {} (cycle {cycle}), free: {}: freeing", phase.go_name(), names(&lists.free)));
        for i in 0..self.free_batch {
            if preemptible && self.preempt_after.is_some_and(|n| i >= n) {
                cx.step("freeSomeWbufs", format_args!("preemption requested after {i} spans: stopping"));
                if self.variant == Variant::SweeperStopsEarly {
                    // Broken: the early stop answers "no more", so bgsweep parks with spans on free.
                    cx.step("freeSomeWbufs", format_args!("free now: {}; returning more: false (NOT rechecked)", names(&lists.free)));
                    self.wbuf_spans.update_hint(&lists);
                    self.ledger.sweep_returned(false);
                    return false;
                }
                break;
            }
            let Some(s) = lists.free.pop_front() else { break };
            self.return_span(cx, &self.ledger, s);
        }
        self.wbuf_spans.update_hint(&lists);
        let more = !lists.free.is_empty();
        cx.step("freeSomeWbufs", format_args!("free now: {}; more: {more}", names(&lists.free)));
        self.ledger.sweep_returned(more);
        more
    }

    fn return_span(&self, cx: &Ctx, ledger: &Ledger, s: SpanId) {
        ledger.span_returning(cx, s);
        self.heap.free_manual(cx, s);
    }
}
