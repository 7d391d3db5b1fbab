//! A workbuf (an lfstack node and the count of objects it holds) and the sizes that carve spans
//! into workbufs.
//!
//! Ports `workbufhdr` / `workbuf`, `_WorkbufSize`, `workbufAlloc` and the `init` check that throws
//! "bad workbufAlloc" (src/runtime/mgcwork.go at 9cc883a4 and 051809e3).
//!
//! Differences from Go:
//! - The sizes are parameters ([`Sizes`]); Go's are 2048-byte workbufs, 32 KiB spans, 8 KiB pages.
//! - `obj` is not modelled, only `nobj`; `len(wbuf.obj)` is its own parameter
//!   ([`Sizes::workbuf_objs`], Go's (2048 - 24) / 8 = 253), so buffers fill in a step or two.
//! - Every workbuf the modelled heap can ever hand out exists from the start of an execution (the
//!   heap never reuses a returned span, see [`super::heap`]), so a stale lfstack head can always be
//!   followed, as Go's can because workbuf memory is only freed when no list links it.

use crate::check::ConfigError;
use crate::lfstack::{LfNode, LfNodes};
use crate::platform::{Cell, Platform};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where span 0 lives: Go's amd64 heap hint (0xc000000000).
pub const HEAP_BASE: u64 = 0x00c0_0000_0000;

/// A workbuf, numbered across all spans: span s holds `s * per_span .. (s + 1) * per_span`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WbufId(pub usize);

/// A span of the modelled heap, numbered in the order allocManual hands them out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpanId(pub usize);

impl fmt::Display for WbufId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "w{}", self.0)
    }
}

impl fmt::Display for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s{}", self.0)
    }
}

/// Byte sizes, as Go's constants, and the model's object capacity.
///
/// Invariant (checked by [`Sizes::validate`], Go's start-up check): `workbuf_alloc` is a multiple of
/// `page_size` and of `workbuf_size`, and all are non-zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sizes {
    /// `pageSize` (8192 in Go).
    pub page_size: u64,
    /// `_WorkbufSize` (2048 in Go).
    pub workbuf_size: u64,
    /// `workbufAlloc`: bytes of one workbuf span (32 KiB in Go, 16 workbufs).
    pub workbuf_alloc: u64,
    /// `len(wbuf.obj)`: objects one workbuf holds (253 in Go, shrunk).
    pub workbuf_objs: usize,
}

impl Sizes {
    /// Go's sizes, with one object per workbuf.
    pub const GO: Sizes = Sizes { page_size: 8192, workbuf_size: 2048, workbuf_alloc: 32 << 10, workbuf_objs: 1 };

    /// Spans of one page holding `per_span` workbufs of `workbuf_objs` objects each.
    pub fn small(per_span: u64, workbuf_objs: usize) -> Sizes {
        Sizes { page_size: 8192, workbuf_size: 8192 / per_span.max(1), workbuf_alloc: 8192, workbuf_objs }
    }

    /// Go's `init` check, with Go's message, plus what the model needs to carve at all.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.page_size == 0 || self.workbuf_size == 0 || self.workbuf_alloc == 0 {
            return Err(ConfigError(format!(
                "workbufs: page_size, workbuf_size and workbuf_alloc must be non-zero, got {}, {}, {}",
                self.page_size, self.workbuf_size, self.workbuf_alloc
            )));
        }
        if self.workbuf_alloc % self.page_size != 0 || self.workbuf_alloc % self.workbuf_size != 0 {
            return Err(ConfigError(format!(
                "workbufs: bad workbufAlloc: workbuf_alloc {} must be a multiple of page_size {} and of workbuf_size {}",
                self.workbuf_alloc, self.page_size, self.workbuf_size
            )));
        }
        if self.workbuf_size % 8 != 0 {
            return Err(ConfigError(format!(
                "workbufs: workbuf_size {} is not 8-byte aligned, so workbufs cannot be lfstack nodes",
                self.workbuf_size
            )));
        }
        if self.workbuf_objs == 0 {
            return Err(ConfigError("workbufs: workbuf_objs must be at least 1".into()));
        }
        Ok(())
    }

    /// Workbufs carved from one span.
    pub fn per_span(&self) -> usize {
        (self.workbuf_alloc / self.workbuf_size) as usize
    }
}

/// A workbuf's header: Go's `workbufhdr`.
pub struct Workbuf<P: Platform> {
    /// The lfstack node; must be first in Go, so the workbuf's address is the node's.
    node: LfNode<P>,
    /// Objects held.
    /// Invariant: 0 on work.empty ("workbuf is not empty" otherwise), > 0 on work.full ("workbuf
    /// is empty"). Protocol: touched only by the thread that owns the workbuf (it carved it or
    /// popped it); ownership passes through the lfstack head CAS.
    nobj: P::Cell<usize>,
}

