//! Live progress: counters an exploration bumps as it goes, for a reporter on another thread to
//! read (the command line's progress bar). They only observe: no engine reads them back, so a
//! watched run explores exactly what an unwatched one does.
//!
//! Std atomics, bumped by the harness between and beside model steps (the driver per execution,
//! the stateful search per stored state), never through the Platform: watching adds no
//! scheduling point.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// How far a run has got. The counts only grow; the executions of an engine that runs side by
/// side (pct/random chunks on several threads) are summed over its threads.
#[derive(Debug, Default)]
pub struct Progress {
    executions: AtomicU64,
    states: AtomicU64,
}

impl Progress {
    /// Executions started so far.
    pub fn executions(&self) -> u64 {
        self.executions.load(Ordering::Relaxed)
    }

    /// States stored so far (the stateful engine; 0 for the others).
    pub fn states(&self) -> u64 {
        self.states.load(Ordering::Relaxed)
    }

    pub(crate) fn executed(&self) {
        self.executions.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn stored(&self) {
        self.states.fetch_add(1, Ordering::Relaxed);
    }

    /// Takes on counts reported from elsewhere (a child process running the case); they never
    /// go down.
    pub fn reached(&self, executions: u64, states: u64) {
        self.executions.fetch_max(executions, Ordering::Relaxed);
        self.states.fetch_max(states, Ordering::Relaxed);
    }
}

/// A [`Budget`](super::Budget)'s observer: who is told how far the run got. Two budgets that
/// differ only in who watches them are the same budget, so every watch compares equal, and a
/// watch is never written to a file.
#[derive(Clone, Default)]
pub struct Watch(pub Arc<Progress>);

impl PartialEq for Watch {
    fn eq(&self, _: &Watch) -> bool {
        true
    }
}

impl fmt::Debug for Watch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Watch({} executions, {} states)", self.0.executions(), self.0.states())
    }
}
