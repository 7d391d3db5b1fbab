//! Shrinking a failure to the fewest threads and operations that still fail.
//!
//! A direct greedy search over the model's own sizes: drop a thread (`Model::resized(t-1, k)`),
//! drop an operation from every thread (`resized(t, k-1)`), and, for a model whose configuration
//! holds explicit per-thread `programs` (an array of arrays, one per thread), drop one thread's
//! program (moved last, then `resized(t-1, k)`, so the model keeps its own thread count) or one
//! operation. A candidate the model refuses is skipped; the first candidate that still fails (any
//! violation) is taken, until none does. Each candidate runs under the same engine and budget, and
//! the whole search has a time limit, so shrinking ends too; what it returns always failed.

use crate::engine::{Budget, Engine, Verdict};
use crate::registry::{DynModel, ModelConfig};
use serde_json::Value;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// The shrunk failure.
pub struct Shrunk {
    pub config: ModelConfig,
    pub verdict: Verdict,
    /// Candidates run.
    pub tried: usize,
    /// Whether the search stopped at its time limit rather than at a minimum.
    pub timed_out: bool,
}

/// Shrinks the failing `config` (whose run under `engine` gave `verdict`, a violation).
pub fn shrink(model: &dyn DynModel, config: &ModelConfig, verdict: Verdict, engine: &Engine, budget: &Budget, limit: Duration) -> Shrunk {
    let start = Instant::now();
    let mut best = Shrunk { config: config.clone(), verdict, tried: 0, timed_out: false };
    let mut seen = BTreeSet::from([best.config.value.to_string()]);
    'search: loop {
        for candidate in candidates(model, &best.config) {
            if !seen.insert(candidate.value.to_string()) {
                continue;
            }
            let left = limit.saturating_sub(start.elapsed());
            if left.is_zero() {
                best.timed_out = true;
                break 'search;
            }
            let mut budget = budget.clone();
            budget.max_seconds = Some(budget.max_seconds.map_or(left.as_secs_f64(), |s| s.min(left.as_secs_f64())));
            best.tried += 1;
            let Ok(verdict) = model.run(&candidate, engine, &budget) else { continue };
            if verdict.violation().is_some() {
                best.config = candidate;
                best.verdict = verdict;
                continue 'search;
            }
        }
        break;
    }
    best
}

/// Smaller neighbours of `config`, most reduction first; refused ones are left out.
fn candidates(model: &dyn DynModel, config: &ModelConfig) -> Vec<ModelConfig> {
    let mut out = Vec::new();
    let (t, k) = (config.threads, config.ops);
    if t > 1 {
        out.extend(model.resized(config, t - 1, k).ok());
    }
    if k > 1 {
        out.extend(model.resized(config, t, k - 1).ok());
    }
    out.extend(program_candidates(model, config));
    // Only strictly smaller ones: fewer threads, or the same threads and fewer operations in all.
    out.retain(|c| c.threads < t || (c.threads == t && total_ops(c) < total_ops(config)) || (c.threads == t && c.ops < k));
    out
}

/// Total operations over all threads' programs, if the configuration has explicit ones.
fn total_ops(config: &ModelConfig) -> usize {
    match config.value.get("programs").and_then(Value::as_array) {
        Some(programs) => programs.iter().map(|p| p.as_array().map_or(0, Vec::len)).sum(),
        None => config.threads * config.ops,
    }
}

/// Configurations with one thread's program, or one operation, removed. A thread's program is
/// removed by moving it last and letting the model drop its last thread: the harness does not
/// know what a model calls its thread count (`threads`, `workers`, ...).
fn program_candidates(model: &dyn DynModel, config: &ModelConfig) -> Vec<ModelConfig> {
    let Some(programs) = config.value.get("programs").and_then(Value::as_array) else { return Vec::new() };
    let mut out = Vec::new();
    if programs.len() > 1 {
        for t in 0..programs.len() {
            let mut value = config.value.clone();
            let reordered = value["programs"].as_array_mut().expect("programs is an array");
            let program = reordered.remove(t);
            reordered.push(program);
            let Ok(reordered) = model.decode(&value) else { continue };
            out.extend(model.resized(&reordered, reordered.threads - 1, reordered.ops).ok());
        }
    }
    for (t, program) in programs.iter().enumerate() {
        for op in 0..program.as_array().map_or(0, Vec::len) {
            let mut value = config.value.clone();
            value["programs"][t].as_array_mut().expect("a program is an array").remove(op);
            out.extend(model.decode(&value).ok());
        }
    }
    out
}
