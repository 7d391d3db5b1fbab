//! gcphase, the phase controller's stop-the-world transitions, and mark termination detection.
//!
//! Ports what mgcwork.go's freeing relies on from src/runtime/mgc.go at 051809e3: `gcphase`
//! (written by `setGCPhase` with the world stopped, in gcStart and gcMarkTermination), the order of
//! gcMarkTermination (phase _GCmarktermination, then _GCoff and gcSweep readying the sweeper, then
//! start the world, then prepareFreeWorkbufs "while a new GC cycle cannot start"), and the bgsweep
//! loop `for freeSomeWbufs(true) { Gosched() }`.
//!
//! Differences from Go:
//! - Stopping the world is modelled by the controller holding `wbufSpans.lock` across the phase
//!   store. A Go thread cannot be stopped while it holds a runtime lock, and the only thread in
//!   this model that runs across a transition is the sweeper, whose non-preemptible region is its
//!   hold on that lock; the workers are parked between cycles (see below). This is why
//!   freeSomeWbufs may read gcphase under the lock and trust it.
//! - The phase is one atomic word, `cycle * 4 + phase`, increasing over the run: the mark workers
//!   of cycle c wait for it to reach mark of c (Go's gcStart starts them), the sweeper waits for off
//!   of c (gcSweep readies it). _GCmarktermination lasts one stop-the-world section, where no thread
//!   can observe it, so it is traced and recorded in the ledger but never stored in the word.
//! - gcMarkDone's termination detection (work.nwait == work.nproc with no work left, and the
//!   forEachP flush of every P's gcWork, 9108ae77) is one counter: each worker adds one after it
//!   drained and disposed its cache; the controller waits for all of them.
//! - Waiting is a spin with the platform's spin hint (a yield under the checkers).

use super::pool::Work;
use crate::check::Ctx;
use crate::platform::{AtomicU64, Mutex, Ordering, Platform};

/// `gcphase`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// gcphase and the mark termination counter.
pub struct GcState<P: Platform> {
    /// `cycle * 4 + gcphase`. Protocol: stored (SeqCst) only by the controller, holding
    /// wbufSpans.lock (its stop-the-world); loaded (SeqCst) by freeSomeWbufs under that lock, and by
    /// workers and the sweeper waiting for their cycle. Starts at mark of cycle 1: the first
    /// gcStart happens on the main thread before the model threads start.
    word: P::AtomicU64,
    /// Workers that finished a cycle (drained and disposed), summed over cycles: Go's work.nwait.
    /// Protocol: fetch_add (SeqCst) by each worker at the end of each cycle, after its last touch of
    /// a workbuf; loaded by the controller, whose mark termination follows it.
    nwait: P::AtomicU64,
}

impl<P: Platform> GcState<P> {
    pub fn new() -> Self {
        GcState { word: P::AtomicU64::new(GcPhase::word(1, GcPhase::Mark)), nwait: P::AtomicU64::new(0) }
    }

    /// Loads gcphase (with its cycle).
    pub fn load(&self) -> (usize, GcPhase) {
        GcPhase::decode(self.word.load(Ordering::SeqCst))
    }

    /// Spins until the word reaches `phase` of `cycle` (or later).
    pub fn wait_for(&self, cx: &Ctx, cycle: usize, phase: GcPhase, who: &'static str) {
        let target = GcPhase::word(cycle, phase);
        loop {
            let word = self.word.load(Ordering::SeqCst);
            if word >= target {
                let (c, p) = GcPhase::decode(word);
                cx.step(who, format_args!("cycle {c}, gcphase is {}: go", p.go_name()));
                return;
            }
            P::spin_loop();
        }
    }

    /// A worker finished its share of cycle `cycle`.
    pub fn worker_done(&self, cx: &Ctx, cycle: usize) {
        let was = self.nwait.fetch_add(1, Ordering::SeqCst);
        cx.step("gcMarkDone", format_args!("cycle {cycle}: drained and disposed; work.nwait {was} -> {}", was + 1));
    }

    /// The controller waits until `count` workers have finished, summed over cycles.
    fn wait_workers(&self, count: u64) {
        while self.nwait.load(Ordering::SeqCst) < count {
            P::spin_loop();
        }
    }
}

impl<P: Platform> Default for GcState<P> {
    fn default() -> Self {
        GcState::new()
    }
}

/// The phase controller: `cycles` GC cycles of mark, mark termination, off.
pub fn run_controller<P: Platform>(cx: &Ctx, work: &Work<P>, workers: usize, cycles: usize) {
    for cycle in 1..=cycles {
        if cycle > 1 {
            // gcStart: stop the world, enter mark, start the world.
            let spans = work.wbuf_spans.lock.lock();
            set_phase(cx, work, cycle, GcPhase::Mark, true);
            drop(spans);
        }
        work.gc.wait_workers((cycle * workers) as u64);
        cx.step("gcMarkDone", format_args!("cycle {cycle}: all {workers} workers drained and disposed"));
        {
            // gcMarkTermination, world stopped.
            let spans = work.wbuf_spans.lock.lock();
            set_phase(cx, work, cycle, GcPhase::MarkTermination, false);
            set_phase(cx, work, cycle, GcPhase::Off, true);
            drop(spans);
        }
        // After startTheWorldWithSema, while a new GC cycle cannot start.
        work.prepare_free_workbufs(cx);
    }
}

/// `setGCPhase`. `wbufSpans.lock` must be held (the model's stop-the-world). A phase no thread can
/// observe (`store` false) is only traced and recorded.
fn set_phase<P: Platform>(cx: &Ctx, work: &Work<P>, cycle: usize, phase: GcPhase, store: bool) {
    if store {
        work.gc.word.store(GcPhase::word(cycle, phase), Ordering::SeqCst);
    }
    work.ledger.phase_set(phase);
    cx.step("setGCPhase", format_args!("world stopped; cycle {cycle}: gcphase = {}", phase.go_name()));
}

/// The background sweeper's part in workbuf freeing: after each cycle's gcSweep readies it,
/// `for freeSomeWbufs(true) { Gosched() }`.
pub fn run_sweeper<P: Platform>(cx: &Ctx, work: &Work<P>, cycles: usize) {
    for cycle in 1..=cycles {
        work.gc.wait_for(cx, cycle, GcPhase::Off, "bgsweep");
        while work.free_some_wbufs(cx, true) {
            P::spin_loop(); // Gosched
        }
    }
}
