//! Std-side data that model threads share: the one way a model may keep shared state outside the
//! Platform types.
//!
//! Some of what Go does without synchronizing with the mechanism under test (mheap's span states,
//! an unlocked hint) and the audits' own books live in std types, so that they add no scheduling
//! point. Under the stateful engine they are still part of the state: two executions that differ
//! only there must not be merged. [`Shared`] is a std mutex that tells the tracker about its
//! content, so the stateful engine fingerprints it; under every other engine it is a plain std
//! mutex (uncontended under the checkers, which run one model thread at a time).
//!
//! Two kinds, chosen where the data is declared:
//! - [`Shared::steering`]: model threads act on what they read (allocManual's answer, the
//!   free-list hint). A read is an observation, recorded in the reader's history.
//! - [`Shared::audit`]: only checks read it (a ledger of allocations). Its content is part of the
//!   state, but a read changes nothing a thread does except possibly failing, so it is not
//!   recorded in histories: two threads that record into the ledger in either order reach the
//!   same state (if the data's `Hash` ignores the order, as an audit ledger's should).

use crate::platform::stateful::tracker::{self, Event, ObjectId};
use std::hash::Hash;
use std::ops::{Deref, DerefMut};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Data shared by model threads outside the Platform types. See the module doc.
pub struct Shared<T> {
    data: Mutex<T>,
    id: Option<ObjectId>,
    steering: bool,
}

impl<T: Hash> Shared<T> {
    /// Data whose content decides what model threads do.
    pub fn steering(value: T) -> Self {
        Shared::new(value, true)
    }

    /// Data only checks read.
    pub fn audit(value: T) -> Self {
        Shared::new(value, false)
    }

    fn new(value: T, steering: bool) -> Self {
        let id = tracker::register(Self::content(&value));
        Shared { data: Mutex::new(value), id, steering }
    }

    fn content(value: &T) -> Option<tracker::Digest> {
        tracker::digest(value)
    }

    /// Locks the data (a std mutex: no scheduling point).
    pub fn lock(&self) -> SharedGuard<'_, T> {
        let guard = self.data.lock().unwrap_or_else(PoisonError::into_inner);
        if self.steering {
            tracker::record(Event::SharedRead, self.id, Self::content(&guard).as_ref());
        }
        SharedGuard { guard: Some(guard), id: self.id }
    }
}

impl<T> Drop for Shared<T> {
    fn drop(&mut self) {
        tracker::remove(self.id);
    }
}

/// A locked [`Shared`]; dropping it records the content left behind.
pub struct SharedGuard<'a, T: Hash> {
    /// `Some` until drop.
    guard: Option<MutexGuard<'a, T>>,
    id: Option<ObjectId>,
}

impl<T: Hash> Deref for SharedGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.guard.as_deref().expect("held until drop")
    }
}

impl<T: Hash> DerefMut for SharedGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.guard.as_deref_mut().expect("held until drop")
    }
}

impl<T: Hash> Drop for SharedGuard<'_, T> {
    fn drop(&mut self) {
        if let Some(guard) = self.guard.take() {
            tracker::set(self.id, Shared::content(&*guard));
        }
    }
}
