//! Replay files: a failure written to a file replays to the same violation and the same trace,
//! byte for byte; a file from another version, model or variant, or a corrupt one, is refused in
//! one line naming the mismatch.

mod common;

use gcmc::catalogue::{self, Case};
use gcmc::explain;
use gcmc::replay_file::{ReplayFile, VERSION};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn case(id: &str) -> Case {
    let mut catalogue = catalogue::load(Path::new(catalogue::DEFAULT_CATALOGUE)).unwrap();
    let at = catalogue.cases.iter().position(|c| c.id == id).unwrap_or_else(|| panic!("no case {id}"));
    catalogue.cases.swap_remove(at)
}

fn scratch(name: &str) -> PathBuf {
    common::scratch("replay-tests", name)
}

/// Fail, write the file, replay it: the same violation and a byte-identical rendered trace.
#[test]
fn a_failure_round_trips_through_its_replay_file_under_loom_and_shuttle() {
    for id in ["R1-loom", "R1-pct", "R1-random", "R1-dfs", "R1-stateful", "R2-1bit-loom", "R3-loom", "R4-pop-load-loom"] {
        let case = case(id);
        let verdict = case.model.run(&case.config, &case.engine, &case.budget).unwrap();
        assert!(verdict.violation().is_some(), "{id}: {:?}", verdict.outcome);
        let file = ReplayFile::from_verdict(Some(id), &case.config, &case.engine, &verdict).expect("a replayable failure");
        let path = scratch(&format!("{id}.json"));
        file.write(&path).unwrap();
        let loaded = ReplayFile::load(&path).unwrap_or_else(|e| panic!("{id}: {e}"));
        for _ in 0..2 {
            let replayed = loaded.replay().unwrap();
            assert_eq!(replayed.divergence, None, "{id}");
            assert_eq!(replayed.verdict.outcome, verdict.outcome, "{id}");
            assert_eq!(replayed.verdict.executions, 1, "{id}: a replay runs one execution");
            assert_eq!(
                explain::render(&loaded.config, &loaded.file.engine, &replayed.verdict),
                explain::render(&case.config, &case.engine, &verdict),
                "{id}: the rendered trace differs"
            );
        }
    }
}

fn pinned_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/replays/R1-pct.json")).unwrap()
}

fn edited(edit: impl FnOnce(&mut Value)) -> String {
    let mut value: Value = serde_json::from_str(&pinned_text()).unwrap();
    edit(&mut value);
    serde_json::to_string_pretty(&value).unwrap()
}

fn refusal(text: &str) -> String {
    let err = ReplayFile::parse("f.json", text).err().expect("refused");
    let message = err.to_string();
    assert!(!message.contains('\n'), "{message}");
    assert!(message.starts_with("replay file f.json refused: "), "{message}");
    message
}

#[test]
fn refusals_name_the_mismatch_in_one_line() {
    let cases: Vec<(String, &str)> = vec![
        (edited(|v| v["gcmc_version"] = "0.0.1".into()), "written by gcmc 0.0.1, this is gcmc"),
        (edited(|v| v["format"] = 99.into()), "format 99"),
        (edited(|v| v["model"] = "gcbits-from-the-future".into()), "unknown model `gcbits-from-the-future`"),
        (edited(|v| v["variant"] = "no-such".into()), "unknown variant `no-such` for model lfstack"),
        (edited(|v| v["variant"] = "go".into()), "variant `go` but its config is variant `no-counter`"),
        (
            edited(|v| {
                v["config"]["variant"] = "go".into();
                v["config"]["counter_bits"] = 3.into();
            }),
            "variant `no-counter` but its config is variant `go`",
        ),
        (edited(|v| v["threads"] = 2.into()), "sizes 2 threads x 1 ops but its config has 3 x 1"),
        (edited(|v| v["config"]["colour"] = "red".into()), "corrupt config: lfstack: unknown field `colour`"),
        (edited(|v| v["config"]["threads"] = 0.into()), "corrupt config: lfstack: need at least one thread"),
        (edited(|v| v["schedule"] = serde_json::json!({"kind": "loom", "path": {}})), "a loom schedule for engine pct"),
        (edited(|v| v["engine"] = serde_json::json!({"engine": "loom", "preemption_bound": null})), "a shuttle schedule for engine loom"),
        (edited(|v| drop(v.as_object_mut().unwrap().remove("schedule"))), "corrupt: missing field `schedule`"),
        (edited(|v| v["trace"] = 7.into()), "corrupt: invalid type"),
        (pinned_text()[..200].to_string(), "corrupt: not JSON"),
        ("{\"hello\": 1}".to_string(), "not a gcmc replay file"),
        (String::new(), "corrupt: not JSON"),
    ];
    for (text, expected) in cases {
        let message = refusal(&text);
        assert!(message.contains(expected), "{message} (wanted {expected:?})");
    }
    assert!(refusal(&edited(|v| v["gcmc_version"] = "9.9.9".into())).contains(VERSION));
}

