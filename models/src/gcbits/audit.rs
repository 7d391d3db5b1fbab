//! The gcBits checks, in std types only: each allocation against its request (size) and its
//! arena (placement), the allocation ledger (overlap while live), and conservation of arenas at
//! quiescence. The expectations come from the request and the configuration, never from the
//! code under test.
//!
//! Nothing here is a Platform type, so recording adds no scheduling point and no happens-before
//! edge. Under loom and shuttle the ledger is updated the moment `newMarkBits` returns; on real
//! threads each thread keeps its own list and the main thread records them after the join.

use super::arena::ArenaId;
use super::os::Origin;
use crate::check::{Misplaced, Places, ViolationKind};
use std::fmt;

/// Bits handed out by `newMarkBits`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Allocation {
    pub thread: u32,
    pub arena: ArenaId,
    /// Byte offset into the arena's bits.
    pub offset: u64,
    pub bytes: u64,
    /// The epoch it was handed out in (the number of rotations before it).
    pub epoch: u64,
}

impl Allocation {
    fn end(&self) -> u64 {
        self.offset + self.bytes
    }

    fn overlaps(&self, other: &Allocation) -> bool {
        self.arena == other.arena && self.offset < other.end() && other.offset < self.end()
    }

    /// Live until the rotation that starts epoch e+3: next in e, current in e+1, previous in e+2.
    pub fn live_in(&self, epoch: u64) -> bool {
        epoch < self.epoch + 3
    }
}

impl fmt::Display for Allocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "T{} [{}+{},+{})", self.thread, self.arena, self.offset, self.bytes)
    }
}

/// A failed check: its kind and what happened.
pub type Finding = (ViolationKind, String);

/// In bounds of an arena of `capacity` bytes, and 8-byte aligned (the span's bitmap is read a
/// 64-bit word at a time).
pub fn check_placement(a: &Allocation, capacity: u64) -> Result<(), Finding> {
    if a.end() > capacity {
        return Err((
            ViolationKind::OutOfBounds,
            format!("{a} ends at byte {} of {}, which holds {capacity} bytes of bits", a.end(), a.arena),
        ));
    }
    if a.offset % 8 != 0 || a.bytes % 8 != 0 {
        return Err((ViolationKind::Misaligned, format!("{a} is not 8-byte aligned")));
    }
    Ok(())
}

/// Covers its request: a span of `nelems` objects needs one bit per object, in whole 64-bit words
/// (Go's newMarkBits: `blocksNeeded := uintptr((nelems + 63) / 64)`,
/// `bytesNeeded := blocksNeeded * 8`). The rounding is written out here again on purpose rather than calling the model's
/// `bytes_needed`: an oracle that asked the code under test how big the bits should be would pass
/// whatever size that code computed. More bytes than needed would be waste, not a safety bug, so
/// only fewer is a violation.
pub fn check_request(a: &Allocation, nelems: u64) -> Result<(), Finding> {
    // Go's expression, kept as Go writes it (not div_ceil) so the two can be compared by eye.
    #[allow(clippy::manual_div_ceil)]
    let needed = (nelems + 63) / 64 * 8;
    if a.bytes < needed {
        return Err((
            ViolationKind::UndersizedBits,
            format!("{a} holds {} bits for a span of {nelems} objects, which needs {needed} bytes ({} bits)", a.bytes * 8, needed * 8),
        ));
    }
    Ok(())
}

/// Every allocation that may still be live.
#[derive(Debug, Default)]
pub struct Ledger {
    live: Vec<Allocation>,
}

/// The set of live allocations, whatever order they were recorded in: threads that record in
/// either order reach the same ledger (so the stateful engine may merge the two).
impl std::hash::Hash for Ledger {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let mut live = self.live.clone();
        live.sort();
        live.hash(state);
    }
}

impl Ledger {
    /// The allocations recorded and not yet pruned (some may be dead: see [`Allocation::live_in`]).
    pub fn allocations(&self) -> &[Allocation] {
        &self.live
    }

