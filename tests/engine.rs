//! The engines on a toy scenario whose bug is known: a lost update (load, then store) between two
//! threads. Checks verdicts, budgets, and that captured schedules replay the same failure.

use gcmc::engine::{self, Budget, Engine, Outcome, Schedule};
use gcmc_models::check::{Ctx, Recorder, Scenario, ViolationKind};
use gcmc_models::platform::{AtomicU64, JoinHandle, Ordering, Platform};
use std::sync::Arc;

struct Counter {
    threads: usize,
    atomic_increment: bool,
}

impl Scenario for Counter {
    fn threads(&self) -> usize {
        self.threads
    }

    fn execute<P: Platform>(&self, rec: &Arc<Recorder>) {
        let count = Arc::new(P::AtomicU64::new(0));
        let atomic = self.atomic_increment;
        let handles: Vec<_> = (0..self.threads as u32)
            .map(|t| {
                let count = Arc::clone(&count);
                let cx = Ctx::thread(rec, t);
                P::spawn(move || {
                    if atomic {
                        let was = count.fetch_add(1, Ordering::SeqCst);
                        cx.step("increment", format_args!("fetch_add: {was} -> {}", was + 1));
                    } else {
                        let was = count.load(Ordering::SeqCst);
                        cx.step("increment", format_args!("load {was}"));
                        count.store(was + 1, Ordering::SeqCst);
                        cx.step("increment", format_args!("store {}", was + 1));
                    }
                })
            })
            .collect();
        handles.into_iter().for_each(|h| h.join());
        let total = count.load(Ordering::SeqCst);
        if total != self.threads as u64 {
            Ctx::main(rec).fail(ViolationKind::LostNode, format!("{} increments, count is {total}", self.threads));
        }
    }
}

/// Fails in exactly one order of three increments (T2, then T1, then T0): far from the first
/// execution any engine explores, so a replay that ignored its schedule would not reproduce it.
struct OneBadOrder;

impl Scenario for OneBadOrder {
    fn threads(&self) -> usize {
        3
    }

    fn execute<P: Platform>(&self, rec: &Arc<Recorder>) {
        let count = Arc::new(P::AtomicU64::new(0));
        let handles: Vec<_> = (0..3u32)
            .map(|t| {
                let count = Arc::clone(&count);
                let cx = Ctx::thread(rec, t);
                P::spawn(move || {
                    let slot = count.fetch_add(1, Ordering::SeqCst);
                    cx.step("increment", format_args!("took slot {slot}"));
                    slot
                })
            })
            .collect();
        let slots: Vec<u64> = handles.into_iter().map(|h| h.join()).collect();
        if slots == [2, 1, 0] {
            Ctx::main(rec).fail(ViolationKind::NotLinearizable, "the increments ran in reverse order");
        }
    }
}

fn lost_update() -> Arc<Counter> {
    Arc::new(Counter { threads: 2, atomic_increment: false })
}

#[test]
fn loom_proves_the_atomic_counter_exhaustively() {
    let v =
        engine::run(Arc::new(Counter { threads: 3, atomic_increment: true }), &Engine::Loom { preemption_bound: None }, &Budget::default())
            .unwrap();
    assert_eq!(v.outcome, Outcome::Holds);
    assert!(v.exhaustive);
    assert!(v.executions > 1, "explored {}", v.executions);
}

#[test]
fn loom_catches_the_lost_update_and_its_checkpoint_replays_it() {
    let engine = Engine::Loom { preemption_bound: None };
    let v = engine::run(lost_update(), &engine, &Budget::default()).unwrap();
    assert_eq!(v.violation().map(|v| v.kind), Some(ViolationKind::LostNode), "{:?}", v.outcome);
    assert!(matches!(v.schedule, Some(Schedule::Loom { .. })));
    assert!(!v.trace.is_empty());
    let replayed = engine::replay(lost_update(), &engine, v.schedule.as_ref().unwrap()).unwrap();
    assert_eq!(replayed.outcome, v.outcome);
    assert_eq!(replayed.trace, v.trace);
    assert_eq!(replayed.executions, 1);
}

