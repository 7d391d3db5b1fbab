//! `gcBitsArenas`: the lock, the four lists, and the Go functions that use them.
//!
//! Ports `tryAlloc`, `newMarkBits`, `newArenaMayUnlock` and `nextMarkBitArenaEpoch`
//! (src/runtime/mheap.go): v0 is the code before 6c4a8d19 (`newArena` under the lock), v1 is
//! 6c4a8d19, v2 is 2ef88f7f. The broken variants are branches beside the line they break.
//!
//! Differences from Go:
//! - v2's `gcBitsArenas.next` is two things here: the list head in [`Lists`] that Go reads plainly
//!   under the lock, and the atomic `GcBitsArenas::next_published` that Go loads without it.
//!   Both are written together, under the lock, where Go does its atomic store; so reads under the
//!   lock cost no scheduling point and the fast path reads exactly what Go's fast path reads.
//! - Arena headers (the `next` links, and the free offset under v0/v1) sit in a table under the
//!   lock, indexed by arena id.

use super::arena::{Arena, ArenaId, Header, Named};
use super::audit::Walk;
use super::os::Os;
use super::waste::{check_sysalloc, AtSysAlloc};
use super::{Base, Variant};
use crate::check::Ctx;
use crate::platform::{AtomicU64, Mutex, Ordering, Platform};
use std::fmt;

/// The four lists of `gcBitsArenas`. Invariant (at quiescence): every arena the OS handed out is
/// on exactly one of them. An arena filled in epoch e is on `next` in e, `current` in e+1,
/// `previous` in e+2 and `free` from the start of e+3.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Lists {
    pub free: Option<ArenaId>,
    pub next: Option<ArenaId>,
    pub current: Option<ArenaId>,
    pub previous: Option<ArenaId>,
}

/// Everything `gcBitsArenas.lock` protects.
pub struct Locked {
    lists: Lists,
    /// Indexed by arena id.
    headers: Vec<Header>,
    /// Audit only, not in Go: threads that dropped the lock for sysAlloc and have not re-locked,
    /// for the waste bound (see [`waste`](super::waste)).
    racing: u32,
}

/// What the stateful search fingerprints of the locked data: not `racing`, which is a function
/// of where the threads are (the state holds that already); hashing it would make a thread that
/// locks remember how many others were racing, and split states whose futures are the same.
impl std::hash::Hash for Locked {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.lists.hash(state);
        self.headers.hash(state);
    }
}

type Guard<'a, P> = <<P as Platform>::Mutex<Locked> as Mutex<Locked>>::Guard<'a>;

/// Bits `newMarkBits` handed out: `[arena+offset, +bytes)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bits {
    pub arena: ArenaId,
    pub offset: u64,
    pub bytes: u64,
}

impl fmt::Display for Bits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}+{},+{})", self.arena, self.offset, self.bytes)
    }
}

/// What one thread's calls cost beyond the bits they returned. The thread's own (std) data.
#[derive(Clone, Copy, Debug, Default, Hash)]
pub struct Tally {
    /// Arenas this thread got from sysAlloc (its count also picks its next slot).
    pub sysallocs: usize,
    /// Arenas taken that the request did not need: v1's surplus put back on the free list, or,
    /// without revalidation, a fresh arena linked in front of a `next` that had room.
    pub wasted: u64,
    /// Without revalidation only: bytes of room left behind in a `next` arena that could have
    /// served the request when fresh was pushed in front of it. They stay unused until that
    /// arena is freed three epochs later; v1's surplus, by contrast, is reused at once.
    pub abandoned_bytes: u64,
}

/// Go's request rounding: whole 64-bit words of bits, `((nelems+63)/64)*8` bytes.
pub fn bytes_needed(nelems: u64) -> u64 {
    nelems.div_ceil(64) * 8
}

/// `gcBitsArenas` and the arenas it manages.
pub struct GcBitsArenas<P: Platform> {
    variant: Variant,
    capacity: u64,
    /// `gcBitsArenas.lock` and what it protects.
    lock: P::Mutex<Locked>,
    /// v2 only: `gcBitsArenas.next` as the fast path sees it, id + 1 (0 is nil). "Read atomically.
    /// Write atomically under lock." Invariant: equal to `Lists::next` whenever the lock is free.
    next_published: P::AtomicU64,
    pub(crate) os: Os<P>,
}

