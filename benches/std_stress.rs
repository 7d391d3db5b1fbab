//! The baseline the checkers are measured against: how often a plain stress test on real threads
//! (what a user would write instead, Go's TestLFStackStress shape) catches the lfstack ABA bugs,
//! side by side with loom and shuttle PCT on the same bugs, in one run.
//!
//! Run: `cargo bench --bench std_stress` (GCMC_STRESS_TRIALS overrides the 20 trials per row).
//! Real threads are not deterministic: the std rows are measurements of this machine, this run.

use gcmc::engine::{self, Budget, Engine, Verdict};
use gcmc_models::check::Model;
use gcmc_models::lfstack::{Config, Variant};
use std::sync::Arc;

fn run(config: &Config, engine: &Engine) -> Verdict {
    let budget = Budget { max_seconds: Some(60.0), ..Budget::default() };
    engine::run(Arc::new(config.build().expect("valid config")), engine, &budget).expect("admitted")
}

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
            "{name:<26} {:<34} caught {:>3}/{:<3} executions/trial {:>10.0} seconds/trial {:>8.4}",
            self.engine,
            self.caught,
            self.trials,
            self.executions as f64 / self.trials as f64,
            self.seconds / self.trials as f64
        );
    }
}

fn trials(config: &Config, engine: &Engine, trials: usize) -> Row {
    let mut row = Row { engine: engine.to_string(), caught: 0, trials, executions: 0, seconds: 0.0 };
    for _ in 0..trials {
        let v = run(config, engine);
        row.caught += usize::from(v.violation().is_some());
        row.executions += v.executions;
        row.seconds += v.seconds;
    }
    row
}

fn main() {
    let n: usize = std::env::var("GCMC_STRESS_TRIALS").ok().and_then(|s| s.parse().ok()).unwrap_or(20);
    let bugs = [
        ("R1 no counter 3x3x1", Config::stress(Variant::NoCounter, 3, 3, 1, 0)),
        ("R2 1-bit counter 3x3x2", Config::stress(Variant::Go, 3, 3, 2, 1)),
        ("R2 2-bit counter 3x3x3", Config::stress(Variant::Go, 3, 3, 3, 2)),
    ];
    println!("# std stress (real threads) against the checkers, {n} std trials per row, one run");
    for (name, small) in &bugs {
        // A user's stress test runs many iterations per thread, as Go's does (100,000).
        let stress = small.resized(small.threads, 10_000);
        let rows = [
            trials(small, &Engine::Std { iterations: 1_000 }, n),
            trials(&stress, &Engine::Std { iterations: 10 }, n),
            trials(small, &Engine::Loom { preemption_bound: Some(3) }, 1),
            trials(small, &Engine::Pct { iterations: 100_000, depth: 4, seed: 1 }, 1),
        ];
        for (row, label) in rows.iter().zip(["", " (10k iterations/thread)", "", ""]) {
            row.print(&format!("{name}{label}"));
        }
        let pct = &rows[3];
        for std_row in &rows[..2] {
            if std_row.caught > 0 && pct.caught > 0 {
                // Expected seconds to a catch: time spent over catches made.
                let ratio = (std_row.seconds / std_row.caught as f64) / pct.seconds.max(1e-9);
                println!("{:<26} std/pct seconds-to-catch ratio: {ratio:.1}", "");
            } else if std_row.caught == 0 {
                println!("{:<26} std never caught it in {} trials", "", std_row.trials);
            }
        }
    }
}
