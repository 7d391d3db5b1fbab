//! Reading and validating the catalogue: every problem is one line naming the file and the case.

use super::{Case, Catalogue, Expect};
use crate::engine::Engine;
use crate::engine_spec::{BudgetSpec, EngineSpec};
use crate::error::{one_line, GcmcError};
use crate::lengths::{Limit, MAX_NAME_CHARS};
use crate::registry;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

/// The longest case id: ids name files (`replays/<id>.json`) and table rows.
pub const MAX_ID_CHARS: usize = 200;
/// The longest `why`: a paragraph, not a document.
pub const MAX_WHY_CHARS: usize = 2_000;
/// The longest `replay` path.
pub const MAX_REPLAY_PATH_CHARS: usize = 1_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    model: String,
    variant: String,
    #[serde(default)]
    config: toml::Table,
    engine: EngineSpec,
    #[serde(default)]
    budget: BudgetSpec,
    expect: String,
    executions: Option<u64>,
    states: Option<u64>,
    replay: Option<String>,
    #[serde(default)]
    deep: bool,
    why: Option<String>,
}

/// Reads and validates the catalogue at `path`.
pub fn load(path: &Path) -> Result<Catalogue, GcmcError> {
    let text = crate::files::read_bounded(path, crate::files::MAX_CATALOGUE_BYTES)
        .map_err(|problem| GcmcError::catalogue(crate::paths::shown(path), problem))?;
    load_str(path, &text)
}

/// Validates catalogue `text`, reporting problems against `path` (which also anchors pinned replays).
pub fn load_str(path: &Path, text: &str) -> Result<Catalogue, GcmcError> {
    let shown = crate::paths::shown(path);
    let fail = |what: String| GcmcError::catalogue(shown.clone(), what);
    let fail_case = |id: &str, what: String| GcmcError::Catalogue { file: shown.clone(), case: Some(id.into()), problem: one_line(&what) };
    let mut table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let line = e.span().map(|s| text[..s.start].lines().count().max(1));
        fail(match line {
            Some(line) => format!("line {line}: {}", e.message()),
            None => e.message().to_string(),
        })
    })?;
    let cases = match table.remove("case") {
        Some(toml::Value::Array(cases)) => cases,
        Some(_) => return Err(fail("`case` must be an array of tables ([[case]])".into())),
        None => Vec::new(),
    };
    if let Some(key) = table.keys().next() {
        return Err(fail(format!("unknown top-level key `{}` (only [[case]] entries are allowed)", crate::lengths::shown(key))));
    }
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(cases.len());
    for (n, raw) in cases.into_iter().enumerate() {
        // An id too long to print is named by its place; `case` refuses it.
        let id = raw
            .get("id")
            .and_then(toml::Value::as_str)
            .filter(|id| id.chars().count() <= MAX_ID_CHARS)
            .map_or_else(|| format!("#{}", n + 1), str::to_string);
        let case = case(raw, &dir).map_err(|e| fail_case(&id, e))?;
        if !seen.insert(case.id.clone()) {
            return Err(fail_case(&id, "duplicate id".into()));
        }
        out.push(case);
    }
    if out.is_empty() {
        return Err(fail("no [[case]] entries".into()));
    }
    Ok(Catalogue { path: path.to_path_buf(), cases: out })
}

