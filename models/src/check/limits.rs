//! Upper bounds on every size a configuration may ask for, checked when it is built (so a
//! catalogue case, `explore --set`, `--threads/--ops`, a shrinking candidate and a replay file
//! all meet the same bounds), and listed by `gcmc list --limits`.
//!
//! Why bounds at all: a size is set-up work and memory before the first execution, where no
//! time budget reaches (the budget is checked between executions). Without them
//! `allocs = 1000000000` ran for minutes before its first execution and `nodes = 100000000` took
//! 8.6 GB. The bounds are far above what any engine explores to the end (loom stops at 4
//! threads, the stateful engine at a few hundred thousand states) and well inside a 24 GiB
//! machine: they refuse mistakes, not experiments.

use super::ConfigError;

/// One bound: `field` may be at most `max`.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub field: &'static str,
    pub max: u64,
    pub why: &'static str,
}

/// Model threads: each is a task with its own stack in every execution, and PCT's priorities
/// and DFS's branching grow with their number.
pub const THREADS: u64 = 64;
/// Operations per thread (iterations, allocations, workbuf operations, a program's length).
pub const OPS: u64 = 1_000;
/// Operations of one execution, all threads together: shuttle's default step limit (100,000)
/// must leave room for several scheduling steps per operation.
pub const OPERATIONS: u64 = 10_000;
/// Objects a model allocates for every execution (nodes, spans, workbufs, list entries).
pub const OBJECTS: u64 = 4_096;

pub const WHY_THREADS: &str = "each thread is a task with its own stack in every execution; no engine explores more than a few to the end";
pub const WHY_OPS: &str = "operations per thread: beyond this an execution outgrows shuttle's step limit";
pub const WHY_OPERATIONS: &str =
    "all threads' operations in one execution: shuttle's step limit (100,000) needs room for several steps each";
pub const WHY_OBJECTS: &str = "objects every execution sets up before it runs, where no time budget reaches";

/// The bounds every model shares: an explicit program's length, and all threads' operations.
pub const SHARED: &[Limit] =
    &[Limit { field: "program length", max: OPS, why: WHY_OPS }, Limit { field: "threads x ops", max: OPERATIONS, why: WHY_OPERATIONS }];

/// The work of one execution within bounds: each explicit program's length, or `ops` (the
/// model's per-thread count, named `ops_field`) when there are none, and all threads' operations
/// together, `rounds` times over (workbufs runs its programs once per GC cycle).
pub fn work<T>(
    model: &str,
    limits: &[Limit],
    programs: Option<&[Vec<T>]>,
    threads: usize,
    (ops_field, ops): (&str, usize),
    rounds: usize,
) -> Result<(), ConfigError> {
    let total = match programs {
        Some(programs) => {
            at_most(model, limits, "program length", programs.iter().map(Vec::len).max().unwrap_or(0) as u64)?;
            programs.iter().map(Vec::len).sum::<usize>()
        }
        None => {
            at_most(model, limits, ops_field, ops as u64)?;
            threads.saturating_mul(ops)
        }
    };
    at_most(model, limits, "threads x ops", total.saturating_mul(rounds) as u64)
}

/// Refuses `value` for `field` of `model` if it is over the bound `limits` gives it. Panics if
/// `field` has no bound in `limits`: a model that checks a field must list it.
pub fn at_most(model: &str, limits: &[Limit], field: &str, value: u64) -> Result<(), ConfigError> {
    let limit = limits
        .iter()
        .chain(SHARED)
        .find(|l| l.field == field)
        .unwrap_or_else(|| panic!("{model}: `{field}` is checked but not listed in its limits"));
    if value > limit.max {
        return Err(ConfigError(format!(
            "{model}: {field} = {value} is over the limit of {}: {} (`gcmc list --limits` lists them all)",
            limit.max, limit.why
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bound_itself_is_allowed_and_one_more_is_refused_in_one_line() {
        let limits = [Limit { field: "nodes", max: 10, why: "why" }];
        assert!(at_most("m", &limits, "nodes", 10).is_ok());
        let refused = at_most("m", &limits, "nodes", 11).unwrap_err().0;
        assert_eq!(refused, "m: nodes = 11 is over the limit of 10: why (`gcmc list --limits` lists them all)");
        assert!(at_most("m", &limits, "threads x ops", OPERATIONS + 1).is_err());
    }
}
