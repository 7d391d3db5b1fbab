//! The gcBits scenario: threads allocate mark bits in phases; between phases the world is stopped
//! and the main thread rotates the epoch. Every allocation is checked the moment it is handed out
//! (covering its request, in bounds, aligned, zero, not overlapping live bits); at quiescence
//! every arena the OS handed out must be on exactly one list.
//!
//! Go runs `nextMarkBitArenaEpoch` from `finishsweep_m` with the world stopped; here the phase's
//! threads are joined first, which gives the rotation the same exclusivity and ordering.

use super::arenas::{GcBitsArenas, Tally};
use super::audit::{check_conservation, check_placement, check_request, Allocation, Ledger, Walk};
use super::config::{Config, Op};
use super::os::{Origin, Os};
use super::waste::check_abandoned_room;
use super::Variant;
use crate::check::Shared;
use crate::check::{ConfigError, Ctx, Recorder, Scenario, ViolationKind};
use crate::platform::{JoinHandle, Platform};
use std::sync::Arc;

/// What a sweep leaves in the bits it owns: nonzero, so a reuse without memclr shows.
const MARKS: u64 = 0x6d61_726b_0000_0000;
/// The bits of arenas left on the free list by an earlier cycle.
const DIRTY: u64 = 0xd1d1_d1d1_d1d1_d1d1;

/// One step of the scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Every thread runs its operations `from..to` (those it has), concurrently.
    Allocate { from: usize, to: usize },
    /// The world is stopped: `nextMarkBitArenaEpoch` on the main thread.
    Rotate,
}

/// A checkable gcBits scenario.
#[derive(Debug)]
pub struct GcBitsScenario {
    config: Config,
    programs: Arc<Vec<Vec<Op>>>,
    plan: Vec<Stage>,
    spawns: usize,
}

impl GcBitsScenario {
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        config.validate()?;
        let programs = config.programs();
        let mut rotations = config.rotations.clone();
        rotations.sort_unstable();
        let mut plan = Vec::new();
        let mut from = 0;
        for k in rotations {
            if k > from {
                plan.push(Stage::Allocate { from, to: k });
            }
            plan.push(Stage::Rotate);
            from = k;
        }
        plan.push(Stage::Allocate { from, to: usize::MAX });
        let spawns = plan
            .iter()
            .map(|stage| match *stage {
                Stage::Allocate { from, to } => programs.iter().filter(|p| from < p.len().min(to)).count(),
                Stage::Rotate => 0,
            })
            .sum();
        Ok(GcBitsScenario { config, programs: Arc::new(programs), plan, spawns })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }
}

/// A thread's own state, carried from phase to phase (std data: it never leaves the thread
/// while the thread runs).
#[derive(Debug, Default)]
struct Worker {
    tally: Tally,
    /// Real threads only: allocations the main thread records after the join.
    pending: Vec<Allocation>,
}

impl Scenario for GcBitsScenario {
    /// Threads spawned over the whole execution: a thread is spawned again for each phase in
    /// which it allocates.
    fn threads(&self) -> usize {
        self.spawns
    }

    fn spawn_note(&self) -> Option<String> {
        let stages = self.plan.iter().filter(|s| matches!(s, Stage::Allocate { .. })).count();
        (stages > 1).then(|| {
            format!(
                "its threads are spawned again after each epoch rotation (rotations = {:?}, {stages} stages); \
                 fewer threads, or fewer rotations (--set 'rotations=[]'), spawn fewer",
                self.config.rotations
            )
        })
    }

    fn std_safe(&self) -> Result<(), ConfigError> {
        match self.config.variant {
            Variant::NonAtomicBump | Variant::RelaxedNextPublication => Err(ConfigError(format!(
                "gcbits {} races on arena memory by design: on real threads that is undefined behaviour, run it under loom or shuttle",
                self.config.variant
            ))),
            _ => Ok(()),
        }
    }

