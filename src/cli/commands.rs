//! The subcommands (`list` and `explore` have their own files).

use super::live::running_case;
use super::quiet::{FileTerm, Silenced};
use super::{CatalogueArg, CheckArgs, Command, PowerArgs, Selection, ViewArgs};
use crate::catalogue::{self, Catalogue};
use crate::check::{self, Options, Overrides};
use crate::engine::{EngineKind, Watch};
use crate::error::GcmcError;
use crate::explain;
use crate::paths;
use crate::replay_file::ReplayFile;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

pub(super) fn run(command: Command) -> Result<i32, GcmcError> {
    match command {
        Command::List { limits: true, .. } => super::list::limits(),
        Command::List { markdown: true, catalogue, .. } => super::list::markdown(&load(catalogue.catalogue)?.0),
        Command::List { catalogue, .. } => super::list::everything(&load(catalogue.catalogue)?.0),
        Command::Check(args) => check(args),
        Command::Explore(args) => super::explore::explore(args),
        Command::Replay { file, view } => replay(&file, &view),
        Command::Power(args) => power(args),
        Command::Orderings { filter, deep, catalogue } => orderings(filter, deep, catalogue),
        Command::Pin { filter, accept, deep, catalogue } => {
            let (catalogue, which) = load(catalogue.catalogue)?;
            println!("{which}");
            pin(&catalogue, filter.as_deref(), accept, deep)
        }
        Command::Bench { quick, out, catalogue } => bench(quick, out, catalogue.catalogue),
        Command::CaseWorker { case } => check::worker::serve(case.as_deref()),
    }
}

fn bench(quick: bool, out: PathBuf, catalogue: Option<PathBuf>) -> Result<i32, GcmcError> {
    let (catalogue, which) = load(catalogue)?;
    eprintln!("{which}");
    let silenced = Silenced::begin();
    let mut real_stderr = silenced.as_ref().and_then(Silenced::real_stderr);
    let mut say = |what: &str| match &mut real_stderr {
        Some(file) => {
            let _ = writeln!(file, "bench: {what}");
        }
        None => eprintln!("bench: {what}"),
    };
    let written = crate::bench::run(&crate::bench::Options { quick, out }, &catalogue, &mut say);
    drop(silenced);
    println!("report written to {}", paths::shown(&written?));
    Ok(0)
}

/// `check::run_until_stopped` over `cases`, with a progress bar (when `wanted` and stderr is a
/// terminal) that shows the running cases' counts.
fn run_drawing_progress(cases: &[&catalogue::Case], options: &mut Options, wanted: bool) -> Vec<Option<check::Row>> {
    let bar = progress_bar(cases.len() as u64, wanted);
    let silenced = Silenced::begin();
    let bar = bar(silenced.as_ref());
    let running = Arc::new(Mutex::new(BTreeMap::new()));
    let ticker = (!bar.is_hidden()).then(|| {
        options.watches = cases.iter().map(|c| (c.id.clone(), Watch::default())).collect();
        let (running, drawn) = (Arc::clone(&running), bar.clone());
        super::live::Ticker::start(move || {
            let running = running.lock().unwrap_or_else(PoisonError::into_inner);
            let shown: Vec<String> =
                running.values().map(|(id, engine, watch): &(String, String, Watch)| running_case(id, engine, &watch.0)).collect();
            drawn.set_message(shown.join(", "));
        })
    });
    let rows = check::run_until_stopped(cases, options, &mut |i, case, row| {
        let mut running = running.lock().unwrap_or_else(PoisonError::into_inner);
        match row {
            None => {
                let watch = options.watches.get(&case.id).cloned().unwrap_or_default();
                running.insert(i, (case.id.clone(), case.engine.to_string(), watch));
            }
            Some(_) => {
                bar.inc(1);
                running.remove(&i);
            }
        }
    });
    drop(ticker);
    bar.finish_and_clear();
    drop(silenced);
    rows
}

