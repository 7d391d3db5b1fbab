//! The ledger: where every workbuf is and what state every span is in while the threads run, and
//! what the sweeper's calls saw (for the quiescence audit, [`super::quiescence`]).
//!
//! Everything here is std-typed: no scheduling point, no happens-before edge (so
//! instrumentation cannot change what is explored). Workbuf places are tracked only under the
//! serializing engines (loom, shuttle), where an update made right after an lfstack push or pop,
//! with no platform operation in between, moves atomically with the head CAS. Span states and the
//! phase are updated under wbufSpans.lock (or by the one thread that owns the span), so they are
//! tracked under every engine.
//!
//! The rules: a workbuf is live from the carve of its span until prepareFreeWorkbufs moves the
//! span to wbufSpans.free (Go: "This must only be called when all workbufs are on the empty
//! list"); a live workbuf is in exactly one place (work.empty, work.full, one thread's cache or
//! hands); a dead one is in none, and touching it is a use after free. A span goes to the heap
//! only while gcphase is _GCoff (#11267).

use super::phase::GcPhase;
use super::{SpanId, WbufId};
use crate::check::{Ctx, ViolationKind};
use crate::check::{Shared, SharedGuard};
use std::fmt;

/// One of the two global lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum List {
    Empty,
    Full,
}

impl List {
    pub fn go_name(self) -> &'static str {
        match self {
            List::Empty => "work.empty",
            List::Full => "work.full",
        }
    }
}

/// Where a workbuf is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Place {
    /// Not carved, or dropped with its span (the wipe of work.empty).
    Nowhere,
    On(List),
    /// In thread t's gcWork cache or hands.
    Held(u32),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Nowhere => f.write_str("nowhere"),
            Place::On(list) => write!(f, "on {}", list.go_name()),
            Place::Held(t) => write!(f, "held by T{t}"),
        }
    }
}

/// A span's state, as the workbuf pool sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PoolSpan {
    Unallocated,
    /// Allocated by allocManual or taken back from wbufSpans.free: its workbufs are live.
    InUse,
    /// On wbufSpans.free since prepareFreeWorkbufs: its workbufs are dead.
    OnFree,
    /// Given back to the heap by freeSomeWbufs.
    Returned,
}

impl PoolSpan {
    fn describe(self, span: SpanId) -> String {
        match self {
            PoolSpan::Unallocated => format!("span {span} was never allocated"),
            PoolSpan::InUse => format!("span {span} is in use"),
            PoolSpan::OnFree => format!("its span {span} was moved to wbufSpans.free by prepareFreeWorkbufs"),
            PoolSpan::Returned => format!("its span {span} was returned to the heap by freeSomeWbufs"),
        }
    }
}

#[derive(Hash)]
struct State {
    places: Vec<Place>,
    spans: Vec<PoolSpan>,
    phase: GcPhase,
    /// prepareFreeWorkbufs calls so far.
    prepares: usize,
    /// Per span: whether a prepareFreeWorkbufs ever moved it to wbufSpans.free.
    ever_prepared: Vec<bool>,
    /// The most recent freeSomeWbufs call (sweepers run one at a time: each is joined before the
    /// next is readied, so at quiescence this is the last sweeper's last call).
    last_sweep: Option<SweepCall>,
}

/// What one freeSomeWbufs call saw and answered, recorded under wbufSpans.lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SweepCall {
    /// gcphase as the controller last set it (the ledger's record, not the variant's read).
    pub phase: GcPhase,
    /// prepareFreeWorkbufs calls that had happened before this call took the lock.
    pub after_prepares: usize,
    /// Its answer: whether free spans remain.
    pub more: bool,
}

/// The run-time ledger.
pub struct Ledger {
    /// Whether workbuf places are tracked (only under the serializing engines).
    track_places: bool,
    per_span: usize,
    /// Only checks read it (audit data of the stateful engine's fingerprint).
    state: Shared<State>,
}

impl Ledger {
    pub fn new(track_places: bool, per_span: usize, heap_spans: usize) -> Self {
        Ledger {
            track_places,
            per_span,
            state: Shared::audit(State {
                places: vec![Place::Nowhere; per_span * heap_spans],
                spans: vec![PoolSpan::Unallocated; heap_spans],
                phase: GcPhase::Mark,
                prepares: 0,
                ever_prepared: vec![false; heap_spans],
                last_sweep: None,
            }),
        }
    }

