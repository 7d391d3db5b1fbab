//! Sleep sets (Godefroid, "Partial-Order Methods for the Verification of Concurrent Systems",
//! 1996): a transition explored from a state need not be explored again after an independent one,
//! since both orders reach the same state. They remove transitions, never states: every reachable
//! state is still visited, so every check made at a state or at quiescence is still made.
//!
//! A transition is named by its task (at one state a task has one next transition, and thread code
//! is deterministic), and known by its footprint: every object it read or wrote, recorded by the
//! tracker between the decision that scheduled it and the next one, plus the operation it had
//! announced if that may block (a lock, whose blocked attempt records nothing). A sleeping task's
//! footprint is the one observed when it ran from the earlier state: an independent transition
//! writes nothing it reads, so it does the same again. A join and the last transition of the task
//! it waits for both touch that task's end; an unknown footprint touches everything. Audit data ([`Shared`](gcmc_models::check::Shared)) is written by every
//! access, so two steps that both record into one ledger are dependent.
//!
//! The child of a state, reached by task `t`, has asleep: every task asleep at the state or
//! explored from it before `t`, whose footprint is independent of `t`'s and which is still
//! runnable. With the visited set, a state stores the sleep set of its first visit; a revisit
//! with fewer tasks asleep explores those now awake (see [`Visit`](super::visited::Visit)).

use gcmc_models::platform::stateful::tracker::{independent, Footprint};
use shuttle::scheduler::TaskId;

/// A task and the footprint of its transition (`None` while it runs, or if it was never seen:
/// dependent on everything).
pub(crate) type Entry = (TaskId, Option<Footprint>);

fn bit(task: TaskId) -> u128 {
    let id = usize::from(task);
    if id < 128 {
        1 << id
    } else {
        0
    }
}

/// The set of `entries`' tasks as a mask.
pub(crate) fn mask(entries: &[Entry]) -> u128 {
    entries.iter().fold(0, |m, (t, _)| m | bit(*t))
}

/// Whether `task` is in `mask`.
pub(crate) fn contains(mask: u128, task: TaskId) -> bool {
    mask & bit(task) != 0
}

/// The sleep set of the state that `taken` led to: the tasks asleep before it or explored before
/// it at its state, independent of it and runnable now. A task past the mask's 128 ids is never
/// put to sleep (explored again: the conservative side).
pub(crate) fn after(
    asleep: &[Entry],
    explored_before: &[Entry],
    taken: &Option<Footprint>,
    runnable: &[TaskId],
    unsound: bool,
) -> Vec<Entry> {
    let Some(taken) = taken else { return Vec::new() };
    asleep
        .iter()
        .chain(explored_before)
        .filter(|(task, footprint)| {
            bit(*task) != 0 && runnable.contains(task) && footprint.as_ref().is_some_and(|f| independent(f, taken, unsound))
        })
        .cloned()
        .collect()
}
