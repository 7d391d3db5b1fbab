//! The per-execution log: the trace of model steps, the first violation, and figures.

use super::{Violation, ViolationKind};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// One model step, in Go's words: which thread, which Go function, what it did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The model thread (`T0`, `T1`, ...), or `None` for the main thread (set-up, joins, audits).
    pub thread: Option<u32>,
    /// The Go function the step belongs to (`newMarkBits`, `lfstack.pop`, ...).
    pub func: &'static str,
    pub what: String,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.thread {
            Some(t) => write!(f, "T{t:<3} {}: {}", self.func, self.what),
            None => write!(f, "main {}: {}", self.func, self.what),
        }
    }
}

/// What one execution recorded.
#[derive(Debug, Default)]
pub struct RunLog {
    pub trace: Vec<Step>,
    /// The first violation raised; later ones are consequences and are dropped.
    pub violation: Option<Violation>,
    /// Named per-execution figures (wasted arenas, ...), reported by the harness as maxima.
    pub figures: BTreeMap<&'static str, u64>,
}

/// The payload of the panic that ends an execution once a violation is recorded. The harness
/// recognises it and reads the violation from the [`Recorder`], not from the panic.
#[derive(Debug)]
pub struct ViolationRaised;

/// Collects one execution's [`RunLog`]. Shared by every model thread of the execution.
///
/// Protected by a std mutex, never by a Platform type: under loom and shuttle all model threads
/// run on one OS thread, so the mutex is uncontended and invisible to the scheduler. Under the std
/// engine tracing is off, and the mutex is only taken to record a failure.
#[derive(Debug)]
pub struct Recorder {
    log: Mutex<RunLog>,
    tracing: bool,
}

impl Recorder {
    /// A recorder for one execution; with `tracing` off, steps cost nothing.
    pub fn new(tracing: bool) -> Arc<Recorder> {
        Arc::new(Recorder { log: Mutex::new(RunLog::default()), tracing })
    }

    pub fn tracing(&self) -> bool {
        self.tracing
    }

    fn log(&self) -> MutexGuard<'_, RunLog> {
        // A violation panics while other model code may be mid-record; the log stays usable.
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a step of `thread` (None: the main thread).
    pub fn step(&self, thread: Option<u32>, func: &'static str, what: fmt::Arguments<'_>) {
        if self.tracing {
            let what = what.to_string();
            self.log().trace.push(Step { thread, func, what });
        }
    }

    /// Records a violation (the first one wins) and ends the execution.
    pub fn fail(&self, kind: ViolationKind, detail: impl Into<String>) -> ! {
        {
            let mut log = self.log();
            if log.violation.is_none() {
                log.violation = Some(Violation { kind, detail: detail.into() });
            }
        }
        std::panic::panic_any(ViolationRaised)
    }

    /// Keeps the larger of the recorded and the new value of a figure. Names are kebab-case
    /// (`wasted-arenas`), as reports print them as `name=value`.
    pub fn figure_max(&self, name: &'static str, value: u64) {
        let mut log = self.log();
        let slot = log.figures.entry(name).or_insert(0);
        *slot = (*slot).max(value);
    }

    /// The violation recorded so far, if any.
    pub fn violation(&self) -> Option<Violation> {
        self.log().violation.clone()
    }

    /// Takes the log, leaving an empty one.
    pub fn take(&self) -> RunLog {
        std::mem::take(&mut *self.log())
    }
}

/// A model thread's handle on the recorder: every model operation takes one, so trace lines and
/// violations name the thread.
#[derive(Clone, Debug)]
pub struct Ctx {
    thread: Option<u32>,
    rec: Arc<Recorder>,
}

impl Ctx {
    /// The context of model thread `t` (shown as `Tt`).
    pub fn thread(rec: &Arc<Recorder>, t: u32) -> Ctx {
        Ctx { thread: Some(t), rec: Arc::clone(rec) }
    }

    /// The context of the main thread: set-up, joins and quiescence audits.
    pub fn main(rec: &Arc<Recorder>) -> Ctx {
        Ctx { thread: None, rec: Arc::clone(rec) }
    }

    /// The thread number, `None` for the main thread.
    pub fn id(&self) -> Option<u32> {
        self.thread
    }

    /// A readable name: `T1`, or `main`.
    pub fn name(&self) -> String {
        match self.thread {
            Some(t) => format!("T{t}"),
            None => "main".to_string(),
        }
    }

    pub fn recorder(&self) -> &Arc<Recorder> {
        &self.rec
    }

    /// Records a step. Use with `format_args!`: nothing is formatted when tracing is off.
    pub fn step(&self, func: &'static str, what: fmt::Arguments<'_>) {
        self.rec.step(self.thread, func, what)
    }

    /// Records a violation and ends the execution.
    pub fn fail(&self, kind: ViolationKind, detail: impl Into<String>) -> ! {
        self.rec.fail(kind, detail)
    }

    /// Go's `throw(msg)`: records a [`ViolationKind::Throw`] with Go's message verbatim.
    pub fn throw(&self, msg: &str) -> ! {
        self.rec.fail(ViolationKind::Throw, msg)
    }
}

/// Test support: the kind of the violation `f` raises on a model thread's context.
#[cfg(test)]
pub(crate) fn violation_of(f: impl FnOnce(&Ctx) + std::panic::UnwindSafe) -> ViolationKind {
    let rec = Recorder::new(false);
    let cx = Ctx::thread(&rec, 0);
    assert!(std::panic::catch_unwind(move || f(&cx)).is_err(), "no violation raised");
    rec.violation().expect("a violation is recorded").kind
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_violation_wins_and_steps_respect_tracing() {
        let rec = Recorder::new(true);
        let cx = Ctx::thread(&rec, 1);
        cx.step("lfstack.pop", format_args!("head is {}", 3));
        let first = std::panic::catch_unwind(|| cx.fail(ViolationKind::Aba, "node 1 popped twice"));
        assert!(first.unwrap_err().is::<ViolationRaised>());
        let _ = std::panic::catch_unwind(|| cx.throw("lfstack.push"));
        let log = rec.take();
        assert_eq!(log.violation.unwrap().kind, ViolationKind::Aba);
        assert_eq!(log.trace.len(), 1);
        assert_eq!(log.trace[0].to_string(), "T1   lfstack.pop: head is 3");

        let quiet = Recorder::new(false);
        Ctx::main(&quiet).step("audit", format_args!("ignored"));
        assert!(quiet.take().trace.is_empty());
    }
}
