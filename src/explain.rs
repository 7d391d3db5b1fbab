//! Rendering a failing execution: its trace, one line per model step, and the violation explained.
//!
//! The text depends only on the execution (never on timing), so the same schedule always renders
//! byte-for-byte the same.

use crate::engine::{Engine, Outcome, Verdict};
use crate::registry::ModelConfig;
use gcmc_models::check::Violation;
use std::fmt::Write;

/// The full report of a failing (or held) run: heading, trace, violation.
pub fn render(config: &ModelConfig, engine: &Engine, verdict: &Verdict) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} under {engine}: {}", config.describe(), verdict.outcome.label());
    if !verdict.trace.is_empty() {
        let _ = writeln!(out, "trace of the failing execution ({} steps):", verdict.trace.len());
        out.push_str(&render_trace(&verdict.trace.iter().map(ToString::to_string).collect::<Vec<_>>()));
    }
    match &verdict.outcome {
        Outcome::Violation(v) => out.push_str(&render_violation(v)),
        Outcome::BudgetExhausted { reason } => {
            let _ = writeln!(out, "budget exhausted: {reason} (nothing was proven beyond what ran)");
        }
        Outcome::Holds => {}
    }
    out
}

/// Numbered trace lines.
pub fn render_trace(lines: &[String]) -> String {
    let width = lines.len().to_string().len();
    lines.iter().enumerate().fold(String::new(), |mut out, (i, line)| {
        let _ = writeln!(out, "  {:>width$}  {line}", i + 1);
        out
    })
}

/// The violation, and what its kind means.
pub fn render_violation(v: &Violation) -> String {
    format!("violation: {}: {}\n  ({})\n", v.kind, v.detail, v.kind.meaning())
}
