//! The quiescence audit, once every thread joined: conservation of spans, workbufs and the objects
//! queued in them, and what a sweeper that ran to completion must have left behind.
//!
//! Std-typed, like the ledger ([`super::audit`]). The spans' homes come from wbufSpans' lists and
//! the modelled heap (the environment, not the code under test); whether the sweeper's last call
//! came after the last prepareFreeWorkbufs comes from the ledger.

use super::audit::SweepCall;
use super::phase::GcPhase;
use super::{SpanId, WbufId};
use crate::check::{Ctx, Misplaced, Places, ViolationKind};

/// Where one workbuf was found at quiescence, for the audit's messages.
pub struct Found {
    pub w: WbufId,
    pub place: String,
}

/// One span of the heap at quiescence: whether allocManual ever handed it out, and whether the
/// heap holds it as returned ("returned to the heap" in `homes`).
pub struct SpanAudit {
    pub span: SpanId,
    pub allocated: bool,
    pub homes: Vec<&'static str>,
}

/// Conservation at quiescence. Spans first: every span id found on wbufSpans.busy or free
/// (`listed`, whatever its id) must have come from allocManual, and every span the heap handed
/// out is in exactly one of busy, free, returned; then workbufs (a workbuf of a busy span is in
/// exactly one place; one of a free or returned span is in none).
pub fn audit_quiescence(main: &Ctx, spans: &[SpanAudit], listed: &[(SpanId, &'static str)], found: &[Found], per_span: usize) {
    let mut homes = Places::new(spans.iter().filter(|s| s.allocated).map(|s| s.span));
    spans.iter().for_each(|s| s.homes.iter().for_each(|&home| homes.found(s.span, home)));
    listed.iter().for_each(|&(s, list)| homes.found(s, list));
    if let Some((span, on)) = homes.first_stranger() {
        main.fail(ViolationKind::ForeignSpan, format!("span {span} is on {}, but allocManual never handed it out", on.join(" and ")));
    }
    match homes.first_misplaced() {
        Some(Misplaced::Lost(span)) => main.fail(
            ViolationKind::LostSpan,
            format!("span {span} came from allocManual but is in none of wbufSpans.busy, wbufSpans.free, or returned to the heap: it can never be freed"),
        ),
        Some(Misplaced::Duplicated(span, homes)) => main.fail(ViolationKind::DuplicatedSpan, format!("span {span} is in {}", homes.join(" and "))),
        None => {}
    }
    let span_of = |w: WbufId| &spans[w.0 / per_span];
    let home = |w: WbufId| homes.of(span_of(w).span).first().map(String::as_str);
    let busy = |w: WbufId| home(w) == Some("wbufSpans.busy");
    let mut places = Places::new((0..spans.len() * per_span).map(WbufId).filter(|&w| busy(w)));
    found.iter().for_each(|f| places.found(f.w, f.place.as_str()));
    if let Some((w, on)) = places.first_duplicated() {
        main.fail(ViolationKind::DuplicatedWorkbuf, format!("{w} is {}", on.join(" and ")));
    }
    if let Some((w, on)) = places.first_stranger() {
        let s = span_of(w).span;
        let why = match home(w) {
            Some(home) => format!("its span {s} is {home}"),
            None => format!("its span {s} was never allocated"),
        };
        main.fail(ViolationKind::UseAfterFree, format!("{w} is still {}, but {why}", on.join(" and ")));
    }
    if let Some(w) = places.first_lost() {
        main.fail(
            ViolationKind::LostWorkbuf,
            format!("{w} of busy span {} is on neither list and in no thread's cache or hands", span_of(w).span),
        );
    }
}

/// After a sweeper that ran to completion in _GCoff (its last freeSomeWbufs call took the lock
/// after the last prepareFreeWorkbufs, saw _GCoff and answered "no more"), wbufSpans.free is empty
/// and every span any prepareFreeWorkbufs moved is back in the heap. Otherwise (the sweeper parked
/// before the last prepareFreeWorkbufs, as Go's bgsweep can) spans may wait on free for the next
/// cycle's sweeper, and nothing is required.
pub fn audit_sweep(
    main: &Ctx,
    last: Option<SweepCall>,
    after_last_prepare: bool,
    free: &[SpanId],
    prepared: &[SpanId],
    returned: &[SpanId],
) {
    if !last.is_some_and(|c| after_last_prepare && c.phase == GcPhase::Off && !c.more) {
        return;
    }
    let finished = "the sweeper's last freeSomeWbufs ran in _GCoff after the last prepareFreeWorkbufs and answered \"no more\"";
    if let Some(s) = free.first() {
        main.fail(
            ViolationKind::LostSpan,
            format!("span {s} is still on wbufSpans.free, but {finished}: it is never returned to the heap"),
        );
    }
    if let Some(s) = prepared.iter().find(|s| !returned.contains(s)) {
        main.fail(
            ViolationKind::LostSpan,
            format!("span {s} was moved to wbufSpans.free by prepareFreeWorkbufs and {finished}, but the heap never got it back"),
        );
    }
}

/// Object conservation at quiescence: the objects queued in the workbufs found (`queued`, each
/// workbuf's nobj) are exactly those the Ps put and did not get back (`put - got`, summed over the
/// Ps, counted by the gcWork operations, not by the pool). Fewer is a grey object no one will scan
/// (in Go, a live object freed); more is one counted twice. Runs after [`audit_quiescence`], so
/// each workbuf is counted once.
pub fn audit_objects(main: &Ctx, put: u64, got: u64, queued: &[(WbufId, usize)]) {
    let expected = i128::from(put) - i128::from(got);
    let held: i128 = queued.iter().map(|&(_, n)| n as i128).sum();
    let holders = || queued.iter().filter(|(_, n)| *n > 0).map(|(w, n)| format!("{w}: {n}")).collect::<Vec<_>>().join(", ");
    let what =
        || format!("the Ps put {put} objects and got {got}, so {expected} should be queued; the workbufs hold {held} ({})", holders());
    if held < expected {
        main.fail(ViolationKind::LostObject, what());
    }
    if held > expected {
        main.fail(ViolationKind::DuplicatedObject, what());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Recorder;

    fn fails(f: impl FnOnce(&Ctx) + std::panic::UnwindSafe) -> ViolationKind {
        crate::check::violation_of(f)
    }

    #[test]
    fn the_quiescence_audit_fails() {
        // Span 0 was handed out; `on` says which lists it was found on.
        let span = |on: Vec<&'static str>| {
            let (returned, listed): (Vec<_>, Vec<_>) = on.into_iter().partition(|&h| h == "returned to the heap");
            (vec![SpanAudit { span: SpanId(0), allocated: true, homes: returned }], listed.into_iter().map(|l| (SpanId(0), l)).collect())
        };
        let found = |w: usize, place: &str| Found { w: WbufId(w), place: place.into() };
        let run = |(spans, listed): (Vec<SpanAudit>, Vec<(SpanId, &'static str)>), f: Vec<Found>| {
            fails(move |cx| audit_quiescence(cx, &spans, &listed, &f, 2))
        };
        assert_eq!(run(span(vec![]), vec![]), ViolationKind::LostSpan);
        assert_eq!(run(span(vec!["wbufSpans.busy", "wbufSpans.free"]), vec![]), ViolationKind::DuplicatedSpan);
        assert_eq!(run(span(vec!["wbufSpans.free", "returned to the heap"]), vec![]), ViolationKind::DuplicatedSpan);
        let both = vec![found(0, "on work.empty"), found(0, "in T0's cache"), found(1, "on work.empty")];
        assert_eq!(run(span(vec!["wbufSpans.busy"]), both), ViolationKind::DuplicatedWorkbuf);
        assert_eq!(run(span(vec!["wbufSpans.free"]), vec![found(1, "in T0's cache")]), ViolationKind::UseAfterFree);
        assert_eq!(run(span(vec!["wbufSpans.busy"]), vec![found(1, "on work.empty")]), ViolationKind::LostWorkbuf);
        // A span on a list that allocManual never handed out: one the heap has but never gave
        // (s1, unallocated), or an id the heap does not have at all (s7).
        let (mut spans, mut listed) = span(vec!["wbufSpans.busy"]);
        spans.push(SpanAudit { span: SpanId(1), allocated: false, homes: vec![] });
        listed.push((SpanId(1), "wbufSpans.free"));
        assert_eq!(run((spans, listed), vec![]), ViolationKind::ForeignSpan);
        let (spans, mut listed) = span(vec!["wbufSpans.busy"]);
        listed.push((SpanId(7), "wbufSpans.busy"));
        assert_eq!(run((spans, listed), vec![found(0, "on work.empty"), found(1, "in T0's cache")]), ViolationKind::ForeignSpan);
        // And a consistent state passes.
        let rec = Recorder::new(false);
        let ok = vec![found(0, "on work.empty"), found(1, "in T0's cache")];
        let (spans, listed) = span(vec!["wbufSpans.busy"]);
        audit_quiescence(&Ctx::main(&rec), &spans, &listed, &ok, 2);
        let (spans, listed) = span(vec!["returned to the heap"]);
        audit_quiescence(&Ctx::main(&rec), &spans, &listed, &[], 2);
        assert!(rec.violation().is_none());
    }

    #[test]
    fn the_object_audit_fails_on_too_few_or_too_many_queued() {
        let (w0, w1) = (WbufId(0), WbufId(1));
        assert_eq!(fails(move |cx| audit_objects(cx, 5, 2, &[(w0, 1), (w1, 1)])), ViolationKind::LostObject);
        assert_eq!(fails(move |cx| audit_objects(cx, 5, 2, &[(w0, 3), (w1, 1)])), ViolationKind::DuplicatedObject);
        // More got than put: an object was made up somewhere and then drained.
        assert_eq!(fails(move |cx| audit_objects(cx, 2, 3, &[(w0, 0)])), ViolationKind::DuplicatedObject);
        let rec = Recorder::new(false);
        audit_objects(&Ctx::main(&rec), 5, 2, &[(w0, 2), (w1, 1)]);
        audit_objects(&Ctx::main(&rec), 4, 4, &[]);
        assert!(rec.violation().is_none());
    }

    #[test]
    fn the_sweep_audit_fails() {
        let done = Some(SweepCall { phase: GcPhase::Off, after_prepares: 1, more: false });
        let (s0, s1) = (SpanId(0), SpanId(1));
        // Left on free, or moved and never returned, after a sweeper that finished: lost.
        assert_eq!(fails(move |cx| audit_sweep(cx, done, true, &[s1], &[s0, s1], &[s0])), ViolationKind::LostSpan);
        assert_eq!(fails(move |cx| audit_sweep(cx, done, true, &[], &[s0, s1], &[s0])), ViolationKind::LostSpan);
        // Nothing is required of a sweeper that parked before the last prepareFreeWorkbufs, that
        // saw a mark phase, or that said more remained; and a finished sweep that returned every
        // prepared span passes.
        let rec = Recorder::new(false);
        let main = Ctx::main(&rec);
        audit_sweep(&main, done, false, &[s1], &[s0, s1], &[s0]);
        audit_sweep(&main, Some(SweepCall { phase: GcPhase::Mark, after_prepares: 1, more: false }), true, &[s1], &[s1], &[]);
        audit_sweep(&main, Some(SweepCall { phase: GcPhase::Off, after_prepares: 1, more: true }), true, &[s1], &[s1], &[]);
        audit_sweep(&main, None, false, &[s1], &[s1], &[]);
        audit_sweep(&main, done, true, &[], &[s0, s1], &[s1, s0]);
        assert!(rec.violation().is_none());
    }
}
