//! The reductions the stateful search can apply, each its own switch: on by default once its
//! cross-validation against the unreduced search and DFS holds (tests/stateful.rs), and each can be
//! turned off (`--no-local-states`, `--no-sleep-sets`, `--no-por`; catalogue `local_states = false`,
//! `sleep_sets = false`, `por = false`), so the unreduced search stays available and tested.

use serde::{Deserialize, Serialize};

/// One reduction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduction {
    /// Honour the models' local-state declarations
    /// ([`Platform::local_state`](gcmc_models::platform::Platform::local_state)): a thread's local
    /// state is what it declared at the top of its operation, not its whole history.
    LocalStates,
    /// Sleep sets: a transition explored from a state is not explored again after an
    /// independent one (see the `sleep` module). Never with `--shard`.
    SleepSets,
    /// Partial-order reduction of states: a state is explored from the tasks whose orders with
    /// the path matter only (see the `por` module). Never with `--shard`.
    Por,
}

impl Reduction {
    pub const ALL: [Reduction; 3] = [Reduction::LocalStates, Reduction::SleepSets, Reduction::Por];

    /// The catalogue's engine parameter.
    pub fn parameter(self) -> &'static str {
        match self {
            Reduction::LocalStates => "local_states",
            Reduction::SleepSets => "sleep_sets",
            Reduction::Por => "por",
        }
    }

    /// How an engine without it is named (`stateful(no-local-states)`, `--no-local-states`).
    pub fn off_name(self) -> &'static str {
        match self {
            Reduction::LocalStates => "no-local-states",
            Reduction::SleepSets => "no-sleep-sets",
            Reduction::Por => "no-por",
        }
    }
}

/// The reductions a search applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Reductions {
    pub local_states: bool,
    pub sleep_sets: bool,
    pub por: bool,
}

impl Default for Reductions {
    /// Every reduction.
    fn default() -> Reductions {
        Reductions { local_states: true, sleep_sets: true, por: true }
    }
}

impl Reductions {
    /// The unreduced search.
    pub const NONE: Reductions = Reductions { local_states: false, sleep_sets: false, por: false };

    pub fn is_on(self, reduction: Reduction) -> bool {
        match reduction {
            Reduction::LocalStates => self.local_states,
            Reduction::SleepSets => self.sleep_sets,
            Reduction::Por => self.por,
        }
    }

    /// `self` with `reduction` turned on or off.
    pub fn with(mut self, reduction: Reduction, on: bool) -> Reductions {
        match reduction {
            Reduction::LocalStates => self.local_states = on,
            Reduction::SleepSets => self.sleep_sets = on,
            Reduction::Por => self.por = on,
        }
        self
    }

    /// The reductions turned off, in [`Reduction::ALL`]'s order.
    pub fn off(self) -> Vec<Reduction> {
        Reduction::ALL.into_iter().filter(|&r| !self.is_on(r)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reduction_switches_on_and_off_alone() {
        for r in Reduction::ALL {
            assert!(Reductions::default().is_on(r) && !Reductions::NONE.is_on(r), "{r:?}");
            assert_eq!(Reductions::default().with(r, false).off(), vec![r]);
            assert_eq!(Reductions::NONE.with(r, true).off().len(), Reduction::ALL.len() - 1);
        }
    }
}
