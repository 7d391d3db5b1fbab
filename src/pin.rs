//! `gcmc pin`: (re)record what a case pins (its execution count, and for a broken case its replay
//! file), showing what changed, so that re-pinning never hides a change.
//!
//! A recorded execution count or a pinned trace is a fixed point of a deterministic engine: when
//! one moves, something in the model, the engine or the harness changed what is explored. For a
//! broken case that is usually a reworded or reordered trace; for a case that must hold it may be
//! a proof that quietly shrank. So `pin` runs every selected case first, prints each change (old
//! and new count, the first differing trace line), and writes nothing unless every changed case
//! that must hold was accepted with `--accept`.

use crate::catalogue::edit::{set_executions, set_states};
use crate::catalogue::{self, Case, Catalogue, Expect};
use crate::check::verify_pinned;
use crate::engine::{Engine, Verdict};
use crate::error::GcmcError;
use crate::paths;
use crate::replay_file::ReplayFile;
use serde_json::Value;
use std::path::Path;

/// What running one case for `pin` found: the changes against what the catalogue and the pinned
/// file record, and what to write.
pub struct Plan<'a> {
    pub case: &'a Case,
    /// Lines describing each change, in the order found; empty when nothing moved.
    pub changes: Vec<String>,
    /// The execution count to record, when it differs from the catalogue's (or none is recorded).
    pub executions: Option<u64>,
    /// The state count to record (stateful engine), when it differs from the catalogue's.
    pub states: Option<u64>,
    /// The replay file to write (broken cases).
    pub file: Option<ReplayFile>,
}

impl Plan<'_> {
    /// A change that needs `--accept`: the case must hold and what it explores moved.
    pub fn needs_accept(&self) -> bool {
        self.case.expect == Expect::Holds && !self.changes.is_empty()
    }
}

/// Whether `pin` has anything to record for `case`: real threads explore no fixed set of
/// executions and keep no schedule.
pub fn pinnable(case: &Case) -> bool {
    case.replay.is_some() || !matches!(case.engine, Engine::Std { .. })
}

/// Runs `case` and compares the result with what is recorded. An outcome that does not match the
/// expectation is an error: nothing of it is pinned.
pub fn plan(case: &Case) -> Result<Plan<'_>, String> {
    if let Some(path) = &case.replay {
        may_overwrite(path, &case.id)?;
    }
    let verdict = case.model.run(&case.config, &case.engine, &case.budget).map_err(|e| e.to_string())?;
    if !case.expect.matches(&verdict.outcome) {
        return Err(format!("expected {}, got {}; nothing pinned", case.expect, verdict.outcome));
    }
    let mut changes = Vec::new();
    let executions = match case.executions {
        Some(old) if old == verdict.executions => None,
        Some(old) => {
            changes.push(format!("executions {old} -> {}", verdict.executions));
            Some(verdict.executions)
        }
        None => Some(verdict.executions),
    };
    let states = match (verdict.search.as_ref().map(|s| s.states), case.states) {
        (None, _) => None,
        (Some(new), Some(old)) if new == old => None,
        (Some(new), Some(old)) => {
            changes.push(format!("states {old} -> {new}"));
            Some(new)
        }
        (Some(new), None) => Some(new),
    };
    let file = match &case.replay {
        None => None,
        Some(path) => {
            let file = ReplayFile::from_verdict(Some(&case.id), &case.config, &case.engine, &verdict)
                .ok_or_else(|| "the failure left no schedule to pin".to_string())?;
            changes.extend(trace_changes(path, &verdict, &file));
            Some(file)
        }
    };
    Ok(Plan { case, changes, executions, states, file })
}

/// Pin replaces only what it owns: nothing at `path` yet, or a gcmc replay file of case `id` (of
/// any gcmc version: re-pinning after an upgrade is the point). A catalogue pointing `replay` at
/// someone's notes, or at another case's replay, must not cost them the file.
fn may_overwrite(path: &Path, id: &str) -> Result<(), String> {
    let shown = paths::shown(path);
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("cannot inspect {shown}: {e}")),
        Ok(_) => {}
    }
    let refuse =
        |what: String| Err(format!("{shown} {what}; pin overwrites only a gcmc replay of case {id}: move it away or change `replay`"));
    let text = match crate::files::read_bounded(path, crate::files::MAX_REPLAY_BYTES) {
        Ok(text) => text,
        Err(problem) => return refuse(format!("cannot be read as a replay file ({problem})")),
    };
    let Ok(old) = serde_json::from_str::<Value>(&text) else { return refuse("is not a gcmc replay file (not JSON)".into()) };
    if old.get("gcmc_version").and_then(Value::as_str).is_none() || old.get("format").and_then(Value::as_u64).is_none() {
        return refuse("is not a gcmc replay file (no gcmc_version or format)".into());
    }
    match old.get("case").and_then(Value::as_str) {
        Some(case) if case == id => Ok(()),
        Some(other) => refuse(format!("holds the replay of case {other}")),
        None => refuse("holds a replay of no catalogue case".into()),
    }
}

