//! Generated workbufs scenarios (issue 5 item 6): per-worker programs of get, put, dispose and
//! balance on each P's gcWork.
//!
//! A generated configuration is a few mark workers, each running its own short program in every GC
//! cycle, over spans of 2 workbufs of 1 object (so puts fill workbufs, balance moves them to
//! work.full, and the caches keep carving new spans), with or without the phase controller and the
//! sweeper. The heap always has room for every getempty to carve, so Go's version never runs out
//! of memory and nothing is rejected; shrinking drops workers and operations, and moves each
//! operation toward `put`.

use gcmc_models::workbufs::{Config, Op, Variant};
use proptest::prelude::*;
use std::ops::RangeInclusive;

/// The sizes a strategy generates within, and the GC around the workers.
#[derive(Clone, Debug)]
pub struct Shape {
    /// Mark workers (one P each).
    pub workers: RangeInclusive<usize>,
    /// Operations in each worker's program.
    pub ops: RangeInclusive<usize>,
    /// GC cycles; more than one needs the controller.
    pub cycles: usize,
    /// The phase controller: the end of mark (drain, dispose), prepareFreeWorkbufs, further cycles.
    /// Without it the workers run their programs once and nothing is freed.
    pub controller: bool,
    /// The background sweeper (freeSomeWbufs) after each cycle; needs the controller.
    pub sweeper: bool,
}

impl Shape {
    /// 2 or 3 workers with up to 5 operations each, two GC cycles, the controller and the sweeper:
    /// spans are freed after cycle 1 while cycle 2 carves and marks.
    pub fn gc_cycles() -> Shape {
        Shape { workers: 2..=3, ops: 0..=5, cycles: 2, controller: true, sweeper: true }
    }

    /// 1 to 3 workers with up to 4 operations each, one mark phase and no controller: what the
    /// pool does is decided by the programs alone (an empty gcWork carves nothing until its first
    /// put or get).
    pub fn mark_only() -> Shape {
        Shape { workers: 1..=3, ops: 0..=4, cycles: 1, controller: false, sweeper: false }
    }

    /// The configuration of `variant` running `programs` (one per worker) in this shape: the one
    /// the strategy generates for them, so a test can rebuild a shrunk program's neighbours.
    pub fn config(&self, variant: Variant, programs: Vec<Vec<Op>>) -> Config {
        // At most two getempties per operation (a dispose, then an init) and two for the end of
        // mark's init, per worker and cycle: room for every one to carve a span, whatever the
        // interleaving.
        let getempties = programs.len() * self.cycles * 2 * (*self.ops.end() + 1);
        let base = Config::new(variant, programs.len(), 0).heap_spans(getempties.max(1)).cycles(self.cycles);
        let base = if self.controller { base.with_controller() } else { base };
        let base = if self.sweeper { base.with_sweeper() } else { base };
        Config { programs: Some(programs), ..base }
    }
}

/// One step of a worker's program; shrinks toward `put`.
pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![Just(Op::Put), Just(Op::Get), Just(Op::Balance), Just(Op::Dispose)]
}

/// Per-worker programs within `shape`.
pub fn programs(shape: &Shape) -> impl Strategy<Value = Vec<Vec<Op>>> {
    prop::collection::vec(prop::collection::vec(op(), shape.ops.clone()), shape.workers.clone())
}

/// Configurations of `variant` within `shape`.
pub fn configs(variant: Variant, shape: Shape) -> impl Strategy<Value = Config> {
    programs(&shape).prop_map(move |programs| shape.config(variant, programs))
}
