//! Running the catalogue: one [`Row`] per case. Shared by `gcmc check` and `tests/catalogue.rs`, so
//! the gate and the command line cannot drift apart.

mod pinned;
pub mod shard;
mod table;
pub mod worker;

pub use pinned::{verify_pinned, PinnedProblem};
pub use table::table;

use crate::catalogue::{Case, Catalogue, Expect};
use crate::engine::{Budget, Engine, EngineKind, Outcome, Verdict, Watch};
use crate::jobs;
use crate::paths;
use crate::replay_file::ReplayFile;
use crate::shrink;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Budget overrides from the command line (the ci scripts' deeper bounds). They apply to cases
/// that expect `holds` only: a deeper proof of what must hold. Broken cases keep the budget they
/// were pinned with, which already catches them, so their pinned replays stay valid.
///
/// Overrides only deepen: a bound or an iteration count below the case's own is ignored (never a
/// silently lowered bound), and an unbounded loom case or an uncapped DFS case stays exhaustive.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Overrides {
    pub bound: Option<usize>,
    pub iterations: Option<usize>,
    pub seed: Option<u64>,
    pub max_iterations: Option<usize>,
    pub max_seconds: Option<f64>,
}

impl Overrides {
    pub fn apply(&self, engine: &Engine, budget: &Budget) -> (Engine, Budget) {
        let deeper = |own: usize, given: Option<usize>| given.map_or(own, |g| g.max(own));
        let mut engine = engine.clone();
        match &mut engine {
            Engine::Loom { preemption_bound: Some(bound) } => *bound = deeper(*bound, self.bound),
            Engine::Loom { preemption_bound: None } | Engine::Dfs { max_iterations: None } | Engine::Stateful { .. } => {}
            Engine::Pct { iterations, seed, .. } | Engine::Random { iterations, seed } => {
                *iterations = deeper(*iterations, self.iterations);
                *seed = self.seed.unwrap_or(*seed);
            }
            Engine::Dfs { max_iterations: Some(max) } => *max = deeper(*max, self.max_iterations),
            Engine::Std { iterations } => *iterations = deeper(*iterations, self.iterations),
        }
        let mut budget = budget.clone();
        budget.max_seconds = self.max_seconds.or(budget.max_seconds);
        (engine, budget)
    }
}

/// What to run and where to write.
#[derive(Clone, Debug)]
pub struct Options {
    /// A model or variant name, or whole `-`-separated words of the id.
    pub filter: Option<String>,
    /// Only cases under this engine.
    pub engine: Option<EngineKind>,
    /// Include cases marked `deep`.
    pub deep: bool,
    pub overrides: Overrides,
    /// Where replay files of failures go.
    pub replay_dir: PathBuf,
    /// Replay every pinned file and require it to reproduce its violation.
    pub verify_pinned: bool,
    /// Time limit for shrinking an unexpected violation (zero: do not shrink).
    pub shrink_limit: Duration,
    /// Cases run side by side (1: one after another, in catalogue order).
    pub jobs: usize,
    /// Where each case runs: in this process, or each in a child process of its own (see
    /// [`worker`] for why `check --jobs` wants that).
    pub workers: worker::Workers,
    /// The cases whose progress someone watches, by id (`check`'s progress line); a case run in a
    /// child process reports its counts back to its watch.
    pub watches: BTreeMap<String, Watch>,
    /// Asked while cases run: once it says yes, no case starts and the child processes running
    /// cases are killed (`check` on Ctrl-C). A case run in this process is not stopped midway.
    pub stop: fn() -> bool,
}

impl Options {
    pub fn new(replay_dir: PathBuf) -> Options {
        Options {
            filter: None,
            engine: None,
            deep: false,
            overrides: Overrides::default(),
            replay_dir,
            verify_pinned: true,
            shrink_limit: Duration::from_secs(60),
            jobs: 1,
            workers: worker::Workers::InProcess,
            watches: BTreeMap::new(),
            stop: || false,
        }
    }
}

/// One case's result: the table row, and `--json`'s object (exactly these public fields).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Row {
    pub id: String,
    pub model: String,
    pub variant: String,
    pub engine: String,
    pub expect: String,
    pub outcome: String,
    pub executions: u64,
    pub exhaustive: bool,
    pub seconds: f64,
    /// The replay file written for this run's failure, if it failed.
    pub replay: Option<String>,
    /// Whether the outcome matched and the pinned replay (if any) reproduced.
    #[serde(skip)]
    pub matched: bool,
    /// Why the row does not match, and what to run next; empty when it matches.
    #[serde(skip)]
    pub problems: Vec<String>,
    /// The outcome in full (the violation's detail, or how far a budget got).
    #[serde(skip)]
    pub detail: String,
    /// The model's figures (`wasted-arenas=1 ...`), maximised over the executions explored.
    #[serde(skip)]
    pub figures: String,
}

