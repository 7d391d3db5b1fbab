//! Section 3, time to first bug: for every broken variant, at the configuration of its
//! catalogue case, how many executions and seconds each engine needs to find it, over fixed
//! seeds, and how many trials of a real-thread stress test (the test a user would otherwise write,
//! Go's TestLFStackStress shape: the same code, many operations per thread, a wall-clock budget
//! per trial) find it at all.

use super::table::Table;
use super::{count, median, secs, Grid, Section};
use crate::catalogue::{Case, Catalogue, Expect};
use crate::engine::{Budget, Engine, Outcome, Verdict};
use crate::error::GcmcError;
use crate::registry::{self, DynModel, ModelConfig};

/// Operations per thread in a stress trial. lfstack: TestLFStackStress's shape, many pushes and
/// pops per thread (ABA needs the counter to come round). gcbits and workbufs: each operation
/// takes memory the execution keeps to its end (arenas, spans), so a long program makes each
/// trial a few slow executions rather than many interleavings of the racing window.
fn stress_ops(model: &str) -> usize {
    if model == "lfstack" {
        10_000
    } else {
        100
    }
}

/// The catalogue case a bug is measured at: its PCT case if it has one (for the depth), else
/// its first violation case.
pub(crate) fn case_of<'c>(catalogue: &'c Catalogue, model: &str, variant: &str) -> Option<&'c Case> {
    let mut cases = catalogue
        .cases
        .iter()
        .filter(|c| c.model.name() == model && c.config.variant == variant && matches!(c.expect, Expect::Violation(_)));
    let first = cases.clone().next();
    cases.find(|c| matches!(c.engine, Engine::Pct { .. })).or(first)
}

/// The PCT depth a bug is hunted at: its PCT case's, else shuttle's usual 3.
pub(crate) fn pct_depth(case: &Case) -> usize {
    match case.engine {
        Engine::Pct { depth, .. } => depth,
        _ => 3,
    }
}

/// A seeded engine's hunts over the seeds: how many found the bug, and at what cost.
struct Hunts {
    found: Vec<(u64, f64)>,
    runs: u64,
}

impl Hunts {
    fn cells(&self) -> [String; 3] {
        let executions: Vec<f64> = self.found.iter().map(|f| f.0 as f64).collect();
        let seconds: Vec<f64> = self.found.iter().map(|f| f.1).collect();
        let max = executions.iter().copied().fold(0.0, f64::max);
        match (median(&executions), median(&seconds)) {
            (Some(e), Some(s)) => {
                [format!("{}/{}", self.found.len(), self.runs), format!("{} (max {})", count(e as u64), count(max as u64)), secs(s)]
            }
            _ => [format!("0/{}", self.runs), "–".into(), "–".into()],
        }
    }

    fn median_seconds(&self) -> Option<f64> {
        median(&self.found.iter().map(|f| f.1).collect::<Vec<_>>())
    }
}

fn hunt(m: &dyn DynModel, config: &ModelConfig, grid: &Grid, engine: impl Fn(u64) -> Engine) -> Result<Hunts, GcmcError> {
    let mut hunts = Hunts { found: Vec::new(), runs: grid.seeds };
    for seed in 1..=grid.seeds {
        let budget = Budget { max_seconds: Some(grid.cell_seconds), ..Budget::default() };
        let v = m.run(config, &engine(seed), &budget)?;
        if v.violation().is_some() {
            hunts.found.push((v.executions, v.seconds));
        }
    }
    Ok(hunts)
}

/// One exhaustive engine's way to the bug: the execution (or state) count when it was found.
fn reached(m: &dyn DynModel, config: &ModelConfig, engine: &Engine, grid: &Grid) -> Result<String, GcmcError> {
    if let Err(e) = m.admit(config, engine) {
        return Ok(format!("refused ({})", e.to_string().split(':').next().unwrap_or_default()));
    }
    let v: Verdict = m.run(config, engine, &Budget { max_seconds: Some(grid.cell_seconds), ..Budget::default() })?;
    let n = match engine {
        Engine::Stateful { .. } => v.search.as_ref().map_or(0, |s| s.states),
        _ => v.executions,
    };
    Ok(match v.outcome {
        Outcome::Violation(_) => count(n),
        Outcome::Holds => format!("not found ({} in all)", count(n)),
        Outcome::BudgetExhausted { .. } => format!("not within {} (> {})", secs(grid.cell_seconds), count(n)),
    })
}

/// Stress trials: how many found the bug, and the seconds they ran in all.
fn stress(m: &dyn DynModel, case: &ModelConfig, grid: &Grid) -> Result<Result<(usize, f64), String>, GcmcError> {
    let config = m.resized(case, case.threads, stress_ops(m.name())).unwrap_or_else(|_| case.clone());
    let engine = Engine::Std { iterations: 100_000_000 };
    if let Err(e) = m.admit(&config, &engine) {
        return Ok(Err(e.to_string()));
    }
    let (mut caught, mut seconds) = (0, 0.0);
    for _ in 0..grid.stress_trials {
        let v = m.run(&config, &engine, &Budget { max_seconds: Some(grid.stress_seconds), ..Budget::default() })?;
        caught += usize::from(v.violation().is_some());
        seconds += v.seconds;
    }
    Ok(Ok((caught, seconds)))
}

