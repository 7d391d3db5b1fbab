//! The visited set: every stored state with the sleep set it was first explored with (empty
//! without sleep sets), so that a revisit explores what was asleep then and is awake now, and
//! (partial-order reduction) where the summary of what was explored below it stands.

use super::por::Summary;
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

/// Where the summary of what was explored below a stored state stands (partial-order reduction;
/// without it every state stays `OnPath`, and nothing reads it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Below {
    /// The state is still being explored: it is on the current path.
    OnPath,
    /// Explored, but on a cycle back to the path's decision at this depth, which is not finished:
    /// its future includes that decision's, not known yet.
    Pending(u32),
    /// Explored: the index of its summary.
    Done(u32),
}

/// What a visit found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Visit {
    /// A state not seen before: explore every transition awake.
    New,
    /// Seen, and every transition awake now was explored from it (or is being): prune.
    Covered(Below),
    /// Seen with these tasks asleep that are awake now: explore just those (Godefroid's sleep
    /// sets with state caching). The stored sleep set shrinks to what is asleep on both visits.
    Woken(u128, Below),
}

/// A stored state: the sleep set (a task mask) it was explored with, and its summary.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stored {
    asleep: u128,
    below: Below,
}

/// The visited set, as a map from state to what was stored with it, and the summaries, each
/// stored once however many states share it. Membership and lookups only: no iteration order
/// is ever used.
pub(crate) struct Visited {
    states: States,
    summaries: Vec<Summary>,
    interned: BTreeMap<Summary, u32>,
    /// An estimate of what the summaries take, kept as they are interned: `bytes` is asked at
    /// every stored state and must not walk them.
    summary_bytes: u64,
}

enum States {
    Compact(HashMap<u128, Stored, BuildHasherDefault<Folded>>),
    Exact { states: BTreeMap<Vec<u8>, Stored>, bytes: u64 },
}

impl Visited {
    pub(crate) fn new(mode: StateMode) -> Visited {
        let states = match mode {
            StateMode::Compact => States::Compact(HashMap::default()),
            StateMode::Exact => States::Exact { states: BTreeMap::new(), bytes: 0 },
        };
        Visited { states, summaries: Vec::new(), interned: BTreeMap::new(), summary_bytes: 0 }
    }

    fn stored(&mut self, state: &Digest) -> Option<&mut Stored> {
        match (&mut self.states, state) {
            (States::Compact(set), Digest::Compact(fp)) => set.get_mut(fp),
            (States::Exact { states, .. }, Digest::Exact(full)) => states.get_mut(full),
            _ => unreachable!("the tracker digests in the search's mode"),
        }
    }

    /// Visits `state` with the tasks in `asleep` asleep.
    pub(crate) fn visit(&mut self, state: Digest, asleep: u128) -> Visit {
        let new = Stored { asleep, below: Below::OnPath };
        let stored = match (&mut self.states, state) {
            (States::Compact(set), Digest::Compact(fp)) => match set.entry(fp) {
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(new);
                    return Visit::New;
                }
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            },
            (States::Exact { states, bytes }, Digest::Exact(full)) => {
                let len = full.len() as u64;
                match states.entry(full) {
                    std::collections::btree_map::Entry::Vacant(e) => {
                        e.insert(new);
                        *bytes += len;
                        return Visit::New;
                    }
                    std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                }
            }
            _ => unreachable!("the tracker digests in the search's mode"),
        };
        let woken = stored.asleep & !asleep;
        if woken == 0 {
            return Visit::Covered(stored.below);
        }
        stored.asleep &= asleep;
        Visit::Woken(woken, stored.below)
    }

    /// The summary stored as `index`.
    pub(crate) fn summary(&self, index: u32) -> &Summary {
        &self.summaries[index as usize]
    }

    /// `state` was explored and everything below it is `summary` (with what an earlier
    /// exploration of it found, if any).
    pub(crate) fn finish(&mut self, state: &Digest, summary: &Summary) {
        let mut whole = summary.clone();
        let below = self.stored(state).map(|s| s.below);
        if let Some(Below::Done(earlier)) = below {
            whole.merge(&self.summaries[earlier as usize]);
        }
        let index = match self.interned.get(&whole) {
            Some(&index) => index,
            None => {
                let index = self.summaries.len() as u32;
                // Two copies (the list and the map's key), each a tree node per task.
                self.summary_bytes += 2 * (48 + 40 * whole.tasks().count() as u64);
                self.summaries.push(whole.clone());
                self.interned.insert(whole, index);
                index
            }
        };
        if let Some(stored) = self.stored(state) {
            stored.below = Below::Done(index);
        }
    }

    /// `state` was explored, on a cycle back to the unfinished decision at `root`.
    pub(crate) fn pend(&mut self, state: &Digest, root: usize) {
        if let Some(stored) = self.stored(state) {
            stored.below = Below::Pending(root as u32);
        }
    }

    /// An estimate of the set's memory: the table (a 16-byte key, a 32-byte entry and a control
    /// byte per bucket) or the stored states with the tree's per-entry overhead, and the
    /// summaries.
    pub(crate) fn bytes(&self) -> u64 {
        let states = match &self.states {
            States::Compact(set) => set.capacity() as u64 * (16 + std::mem::size_of::<Stored>() as u64 + 1),
            States::Exact { states, bytes } => bytes + states.len() as u64 * 80,
        };
        states + self.summary_bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revisit_explores_only_what_was_asleep_and_is_awake_now() {
        let mut visited = Visited::new(StateMode::Compact);
        let s = Digest::Compact(42);
        let on = Below::OnPath;
        assert_eq!(visited.visit(s.clone(), 0b110), Visit::New);
        assert_eq!(visited.visit(s.clone(), 0b111), Visit::Covered(on), "more asleep: nothing new");
        assert_eq!(visited.visit(s.clone(), 0b100), Visit::Woken(0b010, on), "task 1 awake now");
        assert_eq!(visited.visit(s.clone(), 0b100), Visit::Covered(on), "task 1 was explored on the second visit");
        assert_eq!(visited.visit(s, 0), Visit::Woken(0b100, on));
        let mut exact = Visited::new(StateMode::Exact);
        assert_eq!(exact.visit(Digest::Exact(vec![1]), 1), Visit::New);
        assert_eq!(exact.visit(Digest::Exact(vec![1]), 0), Visit::Woken(1, on));
        assert_eq!(exact.visit(Digest::Exact(vec![1]), 0), Visit::Covered(on));
    }

    #[test]
    fn summaries_are_stored_once_and_grow_with_each_exploration() {
        use super::super::por::Touch;
        let mut visited = Visited::new(StateMode::Compact);
        let (a, b) = (Digest::Compact(1), Digest::Compact(2));
        visited.visit(a.clone(), 0);
        visited.visit(b.clone(), 0);
        visited.pend(&b, 3);
        assert_eq!(visited.visit(b.clone(), 0), Visit::Covered(Below::Pending(3)));
        let mut one = Summary::default();
        one.add(1, Touch::of(None));
        visited.finish(&a, &one);
        visited.finish(&b, &one);
        assert_eq!(visited.visit(a.clone(), 0), Visit::Covered(Below::Done(0)));
        assert_eq!(visited.visit(b, 0), Visit::Covered(Below::Done(0)), "one summary, stored once");
        let mut two = Summary::default();
        two.add(2, Touch::of(None));
        visited.finish(&a, &two);
        let Visit::Covered(Below::Done(index)) = visited.visit(a, 0) else { panic!("a is explored") };
        assert_eq!(visited.summary(index).tasks().count(), 2, "the second exploration adds to the first");
    }
}
