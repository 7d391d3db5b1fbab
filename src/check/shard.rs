//! `check --shard I/N`: the selected cases dealt into `N` parts of about equal cost, the same
//! way on every runner, so a CI matrix of `N` jobs runs each case exactly once.
//!
//! The cost of a case is estimated from what the catalogue records, not measured: a runner must
//! compute the same split as every other runner without running anything, and wall-clock
//! seconds differ between machines and runs. The split is Graham's longest-processing-time rule:
//! costliest case first, each to the part with the least cost so far (ties to the lower part).

use crate::catalogue::Case;
use crate::engine::Engine;
use crate::shard::Shard;

/// Executions assumed for a case that records none (a capped or unrecorded run).
const UNRECORDED_EXECUTIONS: u64 = 10_000;

/// The estimated cost of running `case`, in microseconds on the machine the weights were measured
/// on: the executions it explores (recorded, or its engine's iteration count) times its engine's
/// mean cost of one execution.
///
/// The weights are the means over the default catalogue of one `check --json --jobs 1` (2 cores,
/// 2026-12-03): within an engine the cases ranged from 0.6 to 1.7 times the mean, so the split
/// stays within a few percent of even on the whole catalogue.
pub fn cost(case: &Case) -> u64 {
    let executions = case.executions.unwrap_or(match case.engine {
        Engine::Pct { iterations, .. } | Engine::Random { iterations, .. } | Engine::Std { iterations } => iterations as u64,
        Engine::Dfs { max_iterations: Some(max) } => max as u64,
        _ => UNRECORDED_EXECUTIONS,
    });
    let micros_per_execution = match case.engine {
        Engine::Dfs { .. } => 40,
        Engine::Stateful { .. } => 70,
        Engine::Pct { .. } => 80,
        Engine::Random { .. } => 90,
        Engine::Loom { .. } => 160,
        Engine::Std { .. } => 620,
    };
    executions.max(1).saturating_mul(micros_per_execution)
}

/// The indices of `cases`, costliest first (ties in catalogue order).
pub fn costliest_first(cases: &[&Case]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..cases.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(cost(cases[i])), i));
    order
}

/// The cases of `shard`, in catalogue order.
pub fn select<'a>(cases: &[&'a Case], shard: Shard) -> Vec<&'a Case> {
    let mut load = vec![0u64; shard.count()];
    let mut part = vec![0usize; cases.len()];
    for i in costliest_first(cases) {
        let lightest = (0..load.len()).min_by_key(|&p| (load[p], p)).expect("at least one part");
        load[lightest] = load[lightest].saturating_add(cost(cases[i]));
        part[i] = lightest;
    }
    cases.iter().zip(part).filter(|&(_, p)| p + 1 == shard.index()).map(|(&c, _)| c).collect()
}
