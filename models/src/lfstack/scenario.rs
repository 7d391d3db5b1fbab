//! The lfstack scenario: threads run programs of pops and pushes over shared stacks, with an
//! ownership audit during the run and conservation (and optionally linearizability) at the end.
//!
//! Go's TestLFStackStress checks node count and value sum after the run; this checks identity
//! (every node exactly once), catches a node popped while another thread holds it the moment it
//! happens, and can compare the results with the sequential specification.

use super::config::{Config, Op, NODE_STRIDE, STACK_NAMES};
use super::linearizability::{self, History, OpResult};
use super::{LfNode, LfNodes, LfStack};
use crate::check::Shared;
use crate::check::{ConfigError, Ctx, Places, Recorder, Scenario, ViolationKind};
use crate::platform::{JoinHandle, Platform};
use std::collections::BTreeSet;
use std::sync::Arc;

/// A checkable lfstack scenario.
#[derive(Debug)]
pub struct LfStackScenario {
    config: Config,
    programs: Arc<Vec<Vec<Op>>>,
    /// Histories the sequential stacks allow, when linearizability is checked.
    allowed: Option<BTreeSet<History>>,
}

impl LfStackScenario {
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        config.validate()?;
        let programs = config.programs();
        let allowed = if config.linearizability {
            let n = linearizability::interleavings(&programs);
            if n > linearizability::MAX_INTERLEAVINGS {
                return Err(ConfigError(format!(
                    "lfstack: the linearizability check enumerates {n} interleavings, more than {}; shorten the programs",
                    linearizability::MAX_INTERLEAVINGS
                )));
            }
            Some(linearizability::sequential_histories(&initial_stacks(&config), &programs))
        } else {
            None
        };
        Ok(LfStackScenario { config, programs: Arc::new(programs), allowed })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }
}

/// Node i starts on stack i mod S; pushed in index order, so the highest index is on top.
fn initial_stacks(config: &Config) -> Vec<Vec<usize>> {
    let mut stacks = vec![Vec::new(); config.stacks];
    for i in 0..config.nodes {
        stacks[i % config.stacks].push(i);
    }
    stacks
}

/// The nodes, never freed during an execution, so a stale head can always be followed.
struct Pool<P: Platform> {
    base: u64,
    nodes: Vec<LfNode<P>>,
}

impl<P: Platform> Pool<P> {
    fn addr(&self, index: usize) -> u64 {
        self.base + index as u64 * NODE_STRIDE
    }

    fn index(&self, addr: u64) -> Option<usize> {
        let offset = addr.checked_sub(self.base)?;
        let index = usize::try_from(offset / NODE_STRIDE).ok()?;
        (offset % NODE_STRIDE == 0 && index < self.nodes.len()).then_some(index)
    }
}

impl<P: Platform> LfNodes<P> for Pool<P> {
    fn node(&self, addr: u64) -> Option<&LfNode<P>> {
        self.index(addr).map(|i| &self.nodes[i])
    }

    fn label(&self, addr: u64) -> String {
        match self.index(addr) {
            Some(i) => format!("n{i}"),
            None => format!("{addr:#x}"),
        }
    }
}

/// Who holds each node, kept in std types (no scheduling point). Updated right after a push or
/// pop returns, with no Platform operation in between, so it moves atomically with the head CAS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Holder {
    OnStack,
    Thread(u32),
}

struct Ownership {
    /// Only the ABA check reads it (audit data of the stateful engine's fingerprint).
    holders: Shared<Vec<Holder>>,
}

impl Ownership {
    fn popped(&self, cx: &Ctx, node: usize, stack: &str) {
        let mut holders = self.holders.lock();
        let me = cx.id().expect("model threads have ids");
        if let Holder::Thread(owner) = holders[node] {
            drop(holders);
            cx.fail(
                ViolationKind::Aba,
                format!("{} popped n{node} from {stack}, but T{owner} holds it: the stack handed out a node that was not on it", cx.name()),
            );
        }
        holders[node] = Holder::Thread(me);
    }

    fn pushed(&self, node: usize) {
        self.holders.lock()[node] = Holder::OnStack;
    }
}

impl Scenario for LfStackScenario {
    fn threads(&self) -> usize {
        self.config.threads
    }

    fn std_safe(&self) -> Result<(), ConfigError> {
        if self.config.variant == super::Variant::Pop2012 {
            return Err(ConfigError(
                "lfstack pop-2012 (R3) races on pushcnt by design: on real threads that is undefined behaviour, run it under loom".into(),
            ));
        }
        Ok(())
    }

    fn execute<P: Platform>(&self, rec: &Arc<Recorder>) {
        let config = &self.config;
        let main = Ctx::main(rec);
        let pool = Arc::new(Pool::<P> { base: config.base, nodes: (0..config.nodes).map(|_| LfNode::new()).collect() });
        let stacks: Arc<Vec<LfStack<P>>> =
            Arc::new((0..config.stacks).map(|s| LfStack::new(STACK_NAMES[s], config.packing(), config.variant)).collect());
        for (s, nodes) in initial_stacks(config).iter().enumerate() {
            for &i in nodes {
                stacks[s].push(&*pool, pool.addr(i), &main);
            }
        }
        let ownership = Arc::new(Ownership { holders: Shared::audit(vec![Holder::OnStack; config.nodes]) });

        let handles: Vec<_> = (0..config.threads)
            .map(|t| {
                let cx = Ctx::thread(rec, t as u32);
                let (pool, stacks, ownership, programs) =
                    (Arc::clone(&pool), Arc::clone(&stacks), Arc::clone(&ownership), Arc::clone(&self.programs));
                P::spawn(move || run_program::<P>(&cx, &pool, &stacks, &ownership, &programs[t]))
            })
            .collect();
        let outcomes: Vec<(Vec<usize>, Vec<OpResult>)> = handles.into_iter().map(|h| h.join()).collect();

        let on_stacks = audit_conservation(&main, &pool, &stacks, &outcomes);
        if let Some(allowed) = &self.allowed {
            let observed = History { results: outcomes.into_iter().map(|(_, r)| r).collect(), stacks: on_stacks };
            if !allowed.contains(&observed) {
                main.fail(ViolationKind::NotLinearizable, format!("no sequential order of the same operations gives {observed:?}"));
            }
        }
    }
}

