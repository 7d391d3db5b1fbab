//! What a transition touched, for the sleep sets and the partial-order reduction: the objects it
//! read or wrote, the tasks whose end it made or observed (a task's last transition ends it, a
//! join observes that end), or everything (a footprint not known). The tracker collects a
//! footprint between two scheduling decisions; the search compares footprints to decide which
//! orders commute. A spawn touches nothing of another task: the child cannot run before it, and
//! no other task can observe it but through objects, which are tracked.

use super::tracker::ObjectId;

/// What a transition touched: an object, a task's end (written by its last transition, read and
/// written by the join that waits for it), or everything (an unknown footprint).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    Object(ObjectId),
    Task(u32),
    Everything,
}

/// One access of a transition. Two transitions are independent when neither touches everything
/// and every object both touch is only read by both (see [`independent`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    pub target: Target,
    pub write: bool,
}

impl Access {
    pub const EVERYTHING: Access = Access { target: Target::Everything, write: true };
}

/// Every access of one transition: from the decision that scheduled its task to the next one.
pub type Footprint = Vec<Access>;

/// Whether two transitions commute: neither touches everything, and no object is touched by both
/// with a write by either. `reads_commute_with_writes` is the deliberately unsound relation the
/// tests use to show the cross-validation fails with it (a load and a store of one atomic called
/// independent); never set it in a real run.
pub fn independent(a: &[Access], b: &[Access], reads_commute_with_writes: bool) -> bool {
    let everything = |f: &[Access]| f.iter().any(|x| x.target == Target::Everything);
    if everything(a) || everything(b) {
        return false;
    }
    !a.iter()
        .any(|x| b.iter().any(|y| x.target == y.target && (x.write && y.write || (!reads_commute_with_writes && (x.write || y.write)))))
}
