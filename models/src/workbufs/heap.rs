//! The modelled heap: `mheap_.allocManual` and `mheap_.freeManual` for workbuf spans.
//!
//! Ports the part of src/runtime/mheap.go (at 051809e3) the workbuf pool sees: allocManual hands
//! out a span in state `_MSpanManual` or nil when the heap is exhausted (getempty then throws
//! "out of memory"); freeManual gives it back, and allocManual may hand it out again.
//!
//! Differences from Go:
//! - The heap holds a fixed number of spans (`heap_spans`). allocManual hands out a never-used
//!   span first and a returned one only when none is left (Go's allocator may reuse freed pages
//!   sooner), so a returned span is reused exactly when Go would otherwise have had to report
//!   "out of memory": a configuration runs out only when every span is in the pool's hands. A
//!   reused span keeps its memory (nothing zeroes a manual span): its workbufs' lfstack counters
//!   continue, and a holder of one of its workbufs from before the free meets the ledger's
//!   use-after-free check when the span is carved again.
//! - Go's allocManual and freeManual take `mheap_.lock`, and so does the model: the heap's state
//!   is behind a Platform mutex, so each call is a scheduling point, as in Go, where another M can
//!   run while one waits for or holds the lock. The sweeper takes it for every span of a batch
//!   while it holds wbufSpans.lock (Go's freeSomeWbufs calls freeManual in its loop), so a batch
//!   of n spans has n points in it; `r12-phase-before-stw` is the broken variant only that point
//!   lets a checker see (see [`super::spans`]). The #11267 check (no span goes from manual to
//!   free during mark) runs under `mheap_.lock`, where Go changes the span's state.

use super::audit::Ledger;
use super::SpanId;
use crate::check::{Ctx, ViolationKind};
use crate::platform::{Mutex, Platform};

/// A heap span's state, as mheap sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeapSpan {
    /// Never handed out.
    Unallocated,
    /// Handed out by allocManual (`_MSpanManual`): the workbuf pool owns it.
    Manual,
    /// Given back by freeManual.
    Returned,
}

/// The modelled `mheap_`.
pub struct Heap<P: Platform> {
    /// `mheap_.lock`, and one state per span the heap can hand out, which it protects.
    /// Invariant: never-used spans are handed out in index order, so every `Unallocated` span
    /// comes after every other.
    spans: P::Mutex<Vec<HeapSpan>>,
    /// How many times allocManual handed out a returned span again (the `spans-reused` figure).
    /// Only reported, never read by the model, so the stateful engine need not fingerprint it.
    reused: std::sync::atomic::AtomicU64,
}

impl<P: Platform> Heap<P> {
    pub fn new(capacity: usize) -> Self {
        Heap { spans: P::Mutex::new(vec![HeapSpan::Unallocated; capacity]), reused: Default::default() }
    }

    /// `mheap_.allocManual(workbufAlloc/pageSize, ...)`: a never-used span, else a returned one,
    /// or `None` when every span is the pool's.
    pub fn alloc_manual(&self, cx: &Ctx) -> Option<SpanId> {
        let mut spans = self.spans.lock();
        let capacity = spans.len();
        let fresh = spans.iter().position(|s| *s == HeapSpan::Unallocated);
        let Some(index) = fresh.or_else(|| spans.iter().position(|s| *s == HeapSpan::Returned)) else {
            cx.step("mheap.allocManual", format_args!("all {capacity} spans of the heap are in use: nil"));
            return None;
        };
        let again = if spans[index] == HeapSpan::Returned {
            // A std counter (a figure), updated under mheap_.lock: no scheduling point of its own.
            self.reused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            ", reusing a returned span"
        } else {
            ""
        };
        spans[index] = HeapSpan::Manual;
        cx.step("mheap.allocManual", format_args!("span s{index} (_MSpanManual){again}"));
        Some(SpanId(index))
    }

    /// `mheap_.freeManual(span, ...)`. Giving back a span the heap does not consider handed out is
    /// a double free: the span was on the free list twice. The ledger checks, under the lock, that
    /// gcphase is _GCoff (#11267).
    pub fn free_manual(&self, cx: &Ctx, ledger: &Ledger, span: SpanId) {
        let mut spans = self.spans.lock();
        match spans[span.0] {
            HeapSpan::Manual => {
                ledger.span_returning(cx, span);
                spans[span.0] = HeapSpan::Returned;
                cx.step("mheap.freeManual", format_args!("span {span} returned to the heap"));
            }
            state => {
                drop(spans);
                cx.fail(ViolationKind::DuplicatedSpan, format!("freeManual of {span}, which the heap holds as {state:?}: freed twice"))
            }
        }
    }

    /// Every span's state, for the quiescence audit (every thread has joined: the lock is uncontended).
    pub fn states(&self) -> Vec<HeapSpan> {
        self.spans.lock().clone()
    }

    /// Returned spans handed out again so far.
    pub fn reused(&self) -> u64 {
        self.reused.load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Recorder;
    use crate::platform::Std;

    #[test]
    fn hands_out_fresh_spans_then_returned_ones_then_nil_and_refuses_a_double_free() {
        let rec = Recorder::new(true);
        let cx = Ctx::main(&rec);
        let heap = Heap::<Std>::new(3);
        let ledger = Ledger::new(true, 2, 3);
        ledger.phase_set(crate::workbufs::phase::GcPhase::Off);
        assert_eq!(heap.alloc_manual(&cx), Some(SpanId(0)));
        assert_eq!(heap.alloc_manual(&cx), Some(SpanId(1)));
        heap.free_manual(&cx, &ledger, SpanId(0));
        // A never-used span first, then the returned one, then nothing.
        assert_eq!(heap.alloc_manual(&cx), Some(SpanId(2)));
        assert_eq!(heap.alloc_manual(&cx), Some(SpanId(0)));
        assert_eq!(heap.reused(), 1);
        assert_eq!(heap.alloc_manual(&cx), None);
        heap.free_manual(&cx, &ledger, SpanId(0));
        assert_eq!(heap.states(), vec![HeapSpan::Returned, HeapSpan::Manual, HeapSpan::Manual]);
        let twice = std::panic::catch_unwind(|| heap.free_manual(&cx, &ledger, SpanId(0)));
        assert!(twice.is_err());
        assert_eq!(rec.violation().unwrap().kind, ViolationKind::DuplicatedSpan);
    }
}
