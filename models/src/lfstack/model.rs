//! The lfstack model as the harness sees it: the [`Model`] contract, joining the configuration
//! ([`super::config`], which describes) to the scenario ([`super::scenario`], which runs).

use super::config::Config;
use super::scenario::LfStackScenario;
use super::Variant;
use crate::check::limits::Limit;
use crate::check::{ConfigError, Model, Programs};

impl Model for Config {
    const NAME: &'static str = "lfstack";
    const LIMITS: &'static [Limit] = Config::LIMITS;
    type Scenario = LfStackScenario;
    type Variant = Variant;

    fn default_of(v: Variant) -> Self {
        Config::stress(v, 2, 2, 2, if v.uses_counter() { 4 } else { 0 })
    }

    fn variant(&self) -> Variant {
        self.variant
    }

    fn threads(&self) -> usize {
        self.threads
    }

    fn ops(&self) -> usize {
        Programs::ops(&self.programs, self.iterations)
    }

    fn resized(&self, threads: usize, ops: usize) -> Self {
        let mut c = self.clone();
        c.threads = threads;
        Programs::resize(&mut c.programs, &mut c.iterations, threads, ops);
        c
    }

    fn build(&self) -> Result<Self::Scenario, ConfigError> {
        LfStackScenario::new(self.clone())
    }
}