/// The cases `options` selects, in catalogue order.
pub fn select<'a>(catalogue: &'a Catalogue, options: &Options) -> Vec<&'a Case> {
    catalogue
        .cases
        .iter()
        .filter(|c| options.deep || !c.deep)
        .filter(|c| options.filter.as_deref().map_or(true, |f| c.selected_by(f)))
        .filter(|c| options.engine.map_or(true, |e| c.engine.kind() == e))
        .collect()
}

/// Runs `cases` on `options.jobs` worker threads (each running its cases in place or in child
/// processes, as `options.workers` says), calling `progress` before each case (with its
/// index) and after it (with its row); the rows come back in the order of `cases`, each the same
/// whatever the number of workers (seeds and budgets belong to the case, not to the run).
///
/// With one job the cases run in order; with more, the costliest ([`shard::cost`]) start first,
/// so that a long case does not start last and leave the other workers idle.
///
/// A case that `options.stop` kept from finishing gets a row that says so and does not match;
/// [`run_until_stopped`] tells them apart.
pub fn run(cases: &[&Case], options: &Options, progress: &mut (dyn FnMut(usize, &Case, Option<&Row>) + Send)) -> Vec<Row> {
    let rows = run_until_stopped(cases, options, progress);
    rows.into_iter().zip(cases).map(|(row, case)| row.unwrap_or_else(|| stopped_row(case, options))).collect()
}

/// [`run`], with `None` for each case that did not finish because `options.stop` said so: it was
/// killed while it ran, or never started.
pub fn run_until_stopped(
    cases: &[&Case],
    options: &Options,
    progress: &mut (dyn FnMut(usize, &Case, Option<&Row>) + Send),
) -> Vec<Option<Row>> {
    let order: Vec<usize> = if options.jobs > 1 { shard::costliest_first(cases) } else { (0..cases.len()).collect() };
    let progress = Mutex::new(progress);
    let report = |i: usize, case: &Case, row: Option<&Row>| (progress.lock().unwrap_or_else(PoisonError::into_inner))(i, case, row);
    let rows = jobs::run_in_order(cases, &order, options.jobs, &|i, case: &&Case| {
        if (options.stop)() {
            return (None, jobs::Next::Continue);
        }
        report(i, case, None);
        let row = finish_one(case, options);
        if let Some(row) = &row {
            report(i, case, Some(row));
        }
        (row, jobs::Next::Continue)
    });
    rows.into_iter().map(Option::flatten).collect()
}

/// Runs one case where `options.workers` says: here ([`run_case`]) or in a child process.
pub fn run_one(case: &Case, options: &Options) -> Row {
    finish_one(case, options).unwrap_or_else(|| stopped_row(case, options))
}

/// [`run_one`], `None` if `options.stop` killed its child process before it finished.
fn finish_one(case: &Case, options: &Options) -> Option<Row> {
    match &options.workers {
        worker::Workers::InProcess => Some(run_case(case, options)),
        worker::Workers::Processes { exe, catalogue } => worker::run_in_child(exe, catalogue, case, options),
    }
}

/// The row of a case stopped before it finished.
fn stopped_row(case: &Case, options: &Options) -> Row {
    let mut row = blank_row(case, &effective(case, options).0);
    row.outcome = "stopped".into();
    row.problems.push("stopped before it finished".into());
    row
}

/// Runs one case in this process: the exploration, the replay file of a failure, and the pinned replay's check.
pub fn run_case(case: &Case, options: &Options) -> Row {
    let (engine, budget) = effective(case, options);
    let mut row = blank_row(case, &engine);
    let watched = Budget { watch: options.watches.get(&case.id).cloned(), ..budget.clone() };
    let verdict = match case.model.run(&case.config, &engine, &watched) {
        Ok(v) => v,
        Err(e) => {
            // Validated at load, so only a model that changed its mind gets here.
            row.outcome = "error".into();
            row.problems.push(e.to_string());
            return row;
        }
    };
    fill(&mut row, &verdict);
    row.matched = case.expect.matches(&verdict.outcome);
    if !row.matched {
        row.problems.push(format!("expected {}, got {}", case.expect, verdict.outcome));
    }
    if engine == case.engine {
        compare_recorded(case, &verdict, &mut row);
    }
    if verdict.violation().is_some() {
        save_failure(case, options, (&engine, &budget), verdict, &mut row);
    }
    if let Some(pinned) = case.replay.as_ref().filter(|_| options.verify_pinned) {
        if let Err(problem) = verify_pinned(case, pinned) {
            row.matched = false;
            row.problems.push(format!("{problem}; regenerate it: {}", paths::pin_command(&case.id)));
        }
    }
    row
}

