//! Row power: a catalogue row that must hold is worth the bugs it would catch.
//!
//! A `holds` row proves the correct code safe only within its configuration and engine: a row
//! without the sweeper cannot see a sweeper bug, one without an epoch rotation cannot see a rotation
//! bug, and a PCT row at depth 1 sees less than loom. So `gcmc power` runs every known bug of the
//! model (each broken variant with a `violation` row in the catalogue) in place of the correct
//! variant, in each holds row's configuration and under its engine and budget, and reports which
//! rows catch which bugs.
//!
//! Which engines can see a bug is the catalogue's own word: the engines of the bug's `violation`
//! rows (a weak-memory bug has only a loom row, so the PCT rows are not asked to catch it). A gap
//! is a bug that a checker can see but none of the selected holds rows under that checker catches,
//! or that fewer than two holds rows of the model catch: a bug of that class written into the
//! correct code would pass the gate.
//!
//! The std engine is reported but never a gap: it is a stress run on real threads that finds a bug
//! by luck, not a checker, and it refuses most broken variants at more than one thread (a data race
//! on real threads is undefined behaviour), so its rows mostly cannot be asked. A row that cannot
//! run a variant at all (`!` in the matrix) counts as not asked.

use crate::catalogue::{Case, Catalogue, Expect};
use crate::engine::Outcome;
use gcmc_models::check::ViolationKind;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;

/// The fewest holds rows of a model that must catch each of its bugs.
pub const MIN_ROWS_PER_BUG: usize = 2;

/// A known bug: a broken variant, and the engines whose catalogue rows catch it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bug {
    pub model: &'static str,
    pub variant: &'static str,
    /// Engine names (`loom`, `pct`, ...) of the variant's `violation` rows.
    pub engines: BTreeSet<&'static str>,
}

/// One broken variant run in one holds row's place.
#[derive(Clone, Debug, Serialize)]
pub struct Probe {
    pub variant: &'static str,
    /// `violation:<kind>`, `holds`, `budget-exhausted`, or `error: ...` if the row's configuration
    /// does not admit the variant.
    pub outcome: String,
    pub caught: bool,
    pub executions: u64,
    pub seconds: f64,
}

impl Probe {
    /// Whether the row's configuration or engine refused the variant (it was not run).
    pub fn refused(&self) -> bool {
        self.outcome.starts_with("error")
    }
}

/// A holds row and what its probes caught.
#[derive(Clone, Debug, Serialize)]
pub struct RowPower {
    pub id: String,
    pub model: &'static str,
    pub engine: &'static str,
    pub probes: Vec<Probe>,
}

/// Every known bug in the catalogue, in model and variant order: the variants that are not correct
/// and have at least one `violation` row.
pub fn bugs(catalogue: &Catalogue) -> Vec<Bug> {
    let mut bugs: Vec<Bug> = Vec::new();
    for model in crate::registry::MODELS {
        let correct = model.correct_variants();
        for variant in model.variants().into_iter().filter(|v| !correct.contains(v)) {
            let engines: BTreeSet<&'static str> = catalogue
                .cases
                .iter()
                .filter(|c| c.config.model == model.name() && c.config.variant == variant)
                .filter(|c| matches!(c.expect, Expect::Violation(_)))
                .map(|c| c.engine.name())
                .collect();
            if !engines.is_empty() {
                bugs.push(Bug { model: model.name(), variant, engines });
            }
        }
    }
    bugs
}

/// The holds rows of correct variants among `cases`: the rows whose power is measured.
pub fn bases<'a>(cases: &[&'a Case]) -> Vec<&'a Case> {
    cases.iter().copied().filter(|c| c.expect == Expect::Holds && c.model.correct_variants().contains(&c.config.variant)).collect()
}

/// Runs each bug of `case`'s model that `case`'s engine can see in `case`'s place.
pub fn measure(case: &Case, bugs: &[Bug], progress: &mut dyn FnMut(&Case, &Bug)) -> RowPower {
    let probes = bugs
        .iter()
        .filter(|b| b.model == case.config.model && b.engines.contains(case.engine.name()))
        .map(|bug| {
            progress(case, bug);
            probe(case, bug.variant)
        })
        .collect();
    RowPower { id: case.id.clone(), model: case.config.model, engine: case.engine.name(), probes }
}

