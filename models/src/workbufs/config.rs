//! The workbufs scenario's configuration: variant, sizes, threads, cycles, worker programs.

use super::workbuf::Sizes;
use super::Variant;
use crate::check::limits::{self, Limit};
use crate::check::ConfigError;
use serde::{Deserialize, Serialize};

/// One step of a mark worker's program, on its P's gcWork.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    /// `gcw.put(obj)`.
    Put,
    /// `gcw.tryGet()`.
    Get,
    /// `gcw.dispose()`.
    Dispose,
    /// `gcw.balance()`.
    Balance,
}

/// The default program's pattern: fill, spill to work.full, take one back.
const PATTERN: [Op; 4] = [Op::Put, Op::Put, Op::Balance, Op::Get];

/// `workers` mark workers, each running its program in every GC cycle and then, as Go's mark
/// completion does, draining (tryGet until no work) and disposing its cache; a phase controller
/// running `cycles` GC cycles (mark, mark termination with prepareFreeWorkbufs, off); a background
/// sweeper freeing workbuf spans between cycles.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub variant: Variant,
    /// Mark workers (one P each).
    pub workers: usize,
    /// Operations per worker per cycle of the default program (put, put, balance, get, repeated);
    /// ignored when `programs` is given.
    #[serde(default)]
    pub ops: usize,
    /// Explicit per-worker programs, one per worker, run in every cycle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programs: Option<Vec<Vec<Op>>>,
    /// `pageSize`.
    pub page_size: u64,
    /// `_WorkbufSize`.
    pub workbuf_size: u64,
    /// `workbufAlloc`: bytes per workbuf span (a multiple of both sizes above, or "bad workbufAlloc").
    pub workbuf_alloc: u64,
    /// `len(wbuf.obj)`, shrunk.
    pub workbuf_objs: usize,
    /// Spans the modelled heap can hand out; allocManual beyond them is nil ("out of memory").
    pub heap_spans: usize,
    /// GC cycles (more than one needs the controller).
    #[serde(default = "one")]
    pub cycles: usize,
    /// Run the phase controller (on the main thread): mark termination with drain and dispose,
    /// prepareFreeWorkbufs, further cycles. Without it the workers run their programs once.
    pub controller: bool,
    /// Run the background sweeper (freeSomeWbufs) after each cycle; needs the controller.
    pub sweeper: bool,
    /// freeSomeWbufs' batchSize.
    #[serde(default = "go_batch")]
    pub free_batch: usize,
    /// The sweeper is asked to yield after this many spans of each batch (at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preempt_after: Option<usize>,
    /// balance hands off half of wbuf1 above this many objects (Go: 4).
    #[serde(default = "go_handoff")]
    pub handoff_above: usize,
}

fn one() -> usize {
    1
}
fn go_batch() -> usize {
    64
}
fn go_handoff() -> usize {
    4
}

impl Config {
    /// `workers` workers doing `ops` operations each, in one GC cycle with no phase controller
    /// and no sweeper; spans of one page holding 2 workbufs of 1 object; a heap of 2 spans; Go's
    /// free batch and handoff threshold. The builders below change one thing each.
    pub fn new(variant: Variant, workers: usize, ops: usize) -> Config {
        let sizes = Sizes::small(2, 1);
        Config {
            variant,
            workers,
            ops,
            programs: None,
            page_size: sizes.page_size,
            workbuf_size: sizes.workbuf_size,
            workbuf_alloc: sizes.workbuf_alloc,
            workbuf_objs: sizes.workbuf_objs,
            heap_spans: 2,
            cycles: 1,
            controller: false,
            sweeper: false,
            free_batch: go_batch(),
            preempt_after: None,
            handoff_above: go_handoff(),
        }
    }

    /// Spans of one page carved into `per_span` workbufs.
    pub fn spans_of(self, per_span: u64) -> Config {
        let sizes = Sizes::small(per_span, self.workbuf_objs);
        Config { page_size: sizes.page_size, workbuf_size: sizes.workbuf_size, workbuf_alloc: sizes.workbuf_alloc, ..self }
    }

    /// Workbufs that hold `objects` objects before they are full.
    pub fn objects_per_workbuf(self, objects: usize) -> Config {
        Config { workbuf_objs: objects, ..self }
    }

    /// A heap with room for `spans` spans; allocManual fails after that.
    pub fn heap_spans(self, spans: usize) -> Config {
        Config { heap_spans: spans, ..self }
    }

    /// `cycles` GC cycles, one after the other.
    pub fn cycles(self, cycles: usize) -> Config {
        Config { cycles, ..self }
    }

    /// The phase controller runs mark -> mark termination -> off around each cycle.
    pub fn with_controller(self) -> Config {
        Config { controller: true, ..self }
    }

    /// A background sweeper calls freeSomeWbufs after each cycle.
    pub fn with_sweeper(self) -> Config {
        Config { sweeper: true, ..self }
    }

    pub fn sizes(&self) -> Sizes {
        Sizes {
            page_size: self.page_size,
            workbuf_size: self.workbuf_size,
            workbuf_alloc: self.workbuf_alloc,
            workbuf_objs: self.workbuf_objs,
        }
    }

    /// Each worker's program for one cycle.
    pub fn programs(&self) -> Vec<Vec<Op>> {
        match &self.programs {
            Some(programs) => programs.clone(),
            None => vec![PATTERN.iter().copied().cycle().take(self.ops).collect(); self.workers],
        }
    }