    fn execute<P: Platform>(&self, rec: &Arc<Recorder>) {
        let config = &self.config;
        let main = Ctx::main(rec);
        let quota: Vec<usize> = self.programs.iter().map(Vec::len).collect();
        let words = config.arena_words as usize;
        let capacity = config.arena_words * 8;
        let os = Os::<P>::new(words, config.free_arenas, &quota, config.sysalloc_fails_after);
        let at_start = os.preload(DIRTY);
        let arenas = Arc::new(GcBitsArenas::new(config.variant, words, os, &at_start));
        let ledger = Arc::new(Shared::audit(Ledger::default()));
        let mut workers: Vec<Worker> = (0..config.threads).map(|_| Worker::default()).collect();
        let mut epoch = 0;
        for &stage in &self.plan {
            match stage {
                Stage::Rotate => {
                    epoch += 1;
                    arenas.next_mark_bit_arena_epoch(epoch, &main);
                }
                Stage::Allocate { from, to } => {
                    let mut handles = Vec::new();
                    for (t, program) in self.programs.iter().enumerate() {
                        let to = to.min(program.len());
                        if from >= to {
                            continue;
                        }
                        let mut worker = std::mem::take(&mut workers[t]);
                        let (arenas, ledger, programs) = (Arc::clone(&arenas), Arc::clone(&ledger), Arc::clone(&self.programs));
                        let cx = Ctx::thread(rec, t as u32);
                        handles.push((
                            t,
                            P::spawn(move || {
                                for (k, &op) in programs[t][from..to].iter().enumerate() {
                                    // What the rest of the thread reads: its place in its program and its tally.
                                    P::local_state(&(from + k, &worker.tally));
                                    allocate::<P>(&cx, &arenas, &ledger, &mut worker, op, epoch, capacity);
                                }
                                worker
                            }),
                        ));
                    }
                    for (t, handle) in handles {
                        workers[t] = handle.join();
                    }
                    if !P::SERIALIZED {
                        let mut ledger = ledger.lock();
                        for alloc in workers.iter_mut().flat_map(|w| w.pending.drain(..)) {
                            if let Err((kind, detail)) = ledger.record(alloc) {
                                drop(ledger);
                                main.fail(kind, detail);
                            }
                        }
                    }
                }
            }
        }

        let largest = self.programs.iter().flatten().map(|&Op::Alloc(nelems)| nelems.div_ceil(64) * 8).max().unwrap_or(0);
        let allocations = ledger.lock().allocations().to_vec();
        let lists = arenas.lists_at_quiescence();
        audit_at_quiescence(rec, &main, &arenas, &lists, &workers);
        // After conservation: a lost arena is reported as lost, not as room abandoned.
        if let Err((kind, detail)) = check_abandoned_room(&lists, &allocations, epoch, capacity, largest) {
            main.fail(kind, detail);
        }
    }
}

/// Every arena in exactly one place once all threads are done, and the run's figures.
fn audit_at_quiescence<P: Platform>(
    rec: &Recorder,
    main: &Ctx,
    arenas: &GcBitsArenas<P>,
    lists: &[(&'static str, Walk)],
    workers: &[Worker],
) {
    let ledger: Vec<_> = arenas.os.ledger().into_iter().map(|a| (a, arenas.os.origin(a))).collect();
    if let Err((kind, detail)) = check_conservation(&ledger, lists) {
        main.fail(kind, detail);
    }
    rec.figure_max("wasted-arenas", workers.iter().map(|w| w.tally.wasted).sum());
    // Counted from the OS's own ledger, not from what the allocating threads report.
    let from_os = ledger.iter().filter(|(_, origin)| matches!(origin, Origin::SysAlloc { .. })).count();
    rec.figure_max("arenas-from-os", from_os as u64);
    rec.figure_max("abandoned-bytes", workers.iter().map(|w| w.tally.abandoned_bytes).sum());
}

/// One `newMarkBits` call and what the span then does with its bits, checked on the spot.
fn allocate<P: Platform>(
    cx: &Ctx,
    arenas: &GcBitsArenas<P>,
    ledger: &Shared<Ledger>,
    worker: &mut Worker,
    op: Op,
    epoch: u64,
    capacity: u64,
) {
    let Op::Alloc(nelems) = op;
    let thread = cx.id().expect("model threads have ids");
    let bits = arenas.new_mark_bits(nelems, &mut worker.tally, cx);
    let alloc = Allocation { thread, arena: bits.arena, offset: bits.offset, bytes: bits.bytes, epoch };
    if let Err((kind, detail)) = check_request(&alloc, nelems) {
        cx.fail(kind, detail);
    }
    // The arena size the configuration asked for, not the one the arenas say they have.
    if let Err((kind, detail)) = check_placement(&alloc, capacity) {
        cx.fail(kind, detail);
    }
    if P::SERIALIZED {
        let recorded = ledger.lock().record(alloc);
        if let Err((kind, detail)) = recorded {
            cx.fail(kind, detail);
        }
    } else {
        worker.pending.push(alloc);
    }
    let arena = arenas.arena(bits.arena, cx);
    if let Some((at, value)) = arena.first_nonzero(bits.offset, bits.bytes) {
        cx.fail(
            ViolationKind::NonzeroBits,
            format!("{alloc} holds {value:#x} at byte {at} of {}: bits handed out must be zero", bits.arena),
        );
    }
    arena.mark(bits.offset, bits.bytes, MARKS | u64::from(thread));
}
