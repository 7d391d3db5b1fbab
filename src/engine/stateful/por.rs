//! Partial-order reduction of states: dynamic partial-order reduction (Flanagan and Godefroid,
//! "Dynamic Partial-Order Reduction for Model Checking Software", POPL 2005) made stateful with
//! summaries of what was explored below each stored state (after Yang, Chen, Gopalakrishnan and
//! Kirby, "Efficient Stateful Dynamic Partial Order Reduction", SPIN 2008).
//!
//! A new state is explored from one awake task only. Each transition, once its footprint is
//! known, is compared with the transitions of the current path: each one by another task that it
//! depends on and that does not happen before it (vector clocks over the dependence relation) is
//! a race, and the state before it gets the racing task to explore too (or, if that task could
//! not run there, every task that could). The transitions explored from each state form a
//! persistent set (Godefroid 1996), so every reachable end state is reached, and every violation
//! the models check: an in-flight check reads what it checks (audit data included), so its step
//! depends on every step that changes it, and every order of dependent steps that can occur is
//! explored; a quiescence audit runs at an end state.
//!
//! Every race, not only the latest as in the stateless algorithm: there, the exploration from
//! the latest race point re-detects the earlier races in executions that state caching cuts
//! short, and the latest-only analysis loses end states here (gcbits `v1` with 3 threads: 22 of
//! 24; `tests/stateful.rs` keeps it as a safety net). With every race backtracked, what is
//! explored below a state depends on that state alone, not on the path that reached it, which is
//! what lets a revisit stop there.
//!
//! An execution stopped at a stored state does not run the transitions below it, so their races
//! with the current path would go unseen: each state stores a summary of every transition
//! explored below it (per task, the objects read and written, hashed into 128 bits, so a collision
//! only adds a dependence), and a revisit checks each against every transition of the path that it
//! may race with (no happens-before is known for them, so every dependent one counts). A state
//! still on the path (a cycle, possible with local states) has no summary yet: the path from it to
//! here is then fully expanded (the cycle proviso), and the states on that cycle are given their
//! summaries only once the state the cycle returns to is finished.

use gcmc_models::platform::stateful::tracker::{independent, Footprint, Target};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

/// What transitions touched, as object masks: a conservative view (two objects may share a bit).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Touch {
    reads: u128,
    writes: u128,
}

impl Touch {
    const EVERYTHING: Touch = Touch { reads: u128::MAX, writes: u128::MAX };

    /// The footprint's objects (`None`, a footprint never seen, touches everything).
    pub(crate) fn of(footprint: Option<&Footprint>) -> Touch {
        let Some(footprint) = footprint else { return Touch::EVERYTHING };
        footprint.iter().fold(Touch::default(), |t, access| match access.target {
            Target::Everything => Touch::EVERYTHING,
            target => {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                target.hash(&mut h);
                let bit = 1u128 << (h.finish() % 128);
                if access.write {
                    Touch { reads: t.reads, writes: t.writes | bit }
                } else {
                    Touch { reads: t.reads | bit, writes: t.writes }
                }
            }
        })
    }

    fn union(self, other: Touch) -> Touch {
        Touch { reads: self.reads | other.reads, writes: self.writes | other.writes }
    }

    /// Whether the two surely commute: neither is everything (an unknown footprint, or one that
    /// touches everything, depends on every other, even one that touches nothing) and no bit is
    /// touched by both with a write by either.
    fn disjoint(self, other: Touch) -> bool {
        self != Touch::EVERYTHING && other != Touch::EVERYTHING && !self.conflicts(other)
    }

    /// Whether some object is touched by both with a write by either.
    fn conflicts(self, other: Touch) -> bool {
        self.writes & (other.reads | other.writes) != 0 || other.writes & self.reads != 0
    }
}

/// What was explored below a state: per task, everything its transitions touched.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Summary(BTreeMap<u32, Touch>);

impl Summary {
    pub(crate) fn add(&mut self, task: u32, touch: Touch) {
        let entry = self.0.entry(task).or_default();
        *entry = entry.union(touch);
    }

    pub(crate) fn merge(&mut self, other: &Summary) {
        for (&task, &touch) in &other.0 {
            self.add(task, touch);
        }
    }

    pub(crate) fn tasks(&self) -> impl Iterator<Item = (u32, Touch)> + '_ {
        self.0.iter().map(|(&t, &touch)| (t, touch))
    }
}

/// A vector clock: per task, how many of its transitions happen before (or are) this one.
pub(crate) type Clock = Vec<u32>;

fn component(clock: &Clock, task: u32) -> u32 {
    clock.get(task as usize).copied().unwrap_or(0)
}

fn join(into: &mut Clock, other: &Clock) {
    if into.len() < other.len() {
        into.resize(other.len(), 0);
    }
    for (a, &b) in into.iter_mut().zip(other) {
        *a = (*a).max(b);
    }
}

/// One transition of the current path, as the race analysis sees it.
pub(crate) struct Step<'a> {
    pub task: u32,
    pub footprint: Option<&'a Footprint>,
    /// The footprint's masks, computed once per transition (revisits compare them with summaries).
    pub touch: Touch,
    /// Its vector clock (known once its footprint is).
    pub clock: &'a Clock,
}

fn dependent(a: Option<&Footprint>, b: Option<&Footprint>, unsound: bool) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => !independent(a, b, unsound),
        _ => true,
    }
}

/// The clock of `task`'s last transition on `path`, if it has one.
fn last_clock_of(path: &[Step], task: u32) -> Option<Clock> {
    path.iter().rev().find(|s| s.task == task).map(|s| s.clock.clone())
}

