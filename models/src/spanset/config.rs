//! The spanset scenario's configuration: variant, sizes, the index width, thread programs.

use super::Variant;
use crate::check::limits::{self, Limit};
use crate::check::ConfigError;
use serde::{Deserialize, Serialize};

/// One operation of a thread's program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    /// Push a span of the thread's own into set `s`.
    Push(usize),
    /// Pop from set `s`; a span that comes back is the thread's.
    Pop(usize),
    /// Pop from set `s` until it looks empty, then reset it, while other threads run: Go's
    /// `finishsweep_m` without the stopped world and its check for sweepers in flight. Outside Go's
    /// contract, so only the `reset-races-*` variants, which name that breach, may do it.
    Reset(usize),
}

impl Op {
    pub fn set(self) -> usize {
        match self {
            Op::Push(s) | Op::Pop(s) | Op::Reset(s) => s,
        }
    }
}

/// Pushers and poppers over one or more span sets that share the block pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub variant: Variant,
    pub threads: usize,
    /// Operations per thread of the default program (ignored when `programs` is given): even
    /// threads push, odd threads pop, thread t on set (t / 2) mod `sets`.
    #[serde(default)]
    pub ops: usize,
    /// Span sets (Go's mcentral has two per span class, partial and full, over one pool).
    #[serde(default = "one")]
    pub sets: usize,
    /// `spanSetBlockEntries` (512 in Go).
    #[serde(default = "two")]
    pub entries: u64,
    /// `spanSetInitSpineCap` (256 in Go): 1 makes the spine grow at the second block.
    #[serde(default = "one_u64")]
    pub spine_cap: u64,
    /// Bits of each half of `headTailIndex` (32 in Go): at most 2^bits - 1 pushes between resets.
    #[serde(default = "default_index_bits")]
    pub index_bits: u32,
    /// Spans the main thread pushes into each set before the threads start.
    #[serde(default)]
    pub prefill: usize,
    /// Rounds of threads; between rounds the main thread drains every set and resets it.
    #[serde(default = "one")]
    pub rounds: usize,
    /// After the last round, drain and reset every set too (Go's contract: nothing else runs).
    #[serde(default = "yes")]
    pub reset: bool,
    /// Explicit per-thread programs, one per thread, instead of the default program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programs: Option<Vec<Vec<Op>>>,
}

fn one() -> usize {
    1
}
fn one_u64() -> u64 {
    1
}
fn two() -> u64 {
    2
}
fn yes() -> bool {
    true
}
fn default_index_bits() -> u32 {
    8
}

/// Span ids: `round * 10000 + (thread + 1) * 100 + k + 1`; prefill spans have thread byte 0.
pub const MAX_OPS_PER_THREAD: usize = 99;

impl Config {
    pub fn new(variant: Variant, threads: usize, ops: usize) -> Config {
        Config {
            variant,
            threads,
            ops,
            sets: 1,
            entries: 2,
            spine_cap: 1,
            index_bits: default_index_bits(),
            prefill: 0,
            rounds: 1,
            reset: true,
            programs: None,
        }
    }

    pub fn programs(&self) -> Vec<Vec<Op>> {
        match &self.programs {
            Some(p) => p.clone(),
            None => (0..self.threads)
                .map(|t| {
                    let set = (t / 2) % self.sets;
                    vec![if t % 2 == 0 { Op::Push(set) } else { Op::Pop(set) }; self.ops]
                })
                .collect(),
        }
    }

    /// Pushes in one round, prefill included: each may need a block of its own.
    pub fn pushes_per_round(&self) -> usize {
        self.prefill * self.sets + self.programs().iter().flatten().filter(|op| matches!(op, Op::Push(_))).count()
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let fail = |msg: String| Err(ConfigError(format!("spanset: {msg}")));
        if self.threads == 0 {
            return fail("need at least one thread".into());
        }
        let at_most = |field: &str, value: u64| limits::at_most("spanset", Self::LIMITS, field, value);
        at_most("threads", self.threads as u64)?;
        at_most("rounds", self.rounds as u64)?;
        limits::work("spanset", Self::LIMITS, self.programs.as_deref(), self.threads, ("ops", self.ops), self.rounds)?;
        // Before anything that deals threads to sets (`programs`), which divides by their number.
        if !(1..=4).contains(&self.sets) {
            return fail(format!("sets must be in 1..=4, got {}", self.sets));
        }
        // Every push may take a block of its own, and the scenario sets them all up.
        at_most("blocks", (self.pushes_per_round() * self.rounds + 1) as u64)?;
        if !(1..=64).contains(&self.entries) || !(1..=64).contains(&self.spine_cap) {
            return fail(format!("entries and spine_cap must be in 1..=64, got {} and {}", self.entries, self.spine_cap));
        }
        if !(1..=32).contains(&self.index_bits) {
            return fail(format!("index_bits must be in 1..=32 (Go's is 32), got {}", self.index_bits));
        }
        if self.variant == Variant::PoppedEarly && self.entries < 2 {
            return fail("popped-early needs entries >= 2: with one entry its test never fires".into());
        }
        let programs = self.programs();
        if programs.len() != self.threads {
            return fail(format!("{} programs for {} threads", programs.len(), self.threads));
        }
        if programs.iter().any(|p| p.len() > MAX_OPS_PER_THREAD) || self.prefill * self.sets > MAX_OPS_PER_THREAD {
            return fail(format!("at most {MAX_OPS_PER_THREAD} operations per thread and prefill spans in all"));
        }
        if let Some(op) = programs.iter().flatten().find(|op| op.set() >= self.sets) {
            return fail(format!("{op:?} names a set beyond the {} configured", self.sets));
        }
        let resets = programs.iter().flatten().any(|op| matches!(op, Op::Reset(_)));
        if resets && !self.variant.breaks_reset_contract() {
            return fail(format!(
                "a reset op runs concurrently with the other threads, which Go's contract forbids; the {} variant keeps it (use reset-races-pop or reset-races-push)",
                self.variant
            ));
        }
        if self.rounds > 1 && !self.reset {
            return fail("more than one round needs reset = true (the sets are reset between rounds)".into());
        }
        Ok(())
    }

    pub const LIMITS: &'static [Limit] = &[
        Limit { field: "threads", max: limits::THREADS, why: limits::WHY_THREADS },
        Limit { field: "ops", max: limits::OPS, why: limits::WHY_OPS },
        Limit { field: "rounds", max: 16, why: "each round spawns the threads again" },
        Limit { field: "blocks", max: limits::OBJECTS, why: limits::WHY_OBJECTS },
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The loader fuzz found it: a replay file with `sets = 0` reached the threads' dealing to
    /// sets, a division by zero, before the range check.
    #[test]
    fn no_sets_is_refused_before_threads_are_dealt_to_sets() {
        let config = Config { sets: 0, ..Config::new(Variant::Go, 2, 3) };
        let refused = config.validate().expect_err("zero sets");
        assert!(refused.0.contains("sets must be in 1..=4"), "{refused}");
    }
}
