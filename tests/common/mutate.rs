//! Damage to valid input files, generated: what a fuzzer's mutator does to its corpus (byte
//! flips, cuts, splices from another file, repeated, dropped and swapped lines, numbers blown up,
//! nesting far past any parser's depth, stray bytes), as proptest strategies over fixed seeds.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// A deterministic runner: `cases` cases from `seed`, nothing persisted, no shrinking (a failure
/// is reported as generated, with the mutations that made it).
pub fn runner(cases: u32, seed: u8) -> TestRunner {
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 0, ..Config::default() };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]))
}

/// Numbers that overflow or underflow every integer type a loader reads, and odd spellings.
const HUGE: [&str; 10] = [
    "18446744073709551616",
    "18446744073709551615",
    "9223372036854775808",
    "-9223372036854775809",
    "4294967296",
    "99999999999999999999999999999999999999",
    "1e309",
    "-0",
    "0",
    "0x7fffffffffffffff",
];

/// What a mutation may grow an input to: a file of the loaders' own limits (4 and 16 MiB) is
/// refused before it is parsed, and stacked duplications would otherwise grow without bound.
pub const MAX_BYTES: usize = 1 << 20;

/// One mutation; every position is taken modulo the length it indexes.
#[derive(Clone, Debug)]
pub enum Mutation {
    FlipBit {
        at: usize,
        bit: u8,
    },
    Truncate {
        at: usize,
    },
    /// Insert `len` bytes of the donor (another valid file, or the same one) from `from` at `at`.
    Splice {
        at: usize,
        from: usize,
        len: usize,
    },
    DuplicateLine {
        line: usize,
        times: u16,
    },
    DeleteLine {
        line: usize,
    },
    SwapLines {
        a: usize,
        b: usize,
    },
    /// Replace the `nth` run of digits with one of [`HUGE`].
    HugeNumber {
        nth: usize,
        with: usize,
    },
    /// Insert `depth` opening brackets (or braces) and as many closing ones at `at`.
    Nest {
        at: usize,
        depth: usize,
        braces: bool,
    },
    InsertBytes {
        at: usize,
        bytes: Vec<u8>,
    },
    /// Repeat `len` bytes from `at` `times` times over.
    Repeat {
        at: usize,
        len: usize,
        times: usize,
    },
}

impl Mutation {
    /// The mutation's class, for the figures a test reports.
    pub fn class(&self) -> &'static str {
        match self {
            Mutation::FlipBit { .. } => "bit flip",
            Mutation::Truncate { .. } => "truncation",
            Mutation::Splice { .. } => "splice",
            Mutation::DuplicateLine { .. } => "duplicated line",
            Mutation::DeleteLine { .. } => "deleted line",
            Mutation::SwapLines { .. } => "swapped lines",
            Mutation::HugeNumber { .. } => "huge number",
            Mutation::Nest { .. } => "deep nesting",
            Mutation::InsertBytes { .. } => "stray bytes",
            Mutation::Repeat { .. } => "repeated chunk",
        }
    }
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    let depth = prop_oneof![1usize..200, Just(100_000)];
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (any::<usize>(), any::<usize>(), 1usize..400).prop_map(|(at, from, len)| Mutation::Splice { at, from, len }),
        (any::<usize>(), prop_oneof![1u16..4, Just(1_000)]).prop_map(|(line, times)| Mutation::DuplicateLine { line, times }),
        any::<usize>().prop_map(|line| Mutation::DeleteLine { line }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
        (any::<usize>(), 0..HUGE.len()).prop_map(|(nth, with)| Mutation::HugeNumber { nth, with }),
        (any::<usize>(), depth, any::<bool>()).prop_map(|(at, depth, braces)| Mutation::Nest { at, depth, braces }),
        (any::<usize>(), proptest::collection::vec(any::<u8>(), 1..16)).prop_map(|(at, bytes)| Mutation::InsertBytes { at, bytes }),
        (any::<usize>(), 1usize..200, 2usize..5_000).prop_map(|(at, len, times)| Mutation::Repeat { at, len, times }),
    ]
}

/// One to four mutations, applied in order.
pub fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    proptest::collection::vec(mutation(), 1..=4)
}

/// `bytes` after `mutations`, splices taken from `donor`.
pub fn apply(bytes: &[u8], mutations: &[Mutation], donor: &[u8]) -> Vec<u8> {
    mutations.iter().fold(bytes.to_vec(), |bytes, m| apply_one(bytes, m, donor))
}