fn encode(a: Option<ArenaId>) -> u64 {
    a.map_or(0, |a| u64::from(a.0) + 1)
}

fn decode(word: u64) -> Option<ArenaId> {
    word.checked_sub(1).map(|i| ArenaId(i as u32))
}

impl<P: Platform> GcBitsArenas<P> {
    /// Lists empty, except `free`, which holds `free_at_start` in order.
    pub fn new(variant: Variant, words: usize, os: Os<P>, free_at_start: &[ArenaId]) -> Self {
        let mut headers = vec![Header::default(); os.slot_count()];
        for pair in free_at_start.windows(2) {
            headers[pair[0].index()].next = Some(pair[1]);
        }
        let lists = Lists { free: free_at_start.first().copied(), ..Lists::default() };
        GcBitsArenas {
            variant,
            capacity: words as u64 * 8,
            lock: P::Mutex::new(Locked { lists, headers, racing: 0 }),
            next_published: P::AtomicU64::new(0),
            os,
        }
    }

    fn lockfree(&self) -> bool {
        self.variant.base() == Base::V2
    }

    /// The memory of an arena that is on a list or was just obtained.
    pub fn arena(&self, id: ArenaId, cx: &Ctx) -> &Arena<P> {
        match self.os.arena(id) {
            Some(arena) => arena,
            None => cx.fail(crate::check::ViolationKind::Panic, format!("{id} was never handed out by the OS")),
        }
    }

    /// `tryAlloc`: bits from `b`, or `None` if `b` is nil or lacks room.
    /// v0, v1: `lock` must be held (the free offset is under it). v2: safe without it.
    fn try_alloc(&self, locked: &mut Locked, b: Option<ArenaId>, bytes: u64, cx: &Ctx) -> Option<Bits> {
        if self.lockfree() {
            return self.try_alloc_atomic(b, bytes, cx);
        }
        let b = b?;
        let header = &mut locked.headers[b.index()];
        if header.free + bytes > self.capacity {
            return None;
        }
        let offset = header.free;
        header.free += bytes;
        Some(Bits { arena: b, offset, bytes })
    }

    /// v2's `tryAlloc`, "safe to call concurrently": load, check, add, check again.
    fn try_alloc_atomic(&self, b: Option<ArenaId>, bytes: u64, cx: &Ctx) -> Option<Bits> {
        let b = b?;
        let arena = self.arena(b, cx);
        let free = arena.free.load(Ordering::SeqCst);
        if free + bytes > self.capacity {
            return None;
        }
        if self.variant == Variant::NonAtomicBump {
            // R8: a load and a store instead of one atomic add. Two threads that both loaded the
            // same offset both store offset+bytes and both return the same bits.
            cx.step("tryAlloc", format_args!("{b}: loaded free = {free}"));
            arena.free.store(free + bytes, Ordering::SeqCst);
            cx.step("tryAlloc", format_args!("{b}: stored free = {} (a load and a store, not an atomic add)", free + bytes));
            return Some(Bits { arena: b, offset: free, bytes });
        }
        let end = arena.free.fetch_add(bytes, Ordering::SeqCst) + bytes;
        if end > self.capacity && self.variant != Variant::NoPostAddCheck {
            // Another thread added first; the overshoot is never undone.
            cx.step("tryAlloc", format_args!("{b}: free went to {end} past {}: no room after all", self.capacity));
            return None;
        }
        // R7 (NoPostAddCheck) falls through: the bits run past the end of the arena.
        Some(Bits { arena: b, offset: end - bytes, bytes })
    }

