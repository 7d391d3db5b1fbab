//! The sequential specification of the stacks, and the set of histories it allows.
//!
//! For small programs we enumerate every interleaving of the threads' operations (each thread in
//! program order) on sequential stacks, and collect what each allows: every operation's result
//! and the final contents of the stacks. An observed execution is linearizable in this sense iff
//! its history is in the set. Real-time order between operations is not compared: the check asks
//! only whether some sequential order of the same operations explains the results.

use super::config::Op;
use std::collections::BTreeSet;

/// What one operation returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OpResult {
    /// The node popped, or `None` for an empty stack.
    Popped(Option<usize>),
    /// The node pushed, or `None` when the thread's hands were empty.
    Pushed(Option<usize>),
    /// Whether the stack was empty.
    Empty(bool),
}

/// Every operation's result, per thread, and the stacks' contents at the end (bottom to top).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct History {
    pub results: Vec<Vec<OpResult>>,
    pub stacks: Vec<Vec<usize>>,
}

/// Above this many interleavings the enumeration is refused rather than left to run for minutes.
pub const MAX_INTERLEAVINGS: u128 = 200_000;

/// The number of interleavings of the programs: the multinomial (sum n_i)! / prod(n_i!).
pub fn interleavings(programs: &[Vec<Op>]) -> u128 {
    let mut total: u128 = 1;
    let mut placed: u128 = 0;
    for program in programs {
        for k in 1..=program.len() as u128 {
            placed += 1;
            // total * placed / k stays integral: it is a running product of binomials.
            total = total.saturating_mul(placed) / k;
        }
    }
    total
}

struct Sequential<'a> {
    programs: &'a [Vec<Op>],
    pcs: Vec<usize>,
    stacks: Vec<Vec<usize>>,
    hands: Vec<Vec<usize>>,
    results: Vec<Vec<OpResult>>,
    out: BTreeSet<History>,
}

impl Sequential<'_> {
    fn explore(&mut self) {
        let mut finished = true;
        for t in 0..self.programs.len() {
            let Some(&op) = self.programs[t].get(self.pcs[t]) else { continue };
            finished = false;
            let (stacks, hands) = (self.stacks.clone(), self.hands.clone());
            let result = apply(op, &mut self.stacks, &mut self.hands[t]);
            self.pcs[t] += 1;
            self.results[t].push(result);
            self.explore();
            self.results[t].pop();
            self.pcs[t] -= 1;
            self.stacks = stacks;
            self.hands = hands;
        }
        if finished {
            self.out.insert(History { results: self.results.clone(), stacks: self.stacks.clone() });
        }
    }
}

/// Runs one operation on sequential stacks.
pub fn apply(op: Op, stacks: &mut [Vec<usize>], hands: &mut Vec<usize>) -> OpResult {
    match op {
        Op::Pop(s) => {
            let node = stacks[s].pop();
            hands.extend(node);
            OpResult::Popped(node)
        }
        Op::Push(s) => {
            let node = hands.pop();
            stacks[s].extend(node);
            OpResult::Pushed(node)
        }
        Op::Empty(s) => OpResult::Empty(stacks[s].is_empty()),
    }
}

/// Every history some sequential order of `programs` allows from `initial` (bottom to top).
pub fn sequential_histories(initial: &[Vec<usize>], programs: &[Vec<Op>]) -> BTreeSet<History> {
    let mut seq = Sequential {
        programs,
        pcs: vec![0; programs.len()],
        stacks: initial.to_vec(),
        hands: vec![Vec::new(); programs.len()],
        results: vec![Vec::new(); programs.len()],
        out: BTreeSet::new(),
    };
    seq.explore();
    seq.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleavings_is_the_multinomial() {
        assert_eq!(interleavings(&[vec![Op::Pop(0); 3], vec![Op::Pop(0); 3], vec![Op::Pop(0); 3]]), 1680);
        assert_eq!(interleavings(&[vec![Op::Pop(0); 2]]), 1);
        assert_eq!(interleavings(&[]), 1);
    }

    #[test]
    fn two_pops_of_one_node_are_not_a_sequential_history() {
        let programs = vec![vec![Op::Pop(0)], vec![Op::Pop(0)]];
        let allowed = sequential_histories(&[vec![0]], &programs);
        assert_eq!(allowed.len(), 2);
        let both_got_it = History { results: vec![vec![OpResult::Popped(Some(0))], vec![OpResult::Popped(Some(0))]], stacks: vec![vec![]] };
        assert!(!allowed.contains(&both_got_it));
        let t1_first = History { results: vec![vec![OpResult::Popped(None)], vec![OpResult::Popped(Some(0))]], stacks: vec![vec![]] };
        assert!(allowed.contains(&t1_first));
    }
}
