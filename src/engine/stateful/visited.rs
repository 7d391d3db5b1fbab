//! The visited set: every stored state with the sleep set it was first explored with (empty
//! without sleep sets), so that a revisit explores what was asleep then and is awake now.

use gcmc_models::platform::stateful::digest::{Digest, StateMode};
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// Fingerprints are already uniform: hash a `u128` by folding its halves.
#[derive(Default)]
pub(crate) struct Folded(u64);

impl Hasher for Folded {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u128(&mut self, value: u128) {
        self.0 = (value as u64) ^ ((value >> 64) as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// What a visit found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Visit {
    /// A state not seen before: explore every transition awake.
    New,
    /// Seen, and every transition awake now was explored from it (or is being): prune.
    Covered,
    /// Seen with these tasks asleep that are awake now: explore just those (Godefroid's sleep
    /// sets with state caching). The stored sleep set shrinks to what is asleep on both visits.
    Woken(u128),
}

/// The visited set, as a map from state to the sleep set (a task mask) it was explored with.
/// Membership and lookups only: its iteration order is never used.
pub(crate) enum Visited {
    Compact(HashMap<u128, u128, BuildHasherDefault<Folded>>),
    Exact { states: BTreeMap<Vec<u8>, u128>, bytes: u64 },
}

impl Visited {
    pub(crate) fn new(mode: StateMode) -> Visited {
        match mode {
            StateMode::Compact => Visited::Compact(HashMap::default()),
            StateMode::Exact => Visited::Exact { states: BTreeMap::new(), bytes: 0 },
        }
    }

    /// Visits `state` with the tasks in `asleep` asleep.
    pub(crate) fn visit(&mut self, state: Digest, asleep: u128) -> Visit {
        let stored = match (self, state) {
            (Visited::Compact(set), Digest::Compact(fp)) => match set.entry(fp) {
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(asleep);
                    return Visit::New;
                }
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            },
            (Visited::Exact { states, bytes }, Digest::Exact(full)) => {
                let len = full.len() as u64;
                match states.entry(full) {
                    std::collections::btree_map::Entry::Vacant(e) => {
                        e.insert(asleep);
                        *bytes += len;
                        return Visit::New;
                    }
                    std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                }
            }
            _ => unreachable!("the tracker digests in the search's mode"),
        };
        let woken = *stored & !asleep;
        if woken == 0 {
            return Visit::Covered;
        }
        *stored &= asleep;
        Visit::Woken(woken)
    }

    /// An estimate of the set's memory: the table (a 16-byte key, a 16-byte sleep set and a
    /// control byte per bucket) or the stored states with the tree's per-entry overhead.
    pub(crate) fn bytes(&self) -> u64 {
        match self {
            Visited::Compact(set) => set.capacity() as u64 * 33,
            Visited::Exact { states, bytes } => bytes + states.len() as u64 * 64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revisit_explores_only_what_was_asleep_and_is_awake_now() {
        let mut visited = Visited::new(StateMode::Compact);
        let s = Digest::Compact(42);
        assert_eq!(visited.visit(s.clone(), 0b110), Visit::New);
        assert_eq!(visited.visit(s.clone(), 0b111), Visit::Covered, "more asleep: nothing new");
        assert_eq!(visited.visit(s.clone(), 0b100), Visit::Woken(0b010), "task 1 awake now");
        assert_eq!(visited.visit(s.clone(), 0b100), Visit::Covered, "task 1 was explored on the second visit");
        assert_eq!(visited.visit(s, 0), Visit::Woken(0b100));
        let mut exact = Visited::new(StateMode::Exact);
        assert_eq!(exact.visit(Digest::Exact(vec![1]), 1), Visit::New);
        assert_eq!(exact.visit(Digest::Exact(vec![1]), 0), Visit::Woken(1));
        assert_eq!(exact.visit(Digest::Exact(vec![1]), 0), Visit::Covered);
    }
}