    /// `newMarkBits` (and `newAllocBits`, which is the same function): 8-byte aligned, zeroed
    /// bits for a span of `nelems` objects. `lock` must not be held.
    pub fn new_mark_bits(&self, nelems: u64, tally: &mut Tally, cx: &Ctx) -> Bits {
        let bytes = match self.variant {
            // Broken: 65 objects get one word, 1 object none; the audit's own rounding catches it.
            Variant::TruncatedBits => nelems / 64 * 8,
            _ => bytes_needed(nelems),
        };
        if self.lockfree() {
            // Try directly allocating from the current head arena, without the lock.
            let head = decode(self.next_published.load(Ordering::SeqCst));
            cx.step("newMarkBits", format_args!("fast path: loaded next = {}", Named(head)));
            if let Some(bits) = self.try_alloc_atomic(head, bytes, cx) {
                cx.step("newMarkBits", format_args!("fast path: took {bits} from {}", Named(head)));
                return bits;
            }
            cx.step("newMarkBits", format_args!("fast path: no room for {bytes} bytes in {}; locking", Named(head)));
        }
        let mut guard = self.lock.lock();
        let next = guard.lists.next;
        if let Some(bits) = self.try_alloc(&mut guard, next, bytes, cx) {
            cx.step("newMarkBits", format_args!("locked; took {bits} from next {}; unlock", Named(next)));
            drop(guard);
            return bits;
        }
        cx.step("newMarkBits", format_args!("locked; next {} has no room for {bytes} bytes: need an arena", Named(next)));
        let next_before_unlock = next;

        let (mut guard, fresh) = self.new_arena_may_unlock(guard, tally, cx);
        // Revalidate: if newArenaMayUnlock dropped the lock, another thread may have put a fresh
        // arena on next (and it may have room), and the list head we read is stale.
        if let Some(bits) = self.revalidate(&mut guard, fresh, bytes, tally, cx) {
            drop(guard);
            return bits;
        }

        if self.variant == Variant::PublishBeforeAlloc {
            // R9: fresh is on next, and visible to the fast path, before we allocate from it.
            let link = guard.lists.next;
            self.push_next(&mut guard, fresh, link, cx);
        }
        // Allocate from the fresh arena. Nobody else can see it yet, so this cannot fail.
        let Some(bits) = self.try_alloc(&mut guard, Some(fresh), bytes, cx) else {
            cx.step("newMarkBits", format_args!("tryAlloc on fresh {fresh} found no room"));
            cx.throw("markBits overflow");
        };
        if let (Variant::FreshBehindNext, Some(head)) = (self.variant, guard.lists.next) {
            // Broken: fresh goes second, where no request looks; the full head stays in front.
            guard.headers[fresh.index()].next = guard.headers[head.index()].next;
            guard.headers[head.index()].next = Some(fresh);
            cx.step("newMarkBits", format_args!("took {bits} from fresh {fresh}; linked behind next's head {head}; unlock"));
            drop(guard);
            return bits;
        }
        if self.variant != Variant::PublishBeforeAlloc {
            let link = if self.variant == Variant::StaleNextLink {
                // R6: the next read before the lock was dropped, not the current one.
                next_before_unlock
            } else {
                guard.lists.next
            };
            self.push_next(&mut guard, fresh, link, cx);
        }
        cx.step("newMarkBits", format_args!("took {bits} from fresh {fresh}; unlock"));
        drop(guard);
        bits
    }

    /// After newArenaMayUnlock. `lock` must be held (it may have been released and re-taken).
    /// Returns bits from `next` when it now has room, with fresh back on the free list (v1, v2);
    /// `None` sends the caller on to allocate from fresh.
    fn revalidate(&self, locked: &mut Locked, fresh: ArenaId, bytes: u64, tally: &mut Tally, cx: &Ctx) -> Option<Bits> {
        let next = locked.lists.next;
        if self.variant.base() == Base::V0 {
            // v0 never released the lock: next is as we left it, and had no room.
            return None;
        }
        if self.variant == Variant::NoRevalidation {
            let room = self.room(locked, next);
            if room >= bytes {
                // The check Go would make, made here only to count what skipping it wastes.
                tally.wasted += 1;
                tally.abandoned_bytes += room;
                cx.step(
                    "newMarkBits",
                    format_args!(
                        "no revalidation: next {} had {room} bytes free, but fresh {fresh} goes in front of it (wasted)",
                        Named(next)
                    ),
                );
            }
            return None;
        }
        let Some(bits) = self.try_alloc(locked, next, bytes, cx) else {
            cx.step("newMarkBits", format_args!("revalidate: next {} still has no room", Named(next)));
            return None;
        };
        // Put fresh back on the free list: it is already zero.
        locked.headers[fresh.index()].next = locked.lists.free;
        locked.lists.free = Some(fresh);
        tally.wasted += 1;
        cx.step(
            "newMarkBits",
            format_args!(
                "revalidate: next is now {} with room: took {bits}; fresh {fresh} back on the free list (wasted); unlock",
                Named(next)
            ),
        );
        Some(bits)
    }

