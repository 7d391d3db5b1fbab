//! Every loader fed arbitrary bytes and mutated valid files (issue 28), in the library: the
//! catalogue loader (`catalogue::load_str`), the replay file loader (`ReplayFile::parse`) and
//! the schedule decoders (`schedule_check::shuttle_steps` for shuttle's encoded strings,
//! `schedule_check::check` for loom's checkpoints). Each must return a value or a one-line error
//! of at most 2,000 characters, never panic. The corpus is the shipped catalogue and every pinned
//! replay; the mutations are tests/common/mutate.rs's. tests/fuzz_commands.rs runs the binary.
//!
//! cargo-fuzz needs a nightly toolchain, so this is proptest over fixed seeds (nothing persisted):
//! the same inputs every run. `GCMC_FUZZ_CASES=N` runs N per loader instead of 2,000 (and a
//! quarter as many arbitrary inputs); a failing input is kept in
//! `target/tmp/fuzz-loaders/` to be made a regression test.

mod common;

use common::mutate::{self, Edit, Mutation};
use gcmc::catalogue::load::load_str;
use gcmc::engine::{schedule_check, Engine, Schedule};
use gcmc::replay_file::ReplayFile;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

fn cases() -> u32 {
    std::env::var("GCMC_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000)
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every pinned replay file: (name, text).
fn pinned() -> Vec<(String, String)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("models/replays")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    files.iter().map(|f| (f.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(f).unwrap())).collect()
}

/// What one loader did over a run: mutation classes tried, inputs loaded and refused.
#[derive(Default)]
struct Figures {
    classes: BTreeMap<&'static str, u32>,
    loaded: u32,
    refused: u32,
}

impl Figures {
    fn tried(&mut self, classes: impl IntoIterator<Item = &'static str>) {
        for class in classes {
            *self.classes.entry(class).or_default() += 1;
        }
    }

    fn report(&self, what: &str) {
        eprintln!("{what}: {} loaded, {} refused; mutations tried: {:?}", self.loaded, self.refused, self.classes);
    }
}

/// Runs `load` on `input`: a panic, or an error of more than one line or 2,000 characters, fails
/// the case, and the input is kept in the scratch folder under `name`.
fn judged(name: &str, input: &[u8], figures: &Mutex<Figures>, load: impl FnOnce() -> Result<(), String>) -> Result<(), TestCaseError> {
    let outcome = catch_unwind(AssertUnwindSafe(load));
    let bad = match &outcome {
        Err(_) => Some("panicked".to_string()),
        Ok(Err(message)) if message.contains('\n') || message.chars().count() > 2_000 => {
            Some(format!("an error of {} lines and {} characters", message.lines().count(), message.chars().count()))
        }
        _ => None,
    };
    if let Some(bad) = bad {
        let kept = common::scratch("fuzz-loaders", &format!("failing-{name}"));
        std::fs::write(&kept, input).unwrap();
        return Err(TestCaseError::fail(format!("{name}: {bad}; the input is kept in {}", kept.display())));
    }
    let mut figures = figures.lock().unwrap();
    match outcome {
        Ok(Ok(())) => figures.loaded += 1,
        _ => figures.refused += 1,
    }
    Ok(())
}

/// Arbitrary bytes, or arbitrary printable text, up to 4 KiB.
fn arbitrary() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![proptest::collection::vec(any::<u8>(), 0..4096), "[ -~\n]{0,4096}".prop_map(String::into_bytes)]
}

