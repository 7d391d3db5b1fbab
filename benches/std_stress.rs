//! The baseline the checkers are measured against: how often a plain stress test on real threads
//! (what a user would write instead, Go's TestLFStackStress shape) catches the interleaving bugs
//! of the catalogue, side by side with loom and shuttle PCT on the same configurations, in one run.
//!
//! Run: `cargo bench --bench std_stress` (GCMC_STRESS_TRIALS overrides the 20 trials per row).
//! Real threads are not deterministic: the std rows are measurements of this machine, this run.
//! The bugs here are the ones that need a particular interleaving; the variants that break on
//! every schedule (R11, R13, R14, ...) are caught by every engine at once and teach nothing here.

use gcmc::engine::{Budget, Engine};
use gcmc::registry::{self, DynModel, ModelConfig};
use serde_json::{json, Map, Value};

struct Row {
    engine: String,
    caught: usize,
    trials: usize,
    executions: u64,
    seconds: f64,
}

impl Row {
    fn print(&self, name: &str) {
        println!(
            "{name:<40} {:<34} caught {:>3}/{:<3} executions/trial {:>10.0} seconds/trial {:>8.4}",
            self.engine,
            self.caught,
            self.trials,
            self.executions as f64 / self.trials as f64,
            self.seconds / self.trials as f64
        );
    }
}

fn trials(model: &dyn DynModel, config: &ModelConfig, engine: &Engine, trials: usize) -> Row {
    let budget = Budget { max_seconds: Some(60.0), ..Budget::default() };
    let mut row = Row { engine: engine.to_string(), caught: 0, trials, executions: 0, seconds: 0.0 };
    for _ in 0..trials {
        let v = model.run(config, engine, &budget).unwrap_or_else(|e| panic!("{e}"));
        row.caught += usize::from(v.violation().is_some());
        row.executions += v.executions;
        row.seconds += v.seconds;
    }
    row
}

/// A catalogued bug: model, variant, and the configuration fields set over the variant's default.
struct Bug {
    name: &'static str,
    model: &'static str,
    variant: &'static str,
    config: Value,
    /// The ops per thread of a user's stress test (Go's runs 100,000 iterations).
    stress_ops: usize,
}

fn configure(bug: &Bug) -> (&'static dyn DynModel, ModelConfig) {
    let model = registry::model(bug.model).unwrap_or_else(|e| panic!("{e}"));
    let overrides: Map<String, Value> = bug.config.as_object().cloned().unwrap_or_default();
    let config = model.configure(bug.variant, &overrides).unwrap_or_else(|e| panic!("{}: {e}", bug.name));
    (model, config)
}

fn main() {
    let n: usize = std::env::var("GCMC_STRESS_TRIALS").ok().and_then(|s| s.parse().ok()).unwrap_or(20);
    let bugs = [
        Bug {
            name: "R1 lfstack no counter 3x3x1",
            model: "lfstack",
            variant: "no-counter",
            config: json!({ "threads": 3, "nodes": 3, "iterations": 1, "counter_bits": 0 }),
            stress_ops: 10_000,
        },
        Bug {
            name: "R2 lfstack 1-bit counter 3x3x2",
            model: "lfstack",
            variant: "go",
            config: json!({ "threads": 3, "nodes": 3, "iterations": 2, "counter_bits": 1 }),
            stress_ops: 10_000,
        },
        Bug {
            name: "R2 lfstack 2-bit counter 3x3x3",
            model: "lfstack",
            variant: "go",
            config: json!({ "threads": 3, "nodes": 3, "iterations": 3, "counter_bits": 2 }),
            stress_ops: 10_000,
        },
        Bug { name: "R6 gcbits stale next link 2x1", model: "gcbits", variant: "stale-next-link", config: json!({}), stress_ops: 100 },
        Bug { name: "R7 gcbits no post-add check 3x1", model: "gcbits", variant: "no-post-add-check", config: json!({}), stress_ops: 100 },
        Bug {
            name: "R9 gcbits publish before alloc 2x1",
            model: "gcbits",
            variant: "publish-before-alloc",
            config: json!({}),
            stress_ops: 100,
        },
        Bug {
            name: "R12 workbufs phase outside lock",
            model: "workbufs",
            variant: "r12-phase-outside-lock",
            config: json!({}),
            stress_ops: 100,
        },
    ];
    println!("# std stress (real threads) against the checkers, {n} std trials per row, one run");
    for bug in &bugs {
        let (model, small) = configure(bug);
        let mut rows = vec![(trials(model, &small, &Engine::Std { iterations: 1_000 }, n), String::new())];
        match model.resized(&small, small.threads, bug.stress_ops) {
            Ok(stress) => {
                rows.push((trials(model, &stress, &Engine::Std { iterations: 10 }, n), format!(" ({} ops/thread)", bug.stress_ops)))
            }
            Err(e) => println!("{:<40} no stress-sized run: {e}", bug.name),
        }
        let loom = trials(model, &small, &Engine::Loom { preemption_bound: Some(3) }, 1);
        let pct = trials(model, &small, &Engine::Pct { iterations: 100_000, depth: 4, seed: 1 }, 1);
        for (row, label) in &rows {
            row.print(&format!("{}{label}", bug.name));
        }
        loom.print(bug.name);
        pct.print(bug.name);
        for (std_row, label) in &rows {
            if std_row.caught > 0 && pct.caught > 0 {
                // Expected seconds to a catch: time spent over catches made.
                let ratio = (std_row.seconds / std_row.caught as f64) / pct.seconds.max(1e-9);
                println!("{:<40} std{label}/pct seconds-to-catch ratio: {ratio:.1}", "");
            } else if std_row.caught == 0 {
                println!("{:<40} std{label} never caught it in {} trials", "", std_row.trials);
            }
        }
    }
}
