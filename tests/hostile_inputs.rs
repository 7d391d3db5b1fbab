//! Damaged and hand-edited inputs, generated: pinned replay files and catalogue entries with
//! bytes flipped, fields deleted, types swapped and numbers blown up. Whatever the damage, `gcmc
//! replay` ends with exit 0, 1, 2 or 3, never a panic, and a refusal (2) is one `error:` line;
//! the catalogue loader refuses in one line or loads.
//!
//! Fixed seeds (proptest's file persistence off): the same cases every run. The default suite
//! runs 200 damaged replay files and 80 damaged catalogue entries (three damages each);
//! `GCMC_HOSTILE_CASES=N` runs N of each. The net is shown to hold: with the replay loader's
//! schedule check (engine::schedule_check) taken out, the default 200 find a damaged shuttle
//! schedule that makes `gcmc replay` panic (exit 101, nothing on stderr).

mod common;

use common::gcmc;
use gcmc::catalogue::load::load_str;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value;
use std::path::{Path, PathBuf};

const PINNED: [&str; 5] = ["R1-pct.json", "R1-loom.json", "R6-dfs.json", "R12-phase-outside-lock-pct.json", "R2-2bit-stateful.json"];

fn cases(default: u32) -> u32 {
    std::env::var("GCMC_HOSTILE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn runner(cases: u32, seed: u8) -> TestRunner {
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]))
}

/// One piece of damage.
#[derive(Clone, Debug)]
enum Damage {
    /// Flip bit `bit` of the byte at `at` (modulo the length) of the text.
    FlipBit { at: usize, bit: u8 },
    /// Cut the text at `at` (modulo the length).
    Truncate { at: usize },
    /// Remove the field or element at the `at`-th place of the document.
    Delete { at: usize },
    /// Put `with` in the `at`-th place of the document.
    Replace { at: usize, with: Value },
}

fn damage() -> impl Strategy<Value = Damage> {
    let blown_up = prop_oneof![
        Just(Value::from(u64::MAX)),
        Just(Value::from(i64::MIN)),
        Just(Value::from(1_000_000_000u64)),
        Just(Value::from(-1)),
        Just(Value::from(1e300)),
        Just(Value::from(0)),
        Just(Value::from("zzzz")),
        Just(Value::from("")),
        Just(Value::Null),
        Just(Value::Bool(true)),
        Just(Value::Array(vec![])),
        Just(serde_json::json!({})),
        Just(Value::Array(vec![Value::from(1_000_000u64); 3])),
    ];
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Damage::FlipBit { at, bit }),
        any::<usize>().prop_map(|at| Damage::Truncate { at }),
        any::<usize>().prop_map(|at| Damage::Delete { at }),
        (any::<usize>(), blown_up).prop_map(|(at, with)| Damage::Replace { at, with }),
    ]
}

