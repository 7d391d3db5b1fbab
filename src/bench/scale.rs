//! Section 2, proof scale: for each correct variant, over threads x ops, how many executions
//! (states, for the stateful engine) each engine needs to finish, within a per-cell budget.
//! A cell past one that ran out of budget (more threads and more ops) is not run: it could only
//! run out too.

use super::plot::{self, Series};
use super::subject::{Subject, GCBITS_BASE, WORKBUFS_BASE};
use super::table::Table;
use super::{count, secs, Grid, Section};
use crate::engine::{Budget, Engine, Outcome, Reduction, Reductions, Verdict};
use crate::error::GcmcError;
use crate::registry;

const SUBJECTS: [Subject; 5] = [LFSTACK, gcbits("v0"), gcbits("v1"), gcbits("v2"), WORKBUFS];
const LFSTACK: Subject = Subject { model: "lfstack", variant: "go", overrides: r#"{"nodes": 3, "counter_bits": 3}"# };
const WORKBUFS: Subject = Subject { model: "workbufs", variant: "go", overrides: WORKBUFS_BASE };
const fn gcbits(variant: &'static str) -> Subject {
    Subject { model: "gcbits", variant, overrides: GCBITS_BASE }
}
const SIZES: [[usize; 2]; 9] = [[2, 1], [2, 2], [3, 1], [2, 3], [3, 2], [4, 1], [3, 3], [4, 2], [4, 3]];
const QUICK_SUBJECTS: [Subject; 2] = [LFSTACK, gcbits("v1")];
const QUICK_SIZES: [[usize; 2]; 2] = [[2, 1], [2, 2]];

fn columns() -> Vec<(String, Engine)> {
    let mut columns = vec![("loom".to_string(), Engine::Loom { preemption_bound: None })];
    for bound in 1..=3 {
        columns.push((format!("loom, bound {bound}"), Engine::Loom { preemption_bound: Some(bound) }));
    }
    columns.push(("shuttle DFS".into(), Engine::Dfs { max_iterations: None }));
    // The reductions side by side: the default, then without the partial-order reduction, then
    // with none at all.
    columns.push(("stateful (states)".into(), Engine::stateful()));
    let without_por = Reductions::default().with(Reduction::Por, false);
    columns.push(("stateful, no POR (states)".into(), Engine::Stateful { exact_states: false, reductions: without_por }));
    columns.push(("stateful, unreduced (states)".into(), Engine::Stateful { exact_states: false, reductions: Reductions::NONE }));
    columns
}

/// What one cell found.
enum Cell {
    Finished { count: u64, seconds: f64 },
    OutOfBudget { count: u64, seconds: f64 },
    Refused(String),
    Violation(String),
    Skipped,
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Finished { count: n, seconds } => format!("{} ({})", count(*n), secs(*seconds)),
            Cell::OutOfBudget { count: n, seconds } => format!("> {} (out of budget at {})", count(*n), secs(*seconds)),
            Cell::Refused(why) => format!("refused: {why}"),
            Cell::Violation(what) => format!("**violation: {what}**"),
            Cell::Skipped => "not run".into(),
        }
    }
}

fn measured(verdict: &Verdict, stateful: bool) -> Cell {
    let n = if stateful { verdict.search.as_ref().map_or(0, |s| s.states) } else { verdict.executions };
    match &verdict.outcome {
        Outcome::Holds => Cell::Finished { count: n, seconds: verdict.seconds },
        Outcome::BudgetExhausted { .. } => Cell::OutOfBudget { count: n, seconds: verdict.seconds },
        Outcome::Violation(v) => Cell::Violation(v.kind.to_string()),
    }
}

/// Why loom refuses a size, short enough for a cell.
fn refusal(problem: &str) -> String {
    match problem.find("at most") {
        Some(at) => problem[at..].split(':').next().unwrap_or(problem).to_string(),
        None => problem.to_string(),
    }
}

pub(crate) fn section(grid: &Grid, say: &mut dyn FnMut(&str)) -> Result<Section, GcmcError> {
    let (subjects, sizes): (&[Subject], &[[usize; 2]]) = if grid.quick { (&QUICK_SUBJECTS, &QUICK_SIZES) } else { (&SUBJECTS, &SIZES) };
    let columns = columns();
    let mut markdown = format!(
        "{}\n\nEach cell: the executions an engine needed to explore every interleaving of a correct variant (for the \
         stateful engine, the states it stored), and the seconds; `> N` when the {} budget per cell ran out after N; `not \
         run` past a cell that ran out (more threads and more ops could only run out too). loom's bounded columns are \
         exhaustive up to that many preemptions, not in all. Sizes are threads x operations per thread.\n",
        super::HEADINGS[1],
        secs(grid.cell_seconds)
    );
    let mut figures = Vec::new();
    let header: Vec<&str> = std::iter::once("size").chain(columns.iter().map(|(name, _)| name.as_str())).collect();
    for subject in subjects {
        let Subject { model, variant, overrides } = *subject;
        let m = registry::model(model)?;
        let mut table = Table::new(&header);
        let mut out_at: Vec<Vec<[usize; 2]>> = vec![Vec::new(); columns.len()];
        let mut series: Vec<Series> = columns.iter().map(|(name, _)| Series { name: name.clone(), points: Vec::new() }).collect();
        for (x, &size) in sizes.iter().enumerate() {
            let config = subject.at(size)?;
            let mut row = vec![format!("{}x{}", size[0], size[1])];
            for (c, (_, engine)) in columns.iter().enumerate() {
                let beyond = out_at[c].iter().any(|o| o[0] <= size[0] && o[1] <= size[1]);
                let cell = if beyond {
                    Cell::Skipped
                } else if let Err(e) = m.admit(&config, engine) {
                    Cell::Refused(refusal(&e.to_string()))
                } else {
                    say(&format!("scale: {} under {engine}", config.describe()));
                    let budget = Budget { max_seconds: Some(grid.cell_seconds), ..Budget::default() };
                    measured(&m.run(&config, engine, &budget)?, matches!(engine, Engine::Stateful { .. }))
                };
                match cell {
                    Cell::OutOfBudget { .. } => out_at[c].push(size),
                    Cell::Finished { count: n, .. } => series[c].points.push((x, n as f64)),
                    _ => {}
                }
                row.push(cell.text());
            }
            table.row(row);
        }
        let file = format!("bench-scale-{model}-{variant}.svg");
        let labels: Vec<String> = sizes.iter().map(|s| format!("{}x{}", s[0], s[1])).collect();
        let title = format!("{model} {variant}: executions (states) to finish");
        figures.push(super::Figure { file: file.clone(), svg: plot::log_lines(&title, &labels, "executions or states", &series)? });
        markdown.push_str(&format!("\n### {model} {variant}, `{overrides}`\n\n{}\n![{title}]({file})\n", table.markdown()));
    }
    Ok(Section { markdown, figures })
}
