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
//! - Go's allocManual and freeManual take `mheap_.lock`, a lock that does not synchronize with the
//!   lfstacks or wbufSpans.lock. The model keeps the heap behind a std mutex: no scheduling point,
//!   no happens-before edge for the checkers (a scheduling point the property does not need only
//!   multiplies executions). Under loom and shuttle one model thread runs at a time, so it is
//!   uncontended.

use super::SpanId;
use crate::check::{Ctx, ViolationKind};
use crate::check::{Shared, SharedGuard};

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
pub struct Heap {
    /// One state per span the heap can hand out. Protected by a std mutex (Go: mheap_.lock);
    /// allocManual's answer depends on it, so it is steering data for the stateful engine.
    /// Invariant: never-used spans are handed out in index order, so every `Unallocated` span
    /// comes after every other.
    spans: Shared<Vec<HeapSpan>>,
    /// How many times allocManual handed out a returned span again (the `spans-reused` figure).
    /// Only reported, never read by the model, so the stateful engine need not fingerprint it.
    reused: std::sync::atomic::AtomicU64,
}

impl Heap {
    pub fn new(capacity: usize) -> Self {
        Heap { spans: Shared::steering(vec![HeapSpan::Unallocated; capacity]), reused: Default::default() }
    }

    fn spans(&self) -> SharedGuard<'_, Vec<HeapSpan>> {
        self.spans.lock()
    }

    /// `mheap_.allocManual(workbufAlloc/pageSize, ...)`: a never-used span, else a returned one,
    /// or `None` when every span is the pool's.
    pub fn alloc_manual(&self, cx: &Ctx) -> Option<SpanId> {
        let mut spans = self.spans();
        let capacity = spans.len();
        let fresh = spans.iter().position(|s| *s == HeapSpan::Unallocated);
        let Some(index) = fresh.or_else(|| spans.iter().position(|s| *s == HeapSpan::Returned)) else {
            cx.step("mheap.allocManual", format_args!("all {capacity} spans of the heap are in use: nil"));
            return None;
        };
        let again = if spans[index] == HeapSpan::Returned {
            // A std counter, updated under the heap's std mutex: no scheduling point.
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
    /// a double free: the span was on the free list twice.
    pub fn free_manual(&self, cx: &Ctx, span: SpanId) {
        let mut spans = self.spans();
        match spans[span.0] {
            HeapSpan::Manual => {
                spans[span.0] = HeapSpan::Returned;
                cx.step("mheap.freeManual", format_args!("span {span} returned to the heap"));
            }
            state => {
                drop(spans);
                cx.fail(ViolationKind::DuplicatedSpan, format!("freeManual of {span}, which the heap holds as {state:?}: freed twice"))
            }
        }
    }

    /// Every span's state, for the quiescence audit.
    pub fn states(&self) -> Vec<HeapSpan> {
        self.spans().clone()
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

    #[test]
    fn hands_out_fresh_spans_then_returned_ones_then_nil_and_refuses_a_double_free() {
        let rec = Recorder::new(true);
        let cx = Ctx::main(&rec);
        let heap = Heap::new(3);
        assert_eq!(heap.alloc_manual(&cx), Some(SpanId(0)));
        assert_eq!(heap.alloc_manual(&cx), Some(SpanId(1)));
        heap.free_manual(&cx, SpanId(0));
        // A never-used span first, then the returned one, then nothing.
        assert_eq!(heap.alloc_manual(&cx), Some(SpanId(2)));
        assert_eq!(heap.alloc_manual(&cx), Some(SpanId(0)));
        assert_eq!(heap.reused(), 1);
        assert_eq!(heap.alloc_manual(&cx), None);
        heap.free_manual(&cx, SpanId(0));
        assert_eq!(heap.states(), vec![HeapSpan::Returned, HeapSpan::Manual, HeapSpan::Manual]);
        let twice = std::panic::catch_unwind(|| heap.free_manual(&cx, SpanId(0)));
        assert!(twice.is_err());
        assert_eq!(rec.violation().unwrap().kind, ViolationKind::DuplicatedSpan);
    }
}