/// Every place in a document, as a path of object keys and array indices, parents first.
fn places(value: &Value, here: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                here.push(Value::from(key.as_str()));
                out.push(here.clone());
                places(child, here, out);
                here.pop();
            }
        }
        // Long arrays (a loom checkpoint's branches, a trace) are sampled at their ends.
        Value::Array(items) => {
            let n = items.len();
            for i in (0..n).filter(|&i| i < 3 || i + 2 >= n) {
                here.push(Value::from(i));
                out.push(here.clone());
                places(&items[i], here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn apply_at(value: &mut Value, path: &[Value], edit: &dyn Fn(&mut Value, &Value)) {
    let (last, parents) = path.split_last().expect("a place has a path");
    let mut parent = value;
    for step in parents {
        parent = match step {
            Value::String(key) => &mut parent[key.as_str()],
            index => &mut parent[index.as_u64().unwrap() as usize],
        };
    }
    edit(parent, last);
}

fn damaged(text: &str, damage: &Damage) -> String {
    match damage {
        Damage::FlipBit { at, bit } => {
            let mut bytes = text.as_bytes().to_vec();
            let i = at % bytes.len();
            bytes[i] ^= 1 << bit;
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Damage::Truncate { at } => {
            let cut = at % text.len();
            String::from_utf8_lossy(&text.as_bytes()[..cut]).into_owned()
        }
        Damage::Delete { at } | Damage::Replace { at, .. } => {
            let mut value: Value = serde_json::from_str(text).expect("the pinned file is JSON");
            let mut all = Vec::new();
            places(&value, &mut Vec::new(), &mut all);
            let path = &all[at % all.len()];
            match damage {
                Damage::Delete { .. } => apply_at(&mut value, path, &|parent, last| match (parent, last) {
                    (Value::Object(map), Value::String(key)) => drop(map.remove(key)),
                    (Value::Array(items), index) => drop(items.remove(index.as_u64().unwrap() as usize)),
                    _ => {}
                }),
                Damage::Replace { with, .. } => apply_at(&mut value, path, &|parent, last| match last {
                    Value::String(key) => parent[key.as_str()] = with.clone(),
                    index => parent[index.as_u64().unwrap() as usize] = with.clone(),
                }),
                _ => unreachable!(),
            }
            serde_json::to_string_pretty(&value).unwrap()
        }
    }
}

fn scratch(name: &str) -> PathBuf {
    common::scratch("hostile-inputs", name)
}

#[test]
fn a_damaged_replay_file_is_replayed_or_refused_in_one_line_never_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/replays");
    let pinned: Vec<String> = PINNED.iter().map(|f| std::fs::read_to_string(root.join(f)).unwrap()).collect();
    let file = scratch("damaged.json");
    runner(cases(200), 7)
        .run(&(0..pinned.len(), damage()), |(which, damage)| {
            std::fs::write(&file, damaged(&pinned[which], &damage)).unwrap();
            let out = gcmc(&["replay", file.to_str().unwrap()]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let code = out.status.code();
            prop_assert!(matches!(code, Some(0..=3)), "{} after {damage:?}: exit {code:?}, stderr {stderr}", PINNED[which]);
            if code == Some(2) {
                prop_assert_eq!(stderr.lines().count(), 1, "{} after {:?}: {}", PINNED[which], damage, stderr);
                prop_assert!(stderr.starts_with("error: "), "{stderr}");
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_damaged_catalogue_entry_loads_or_is_refused_in_one_line_never_a_panic() {
    let catalogue = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/catalogue.toml")).unwrap();
    // A few whole entries of each model: [[case]] tables up to the next one.
    let entries: Vec<String> = catalogue.split("\n[[case]]\n").skip(1).step_by(17).map(|e| format!("[[case]]\n{e}\n")).collect();
    assert!(entries.len() >= 10, "{} entries", entries.len());
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/catalogue.toml");
    runner(cases(80), 11)
        .run(&(0..entries.len(), any::<usize>(), 0u8..8, any::<usize>()), |(which, at, bit, cut)| {
            let text = &entries[which];
            let mut bytes = text.as_bytes().to_vec();
            let i = at % bytes.len();
            bytes[i] ^= 1 << bit;
            let flipped = String::from_utf8_lossy(&bytes).into_owned();
            let truncated = String::from_utf8_lossy(&text.as_bytes()[..cut % text.len()]).into_owned();
            let blown_up = text.replacen("threads = ", "threads = 4000000000", 1);
            for damaged in [flipped, truncated, blown_up] {
                let loaded = std::panic::catch_unwind(|| load_str(&here, &damaged).map(|_| ()).map_err(|e| e.to_string()));
                prop_assert!(loaded.is_ok(), "loading panicked on:\n{damaged}");
                if let Ok(Err(message)) = loaded {
                    prop_assert!(!message.contains('\n'), "{message}");
                }
            }
            Ok(())
        })
        .unwrap();
}