fn probe(case: &Case, variant: &'static str) -> Probe {
    let mut value = case.config.value.clone();
    if let Value::Object(fields) = &mut value {
        fields.insert("variant".into(), Value::String(variant.into()));
    }
    let verdict = case
        .model
        .decode(&value)
        .and_then(|config| case.model.admit(&config, &case.engine).map(|()| config))
        .and_then(|config| case.model.run(&config, &case.engine, &case.budget));
    match verdict {
        Ok(v) => Probe {
            variant,
            caught: matches!(&v.outcome, Outcome::Violation(violation) if violation.kind != ViolationKind::Panic),
            outcome: v.outcome.label(),
            executions: v.executions,
            seconds: v.seconds,
        },
        Err(e) => Probe { variant, outcome: format!("error: {e}"), caught: false, executions: 0, seconds: 0.0 },
    }
}

/// The gaps in `powers`: each a bug, and what fails to catch it.
pub fn gaps(powers: &[RowPower], bugs: &[Bug]) -> Vec<String> {
    let mut gaps = Vec::new();
    for bug in bugs {
        let rows: Vec<&RowPower> = powers.iter().filter(|p| p.model == bug.model).collect();
        if rows.is_empty() {
            continue;
        }
        let catches = |p: &RowPower| p.probes.iter().any(|probe| probe.variant == bug.variant && probe.caught);
        let asks = |p: &RowPower| p.probes.iter().any(|probe| probe.variant == bug.variant && !probe.refused());
        for engine in bug.engines.iter().filter(|e| **e != "std") {
            let under: Vec<&&RowPower> = rows.iter().filter(|p| p.engine == *engine && asks(p)).collect();
            if !under.is_empty() && !under.iter().any(|p| catches(p)) {
                gaps.push(format!(
                    "{} {}: none of the {} {engine} holds rows catches it, though the catalogue's {engine} row does",
                    bug.model,
                    bug.variant,
                    under.len()
                ));
            }
        }
        let caught_by = rows.iter().filter(|p| catches(p)).count();
        let asked = rows.iter().filter(|p| asks(p)).count();
        if caught_by < MIN_ROWS_PER_BUG && asked >= MIN_ROWS_PER_BUG {
            gaps.push(format!(
                "{} {}: caught by {caught_by} of the {asked} holds rows asked, fewer than {MIN_ROWS_PER_BUG}",
                bug.model, bug.variant
            ));
        }
    }
    gaps
}

/// Per model: a matrix of holds rows against bugs (`x` caught, `.` not, `!` the row cannot run
/// the variant, blank not asked: the row's engine cannot see it), a legend, and per bug the rows
/// that catch it by engine.
pub fn report(powers: &[RowPower], bugs: &[Bug]) -> String {
    let mut out = String::new();
    let models: Vec<&str> = crate::registry::names().into_iter().filter(|m| powers.iter().any(|p| p.model == *m)).collect();
    for model in models {
        let rows: Vec<&RowPower> = powers.iter().filter(|p| p.model == model).collect();
        let columns: Vec<&Bug> = bugs.iter().filter(|b| b.model == model).collect();
        out.push_str(&format!("{model}: {} holds rows x {} bugs\n", rows.len(), columns.len()));
        let width = rows.iter().map(|r| r.id.len()).max().unwrap_or(0);
        let header: String = (1..=columns.len()).map(|i| format!("{:>3}", i)).collect();
        out.push_str(&format!("  {}  {header}\n", crate::text::pad_right("row", width)));
        for row in &rows {
            let cells: String = columns
                .iter()
                .map(|bug| match row.probes.iter().find(|p| p.variant == bug.variant) {
                    None => "   ",
                    Some(p) if p.caught => "  x",
                    Some(p) if p.refused() => "  !",
                    Some(_) => "  .",
                })
                .collect();
            out.push_str(&format!("  {}  {cells}\n", crate::text::pad_right(&row.id, width)));
        }
        for (i, bug) in columns.iter().enumerate() {
            let by_engine: Vec<String> = bug
                .engines
                .iter()
                .filter_map(|engine| {
                    let under: Vec<&&RowPower> = rows
                        .iter()
                        .filter(|r| r.engine == *engine && r.probes.iter().any(|p| p.variant == bug.variant && !p.refused()))
                        .collect();
                    let caught = under.iter().filter(|r| r.probes.iter().any(|p| p.variant == bug.variant && p.caught)).count();
                    (!under.is_empty()).then(|| format!("{engine} {caught}/{}", under.len()))
                })
                .collect();
            out.push_str(&format!("  {:>3} {:<24} caught by {}\n", i + 1, bug.variant, by_engine.join(", ")));
        }
        out.push('\n');
    }
    out
}
