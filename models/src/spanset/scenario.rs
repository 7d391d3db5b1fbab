//! The spanset scenario: threads push and pop spans over span sets that share one block pool,
//! with the ledger's checks as they run, and at quiescence span and block conservation, then
//! Go's reset of every set once nothing else runs.
//!
//! The shape is that of spanSet's users, the sweeper and mcentral (`partialSwept`, `fullUnswept`,
//! ...), which push and pop concurrently and reset in `finishsweep_m` with the world stopped,
//! shrunk: pushers and poppers, then the main thread's drain and reset once nothing else runs.

use super::blocks::{BlockPool, Blocks};
use super::config::{Config, Op};
use super::index::IndexWidth;
use super::ledger::Ledger;
use super::set::SpanSet;
use crate::check::{ConfigError, Ctx, Places, Recorder, Scenario, ViolationKind};
use crate::platform::{JoinHandle, Platform};
use std::sync::Arc;

#[derive(Debug)]
pub struct SpanSetScenario {
    config: Config,
    programs: Arc<Vec<Vec<Op>>>,
}

impl SpanSetScenario {
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        config.validate()?;
        let programs = Arc::new(config.programs());
        Ok(SpanSetScenario { config, programs })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }
}

/// Span `k` of thread `t` in `round`; prefill spans are thread "0" (`t = None`).
fn span_id(round: usize, t: Option<usize>, k: usize) -> u64 {
    (round * 10_000 + t.map_or(0, |t| (t + 1) * 100) + k + 1) as u64
}

struct World<P: Platform> {
    pool: BlockPool<P>,
    sets: Vec<SpanSet<P>>,
    ledger: Ledger,
}

impl Scenario for SpanSetScenario {
    fn threads(&self) -> usize {
        self.config.threads * self.config.rounds
    }

    fn spawn_note(&self) -> Option<String> {
        (self.config.rounds > 1).then(|| format!("each of the {} rounds spawns the threads again", self.config.rounds))
    }

    fn execute<P: Platform>(&self, rec: &Arc<Recorder>) {
        let c = &self.config;
        let main = Ctx::main(rec);
        let pushes = c.pushes_per_round();
        let blocks = pushes * c.rounds + 1;
        let width = IndexWidth(c.index_bits);
        let world = Arc::new(World::<P> {
            pool: BlockPool::new(Blocks::new(blocks, c.entries as usize), c.variant),
            sets: (0..c.sets).map(|s| SpanSet::new(s, c.variant, width, c.entries, c.spine_cap, pushes as u64 + 1)).collect(),
            ledger: Ledger::new(c.sets, blocks, P::SERIALIZED),
        });
        // Every span some thread or the main thread took out, and who.
        let mut taken: Vec<(u64, String)> = Vec::new();
        for round in 0..c.rounds {
            for s in 0..c.sets {
                for j in 0..c.prefill {
                    world.sets[s].push(span_id(round, None, s * c.prefill + j), &world.pool, &world.ledger, &main);
                }
            }
            let handles: Vec<_> = (0..c.threads)
                .map(|t| {
                    let cx = Ctx::thread(rec, t as u32);
                    let (world, programs) = (Arc::clone(&world), Arc::clone(&self.programs));
                    P::spawn(move || run_program(&cx, &world, &programs[t], round, t))
                })
                .collect();
            for (t, handle) in handles.into_iter().enumerate() {
                taken.extend(handle.join().into_iter().map(|s| (s, format!("T{t}'s pops"))));
            }
            audit_spans(&main, &world, &taken);
            if c.reset {
                for (s, set) in world.sets.iter().enumerate() {
                    while let Some(span) = set.pop(&world.pool, &world.ledger, &main, &()) {
                        taken.push((span, format!("main's drain of set {s}")));
                    }
                    set.reset(&world.pool, &world.ledger, &main);
                }
            }
        }
        audit_blocks(&main, &world);
    }
}

