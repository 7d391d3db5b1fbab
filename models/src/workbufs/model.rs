//! The workbufs model as the harness sees it: the [`Model`] contract, joining the configuration
//! ([`super::config`], which describes) to the scenario ([`super::scenario`], which runs).

use super::config::Config;
use super::scenario::WorkbufsScenario;
use super::Variant;
use crate::check::limits::Limit;
use crate::check::{ConfigError, Model, Programs};

impl Model for Config {
    const NAME: &'static str = "workbufs";
    const LIMITS: &'static [Limit] = Config::LIMITS;
    type Scenario = WorkbufsScenario;
    type Variant = Variant;

    /// - go: 2 workers x 3 ops, spans of 4 workbufs of 1 object, controller and sweeper, 1 cycle.
    /// - getempty-two-holds: 2 workers x 1 op, 2 cycles, no sweeper: cycle 2's getempties reuse the
    ///   spans cycle 1 carved.
    /// - r12-*: 1 worker x 1 op, spans of 2, 2 cycles: the sweeper frees a span after cycle 1
    ///   while cycle 2 may already be marking.
    /// - r13-*: 1 worker x 1 op, 1 cycle, one span of 2 workbufs (the catalogue's size).
    /// - r14-first-on-empty and lost-span: 1 worker x 1 op, no controller or sweeper.
    /// - sweeper-stops-early: 1 worker x 3 ops (two spans), controller and a sweeper preempted
    ///   after one span of each batch.
    fn default_of(v: Variant) -> Self {
        match v {
            Variant::Go => Config::new(v, 2, 3).spans_of(4).heap_spans(3).with_controller().with_sweeper(),
            Variant::R12FreeDuringMark | Variant::R12PhaseOutsideLock | Variant::R12PhaseBeforeStw => {
                Config::new(v, 1, 1).heap_spans(3).cycles(2).with_controller().with_sweeper()
            }
            // Two workers whose first put of cycle 2 each takes a span from wbufSpans.free.
            Variant::GetemptyTwoHolds => Config::new(v, 2, 1).heap_spans(3).cycles(2).with_controller(),
            Variant::R13NoWipeEmpty | Variant::R13NoDispose => Config::new(v, 1, 1).with_controller().with_sweeper(),
            Variant::R14FirstOnEmpty | Variant::LostSpan => Config::new(v, 1, 1),
            // Two spans on free, a sweeper asked to yield after one span of its batch.
            Variant::SweeperStopsEarly => {
                Config { preempt_after: Some(1), ..Config::new(v, 1, 3).heap_spans(3).with_controller().with_sweeper() }
            }
        }
    }

    fn variant(&self) -> Variant {
        self.variant
    }

    /// The mark workers; the controller and the sweeper come on top.
    fn threads(&self) -> usize {
        self.workers
    }

    fn ops(&self) -> usize {
        Programs::ops(&self.programs, self.ops)
    }

    fn resized(&self, threads: usize, ops: usize) -> Self {
        let mut c = self.clone();
        c.workers = threads;
        Programs::resize(&mut c.programs, &mut c.ops, threads, ops);
        c
    }

    fn build(&self) -> Result<Self::Scenario, ConfigError> {
        WorkbufsScenario::new(self.clone())
    }
}
