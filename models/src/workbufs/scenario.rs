//! The workbufs scenario: mark workers moving buffers between their caches and the global
//! lists, a phase controller running GC cycles, a sweeper freeing spans; the ledger checks every
//! step, the quiescence audit checks conservation.

use super::audit::{audit_quiescence, Found, SpanAudit};
use super::config::{Config, Op};
use super::gcwork::GcWork;
use super::heap::HeapSpan;
use super::phase::{run_controller, run_sweeper, GcPhase};
use super::pool::Work;
use super::{SpanId, Variant, WbufId};
use crate::check::{ConfigError, Ctx, Recorder, Scenario};
use crate::platform::{JoinHandle, Mutex, Platform};
use std::sync::Arc;

/// A checkable workbufs scenario.
#[derive(Debug)]
pub struct WorkbufsScenario {
    config: Config,
    programs: Arc<Vec<Vec<Op>>>,
}

impl WorkbufsScenario {
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        config.validate()?;
        let programs = Arc::new(config.programs());
        Ok(WorkbufsScenario { config, programs })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }
}

impl Scenario for WorkbufsScenario {
    fn threads(&self) -> usize {
        self.config.spawned_threads()
    }

    fn execute<P: Platform>(&self, rec: &Arc<Recorder>) {
        let c = &self.config;
        let main = Ctx::main(rec);
        let work = Arc::new(Work::<P>::new(c.variant, c.sizes(), c.heap_spans, c.free_batch, c.preempt_after, c.handoff_above));
        main.step("gcStart", format_args!("cycle 1: gcphase = _GCmark; {} mark workers start", c.workers));

        let workers: Vec<_> = (0..c.workers)
            .map(|t| {
                let cx = Ctx::thread(rec, t as u32);
                let (work, programs) = (Arc::clone(&work), Arc::clone(&self.programs));
                let (cycles, signal) = (c.cycles, c.controller);
                P::spawn(move || run_worker(&cx, &work, &programs[t], cycles, signal))
            })
            .collect();
        let mut others = Vec::new();
        let mut next = c.workers as u32;
        if c.controller {
            let cx = Ctx::thread(rec, next);
            next += 1;
            let work = Arc::clone(&work);
            let (workers, cycles) = (c.workers, c.cycles);
            others.push(P::spawn(move || run_controller(&cx, &work, workers, cycles)));
        }
        if c.sweeper {
            let cx = Ctx::thread(rec, next);
            let work = Arc::clone(&work);
            let cycles = c.cycles;
            others.push(P::spawn(move || run_sweeper(&cx, &work, cycles)));
        }
        let caches: Vec<GcWork> = workers.into_iter().map(|h| h.join()).collect();
        others.into_iter().for_each(|h| h.join());
        audit(&main, &work, &caches);
    }
}

/// One mark worker: in each cycle, its program, then Go's end of mark for its P: drain until
/// there is no work, dispose the cache (the forEachP flush, 9108ae77), report to the controller.
/// Without a controller there is no mark termination: the worker runs its program once and stops
/// with whatever it has cached. Returns its cache, for the audit.
fn run_worker<P: Platform>(cx: &Ctx, work: &Work<P>, program: &[Op], cycles: usize, signal: bool) -> GcWork {
    let mut gcw = GcWork::default();
    for cycle in 1..=cycles {
        if cycle > 1 {
            work.gc.wait_for(cx, cycle, GcPhase::Mark, "gcBgMarkWorker");
        }
        for op in program {
            match op {
                Op::Put => gcw.put(cx, work),
                Op::Get => {
                    gcw.try_get(cx, work);
                }
                Op::Dispose => gcw.dispose(cx, work),
                Op::Balance => gcw.balance(cx, work),
            }
        }
        if !signal {
            // No controller, no mark termination: the program is all this worker does.
            break;
        }
        while gcw.try_get(cx, work) {}
        if work.variant == Variant::R13NoDispose {
            // Broken (before 9108ae77): the cached buffers stay cached across the freeing.
            cx.step("gcMarkDone", format_args!("cycle {cycle}: cache NOT disposed: {:?}", gcw.cached()));
        } else {
            gcw.dispose(cx, work);
        }
        work.gc.worker_done(cx, cycle);
    }
    gcw
}

/// Conservation once every thread joined.
fn audit<P: Platform>(main: &Ctx, work: &Work<P>, caches: &[GcWork]) {
    let per_span = work.sizes.per_span();
    let heap = work.heap.states();
    let lists = work.wbuf_spans.lock.lock();
    let spans: Vec<SpanAudit> = heap
        .iter()
        .enumerate()
        .map(|(i, state)| {
            let s = SpanId(i);
            let mut homes = Vec::new();
            homes.extend(lists.busy.iter().filter(|&&b| b == s).map(|_| "wbufSpans.busy"));
            homes.extend(lists.free.iter().filter(|&&f| f == s).map(|_| "wbufSpans.free"));
            if *state == HeapSpan::Returned {
                homes.push("returned to the heap");
            }
            SpanAudit { span: s, allocated: *state != HeapSpan::Unallocated, homes }
        })
        .collect();
    drop(lists);

    let mut found = Vec::new();
    for (stack, name) in [(&work.empty, "on work.empty"), (&work.full, "on work.full")] {
        let walk = stack.walk(&work.bufs, main);
        let id = |addr: u64| work.bufs.id(addr).expect("the lists only link workbufs");
        found.extend(walk.nodes.iter().map(|&a| Found { w: id(a), place: name.to_string() }));
        if let Some(a) = walk.cycle_at {
            found.push(Found { w: id(a), place: format!("{name} again (a cycle)") });
        }
    }
    for (t, gcw) in caches.iter().enumerate() {
        found.extend(gcw.cached().into_iter().map(|w: WbufId| Found { w, place: format!("in T{t}'s cache") }));
    }
    main.step(
        "audit",
        format_args!("heap: {heap:?}; workbufs: {}", found.iter().map(|f| format!("{} {}", f.w, f.place)).collect::<Vec<_>>().join(", ")),
    );
    audit_quiescence(main, &spans, &found, per_span);
}