fn case(raw: toml::Value, dir: &Path) -> Result<Case, String> {
    // Lengths first, so that no later message quotes an absurd name whole.
    let json = serde_json::to_value(&raw).map_err(|e| format!("not a table of fields ({e})"))?;
    crate::lengths::check(&json, &|path: &[&str]| {
        Limit::Chars(match path.first() {
            Some(&"id") => MAX_ID_CHARS,
            Some(&"why") => MAX_WHY_CHARS,
            Some(&"replay") => MAX_REPLAY_PATH_CHARS,
            _ => MAX_NAME_CHARS,
        })
    })?;
    let entry = Entry::deserialize(raw).map_err(|e| crate::lengths::shorten_quoted(e.message()))?;
    if entry.id.is_empty() || !entry.id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err("an id is letters, digits, `-`, `_` and `.`".into());
    }
    let model = registry::model(&entry.model).map_err(|e| e.to_string())?;
    let overrides = match serde_json::to_value(&entry.config) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => return Err("`config` must be a table".into()),
    };
    let config = model.configure(&entry.variant, &overrides).map_err(|e| e.to_string())?;
    let engine = entry.engine.resolve(true)?;
    let budget = entry.budget.resolve()?;
    model.admit(&config, &engine).map_err(|e| e.to_string())?;
    let expect = Expect::parse(&entry.expect)?;
    let replayable = !matches!(engine, Engine::Std { .. });
    if entry.executions.is_some() && !replayable {
        return Err("`executions` is not recorded for std: real threads explore no fixed set of executions".into());
    }
    if entry.states.is_some() && !matches!(engine, Engine::Stateful { .. }) {
        return Err(format!("`states` is recorded only for the stateful engine, not {}", engine.name()));
    }
    match (&expect, &entry.replay) {
        (Expect::Violation(_), None) if replayable => {
            return Err(format!(
                "expects a violation under {} but pins no replay; add `replay = \"replays/{}.json\"`",
                engine.name(),
                entry.id
            ))
        }
        (Expect::Violation(_), Some(_)) if !replayable => {
            return Err("the std engine records no schedule, so it cannot pin a replay".into())
        }
        (Expect::Holds | Expect::BudgetExhausted, Some(_)) => {
            return Err(format!("expects {expect}, so there is no counterexample to pin; remove `replay`"))
        }
        _ => {}
    }
    let replay = entry.replay.as_deref().map(|r| inside(dir, r)).transpose()?;
    Ok(Case {
        replay,
        replay_as_written: entry.replay,
        id: entry.id,
        model,
        config,
        engine,
        budget,
        expect,
        executions: entry.executions,
        states: entry.states,
        deep: entry.deep,
        why: entry.why,
    })
}

/// `written` (a catalogue's `replay`) resolved against the catalogue's directory `dir`, refused
/// unless it stays inside: a catalogue is shared input, and `pin` writes where it points.
fn inside(dir: &Path, written: &str) -> Result<PathBuf, String> {
    let refuse = |why: &str| Err(format!("replay `{written}` {why}: it must be a relative path inside the catalogue's directory"));
    let relative = Path::new(written);
    for component in relative.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => return refuse("is absolute"),
            Component::ParentDir => return refuse("has a `..` component"),
            Component::CurDir | Component::Normal(_) => {}
        }
    }
    if relative.file_name().is_none() {
        return refuse("names no file");
    }
    let path = dir.join(relative);
    // With no `..`, only a symlink can lead out: resolve the longest part that exists (the file
    // itself may not be pinned yet) and compare it with the directory, resolved the same way.
    let Ok(root) = dir.canonicalize().or_else(|_| std::env::current_dir().and_then(|cwd| cwd.join(dir).canonicalize())) else {
        return Ok(path);
    };
    let Some(existing) = path.ancestors().find(|p| !p.as_os_str().is_empty() && p.symlink_metadata().is_ok()) else {
        return Ok(path);
    };
    match existing.canonicalize() {
        Ok(resolved) if resolved.starts_with(&root) => Ok(path),
        Ok(resolved) => refuse(&format!("leads out of it through a symlink (to {})", resolved.display())),
        Err(e) => refuse(&format!("cannot be resolved ({e})")),
    }
}

/// Where replay files go when none is given: `<target>/gcmc/replays`, the target directory being
/// `CARGO_TARGET_DIR`, else the `target/` of the checkout the current directory is in (found as
/// the catalogue is), else of the checkout gcmc was built from.
pub fn default_replay_dir() -> PathBuf {
    let checkout = || {
        let cwd = std::env::current_dir().unwrap_or_default();
        let located = super::locate::locate(None, &cwd).ok()?;
        super::locate::checkout_of(&located.path).map(Path::to_path_buf)
    };
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| checkout().map(|root| root.join("target")))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("gcmc").join("replays")
}