fn apply_one(mut bytes: Vec<u8>, mutation: &Mutation, donor: &[u8]) -> Vec<u8> {
    let place = |at: usize, len: usize| at % (len + 1);
    let mut lines: Vec<Vec<u8>> = bytes.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    match mutation {
        Mutation::FlipBit { at, bit } if !bytes.is_empty() => {
            let i = at % bytes.len();
            bytes[i] ^= 1 << bit;
        }
        Mutation::Truncate { at } => bytes.truncate(place(*at, bytes.len())),
        Mutation::Splice { at, from, len } if !donor.is_empty() => {
            let start = from % donor.len();
            let piece = &donor[start..(start + len).min(donor.len())];
            let at = place(*at, bytes.len());
            bytes.splice(at..at, piece.iter().copied());
        }
        Mutation::DuplicateLine { line, times } if !lines.is_empty() => {
            let i = line % lines.len();
            let times = usize::from(*times).min(MAX_BYTES.saturating_sub(bytes.len()) / lines[i].len().max(1));
            let copies = vec![lines[i].clone(); times];
            lines.splice(i..i, copies);
            return lines.concat();
        }
        Mutation::DeleteLine { line } if !lines.is_empty() => {
            lines.remove(line % lines.len());
            return lines.concat();
        }
        Mutation::SwapLines { a, b } if !lines.is_empty() => {
            let n = lines.len();
            lines.swap(a % n, b % n);
            return lines.concat();
        }
        Mutation::HugeNumber { nth, with } => {
            let runs: Vec<(usize, usize)> = digit_runs(&bytes);
            if !runs.is_empty() {
                let (start, end) = runs[nth % runs.len()];
                bytes.splice(start..end, HUGE[*with].bytes());
            }
        }
        Mutation::Nest { at, depth, braces } => {
            let (open, close) = if *braces { (b'{', b'}') } else { (b'[', b']') };
            let at = place(*at, bytes.len());
            let nested: Vec<u8> = std::iter::repeat(open).take(*depth).chain(std::iter::repeat(close).take(*depth)).collect();
            bytes.splice(at..at, nested);
        }
        Mutation::InsertBytes { at, bytes: stray } => {
            let at = place(*at, bytes.len());
            bytes.splice(at..at, stray.iter().copied());
        }
        Mutation::Repeat { at, len, times } if !bytes.is_empty() => {
            let start = at % bytes.len();
            let piece = bytes[start..(start + len).min(bytes.len())].to_vec();
            let repeated = piece.repeat((*times).min(MAX_BYTES.saturating_sub(bytes.len()) / piece.len()));
            bytes.splice(start..start, repeated);
        }
        _ => {}
    }
    bytes
}

/// The `(start, end)` of every run of ASCII digits.
fn digit_runs(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, b) in bytes.iter().enumerate().chain(std::iter::once((bytes.len(), &b' '))) {
        match (b.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    runs
}

/// One edit of a JSON document that keeps it JSON, at the `at`-th place (a field or an element,
/// in document order, modulo their number).
#[derive(Clone, Debug)]
pub enum Edit {
    Delete {
        at: usize,
    },
    Replace {
        at: usize,
        with: serde_json::Value,
    },
    /// An array element repeated right after itself, or a field's value put under another key.
    Duplicate {
        at: usize,
    },
}

impl Edit {
    pub fn class(&self) -> &'static str {
        match self {
            Edit::Delete { .. } => "field or element deleted",
            Edit::Replace { .. } => "value replaced",
            Edit::Duplicate { .. } => "field or element duplicated",
        }
    }
}

pub fn edits() -> impl Strategy<Value = Vec<Edit>> {
    use serde_json::{json, Value};
    let nested = (0..100).fold(json!(0), |inner, _| json!([inner]));
    let with = prop_oneof![
        Just(Value::from(u64::MAX)),
        Just(Value::from(i64::MIN)),
        Just(Value::from(1e300)),
        Just(Value::from(-1)),
        Just(Value::from(0)),
        Just(Value::from(256)),
        Just(Value::from("")),
        Just(Value::from("Active")),
        Just(Value::Null),
        Just(Value::Bool(true)),
        Just(json!([])),
        Just(json!({})),
        Just(json!([0, 0, 0, 0, 0, 0, 0])),
        Just(nested),
    ];
    let edit = prop_oneof![
        any::<usize>().prop_map(|at| Edit::Delete { at }),
        (any::<usize>(), with).prop_map(|(at, with)| Edit::Replace { at, with }),
        any::<usize>().prop_map(|at| Edit::Duplicate { at }),
    ];
    proptest::collection::vec(edit, 1..=4)
}

/// `value` after `edits`.
pub fn apply_edits(value: &mut serde_json::Value, edits: &[Edit]) {
    for edit in edits {
        let mut count = 0;
        count_places(value, &mut count);
        if count == 0 {
            return;
        }
        let at = match edit {
            Edit::Delete { at } | Edit::Replace { at, .. } | Edit::Duplicate { at } => at % count,
        };
        edit_place(value, &mut { at }, edit);
    }
}

fn count_places(value: &serde_json::Value, count: &mut usize) {
    use serde_json::Value;
    match value {
        Value::Object(map) => map.values().for_each(|v| {
            *count += 1;
            count_places(v, count);
        }),
        Value::Array(items) => items.iter().for_each(|v| {
            *count += 1;
            count_places(v, count);
        }),
        _ => {}
    }
}

/// Applies `edit` to the place `left` counts down to; true once done.
fn edit_place(value: &mut serde_json::Value, left: &mut usize, edit: &Edit) -> bool {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                if *left == 0 {
                    match edit {
                        Edit::Delete { .. } => drop(map.remove(&key)),
                        Edit::Replace { with, .. } => drop(map.insert(key, with.clone())),
                        Edit::Duplicate { .. } => {
                            let copy = map[&key].clone();
                            map.insert(format!("{key}_"), copy);
                        }
                    }
                    return true;
                }
                *left -= 1;
                if edit_place(map.get_mut(&key).unwrap(), left, edit) {
                    return true;
                }
            }
            false
        }
        Value::Array(items) => {
            for i in 0..items.len() {
                if *left == 0 {
                    match edit {
                        Edit::Delete { .. } => drop(items.remove(i)),
                        Edit::Replace { with, .. } => items[i] = with.clone(),
                        Edit::Duplicate { .. } => items.insert(i, items[i].clone()),
                    }
                    return true;
                }
                *left -= 1;
                if edit_place(&mut items[i], left, edit) {
                    return true;
                }
            }
            false
        }
        _ => false,
    }
}

/// A TOML document after `edits` of its JSON form; `None` when the result has no TOML form (a
/// null, a bare value where a table must be).
pub fn edit_toml(text: &str, edits: &[Edit]) -> Option<String> {
    let table: toml::Table = text.parse().ok()?;
    let mut value = serde_json::to_value(&table).ok()?;
    apply_edits(&mut value, edits);
    toml::to_string(&value).ok()
}
