//! `gcmc explore`: one configuration ad hoc, under one engine; a failure is shrunk, explained,
//! saved as a replay file and offered as a ready-to-paste catalogue case.

use super::live::Limits;
use super::quiet::Silenced;
use super::ExploreArgs;
use crate::catalogue;
use crate::engine::{Budget, Engine, Outcome, Spread, Verdict, Watch};
use crate::engine_spec::BudgetSpec;
use crate::error::GcmcError;
use crate::explain;
use crate::paths;
use crate::registry::{self, ModelConfig};
use crate::replay_file::ReplayFile;
use crate::shrink;
use serde_json::{Map, Value};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

/// `KEY=VALUE`, VALUE read as a TOML value (a bare word is a string).
fn parse_set(set: &[String]) -> Result<Map<String, Value>, GcmcError> {
    let mut map = Map::new();
    for item in set {
        let shown = crate::lengths::shown(item);
        let (key, value) = item.split_once('=').ok_or_else(|| GcmcError::Usage(format!("--set `{shown}` is not KEY=VALUE")))?;
        let key = key.trim();
        crate::lengths::name_argument("a --set key", key).map_err(GcmcError::Usage)?;
        crate::lengths::name_argument(&format!("the value of --set {key}"), value.trim()).map_err(GcmcError::Usage)?;
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

pub(super) fn explore(args: ExploreArgs) -> Result<i32, GcmcError> {
    super::commands::check_outputs(args.view.svg.as_deref(), args.replay_dir.as_deref())?;
    crate::lengths::name_argument("the model name", &args.model).map_err(GcmcError::Usage)?;
    crate::lengths::name_argument("the --variant name", &args.variant).map_err(GcmcError::Usage)?;
    let model = registry::model(&args.model)?;
    let config = explored_config(model, &args)?;
    let engine = args.engine.spec().resolve(false).map_err(GcmcError::Usage)?;
    let budget = explored_budget(&args)?;
    model.admit(&config, &engine)?;
    let spread = explored_spread(&args)?;
    spread.admit(&engine)?;
    let part = if spread.shard.is_whole() { String::new() } else { format!(", shard {}", spread.shard) };
    eprintln!("exploring {} under {engine}{part} ...", config.describe());
    let show_progress = std::io::stderr().is_terminal();
    let silenced = Silenced::begin();
    let watchdog = watch_explore(&budget, format!("{} under {engine}", config.describe()));
    let watch = Watch::default();
    let limits = Limits::of(&engine, &budget, spread.shard.count());
    let live = super::live::start(show_progress, silenced.as_ref(), &watch, limits, engine.name().to_string());
    let watched = Budget { watch: Some(watch), ..budget.clone() };
    let verdict = model.run_spread(&config, &engine, &watched, &spread);
    drop(live);
    drop(watchdog);
    drop(silenced);
    let verdict = verdict?;
    let (config, verdict) = if verdict.violation().is_some() && !args.no_shrink {
        shrink_for_report(model, config, verdict, (&engine, &budget), args.shrink_seconds)
    } else {
        (config, verdict)
    };
    print!("{}", explain::render_as(&config, &engine, &verdict, args.view.trace_view()));
    print_summary(&verdict, &spread, &part);
    if let Some(svg) = &args.view.svg {
        super::commands::draw(svg, &format!("{} under {engine}", config.describe()), &verdict)?;
    }
    match &verdict.outcome {
        Outcome::Holds => Ok(0),
        Outcome::BudgetExhausted { .. } => Ok(3),
        Outcome::Violation(_) => {
            save_replay(model, &config, &engine, &verdict, args.replay_dir)?;
            Ok(1)
        }
    }
}

/// The budget: the command line's limits, ten minutes when no time limit is given.
fn explored_budget(args: &ExploreArgs) -> Result<Budget, GcmcError> {
    BudgetSpec {
        max_executions: args.max_executions,
        max_seconds: Some(args.max_seconds.unwrap_or(600.0)),
        max_states: args.max_states,
        ..BudgetSpec::default()
    }
    .resolve()
    .map_err(GcmcError::Usage)
}

/// How much was explored, whether that is a proof, the search statistics and the figures.
fn print_summary(verdict: &Verdict, spread: &Spread, part: &str) {
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
        println!("figures (maximum over the executions): {}", crate::check::figures(verdict));
    }
}

/// Writes the violation's replay file (under `dir`, else the default replay directory) and
/// prints how to replay it and the catalogue case that would pin it.
fn save_replay(
    model: &dyn registry::DynModel,
    config: &ModelConfig,
    engine: &Engine,
    verdict: &Verdict,
    dir: Option<PathBuf>,
) -> Result<(), GcmcError> {
    let Some(file) = ReplayFile::from_verdict(None, config, engine, verdict) else { return Ok(()) };
    let name = format!("explore-{}-{}-{}x{}-{}.json", config.model, config.variant, config.threads, config.ops, engine.name());
    let path = dir.unwrap_or_else(catalogue::load::default_replay_dir).join(name);
    file.write(&path)?;
    println!("replay it: {}", paths::replay_command(&path));
    print!("{}", suggested_case(model, config, engine, verdict)?);
    Ok(())
}

/// The variant's default configuration, with `--set` merged over it and `--threads`/`--ops` applied.
fn explored_config(model: &dyn registry::DynModel, args: &ExploreArgs) -> Result<ModelConfig, GcmcError> {
    let config = model.configure(&args.variant, &parse_set(&args.set)?)?;
    if args.threads.is_none() && args.ops.is_none() {
        return Ok(config);
    }
    model.resized(&config, args.threads.unwrap_or(config.threads), args.ops.unwrap_or(config.ops))
}

/// `--jobs`, `--shard` and `--split-depth`, validated.
fn explored_spread(args: &ExploreArgs) -> Result<Spread, GcmcError> {
    let split_depth = match args.split_depth {
        Some(0) => return Err(GcmcError::Usage("--split-depth must be at least 1".into())),
        Some(d) => d,
        None => 0,
    };
    Ok(Spread { jobs: super::commands::jobs(args.jobs)?, shard: args.shard.unwrap_or_default(), split_depth })
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
        Engine::Stateful { exact_states, reductions } => {
            let mut fields = vec!["name = \"stateful\"".to_string()];
            if *exact_states {
                fields.push("exact_states = true".into());
            }
            fields.extend(reductions.off().into_iter().map(|r| format!("{} = false", r.parameter())));
            format!("{{ {} }}", fields.join(", "))
        }
    }
}