#[test]
fn a_schedule_from_another_run_does_not_silently_reproduce() {
    // A file whose schedule was edited replays to something else: reported as a divergence, not
    // passed off as the recorded failure.
    let text = edited(|v| {
        let other: Value = serde_json::from_str(
            &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/replays/R1-random.json")).unwrap(),
        )
        .unwrap();
        v["violation"]["detail"] = "something else".into();
        v["schedule"] = other["schedule"].clone();
    });
    let loaded = ReplayFile::parse("f.json", &text).unwrap();
    let replayed = loaded.replay().unwrap();
    assert!(replayed.divergence.is_some());
}

#[test]
fn every_pinned_file_loads_and_is_for_its_case() {
    let catalogue = catalogue::load(Path::new(catalogue::DEFAULT_CATALOGUE)).unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/replays");
    let mut pinned: Vec<_> = catalogue.cases.iter().filter_map(|c| c.replay.clone()).collect();
    pinned.sort();
    let mut on_disk: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    on_disk.sort();
    assert_eq!(pinned, on_disk, "models/replays holds exactly the catalogue's pinned files");
    for case in &catalogue.cases {
        if let Some(path) = &case.replay {
            let loaded = ReplayFile::load(path).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(loaded.file.case.as_deref(), Some(case.id.as_str()));
            assert_eq!(loaded.config, case.config, "{}", case.id);
        }
    }
}

/// The first branch of a loom checkpoint: a scheduling decision.
fn first(v: &mut Value) -> &mut Value {
    &mut v["schedule"]["path"]["branches"]["entries"][0]["Schedule"]
}

fn loom_pinned() -> Value {
    serde_json::from_str(&std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/replays/R1-loom.json")).unwrap())
        .unwrap()
}

/// A damaged schedule is refused before shuttle or loom sees it (shuttle's decoder would panic
/// or reserve the claimed length; loom would report its own load failure as the model's panic).
#[test]
fn damaged_schedules_are_refused_before_they_run() {
    let shuttle = |encoded: &str| edited(|v| v["schedule"]["encoded"] = encoded.into());
    let loom = |edit: &dyn Fn(&mut Value)| {
        let mut v = loom_pinned();
        edit(&mut v);
        serde_json::to_string(&v).unwrap()
    };
    let cases: Vec<(String, &str)> = vec![
        (shuttle("zzzz"), "corrupt schedule: not an even number of hex digits"),
        (shuttle(""), "corrupt schedule: empty"),
        (shuttle("00"), "not shuttle's schedule marker 0x91"),
        (shuttle("91"), "corrupt schedule: ends inside its task id width"),
        (shuttle("91ffffffffffffffffffff7f"), "its task id width does not fit in 64 bits"),
        (shuttle("914101000e"), "task ids of 65 bits"),
        (shuttle("9101ffffffff0f0000"), "claims 4294967295 steps of 2 bits in 1 bytes"),
        // Task ids of 3 bits, one step running task 7: R1-pct has the main thread and 3 more.
        (shuttle("910301000e"), "step 1 runs task 7, but the configuration has 4 (the main thread and 3 spawned)"),
        (shuttle("9101050000"), "claims 5 steps of 2 bits in 1 bytes"),
        (shuttle("91010100000000"), "claims 1 steps of 2 bits in 3 bytes"),
        (loom(&|v| v["schedule"]["path"] = "garbage".into()), "corrupt loom checkpoint: invalid type"),
        (loom(&|v| v["schedule"]["path"]["colour"] = 1.into()), "corrupt loom checkpoint: unknown field `colour`"),
        (loom(&|v| v["schedule"]["path"]["preemption_bound"] = 9.into()), "recorded with preemption bound 9, the file's engine has 3"),
        (loom(&|v| v["schedule"]["path"]["pos"] = 100_000.into()), "position 100000 past its"),
        (loom(&|v| first(v)["threads"][4] = "Active".into()), "branch 1 runs thread 4, the configuration has 4"),
        (loom(&|v| first(v)["threads"] = serde_json::json!(["Active"])), "branch 1 lists 1 threads, loom keeps 5"),
        (loom(&|v| first(v)["initial_active"] = 200.into()), "branch 1 starts at thread 200"),
        (loom(&|v| first(v)["preemptions"] = 7.into()), "branch 1 has 7 preemptions, over the bound 3"),
        (loom(&|v| first(v)["prev"] = serde_json::json!({"_p": null, "index": 0})), "branch 1 follows branch 1"),
        (loom(&|v| v["schedule"]["path"]["branches"]["entries"][1]["Load"]["pos"] = 5.into()), "branch 2 reads value 5 of 1"),
    ];
    for (text, expected) in cases {
        let message = refusal(&text);
        assert!(message.contains(expected), "{message} (wanted {expected:?})");
    }
}
