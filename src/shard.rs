//! `I/N`: one part of a deterministic split of a run into `N` disjoint parts whose union is the
//! whole run, for a CI matrix (`check --shard`, `explore --shard`). Shards count from 1, as
//! cargo-nextest's `--partition count:I/N` does.

use std::fmt;
use std::str::FromStr;

/// The most shards a run can be split into: far more runners than a CI matrix has, small enough
/// that a typo (`1/10000000`) is refused rather than run as a near-empty part.
pub const MAX_SHARDS: usize = 4096;

/// Shard `index` of `count`, `1 <= index <= count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shard {
    index: usize,
    count: usize,
}

impl Shard {
    /// The whole run: shard 1 of 1.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    pub fn new(index: usize, count: usize) -> Result<Shard, String> {
        if count == 0 || count > MAX_SHARDS {
            return Err(format!("shard count {count} is not between 1 and {MAX_SHARDS}"));
        }
        if index == 0 || index > count {
            return Err(format!("shard {index}/{count}: shards count from 1 to {count}"));
        }
        Ok(Shard { index, count })
    }

    /// 1-based.
    pub fn index(self) -> usize {
        self.index
    }

    pub fn count(self) -> usize {
        self.count
    }

    pub fn is_whole(self) -> bool {
        self.count == 1
    }

    /// Whether the `n`th part (0-based) of a round-robin deal belongs to this shard.
    pub fn owns(self, n: u64) -> bool {
        n % self.count as u64 == (self.index - 1) as u64
    }

    /// Every shard of this split, in order.
    pub fn all(count: usize) -> Result<Vec<Shard>, String> {
        (1..=count).map(|i| Shard::new(i, count)).collect()
    }
}

impl Default for Shard {
    fn default() -> Self {
        Shard::WHOLE
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let (index, count) = text.split_once('/').ok_or_else(|| format!("shard `{text}` is not I/N (e.g. 2/4)"))?;
        let number = |part: &str| part.trim().parse::<usize>().map_err(|_| format!("shard `{text}` is not I/N (e.g. 2/4)"));
        Shard::new(number(index)?, number(count)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_print_and_refuse_what_is_not_a_part() {
        let shard: Shard = "2/4".parse().unwrap();
        assert_eq!((shard.index(), shard.count(), shard.to_string()), (2, 4, "2/4".to_string()));
        assert!(Shard::WHOLE.is_whole() && !shard.is_whole());
        for bad in ["0/4", "5/4", "1/0", "2", "a/b", "1/4097", "-1/4"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad} was accepted");
        }
        assert!("0/4".parse::<Shard>().unwrap_err().contains("count from 1"));
    }

    #[test]
    fn the_shards_of_a_split_own_every_part_exactly_once() {
        let shards = Shard::all(3).unwrap();
        for n in 0..30u64 {
            assert_eq!(shards.iter().filter(|s| s.owns(n)).count(), 1, "part {n}");
        }
        assert!(Shard::WHOLE.owns(7));
    }
}
