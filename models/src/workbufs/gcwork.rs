//! `gcWork`: a P's cache of two workbufs, between its mark worker and the global lists.
//!
//! Ports `(*gcWork).init`, `put`, `tryGet`, `dispose`, `balance` and `empty` (src/runtime/mgcwork.go
//! at 051809e3).
//!
//! Differences from Go:
//! - Go's invariant "Both wbuf1 and wbuf2 are nil or neither are" is the type here: the cache is
//!   `Option<(wbuf1, wbuf2)>`.
//! - put stores no pointer and tryGet returns none: only nobj moves, through Go's index check on
//!   `obj` ([`Work::put_obj`], [`Work::get_obj`]). bytesMarked, scanWork,
//!   flushedWork and enlistWorker do not touch the pool and are left out.
//! - Each gcWork counts the objects it put and got, which Go does not: the quiescence audit's
//!   independent count of what the workbufs must hold.

use super::pool::Work;
use super::WbufId;
use crate::check::Ctx;
use crate::platform::Platform;

/// A P's `gcWork`. Owned by the one worker thread running on that P: no synchronization.
#[derive(Debug, Default, Hash)]
pub struct GcWork {
    /// (wbuf1, wbuf2): wbuf1 is the buffer being pushed to and popped from, wbuf2 the one
    /// discarded next. Invariant: both or neither (by type).
    bufs: Option<(WbufId, WbufId)>,
    /// Instrumentation, not Go's: the objects this P has put and got over the run, for the
    /// object-conservation audit (objects queued = put - got, summed over the Ps). Plain fields of
    /// the owner's value: no scheduling point.
    put_objects: u64,
    got_objects: u64,
}

impl GcWork {
    /// (objects put, objects got) by this P so far.
    pub fn objects(&self) -> (u64, u64) {
        (self.put_objects, self.got_objects)
    }

    /// The cached workbufs, for the quiescence audit.
    pub fn cached(&self) -> Vec<WbufId> {
        self.bufs.map_or_else(Vec::new, |(a, b)| vec![a, b])
    }

    /// `empty`: no cached object (wbuf1 nil, or both buffers hold none). Empty buffers still
    /// cached are not work. Read by gcMark with the world stopped, after the P's worker has been
    /// joined, so the reads skip the ledger's owner check (the controller is not the owner).
    pub fn empty<P: Platform>(&self, work: &Work<P>) -> bool {
        self.bufs.map_or(true, |(wbuf1, wbuf2)| work.bufs.nobj(wbuf1) == 0 && work.bufs.nobj(wbuf2) == 0)
    }

    /// `init`: wbuf1 from getempty; wbuf2 from trygetfull, else getempty.
    fn init<P: Platform>(&mut self, cx: &Ctx, work: &Work<P>) -> (WbufId, WbufId) {
        let wbuf1 = work.getempty(cx);
        let wbuf2 = match work.trygetfull(cx) {
            Some(b) => b,
            None => work.getempty(cx),
        };
        cx.step("gcWork.init", format_args!("wbuf1 = {wbuf1}, wbuf2 = {wbuf2}"));
        self.bufs = Some((wbuf1, wbuf2));
        (wbuf1, wbuf2)
    }

    /// `put`: enqueue one object.
    pub fn put<P: Platform>(&mut self, cx: &Ctx, work: &Work<P>) {
        let cap = work.capacity();
        let (mut wbuf1, mut wbuf2) = match self.bufs {
            None => self.init(cx, work),
            Some(bufs) => bufs,
        };
        if work.nobj(cx, wbuf1) == cap {
            (wbuf1, wbuf2) = (wbuf2, wbuf1);
            if work.nobj(cx, wbuf1) == cap {
                cx.step("gcWork.put", format_args!("{wbuf1} and {wbuf2} are full: {wbuf1} to work.full"));
                work.putfull(cx, wbuf1);
                wbuf1 = work.getempty(cx);
            }
        }
        let n = work.put_obj(cx, wbuf1);
        self.bufs = Some((wbuf1, wbuf2));
        self.put_objects += 1;
        cx.step("gcWork.put", format_args!("{wbuf1}.nobj {n} -> {}", n + 1));
    }

