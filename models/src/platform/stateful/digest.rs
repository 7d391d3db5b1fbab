//! Digests of model values: 128-bit hashes (hash compaction), or the exact bytes a value hashes.
//!
//! A value is digested through its `Hash` impl, so the digest of a derived type covers every field.
//! In [`StateMode::Compact`] the bytes go through two SipHash-1-3 instances with different
//! prefixes, a pseudo-random 128-bit function; in [`StateMode::Exact`] they are kept as they are,
//! so that two values get equal digests only if they feed their hashers the same bytes (for the
//! derived `Hash` impls of the models' types, only if they are equal).

use std::hash::{DefaultHasher, Hash, Hasher};

/// How the stateful engine stores states.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StateMode {
    /// 128-bit fingerprints: two different states collide with probability about n²/2¹²⁹ for n
    /// states stored.
    #[default]
    Compact,
    /// Every state as the full byte string of its parts: no collision is possible, memory grows
    /// with the state size. For small configurations and for checking that compaction lost nothing.
    Exact,
}

/// A digest of one value.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Digest {
    Compact(u128),
    Exact(Vec<u8>),
}

impl Digest {
    /// The digest of `value` in `mode`.
    pub fn of<T: Hash + ?Sized>(mode: StateMode, value: &T) -> Digest {
        match mode {
            StateMode::Compact => {
                let mut h = Fp128::new();
                value.hash(&mut h);
                Digest::Compact(h.finish128())
            }
            StateMode::Exact => {
                let mut h = Bytes::default();
                value.hash(&mut h);
                Digest::Exact(h.0)
            }
        }
    }

    /// A 64-bit value's digest: the value itself (no hashing needed to keep it exact).
    pub fn word(mode: StateMode, value: u64) -> Digest {
        match mode {
            StateMode::Compact => Digest::Compact(u128::from(value)),
            StateMode::Exact => Digest::Exact(value.to_le_bytes().to_vec()),
        }
    }

    /// The digest of a sequence extended by one more element: `self` digests the sequence so far.
    /// Compact: a hash of the pair (so order matters). Exact: the bytes appended, length-prefixed.
    pub fn extend<T: Hash + ?Sized>(&mut self, item: &T) {
        match self {
            Digest::Compact(acc) => {
                let mut h = Fp128::new();
                acc.hash(&mut h);
                item.hash(&mut h);
                *acc = h.finish128();
            }
            Digest::Exact(bytes) => {
                let mut h = Bytes::default();
                item.hash(&mut h);
                bytes.extend_from_slice(&(h.0.len() as u64).to_le_bytes());
                bytes.extend_from_slice(&h.0);
            }
        }
    }

    /// The digest of an empty sequence.
    pub fn empty(mode: StateMode) -> Digest {
        match mode {
            StateMode::Compact => Digest::Compact(0),
            StateMode::Exact => Digest::Exact(Vec::new()),
        }
    }

    /// Bytes this digest occupies beyond its own size (for the visited set's memory figure).
    pub fn heap_bytes(&self) -> usize {
        match self {
            Digest::Compact(_) => 0,
            Digest::Exact(bytes) => bytes.capacity(),
        }
    }
}

/// Two SipHash-1-3 instances (std's `DefaultHasher`, fixed keys) fed the same bytes, the second
/// after a fixed prefix: 128 bits of pseudo-random output, deterministic across runs.
pub struct Fp128 {
    a: DefaultHasher,
    b: DefaultHasher,
}

impl Fp128 {
    pub fn new() -> Fp128 {
        let mut b = DefaultHasher::new();
        b.write_u64(0x9e37_79b9_7f4a_7c15);
        Fp128 { a: DefaultHasher::new(), b }
    }

    pub fn finish128(&self) -> u128 {
        (u128::from(self.a.finish()) << 64) | u128::from(self.b.finish())
    }
}

impl Default for Fp128 {
    fn default() -> Self {
        Fp128::new()
    }
}

impl Hasher for Fp128 {
    fn write(&mut self, bytes: &[u8]) {
        self.a.write(bytes);
        self.b.write(bytes);
    }

    fn finish(&self) -> u64 {
        self.a.finish()
    }
}

/// A "hasher" that keeps the bytes it is fed.
#[derive(Default)]
struct Bytes(Vec<u8>);

impl Hasher for Bytes {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn finish(&self) -> u64 {
        unreachable!("exact digests are read as bytes, never finished")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_tell_values_and_orders_apart_in_both_modes() {
        for mode in [StateMode::Compact, StateMode::Exact] {
            assert_eq!(Digest::of(mode, &(1u64, vec![2u8, 3])), Digest::of(mode, &(1u64, vec![2u8, 3])));
            assert_ne!(Digest::of(mode, &(1u64, vec![2u8, 3])), Digest::of(mode, &(1u64, vec![3u8, 2])));
            // Slices are length-prefixed: moving an element across a boundary changes the bytes.
            assert_ne!(Digest::of(mode, &(vec![1u8], vec![2u8])), Digest::of(mode, &(vec![1u8, 2], Vec::<u8>::new())));
            let (mut ab, mut ba) = (Digest::empty(mode), Digest::empty(mode));
            ab.extend(&1u8);
            ab.extend(&2u8);
            ba.extend(&2u8);
            ba.extend(&1u8);
            assert_ne!(ab, ba, "a history digest depends on the order of its events");
            assert_ne!(Digest::word(mode, 1), Digest::word(mode, 2));
        }
    }
}