/// The recorded execution and state counts against what this run explored (only under the
/// case's own engine: deepened options explore more on purpose).
fn compare_recorded(case: &Case, verdict: &Verdict, row: &mut Row) {
    let must_hold = case.expect == Expect::Holds;
    if let Some(recorded) = case.executions.filter(|&n| n != verdict.executions) {
        row.matched = false;
        row.problems.push(format!(
            "explored {} executions, the catalogue records {recorded}: the explored space changed{}; `{}` shows both counts{}",
            verdict.executions,
            if must_hold { " (on a case that must hold: find out why before re-pinning)" } else { "" },
            paths::pin_command(&case.id),
            if must_hold { " and records the new one only with --accept" } else { " and re-pins it" },
        ));
    }
    let stored = verdict.search.as_ref().map(|search| search.states);
    if let (Some(recorded), Some(states)) = (case.states, stored.filter(|&n| Some(n) != case.states)) {
        row.matched = false;
        row.problems.push(format!(
            "stored {states} states, the catalogue records {recorded}: the explored state space changed; `{}` shows both counts",
            paths::pin_command(&case.id)
        ));
    }
}

/// Writes the replay file of a failing run, shrunk first when the failure is a new one.
fn save_failure(case: &Case, options: &Options, (engine, budget): (&Engine, &Budget), verdict: Verdict, row: &mut Row) {
    let (config, verdict) = if row.matched || options.shrink_limit.is_zero() {
        (case.config.clone(), verdict)
    } else {
        // A new failure: report and save the smallest version of it.
        let shrunk = shrink::shrink(case.model, &case.config, verdict, engine, budget, options.shrink_limit);
        if shrunk.config != case.config {
            row.problems.push(format!(
                "shrunk from {} x {} to {} threads x {} ops: {}",
                case.config.threads, case.config.ops, shrunk.config.threads, shrunk.config.ops, shrunk.verdict.outcome
            ));
        }
        (shrunk.config, shrunk.verdict)
    };
    let Some(file) = ReplayFile::from_verdict(Some(&case.id), &config, engine, &verdict) else {
        if !matches!(engine, Engine::Std { .. }) {
            row.problems.push("the failure left no schedule to replay".into());
        }
        return;
    };
    let path = options.replay_dir.join(format!("{}.json", case.id));
    match file.write(&path) {
        Ok(()) => {
            if !row.matched {
                row.problems.push(format!("replay it: {}", paths::replay_command(&path)));
            }
            row.replay = Some(paths::shown(&path));
        }
        Err(e) => row.problems.push(e.to_string()),
    }
}

/// The engine and budget `case` runs under: its own, deepened by the overrides if it must hold.
fn effective(case: &Case, options: &Options) -> (Engine, Budget) {
    match case.expect {
        Expect::Holds => options.overrides.apply(&case.engine, &case.budget),
        _ => (case.engine.clone(), case.budget.clone()),
    }
}

/// The row of `case` before it has run.
fn blank_row(case: &Case, engine: &Engine) -> Row {
    Row {
        id: case.id.clone(),
        model: case.config.model.to_string(),
        variant: case.config.variant.to_string(),
        engine: engine.to_string(),
        expect: case.expect.to_string(),
        outcome: String::new(),
        executions: 0,
        exhaustive: false,
        seconds: 0.0,
        replay: None,
        matched: false,
        problems: Vec::new(),
        detail: String::new(),
        figures: String::new(),
    }
}

fn fill(row: &mut Row, verdict: &Verdict) {
    row.outcome = verdict.outcome.label();
    row.executions = verdict.executions;
    row.exhaustive = verdict.exhaustive;
    row.seconds = verdict.seconds;
    row.figures = match &verdict.search {
        Some(search) => format!("states={} {}", search.states, figures(verdict)).trim_end().to_string(),
        None => figures(verdict),
    };
    row.detail = match &verdict.outcome {
        Outcome::Holds => String::new(),
        other => other.to_string(),
    };
}

/// A verdict's figures as `name=value` pairs, in name order.
pub fn figures(verdict: &Verdict) -> String {
    verdict.figures.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join(" ")
}

/// Whether every row matched.
pub fn all_matched(rows: &[Row]) -> bool {
    rows.iter().all(|r| r.matched)
}
