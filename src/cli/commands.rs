//! The subcommands.

use super::quiet::{FileTerm, Silenced};
use super::{CheckArgs, Command, ExploreArgs, PowerArgs, Selection};
use crate::catalogue::{self, Catalogue};
use crate::check::{self, Options, Overrides};
use crate::engine::{Budget, Engine, Outcome, Spread, Verdict};
use crate::engine_spec::BudgetSpec;
use crate::error::GcmcError;
use crate::explain;
use crate::paths;
use crate::registry::{self, ModelConfig};
use crate::replay_file::ReplayFile;
use crate::shrink;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Map, Value};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(super) fn run(command: Command) -> Result<i32, GcmcError> {
    match command {
        Command::List { limits: true, .. } => super::list::limits(),
        Command::List { markdown: true, catalogue, .. } => super::list::markdown(&load(catalogue.catalogue)?.0),
        Command::List { catalogue, .. } => super::list::everything(&load(catalogue.catalogue)?.0),
        Command::Check(args) => check(args),
        Command::Explore(args) => explore(args),
        Command::Replay { file } => replay(&file),
        Command::Power(args) => power(args),
        Command::Pin { filter, accept, deep, catalogue } => {
            let (catalogue, which) = load(catalogue.catalogue)?;
            println!("{which}");
            pin(&catalogue, filter.as_deref(), accept, deep)
        }
        Command::CaseWorker => check::worker::serve(),
    }
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
            options.filter.as_deref().map(|f| format!(" filter `{f}`")).unwrap_or_default(),
            options.engine.map(|e| format!(" engine {e}")).unwrap_or_default(),
            if options.deep { "" } else { " (deep cases need --deep)" }
        )));
    }
    let shard = args.shard.unwrap_or_default();
    let cases = if shard.is_whole() { cases } else { check::shard::select(&cases, shard) };
    if cases.is_empty() {
        return Err(GcmcError::Usage(format!("shard {shard} of the selected cases is empty: there are fewer cases than shards")));
    }
    let bar = progress_bar(cases.len() as u64, !args.json);
    let silenced = Silenced::begin();
    let bar = bar(silenced.as_ref());
    let mut running = std::collections::BTreeSet::new();
    let rows = check::run(&cases, &options, &mut |i, _, row| {
        match row {
            None => running.insert(i),
            Some(_) => {
                bar.inc(1);
                running.remove(&i)
            }
        };
        let shown: Vec<String> = running.iter().map(|&r| format!("{} ({})", cases[r].id, cases[r].engine)).collect();
        bar.set_message(shown.join(", "));
    });
    bar.finish_and_clear();
    drop(silenced);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows).expect("rows serialize"));
    } else {
        print!("{}", check::table(&rows));
        println!("{which}");
    }
    Ok(if check::all_matched(&rows) { 0 } else { 1 })
}

/// `--jobs`, validated; the number of cores when not given.
fn jobs(given: Option<usize>) -> Result<usize, GcmcError> {
    crate::jobs::validate(given.unwrap_or_else(crate::jobs::default_jobs)).map_err(GcmcError::Usage)
}

fn selecting(options: &mut Options, selection: Selection) {
    options.filter = selection.filter;
    options.engine = selection.engine;
    options.deep = selection.deep;
}

