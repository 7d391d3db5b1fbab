//! The workbufs scenario: mark workers moving buffers between their caches and the global
//! lists, a phase controller running GC cycles, a sweeper freeing spans; the ledger checks every
//! step, the quiescence audit checks conservation.

use super::config::{Config, Op};
use super::gcwork::GcWork;
use super::heap::HeapSpan;
use super::phase::{bgsweep, gc_mark_termination, gc_start};
use super::pool::Work;
use super::quiescence::{audit_objects, audit_quiescence, audit_sweep, Found, SpanAudit};
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

    fn spawn_note(&self) -> Option<String> {
        let c = &self.config;
        (self.threads() > c.workers).then(|| {
            format!(
                "each of its {} GC cycles spawns its {} workers{} again; fewer workers or cycles spawn fewer",
                c.cycles,
                c.workers,
                if c.sweeper { " and the sweeper" } else { "" }
            )
        })
    }

    /// R13 and R14 give one workbuf two owners. With two workers both may then write its nobj
    /// (and its lfstack node's pushcnt) at once: on real threads that is undefined behaviour, not a
    /// finding. With one worker the owners take turns, so the std engine can run it.
    fn std_safe(&self) -> Result<(), ConfigError> {
        let c = &self.config;
        let two_owners = matches!(c.variant, Variant::R13NoWipeEmpty | Variant::R13NoDispose | Variant::R14FirstOnEmpty);
        if two_owners && c.workers > 1 {
            return Err(ConfigError(format!(
                "workbufs {} with {} workers lets two threads write one workbuf at once: on real threads that is undefined behaviour; run it with one worker, or under loom or shuttle",
                c.variant, c.workers
            )));
        }
        Ok(())
    }

    fn execute<P: Platform>(&self, rec: &Arc<Recorder>) {
        let c = &self.config;
        // The main thread is the phase controller (see `phase`): it starts each cycle's workers,
        // joins them (mark termination detection), ends the cycle and readies the sweeper.
        let main = Ctx::main(rec);
        let work = Arc::new(Work::<P>::new(c.variant, c.sizes(), c.heap_spans, c.free_batch, c.preempt_after, c.handoff_above));
        let mut caches: Vec<GcWork> = (0..c.workers).map(|_| GcWork::default()).collect();
        let mut sweeper: Option<P::JoinHandle<()>> = None;
        for cycle in 1..=c.cycles {
            if cycle > 1 {
                gc_start(&main, &work, cycle);
            }
            match c.workers {
                1 => main.step("gcStart", format_args!("cycle {cycle}: mark worker T0 starts, one per P")),
                n => main.step("gcStart", format_args!("cycle {cycle}: mark workers T0..T{} start, one per P", n - 1)),
            }
            let workers: Vec<_> = caches
                .into_iter()
                .enumerate()
                .map(|(t, mut gcw)| {
                    // Worker t runs on P t and takes P t's gcWork, so its id is t in every cycle.
                    let cx = Ctx::thread(rec, t as u32);
                    let (work, programs) = (Arc::clone(&work), Arc::clone(&self.programs));
                    let end_of_mark = c.controller;
                    P::spawn(move || {
                        run_worker(&cx, &work, &programs[t], &mut gcw, cycle, end_of_mark);
                        gcw
                    })
                })
                .collect();
            caches = workers.into_iter().map(|h| h.join()).collect();
            if !c.controller {
                break;
            }
            main.step("gcMarkDone", format_args!("cycle {cycle}: every worker drained its work and disposed its gcWork"));
            gc_mark_termination(&main, &work, cycle, &caches);
            if c.sweeper {
                if let Some(previous) = sweeper.take() {
                    previous.join();
                }
                let cx = Ctx::thread(rec, c.workers as u32);
                let work = Arc::clone(&work);
                main.step("gcSweep", format_args!("readying the background sweeper, T{}", c.workers));
                sweeper = Some(P::spawn(move || bgsweep(&cx, &work)));
            }
            // After startTheWorldWithSema, while a new GC cycle cannot start.
            work.prepare_free_workbufs(&main);
        }
        if let Some(last) = sweeper {
            last.join();
        }
        audit(&main, &work, &caches);
    }
}

