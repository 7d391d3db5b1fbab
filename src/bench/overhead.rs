//! Section 1, harness overhead: the same scenario closure explored by the bare engine (a plain
//! `loom::model::Builder::check`, or a shuttle `Runner` with the same seeded scheduler, around
//! `Scenario::execute`) and through gcmc (driver, budget checks, figures, progress, replay
//! capture), alternately, `rounds` times each; the best round of each is compared.

use super::subject::{Subject, GCBITS_BASE, WORKBUFS_BASE};
use super::table::Table;
use super::{count, secs, Grid, Section};
use crate::engine::{Budget, Engine};
use crate::error::GcmcError;
use crate::registry;

/// Threads x ops in the full grid, then in the quick one.
type FullAndQuick = [[usize; 2]; 2];

/// A correct variant at sizes the engines finish in seconds.
const SUBJECTS: [(Subject, FullAndQuick); 3] = [
    (Subject { model: "lfstack", variant: "go", overrides: r#"{"nodes": 2, "counter_bits": 3}"# }, [[2, 2], [2, 1]]),
    (Subject { model: "gcbits", variant: "v1", overrides: GCBITS_BASE }, [[3, 2], [2, 1]]),
    (Subject { model: "workbufs", variant: "go", overrides: WORKBUFS_BASE }, [[2, 2], [2, 1]]),
];

fn engines(grid: &Grid) -> [Engine; 3] {
    let iterations = if grid.quick { 500 } else { 20_000 };
    [
        Engine::Loom { preemption_bound: None },
        Engine::Pct { iterations, depth: 3, seed: 1 },
        Engine::Dfs { max_iterations: Some(iterations) },
    ]
}

pub(crate) fn section(grid: &Grid, say: &mut dyn FnMut(&str)) -> Result<Section, GcmcError> {
    let mut table = Table::new(&["case", "engine", "executions", "bare", "through gcmc", "gcmc / bare (time per execution)"]);
    let mut ratios = Vec::new();
    for (subject, [full, quick]) in SUBJECTS {
        let config = subject.at(if grid.quick { quick } else { full })?;
        let m = registry::model(subject.model)?;
        for engine in engines(grid) {
            say(&format!("overhead: {} under {engine}", config.describe()));
            let budget = Budget { max_seconds: None, ..Budget::default() };
            let (mut bare, mut gcmc) = (f64::INFINITY, f64::INFINITY);
            let mut executions = (0, 0);
            for _ in 0..grid.rounds {
                let b = m.run_bare(&config, &engine, &budget)?;
                let g = m.run(&config, &engine, &budget)?;
                if !g.holds() {
                    return Err(GcmcError::config(m.name(), format!("the overhead case {} must hold: {}", config.describe(), g.outcome)));
                }
                bare = bare.min(b.seconds / b.executions.max(1) as f64);
                gcmc = gcmc.min(g.seconds / g.executions.max(1) as f64);
                executions = (b.executions, g.executions);
            }
            let ratio = gcmc / bare;
            ratios.push(ratio);
            let shown = if executions.0 == executions.1 {
                count(executions.0)
            } else {
                format!("{} bare, {} gcmc", count(executions.0), count(executions.1))
            };
            table.row(vec![
                config.describe(),
                engine.to_string(),
                shown,
                secs(bare * executions.0 as f64),
                secs(gcmc * executions.1 as f64),
                format!("{ratio:.2}x"),
            ]);
        }
    }
    let worst = ratios.iter().copied().fold(0.0, f64::max);
    let markdown = format!(
        "{}\n\nThe same scenario closure, run by the bare engine (no driver, a recorder that traces nothing) and through \
         gcmc, alternately, {} round(s) each; the best round of each is shown. gcmc explores with tracing off and re-runs \
         only a failing execution, from its schedule, with tracing on, so the price of a trace is paid once per bug, not once \
         per execution (before that change, a hand-run PCT measurement of gcbits v1 3x2 gave 1.18x). gcmc's PCT runs its \
         iterations in chunks of 1,000 with derived seeds (so that `--jobs` cannot change them): the same number of \
         executions as the bare run, not the same schedules, so the ratio is per execution. Worst ratio here: \
         **{worst:.2}x** (target: at most 1.1x).\n\n{}",
        super::HEADINGS[0],
        grid.rounds,
        table.markdown()
    );
    Ok(Section { markdown, figures: Vec::new() })
}
