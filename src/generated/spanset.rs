//! Generated spanset scenarios: per-thread programs of pushes and pops over one or two span sets
//! sharing the block pool.
//!
//! Blocks have as many entries as the strategy has threads at most, so no more pushers run at once
//! than a block has entries: the shape within which Go's push adds blocks in index order (the
//! README's "spanSet and golang/go#78237" says what happens beyond it). Blocks are small and the
//! spine starts at one slot, so generated programs grow the spine and recycle blocks between the
//! sets. Shrinking drops threads and operations, and moves each operation toward a push to set 0.

use gcmc_models::spanset::{Config, Op, Variant};
use proptest::prelude::*;
use std::ops::RangeInclusive;

/// The sizes a strategy generates within.
#[derive(Clone, Debug)]
pub struct Shape {
    pub threads: RangeInclusive<usize>,
    pub ops: RangeInclusive<usize>,
    pub sets: usize,
}

impl Shape {
    /// 1 to 3 threads with up to 4 operations each, over two sets.
    pub fn two_sets() -> Shape {
        Shape { threads: 1..=3, ops: 0..=4, sets: 2 }
    }

    /// The configuration of `variant` running `programs`: blocks of as many entries as the
    /// shape's most threads, a spine of one slot, Go's reset once the threads are done.
    pub fn config(&self, variant: Variant, programs: Vec<Vec<Op>>) -> Config {
        let base = Config::new(variant, programs.len(), 0);
        Config { sets: self.sets, entries: *self.threads.end() as u64, programs: Some(programs), ..base }
    }
}

/// One operation on one of `sets` sets; shrinks toward a push to set 0.
pub fn op(sets: usize) -> impl Strategy<Value = Op> {
    (0..sets, any::<bool>()).prop_map(|(s, pop)| if pop { Op::Pop(s) } else { Op::Push(s) })
}

/// Per-thread programs within `shape`.
pub fn programs(shape: &Shape) -> impl Strategy<Value = Vec<Vec<Op>>> {
    prop::collection::vec(prop::collection::vec(op(shape.sets), shape.ops.clone()), shape.threads.clone())
}

/// Configurations of `variant` within `shape`.
pub fn configs(variant: Variant, shape: Shape) -> impl Strategy<Value = Config> {
    programs(&shape).prop_map(move |programs| shape.config(variant, programs))
}
