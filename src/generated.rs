//! proptest-generated scenarios for any [`Model`]: run generated configurations (per-thread
//! operation programs, sizes, ...) under one engine with fixed seeds, and let proptest shrink a
//! failing one to a minimal configuration.
//!
//! A model supplies only a `Strategy<Value = Config>`; see tests/proptest_programs.rs for lfstack.
//! Everything is seeded (proptest's RNG and the engine's), and proptest's failure persistence is
//! off, so a run is the same on every machine and leaves no files behind.

use crate::engine::{self, Budget, Engine, Verdict};
use gcmc_models::check::{ConfigError, Model};
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
use std::sync::Arc;

/// gcBits: allocation sizes and rotation points.
pub mod gcbits;
/// spanset: per-thread push/pop programs over span sets sharing the block pool.
pub mod spanset;
/// workbufs: per-worker get/put/dispose/balance programs.
pub mod workbufs;

/// A deterministic runner: `cases` generated configurations from `seed`, no persistence.
pub fn runner(cases: u32, seed: u64) -> TestRunner {
    TestRunner::new(Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..Config::default()
    })
}

/// Runs one configuration; a configuration the model or the engine refuses is an error.
pub fn run<M: Model>(config: &M, engine: &Engine, budget: &Budget) -> Result<Verdict, ConfigError> {
    engine::run(Arc::new(config.build()?), engine, budget)
}

/// The first generated configuration that fails (a violation), shrunk by proptest to one from
/// which nothing more can be removed while it still fails; `None` if every case held.
/// A configuration the model or engine refuses is rejected (proptest aborts after too many); a
/// run out of budget is a failure of the strategy or the budget, and panics.
pub fn find_violation<M: Model>(
    runner: &mut TestRunner,
    strategy: impl Strategy<Value = M>,
    engine: &Engine,
    budget: &Budget,
) -> Option<(M, Verdict)> {
    let result = runner.run(&strategy, |config| {
        let verdict = run(&config, engine, budget).map_err(|e| TestCaseError::reject(e.to_string()))?;
        match verdict.violation() {
            Some(v) => Err(TestCaseError::fail(v.to_string())),
            None if verdict.holds() => Ok(()),
            None => panic!("{config:?} under {engine}: {}", verdict.outcome),
        }
    });
    match result {
        Ok(()) => None,
        Err(TestError::Fail(_, config)) => {
            let verdict = run(&config, engine, budget).expect("the shrunk configuration ran before");
            Some((config, verdict))
        }
        Err(TestError::Abort(why)) => panic!("generation aborted: {why}"),
    }
}

/// Every per-thread program set one step smaller than `programs`: one thread dropped (while more
/// than `min_threads` remain) or one operation removed; with `keep_empty` false, a removal that
/// would leave a thread with nothing to do is skipped (it is the same as dropping the thread).
/// What a minimality check tries: a shrunk failure is minimal when every one of these holds.
pub fn one_step_smaller<T: Clone>(programs: &[Vec<T>], min_threads: usize, keep_empty: bool) -> Vec<Vec<Vec<T>>> {
    let mut out = Vec::new();
    if programs.len() > min_threads {
        for t in 0..programs.len() {
            let mut p = programs.to_vec();
            p.remove(t);
            out.push(p);
        }
    }
    for t in 0..programs.len() {
        for i in 0..programs[t].len() {
            let mut p = programs.to_vec();
            p[t].remove(i);
            if keep_empty || !p[t].is_empty() {
                out.push(p);
            }
        }
    }
    out
}
