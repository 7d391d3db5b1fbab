//! The gcbits model as the harness sees it: the [`Model`] contract, joining the configuration
//! ([`super::config`], which describes) to the scenario ([`super::scenario`], which runs).

use super::config::Config;
use super::scenario::GcBitsScenario;
use super::Variant;
use crate::check::limits::Limit;
use crate::check::{ConfigError, Model, Programs};

impl Model for Config {
    const NAME: &'static str = "gcbits";
    const LIMITS: &'static [Limit] = Config::LIMITS;
    type Scenario = GcBitsScenario;
    type Variant = Variant;

    /// The smallest configuration that shows each variant's bug (or, for the correct ones, one
    /// that takes every path: sysAlloc, revalidation, a rotation).
    fn default_of(v: Variant) -> Self {
        match v {
            Variant::V0 | Variant::V1 | Variant::V2 => Config::new(v, 2, 2, 2).with_rotations(&[1]),
            // Both threads drop the lock for sysAlloc; the first fills its arena; the second
            // links its own in front of the stale nil.
            Variant::StaleNextLink => Config::new(v, 2, 1, 1),
            // Two fast-path threads pass the load check on the last word; both add.
            Variant::NoPostAddCheck => Config::new(v, 3, 1, 2),
            // T0's second allocation and T1's first both load the same offset on the fast path.
            Variant::NonAtomicBump => Config::new(v, 2, 2, 4),
            // T1's fast path fills the published one-word arena before T0 allocates from it.
            Variant::PublishBeforeAlloc => Config::new(v, 2, 1, 1),
            // T1's fast path reaches T0's fresh arena through a Relaxed store.
            Variant::RelaxedNextPublication => Config::new(v, 2, 1, 2),
            // Epoch 0's bits are reused in epoch 2.
            Variant::RotationSkipsPrevious => Config::new(v, 1, 2, 1).with_rotations(&[1, 1]),
            // Both threads sysAlloc; the second abandons the first's arena with room left.
            Variant::NoRevalidation => Config::new(v, 2, 1, 2),
            // The third allocation finds the head full and links its fresh arena behind it, room
            // and all.
            Variant::FreshBehindNext => Config::new(v, 1, 3, 2),
            // The dirty arena on the free list idles while sysAlloc hands out another.
            Variant::SysAllocBeforeFreeList => Config { free_arenas: 1, ..Config::new(v, 1, 1, 1) },
            // A dirty arena on the free list is handed out as it is.
            Variant::ReuseWithoutClearing => Config { free_arenas: 1, ..Config::new(v, 1, 1, 1) },
            // A span of 65 objects is handed one word of bits.
            Variant::TruncatedBits => Config { nelems: vec![65], ..Config::new(v, 1, 1, 2) },
        }
    }

    fn variant(&self) -> Variant {
        self.variant
    }

    fn threads(&self) -> usize {
        self.threads
    }

    fn ops(&self) -> usize {
        Programs::ops(&self.programs, self.allocs)
    }

    /// Rotations past the new length are kept, at the end, so a shrunk R11 still rotates.
    fn resized(&self, threads: usize, ops: usize) -> Self {
        let mut c = self.clone();
        c.threads = threads;
        Programs::resize(&mut c.programs, &mut c.allocs, threads, ops);
        let longest = c.ops();
        c.rotations.iter_mut().for_each(|k| *k = (*k).min(longest));
        c
    }

    fn build(&self) -> Result<Self::Scenario, ConfigError> {
        GcBitsScenario::new(self.clone())
    }
}
