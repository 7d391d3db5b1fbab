//! Rendering a failing execution: its trace, one line per model step, and the violation explained.
//!
//! The text depends only on the execution (never on timing), so the same schedule always renders
//! byte-for-byte the same.

use crate::engine::{Engine, Outcome, Verdict};
use crate::registry::ModelConfig;
use gcmc_models::check::{Violation, ViolationKind};
use std::fmt::Write;

/// What a violation kind means, in one sentence a runtime engineer would use.
pub fn meaning(kind: ViolationKind) -> &'static str {
    match kind {
        ViolationKind::Aba => "ABA: a CAS on the head succeeded against a word whose node had been popped (and maybe pushed back) in between, so the stack handed out a node another thread holds",
        ViolationKind::LostNode => "a node is on no stack and in no thread's hands: a CAS installed a stale next and cut it off",
        ViolationKind::DuplicatedNode => "a node is reachable twice (two stacks, twice on one, a cycle, or a stack and a thread's hands)",
        ViolationKind::NotLinearizable => "no sequential order of the same operations gives these results",
        ViolationKind::DoubleAllocation => "two live allocations overlap: the same bits were handed to two owners",
        ViolationKind::OutOfBounds => "an allocation extends past the end of its arena",
        ViolationKind::Misaligned => "an allocation is not 8-byte aligned",
        ViolationKind::UndersizedBits => "an allocation holds fewer bits than the span it was requested for has objects",
        ViolationKind::NonzeroBits => "bits handed out were not zero",
        ViolationKind::LostArena => "an arena that came from the OS is on none of the free/next/current/previous lists",
        ViolationKind::CorruptList => "an arena is on two lists, twice on one, or a list has a cycle",
        ViolationKind::LostWorkbuf => "a workbuf is in no place: not on work.empty or work.full, in no P's cache, in no thread's hands",
        ViolationKind::DuplicatedWorkbuf => "a workbuf is in two places at once: two owners, or a list and a cache",
        ViolationKind::LostSpan => "a span that came from the heap is in none of busy, free, or returned, or a sweeper that finished in _GCoff left it unreturned",
        ViolationKind::DuplicatedSpan => "a span is on two lists at once",
        ViolationKind::UseAfterFree => "memory was touched after it went back to the modelled OS or heap",
        ViolationKind::FreedDuringMark => "a workbuf span went from manual to free while the GC was marking (the #11267 rule)",
        ViolationKind::Throw => "the runtime reached one of Go's throws; the message is Go's",
        ViolationKind::DataRace => "loom saw two conflicting accesses with no happens-before between them",
        ViolationKind::Deadlock => "every live thread is blocked",
        ViolationKind::Panic => "a panic the model did not classify: a bug in the model or the harness, not a finding",
    }
}

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
    format!("violation: {}: {}\n  ({})\n", v.kind, v.detail, meaning(v.kind))
}