/// The catalogue `--catalogue` names, or the one found from the current directory up
/// ([`catalogue::locate`]); the line that says which, for the report.
fn load(path: Option<PathBuf>) -> Result<(Catalogue, String), GcmcError> {
    let cwd = std::env::current_dir().map_err(|e| GcmcError::io("cannot read the current directory", e))?;
    let located = catalogue::locate(path, &cwd)?;
    Ok((catalogue::load(&located.path)?, located.describe()))
}

fn check(args: CheckArgs) -> Result<i32, GcmcError> {
    let (catalogue, which) = load(args.catalogue.catalogue)?;
    check_outputs(None, args.replay_dir.as_deref())?;
    let mut options = Options::new(args.replay_dir.unwrap_or_else(catalogue::load::default_replay_dir));
    selecting(&mut options, args.selection);
    options.verify_pinned = !args.skip_pinned;
    options.overrides = Overrides {
        bound: args.bound,
        iterations: args.iterations,
        seed: args.seed,
        max_iterations: args.max_iterations,
        max_seconds: args.max_seconds,
    };
    options.jobs = jobs(args.jobs)?;
    // Each case in a child process, even one at a time: side by side, loom cases must not share a
    // process, and a child that crashes or hangs past its budget fails its own row (check::worker).
    let exe = std::env::current_exe().map_err(|e| GcmcError::io("cannot find the gcmc executable to run workers", e))?;
    options.workers = check::worker::Workers::Processes { exe, catalogue: catalogue.path.clone() };
    let cases = check::select(&catalogue, &options);
    if cases.is_empty() {
        return Err(GcmcError::Usage(format!(
            "no case of {} matches{}{}{}",
            paths::shown(&catalogue.path),
            options.filter.as_deref().map(|f| format!(" filter `{}`", crate::lengths::shown(f))).unwrap_or_default(),
            options.engine.map(|e| format!(" engine {e}")).unwrap_or_default(),
            if options.deep { "" } else { " (deep cases need --deep)" }
        )));
    }
    let shard = args.shard.unwrap_or_default();
    let cases = if shard.is_whole() { cases } else { check::shard::select(&cases, shard) };
    if cases.is_empty() {
        return Err(GcmcError::Usage(format!("shard {shard} of the selected cases is empty: there are fewer cases than shards")));
    }
    super::interrupt::catch().map_err(|e| GcmcError::io("cannot handle SIGINT and SIGTERM", e))?;
    options.stop = super::interrupt::stop;
    let rows = run_drawing_progress(&cases, &mut options, !args.json);
    let finished: Vec<check::Row> = rows.iter().flatten().cloned().collect();
    let interrupted = super::interrupt::received().map(|signal| (signal, interruption(signal, &cases, &rows)));
    if args.json {
        println!("{}", serde_json::to_string_pretty(&finished).expect("rows serialize"));
        if let Some((_, line)) = &interrupted {
            eprintln!("{line}");
        }
    } else {
        print!("{}", check::table(&finished));
        if let Some((_, line)) = &interrupted {
            println!("{line}");
        }
        println!("{which}");
    }
    Ok(match interrupted {
        Some((signal, _)) => super::interrupt::exit_code(signal),
        None if check::all_matched(&finished) => 0,
        None => 1,
    })
}

/// What `check` says when `signal` stopped it: which cases have no row, and why.
fn interruption(signal: i32, cases: &[&catalogue::Case], rows: &[Option<check::Row>]) -> String {
    const NAMED: usize = 10;
    let missing: Vec<&str> = cases.iter().zip(rows).filter(|(_, row)| row.is_none()).map(|(case, _)| case.id.as_str()).collect();
    let named = match missing.len() {
        0 => "every case had finished".to_string(),
        n if n <= NAMED => format!("did not finish: {}", missing.join(", ")),
        n => format!("did not finish: {}, and {} more", missing[..NAMED].join(", "), n - NAMED),
    };
    format!(
        "interrupted by {}: {} of {} cases did not finish, only the cases that finished have rows ({named})",
        super::interrupt::name(signal),
        missing.len(),
        cases.len()
    )
}

