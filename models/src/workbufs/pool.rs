//! `work`: the two global lists and the workbuf factory routines.
//!
//! Ports `getempty`, `putempty`, `putfull`, `trygetfull`, `handoff`, `checkempty` and
//! `checknonempty` (src/runtime/mgcwork.go at 051809e3; the carve is the seed's, 9cc883a4).
//! work.full and work.empty are [`LfStack`]s of the lfstack model, over the workbufs' own nodes.
//!
//! Differences from Go:
//! - getempty's unlocked `if work.empty != 0` before popping is left out: the pop's own load of
//!   the head says the same, and a second read would only add a scheduling point.
//! - `obj` holds no pointers, but its bound is kept: [`Work::put_obj`] and [`Work::get_obj`] index
//!   it as Go does and fail with Go's run-time error text (`len(obj)` is `workbuf_objs`). The text
//!   is today's (`index out of range [N] with length N`); Go 1.9's said only "index out of range".
//! - Every use of a workbuf is first checked against the [`Ledger`] (who holds it, is its span
//!   live); the checks are std-typed and add no scheduling point.

use super::audit::{Ledger, List};
use super::heap::Heap;
use super::phase::GcState;
use super::spans::WbufSpans;
use super::workbuf::{Sizes, Workbufs};
use super::{Variant, WbufId};
use crate::check::Ctx;
use crate::lfstack::{self, LfStack, Packing};
use crate::platform::Platform;

/// Everything the threads of one execution share: Go's `work` and `mheap_`, as far as workbufs go.
pub struct Work<P: Platform> {
    pub variant: Variant,
    pub sizes: Sizes,
    /// Lock-free list of full (non-empty) workbufs. Protocol: the lfstack's.
    pub full: LfStack<P>,
    /// Lock-free list of empty workbufs. Protocol: the lfstack's; wiped under wbufSpans.lock.
    pub empty: LfStack<P>,
    /// The workbufs' memory: every workbuf the heap can hand out.
    pub bufs: Workbufs<P>,
    pub wbuf_spans: WbufSpans<P>,
    pub heap: Heap<P>,
    pub gc: GcState<P>,
    pub ledger: Ledger,
    /// freeSomeWbufs' batchSize (64 in Go).
    pub free_batch: usize,
    /// The sweeper is asked to yield after this many spans of a batch.
    pub preempt_after: Option<usize>,
    /// balance hands off half of wbuf1 when it holds more than this many objects (4 in Go).
    pub handoff_above: usize,
}

impl<P: Platform> Work<P> {
    pub fn new(
        variant: Variant,
        sizes: Sizes,
        heap_spans: usize,
        free_batch: usize,
        preempt_after: Option<usize>,
        handoff_above: usize,
    ) -> Self {
        Work {
            variant,
            sizes,
            full: LfStack::new("work.full", Packing::GO_AMD64, lfstack::Variant::Go),
            empty: LfStack::new("work.empty", Packing::GO_AMD64, lfstack::Variant::Go),
            bufs: Workbufs::new(sizes, heap_spans),
            wbuf_spans: WbufSpans::new(),
            heap: Heap::new(heap_spans),
            gc: GcState::new(),
            ledger: Ledger::new(P::SERIALIZED, sizes.per_span(), heap_spans),
            free_batch,
            preempt_after,
            handoff_above,
        }
    }

    /// `b.nobj`, by its owner.
    pub fn nobj(&self, cx: &Ctx, w: WbufId) -> usize {
        self.ledger.touch(cx, w, || format!("reads nobj of {w}"));
        self.bufs.nobj(w)
    }

    /// `b.nobj = n`, by its owner.
    pub fn set_nobj(&self, cx: &Ctx, w: WbufId, n: usize) {
        self.ledger.touch(cx, w, || format!("writes nobj of {w}"));
        self.bufs.set_nobj(w, n)
    }

    /// `len(b.obj)`.
    pub fn capacity(&self) -> usize {
        self.sizes.workbuf_objs
    }

    /// `b.obj[b.nobj] = obj; b.nobj++`, by its owner, with Go's bounds check on the index: a put
    /// into a full workbuf panics as Go's does. Returns the old nobj.
    pub fn put_obj(&self, cx: &Ctx, w: WbufId) -> usize {
        let n = self.nobj(cx, w);
        if n >= self.capacity() {
            cx.throw(&format!("runtime error: index out of range [{n}] with length {}", self.capacity()));
        }
        self.set_nobj(cx, w, n + 1);
        n
    }

    /// `b.nobj--; obj = b.obj[b.nobj]`, by its owner, with Go's bounds check: a get from an empty
    /// workbuf indexes obj[-1]. Returns the old nobj.
    pub fn get_obj(&self, cx: &Ctx, w: WbufId) -> usize {
        let n = self.nobj(cx, w);
        if n == 0 {
            cx.throw("runtime error: index out of range [-1]");
        }
        self.set_nobj(cx, w, n - 1);
        n
    }

    fn checkempty(&self, cx: &Ctx, w: WbufId) {
        if self.nobj(cx, w) != 0 {
            cx.throw("workbuf is not empty");
        }
    }

    fn checknonempty(&self, cx: &Ctx, w: WbufId) {
        if self.nobj(cx, w) == 0 {
            cx.throw("workbuf is empty");
        }
    }

    fn push(&self, cx: &Ctx, w: WbufId, list: List) {
        self.ledger.touch(cx, w, || format!("pushes {w} on {}", list.go_name()));
        let stack = match list {
            List::Empty => &self.empty,
            List::Full => &self.full,
        };
        stack.push(&self.bufs, self.bufs.addr(w), cx);
        self.ledger.pushed(w, list);
    }

