//! The current path of the stateful search, one frame per decision, and what the partial-order
//! reduction does to it (see the `por` module): the race analysis of each transition once its
//! footprint is known, the checks of a revisit against the path, and the summaries a finished
//! decision leaves in the visited set.

use super::por::{self, Clock, Step, Summary, Touch};
use super::sleep::{self, Entry};
use super::visited::{Below, Visited};
use super::PorFlaw;
use gcmc_models::platform::stateful::digest::Digest;
use shuttle::scheduler::TaskId;

/// One decision on the current path: the tasks that were runnable, those to explore from it, the
/// one taken now, and (sleep sets) the tasks asleep there and the footprints of those taken.
pub(super) struct Frame {
    pub options: Vec<TaskId>,
    /// Indices into `options` of the transitions to explore here, in order (the reduction may
    /// add to it until the frame is left).
    pub todo: Vec<usize>,
    /// The position in `todo` of the one taken now.
    pub next: usize,
    /// The tasks asleep at this decision, with their footprints.
    pub asleep: Vec<Entry>,
    /// The tasks taken here so far, the last the one taken now (its footprint is known at the
    /// next decision).
    pub explored: Vec<Entry>,
    pub por: PorFrame,
}

/// What the partial-order reduction keeps of a decision.
#[derive(Default)]
pub(super) struct PorFrame {
    /// The vector clock of the transition taken now, and its footprint's masks, once its
    /// footprint is known.
    clock: Option<Clock>,
    touch: Touch,
    /// The stored state this decision is, whose summary is written when it is left.
    pub state: Option<Digest>,
    /// Everything explored from here so far.
    summary: Summary,
    /// The shallowest decision of the path this one is on a cycle back to, if any.
    cycle_root: Option<usize>,
    /// States on cycles back to this decision, with their summaries so far: their future
    /// includes this decision's, so they are finished when it is.
    members: Vec<(Digest, Summary)>,
}

impl Frame {
    pub fn new(options: Vec<TaskId>, todo: Vec<usize>, asleep: Vec<Entry>, state: Option<Digest>) -> Frame {
        let chosen = options[todo[0]];
        Frame { options, todo, next: 0, asleep, explored: vec![(chosen, None)], por: PorFrame { state, ..PorFrame::default() } }
    }

    pub fn chosen(&self) -> TaskId {
        self.options[self.todo[self.next]]
    }

    /// Moves to the next transition to explore here; false when none is left.
    pub fn advance(&mut self) -> bool {
        if self.next + 1 >= self.todo.len() {
            return false;
        }
        self.next += 1;
        let chosen = self.chosen();
        self.explored.push((chosen, None));
        self.por.clock = None;
        true
    }

    /// Adds the option at `index` to explore, unless it is explored already, or asleep here.
    fn add(&mut self, index: usize) {
        let asleep = sleep::mask(&self.asleep);
        if !self.todo.contains(&index) && !sleep::contains(asleep, self.options[index]) {
            self.todo.push(index);
        }
    }

    /// A transition of `task` races with the one taken here: explore `task` here too, or every
    /// task if it could not run here.
    fn backtrack(&mut self, task: u32) {
        match self.options.iter().position(|&t| usize::from(t) as u32 == task) {
            Some(index) => self.add(index),
            None => (0..self.options.len()).for_each(|index| self.add(index)),
        }
    }

    /// The options not explored here and not asleep (what the reduction saved).
    fn skipped(&self) -> u64 {
        let asleep = sleep::mask(&self.asleep);
        let awake = self.options.iter().filter(|&&t| !sleep::contains(asleep, t)).count();
        awake.saturating_sub(self.todo.len()) as u64
    }
}

fn task(id: TaskId) -> u32 {
    usize::from(id) as u32
}