/// How the new failure differs from the one pinned at `path`: its violation, and the first trace
/// line that differs (old and new). Read as plain JSON, so a file from another version still shows.
fn trace_changes(path: &Path, verdict: &Verdict, file: &ReplayFile) -> Vec<String> {
    let shown = paths::shown(path);
    let Ok(text) = crate::files::read_bounded(path, crate::files::MAX_REPLAY_BYTES) else {
        return vec![format!("no pinned replay at {shown} yet")];
    };
    let Ok(old) = serde_json::from_str::<Value>(&text) else {
        return vec![format!("the pinned replay {shown} is not JSON")];
    };
    let mut changes = Vec::new();
    let old_violation = old.get("violation").map(|v| {
        let field = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("?").to_string();
        format!("{}: {}", field("kind"), field("detail"))
    });
    let new_violation = verdict.violation().map(ToString::to_string);
    if old_violation != new_violation {
        changes.push(format!(
            "violation changed: old `{}`, new `{}`",
            old_violation.unwrap_or_default(),
            new_violation.unwrap_or_default()
        ));
    }
    let old_trace: Vec<String> = old
        .get("trace")
        .and_then(Value::as_array)
        .map(|t| t.iter().map(|l| l.as_str().unwrap_or("?").to_string()).collect())
        .unwrap_or_default();
    if let Some(step) = (0..old_trace.len().max(file.trace.len())).find(|&i| old_trace.get(i) != file.trace.get(i)) {
        let line = |t: &[String]| t.get(step).cloned().unwrap_or_else(|| "(the trace ends)".into());
        changes.push(format!(
            "trace diverged at step {} of {} (was {}): old `{}`, new `{}`",
            step + 1,
            file.trace.len(),
            old_trace.len(),
            line(&old_trace),
            line(&file.trace)
        ));
    }
    changes
}

/// `gcmc pin`: plans every case, refuses (writing nothing) when a case that must hold changed and
/// `accept` is not given, else writes the replay files and the catalogue's counts. Returns the
/// exit code: 0 every case pinned, 1 a case could not be pinned or a change was refused.
pub fn run(
    catalogue: &Catalogue,
    cases: &[&Case],
    accept: bool,
    mut silenced: impl FnMut() -> Box<dyn std::any::Any>,
) -> Result<i32, GcmcError> {
    let mut plans = Vec::new();
    let mut failed = 0;
    for case in cases {
        let guard = silenced();
        let planned = plan(case);
        drop(guard);
        match planned {
            Ok(p) => {
                for change in &p.changes {
                    println!("{}: {change}", case.id);
                }
                plans.push(p);
            }
            Err(e) => {
                failed += 1;
                println!("{}: NOT pinned: {e}", case.id);
            }
        }
    }
    let unaccepted: Vec<&Plan> = plans.iter().filter(|p| p.needs_accept()).collect();
    if !unaccepted.is_empty() && !accept {
        let ids: Vec<&str> = unaccepted.iter().map(|p| p.case.id.as_str()).collect();
        eprintln!(
            "error: {} must hold and explored a different number of executions ({}); a changed count on a correct variant is a signal to investigate: find out why, then re-run with --accept to record it; nothing written",
            if ids.len() == 1 { format!("case {}", ids[0]) } else { format!("cases {}", ids.join(", ")) },
            unaccepted.iter().map(|p| format!("{}: {}", p.case.id, p.changes.join(", "))).collect::<Vec<_>>().join("; ")
        );
        return Ok(1);
    }
    record_counts(catalogue, &plans)?;
    for p in &plans {
        if !write_plan(p, catalogue, &mut silenced) {
            failed += 1;
        }
    }
    Ok(if failed == 0 { 0 } else { 1 })
}

/// Reports the counts `record_counts` wrote for `p`, and writes its replay file and checks that
/// it reproduces; false when it does not.
fn write_plan(p: &Plan<'_>, catalogue: &Catalogue, silenced: &mut impl FnMut() -> Box<dyn std::any::Any>) -> bool {
    if let Some(n) = p.executions {
        println!("{}: recorded executions = {n} in {}", p.case.id, paths::shown(&catalogue.path));
    }
    if let Some(n) = p.states {
        println!("{}: recorded states = {n} in {}", p.case.id, paths::shown(&catalogue.path));
    }
    if p.executions.is_none() && p.states.is_none() && p.file.is_none() {
        println!("{}: unchanged", p.case.id);
    }
    let (Some(file), Some(path)) = (&p.file, &p.case.replay) else { return true };
    let guard = silenced();
    let written = file.write(path).map_err(|e| e.to_string()).and_then(|()| verify_pinned(p.case, path).map_err(|e| e.to_string()));
    drop(guard);
    match &written {
        Ok(()) => println!("{}: pinned {}", p.case.id, paths::shown(path)),
        Err(e) => println!("{}: NOT pinned: {e}", p.case.id),
    }
    written.is_ok()
}

/// Writes the plans' new execution and state counts into the catalogue file, after checking that
/// the edited text is still a valid catalogue.
fn record_counts(catalogue: &Catalogue, plans: &[Plan<'_>]) -> Result<(), GcmcError> {
    let shown = paths::shown(&catalogue.path);
    let bad = |problem: String| GcmcError::catalogue(shown.clone(), problem);
    let mut text = crate::files::read_bounded(&catalogue.path, crate::files::MAX_CATALOGUE_BYTES).map_err(bad)?;
    let mut counts_changed = false;
    for p in plans {
        if let Some(n) = p.executions {
            text = set_executions(&text, &p.case.id, n).map_err(bad)?;
            counts_changed = true;
        }
        if let Some(n) = p.states {
            text = set_states(&text, &p.case.id, n).map_err(bad)?;
            counts_changed = true;
        }
    }
    if counts_changed {
        // The edited text must still be a valid catalogue before it replaces the old one.
        catalogue::load_str(&catalogue.path, &text)?;
        crate::files::write(&catalogue.path, text.as_bytes()).map_err(|e| GcmcError::io(format!("cannot write {shown}"), e))?;
    }
    Ok(())
}