/// `--jobs`, validated; the number of cores when not given.
pub(super) fn jobs(given: Option<usize>) -> Result<usize, GcmcError> {
    crate::jobs::validate(given.unwrap_or_else(crate::jobs::default_jobs)).map_err(GcmcError::Usage)
}

fn selecting(options: &mut Options, selection: Selection) {
    options.filter = selection.filter;
    options.engine = selection.engine;
    options.deep = selection.deep;
}

/// The refusal when power or orderings selects no case: what was looked for, the filter, and --deep.
fn no_case_matches(what: &str, options: &Options) -> GcmcError {
    GcmcError::Usage(format!(
        "no {what} matches{}{}",
        options.filter.as_deref().map(|f| format!(" filter `{}`", crate::lengths::shown(f))).unwrap_or_default(),
        if options.deep { "" } else { " (deep cases need --deep)" }
    ))
}

fn power(args: PowerArgs) -> Result<i32, GcmcError> {
    let (catalogue, which) = load(args.catalogue.catalogue)?;
    let mut options = Options::new(catalogue::load::default_replay_dir());
    selecting(&mut options, args.selection);
    let bases = crate::power::bases(&check::select(&catalogue, &options));
    if bases.is_empty() {
        return Err(no_case_matches("holds case of a correct variant", &options));
    }
    let bugs = crate::power::bugs(&catalogue);
    let bar = progress_bar(bases.len() as u64, !args.json);
    let silenced = Silenced::begin();
    let bar = bar(silenced.as_ref());
    let powers: Vec<_> = bases
        .iter()
        .map(|case| {
            let power = crate::power::measure(case, &bugs, &mut |case, bug| bar.set_message(format!("{} <- {}", case.id, bug.variant)));
            bar.inc(1);
            power
        })
        .collect();
    bar.finish_and_clear();
    drop(silenced);
    let gaps = crate::power::gaps(&powers, &bugs);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&powers).expect("powers serialize"));
    } else {
        print!("{}", crate::power::report(&powers, &bugs));
        match gaps.len() {
            0 => println!(
                "no gaps: every bug is caught by at least {} rows and by a row of each engine that sees it",
                crate::power::MIN_ROWS_PER_BUG
            ),
            n => println!("{n} gaps:"),
        }
        for gap in &gaps {
            println!("  {gap}");
        }
        println!("{which}");
    }
    Ok(if gaps.is_empty() { 0 } else { 1 })
}

fn orderings(filter: Option<String>, deep: bool, catalogue: CatalogueArg) -> Result<i32, GcmcError> {
    let (catalogue, which) = load(catalogue.catalogue)?;
    let mut options = Options::new(catalogue::load::default_replay_dir());
    selecting(&mut options, Selection { filter, engine: Some(EngineKind::Loom), deep });
    let bases = crate::orderings::bases(&check::select(&catalogue, &options));
    if bases.is_empty() {
        return Err(no_case_matches("loom holds case of a correct variant", &options));
    }
    println!("{which}");
    let bar = progress_bar(bases.values().map(|cases| cases.len() as u64).sum(), true);
    let silenced = Silenced::begin();
    let bar = bar(silenced.as_ref());
    let mut sweeps = Vec::new();
    for (model, cases) in &bases {
        sweeps.push(crate::orderings::sweep(model, cases, &mut |doing| bar.set_message(doing.to_string()))?);
        bar.inc(cases.len() as u64);
    }
    bar.finish_and_clear();
    drop(silenced);
    print!("{}", crate::orderings::report(&sweeps));
    Ok(0)
}