    /// Model threads one execution spawns: the workers of every cycle and one sweeper per cycle
    /// (the controller is the main thread).
    pub fn spawned_threads(&self) -> usize {
        self.cycles * (self.workers + usize::from(self.sweeper))
    }

    /// Bounds on the sizes (see [`limits`]), checked before anything is built from them.
    pub const LIMITS: &'static [Limit] = &[
        Limit { field: "workers", max: limits::THREADS, why: limits::WHY_THREADS },
        Limit {
            field: "spawned threads",
            max: 4 * limits::THREADS,
            why: "the workers and the sweeper of every cycle are each a task of every execution",
        },
        Limit { field: "ops", max: limits::OPS, why: limits::WHY_OPS },
        Limit { field: "cycles", max: 64, why: "each GC cycle spawns its workers and sweeper again" },
        Limit { field: "heap spans x workbufs per span", max: limits::OBJECTS, why: limits::WHY_OBJECTS },
        Limit { field: "workbuf_objs", max: limits::OBJECTS, why: limits::WHY_OBJECTS },
    ];

    /// After `sizes().validate()`, so that the sizes divide.
    fn within_limits(&self) -> Result<(), ConfigError> {
        let at_most = |field: &str, value: usize| limits::at_most("workbufs", Self::LIMITS, field, value as u64);
        at_most("workers", self.workers)?;
        at_most("cycles", self.cycles)?;
        at_most("spawned threads", self.cycles.saturating_mul(self.workers + usize::from(self.sweeper)))?;
        at_most("workbuf_objs", self.workbuf_objs)?;
        at_most("heap spans x workbufs per span", self.heap_spans.saturating_mul(self.sizes().per_span()))?;
        limits::work("workbufs", Self::LIMITS, self.programs.as_deref(), self.workers, ("ops", self.ops), self.cycles)
    }

    /// Refuses impossible configurations with a one-line reason.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let fail = |msg: String| Err(ConfigError(format!("workbufs: {msg}")));
        self.sizes().validate()?;
        if self.workers == 0 {
            return fail("need at least one worker".into());
        }
        if self.heap_spans == 0 {
            return fail("the heap needs at least one span".into());
        }
        if self.cycles == 0 {
            return fail("need at least one GC cycle".into());
        }
        self.within_limits()?;
        if self.cycles > 1 && !self.controller {
            return fail(format!("{} GC cycles need the phase controller to run them", self.cycles));
        }
        if self.sweeper && !self.controller {
            return fail("the sweeper needs the phase controller: without it gcphase never leaves _GCmark".into());
        }
        if self.free_batch == 0 {
            return fail("free_batch must be at least 1".into());
        }
        if self.preempt_after == Some(0) {
            // The modelled request arrives anew in every call, where Go's Gosched clears
            // gp.preempt: at 0 no call would ever free a span and bgsweep would call forever.
            return fail("preempt_after must be at least 1: at 0 every freeSomeWbufs call would stop before its first span, and bgsweep would never finish (in Go, Gosched clears the preemption request)".into());
        }
        if let Some(programs) = &self.programs {
            if programs.len() != self.workers {
                return fail(format!("{} programs for {} workers", programs.len(), self.workers));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Config, Variant};
    use crate::workbufs::Sizes;

    #[test]
    fn builders_set_what_they_name_and_omitted_fields_take_gos_defaults() {
        let config = Config::new(Variant::Go, 1, 1).objects_per_workbuf(2).spans_of(4);
        let sizes = Sizes::small(4, 2);
        assert_eq!(
            (config.page_size, config.workbuf_size, config.workbuf_alloc, config.workbuf_objs),
            (sizes.page_size, sizes.workbuf_size, sizes.workbuf_alloc, 2)
        );
        // What a catalogue entry may leave out (the catalogue relies on these defaults).
        let mut value = serde_json::to_value(Config::new(Variant::Go, 1, 1)).unwrap();
        let fields = value.as_object_mut().unwrap();
        for omitted in ["cycles", "free_batch", "handoff_above"] {
            fields.remove(omitted);
        }
        let parsed: Config = serde_json::from_value(value).unwrap();
        assert_eq!((parsed.cycles, parsed.free_batch, parsed.handoff_above), (1, 64, 4));
    }

    #[test]
    fn spans_of_sets_the_whole_span_geometry_whatever_came_before() {
        // From Go's sizes (a span of 4 pages carving 16 workbufs) and from a smaller page, spans_of
        // must leave one page carved into `per_span` workbufs, not mix the old page or allocation
        // size with the new workbuf size.
        let go = Config { page_size: 8192, workbuf_size: 2048, workbuf_alloc: 32 << 10, ..Config::new(Variant::Go, 1, 1) };
        let small_pages = Config { page_size: 4096, workbuf_size: 1024, workbuf_alloc: 16 << 10, ..Config::new(Variant::Go, 1, 1) };
        for before in [go, small_pages] {
            let config = before.spans_of(4);
            assert_eq!((config.page_size, config.workbuf_size, config.workbuf_alloc), (8192, 2048, 8192));
        }
    }

    #[test]
    fn spawned_threads_are_bounded_at_four_times_the_thread_limit() {
        // 64 workers and a sweeper per cycle: 3 cycles spawn 195 tasks, 4 spawn 260 (over 256).
        let cycles = |n| Config::new(Variant::Go, 64, 1).cycles(n).with_controller().with_sweeper();
        assert_eq!(cycles(3).spawned_threads(), 195);
        assert!(cycles(3).within_limits().is_ok());
        let refused = cycles(4).within_limits().unwrap_err().0;
        assert!(refused.contains("260") && refused.contains("256"), "{refused}");
    }
}