/// The vector clock of a transition by `task` with `footprint` after `path`, and the indices, in
/// order, of the transitions of `path` it races with (dependent, by another task, not happening
/// before `task`'s previous transition). `touch` is the footprint's masks ([`Touch::of`]), which
/// the caller keeps for the step.
pub(crate) fn analyse(path: &[Step], task: u32, footprint: Option<&Footprint>, touch: Touch, unsound: bool) -> (Clock, Vec<usize>) {
    let before = last_clock_of(path, task).unwrap_or_default();
    let mut clock = before.clone();
    let mut races = Vec::new();
    // The masks are conservative (two objects may share a bit), so masks that do not conflict
    // mean footprints that do not: the exact comparison, quadratic in the footprints' lengths, is
    // needed only where they do (it was a tenth of a search's time when run for every step).
    for (i, step) in path.iter().enumerate() {
        if step.task == task || (!unsound && step.touch.disjoint(touch)) || !dependent(step.footprint, footprint, unsound) {
            continue;
        }
        join(&mut clock, step.clock);
        if component(&before, step.task) < component(step.clock, step.task) {
            races.push(i);
        }
    }
    let own = component(&before, task) + 1;
    if clock.len() <= task as usize {
        clock.resize(task as usize + 1, 0);
    }
    clock[task as usize] = own;
    (clock, races)
}

/// The transitions of `path` that a transition of `task` touching `touch`, somewhere below the
/// end of `path`, may race with: every dependent one by another task that does not happen before
/// `task`'s last transition on the path.
pub(crate) fn summary_races(path: &[Step], task: u32, touch: Touch) -> Vec<usize> {
    let before = last_clock_of(path, task).unwrap_or_default();
    path.iter()
        .enumerate()
        .filter(|(_, step)| {
            step.task != task && step.touch.conflicts(touch) && component(&before, step.task) < component(step.clock, step.task)
        })
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use gcmc_models::platform::stateful::tracker::Access;

    fn everything() -> Footprint {
        vec![Access::EVERYTHING]
    }

    #[test]
    fn every_unordered_dependent_transition_is_a_race() {
        let all = everything();
        let c0: Clock = vec![0, 1];
        let c1: Clock = vec![0, 0, 1];
        let path = [
            Step { task: 1, footprint: Some(&all), touch: Touch::EVERYTHING, clock: &c0 },
            Step { task: 2, footprint: Some(&all), touch: Touch::EVERYTHING, clock: &c1 },
        ];
        let (clock, races) = analyse(&path, 3, Some(&all), Touch::of(Some(&all)), false);
        assert_eq!(races, vec![0, 1], "every dependent transition of another task");
        assert_eq!(clock, vec![0, 1, 1, 1]);
        // Task 1's next races with task 2's, which happened before nothing of task 1's, and task
        // 2's next with task 1's (its own do not count).
        assert_eq!(analyse(&path, 1, Some(&all), Touch::of(Some(&all)), false).1, vec![1]);
        assert_eq!(analyse(&path, 2, Some(&all), Touch::of(Some(&all)), false).1, vec![0]);
        let empty: Footprint = Vec::new();
        let quiet = [
            Step { task: 1, footprint: Some(&empty), touch: Touch::default(), clock: &c0 },
            Step { task: 2, footprint: Some(&empty), touch: Touch::default(), clock: &c1 },
        ];
        assert!(
            analyse(&quiet, 3, Some(&empty), Touch::of(Some(&empty)), false).1.is_empty(),
            "transitions that touch nothing are independent"
        );
        assert_eq!(analyse(&quiet, 3, None, Touch::of(None), false).1, vec![0, 1], "an unknown footprint depends on everything");
    }

    #[test]
    fn a_transition_ordered_by_a_chain_is_no_race() {
        let all = everything();
        // Task 1, then task 2 (after task 1's), then task 1 again: task 2's happens before task 1's
        // second, so task 1's next does not race with task 2's.
        let (a, b, c): (Clock, Clock, Clock) = (vec![0, 1], vec![0, 1, 1], vec![0, 2, 1]);
        let path = [
            Step { task: 1, footprint: Some(&all), touch: Touch::EVERYTHING, clock: &a },
            Step { task: 2, footprint: Some(&all), touch: Touch::EVERYTHING, clock: &b },
            Step { task: 1, footprint: Some(&all), touch: Touch::EVERYTHING, clock: &c },
        ];
        assert!(analyse(&path, 1, Some(&all), Touch::of(Some(&all)), false).1.is_empty());
        assert!(summary_races(&path, 1, Touch::EVERYTHING).is_empty());
        assert_eq!(summary_races(&path, 3, Touch::EVERYTHING), vec![0, 1, 2]);
        assert!(summary_races(&path, 3, Touch::default()).is_empty());
    }

    #[test]
    fn summaries_union_per_task() {
        let mut s = Summary::default();
        s.add(1, Touch { reads: 1, writes: 0 });
        s.add(1, Touch { reads: 0, writes: 2 });
        let mut t = Summary::default();
        t.add(2, Touch::EVERYTHING);
        s.merge(&t);
        assert_eq!(s.tasks().collect::<Vec<_>>(), vec![(1, Touch { reads: 1, writes: 2 }), (2, Touch::EVERYTHING)]);
        assert!(Touch { reads: 1, writes: 0 }.conflicts(Touch { reads: 0, writes: 1 }));
        assert!(!Touch { reads: 1, writes: 0 }.conflicts(Touch { reads: 1, writes: 2 }));
    }
}
