//! Section 5, determinism: the same case run twice under each engine gives the same outcome,
//! executions, states and trace (compared by a hash of its lines), which is what a replay file and
//! a pinned execution count rely on. Real threads are left out: they are not meant to repeat.

use super::first_bug::{case_of, pct_depth};
use super::table::Table;
use super::{count, Grid, Section};
use crate::catalogue::{Case, Catalogue};
use crate::engine::{Budget, Engine, Verdict};
use crate::error::GcmcError;
use crate::registry;

/// One bug per model, each at its catalogue case's configuration (see `first_bug::case_of`).
const BUGS: [(&str, &str); 3] = [("lfstack", "no-counter"), ("gcbits", "stale-next-link"), ("workbufs", "r12-phase-outside-lock")];

/// Every deterministic engine; PCT at the depth of the case (if it is a PCT case).
fn engines(case: &Case) -> [Engine; 5] {
    let depth = pct_depth(case);
    [
        Engine::Loom { preemption_bound: None },
        Engine::Pct { iterations: 20_000, depth, seed: 1 },
        Engine::Random { iterations: 20_000, seed: 1 },
        Engine::Dfs { max_iterations: Some(20_000) },
        Engine::stateful(),
    ]
}

/// FNV-1a over the trace's lines: a fixed function, the same in every run and build.
fn trace_hash(verdict: &Verdict) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for line in &verdict.trace {
        for byte in line.to_string().bytes().chain(std::iter::once(b'\n')) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// What must repeat: outcome, executions, states, trace.
fn signature(v: &Verdict) -> (String, u64, u64, u64) {
    (v.outcome.label(), v.executions, v.search.as_ref().map_or(0, |s| s.states), trace_hash(v))
}

pub(crate) fn section(grid: &Grid, catalogue: &Catalogue, say: &mut dyn FnMut(&str)) -> Result<Section, GcmcError> {
    let mut table = Table::new(&["case", "engine", "outcome", "executions", "states", "trace hash", "second run identical"]);
    let mut all_same = true;
    // --quick: R1's exhaustive loom run, twice, is most of the section's time.
    let bugs = if grid.quick { &BUGS[1..] } else { &BUGS[..] };
    for &(model, variant) in bugs {
        let m = registry::model(model)?;
        let case = case_of(catalogue, model, variant)
            .ok_or_else(|| GcmcError::config(m.name(), format!("the catalogue has no violation case of {variant} to run twice")))?;
        for engine in engines(case) {
            if m.admit(&case.config, &engine).is_err() {
                continue;
            }
            say(&format!("determinism: {} under {engine}, twice", case.config.describe()));
            let budget = Budget { max_seconds: None, max_executions: Some(1_000_000), max_states: Some(1_000_000), ..Budget::default() };
            let first = signature(&m.run(&case.config, &engine, &budget)?);
            let second = signature(&m.run(&case.config, &engine, &budget)?);
            all_same &= first == second;
            table.row(vec![
                case.config.describe(),
                engine.to_string(),
                first.0.clone(),
                count(first.1),
                if matches!(engine, Engine::Stateful { .. }) { count(first.2) } else { "–".into() },
                format!("{:016x}", first.3),
                if first == second { "yes".into() } else { format!("**no**: {second:?}") },
            ]);
        }
    }
    let markdown = format!(
        "{}\n\nOne violation case per model ({}R6, R12 at their catalogue configurations), run twice under each engine with \
         its fixed seed. The trace hash is FNV-1a over the trace's lines as `replay` prints them. {}\n\n{}",
        super::HEADINGS[4],
        if grid.quick { "" } else { "R1, " },
        if all_same { "Every second run was identical." } else { "**A second run differed: a determinism bug.**" },
        table.markdown()
    );
    Ok(Section { markdown, figures: Vec::new() })
}
