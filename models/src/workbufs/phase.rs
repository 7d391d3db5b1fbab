//! gcphase, the phase controller's stop-the-world transitions, and mark termination detection.
//!
//! Ports what mgcwork.go's freeing relies on from src/runtime/mgc.go at 051809e3: `gcphase`
//! (written by `setGCPhase` with the world stopped, in gcStart and gcMarkTermination), the order of
//! gcMarkTermination (phase _GCmarktermination, gcMark's checks, then _GCoff and gcSweep readying
//! the sweeper, then start the world, then prepareFreeWorkbufs "while a new GC cycle cannot
//! start"), and the bgsweep loop `for freeSomeWbufs(true) { Gosched() }`.
//!
//! Differences from Go:
//! - The main thread is the phase controller (loom allows four spawned threads, and the workers and
//!   the sweeper need them). It starts the mark workers of a cycle by spawning them, one per P,
//!   each taking its P's gcWork, and detects mark termination by joining them: each worker drains
//!   and disposes its cache before it returns (mark 2: gcMarkDone's `forEachP` dispose of every P's
//!   gcWork, with `gcBlackenPromptly` set). A join blocks without spinning, so no scheduling point
//!   is spent on waiting.
//! - gcMark's own drain is not modelled (the controller has no P and marks nothing); its checks
//!   that mark 2 left no work ("work.full != 0", "P has cached GC work at end of mark termination")
//!   are, verbatim, with the world stopped between _GCmarktermination and _GCoff.
//! - Stopping the world is modelled by the controller holding `wbufSpans.lock` across the phase
//!   store. A Go thread cannot be stopped while it holds a runtime lock, and the only thread that
//!   runs across a transition is the sweeper, whose non-preemptible region is its hold on that
//!   lock; the workers of a cycle have finished before it ends and start after it begins. This is
//!   why freeSomeWbufs may read gcphase under the lock and trust it.
//! - gcSweep readies the one bgsweep goroutine; here it spawns a sweeper thread per cycle, after
//!   joining the previous one. The previous one may still run through the whole next mark phase
//!   (R12's window), as a starved bgsweep can; calls it would make after the next _GCoff are the
//!   same calls the new sweeper makes, so nothing is lost by joining it there.
//! - _GCmarktermination lasts one stop-the-world section, where no thread can observe it: it is
//!   traced and recorded in the ledger but never stored in the phase word.

use super::gcwork::GcWork;
use super::pool::Work;
use super::spans::SpanLists;
use super::Variant;
use crate::check::Ctx;
use crate::platform::{AtomicU64, Mutex, Ordering, Platform};

/// `gcphase`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GcPhase {
    Off,
    Mark,
    MarkTermination,
}

impl GcPhase {
    /// Go's name for the phase.
    pub fn go_name(self) -> &'static str {
        match self {
            GcPhase::Off => "_GCoff",
            GcPhase::Mark => "_GCmark",
            GcPhase::MarkTermination => "_GCmarktermination",
        }
    }

    fn code(self) -> u64 {
        match self {
            GcPhase::Mark => 1,
            GcPhase::MarkTermination => 2,
            GcPhase::Off => 3,
        }
    }

    /// The phase word for `phase` of GC cycle `cycle` (1-based).
    pub fn word(cycle: usize, phase: GcPhase) -> u64 {
        cycle as u64 * 4 + phase.code()
    }

    /// The phase a word holds, and its cycle.
    pub fn decode(word: u64) -> (usize, GcPhase) {
        let phase = match word % 4 {
            1 => GcPhase::Mark,
            2 => GcPhase::MarkTermination,
            _ => GcPhase::Off,
        };
        ((word / 4) as usize, phase)
    }
}

/// `gcphase`, with the GC cycle it belongs to.
pub struct GcState<P: Platform> {
    /// `cycle * 4 + gcphase`, increasing over the run. Protocol: stored (SeqCst) only by the
    /// controller, holding wbufSpans.lock (its stop-the-world); loaded (SeqCst) by freeSomeWbufs.
    /// Starts at mark of cycle 1: the first gcStart happens before the model threads start.
    word: P::AtomicU64,
}

impl<P: Platform> GcState<P> {
    pub fn new() -> Self {
        GcState { word: P::AtomicU64::new(GcPhase::word(1, GcPhase::Mark)) }
    }

    /// Loads gcphase (with its cycle).
    pub fn load(&self) -> (usize, GcPhase) {
        GcPhase::decode(self.word.load(Ordering::SeqCst))
    }
}

impl<P: Platform> Default for GcState<P> {
    fn default() -> Self {
        GcState::new()
    }
}

/// gcStart of cycle `cycle` (> 1): stop the world, gcphase = _GCmark, start the world.
pub fn gc_start<P: Platform>(cx: &Ctx, work: &Work<P>, cycle: usize) {
    if work.variant == Variant::R12PhaseBeforeStw {
        // Broken: setGCPhase(_GCmark) before stopTheWorld, so the store does not wait for the
        // sweeper's non-preemptible batch. The store and the ledger's record are one step.
        work.gc.word.store(GcPhase::word(cycle, GcPhase::Mark), Ordering::SeqCst);
        work.ledger.phase_set(GcPhase::Mark);
        cx.step("setGCPhase", format_args!("cycle {cycle}: gcphase = _GCmark BEFORE the world is stopped"));
        let spans = work.wbuf_spans.lock.lock();
        cx.step("gcStart", format_args!("world stopped; cycle {cycle}"));
        drop(spans);
        return;
    }
    let spans = work.wbuf_spans.lock.lock();
    set_phase(cx, work, &spans, cycle, GcPhase::Mark, true);
    drop(spans);
}