/// Runs one thread's program; returns the nodes left in its hands and every operation's result.
fn run_program<P: Platform>(
    cx: &Ctx,
    pool: &Pool<P>,
    stacks: &[LfStack<P>],
    ownership: &Ownership,
    program: &[Op],
) -> (Vec<usize>, Vec<OpResult>) {
    let mut hands: Vec<usize> = Vec::new();
    let mut results = Vec::with_capacity(program.len());
    for (k, &op) in program.iter().enumerate() {
        // What the rest of the thread reads: its place in its program, its hands, its results.
        P::local_state(&(k, &hands, &results));
        let stack = &stacks[op.stack()];
        let result = match op {
            Op::Pop(_) => {
                let node = stack.pop(pool, cx).map(|addr| pool.index(addr).expect("pop returns pool nodes"));
                if let Some(node) = node {
                    if P::SERIALIZED {
                        ownership.popped(cx, node, stack.name());
                    }
                    hands.push(node);
                }
                OpResult::Popped(node)
            }
            Op::Push(_) => {
                let node = hands.pop();
                if let Some(node) = node {
                    stack.push(pool, pool.addr(node), cx);
                    if P::SERIALIZED {
                        ownership.pushed(node);
                    }
                }
                OpResult::Pushed(node)
            }
            Op::Empty(_) => OpResult::Empty(stack.empty(cx)),
        };
        results.push(result);
    }
    (hands, results)
}

/// Every node exactly once: on one stack, or in one thread's hands. Returns the stacks' contents,
/// bottom to top. Reports count and value sum as Go's stress test does, for comparison.
fn audit_conservation<P: Platform>(
    main: &Ctx,
    pool: &Pool<P>,
    stacks: &[LfStack<P>],
    outcomes: &[(Vec<usize>, Vec<OpResult>)],
) -> Vec<Vec<usize>> {
    let n = pool.nodes.len();
    let mut places = Places::new(0..n);
    let mut contents = Vec::with_capacity(stacks.len());
    for stack in stacks {
        let walk = stack.walk(pool, main);
        let nodes: Vec<usize> = walk.nodes.iter().map(|&a| pool.index(a).expect("walk returns pool nodes")).collect();
        for &i in &nodes {
            places.found(i, stack.name());
        }
        if let Some(addr) = walk.cycle_at {
            let i = pool.index(addr).expect("walk returns pool nodes");
            places.found(i, format!("{} again (a cycle)", stack.name()));
        }
        contents.push(nodes.into_iter().rev().collect());
    }
    for (t, (hands, _)) in outcomes.iter().enumerate() {
        for &i in hands {
            places.found(i, format!("T{t}'s hands"));
        }
    }
    let count = places.reachable();
    let sum: usize = (0..n).map(|i| i * places.of(i).len()).sum();
    let expected_sum = n * n.saturating_sub(1) / 2;
    let go_check = format!("Go's check: {count} of {n} nodes reachable, value sum {sum} (want {expected_sum})");
    if let Some((i, on)) = places.first_duplicated() {
        main.fail(ViolationKind::DuplicatedNode, format!("n{i} is in {}; {go_check}", on.join(" and ")));
    }
    if let Some(i) = places.first_lost() {
        main.fail(ViolationKind::LostNode, format!("n{i} is on no stack and in no thread's hands; {go_check}"));
    }
    contents
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::violation_of;
    use crate::platform::Std;
    use std::panic::AssertUnwindSafe;

    #[test]
    fn a_node_popped_while_another_thread_holds_it_is_an_aba_violation() {
        let owners = Ownership { holders: Shared::audit(vec![Holder::OnStack; 2]) };
        let rec = Recorder::new(false);
        owners.popped(&Ctx::thread(&rec, 1), 0, "s0");
        let shared = AssertUnwindSafe(&owners);
        assert_eq!(violation_of(move |cx| shared.popped(cx, 0, "s0")), ViolationKind::Aba);
        // Pushed back, it may be popped again; the other node was never held.
        owners.pushed(0);
        owners.popped(&Ctx::thread(&rec, 2), 0, "s0");
        owners.popped(&Ctx::thread(&rec, 2), 1, "s0");
        assert!(rec.violation().is_none(), "a pop after a push back, or of a node nobody held, is no violation");
    }

    #[test]
    fn the_pool_names_only_its_own_nodes_addresses() {
        let pool = Pool::<Std> { base: 0x1000, nodes: (0..3).map(|_| LfNode::new()).collect() };
        assert_eq!((0..3).map(|i| pool.index(pool.addr(i))).collect::<Vec<_>>(), vec![Some(0), Some(1), Some(2)]);
        assert_eq!(pool.index(pool.addr(3)), None, "one past the last node");
        assert_eq!(pool.index(0x1000 + 8), None, "inside a node, not at its start");
        assert_eq!(pool.index(0x0fc0), None, "below the base");
        assert_eq!(pool.label(pool.addr(1)), "n1");
        assert_eq!(pool.label(0x1008), "0x1008");
    }
}