    /// Bytes still free in `b` (v1 family only: the offset is under the lock); 0 for nil.
    fn room(&self, locked: &Locked, b: Option<ArenaId>) -> u64 {
        b.map_or(0, |b| self.capacity.saturating_sub(locked.headers[b.index()].free))
    }

    /// Links `fresh` in front of `link` and makes it the head of next. `lock` must be held.
    fn push_next(&self, locked: &mut Locked, fresh: ArenaId, link: Option<ArenaId>, cx: &Ctx) {
        locked.headers[fresh.index()].next = link;
        // R6 names the arena it unlinks, so the trace shows where that arena is lost.
        let stale = match locked.lists.next {
            _ if link == locked.lists.next => String::new(),
            Some(unlinked) => format!(" (the next read before the lock was dropped; {unlinked}, next now, is unlinked)"),
            None => " (the next read before the lock was dropped)".to_string(),
        };
        locked.lists.next = Some(fresh);
        let mut how = "";
        if self.lockfree() {
            // R10: Relaxed does not publish fresh's initialisation to the fast path.
            let order = if self.variant == Variant::RelaxedNextPublication { Ordering::Relaxed } else { Ordering::SeqCst };
            self.next_published.store(encode(Some(fresh)), order);
            how = if order == Ordering::Relaxed { " (a Relaxed store)" } else { " (an atomic store)" };
        }
        cx.step("newMarkBits", format_args!("fresh {fresh} linked in front of {}{stale}; next = {fresh}{how}", Named(link)));
    }