/// gcMarkTermination's phase changes, world stopped: _GCmarktermination, gcMark's checks that no
/// work is left, then _GCoff (after which gcSweep readies the sweeper and the world starts again).
/// `caches` are every P's gcWork.
pub fn gc_mark_termination<P: Platform>(cx: &Ctx, work: &Work<P>, cycle: usize, caches: &[GcWork]) {
    let spans = work.wbuf_spans.lock.lock();
    set_phase(cx, work, &spans, cycle, GcPhase::MarkTermination, false);
    gc_mark_checks(cx, work, caches);
    set_phase(cx, work, &spans, cycle, GcPhase::Off, true);
    drop(spans);
}

/// gcMark's double checks, after its own drain: nothing on work.full, and no P's gcWork holding
/// an object ("This should be ensured by mark 2 before we enter mark termination"). The model's
/// gcMark has nothing of its own to drain (the controller marks nothing), so only the checks.
fn gc_mark_checks<P: Platform>(cx: &Ctx, work: &Work<P>, caches: &[GcWork]) {
    if !work.full.empty(cx) {
        cx.throw("work.full != 0");
    }
    if caches.iter().any(|gcw| !gcw.empty(work)) {
        cx.throw("P has cached GC work at end of mark termination");
    }
    cx.step("gcMark", format_args!("work.full is empty and no P's gcWork holds work"));
}

/// `setGCPhase`. `wbufSpans.lock` must be held (the model's stop-the-world): the caller passes
/// what it guards. A phase no thread can observe (`store` false) is only traced and recorded.
fn set_phase<P: Platform>(cx: &Ctx, work: &Work<P>, _locked: &SpanLists, cycle: usize, phase: GcPhase, store: bool) {
    if store {
        work.gc.word.store(GcPhase::word(cycle, phase), Ordering::SeqCst);
    }
    work.ledger.phase_set(phase);
    cx.step("setGCPhase", format_args!("world stopped; cycle {cycle}: gcphase = {}", phase.go_name()));
}

/// The background sweeper's part in workbuf freeing, once gcSweep readied it:
/// `for freeSomeWbufs(true) { Gosched() }`, then park.
pub fn bgsweep<P: Platform>(cx: &Ctx, work: &Work<P>) {
    // The loop keeps no local: each freeSomeWbufs call depends on the shared state alone.
    P::local_state(&());
    while work.free_some_wbufs(cx, true) {
        P::spin_loop(); // Gosched
        P::local_state(&());
    }
    cx.step("bgsweep", format_args!("parked"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Recorder, ViolationKind};
    use crate::platform::Std;
    use crate::workbufs::Sizes;
    use std::panic::{catch_unwind, AssertUnwindSafe};

    /// Mark termination with one P's gcWork after `program`: the throw it meets, if any.
    fn terminate(program: impl Fn(&Ctx, &Work<Std>, &mut GcWork)) -> Option<String> {
        let rec = Recorder::new(false);
        let work = Work::<Std>::new(Variant::Go, Sizes::small(2, 1), 2, 64, None, 4);
        let mut gcw = GcWork::default();
        program(&Ctx::thread(&rec, 0), &work, &mut gcw);
        let main = Ctx::main(&rec);
        let ended = catch_unwind(AssertUnwindSafe(|| gc_mark_termination(&main, &work, 1, &[gcw])));
        assert_eq!(ended.is_err(), rec.violation().is_some());
        rec.violation().map(|v| {
            assert_eq!(v.kind, ViolationKind::Throw);
            v.detail
        })
    }

    #[test]
    fn the_phase_word_round_trips_and_increases_over_the_run() {
        let run_order = (1..=3).flat_map(|cycle| [GcPhase::Mark, GcPhase::MarkTermination, GcPhase::Off].map(|phase| (cycle, phase)));
        let mut last = None;
        for (cycle, phase) in run_order {
            let word = GcPhase::word(cycle, phase);
            assert_eq!(GcPhase::decode(word), (cycle, phase), "word {word}");
            assert!(last < Some(word), "{phase:?} of cycle {cycle} after word {last:?}");
            last = Some(word);
        }
    }

    #[test]
    fn gc_mark_throws_on_work_left_at_mark_termination() {
        // Drained and disposed: nothing left.
        assert_eq!(
            terminate(|cx, work, gcw| {
                gcw.put(cx, work);
                gcw.try_get(cx, work);
                gcw.dispose(cx, work)
            }),
            None
        );
        // Drained but not disposed (R13's no-dispose): empty buffers cached are not work.
        assert_eq!(
            terminate(|cx, work, gcw| {
                gcw.put(cx, work);
                gcw.try_get(cx, work);
            }),
            None
        );
        // An object still cached, or disposed onto work.full: Go's two throws.
        assert_eq!(terminate(|cx, work, gcw| gcw.put(cx, work)).as_deref(), Some("P has cached GC work at end of mark termination"));
        assert_eq!(
            terminate(|cx, work, gcw| {
                gcw.put(cx, work);
                gcw.dispose(cx, work)
            })
            .as_deref(),
            Some("work.full != 0")
        );
    }
}
