//! Which memory orderings a proof rests on: every atomic access names its call site, and a run can
//! record the orderings each site used, or weaken one site to `Relaxed` (the ordering sweep,
//! `gcmc orderings`).
//!
//! cargo-mutants rewrites expressions and bodies, never an `Ordering` argument, yet a weakened
//! ordering is the bug class loom exists for (R4, R10). Weakening one call site at a time, in the
//! correct variants, and checking under loom whether the model's holds cases then fail, says which
//! orderings carry each proof and which are stronger than the property needs (Go's atomics are all
//! sequentially consistent, so the port keeps `SeqCst` wherever Go has an atomic).
//!
//! The switches are thread-local std cells: loom and shuttle run every model thread as a coroutine
//! on the thread that called them, so a switch set around an exploration reaches every model
//! thread of it and no other test's; real threads (the std backend) see them unset. Reading them is
//! no scheduling point and no happens-before edge.

use super::Ordering;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::panic::Location;

/// A call site of an atomic operation in the model source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Site {
    pub file: &'static str,
    pub line: u32,
    pub column: u32,
}

impl Site {
    fn of(location: &'static Location<'static>) -> Site {
        Site { file: location.file(), line: location.line(), column: location.column() }
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// The atomic operation at a site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Access {
    Load,
    Store,
    FetchAdd,
    /// The ordering recorded and weakened is the success ordering; the failure ordering is left
    /// as it is (it may not be stronger than the success one, and `Relaxed` never is).
    CompareExchange,
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Access::Load => "load",
            Access::Store => "store",
            Access::FetchAdd => "fetch_add",
            Access::CompareExchange => "compare_exchange",
        })
    }
}

/// What a recording saw at one site: the operation and every ordering it was called with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Used {
    pub access: Access,
    pub orderings: BTreeSet<&'static str>,
}

impl Used {
    /// Whether weakening the site to `Relaxed` changes anything.
    pub fn weakenable(&self) -> bool {
        self.orderings.iter().any(|o| *o != "Relaxed")
    }
}

/// Every site a recording saw.
pub type Sites = BTreeMap<Site, Used>;

thread_local! {
    /// Whether either switch below is on: the one read every access pays when no sweep runs.
    static SWEEPING: Cell<bool> = const { Cell::new(false) };
    static WEAKENED: Cell<Option<Site>> = const { Cell::new(None) };
    static RECORDED: RefCell<Option<Sites>> = const { RefCell::new(None) };
}

/// The name of an ordering, as written in Rust.
pub fn name(order: Ordering) -> &'static str {
    match order {
        Ordering::Relaxed => "Relaxed",
        Ordering::Acquire => "Acquire",
        Ordering::Release => "Release",
        Ordering::AcqRel => "AcqRel",
        _ => "SeqCst",
    }
}

/// The ordering the access at `location` runs with: `order`, or `Relaxed` while the site is the
/// weakened one; recorded while a recording is on. Called by every backend's atomics.
pub(crate) fn applied(order: Ordering, access: Access, location: &'static Location<'static>) -> Ordering {
    if !SWEEPING.with(Cell::get) {
        return order;
    }
    let site = Site::of(location);
    RECORDED.with(|recorded| {
        if let Some(sites) = recorded.borrow_mut().as_mut() {
            sites.entry(site).or_insert_with(|| Used { access, orderings: BTreeSet::new() }).orderings.insert(name(order));
        }
    });
    if WEAKENED.with(Cell::get) == Some(site) {
        Ordering::Relaxed
    } else {
        order
    }
}

/// Resets a switch when dropped, so a panic out of an exploration (an engine's refusal) cannot
/// leave it set for the next run on this thread.
struct Reset<F: FnMut()>(F);

impl<F: FnMut()> Drop for Reset<F> {
    fn drop(&mut self) {
        (self.0)();
    }
}

/// Runs `f` (an exploration, on this thread) with `site` weakened to `Relaxed`.
pub fn weakened<R>(site: Site, f: impl FnOnce() -> R) -> R {
    WEAKENED.with(|w| w.set(Some(site)));
    SWEEPING.with(|s| s.set(true));
    let _reset = Reset(|| {
        WEAKENED.with(|w| w.set(None));
        SWEEPING.with(|s| s.set(RECORDED.with(|r| r.borrow().is_some())));
    });
    f()
}

/// Runs `f` (an exploration, on this thread) and returns what it returned with every atomic call
/// site its model threads reached, and the orderings each was called with.
pub fn recording<R>(f: impl FnOnce() -> R) -> (R, Sites) {
    RECORDED.with(|r| *r.borrow_mut() = Some(Sites::new()));
    SWEEPING.with(|s| s.set(true));
    let mut reset = Reset(|| {
        RECORDED.with(|r| *r.borrow_mut() = None);
        SWEEPING.with(|s| s.set(WEAKENED.with(Cell::get).is_some()));
    });
    let result = f();
    let sites = RECORDED.with(|r| r.borrow_mut().take()).unwrap_or_default();
    (reset.0)();
    (result, sites)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::{AtomicU64, Std};

    #[test]
    fn a_recording_names_each_call_site_and_a_weakened_site_runs_relaxed() {
        // Through the facade, as the models call it (std's inherent methods would bypass it).
        type A = <Std as crate::platform::Platform>::AtomicU64;
        let word = <A as AtomicU64>::new(0);
        let first = line!() + 2;
        let ((), sites) = recording(|| {
            AtomicU64::store(&word, 1, Ordering::Release);
            AtomicU64::load(&word, Ordering::SeqCst);
            AtomicU64::load(&word, Ordering::Relaxed);
        });
        let listed: Vec<_> = sites.iter().map(|(site, used)| (site.line, used.access, used.orderings.clone())).collect();
        assert_eq!(
            listed,
            [
                (first, Access::Store, BTreeSet::from(["Release"])),
                (first + 1, Access::Load, BTreeSet::from(["SeqCst"])),
                (first + 2, Access::Load, BTreeSet::from(["Relaxed"])),
            ]
        );
        assert!(sites.values().take(2).all(Used::weakenable) && !sites.values().nth(2).unwrap().weakenable());
        assert!(sites.keys().all(|s| s.file.ends_with("orderings.rs")));
        let store_site = *sites.keys().next().unwrap();
        let location = Location::caller();
        let here = Site::of(location);
        assert_eq!(applied(Ordering::SeqCst, Access::Load, location), Ordering::SeqCst);
        weakened(here, || assert_eq!(applied(Ordering::SeqCst, Access::Load, location), Ordering::Relaxed));
        assert_eq!(applied(Ordering::SeqCst, Access::Load, location), Ordering::SeqCst, "reset after the run");
        assert_ne!(store_site, here);
        // Nothing is recorded outside a recording.
        AtomicU64::load(&word, Ordering::SeqCst);
        assert!(RECORDED.with(|r| r.borrow().is_none()));
    }
}