/// One mark worker's share of one cycle, on its P's gcWork: its program, then, when a controller
/// ends the cycle, Go's end of mark for its P: drain until there is no work and dispose the cache
/// (mark 2's `forEachP` dispose, skipped by R13's no-dispose variant).
fn run_worker<P: Platform>(cx: &Ctx, work: &Work<P>, program: &[Op], gcw: &mut GcWork, cycle: usize, end_of_mark: bool) {
    for (k, op) in program.iter().enumerate() {
        // What the rest of the worker reads: where it is in its program and its P's gcWork.
        P::local_state(&(k, &*gcw));
        match op {
            Op::Put => gcw.put(cx, work),
            Op::Get => {
                gcw.try_get(cx, work);
            }
            Op::Dispose => gcw.dispose(cx, work),
            Op::Balance => gcw.balance(cx, work),
        }
    }
    if !end_of_mark {
        return;
    }
    P::local_state(&("drain", &*gcw));
    while gcw.try_get(cx, work) {
        P::local_state(&("drain", &*gcw));
    }
    if work.variant == Variant::R13NoDispose {
        // Broken: mark 2 skips the dispose; the drained buffers stay cached across the freeing.
        cx.step("gcMarkDone", format_args!("cycle {cycle}: gcWork NOT disposed: {:?}", gcw.cached()));
    } else {
        gcw.dispose(cx, work);
    }
}

/// Conservation once every thread joined, then what a finished sweeper must have freed.
fn audit<P: Platform>(main: &Ctx, work: &Work<P>, caches: &[GcWork]) {
    let per_span = work.sizes.per_span();
    let heap = work.heap.states();
    let lists = work.wbuf_spans.lock.lock();
    let spans: Vec<SpanAudit> = heap
        .iter()
        .enumerate()
        .map(|(i, state)| {
            let homes = if *state == HeapSpan::Returned { vec!["returned to the heap"] } else { vec![] };
            SpanAudit { span: SpanId(i), allocated: *state != HeapSpan::Unallocated, homes }
        })
        .collect();
    // Every span id on a list, whether or not the heap ever handed it out.
    let listed: Vec<(SpanId, &'static str)> =
        lists.busy.iter().map(|&s| (s, "wbufSpans.busy")).chain(lists.free.iter().map(|&s| (s, "wbufSpans.free"))).collect();
    let on_free: Vec<SpanId> = lists.free.iter().copied().collect();
    drop(lists);
    // Figures, maximised over executions: evidence that the explored executions free spans.
    let count = |state: HeapSpan| heap.iter().filter(|&&s| s == state).count() as u64;
    main.recorder().figure_max("spans-allocated", count(HeapSpan::Manual) + count(HeapSpan::Returned));
    main.recorder().figure_max("spans-returned", count(HeapSpan::Returned));
    main.recorder().figure_max("spans-reused", work.heap.reused());

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
    audit_quiescence(main, &spans, &listed, &found, per_span);
    let returned: Vec<SpanId> = (0..heap.len()).filter(|&i| heap[i] == HeapSpan::Returned).map(SpanId).collect();
    let (last_sweep, after_last_prepare, prepared) = work.ledger.sweep_record();
    audit_sweep(main, last_sweep, after_last_prepare, &on_free, &prepared, &returned);
    let (put, got) = caches.iter().map(GcWork::objects).fold((0, 0), |(p, g), (dp, dg)| (p + dp, g + dg));
    // Every thread has joined: the reads skip the ledger's owner check, as gcMark's do.
    let queued: Vec<(WbufId, usize)> = found.iter().map(|f| (f.w, work.bufs.nobj(f.w))).collect();
    audit_objects(main, put, got, &queued);
}