/// The first `upto` transitions of the path, for the race analysis.
fn path(frames: &[Frame], upto: usize) -> Vec<Step<'_>> {
    frames[..upto]
        .iter()
        .map(|f| Step {
            task: task(f.chosen()),
            footprint: f.explored.last().and_then(|e| e.1.as_ref()),
            touch: f.por.touch,
            clock: f.por.clock.as_ref().expect("every transition before the last has its clock"),
        })
        .collect()
}

/// The transition taken at decision `at` has just got its footprint: its clock, its races with the
/// path before it (backtracking at each), and its place in the decision's summary. Done once per
/// transition: a replayed one already has its clock. `latest_only` is the flaw of the tests.
pub(super) fn analyse(frames: &mut [Frame], at: usize, unsound: bool, latest_only: bool) {
    if frames[at].por.clock.is_some() {
        return;
    }
    let taken = task(frames[at].chosen());
    let footprint = frames[at].explored.last().and_then(|e| e.1.clone());
    let touch = Touch::of(footprint.as_ref());
    let (clock, races) = por::analyse(&path(frames, at), taken, footprint.as_ref(), touch, unsound);
    frames[at].por.clock = Some(clock);
    frames[at].por.touch = touch;
    frames[at].por.summary.add(taken, touch);
    let races = if latest_only { races.last().into_iter().copied().collect() } else { races };
    for i in races {
        frames[i].backtrack(taken);
    }
}

/// The execution reached a stored state, at the end of the path: what lies below it was not run
/// now, so its races with the path are found from its summary (or, for a state on the path, by
/// expanding the cycle in full).
pub(super) fn revisited(frames: &mut [Frame], visited: &Visited, state: &Digest, below: Below, flaw: Option<PorFlaw>) {
    match below {
        Below::Done(_) if flaw == Some(PorFlaw::NoSummaries) => {}
        Below::Done(index) => {
            let summary = visited.summary(index);
            let races: Vec<(usize, u32)> = {
                let path = path(frames, frames.len());
                summary.tasks().flat_map(|(t, touch)| por::summary_races(&path, t, touch).into_iter().map(move |i| (i, t))).collect()
            };
            for (i, t) in races {
                frames[i].backtrack(t);
            }
            if let Some(parent) = frames.last_mut() {
                parent.por.summary.merge(summary);
            }
        }
        _ if flaw == Some(PorFlaw::NoCycleProviso) => {}
        Below::OnPath => {
            let root = frames.iter().position(|f| f.por.state.as_ref() == Some(state)).unwrap_or(0);
            cycle(frames, root);
        }
        Below::Pending(root) => cycle(frames, root as usize),
    }
}

/// The path from decision `root` to here returns to `root`'s state: every decision on it explores
/// every task (the cycle proviso), and its states are finished with `root`.
fn cycle(frames: &mut [Frame], root: usize) {
    for (depth, frame) in frames.iter_mut().enumerate().skip(root) {
        (0..frame.options.len()).for_each(|index| frame.add(index));
        if depth > root {
            frame.por.cycle_root = Some(frame.por.cycle_root.map_or(root, |r| r.min(root)));
        }
    }
}

/// `frame`, just taken off the path, is finished: its state (and the states on cycles back to it)
/// get their summaries, and its summary goes into its parent's. Returns the transitions it did
/// not explore.
pub(super) fn finish(frames: &mut [Frame], frame: Frame, visited: &mut Visited) -> u64 {
    let skipped = frame.skipped();
    let PorFrame { state, summary, cycle_root, members, .. } = frame.por;
    let mut settle = |frames: &mut [Frame], state: Digest, summary: Summary| match cycle_root {
        Some(root) if root < frames.len() => {
            visited.pend(&state, root);
            frames[root].por.members.push((state, summary));
        }
        _ => visited.finish(&state, &summary),
    };
    for (member, mut below) in members {
        below.merge(&summary);
        settle(frames, member, below);
    }
    if let Some(state) = state {
        settle(frames, state, summary.clone());
    }
    if let Some(parent) = frames.last_mut() {
        parent.por.summary.merge(&summary);
    }
    skipped
}