    /// Records `a`, handed out in `epoch`; refuses it if it overlaps bits still live.
    pub fn record(&mut self, a: Allocation) -> Result<(), Finding> {
        self.live.retain(|old| old.live_in(a.epoch));
        if let Some(old) = self.live.iter().find(|old| old.overlaps(&a)) {
            let detail = if old.epoch == a.epoch {
                format!("{a} overlaps {old}, both handed out in epoch {}", a.epoch)
            } else {
                format!(
                    "{a} handed out in epoch {} overlaps {old} from epoch {}, live until the rotation that starts epoch {}: bits reused while live",
                    a.epoch,
                    old.epoch,
                    old.epoch + 3
                )
            };
            return Err((ViolationKind::DoubleAllocation, detail));
        }
        self.live.push(a);
        Ok(())
    }
}

/// One of the four lists, walked from its head at quiescence.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Walk {
    pub arenas: Vec<ArenaId>,
    /// The arena at which the walk came back on itself.
    pub cycle_at: Option<ArenaId>,
}

impl Walk {
    /// Follows `next` from `head`, stopping at the end or at the first repeat.
    pub fn follow(head: Option<ArenaId>, next: impl Fn(ArenaId) -> Option<ArenaId>) -> Walk {
        let mut walk = Walk::default();
        let mut at = head;
        while let Some(a) = at {
            if walk.arenas.contains(&a) {
                walk.cycle_at = Some(a);
                break;
            }
            walk.arenas.push(a);
            at = next(a);
        }
        walk
    }
}

impl fmt::Display for Walk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, a) in self.arenas.iter().enumerate() {
            write!(f, "{}{a}", if i > 0 { " " } else { "" })?;
        }
        if let Some(a) = self.cycle_at {
            write!(f, " -> {a}...")?;
        }
        f.write_str("]")
    }
}