/// Every workbuf the modelled heap can hand out, addressed as Go addresses them: span s at
/// `HEAP_BASE + s * workbuf_alloc`, its workbuf i at `+ i * workbuf_size`.
pub struct Workbufs<P: Platform> {
    sizes: Sizes,
    bufs: Vec<Workbuf<P>>,
}

impl<P: Platform> Workbufs<P> {
    pub fn new(sizes: Sizes, heap_spans: usize) -> Self {
        let bufs = (0..heap_spans * sizes.per_span()).map(|_| Workbuf { node: LfNode::new(), nobj: P::Cell::new(0) }).collect();
        Workbufs { sizes, bufs }
    }

    /// How many workbufs the heap's spans can be carved into.
    pub fn count(&self) -> usize {
        self.bufs.len()
    }

    /// `s.base() + i * _WorkbufSize`.
    pub fn addr(&self, w: WbufId) -> u64 {
        let per_span = self.sizes.per_span();
        HEAP_BASE + (w.0 / per_span) as u64 * self.sizes.workbuf_alloc + (w.0 % per_span) as u64 * self.sizes.workbuf_size
    }

    /// The workbuf at `addr`, if one starts there.
    pub fn id(&self, addr: u64) -> Option<WbufId> {
        let offset = addr.checked_sub(HEAP_BASE)?;
        let span = offset / self.sizes.workbuf_alloc;
        let within = offset % self.sizes.workbuf_alloc;
        if within % self.sizes.workbuf_size != 0 {
            return None;
        }
        let index = usize::try_from(span).ok()? * self.sizes.per_span() + (within / self.sizes.workbuf_size) as usize;
        (index < self.bufs.len()).then_some(WbufId(index))
    }

    pub fn span_of(&self, w: WbufId) -> SpanId {
        SpanId(w.0 / self.sizes.per_span())
    }

    /// The workbufs carved from span `s`, in address order.
    pub fn of_span(&self, s: SpanId) -> impl Iterator<Item = WbufId> {
        let per_span = self.sizes.per_span();
        (s.0 * per_span..(s.0 + 1) * per_span).map(WbufId)
    }

    /// `b.nobj`. The caller owns `w` (the pool's ledger checked it under the checkers).
    pub fn nobj(&self, w: WbufId) -> usize {
        // Safety: only the owning thread touches nobj; ownership came through a head CAS (or the
        // carve of a span no list links), which orders this read after the previous owner's writes.
        self.bufs[w.0].nobj.with(|n| unsafe { *n })
    }

    /// `b.nobj = n`. The caller owns `w`.
    pub fn set_nobj(&self, w: WbufId, n: usize) {
        // Safety: as for `nobj`: the calling thread owns the workbuf.
        self.bufs[w.0].nobj.with_mut(|slot| unsafe { *slot = n })
    }
}

impl<P: Platform> LfNodes<P> for Workbufs<P> {
    fn node(&self, addr: u64) -> Option<&LfNode<P>> {
        self.id(addr).map(|w| &self.bufs[w.0].node)
    }

    fn label(&self, addr: u64) -> String {
        match self.id(addr) {
            Some(w) => w.to_string(),
            None => format!("{addr:#x}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::Std;

    #[test]
    fn go_sizes_carve_sixteen_workbufs_and_bad_ones_quote_go() {
        Sizes::GO.validate().unwrap();
        assert_eq!(Sizes::GO.per_span(), 16);
        let bad = Sizes { workbuf_alloc: 3 * 2048, ..Sizes::GO };
        let err = bad.validate().unwrap_err();
        assert!(err.0.contains("bad workbufAlloc"), "{err}");
        let bad = Sizes { workbuf_size: 3000, ..Sizes::GO };
        assert!(bad.validate().unwrap_err().0.contains("bad workbufAlloc"));
    }

    #[test]
    fn addresses_round_trip_across_spans() {
        let bufs = Workbufs::<Std>::new(Sizes::small(4, 1), 3);
        assert_eq!(bufs.count(), 12);
        for i in 0..12 {
            let w = WbufId(i);
            assert_eq!(bufs.id(bufs.addr(w)), Some(w));
            assert_eq!(bufs.span_of(w), SpanId(i / 4));
        }
        assert_eq!(bufs.addr(WbufId(5)), HEAP_BASE + 8192 + 2048);
        assert_eq!(bufs.id(HEAP_BASE + 8), None);
        assert_eq!(bufs.id(HEAP_BASE + 3 * 8192), None);
        assert_eq!(bufs.of_span(SpanId(1)).collect::<Vec<_>>(), vec![WbufId(4), WbufId(5), WbufId(6), WbufId(7)]);
    }
}