fn power(args: PowerArgs) -> Result<i32, GcmcError> {
    let (catalogue, which) = load(args.catalogue.catalogue)?;
    let mut options = Options::new(catalogue::load::default_replay_dir());
    selecting(&mut options, args.selection);
    let bases = crate::power::bases(&check::select(&catalogue, &options));
    if bases.is_empty() {
        return Err(GcmcError::Usage(format!(
            "no holds case of a correct variant matches{}{}",
            options.filter.as_deref().map(|f| format!(" filter `{f}`")).unwrap_or_default(),
            if options.deep { "" } else { " (deep cases need --deep)" }
        )));
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

/// A progress bar on the real stderr when it is a terminal and `wanted`, else a hidden one; made
/// once stderr is silenced (it draws to the saved descriptor).
fn progress_bar(len: u64, wanted: bool) -> impl FnOnce(Option<&Silenced>) -> ProgressBar {
    let show = wanted && std::io::stderr().is_terminal();
    move |silenced| match silenced.and_then(Silenced::real_stderr) {
        Some(real) if show => {
            let target = ProgressDrawTarget::term_like(Box::new(FileTerm(real)));
            let bar = ProgressBar::with_draw_target(Some(len), target);
            bar.set_style(ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {msg}").expect("a valid progress template"));
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
            filter.map(|f| format!(" `{f}`")).unwrap_or_default()
        )));
    }
    crate::pin::run(catalogue, &cases, accept, || Box::new(Silenced::begin()))
}

/// `KEY=VALUE`, VALUE read as a TOML value (a bare word is a string).
fn parse_set(set: &[String]) -> Result<Map<String, Value>, GcmcError> {
    let mut map = Map::new();
    for item in set {
        let (key, value) = item.split_once('=').ok_or_else(|| GcmcError::Usage(format!("--set `{item}` is not KEY=VALUE")))?;
        let key = key.trim();
        let parsed: Result<toml::Table, _> = format!("v = {}", value.trim()).parse();
        let value = match parsed {
            Ok(mut t) => t.remove("v").expect("parsed `v`"),
            Err(_) => toml::Value::String(value.trim().to_string()),
        };
        let json = serde_json::to_value(&value).map_err(|e| GcmcError::Usage(format!("--set {key}: {e}")))?;
        map.insert(key.to_string(), json);
    }
    Ok(map)
}

fn explore(args: ExploreArgs) -> Result<i32, GcmcError> {
    let model = registry::model(&args.model)?;
    let mut config = model.configure(&args.variant, &parse_set(&args.set)?)?;
    if args.threads.is_some() || args.ops.is_some() {
        let (t, k) = (args.threads.unwrap_or(config.threads), args.ops.unwrap_or(config.ops));
        config = model.resized(&config, t, k)?;
    }
    let engine = args.engine.spec().resolve(false).map_err(GcmcError::Usage)?;
    let budget = BudgetSpec {
        max_executions: args.max_executions,
        max_seconds: Some(args.max_seconds.unwrap_or(600.0)),
        max_states: args.max_states,
        ..BudgetSpec::default()
    }
    .resolve()
    .map_err(GcmcError::Usage)?;
    model.admit(&config, &engine)?;
    let spread = Spread {
        jobs: jobs(args.jobs)?,
        shard: args.shard.unwrap_or_default(),
        split_depth: match args.split_depth {
            Some(0) => return Err(GcmcError::Usage("--split-depth must be at least 1".into())),
            Some(d) => d,
            None => 0,
        },
    };
    spread.admit(&engine)?;
    let part = if spread.shard.is_whole() { String::new() } else { format!(", shard {}", spread.shard) };
    eprintln!("exploring {} under {engine}{part} ...", config.describe());
    let silenced = Silenced::begin();
    let watchdog = watch_explore(&budget, format!("{} under {engine}", config.describe()));
    let verdict = model.run_spread(&config, &engine, &budget, &spread);
    drop(watchdog);
    drop(silenced);
    let verdict = verdict?;
    let (config, verdict) = if verdict.violation().is_some() && !args.no_shrink {
        shrink_for_report(model, config, verdict, (&engine, &budget), args.shrink_seconds)
    } else {
        (config, verdict)
    };
    print!("{}", explain::render(&config, &engine, &verdict));
    let coverage = match (verdict.exhaustive, spread.shard.is_whole()) {
        (true, true) => "exhaustive".to_string(),
        (true, false) => format!("exhaustive over shard {} (the proof is all {} shards holding)", spread.shard, spread.shard.count()),
        (false, _) => "not exhaustive".to_string(),
    };
    println!("{} executions{part}, {coverage}, {:.2}s", verdict.executions, verdict.seconds);
    if let Some(search) = &verdict.search {
        println!("{}", search);
    }
    if !verdict.figures.is_empty() {
        println!("figures (maximum over the executions): {}", crate::check::figures(&verdict));
    }
    match &verdict.outcome {
        Outcome::Holds => Ok(0),
        Outcome::BudgetExhausted { .. } => Ok(3),
        Outcome::Violation(_) => {
            if let Some(file) = ReplayFile::from_verdict(None, &config, &engine, &verdict) {
                let dir = args.replay_dir.unwrap_or_else(catalogue::load::default_replay_dir);
                let path = dir.join(format!(
                    "explore-{}-{}-{}x{}-{}.json",
                    config.model,
                    config.variant,
                    config.threads,
                    config.ops,
                    engine.name()
                ));
                file.write(&path)?;
                println!("replay it: {}", paths::replay_command(&path));
                print!("{}", suggested_case(model, &config, &engine, &verdict)?);
            }
            Ok(1)
        }
    }
}

/// A run that never reaches a budget check is ended past its time limit and grace, saying so,
/// with exit 3.
fn watch_explore(budget: &Budget, described: String) -> Option<crate::watchdog::Armed> {
    budget.max_seconds.map(|s| {
        let own = Duration::from_secs_f64(s.max(0.0));
        let after = own + crate::watchdog::grace(own);
        crate::watchdog::arm(after, move || {
            println!(
                "{described}: budget-exhausted: the run did not stop within its time limit and grace ({:.0} s in all), so the watchdog ended it",
                after.as_secs_f64()
            );
            std::process::exit(3);
        })
    })
}

/// The failure of `explore`, shrunk to the fewest threads and operations that still fail within
/// `seconds`, and what shrinking did, on stderr.
fn shrink_for_report(
    model: &dyn registry::DynModel,
    config: ModelConfig,
    verdict: Verdict,
    (engine, budget): (&Engine, &Budget),
    seconds: f64,
) -> (ModelConfig, Verdict) {
    let limit = Duration::from_secs_f64(seconds.max(0.0));
    let silenced = Silenced::begin();
    let shrunk = shrink::shrink(model, &config, verdict, engine, budget, limit);
    drop(silenced);
    if shrunk.config != config {
        eprintln!(
            "shrunk from {} threads x {} ops to {} threads x {} ops ({} candidates{})",
            config.threads,
            config.ops,
            shrunk.config.threads,
            shrunk.config.ops,
            shrunk.tried,
            if shrunk.timed_out { ", stopped at the time limit" } else { "" }
        );
    }
    (shrunk.config, shrunk.verdict)
}

/// A catalogue entry for this failure, ready to paste (step 1 of pinning a new regression).
fn suggested_case(model: &dyn registry::DynModel, config: &ModelConfig, engine: &Engine, verdict: &Verdict) -> Result<String, GcmcError> {
    let defaults = model.configure(config.variant, &Map::new())?;
    // The size fields are those that resizing changes; they are written always, so the case does
    // not move if the variant's defaults do.
    let bumped = model.resized(&defaults, defaults.threads + 1, defaults.ops + 1)?;
    let is_size = |key: &str| match (&bumped.value, &defaults.value) {
        (Value::Object(b), Value::Object(d)) => b.get(key) != d.get(key),
        _ => false,
    };
    let mut fields = Vec::new();
    if let (Value::Object(now), Value::Object(default)) = (&config.value, &defaults.value) {
        for (key, value) in now {
            if key != "variant" && (is_size(key) || default.get(key) != Some(value)) {
                let value = toml::Value::try_from(value).map_err(|e| GcmcError::Usage(format!("--set: {e}")))?;
                fields.push(format!("{key} = {value}"));
            }
        }
    }
    let id = "NEW-ID";
    Ok(format!(
        "to pin it as a regression case, add to models/catalogue.toml and run `{}`:\n\
         [[case]]\nid = \"{id}\"\nmodel = \"{}\"\nvariant = \"{}\"\nconfig = {{ {} }}\nengine = {}\nexpect = \"{}\"\nexecutions = {}\nreplay = \"replays/{id}.json\"\n",
        paths::pin_command(id),
        config.model,
        config.variant,
        fields.join(", "),
        engine_toml(engine),
        verdict.outcome.label(),
        verdict.executions
    ))
}

fn engine_toml(engine: &Engine) -> String {
    match engine {
        Engine::Loom { preemption_bound: None } => "{ name = \"loom\" }".into(),
        Engine::Loom { preemption_bound: Some(b) } => format!("{{ name = \"loom\", bound = {b} }}"),
        Engine::Pct { iterations, depth, seed } => {
            format!("{{ name = \"pct\", iterations = {iterations}, depth = {depth}, seed = {seed} }}")
        }
        Engine::Random { iterations, seed } => format!("{{ name = \"random\", iterations = {iterations}, seed = {seed} }}"),
        Engine::Dfs { max_iterations: None } => "{ name = \"dfs\" }".into(),
        Engine::Dfs { max_iterations: Some(n) } => format!("{{ name = \"dfs\", max_iterations = {n} }}"),
        Engine::Std { iterations } => format!("{{ name = \"std\", iterations = {iterations} }}"),
        Engine::Stateful { exact_states: false } => "{ name = \"stateful\" }".into(),
        Engine::Stateful { exact_states: true } => "{ name = \"stateful\", exact_states = true }".into(),
    }
}

fn replay(file: &Path) -> Result<i32, GcmcError> {
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
    print!("{}", explain::render(&loaded.config, &loaded.file.engine, &replayed.verdict));
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
