//! "Every item in exactly one place": the conservation ledger the three models' quiescence audits
//! share (lfstack's nodes, gcbits' arenas, workbufs' spans and workbufs).
//!
//! An audit names the items that must each be somewhere exactly once (every node of the pool,
//! every arena the OS handed out, every workbuf of a busy span), then records every place it
//! finds any item in (a stack, a list, a thread's hands, a cache). The ledger answers the three
//! questions each audit asks, in the order the audit chooses: is an item somewhere it must not be
//! at all (a stranger), in two places, or in none?
//!
//! Std-typed, like all bookkeeping in [`check`](super): recording adds no scheduling point.

use std::collections::BTreeMap;

/// Where each item was found. `I` orders the answers, so they do not depend on the order the
/// places were walked in beyond what the audit's own walk fixes.
#[derive(Clone, Debug)]
pub struct Places<I: Ord + Copy> {
    /// Invariant: every item that must be in exactly one place has an entry, empty until found.
    expected: BTreeMap<I, Vec<String>>,
    /// Items found that must be nowhere, with where they were found.
    strangers: BTreeMap<I, Vec<String>>,
}

/// An expected item found in no place or in several.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Misplaced<'a, I> {
    Lost(I),
    Duplicated(I, &'a [String]),
}

impl<I: Ord + Copy> Places<I> {
    /// A ledger in which each of `expected` must end up in exactly one place.
    pub fn new(expected: impl IntoIterator<Item = I>) -> Self {
        Places { expected: expected.into_iter().map(|i| (i, Vec::new())).collect(), strangers: BTreeMap::new() }
    }

    /// `item` was found in `place` (record it once per time it was found there).
    pub fn found(&mut self, item: I, place: impl Into<String>) {
        let places = match self.expected.get_mut(&item) {
            Some(places) => places,
            None => self.strangers.entry(item).or_default(),
        };
        places.push(place.into());
    }

    /// Where an expected item was found.
    pub fn of(&self, item: I) -> &[String] {
        self.expected.get(&item).map_or(&[], Vec::as_slice)
    }

    /// The first item (in `I`'s order) found that must be nowhere, and where it was.
    pub fn first_stranger(&self) -> Option<(I, &[String])> {
        self.strangers.iter().next().map(|(&i, p)| (i, p.as_slice()))
    }

    /// The first expected item found in more than one place.
    pub fn first_duplicated(&self) -> Option<(I, &[String])> {
        self.expected.iter().find(|(_, p)| p.len() > 1).map(|(&i, p)| (i, p.as_slice()))
    }

    /// The first expected item found nowhere.
    pub fn first_lost(&self) -> Option<I> {
        self.expected.iter().find(|(_, p)| p.is_empty()).map(|(&i, _)| i)
    }

    /// The first expected item that is lost or duplicated, whichever it is.
    pub fn first_misplaced(&self) -> Option<Misplaced<'_, I>> {
        self.expected.iter().find_map(|(&i, p)| match p.len() {
            0 => Some(Misplaced::Lost(i)),
            1 => None,
            _ => Some(Misplaced::Duplicated(i, p.as_slice())),
        })
    }

    /// How many expected items were found at least once.
    pub fn reachable(&self) -> usize {
        self.expected.values().filter(|p| !p.is_empty()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::{Misplaced, Places};

    #[test]
    fn each_breach_is_found_and_a_consistent_ledger_has_none() {
        let mut places = Places::new([0, 1, 2]);
        places.found(2, "a");
        places.found(1, "a");
        places.found(1, "b");
        places.found(7, "c");
        assert_eq!(places.first_stranger(), Some((7, &["c".to_string()][..])));
        assert_eq!(places.first_duplicated(), Some((1, &["a".to_string(), "b".to_string()][..])));
        assert_eq!(places.first_lost(), Some(0));
        assert_eq!(places.first_misplaced(), Some(Misplaced::Lost(0)));
        assert_eq!(places.reachable(), 2);
        assert_eq!(places.of(1), ["a", "b"]);

        let mut fine = Places::new([0, 1]);
        fine.found(1, "x");
        fine.found(0, "y");
        assert_eq!((fine.first_stranger(), fine.first_duplicated(), fine.first_lost(), fine.first_misplaced()), (None, None, None, None));
    }

    #[test]
    fn first_misplaced_takes_the_items_in_order() {
        let mut places = Places::new([3, 5]);
        places.found(3, "a");
        places.found(3, "b");
        assert_eq!(places.first_misplaced(), Some(Misplaced::Duplicated(3, &["a".to_string(), "b".to_string()][..])));
    }
}
