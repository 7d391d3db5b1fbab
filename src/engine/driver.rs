//! The per-exploration driver shared by the engines: counts executions, enforces the budget between
//! executions, keeps the last execution's recorder, and concludes a verdict.

use super::panics::{classify, payload_message, BudgetStop, EnginePanic, QuietPanics};
use super::{Budget, Outcome, Schedule, TraceLine, Verdict};
use gcmc_models::check::{Recorder, Scenario, Violation, ViolationKind};
use gcmc_models::platform::Platform;
use std::any::Any;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// State of one exploration. Std types only: none of this is visible to the checkers.
pub(crate) struct Driver<S> {
    scenario: Arc<S>,
    budget: Budget,
    tracing: bool,
    start: Instant,
    executions: AtomicU64,
    last: Mutex<Option<Arc<Recorder>>>,
    figures: Mutex<BTreeMap<String, u64>>,
    stopped: Mutex<Option<String>>,
}

impl<S: Scenario> Driver<S> {
    pub(crate) fn new(scenario: Arc<S>, budget: &Budget, tracing: bool) -> Arc<Self> {
        Arc::new(Driver {
            scenario,
            budget: budget.clone(),
            tracing,
            start: Instant::now(),
            executions: AtomicU64::new(0),
            last: Mutex::new(None),
            figures: Mutex::new(BTreeMap::new()),
            stopped: Mutex::new(None),
        })
    }

    pub(crate) fn executions(&self) -> u64 {
        self.executions.load(Ordering::Relaxed)
    }

    pub(crate) fn elapsed_seconds(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// One execution under `P`. Raises [`BudgetStop`] instead when the budget is spent.
    pub(crate) fn execute<P: Platform>(&self) {
        let n = self.executions.fetch_add(1, Ordering::Relaxed) + 1;
        let over = match (self.budget.max_executions, self.budget.time_limit()) {
            (Some(max), _) if n > max => Some(format!("stopped after {max} executions (max_executions)")),
            (_, Some(limit)) if self.start.elapsed() > limit => {
                Some(format!("stopped after {} executions in {:.1}s (max_seconds)", n - 1, limit.as_secs_f64()))
            }
            _ => None,
        };
        if let Some(reason) = over {
            self.executions.fetch_sub(1, Ordering::Relaxed);
            *self.stopped.lock().unwrap_or_else(PoisonError::into_inner) = Some(reason);
            std::panic::panic_any(BudgetStop);
        }
        if let Some(watch) = &self.budget.watch {
            watch.0.executed();
        }
        let rec = Recorder::new(self.tracing);
        *self.last.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&rec));
        self.scenario.execute::<P>(&rec);
        self.fold_figures(&rec);
    }

    fn fold_figures(&self, rec: &Recorder) {
        let figures = std::mem::take(&mut rec.take().figures);
        let mut all = self.figures.lock().unwrap_or_else(PoisonError::into_inner);
        for (name, value) in figures {
            let slot = all.entry(name.to_string()).or_insert(0);
            *slot = (*slot).max(value);
        }
    }

    /// Turns how the engine returned into a verdict.
    pub(crate) fn conclude(
        &self,
        result: Result<(), Box<dyn Any + Send>>,
        quiet: &QuietPanics,
        exhaustive_if_finished: bool,
        schedule: impl FnOnce() -> Option<Schedule>,
    ) -> Verdict {
        let seconds = self.start.elapsed().as_secs_f64();
        let mut verdict = Verdict {
            outcome: Outcome::Holds,
            executions: self.executions(),
            exhaustive: false,
            seconds,
            trace: Vec::new(),
            schedule: None,
            figures: BTreeMap::new(),
            search: None,
        };
        let payload = match result {
            Ok(()) => {
                verdict.exhaustive = exhaustive_if_finished;
                verdict.figures = self.figures.lock().unwrap_or_else(PoisonError::into_inner).clone();
                return verdict;
            }
            Err(payload) => payload,
        };
        if payload.is::<BudgetStop>() {
            let reason = self.stopped.lock().unwrap_or_else(PoisonError::into_inner).clone();
            verdict.outcome = Outcome::BudgetExhausted { reason: reason.unwrap_or_default() };
            verdict.figures = self.figures.lock().unwrap_or_else(PoisonError::into_inner).clone();
            return verdict;
        }
        let last = self.last.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let (recorded, log) = match &last {
            Some(rec) => (rec.violation(), Some(rec.take())),
            None => (None, None),
        };
        let message = quiet.first_message().unwrap_or_else(|| payload_message(&*payload));
        verdict.outcome = match recorded {
            Some(violation) => Outcome::Violation(violation),
            None => match classify(&message) {
                EnginePanic::Violation(kind, detail) => Outcome::Violation(Violation { kind, detail }),
                EnginePanic::ExecutionTooLong(detail) => {
                    Outcome::BudgetExhausted { reason: format!("execution {} ran too long: {detail}", self.executions()) }
                }
                EnginePanic::Unexpected(detail) => Outcome::Violation(Violation { kind: ViolationKind::Panic, detail }),
            },
        };
        if let Some(log) = log {
            verdict.trace = log.trace.iter().map(TraceLine::from).collect();
            let mut figures = self.figures.lock().unwrap_or_else(PoisonError::into_inner).clone();
            let last: BTreeMap<String, u64> = log.figures.into_iter().map(|(name, value)| (name.to_string(), value)).collect();
            merge_figures(&mut figures, &last);
            verdict.figures = figures;
        }
        if matches!(verdict.outcome, Outcome::Violation(_)) {
            verdict.schedule = schedule();
        }
        verdict
    }
}

/// Folds `more` into `figures`, each the maximum of the two.
pub(crate) fn merge_figures(figures: &mut BTreeMap<String, u64>, more: &BTreeMap<String, u64>) {
    for (name, &value) in more {
        let slot = figures.entry(name.clone()).or_insert(0);
        *slot = (*slot).max(value);
    }
}
