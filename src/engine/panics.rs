//! Panics: a quiet hook while an engine runs, and classification of what ended an exploration.
//!
//! Under loom and shuttle every model thread runs on the OS thread that called the engine, so a
//! thread-local marks "an engine is running here" and holds the first panic message it saw.

use gcmc_models::check::{ViolationKind, ViolationRaised};
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{self, PanicHookInfo};
use std::sync::Once;

thread_local! {
    static QUIET: Cell<u32> = const { Cell::new(0) };
    static FIRST_MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The payload of the panic an engine raises to stop at its budget.
#[derive(Debug)]
pub(crate) struct BudgetStop;

/// Installs, once per process, a panic hook that stays silent on threads running an engine and
/// remembers the first message instead.
///
/// shuttle installs its own hook the first time it runs (once per process, with that run's
/// configuration) and that hook, reached outside an execution, prints "Tried to get
/// ExecutionState" noise over an ordinary test failure. The engines record schedules themselves,
/// so shuttle's hook is not needed: it is installed here first, then replaced, and panics outside
/// engines go to the hook that was in place before (normally std's default).
fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        let mut config = shuttle::Config::new();
        config.failure_persistence = shuttle::FailurePersistence::None;
        shuttle::Runner::new(shuttle::scheduler::RoundRobinScheduler::new(1), config).run(|| {});
        drop(panic::take_hook());
        panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
            // A violation is always caught and reported by the engine; on a real thread of the std
            // engine the panic happens on a spawned thread, where QUIET is not set.
            if info.payload().is::<ViolationRaised>() {
                return;
            }
            if QUIET.with(Cell::get) > 0 {
                FIRST_MESSAGE.with(|m| {
                    let mut m = m.borrow_mut();
                    if m.is_none() {
                        *m = Some(payload_message(info.payload()));
                    }
                });
            } else {
                previous(info);
            }
        }));
    });
}

/// Keeps panics quiet on this thread while alive; gives back the first message seen.
pub(crate) struct QuietPanics(());

impl QuietPanics {
    pub(crate) fn begin() -> QuietPanics {
        install();
        QUIET.with(|q| q.set(q.get() + 1));
        FIRST_MESSAGE.with(|m| m.borrow_mut().take());
        QuietPanics(())
    }

    /// The first panic message seen since `begin`.
    pub(crate) fn first_message(&self) -> Option<String> {
        FIRST_MESSAGE.with(|m| m.borrow().clone())
    }
}

impl Drop for QuietPanics {
    fn drop(&mut self) {
        QUIET.with(|q| q.set(q.get() - 1));
    }
}

/// Renders a panic payload as text.
pub(crate) fn payload_message(payload: &(dyn Any + Send)) -> String {
    if payload.is::<ViolationRaised>() {
        "violation raised".into()
    } else if payload.is::<BudgetStop>() {
        "budget stop".into()
    } else if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-text payload".into()
    }
}

/// What a panic the model did not raise itself means.
pub(crate) enum EnginePanic {
    /// A checker-detected violation (loom's causality check, a deadlock).
    Violation(ViolationKind, String),
    /// A per-execution limit: loom's branches, shuttle's steps. Usually a livelocked loop.
    ExecutionTooLong(String),
    /// Anything else: a bug in a model or in the harness.
    Unexpected(String),
}

pub(crate) fn classify(message: &str) -> EnginePanic {
    let first_line = message.lines().next().unwrap_or("").trim().to_string();
    if message.contains("Causality violation") {
        EnginePanic::Violation(ViolationKind::DataRace, format!("loom: {first_line}"))
    } else if message.contains("deadlock") {
        EnginePanic::Violation(ViolationKind::Deadlock, first_line)
    } else if message.contains("maximum number of branches") || message.contains("exceeded max_steps bound") {
        EnginePanic::ExecutionTooLong(first_line)
    } else {
        EnginePanic::Unexpected(first_line)
    }
}