/// What the rows add up to: the bugs stress testing never found, and the stress / PCT ratios.
#[derive(Default)]
struct Tally {
    never: Vec<String>,
    ratios: Vec<f64>,
}

/// One bug's row: every engine's way to it, and the stress trials.
fn measure(m: &dyn DynModel, case: &Case, bug: String, grid: &Grid, tally: &mut Tally) -> Result<Vec<String>, GcmcError> {
    let config = &case.config;
    let depth = pct_depth(case);
    let pct = hunt(m, config, grid, |seed| Engine::Pct { iterations: grid.hunt_iterations, depth, seed })?;
    let random = hunt(m, config, grid, |seed| Engine::Random { iterations: grid.hunt_iterations, seed })?;
    let loom = reached(m, config, &Engine::Loom { preemption_bound: None }, grid)?;
    let stateful = reached(m, config, &Engine::stateful(), grid)?;
    let (stress_found, ratio) = match stress(m, config, grid)? {
        Err(refused) => (format!("not run: {refused}"), "–".to_string()),
        Ok((0, _)) => {
            tally.never.push(bug.clone());
            (format!("0/{}", grid.stress_trials), format!("never, in {} x {}", grid.stress_trials, secs(grid.stress_seconds)))
        }
        Ok((caught, seconds)) => {
            let per_catch = seconds / caught as f64;
            let ratio = pct.median_seconds().map(|p| per_catch / p.max(1e-6));
            tally.ratios.extend(ratio);
            (format!("{caught}/{}", grid.stress_trials), ratio.map_or("–".into(), times))
        }
    };
    let [pf, pe, ps] = pct.cells();
    let [rf, re, rs] = random.cells();
    let at = format!("{} threads x {} ops", config.threads, config.ops);
    Ok(vec![bug, at, pf, pe, ps, rf, re, rs, loom, stateful, stress_found, ratio])
}

/// A ratio: two significant digits.
fn times(r: f64) -> String {
    if r < 10.0 {
        format!("{r:.1}x")
    } else {
        format!("{r:.0}x")
    }
}

pub(crate) fn section(grid: &Grid, catalogue: &Catalogue, say: &mut dyn FnMut(&str)) -> Result<Section, GcmcError> {
    let mut table = Table::new(&[
        "bug",
        "at",
        "PCT found",
        "PCT executions, median",
        "PCT seconds, median",
        "random found",
        "random executions, median",
        "random seconds, median",
        "loom: execution",
        "stateful: states",
        "stress found",
        "stress / PCT seconds",
    ]);
    let mut tally = Tally::default();
    let mut bugs = 0;
    // --quick: two bugs per model, enough to render every column.
    let per_model = if grid.quick { 2 } else { usize::MAX };
    for m in registry::MODELS.iter().copied() {
        let broken = m.variant_infos().into_iter().filter(|v| !v.must_hold);
        let measured: Vec<_> = broken.filter_map(|info| Some((case_of(catalogue, m.name(), info.name)?, info))).take(per_model).collect();
        for (case, info) in measured {
            bugs += 1;
            let bug = format!("{} {} {}", info.regression.unwrap_or("–"), m.name(), info.name);
            say(&format!("first bug: {bug}"));
            table.row(measure(m, case, bug, grid, &mut tally)?);
        }
    }
    let Tally { never, ratios } = tally;
    let headline = match median(&ratios) {
        Some(r) => format!("where both found a bug, a stress trial needed a median **{}** the seconds PCT needed", times(r)),
        None => "no bug was found by both stress testing and PCT".into(),
    };
    let markdown = format!(
        "{}\n\nEvery broken variant with a violation case in the catalogue, at that case's configuration (its PCT case's \
         when it has one, for the depth). PCT and random: seeds 1 to {}, at most {} executions and {} each; medians over the \
         seeds that found the bug, max in brackets. loom and the stateful engine search in a fixed order: the execution (or \
         the number of states stored) at which they found it. Stress: {} trials of real threads running the same code with \
         {} operations per thread (lfstack; 100 for the others, whose operations each hold memory to the end of the \
         execution), each trial {} of wall clock; the last column is \
         the stress seconds per catch over PCT's median seconds. Variants whose bugs are data races or weak-memory \
         reorderings cannot run on real threads (the std engine refuses them: their bug is undefined behaviour there).\n\n\
         {headline}; {} of {bugs} bugs were never found by stress testing{}.\n\n{}",
        super::HEADINGS[2],
        grid.seeds,
        count(grid.hunt_iterations as u64),
        secs(grid.cell_seconds),
        grid.stress_trials,
        count(stress_ops("lfstack") as u64),
        secs(grid.stress_seconds),
        never.len(),
        if never.is_empty() { String::new() } else { format!(" ({})", never.join(", ")) },
        table.markdown()
    );
    Ok(Section { markdown, figures: Vec::new() })
}
