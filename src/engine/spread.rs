//! One exploration spread over worker threads (`--jobs`) and CI runners (`--shard I/N`).
//!
//! **PCT and random** runs are made of chunks of [`CHUNK`] executions: chunk `c` is a fresh
//! scheduler seeded with [`chunk_seed`]`(seed, c)`, so execution `i` of a run depends only on the
//! case's seed and `i`, never on how many workers or shards ran it. Chunk 0 keeps the case's own
//! seed, so a run of at most one chunk is exactly the single seeded run it always was. Workers
//! take chunks in order; a chunk that finds a violation (or exhausts the budget) stops later
//! chunks from starting, and the verdict is that of the first such chunk, with the executions of
//! every chunk before it: the same verdict, execution count and failing schedule as one worker.
//! A shard runs the chunks it owns, dealt round robin.
//!
//! **DFS and the stateful engine** split the tree of scheduling decisions instead (see the
//! stateful search's docs): a shard is one CI job, and the proof is the union of all shards.
//!
//! **loom** cannot be split: its exploration is one DPOR walk whose backtracking state lives
//! inside loom, with no way to start it at a prefix or to deal its subtrees, so `--shard` with
//! loom is refused. std's stress runs are independent trials already: run more of them.

use super::driver::merge_figures;
use super::{shuttle_engine, Budget, Engine, Outcome, Verdict};
use crate::jobs::{self, Next};
use crate::shard::Shard;
use gcmc_models::check::{ConfigError, Scenario};
use std::sync::Arc;
use std::time::Instant;

/// Executions per chunk of a PCT or random run: large enough that PCT's estimate of an
/// execution's length (learnt afresh by each chunk's scheduler from its first execution) is
/// learnt rarely, small enough that a 20,000-execution case is 20 chunks for the workers.
pub const CHUNK: usize = 1000;

/// How one exploration is spread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spread {
    /// Worker threads for a PCT or random run's chunks.
    pub jobs: usize,
    /// The part of the exploration to run.
    pub shard: Shard,
    /// DFS and stateful shards: where the tree is cut (0: the default).
    pub split_depth: usize,
}

impl Default for Spread {
    fn default() -> Self {
        Spread { jobs: 1, shard: Shard::WHOLE, split_depth: 0 }
    }
}

impl Spread {
    /// Refuses a shard the engine cannot split.
    pub fn admit(&self, engine: &Engine) -> Result<(), ConfigError> {
        match engine {
            Engine::Loom { .. } if !self.shard.is_whole() => Err(ConfigError(
                "loom cannot be split into shards: its DPOR walk keeps its backtracking state inside loom and cannot start at a prefix; \
                 shard a dfs or stateful exploration, or give each runner its own loom case"
                    .into(),
            )),
            Engine::Std { .. } if !self.shard.is_whole() => {
                Err(ConfigError("std runs independent stress trials: raise --iterations instead of sharding them".into()))
            }
            _ => Ok(()),
        }
    }
}

/// The seed of chunk `chunk` of a run seeded with `seed`: the seed itself for chunk 0, then
/// SplitMix64 of the seed and the chunk number (distinct, well-mixed seeds for neighbouring
/// chunks and neighbouring case seeds alike).
pub fn chunk_seed(seed: u64, chunk: u64) -> u64 {
    if chunk == 0 {
        return seed;
    }
    let mut z = seed.wrapping_add(chunk.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One chunk: its number and the executions in it.
#[derive(Clone, Copy, Debug)]
struct Chunk {
    number: u64,
    first: u64,
    len: usize,
}

/// A PCT or random run, in chunks over `spread.jobs` workers.
pub(crate) fn chunked<S: Scenario>(scenario: Arc<S>, engine: &Engine, budget: &Budget, spread: &Spread) -> Verdict {
    let (Engine::Pct { iterations, .. } | Engine::Random { iterations, .. }) = *engine else {
        unreachable!("chunked runs are for pct and random: {engine}");
    };
    let chunks: Vec<Chunk> = (0..iterations.div_ceil(CHUNK))
        .map(|c| Chunk { number: c as u64, first: (c * CHUNK) as u64, len: CHUNK.min(iterations - c * CHUNK) })
        .filter(|chunk| spread.shard.owns(chunk.number))
        .collect();
    let start = Instant::now();
    let order: Vec<usize> = (0..chunks.len()).collect();
    let results = jobs::run_in_order(&chunks, &order, spread.jobs, &|_, chunk: &Chunk| {
        let verdict = run_chunk(Arc::clone(&scenario), engine, budget, chunk, start);
        let next = if verdict.holds() { Next::Continue } else { Next::StopAfter };
        (verdict, next)
    });
    merge(results, start)
}

fn run_chunk<S: Scenario>(scenario: Arc<S>, engine: &Engine, budget: &Budget, chunk: &Chunk, start: Instant) -> Verdict {
    let mut engine = engine.clone();
    match &mut engine {
        Engine::Pct { iterations, seed, .. } | Engine::Random { iterations, seed } => {
            *iterations = chunk.len;
            *seed = chunk_seed(*seed, chunk.number);
        }
        _ => unreachable!("chunked runs are for pct and random"),
    }
    // The run's limits, less what the chunks before this one used (in time: so far).
    let mut budget = budget.clone();
    budget.max_executions = budget.max_executions.map(|max| max.saturating_sub(chunk.first));
    budget.max_seconds = budget.max_seconds.map(|limit| (limit - start.elapsed().as_secs_f64()).max(0.0));
    if budget.max_executions == Some(0) || budget.max_seconds == Some(0.0) {
        return Verdict { outcome: Outcome::BudgetExhausted { reason: String::new() }, ..empty_verdict() };
    }
    let mut verdict = shuttle_engine::explore(scenario, &engine, &budget);
    if let Outcome::BudgetExhausted { reason } = &mut verdict.outcome {
        *reason = format!("{reason}, in chunk {} (executions {} to {})", chunk.number, chunk.first + 1, chunk.first + chunk.len as u64);
    }
    verdict
}

fn empty_verdict() -> Verdict {
    Verdict {
        outcome: Outcome::Holds,
        executions: 0,
        exhaustive: false,
        seconds: 0.0,
        trace: Vec::new(),
        schedule: None,
        figures: Default::default(),
        search: None,
    }
}

/// The chunks' verdicts as one: the first that did not hold decides, with every execution of the
/// chunks before it; a scenario with no concurrency at all is its one execution.
fn merge(results: Vec<Option<Verdict>>, start: Instant) -> Verdict {
    let mut merged = empty_verdict();
    for verdict in results {
        let Some(verdict) = verdict else { break };
        if verdict.exhaustive {
            // shuttle_engine's sequential_is_one_execution: a chunk of one execution that had no
            // decision to make; every chunk would repeat it.
            return Verdict { seconds: start.elapsed().as_secs_f64(), ..verdict };
        }
        merged.executions += verdict.executions;
        merge_figures(&mut merged.figures, &verdict.figures);
        if !verdict.holds() {
            if let Outcome::BudgetExhausted { reason } = &verdict.outcome {
                if reason.is_empty() {
                    merged.outcome = Outcome::BudgetExhausted {
                        reason: format!("stopped after {} executions (the run's budget was spent)", merged.executions),
                    };
                    break;
                }
            }
            merged.outcome = verdict.outcome;
            merged.trace = verdict.trace;
            merged.schedule = verdict.schedule;
            break;
        }
    }
    merged.seconds = start.elapsed().as_secs_f64();
    merged
}
