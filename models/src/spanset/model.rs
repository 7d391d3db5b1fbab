//! The spanset model as the harness sees it: the [`Model`] contract, joining the configuration
//! ([`super::config`]) to the scenario ([`super::scenario`]).

use super::config::{Config, Op};
use super::scenario::SpanSetScenario;
use super::Variant;
use crate::check::limits::Limit;
use crate::check::{ConfigError, Model, Programs};

impl Model for Config {
    const NAME: &'static str = "spanset";
    const LIMITS: &'static [Limit] = Config::LIMITS;
    type Scenario = SpanSetScenario;
    type Variant = Variant;

    fn default_of(v: Variant) -> Self {
        let base = Config::new(v, 2, 3);
        match v {
            // Two spans in a block of three: T1 pops one, sees the set empty while T0's pop of the
            // other is in flight, and resets (the head's block has a pop counted, so reset frees it).
            Variant::ResetRacesPop => Config { entries: 3, prefill: 2, programs: Some(vec![vec![Op::Pop(0)], vec![Op::Reset(0)]]), ..base },
            Variant::ResetRacesPush => Config { programs: Some(vec![vec![Op::Push(0)], vec![Op::Reset(0)]]), ..base },
            // Four pushes at a 2-bit index: the fourth wraps the tail.
            Variant::NoOverflowCheck => Config { index_bits: 2, ops: 4, ..base },
            _ => base,
        }
    }

    fn variant(&self) -> Variant {
        self.variant
    }

    fn threads(&self) -> usize {
        self.threads
    }

    fn ops(&self) -> usize {
        Programs::ops(&self.programs, self.ops)
    }

    fn resized(&self, threads: usize, ops: usize) -> Self {
        let mut c = self.clone();
        c.threads = threads;
        Programs::resize(&mut c.programs, &mut c.ops, threads, ops);
        c
    }

    fn build(&self) -> Result<Self::Scenario, ConfigError> {
        SpanSetScenario::new(self.clone())
    }
}