#[test]
fn replay_follows_the_schedule_to_a_late_failure() {
    for engine in [
        Engine::Loom { preemption_bound: None },
        Engine::Pct { iterations: 10_000, depth: 3, seed: 11 },
        Engine::Random { iterations: 10_000, seed: 11 },
        Engine::Dfs { max_iterations: None },
    ] {
        let v = engine::run(Arc::new(OneBadOrder), &engine, &Budget::default()).unwrap();
        assert_eq!(v.violation().map(|v| v.kind), Some(ViolationKind::NotLinearizable), "{engine}: {:?}", v.outcome);
        assert!(v.executions > 1, "{engine} failed at once: the test would not show replay follows a schedule");
        let replayed = engine::replay(Arc::new(OneBadOrder), &engine, v.schedule.as_ref().unwrap()).unwrap();
        assert_eq!(replayed.outcome, v.outcome, "{engine}");
        assert_eq!(replayed.trace, v.trace, "{engine}");
        assert_eq!(replayed.executions, 1, "{engine}");
        let slots: Vec<_> = replayed.trace.iter().map(|l| l.to_string()).collect();
        assert_eq!(slots, ["T2   increment: took slot 0", "T1   increment: took slot 1", "T0   increment: took slot 2"]);
    }
}

#[test]
fn shuttle_engines_catch_the_lost_update_and_their_schedules_replay_it() {
    for engine in [
        Engine::Pct { iterations: 1000, depth: 2, seed: 7 },
        Engine::Random { iterations: 1000, seed: 7 },
        Engine::Dfs { max_iterations: None },
    ] {
        let v = engine::run(lost_update(), &engine, &Budget::default()).unwrap();
        assert_eq!(v.violation().map(|v| v.kind), Some(ViolationKind::LostNode), "{engine}: {:?}", v.outcome);
        let schedule = v.schedule.clone().expect("a shuttle failure has a schedule");
        let replayed = engine::replay(lost_update(), &engine, &schedule).unwrap();
        assert_eq!(replayed.outcome, v.outcome, "{engine}");
        assert_eq!(replayed.trace, v.trace, "{engine}");
    }
}

#[test]
fn dfs_is_exhaustive_only_when_it_finishes_under_its_cap() {
    let ok = Arc::new(Counter { threads: 2, atomic_increment: true });
    let full = engine::run(Arc::clone(&ok), &Engine::Dfs { max_iterations: None }, &Budget::default()).unwrap();
    assert!(full.holds() && full.exhaustive);
    let capped = engine::run(ok, &Engine::Dfs { max_iterations: Some(1) }, &Budget::default()).unwrap();
    assert!(capped.holds() && !capped.exhaustive);
}

#[test]
fn execution_budget_ends_in_budget_exhausted_not_holds() {
    let budget = Budget { max_executions: Some(3), ..Budget::default() };
    let v =
        engine::run(Arc::new(Counter { threads: 3, atomic_increment: true }), &Engine::Loom { preemption_bound: None }, &budget).unwrap();
    assert!(matches!(v.outcome, Outcome::BudgetExhausted { .. }), "{:?}", v.outcome);
    assert_eq!(v.executions, 3);
}

#[test]
fn loom_refuses_more_threads_than_it_supports() {
    let err =
        engine::run(Arc::new(Counter { threads: 5, atomic_increment: true }), &Engine::Loom { preemption_bound: None }, &Budget::default())
            .unwrap_err();
    assert!(err.0.contains("at most 4 spawned threads"), "{err}");
}

#[test]
fn std_stress_runs_real_threads() {
    let v =
        engine::run(Arc::new(Counter { threads: 4, atomic_increment: true }), &Engine::Std { iterations: 50 }, &Budget::default()).unwrap();
    assert!(v.holds());
    assert_eq!(v.executions, 50);
    assert!(v.schedule.is_none());
}
