//! The gcBits scenario's configuration: variant, sizes, rotations, the OS, thread programs.

use super::Variant;
use crate::check::limits::{self, Limit};
use crate::check::ConfigError;
use serde::{Deserialize, Serialize};

/// One operation of a thread's program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    /// `newMarkBits(nelems)`: bits for a span of `nelems` objects, rounded to whole 64-bit words.
    Alloc(u64),
}

/// Go's arena: 64 KiB minus the 16-byte header, in 8-byte words.
pub const GO_ARENA_WORDS: u64 = (65536 - 16) / 8;

/// The most arenas on the free list at the start (they are named before any thread's).
pub const MAX_FREE_AT_START: usize = 16;

/// Threads allocating gcBits in phases; between phases the world is stopped and the main thread
/// runs `nextMarkBitArenaEpoch`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub variant: Variant,
    /// Allocating threads (each runs in every phase in which its program has operations).
    pub threads: usize,
    /// Allocations per thread (ignored when `programs` is given).
    #[serde(default)]
    pub allocs: usize,
    /// Arena capacity, in 8-byte words of bits.
    pub arena_words: u64,
    /// Request sizes: thread t's k-th allocation asks for `nelems[(t + k) % len]` objects.
    #[serde(default = "default_nelems")]
    pub nelems: Vec<u64>,
    /// Epoch rotations: each entry k stops the world after every thread's k-th allocation
    /// (0: before any) and rotates once; repeat an entry to rotate several times in a row.
    #[serde(default)]
    pub rotations: Vec<usize>,
    /// Arenas on the free list at the start, their bits dirty from an earlier cycle.
    #[serde(default)]
    pub free_arenas: usize,
    /// sysAlloc returns nil once the calling thread has had this many arenas from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sysalloc_fails_after: Option<usize>,
    /// Explicit per-thread programs, one per thread, instead of `allocs` × `nelems`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programs: Option<Vec<Vec<Op>>>,
}

fn default_nelems() -> Vec<u64> {
    vec![64]
}

impl Config {
    /// `threads` threads of `allocs` one-word requests, arenas of `arena_words` words.
    pub fn new(variant: Variant, threads: usize, allocs: usize, arena_words: u64) -> Config {
        Config {
            variant,
            threads,
            allocs,
            arena_words,
            nelems: default_nelems(),
            rotations: Vec::new(),
            free_arenas: 0,
            sysalloc_fails_after: None,
            programs: None,
        }
    }

    pub fn with_rotations(mut self, rotations: &[usize]) -> Config {
        self.rotations = rotations.to_vec();
        self
    }

    /// Each thread's program: the explicit one, or `allocs` allocations cycling through `nelems`.
    pub fn programs(&self) -> Vec<Vec<Op>> {
        match &self.programs {
            Some(programs) => programs.clone(),
            None => {
                (0..self.threads).map(|t| (0..self.allocs).map(|k| Op::Alloc(self.nelems[(t + k) % self.nelems.len()])).collect()).collect()
            }
        }
    }

    /// Refuses impossible configurations with a one-line reason.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let fail = |msg: String| Err(ConfigError(format!("gcbits: {msg}")));
        if self.threads == 0 {
            return fail("need at least one thread".into());
        }
        // Before self.programs(), which builds threads x allocs requests.
        self.within_limits()?;
        if self.arena_words == 0 || self.arena_words > GO_ARENA_WORDS {
            return fail(format!("arena_words must be in 1..={GO_ARENA_WORDS} (Go's 64 KiB arena), got {}", self.arena_words));
        }
        if self.free_arenas > MAX_FREE_AT_START {
            return fail(format!("free_arenas must be at most {MAX_FREE_AT_START}, got {}", self.free_arenas));
        }
        if self.programs.is_none() {
            if self.nelems.is_empty() {
                return fail("nelems is empty: give at least one request size".into());
            }
            if self.allocs == 0 {
                return fail("need at least one allocation per thread (or explicit programs)".into());
            }
        }
        let programs = self.programs();
        if programs.len() != self.threads {
            return fail(format!("{} programs for {} threads", programs.len(), self.threads));
        }
        for op in programs.iter().flatten() {
            let Op::Alloc(nelems) = *op;
            if nelems == 0 {
                return fail("a request of 0 objects needs no bits; nelems must be at least 1".into());
            }
            let words = nelems.div_ceil(64);
            if words > self.arena_words {
                return fail(format!(
                    "a request of {nelems} objects needs {words} words of bits, more than an arena of {} words holds",
                    self.arena_words
                ));
            }
        }
        let longest = programs.iter().map(Vec::len).max().unwrap_or(0);
        if longest == 0 {
            return fail("the programs allocate nothing".into());
        }
        if let Some(&k) = self.rotations.iter().find(|&&k| k > longest) {
            return fail(format!("a rotation after allocation {k}, but no thread makes more than {longest}"));
        }
        Ok(())
    }

    /// Bounds on the sizes (see [`limits`]), checked before anything is built from them.
    pub const LIMITS: &'static [Limit] = &[
        Limit { field: "threads", max: limits::THREADS, why: limits::WHY_THREADS },
        Limit { field: "allocs", max: limits::OPS, why: limits::WHY_OPS },
        Limit { field: "nelems entries", max: limits::OBJECTS, why: limits::WHY_OBJECTS },
        Limit { field: "rotations entries", max: limits::OBJECTS, why: limits::WHY_OBJECTS },
    ];

    fn within_limits(&self) -> Result<(), ConfigError> {
        let at_most = |field: &str, value: usize| limits::at_most("gcbits", Self::LIMITS, field, value as u64);
        at_most("threads", self.threads)?;
        at_most("nelems entries", self.nelems.len())?;
        at_most("rotations entries", self.rotations.len())?;
        limits::work("gcbits", Self::LIMITS, self.programs.as_deref(), self.threads, ("allocs", self.allocs), 1)
    }
}