    /// `newArenaMayUnlock` (v1, v2) or `newArena` (v0): a zeroed arena, from the free list or the
    /// OS. `lock` must be held; it may be temporarily released (never under v0).
    fn new_arena_may_unlock<'a>(&'a self, mut guard: Guard<'a, P>, tally: &mut Tally, cx: &Ctx) -> (Guard<'a, P>, ArenaId) {
        // Broken (sysalloc-before-free-list): the free list is never looked at.
        let free = guard.lists.free.filter(|_| self.variant != Variant::SysAllocBeforeFreeList);
        let fresh = match free {
            Some(reused) => {
                guard.lists.free = guard.headers[reused.index()].next;
                if self.variant == Variant::ReuseWithoutClearing {
                    cx.step("newArenaMayUnlock", format_args!("took {reused} from the free list, not cleared"));
                } else {
                    self.arena(reused, cx).clear();
                    cx.step("newArenaMayUnlock", format_args!("took {reused} from the free list; memclr"));
                }
                if self.lockfree() {
                    // A plain store in Go: no list holds the arena, so nobody else reads it.
                    self.arena(reused, cx).free.store(0, Ordering::Relaxed);
                }
                reused
            }
            None if self.variant.base() == Base::V0 => {
                cx.step("newArena", format_args!("free list empty: sysAlloc with the lock held"));
                self.check_waste_bound(&guard, cx);
                self.sys_alloc(tally, cx)
            }
            None => {
                cx.step("newArenaMayUnlock", format_args!("free list empty: dropping the lock for sysAlloc"));
                self.check_waste_bound(&guard, cx);
                guard.racing += 1;
                drop(guard);
                let fresh = self.sys_alloc(tally, cx);
                guard = self.lock.lock();
                // Revalidate: every list may have changed while the lock was dropped; the caller
                // tries next again. Only fresh itself is still ours (and it is placed before this
                // hold ends, so it is no longer counted as racing).
                guard.racing -= 1;
                cx.step("newArenaMayUnlock", format_args!("re-locked with fresh {fresh}"));
                fresh
            }
        };
        guard.headers[fresh.index()] = Header { next: None, free: 0 };
        (guard, fresh)
    }

    /// The waste bound's first part, as a thread is about to ask sysAlloc. `lock` must be held.
    fn check_waste_bound(&self, locked: &Locked, cx: &Ctx) {
        let thread = cx.id().expect("only model threads allocate");
        let lists = self.walk_all(locked);
        let at = AtSysAlloc { thread, handed_out: self.os.handed_out(), lists: &lists, racing: locked.racing };
        if let Err((kind, detail)) = check_sysalloc(&at) {
            cx.fail(kind, detail);
        }
    }

    fn sys_alloc(&self, tally: &mut Tally, cx: &Ctx) -> ArenaId {
        let thread = cx.id().expect("only model threads allocate");
        match self.os.sys_alloc(thread, &mut tally.sysallocs) {
            Some(fresh) => {
                cx.step("sysAlloc", format_args!("returned {fresh}"));
                fresh
            }
            None => {
                cx.step("sysAlloc", format_args!("returned nil"));
                cx.throw("runtime: cannot allocate memory")
            }
        }
    }

    /// `nextMarkBitArenaEpoch`, with the world stopped: previous goes onto free, current becomes
    /// previous, next becomes current, next is nil.
    pub fn next_mark_bit_arena_epoch(&self, epoch: u64, cx: &Ctx) {
        let mut guard = self.lock.lock();
        let locked = &mut *guard;
        if self.variant == Variant::RotationSkipsPrevious {
            // R11: current goes straight to free; its bits are still live (they are the mark bits
            // the sweep is about to turn into alloc bits).
            let current = locked.lists.current;
            self.prepend_to_free(locked, current, cx);
        } else {
            let previous = locked.lists.previous;
            self.prepend_to_free(locked, previous, cx);
            locked.lists.previous = locked.lists.current;
        }
        locked.lists.current = locked.lists.next;
        locked.lists.next = None;
        if self.lockfree() {
            self.next_published.store(0, Ordering::SeqCst);
        }
        if cx.recorder().tracing() {
            let [free, next, current, previous] = self.walk_all(locked);
            cx.step(
                "nextMarkBitArenaEpoch",
                format_args!("epoch {epoch}: free={} previous={} current={} next={}", free.1, previous.1, current.1, next.1),
            );
        }
    }

    /// Puts the whole list at `head` in front of free. `lock` must be held.
    fn prepend_to_free(&self, locked: &mut Locked, head: Option<ArenaId>, cx: &Ctx) {
        let Some(head) = head else { return };
        let walk = self.walk(locked, Some(head));
        if let Some(at) = walk.cycle_at {
            cx.fail(crate::check::ViolationKind::CorruptList, format!("a list to be freed has a cycle at {at}"));
        }
        let last = *walk.arenas.last().expect("a non-empty list");
        locked.headers[last.index()].next = locked.lists.free;
        locked.lists.free = Some(head);
    }

    /// The list from `head`, by the headers' next links.
    fn walk(&self, locked: &Locked, head: Option<ArenaId>) -> Walk {
        Walk::follow(head, |a| locked.headers.get(a.index()).and_then(|h| h.next))
    }

    fn walk_all(&self, locked: &Locked) -> [(&'static str, Walk); 4] {
        let l = locked.lists;
        [
            ("free", self.walk(locked, l.free)),
            ("next", self.walk(locked, l.next)),
            ("current", self.walk(locked, l.current)),
            ("previous", self.walk(locked, l.previous)),
        ]
    }

    /// The four lists, at quiescence (takes the lock once; no other thread is alive).
    pub fn lists_at_quiescence(&self) -> [(&'static str, Walk); 4] {
        let guard = self.lock.lock();
        if self.lockfree() {
            debug_assert_eq!(decode(self.next_published.load(Ordering::SeqCst)), guard.lists.next);
        }
        self.walk_all(&guard)
    }
}