    fn state(&self) -> SharedGuard<'_, State> {
        self.state.lock()
    }

    fn span_of(&self, w: WbufId) -> SpanId {
        SpanId(w.0 / self.per_span)
    }

    fn me(cx: &Ctx) -> u32 {
        cx.id().expect("workbufs are only touched by model threads")
    }

    /// Fails if `w`'s span is not in use: the workbuf is dead. `what` says what `cx` does to it.
    fn check_live<'s>(&self, st: SharedGuard<'s, State>, cx: &Ctx, w: WbufId, what: impl Fn() -> String) -> SharedGuard<'s, State> {
        let span = self.span_of(w);
        let state = st.spans[span.0];
        if state != PoolSpan::InUse {
            let place = st.places[w.0];
            drop(st);
            cx.fail(ViolationKind::UseAfterFree, format!("{} {} ({w} is {place}), but {}", cx.name(), what(), state.describe(span)));
        }
        st
    }

    /// `cx` is about to use `w` (read or write nobj, push it): it must hold it, and `w` must be
    /// live. `what` says what it does ("reads nobj of w1"), for the report.
    pub fn touch(&self, cx: &Ctx, w: WbufId, what: impl Fn() -> String) {
        if !self.track_places {
            return;
        }
        let st = self.check_live(self.state(), cx, w, &what);
        let place = st.places[w.0];
        if place != Place::Held(Self::me(cx)) {
            drop(st);
            cx.fail(ViolationKind::DuplicatedWorkbuf, format!("{} {}, but {w} is {place}: two owners", cx.name(), what()));
        }
    }

    /// `cx` popped `w` from `list`.
    pub fn popped(&self, cx: &Ctx, w: WbufId, list: List) {
        if !self.track_places {
            return;
        }
        let what = || format!("pops {w} from {}", list.go_name());
        let mut st = self.check_live(self.state(), cx, w, what);
        let place = st.places[w.0];
        if place != Place::On(list) {
            drop(st);
            cx.fail(
                ViolationKind::DuplicatedWorkbuf,
                format!("{} {}, but {w} is {place}: the list handed out a workbuf it did not hold", cx.name(), what()),
            );
        }
        st.places[w.0] = Place::Held(Self::me(cx));
    }

    /// `w` was pushed on `list` (call right after the push returns). The pusher checked it held
    /// `w` before pushing ([`Ledger::touch`]).
    pub fn pushed(&self, w: WbufId, list: List) {
        if self.track_places {
            self.state().places[w.0] = Place::On(list);
        }
    }

    /// `cx` carves `span` into workbufs: all of them become its own. Each must be in no place: a
    /// reused span whose workbufs are still linked or cached is a use after free by their holders.
    pub fn carved(&self, cx: &Ctx, span: SpanId) {
        if !self.track_places {
            return;
        }
        let mut st = self.state();
        for i in span.0 * self.per_span..(span.0 + 1) * self.per_span {
            let place = st.places[i];
            if place != Place::Nowhere {
                drop(st);
                cx.fail(
                    ViolationKind::UseAfterFree,
                    format!("{} carves span {span} again, but its workbuf w{i} is still {place} from before the span was freed", cx.name()),
                );
            }
            st.places[i] = Place::Held(Self::me(cx));
        }
    }

    /// getempty is about to return `w`, which it carved: the caller must still be its only owner.
    pub fn claim(&self, cx: &Ctx, w: WbufId) {
        if !self.track_places {
            return;
        }
        let place = self.state().places[w.0];
        if place != Place::Held(Self::me(cx)) {
            cx.fail(
                ViolationKind::DuplicatedWorkbuf,
                format!("getempty returns {w} to {}, but {w} is also {place}: one workbuf, two owners", cx.name()),
            );
        }
    }

    /// `work.empty = 0`: everything on it is dropped. `wbufSpans.lock` held.
    pub fn empty_wiped(&self) {
        if self.track_places {
            for place in self.state().places.iter_mut() {
                if *place == Place::On(List::Empty) {
                    *place = Place::Nowhere;
                }
            }
        }
    }

    /// allocManual handed `span` to the pool.
    pub fn span_allocated(&self, span: SpanId) {
        self.state().spans[span.0] = PoolSpan::InUse;
    }

    /// prepareFreeWorkbufs moved `spans` from busy to free. `wbufSpans.lock` held.
    pub fn spans_prepared(&self, spans: impl IntoIterator<Item = SpanId>) {
        let mut st = self.state();
        st.prepares += 1;
        for s in spans {
            st.spans[s.0] = PoolSpan::OnFree;
            st.ever_prepared[s.0] = true;
        }
    }

    /// freeSomeWbufs is about to return `more`. `wbufSpans.lock` held.
    pub fn sweep_returned(&self, more: bool) {
        let mut st = self.state();
        st.last_sweep = Some(SweepCall { phase: st.phase, after_prepares: st.prepares, more });
    }

    /// At quiescence: the last freeSomeWbufs call, whether it came after the last
    /// prepareFreeWorkbufs, and the spans any prepareFreeWorkbufs moved.
    pub fn sweep_record(&self) -> (Option<SweepCall>, bool, Vec<SpanId>) {
        let st = self.state();
        // With no prepareFreeWorkbufs at all nothing was ever moved to free, so "after the last"
        // holds vacuously and the sweep audit has nothing to find.
        let after_last = st.last_sweep.is_some_and(|c| c.after_prepares == st.prepares);
        let prepared = st.ever_prepared.iter().enumerate().filter(|(_, &p)| p).map(|(i, _)| SpanId(i)).collect();
        (st.last_sweep, after_last, prepared)
    }

    /// getempty took `span` back from free to busy. `wbufSpans.lock` held.
    pub fn span_reused(&self, span: SpanId) {
        self.state().spans[span.0] = PoolSpan::InUse;
    }

    /// freeSomeWbufs is about to give `span` back to the heap. `wbufSpans.lock` held. During GC a
    /// span must never go from manual to free (#11267).
    pub fn span_returning(&self, cx: &Ctx, span: SpanId) {
        let mut st = self.state();
        if st.phase != GcPhase::Off {
            let phase = st.phase;
            drop(st);
            cx.fail(
                ViolationKind::FreedDuringMark,
                format!(
                    "{} (freeSomeWbufs) returns span {span} to the heap while gcphase is {}: a marker may still point into it",
                    cx.name(),
                    phase.go_name()
                ),
            );
        }
        st.spans[span.0] = PoolSpan::Returned;
    }

    /// setGCPhase. `wbufSpans.lock` held (the model's stop-the-world).
    pub fn phase_set(&self, phase: GcPhase) {
        self.state().phase = phase;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fails(f: impl FnOnce(&Ctx) + std::panic::UnwindSafe) -> ViolationKind {
        crate::check::violation_of(f)
    }

    fn ledger() -> Ledger {
        let l = Ledger::new(true, 2, 2);
        l.span_allocated(SpanId(0));
        l
    }

    #[test]
    fn the_ledger_catches_a_second_owner() {
        // A workbuf pushed, then touched by its former owner: two owners.
        assert_eq!(
            fails(|cx| {
                let l = ledger();
                l.carved(cx, SpanId(0));
                l.pushed(WbufId(0), List::Empty);
                l.touch(cx, WbufId(0), || "reads nobj of w0".into());
            }),
            ViolationKind::DuplicatedWorkbuf
        );
        // Popping what the list does not hold.
        assert_eq!(
            fails(|cx| {
                let l = ledger();
                l.carved(cx, SpanId(0));
                l.popped(cx, WbufId(1), List::Full);
            }),
            ViolationKind::DuplicatedWorkbuf
        );
        // The first workbuf both returned and on work.empty (R14).
        assert_eq!(
            fails(|cx| {
                let l = ledger();
                l.carved(cx, SpanId(0));
                l.pushed(WbufId(0), List::Empty);
                l.claim(cx, WbufId(0));
            }),
            ViolationKind::DuplicatedWorkbuf
        );
        // Another thread touching what T1 carved: ownership is per thread, not "some thread".
        assert_eq!(
            fails(|cx| {
                let l = ledger();
                l.carved(&Ctx::thread(cx.recorder(), 1), SpanId(0));
                l.touch(cx, WbufId(0), || "reads nobj of w0".into());
            }),
            ViolationKind::DuplicatedWorkbuf
        );
    }

    #[test]
    fn the_ledger_catches_use_after_free_and_freeing_during_mark() {
        // Touching a workbuf of a span on free, or carving a span whose workbuf is still linked.
        assert_eq!(
            fails(|cx| {
                let l = ledger();
                l.carved(cx, SpanId(0));
                l.spans_prepared([SpanId(0)]);
                l.touch(cx, WbufId(0), || "reads nobj of w0".into());
            }),
            ViolationKind::UseAfterFree
        );
        assert_eq!(
            fails(|cx| {
                let l = ledger();
                l.carved(cx, SpanId(0));
                l.pushed(WbufId(1), List::Empty);
                l.spans_prepared([SpanId(0)]);
                l.span_reused(SpanId(0));
                l.carved(cx, SpanId(0));
            }),
            ViolationKind::UseAfterFree
        );
        // Returning a span during mark.
        assert_eq!(fails(|cx| ledger().span_returning(cx, SpanId(0))), ViolationKind::FreedDuringMark);
    }
}