fn run_program<P: Platform>(cx: &Ctx, world: &World<P>, program: &[Op], round: usize, t: usize) -> Vec<u64> {
    let mut popped = Vec::new();
    for (k, &op) in program.iter().enumerate() {
        // What the rest of the thread reads: its place in its program and what it popped.
        P::local_state(&(k, &popped));
        let set = &world.sets[op.set()];
        match op {
            Op::Push(_) => set.push(span_id(round, Some(t), k), &world.pool, &world.ledger, cx),
            Op::Pop(_) => popped.extend(set.pop(&world.pool, &world.ledger, cx, &(k, &popped))),
            Op::Reset(_) => {
                // finishsweep_m without the world stopped: sweep until the set looks empty, reset.
                while let Some(span) = set.pop(&world.pool, &world.ledger, cx, &(k, &popped)) {
                    popped.push(span);
                }
                set.reset(&world.pool, &world.ledger, cx)
            }
        }
    }
    popped
}

/// Every span pushed is in exactly one place: taken out once, or still in its set.
fn audit_spans<P: Platform>(main: &Ctx, world: &World<P>, taken: &[(u64, String)]) {
    let mut places = Places::new(world.ledger.pushed_spans());
    for (span, by) in taken {
        places.found(*span, by.clone());
    }
    for (s, set) in world.sets.iter().enumerate() {
        for (i, span) in set.contents(&world.pool).spans {
            if let Some(span) = span {
                places.found(span, format!("set {s} at index {i}"));
            }
        }
    }
    if let Some((span, at)) = places.first_stranger() {
        main.fail(ViolationKind::DuplicatedSetSpan, format!("s{span}, never pushed, is in {}", at.join(" and ")));
    }
    if let Some((span, at)) = places.first_duplicated() {
        main.fail(ViolationKind::DuplicatedSetSpan, format!("s{span} is in {}", at.join(" and ")));
    }
    if let Some(span) = places.first_lost() {
        main.fail(ViolationKind::LostSetSpan, format!("s{span} was pushed, never popped, and is not in its set"));
    }
}

/// Every block persistentalloc handed out is in exactly one place: the pool, or a live slot
/// (the head's block to `spineLen`) of one set.
fn audit_blocks<P: Platform>(main: &Ctx, world: &World<P>) {
    let mut places = Places::new(0..world.pool.blocks.handed_out());
    let walk = world.pool.walk(main);
    for addr in &walk.nodes {
        places.found(world.pool.blocks.index(*addr).expect("the pool links only blocks"), "the pool");
    }
    if let Some(addr) = walk.cycle_at {
        places.found(world.pool.blocks.index(addr).expect("the pool links only blocks"), "the pool again (a cycle)");
    }
    for (s, set) in world.sets.iter().enumerate() {
        for (top, block) in set.contents(&world.pool).live {
            if let Some(b) = block {
                places.found(b, format!("set {s}'s slot {top}"));
            }
        }
    }
    if let Some((b, at)) = places.first_duplicated() {
        main.fail(ViolationKind::MisplacedBlock, format!("b{b} is in {}", at.join(" and ")));
    }
    if let Some(b) = places.first_lost() {
        main.fail(
            ViolationKind::MisplacedBlock,
            format!(
                "b{b} is neither in the pool nor in a live slot of any set (its owner in the ledger: {:?}): leaked",
                world.ledger.owner(b)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::violation_of;
    use crate::platform::Std;
    use std::panic::AssertUnwindSafe;

    /// The span audit's duplicate and stranger branches, which no variant reaches first (a
    /// duplicated pop is a duplicated slot first): a span taken twice, and one never pushed.
    #[test]
    fn a_span_taken_twice_or_never_pushed_is_a_duplicated_set_span() {
        let config = Config::new(super::super::Variant::Go, 1, 1);
        let world = World::<Std> {
            pool: BlockPool::new(Blocks::new(2, 2), config.variant),
            sets: vec![SpanSet::new(0, config.variant, IndexWidth(8), 2, 1, 2)],
            ledger: Ledger::new(1, 2, true),
        };
        let rec = Recorder::new(false);
        let cx = Ctx::thread(&rec, 0);
        world.sets[0].push(7, &world.pool, &world.ledger, &cx);
        let w = AssertUnwindSafe(&world);
        audit_spans(&cx, &world, &[]);
        assert!(rec.violation().is_none(), "in the set, once");
        let twice = [(7, "T0's pops".to_string())];
        assert_eq!(violation_of(|cx| audit_spans(cx, &w, &twice)), ViolationKind::DuplicatedSetSpan);
        let stranger = [(9, "T0's pops".to_string())];
        assert_eq!(violation_of(|cx| audit_spans(cx, &w, &stranger)), ViolationKind::DuplicatedSetSpan);
    }
}
