//! Generated gcBits scenarios (issue 5 item 6): allocation sizes and rotation points.
//!
//! A generated configuration is a few threads, each with a short program of `newMarkBits(nelems)`
//! requests of mixed sizes (one to several 64-bit words of bits), arenas of a few words (so
//! requests straddle arena ends and take the slow path), epoch rotations at generated points
//! between allocations, and sometimes dirty arenas left on the free list by an earlier cycle.
//! Every configuration it yields is valid (sizes fit an arena, rotations fall within the
//! programs), so nothing is rejected; shrinking drops threads, allocations and rotations, and
//! moves sizes, arena capacity and rotation points toward their smallest.

use gcmc_models::gcbits::{Config, Op, Variant};
use proptest::prelude::*;
use std::ops::RangeInclusive;

/// The sizes a strategy generates within.
#[derive(Clone, Debug)]
pub struct Shape {
    /// Allocating threads. Under loom, threads × (rotations + 1) must stay within its four spawns.
    pub threads: RangeInclusive<usize>,
    /// Allocations per thread.
    pub allocs: RangeInclusive<usize>,
    /// Arena capacity in 8-byte words; every request fits one arena.
    pub arena_words: RangeInclusive<u64>,
    /// At most this many epoch rotations, each after some thread-local allocation count.
    pub max_rotations: usize,
    /// Dirty arenas on the free list at the start.
    pub free_arenas: RangeInclusive<usize>,
}

impl Default for Shape {
    /// Small enough for shuttle to explore each generated configuration in a fraction of a second.
    fn default() -> Self {
        Shape { threads: 1..=3, allocs: 1..=3, arena_words: 1..=4, max_rotations: 2, free_arenas: 0..=1 }
    }
}

/// Configurations of `variant` within `shape`.
pub fn configs(variant: Variant, shape: Shape) -> impl Strategy<Value = Config> {
    let Shape { threads, allocs, arena_words, max_rotations, free_arenas } = shape;
    let max_allocs = *allocs.end();
    arena_words
        .prop_flat_map(move |arena_words| {
            // A request of `nelems` objects needs ceil(nelems / 64) words; all fit the arena.
            let request = 1..=arena_words * 64;
            let program = prop::collection::vec(request, allocs.clone());
            (
                Just(arena_words),
                prop::collection::vec(program, threads.clone()),
                prop::collection::vec(0..=max_allocs, 0..=max_rotations),
                free_arenas.clone(),
            )
        })
        .prop_map(move |(arena_words, programs, rotations, free_arenas)| {
            let longest = programs.iter().map(Vec::len).max().unwrap_or(0);
            let programs: Vec<Vec<Op>> = programs.into_iter().map(|p| p.into_iter().map(Op::Alloc).collect()).collect();
            let mut rotations: Vec<usize> = rotations.into_iter().map(|k| k.min(longest)).collect();
            rotations.sort_unstable();
            Config { threads: programs.len(), programs: Some(programs), rotations, free_arenas, ..Config::new(variant, 0, 0, arena_words) }
        })
}
