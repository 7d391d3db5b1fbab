//! `headTailIndex`: a span set's head and tail packed into one word, so that a pop can claim the
//! head against the tail it read with a single CAS.
//!
//! Ports `headTailIndex`, `makeHeadTailIndex`, `head`, `tail`, `split` and `atomicHeadTailIndex`'s
//! `load`, `cas`, `incTail` and `reset` (src/runtime/mspanset.go, go1.25.6; the type is 2020's,
//! wrapped in `atomicHeadTailIndex` when the runtime's atomics became typed). `incHead` and
//! `decHead` are not ported: nothing in the runtime calls them.
//!
//! Differences from Go:
//! - The width of each half is a parameter ([`IndexWidth`]; Go's is 32): under the checkers a
//!   width of 2 or 3 bits makes the tail's wrap, and so Go's "headTailIndex overflow" throw,
//!   reachable in a few pushes.
//! - Go's `incTail` adds 1 to the whole word, so a tail that wraps carries into the head; the
//!   model adds 1 to the whole word too, so the broken variant without the check corrupts the head
//!   exactly as Go's word would. Bits above the head's field are ignored, as they would fall off
//!   Go's 64-bit word.

use super::Variant;
use crate::check::Ctx;
use crate::platform::{AtomicU64, Ordering, Platform};

/// Bits in each half of a [`HeadTailIndex`].
///
/// Invariant: `1 <= bits <= 32`, so both halves fit in one 64-bit word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IndexWidth(pub u32);

impl IndexWidth {
    /// Go's: 32-bit head and tail.
    pub const GO: IndexWidth = IndexWidth(32);

    fn mask(self) -> u64 {
        (1u64 << self.0) - 1
    }

    /// The largest index a half holds: `2^bits - 1` pushes fit before a reset.
    pub fn max(self) -> u64 {
        self.mask()
    }

    /// `makeHeadTailIndex`: the head above the tail. Bits of either that do not fit are dropped,
    /// as Go's `uint32` conversions would drop them; [`IndexWidth::round_trips`] says whether any was.
    pub fn make(self, head: u64, tail: u64) -> HeadTailIndex {
        HeadTailIndex(((head & self.mask()) << self.0) | (tail & self.mask()))
    }

    pub fn head(self, word: HeadTailIndex) -> u64 {
        (word.0 >> self.0) & self.mask()
    }

    pub fn tail(self, word: HeadTailIndex) -> u64 {
        word.0 & self.mask()
    }

    /// `split`: (head, tail).
    pub fn split(self, word: HeadTailIndex) -> (u64, u64) {
        (self.head(word), self.tail(word))
    }

    /// Whether `(head, tail)` survives packing and splitting unchanged.
    pub fn round_trips(self, head: u64, tail: u64) -> bool {
        self.split(self.make(head, tail)) == (head, tail)
    }
}

/// A packed (head, tail) word, as Go's `headTailIndex` is a `uint64`. Only [`IndexWidth`] reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct HeadTailIndex(pub u64);

/// `atomicHeadTailIndex`: the span set's `index` field.
pub struct AtomicHeadTailIndex<P: Platform> {
    /// Protocol: every access is one of Go's sequentially consistent atomics: pushes claim a tail
    /// slot by an add, pops claim the head by a CAS against the (head, tail) they read, reset
    /// stores zero only when no other operation runs (Go's contract).
    word: P::AtomicU64,
    width: IndexWidth,
}

impl<P: Platform> AtomicHeadTailIndex<P> {
    pub fn new(width: IndexWidth) -> Self {
        AtomicHeadTailIndex { word: P::AtomicU64::new(0), width }
    }

    pub fn width(&self) -> IndexWidth {
        self.width
    }

    pub fn load(&self) -> HeadTailIndex {
        HeadTailIndex(self.word.load(Ordering::SeqCst))
    }

    pub fn cas(&self, old: HeadTailIndex, new: HeadTailIndex) -> bool {
        self.word.compare_exchange(old.0, new.0, Ordering::SeqCst, Ordering::Relaxed).is_ok()
    }

    /// `incTail`: claims the next tail slot and returns the word after the add. Go throws when
    /// the tail wrapped to zero, before the corrupted head is used; `NoOverflowCheck` does not.
    pub fn inc_tail(&self, variant: Variant, cx: &Ctx) -> HeadTailIndex {
        let ht = HeadTailIndex(self.word.fetch_add(1, Ordering::SeqCst).wrapping_add(1));
        if self.width.tail(ht) == 0 && variant != Variant::NoOverflowCheck {
            cx.step("incTail", format_args!("runtime: head = {}, tail = {}", self.width.head(ht), self.width.tail(ht)));
            cx.throw("headTailIndex overflow");
        }
        ht
    }

    pub fn reset(&self) {
        self.word.store(0, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::violation_of;
    use crate::check::ViolationKind;
    use crate::platform::Std;

    #[test]
    fn go_width_packs_as_go_does() {
        let w = IndexWidth::GO;
        // Go: uint64(head)<<32 | uint64(tail).
        assert_eq!(w.make(7, 0xffff_fffe).0, (7u64 << 32) | 0xffff_fffe);
        assert_eq!(w.split(w.make(7, 9)), (7, 9));
        assert!(w.round_trips(u32::MAX as u64, u32::MAX as u64));
        assert!(!w.round_trips(1 << 32, 0), "a head past 32 bits is dropped, as Go's uint32 drops it");
    }

    #[test]
    fn narrow_widths_round_trip_within_their_range_only() {
        let w = IndexWidth(2);
        for head in 0..=3 {
            for tail in 0..=3 {
                assert!(w.round_trips(head, tail), "({head}, {tail})");
            }
        }
        assert!(!w.round_trips(0, 4));
        assert!(!w.round_trips(4, 0));
        assert_eq!(w.max(), 3);
    }

    #[test]
    fn inc_tail_throws_go_s_message_on_wrap_and_the_unchecked_variant_carries_into_the_head() {
        let rec = crate::check::Recorder::new(false);
        let cx = Ctx::thread(&rec, 0);
        let index = AtomicHeadTailIndex::<Std>::new(IndexWidth(2));
        for want in 1..=3 {
            assert_eq!(index.width().tail(index.inc_tail(Variant::Go, &cx)), want);
        }
        let go = std::panic::AssertUnwindSafe(&index);
        let err = std::panic::catch_unwind(|| go.inc_tail(Variant::Go, &Ctx::thread(&rec, 0)));
        assert!(err.is_err());
        assert_eq!(rec.violation().unwrap().detail, "headTailIndex overflow");

        let unchecked = AtomicHeadTailIndex::<Std>::new(IndexWidth(2));
        for _ in 0..4 {
            unchecked.inc_tail(Variant::NoOverflowCheck, &cx);
        }
        assert_eq!(unchecked.width().split(unchecked.load()), (1, 0), "the tail's carry lands in the head");
        let wrap_at_two = |cx: &Ctx| {
            let index = AtomicHeadTailIndex::<Std>::new(IndexWidth(1));
            index.inc_tail(Variant::Go, cx);
            index.inc_tail(Variant::Go, cx);
        };
        assert_eq!(violation_of(wrap_at_two), ViolationKind::Throw);
    }
}
