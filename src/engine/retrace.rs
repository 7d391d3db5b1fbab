//! Tracing only the failing execution.
//!
//! Recording every step of every execution is most of what the harness adds to a bare engine: a
//! PCT run of gcbits v1 3x2 took 1.18x as long through gcmc as a bare `shuttle::check_pct` call,
//! all of it building trace lines that a holding execution throws away. So the engines explore
//! with tracing off and, once an execution fails, run that one execution again from its schedule
//! with tracing on. Instrumentation adds no scheduling points (docs/architecture.md), so the
//! re-run is the same execution; if it does not fail the same way, the model is not a function of
//! its schedule, and the verdict says so rather than show the trace of some other execution.

use super::{Outcome, Schedule, Verdict};
use gcmc_models::check::{Violation, ViolationKind};

/// How closely the re-run must match the exploration's failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Match {
    /// The same kind and detail: the re-run is on the same backend.
    Exact,
    /// The same kind: the exploration ran on another backend (the stateful engine's tracking
    /// one), whose object numbering may differ in the detail.
    Kind,
}

/// `verdict` with the failing execution's trace, taken from `replay` of its schedule. A verdict
/// that holds, ran out of budget or has no schedule is returned as it is.
pub(crate) fn traced(mut verdict: Verdict, matching: Match, replay: impl FnOnce(&Schedule) -> Verdict) -> Verdict {
    let (Outcome::Violation(found), Some(schedule)) = (&verdict.outcome, &verdict.schedule) else {
        return verdict;
    };
    let again = replay(schedule);
    let same = match (again.violation(), matching) {
        (Some(v), Match::Exact) => v == found,
        (Some(v), Match::Kind) => v.kind == found.kind,
        (None, _) => false,
    };
    if same {
        verdict.trace = again.trace;
    } else {
        let why = match matching {
            Match::Exact => "the execution is not a function of its schedule (tracing changed it, or the model reads something the engine does not control)",
            Match::Kind => "the tracking backend changed the execution",
        };
        verdict.outcome = Outcome::Violation(Violation {
            kind: ViolationKind::Panic,
            detail: format!("the exploration found {found}, but its failing schedule replays as {}: {why}", again.outcome),
        });
        verdict.trace = again.trace;
    }
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::TraceLine;
    use std::collections::BTreeMap;

    fn failing(detail: &str, trace: &[&str]) -> Verdict {
        Verdict {
            outcome: Outcome::Violation(Violation { kind: ViolationKind::DoubleAllocation, detail: detail.into() }),
            executions: 7,
            exhaustive: false,
            seconds: 0.0,
            trace: trace.iter().map(|what| TraceLine { thread: Some(0), func: "f".into(), what: what.to_string() }).collect(),
            schedule: Some(Schedule::Shuttle { encoded: "x".into() }),
            figures: BTreeMap::new(),
            search: None,
        }
    }

    #[test]
    fn the_trace_comes_from_the_rerun_when_it_fails_the_same_way() {
        let v = traced(failing("a1 twice", &[]), Match::Exact, |_| failing("a1 twice", &["step"]));
        assert_eq!((v.executions, v.trace.len(), v.violation().unwrap().kind), (7, 1, ViolationKind::DoubleAllocation));
    }

    #[test]
    fn a_rerun_that_fails_otherwise_or_holds_is_reported_as_nondeterminism() {
        for rerun in [failing("a2 twice", &["step"]), Verdict { outcome: Outcome::Holds, ..failing("", &[]) }] {
            let v = traced(failing("a1 twice", &[]), Match::Exact, |_| rerun.clone());
            let violation = v.violation().unwrap();
            assert_eq!(violation.kind, ViolationKind::Panic);
            assert!(violation.detail.contains("not a function of its schedule"), "{}", violation.detail);
        }
        // Under Match::Kind the detail may differ, the kind may not.
        let v = traced(failing("a1 twice", &[]), Match::Kind, |_| failing("a7 twice", &["step"]));
        assert_eq!(v.violation().unwrap().kind, ViolationKind::DoubleAllocation);
        let held = Verdict { outcome: Outcome::Holds, ..failing("", &[]) };
        let v = traced(failing("a1 twice", &[]), Match::Kind, |_| held);
        assert!(v.violation().unwrap().detail.contains("tracking backend changed"), "{:?}", v.outcome);
    }

    #[test]
    fn verdicts_without_a_failure_or_a_schedule_are_left_alone() {
        let no_schedule = Verdict { schedule: None, ..failing("a1 twice", &["kept"]) };
        let v = traced(no_schedule, Match::Exact, |_| unreachable!("nothing to replay"));
        assert_eq!(v.trace.len(), 1);
        let holds = Verdict { outcome: Outcome::Holds, ..failing("", &[]) };
        assert!(traced(holds, Match::Exact, |_| unreachable!("nothing to replay")).holds());
    }
}