    /// `tryGet`: dequeue one object; false when neither the cache nor work.full has one.
    pub fn try_get<P: Platform>(&mut self, cx: &Ctx, work: &Work<P>) -> bool {
        let (mut wbuf1, mut wbuf2) = match self.bufs {
            None => self.init(cx, work),
            Some(bufs) => bufs,
        };
        if work.nobj(cx, wbuf1) == 0 {
            (wbuf1, wbuf2) = (wbuf2, wbuf1);
            if work.nobj(cx, wbuf1) == 0 {
                let owbuf = wbuf1;
                let Some(full) = work.trygetfull(cx) else {
                    self.bufs = Some((wbuf1, wbuf2));
                    cx.step("gcWork.tryGet", format_args!("cache and work.full are empty: no work"));
                    return false;
                };
                work.putempty(cx, owbuf);
                wbuf1 = full;
            }
        }
        let n = work.get_obj(cx, wbuf1);
        self.bufs = Some((wbuf1, wbuf2));
        self.got_objects += 1;
        cx.step("gcWork.tryGet", format_args!("{wbuf1}.nobj {n} -> {}", n - 1));
        true
    }

    /// `dispose`: every cached buffer back to the global lists, empty ones to work.empty.
    pub fn dispose<P: Platform>(&mut self, cx: &Ctx, work: &Work<P>) {
        let Some((wbuf1, wbuf2)) = self.bufs.take() else {
            cx.step("gcWork.dispose", format_args!("nothing cached"));
            return;
        };
        for b in [wbuf1, wbuf2] {
            if work.nobj(cx, b) == 0 {
                work.putempty(cx, b);
            } else {
                work.putfull(cx, b);
            }
        }
        cx.step("gcWork.dispose", format_args!("gave back {wbuf1} and {wbuf2}"));
    }

    /// `balance`: move some cached work to work.full.
    pub fn balance<P: Platform>(&mut self, cx: &Ctx, work: &Work<P>) {
        let Some((wbuf1, wbuf2)) = self.bufs else {
            return;
        };
        if work.nobj(cx, wbuf2) != 0 {
            cx.step("gcWork.balance", format_args!("{wbuf2} to work.full"));
            work.putfull(cx, wbuf2);
            let wbuf2 = work.getempty(cx);
            self.bufs = Some((wbuf1, wbuf2));
        } else if work.nobj(cx, wbuf1) > work.handoff_above {
            let wbuf1 = work.handoff(cx, wbuf1);
            self.bufs = Some((wbuf1, wbuf2));
        } else {
            cx.step("gcWork.balance", format_args!("nothing to hand off"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Recorder;
    use crate::platform::Std;
    use crate::workbufs::{Sizes, Variant};

    /// A cache whose wbuf1 holds `objects` objects (wbuf2 empty), balanced once: whether balance
    /// handed part of wbuf1 off to work.full.
    fn balance_hands_off(objects: usize, handoff_above: usize) -> bool {
        let rec = Recorder::new(false);
        let cx = Ctx::thread(&rec, 0);
        let work = Work::<Std>::new(Variant::Go, Sizes::small(4, 8), 2, 64, None, handoff_above);
        let mut gcw = GcWork::default();
        for _ in 0..objects {
            gcw.put(&cx, &work);
        }
        gcw.balance(&cx, &work);
        assert!(rec.violation().is_none(), "{:?}", rec.violation());
        work.trygetfull(&cx).is_some()
    }

    /// Go's `wbuf.nobj > 4`: a wbuf1 of exactly `handoff_above` objects stays whole.
    #[test]
    fn balance_hands_off_only_above_the_threshold() {
        assert!(!balance_hands_off(4, 4));
        assert!(balance_hands_off(5, 4));
        assert!(!balance_hands_off(2, 2) && balance_hands_off(3, 2));
    }
}
