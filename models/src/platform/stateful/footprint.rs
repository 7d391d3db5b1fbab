//! What a transition touched, for the sleep sets: the objects it read or wrote, or everything
//! (a spawn or a join, which change the set of tasks). The tracker collects a footprint between
//! two scheduling decisions; the search compares footprints to decide which orders commute.

use super::tracker::ObjectId;

/// What a transition touched: an object, or everything (a spawn or a join, which change the set
/// of tasks; an unknown footprint counts as this too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Object(ObjectId),
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