/// At quiescence: every arena the OS handed out is on exactly one of the lists, once; nothing on
/// a list that the OS never handed out; no cycle.
pub fn check_conservation(ledger: &[(ArenaId, Origin)], lists: &[(&'static str, Walk)]) -> Result<(), Finding> {
    let shown = || lists.iter().map(|(name, w)| format!("{name}={w}")).collect::<Vec<_>>().join(" ");
    for (name, walk) in lists {
        if let Some(a) = walk.cycle_at {
            return Err((ViolationKind::CorruptList, format!("{name} has a cycle at {a} ({})", shown())));
        }
    }
    let mut places = Places::new(ledger.iter().map(|(a, _)| *a));
    for (name, walk) in lists {
        walk.arenas.iter().for_each(|&a| places.found(a, *name));
    }
    if let Some((a, on)) = places.first_stranger() {
        return Err((ViolationKind::CorruptList, format!("{a} is on {} but the OS never handed it out ({})", on[0], shown())));
    }
    let origin = |arena: ArenaId| ledger.iter().find(|(a, _)| *a == arena).map(|(_, o)| *o).expect("an expected arena is in the ledger");
    match places.first_misplaced() {
        None => Ok(()),
        Some(Misplaced::Lost(a)) => Err((ViolationKind::LostArena, format!("arena {a} ({}) is on no list: lost ({})", origin(a), shown()))),
        Some(Misplaced::Duplicated(a, on)) => {
            Err((ViolationKind::CorruptList, format!("arena {a} ({}) is on {} ({})", origin(a), on.join(" and "), shown())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alloc(thread: u32, arena: u32, offset: u64, bytes: u64, epoch: u64) -> Allocation {
        Allocation { thread, arena: ArenaId(arena), offset, bytes, epoch }
    }

    #[test]
    fn placement_catches_out_of_bounds_and_misalignment() {
        assert_eq!(check_placement(&alloc(0, 0, 8, 8, 0), 16), Ok(()));
        assert_eq!(check_placement(&alloc(0, 0, 16, 8, 0), 16).unwrap_err().0, ViolationKind::OutOfBounds);
        assert_eq!(check_placement(&alloc(0, 0, 4, 8, 0), 16).unwrap_err().0, ViolationKind::Misaligned);
    }

    #[test]
    fn an_allocation_smaller_than_its_request_is_undersized() {
        // 64 objects: one word; 65: two words; 1: one word (rounded up, never to zero).
        assert_eq!(check_request(&alloc(0, 0, 0, 8, 0), 64), Ok(()));
        assert_eq!(check_request(&alloc(0, 0, 0, 8, 0), 1), Ok(()));
        assert_eq!(check_request(&alloc(0, 0, 0, 16, 0), 65), Ok(()));
        // Bits sized by truncating instead of rounding up (65 objects in one word) do not cover
        // the span's last object, and nor do no bits at all.
        let (kind, detail) = check_request(&alloc(1, 0, 8, 8, 0), 65).unwrap_err();
        assert_eq!(kind, ViolationKind::UndersizedBits);
        assert_eq!(detail, "T1 [a0+8,+8) holds 64 bits for a span of 65 objects, which needs 16 bytes (128 bits)");
        assert_eq!(check_request(&alloc(0, 0, 0, 0, 0), 1).unwrap_err().0, ViolationKind::UndersizedBits);
        assert_eq!(check_request(&alloc(0, 0, 0, 16, 0), 129).unwrap_err().0, ViolationKind::UndersizedBits);
    }

    #[test]
    fn overlap_counts_only_while_live() {
        let mut ledger = Ledger::default();
        ledger.record(alloc(0, 0, 0, 16, 0)).unwrap();
        ledger.record(alloc(1, 0, 16, 8, 0)).unwrap();
        ledger.record(alloc(1, 1, 0, 8, 0)).unwrap();
        let (kind, detail) = ledger.record(alloc(2, 0, 8, 8, 0)).unwrap_err();
        assert_eq!(kind, ViolationKind::DoubleAllocation);
        assert_eq!(detail, "T2 [a0+8,+8) overlaps T0 [a0+0,+16), both handed out in epoch 0");
        let (_, detail) = ledger.record(alloc(2, 0, 0, 8, 2)).unwrap_err();
        assert!(detail.contains("bits reused while live"), "{detail}");
        // Epoch 3: the epoch-0 bits are dead, their arena may be reused.
        ledger.record(alloc(2, 0, 0, 8, 3)).unwrap();
    }

    #[test]
    fn conservation_finds_lost_duplicated_unknown_and_cyclic_arenas() {
        let ledger = [(ArenaId(0), Origin::SysAlloc { thread: 0 }), (ArenaId(1), Origin::SysAlloc { thread: 1 })];
        let walk = |ids: &[u32]| Walk { arenas: ids.iter().map(|&i| ArenaId(i)).collect(), cycle_at: None };
        let ok = [("free", walk(&[0])), ("next", walk(&[1]))];
        assert_eq!(check_conservation(&ledger, &ok), Ok(()));
        let lost = check_conservation(&ledger, &[("next", walk(&[1]))]).unwrap_err();
        assert_eq!(lost.0, ViolationKind::LostArena);
        assert!(lost.1.starts_with("arena a0 (from T0's sysAlloc) is on no list: lost"), "{}", lost.1);
        let twice = check_conservation(&ledger, &[("free", walk(&[0, 1])), ("next", walk(&[1]))]).unwrap_err();
        assert_eq!(twice.0, ViolationKind::CorruptList);
        let unknown = check_conservation(&ledger, &[("free", walk(&[0, 1, 7]))]).unwrap_err();
        assert!(unknown.1.contains("never handed it out"), "{}", unknown.1);
        let cycle = Walk { arenas: vec![ArenaId(0), ArenaId(1)], cycle_at: Some(ArenaId(0)) };
        assert_eq!(check_conservation(&ledger, &[("next", cycle)]).unwrap_err().0, ViolationKind::CorruptList);
    }
}