#[test]
fn the_catalogue_loader_returns_or_refuses_in_one_line() {
    let path = root().join("models/catalogue.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let entries: Vec<String> = text.split("\n[[case]]\n").skip(1).map(|e| format!("[[case]]\n{e}\n")).collect();
    let figures = Mutex::new(Figures::default());
    // A few consecutive entries, or (one case in twenty) the whole catalogue.
    let base = (0..entries.len(), 1usize..=5, 0u8..20);
    mutate::runner(cases(), 28)
        .run(&(base, mutate::mutations(), 0..entries.len()), |((first, count, whole), mutations, donor)| {
            let original = if whole == 0 { text.clone() } else { entries[first..(first + count).min(entries.len())].concat() };
            let input = mutate::apply(original.as_bytes(), &mutations, entries[donor].as_bytes());
            figures.lock().unwrap().tried(mutations.iter().map(Mutation::class));
            judged("catalogue.toml", &input, &figures, || {
                load_str(&path, &String::from_utf8_lossy(&input)).map(drop).map_err(|e| e.to_string())
            })
        })
        .unwrap();
    // Edits that keep it TOML: the validation behind the parser, more than the parser.
    mutate::runner(cases() / 2, 37)
        .run(&((0..entries.len(), 1usize..=5), mutate::edits()), |((first, count), edits)| {
            let original = entries[first..(first + count).min(entries.len())].concat();
            let Some(input) = mutate::edit_toml(&original, &edits) else { return Ok(()) };
            figures.lock().unwrap().tried(edits.iter().map(Edit::class));
            judged("catalogue.toml", input.as_bytes(), &figures, || load_str(&path, &input).map(drop).map_err(|e| e.to_string()))
        })
        .unwrap();
    mutate::runner(cases() / 4, 29)
        .run(&arbitrary(), |input| {
            judged("catalogue.toml", &input, &figures, || {
                load_str(&path, &String::from_utf8_lossy(&input)).map(drop).map_err(|e| e.to_string())
            })
        })
        .unwrap();
    let figures = figures.into_inner().unwrap();
    figures.report("catalogue loader");
    assert!(figures.loaded > 0 && figures.refused > 0, "the mutations never (or always) broke the catalogue");
}

#[test]
fn the_replay_loader_returns_or_refuses_in_one_line() {
    let files = pinned();
    let figures = Mutex::new(Figures::default());
    mutate::runner(cases(), 30)
        .run(&(0..files.len(), mutate::mutations(), 0..files.len()), |(which, mutations, donor)| {
            let (name, text) = &files[which];
            let input = mutate::apply(text.as_bytes(), &mutations, files[donor].1.as_bytes());
            figures.lock().unwrap().tried(mutations.iter().map(Mutation::class));
            judged(name, &input, &figures, || {
                ReplayFile::parse(name, &String::from_utf8_lossy(&input)).map(drop).map_err(|e| e.to_string())
            })
        })
        .unwrap();
    mutate::runner(cases() / 2, 35)
        .run(&(0..files.len(), mutate::edits()), |(which, edits)| {
            let (name, text) = &files[which];
            let mut value: serde_json::Value = serde_json::from_str(text).unwrap();
            mutate::apply_edits(&mut value, &edits);
            figures.lock().unwrap().tried(edits.iter().map(Edit::class));
            let input = serde_json::to_string_pretty(&value).unwrap();
            judged(name, input.as_bytes(), &figures, || ReplayFile::parse(name, &input).map(drop).map_err(|e| e.to_string()))
        })
        .unwrap();
    mutate::runner(cases() / 4, 31)
        .run(&arbitrary(), |input| {
            judged("arbitrary.json", &input, &figures, || {
                ReplayFile::parse("arbitrary.json", &String::from_utf8_lossy(&input)).map(drop).map_err(|e| e.to_string())
            })
        })
        .unwrap();
    let figures = figures.into_inner().unwrap();
    figures.report("replay loader");
    assert!(figures.loaded > 0 && figures.refused > 0, "the mutations never (or always) broke a replay file");
}

/// The pinned replays' schedules: shuttle's encoded strings, and loom's checkpoints with their
/// engines.
fn schedules() -> (Vec<String>, Vec<(serde_json::Value, Engine)>) {
    let (mut shuttle, mut loom) = (Vec::new(), Vec::new());
    for (_, text) in pinned() {
        let file: ReplayFile = serde_json::from_str(&text).unwrap();
        match file.schedule {
            Schedule::Shuttle { encoded } => shuttle.push(encoded),
            Schedule::Loom { path } => loom.push((path, file.engine)),
        }
    }
    assert!(shuttle.len() >= 10 && loom.len() >= 10, "{} shuttle and {} loom schedules", shuttle.len(), loom.len());
    (shuttle, loom)
}

#[test]
fn the_shuttle_schedule_decoder_returns_or_refuses_in_one_line() {
    let (shuttle, _) = schedules();
    let figures = Mutex::new(Figures::default());
    mutate::runner(cases(), 32)
        .run(&(0..shuttle.len(), mutate::mutations(), 0..shuttle.len(), 0usize..6), |(which, mutations, donor, spawned)| {
            let input = mutate::apply(shuttle[which].as_bytes(), &mutations, shuttle[donor].as_bytes());
            figures.lock().unwrap().tried(mutations.iter().map(Mutation::class));
            judged("shuttle-schedule", &input, &figures, || {
                schedule_check::shuttle_steps(&String::from_utf8_lossy(&input), spawned).map(drop)
            })
        })
        .unwrap();
    mutate::runner(cases() / 4, 34)
        .run(&(arbitrary(), 0usize..6), |(input, spawned)| {
            judged("shuttle-schedule", &input, &figures, || {
                schedule_check::shuttle_steps(&String::from_utf8_lossy(&input), spawned).map(drop)
            })
        })
        .unwrap();
    let figures = figures.into_inner().unwrap();
    figures.report("shuttle schedule decoder");
    assert!(figures.loaded > 0 && figures.refused > 0, "the mutations never (or always) broke a schedule");
}

#[test]
fn the_loom_checkpoint_check_returns_or_refuses_in_one_line() {
    let (_, loom) = schedules();
    let figures = Mutex::new(Figures::default());
    let checked = |path: serde_json::Value, engine: &Engine, spawned: usize| {
        let bound = if let Engine::Loom { preemption_bound } = engine { *preemption_bound } else { None };
        schedule_check::check(&Schedule::Loom { path }, &Engine::Loom { preemption_bound: bound }, spawned)
    };
    mutate::runner(cases(), 33)
        .run(&(0..loom.len(), mutate::edits(), 0usize..6), |(which, edits, spawned)| {
            let (path, engine) = &loom[which];
            let mut path = path.clone();
            mutate::apply_edits(&mut path, &edits);
            figures.lock().unwrap().tried(edits.iter().map(Edit::class));
            let input = serde_json::to_vec(&path).unwrap();
            judged("loom-checkpoint", &input, &figures, || checked(path, engine, spawned))
        })
        .unwrap();
    // Text mutations, of which those that leave JSON are checked (the rest are the replay loader's).
    mutate::runner(cases() / 2, 36)
        .run(&(0..loom.len(), mutate::mutations(), 0..loom.len(), 0usize..6), |(which, mutations, donor, spawned)| {
            let (path, engine) = &loom[which];
            let (text, donor) = (serde_json::to_string_pretty(path).unwrap(), serde_json::to_string_pretty(&loom[donor].0).unwrap());
            let input = mutate::apply(text.as_bytes(), &mutations, donor.as_bytes());
            let Ok(path) = serde_json::from_slice::<serde_json::Value>(&input) else { return Ok(()) };
            figures.lock().unwrap().tried(mutations.iter().map(Mutation::class));
            judged("loom-checkpoint", &input, &figures, || checked(path, engine, spawned))
        })
        .unwrap();
    let figures = figures.into_inner().unwrap();
    figures.report("loom checkpoint check");
    assert!(figures.loaded > 0 && figures.refused > 0, "the edits never (or always) broke a checkpoint");
}

/// R1-loom's replay file with `edit` applied to its JSON, written to the scratch folder.
fn edited_r1_loom(name: &str, edit: impl FnOnce(&mut serde_json::Value)) -> (PathBuf, String) {
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("models/replays/R1-loom.json")).unwrap()).unwrap();
    edit(&mut value);
    let text = serde_json::to_string_pretty(&value).unwrap();
    let file = common::scratch("fuzz-loaders", name);
    std::fs::write(&file, &text).unwrap();
    (file, text)
}