/// A progress bar on the real stderr when it is a terminal and `wanted`, else a hidden one; made
/// once stderr is silenced (it draws to the saved descriptor).
fn progress_bar(len: u64, wanted: bool) -> impl FnOnce(Option<&Silenced>) -> ProgressBar {
    let show = wanted && std::io::stderr().is_terminal();
    move |silenced| match silenced.and_then(Silenced::real_stderr) {
        Some(real) if show => {
            let target = ProgressDrawTarget::term_like(Box::new(FileTerm(real)));
            let bar = ProgressBar::with_draw_target(Some(len), target);
            bar.set_style(ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {wide_msg}").expect("a valid progress template"));
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        }
        _ => ProgressBar::hidden(),
    }
}

fn pin(catalogue: &Catalogue, filter: Option<&str>, accept: bool, deep: bool) -> Result<i32, GcmcError> {
    let cases: Vec<_> = catalogue
        .cases
        .iter()
        .filter(|c| crate::pin::pinnable(c))
        .filter(|c| deep || !c.deep || filter == Some(c.id.as_str()))
        .filter(|c| filter.map_or(true, |f| c.selected_by(f)))
        .collect();
    if cases.is_empty() {
        return Err(GcmcError::Usage(format!(
            "no case with something to pin matches{}",
            filter.map(|f| format!(" `{}`", crate::lengths::shown(f))).unwrap_or_default()
        )));
    }
    crate::pin::run(catalogue, &cases, accept, || Box::new(Silenced::begin()))
}

/// Refuses, before any run, an `--svg` gcmc could not write or a `--replay-dir` it could not
/// write into.
pub(super) fn check_outputs(svg: Option<&Path>, replay_dir: Option<&Path>) -> Result<(), GcmcError> {
    if let Some(svg) = svg {
        crate::files::writable_file(svg).map_err(|why| GcmcError::Usage(format!("--svg {}: {why}", paths::shown(svg))))?;
    }
    if let Some(dir) = replay_dir {
        crate::files::usable_dir(dir).map_err(|why| GcmcError::Usage(format!("--replay-dir {}: {why}", paths::shown(dir))))?;
    }
    Ok(())
}

fn replay(file: &Path, view: &ViewArgs) -> Result<i32, GcmcError> {
    check_outputs(view.svg.as_deref(), None)?;
    let loaded = ReplayFile::load(file)?;
    println!(
        "replaying {}{}: {} under {}",
        paths::shown(file),
        loaded.file.case.as_deref().map(|c| format!(" (case {c})")).unwrap_or_default(),
        loaded.config.describe(),
        loaded.file.engine
    );
    let silenced = Silenced::begin();
    let replayed = loaded.replay();
    drop(silenced);
    let replayed = replayed?;
    print!("{}", explain::render_as(&loaded.config, &loaded.file.engine, &replayed.verdict, view.trace_view()));
    if let Some(svg) = &view.svg {
        let case = loaded.file.case.as_deref().map(|c| format!("{c}: ")).unwrap_or_default();
        let title = format!("{case}{} under {}", loaded.config.describe(), loaded.file.engine);
        draw(svg, &title, &replayed.verdict)?;
    }
    match replayed.divergence {
        None => {
            println!("reproduced: the same violation and the same trace as recorded");
            Ok(0)
        }
        Some(why) => {
            println!("DIVERGED: {why}");
            Ok(1)
        }
    }
}

/// Writes the chart of `verdict`'s failing execution to `path` ([`crate::view::svg`]) and says so;
/// a run without a counterexample has nothing to draw, which is said on stderr.
pub(super) fn draw(path: &Path, title: &str, verdict: &crate::engine::Verdict) -> Result<(), GcmcError> {
    if verdict.trace.is_empty() {
        eprintln!("no chart written to {}: the run has no failing execution to draw", paths::shown(path));
        return Ok(());
    }
    let chart = crate::view::svg::render(title, &verdict.trace, verdict.violation());
    crate::files::write(path, chart.as_bytes()).map_err(|e| GcmcError::io(format!("cannot write the chart {}", paths::shown(path)), e))?;
    println!("chart written to {}", paths::shown(path));
    Ok(())
}
