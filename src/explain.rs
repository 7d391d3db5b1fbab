//! Rendering a failing execution: its trace, one line per model step, and the violation explained.
//!
//! The text depends only on the execution (never on timing), so the same schedule always renders
//! byte-for-byte the same.

use crate::engine::{Engine, Outcome, Verdict};
use crate::registry::ModelConfig;
use crate::view;
use gcmc_models::check::Violation;
use std::fmt::Write;

/// How the trace is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TraceView {
    /// One numbered line per step, its thread first.
    #[default]
    Lines,
    /// One column per thread, the whole table `width` characters wide ([`view::columns`]).
    Columns { width: usize },
}

/// The full report of a failing (or held) run: heading, trace, violation.
pub fn render(config: &ModelConfig, engine: &Engine, verdict: &Verdict) -> String {
    render_as(config, engine, verdict, TraceView::Lines)
}

/// [`render`], the trace shown as `trace_view` says.
pub fn render_as(config: &ModelConfig, engine: &Engine, verdict: &Verdict, trace_view: TraceView) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} under {engine}: {}", config.describe(), verdict.outcome.label());
    if !verdict.trace.is_empty() {
        let _ = writeln!(out, "trace of the failing execution ({} steps):", verdict.trace.len());
        match trace_view {
            TraceView::Lines => out.push_str(&render_trace(&verdict.trace.iter().map(ToString::to_string).collect::<Vec<_>>())),
            TraceView::Columns { width } => out.push_str(&view::columns::render(&verdict.trace, verdict.violation(), width)),
        }
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