/// `gcmc replay FILE` refuses in one short `error:` line containing `needle`.
fn replay_refuses(file: &Path, needle: &str) {
    let out = common::gcmc(&["replay", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error: ") && stderr.lines().count() == 1 && stderr.contains(needle), "{stderr}");
    assert!(stderr.len() < 400, "{} bytes", stderr.len());
}

/// Found by the loom checkpoint run: a branch following branch usize::MAX overflowed
/// (`prev.index + 1`, overflow checks are on) and `gcmc replay` panicked.
#[test]
fn a_checkpoint_branch_that_follows_branch_usize_max_is_refused() {
    let (file, text) = edited_r1_loom("prev-index-max.json", |v| {
        v["schedule"]["path"]["branches"]["entries"][2]["Schedule"]["prev"]["index"] = u64::MAX.into();
    });
    let refused = ReplayFile::parse("prev-index-max.json", &text).err().expect("refused").to_string();
    assert!(refused.contains("follows branch 18446744073709551616, which is not an earlier scheduling branch"), "{refused}");
    replay_refuses(&file, "not an earlier scheduling branch");
}

/// Found by the replay loader run: a long field name inside a checkpoint was quoted whole by
/// serde ("unknown field `...`"), a 200,000-character error line.
#[test]
fn a_long_name_inside_a_checkpoint_is_not_quoted_whole() {
    let long = "e".repeat(200_000);
    let (file, text) = edited_r1_loom("long-checkpoint-key.json", |v| v["schedule"]["path"][long.as_str()] = 1.into());
    let refused = ReplayFile::parse("long-checkpoint-key.json", &text).err().expect("refused").to_string();
    assert!(refused.contains("a field name in `schedule.path` has 200000 characters"), "{}", &refused[..refused.len().min(300)]);
    replay_refuses(&file, "has 200000 characters");
    // The decoder alone, given a long variant name, quotes 60 characters of it.
    let mut path = serde_json::from_str::<serde_json::Value>(&text).unwrap()["schedule"]["path"].clone();
    path.as_object_mut().unwrap().remove(long.as_str());
    path["branches"]["entries"][0]["Schedule"]["threads"][0] = format!("Act{long}").into();
    let refused = schedule_check::check(&Schedule::Loom { path }, &Engine::Loom { preemption_bound: Some(3) }, 2).unwrap_err();
    assert!(
        refused.starts_with("corrupt loom checkpoint: unknown variant `Acteee") && refused.len() < 300,
        "{}",
        &refused[..refused.len().min(300)]
    );
}
