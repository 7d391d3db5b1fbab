//! The waste bound: the arenas taken from the OS are what the requests need, plus at most one per
//! thread that raced to sysAlloc. It is what 6c4a8d19's revalidation is for: a thread that dropped
//! the lock for sysAlloc tries `next` again after re-locking, and puts its fresh arena back on the
//! free list if another thread's arena now has room, instead of linking it in front of that room.
//!
//! The argument, in two checked parts (std-typed, no scheduling point):
//! 1. **No arena is asked for while one idles** ([`check_sysalloc`], each time a thread is about
//!    to ask sysAlloc, under the lock). Every arena handed out so far is on next, current or
//!    previous, or in the hands of a thread that dropped the lock for sysAlloc and has not yet
//!    re-locked (at most one each). An arena on the free list at that moment is one the OS need
//!    not have been asked for; one in no list and no racing thread's hands is lost.
//! 2. **No arena in use is abandoned with room** ([`check_abandoned_room`], at quiescence). Only
//!    the head of `next` is allocated from, so an arena behind a list's head can never be used
//!    again until it is freed; every such arena must have less room than the largest request.
//!    True in Go: an arena leaves the head only when a request found it without room (v2: or
//!    when an atomic add overshot it, which happens only once the successful adds leave less
//!    room than the request). The room is computed from the live allocations in the ledger, not
//!    from the arena's own offset: the oracle does not ask the code under test.
//!
//! Together: when the OS is asked, the arenas handed out are those in use (every one but the
//! three list heads holding all but less than one largest request of live bits) plus one per
//! racing thread; under v0 the lock is never dropped, no thread races, and the OS is asked only
//! when every arena is in use and the head has no room: exactly what next-fit needs.

use super::arena::ArenaId;
use super::audit::{Allocation, Finding, Walk};
use crate::check::ViolationKind;

/// What the lists hold when a thread is about to ask sysAlloc (under the lock).
pub struct AtSysAlloc<'a> {
    pub thread: u32,
    /// Arenas the OS has handed out so far, the free list's at the start included.
    pub handed_out: usize,
    /// The free, next, current and previous lists.
    pub lists: &'a [(&'static str, Walk)],
    /// Threads that dropped the lock for sysAlloc and have not re-locked.
    pub racing: u32,
}

/// Part 1: every arena handed out is in use or in a racing thread's hands.
pub fn check_sysalloc(at: &AtSysAlloc) -> Result<(), Finding> {
    let on = |name: &str| at.lists.iter().filter(|(n, _)| *n == name).map(|(_, w)| w.arenas.len()).sum::<usize>();
    let in_use = on("next") + on("current") + on("previous");
    let accounted = in_use + at.racing as usize;
    if at.handed_out <= accounted {
        return Ok(());
    }
    let idle = at.handed_out - accounted;
    let free = at.lists.iter().find(|(n, _)| *n == "free").map(|(_, w)| w.clone()).unwrap_or_default();
    let counts =
        format!("{} arenas handed out, {in_use} on next/current/previous, {} threads racing to sysAlloc", at.handed_out, at.racing);
    if !free.arenas.is_empty() {
        return Err((
            ViolationKind::WastedArena,
            format!("T{} asks sysAlloc for an arena while free={free} holds {idle} idle ({counts})", at.thread),
        ));
    }
    Err((
        ViolationKind::LostArena,
        format!("T{} asks sysAlloc for an arena while {idle} are on no list and in no racing thread's hands ({counts})", at.thread),
    ))
}

/// Part 2, at quiescence: every arena behind the head of next, current or previous has less room
/// than `largest` bytes, by the live allocations of the final `epoch`.
pub fn check_abandoned_room(
    lists: &[(&'static str, Walk)],
    allocations: &[Allocation],
    epoch: u64,
    capacity: u64,
    largest: u64,
) -> Result<(), Finding> {
    let used =
        |arena: ArenaId| allocations.iter().filter(|a| a.arena == arena && a.live_in(epoch)).map(|a| a.offset + a.bytes).max().unwrap_or(0);
    for (name, walk) in lists.iter().filter(|(n, _)| *n != "free") {
        let Some((head, behind)) = walk.arenas.split_first() else { continue };
        for &arena in behind {
            let room = capacity.saturating_sub(used(arena));
            if room >= largest {
                return Err((
                    ViolationKind::WastedArena,
                    format!(
                        "{arena} on {name}, behind its head {head}, has {room} bytes free, room for the largest request ({largest} bytes), \
                         and is never allocated from again: abandoned, so the OS is asked for more than the requests need"
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(ids: &[u32]) -> Walk {
        Walk { arenas: ids.iter().map(|&i| ArenaId(i)).collect(), cycle_at: None }
    }

    fn alloc(arena: u32, offset: u64, bytes: u64, epoch: u64) -> Allocation {
        Allocation { thread: 0, arena: ArenaId(arena), offset, bytes, epoch }
    }

    #[test]
    fn sysalloc_with_an_idle_arena_is_waste_and_an_unaccounted_one_is_lost() {
        let lists = [("free", walk(&[])), ("next", walk(&[1])), ("current", walk(&[0])), ("previous", walk(&[]))];
        assert_eq!(check_sysalloc(&AtSysAlloc { thread: 0, handed_out: 3, lists: &lists, racing: 1 }), Ok(()));
        let lost = check_sysalloc(&AtSysAlloc { thread: 0, handed_out: 3, lists: &lists, racing: 0 }).unwrap_err();
        assert_eq!(lost.0, ViolationKind::LostArena);
        let idle = [("free", walk(&[2])), ("next", walk(&[1])), ("current", walk(&[0])), ("previous", walk(&[]))];
        let (kind, detail) = check_sysalloc(&AtSysAlloc { thread: 1, handed_out: 3, lists: &idle, racing: 0 }).unwrap_err();
        assert_eq!(kind, ViolationKind::WastedArena);
        assert_eq!(detail, "T1 asks sysAlloc for an arena while free=[a2] holds 1 idle (3 arenas handed out, 2 on next/current/previous, 0 threads racing to sysAlloc)");
    }

    #[test]
    fn room_behind_a_head_is_abandoned_only_if_a_request_fits() {
        let lists = [("free", walk(&[3])), ("next", walk(&[1, 0])), ("current", walk(&[2]))];
        // a0 holds 8 of 16 bytes: room for a request of 16? No; of 8: yes.
        let allocs = [alloc(0, 0, 8, 1), alloc(1, 0, 8, 1)];
        assert_eq!(check_abandoned_room(&lists, &allocs, 1, 16, 16), Ok(()));
        let (kind, detail) = check_abandoned_room(&lists, &allocs, 1, 16, 8).unwrap_err();
        assert_eq!(kind, ViolationKind::WastedArena);
        assert!(detail.starts_with("a0 on next, behind its head a1, has 8 bytes free"), "{detail}");
        // Dead allocations (three epochs on) do not fill an arena; heads and the free list never count.
        assert!(check_abandoned_room(&lists, &allocs, 4, 16, 16).is_err());
        assert_eq!(check_abandoned_room(&[("next", walk(&[1])), ("free", walk(&[0, 3]))], &[], 0, 16, 8), Ok(()));
    }
}