    fn pop(&self, cx: &Ctx, list: List) -> Option<WbufId> {
        let stack = match list {
            List::Empty => &self.empty,
            List::Full => &self.full,
        };
        let addr = stack.pop(&self.bufs, cx)?;
        let w = self.bufs.id(addr).expect("the lists only link workbufs");
        self.ledger.popped(cx, w, list);
        Some(w)
    }

    /// `getempty`: pops an empty workbuf off work.empty, carving a span into new ones if there is
    /// none.
    pub fn getempty(&self, cx: &Ctx) -> WbufId {
        if let Some(b) = self.pop(cx, List::Empty) {
            self.checkempty(cx, b);
            cx.step("getempty", format_args!("took {b} from work.empty"));
            return b;
        }
        let s = self.span_for_workbufs(cx);
        // Slice up the span into new workbufs. Return one and put the rest on the empty list.
        self.ledger.carved(cx, s);
        let mut first = None;
        for newb in self.bufs.of_span(s) {
            self.set_nobj(cx, newb, 0);
            if first.is_none() {
                first = Some(newb);
                if self.variant == Variant::R14FirstOnEmpty {
                    // Broken: the workbuf getempty returns goes on the empty list as well.
                    self.putempty(cx, newb);
                }
            } else {
                self.putempty(cx, newb);
            }
        }
        let b = first.expect("a span holds at least one workbuf");
        cx.step("getempty", format_args!("carved span {s}: returning {b}, the rest on work.empty"));
        self.ledger.claim(cx, b);
        b
    }

    /// `putempty`: the caller owns `b`; the push gives it up.
    pub fn putempty(&self, cx: &Ctx, b: WbufId) {
        self.checkempty(cx, b);
        self.push(cx, b, List::Empty);
    }

    /// `putfull`: partially full buffers are accepted.
    pub fn putfull(&self, cx: &Ctx, b: WbufId) {
        self.checknonempty(cx, b);
        self.push(cx, b, List::Full);
    }

    /// `trygetfull`: a full or partially full workbuf, if one is available right now.
    pub fn trygetfull(&self, cx: &Ctx) -> Option<WbufId> {
        let b = self.pop(cx, List::Full)?;
        self.checknonempty(cx, b);
        Some(b)
    }

    /// `handoff`: a new buffer with half of b's objects; b goes on work.full.
    pub fn handoff(&self, cx: &Ctx, b: WbufId) -> WbufId {
        let b1 = self.getempty(cx);
        let nobj = self.nobj(cx, b);
        let n = nobj / 2;
        self.set_nobj(cx, b, nobj - n);
        self.set_nobj(cx, b1, n);
        cx.step("handoff", format_args!("moved {n} of {b}'s {nobj} objects to {b1}; {b} goes on work.full"));
        self.putfull(cx, b);
        b1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Recorder, ViolationKind};
    use crate::platform::Std;
    use std::panic::{catch_unwind, AssertUnwindSafe};

    fn work() -> Work<Std> {
        Work::new(Variant::Go, Sizes::small(2, 2), 1, 64, None, 4)
    }

    fn throws(f: impl FnOnce(&Work<Std>, &Ctx)) -> String {
        let rec = Recorder::new(false);
        let cx = Ctx::thread(&rec, 0);
        let w = work();
        assert!(catch_unwind(AssertUnwindSafe(|| f(&w, &cx))).is_err());
        let v = rec.violation().unwrap();
        assert_eq!(v.kind, ViolationKind::Throw);
        v.detail
    }

    #[test]
    fn go_throws_fire_with_go_messages() {
        assert_eq!(
            throws(|w, cx| {
                let b = w.getempty(cx);
                w.set_nobj(cx, b, 1);
                w.putempty(cx, b);
            }),
            "workbuf is not empty"
        );
        assert_eq!(
            throws(|w, cx| {
                let b = w.getempty(cx);
                w.putfull(cx, b);
            }),
            "workbuf is empty"
        );
        assert_eq!(
            throws(|w, cx| {
                let b = w.getempty(cx);
                w.set_nobj(cx, b, 1);
                w.putfull(cx, b);
                w.prepare_free_workbufs(cx);
            }),
            "cannot free workbufs when work.full != 0"
        );
        assert_eq!(
            throws(|w, cx| {
                w.getempty(cx);
                w.getempty(cx);
                w.getempty(cx); // a second span; the heap holds one
            }),
            "out of memory"
        );
    }

    /// Go's index check on obj: a put into a full workbuf, a get from an empty one.
    #[test]
    fn obj_is_indexed_within_its_length() {
        let full = throws(|w, cx| {
            let b = w.getempty(cx);
            w.put_obj(cx, b);
            w.put_obj(cx, b);
            w.put_obj(cx, b); // len(obj) is 2
        });
        assert_eq!(full, "runtime error: index out of range [2] with length 2");
        let empty = throws(|w, cx| {
            let b = w.getempty(cx);
            w.get_obj(cx, b);
        });
        assert_eq!(empty, "runtime error: index out of range [-1]");
        let rec = Recorder::new(false);
        let cx = Ctx::thread(&rec, 0);
        let w = work();
        let b = w.getempty(&cx);
        assert_eq!((w.put_obj(&cx, b), w.put_obj(&cx, b), w.get_obj(&cx, b)), (0, 1, 2));
        assert!(rec.violation().is_none());
    }

    #[test]
    fn a_carved_span_gives_one_workbuf_and_lists_the_rest() {
        let rec = Recorder::new(false);
        let cx = Ctx::thread(&rec, 0);
        let w = work();
        let b = w.getempty(&cx);
        assert_eq!(b, WbufId(0));
        assert_eq!(w.getempty(&cx), WbufId(1));
        w.putempty(&cx, b);
        assert_eq!(w.getempty(&cx), b);
        assert!(rec.violation().is_none());
    }
}
