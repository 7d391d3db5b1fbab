//! Spreading the catalogue over cores and runners: `check --jobs N` gives the rows of a one-job
//! run, and the shards of `check --shard I/N` together are the whole selection, each case once.

use gcmc::catalogue::{self, Case};
use gcmc::check::worker::Workers;
use gcmc::check::{self, shard, Options};
use gcmc::shard::Shard;
use serde_json::Value;
use std::path::Path;
mod common;

use common::gcmc;

fn selection(deep: bool) -> Vec<String> {
    let catalogue = catalogue::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(catalogue::DEFAULT_CATALOGUE)).unwrap();
    let mut options = Options::new(std::env::temp_dir());
    options.deep = deep;
    check::select(&catalogue, &options).iter().map(|c| c.id.clone()).collect()
}

#[test]
fn the_shards_of_the_catalogue_hold_every_case_exactly_once_at_about_equal_cost() {
    let catalogue = catalogue::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(catalogue::DEFAULT_CATALOGUE)).unwrap();
    for deep in [false, true] {
        let mut options = Options::new(std::env::temp_dir());
        options.deep = deep;
        let cases: Vec<&Case> = check::select(&catalogue, &options);
        let total: u64 = cases.iter().map(|c| shard::cost(c)).sum();
        let largest = cases.iter().map(|c| shard::cost(c)).max().unwrap();
        for count in 1..=6 {
            let mut seen: Vec<&str> = Vec::new();
            for part in Shard::all(count).unwrap() {
                let cases_of_part = shard::select(&cases, part);
                // Graham's bound for the longest-processing-time rule.
                let load: u64 = cases_of_part.iter().map(|c| shard::cost(c)).sum();
                assert!(load <= total / count as u64 + largest, "deep {deep}, shard {part}: {load} of {total}");
                seen.extend(cases_of_part.iter().map(|c| c.id.as_str()));
            }
            seen.sort_unstable();
            let mut all: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
            all.sort_unstable();
            assert_eq!(seen, all, "deep {deep}: the {count} shards are not the selection, each case once");
        }
    }
}

/// `check --json` rows, with `seconds` (the one field allowed to differ) removed.
fn rows(args: &[&str]) -> Vec<Value> {
    let out = gcmc(args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    let mut rows: Vec<Value> = serde_json::from_slice(&out.stdout).expect("check --json prints JSON");
    for row in &mut rows {
        assert!(row.as_object_mut().unwrap().remove("seconds").is_some(), "a row without seconds");
    }
    rows
}

#[test]
fn jobs_and_shards_give_exactly_the_rows_of_one_sequential_run() {
    let filter = "R1";
    let sequential = rows(&["check", filter, "--json", "--jobs", "1"]);
    assert!(sequential.len() >= 4, "the R1 rows: {sequential:?}");
    assert_eq!(rows(&["check", filter, "--json", "--jobs", "2"]), sequential, "--jobs 2 changed a row or the order");
    let mut union: Vec<Value> = (1..=3).flat_map(|i| rows(&["check", filter, "--json", "--shard", &format!("{i}/3")])).collect();
    let id = |row: &Value| row["id"].as_str().unwrap().to_string();
    union.sort_by_key(id);
    let mut whole = sequential.clone();
    whole.sort_by_key(id);
    assert_eq!(union, whole, "the three shards are not the rows of the whole run, each once");
    assert!(selection(false).len() > sequential.len());
}

#[test]
fn impossible_jobs_and_shards_are_refused_in_one_line() {
    for (args, expected) in [
        (vec!["check", "R1", "--jobs", "0"], "--jobs must be at least 1"),
        (vec!["check", "R1", "--shard", "3/2"], "shards count from 1 to 2"),
        (vec!["check", "R1", "--shard", "two"], "is not I/N"),
        (vec!["check", "R1-loom", "--shard", "2/2"], "shard 2/2 of the selected cases is empty"),
        (vec!["explore", "lfstack", "--variant", "go", "--shard", "1/2"], "loom cannot be split into shards"),
        (vec!["explore", "lfstack", "--variant", "go", "--engine", "std", "--shard", "1/2"], "instead of sharding"),
        (
            vec!["explore", "lfstack", "--variant", "go", "--engine", "dfs", "--shard", "1/2", "--split-depth", "0"],
            "--split-depth must be at least 1",
        ),
        (vec!["explore", "lfstack", "--variant", "go", "--engine", "dfs", "--split-depth", "3"], "--shard"),
        (vec!["explore", "lfstack", "--variant", "go", "--engine", "pct", "--jobs", "0"], "--jobs must be at least 1"),
    ] {
        let out = gcmc(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: ") && stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn an_explore_shard_says_what_its_proof_covers() {
    let out = gcmc(&["explore", "gcbits", "--variant", "v1", "--threads", "2", "--ops", "2", "--engine", "dfs", "--shard", "2/3"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("shard 2/3, exhaustive over shard 2/3 (the proof is all 3 shards holding)"), "{stdout}");
}

/// A case run in a child process gives the row it gives in place, down to what `--json` leaves
/// out (problems, detail, figures); a child that dies gives an `error` row saying how, one that
/// hangs is killed after its time limit and grace, and the run goes on.
#[test]
fn a_case_in_a_child_process_gives_its_in_place_row_and_a_dead_or_stuck_child_a_row_saying_so() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalogue = catalogue::load(&root.join(catalogue::DEFAULT_CATALOGUE)).unwrap();
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("worker-rows");
    let in_place = Options::new(scratch.clone());
    let mut in_child = in_place.clone();
    in_child.workers = Workers::Processes { exe: env!("CARGO_BIN_EXE_gcmc").into(), catalogue: catalogue.path.clone() };
    // A violation with a pinned replay, a row that holds, and a row whose engine was deepened.
    in_child.overrides.iterations = Some(30_000);
    let mut deepened = in_place.clone();
    deepened.overrides.iterations = Some(30_000);
    for (id, here) in [("R6-loom", &in_place), ("gcbits-v1-loom-2x2-mixed-sizes", &in_place), ("gcbits-v2-pct-4x4-rotations", &deepened)] {
        let case = catalogue.cases.iter().find(|c| c.id == id).unwrap();
        let (a, b) = (check::run_case(case, here), check::run_one(case, &in_child));
        let shown = |r: &check::Row| {
            (r.outcome.clone(), r.executions, r.engine.clone(), r.matched, r.replay.clone(), r.detail.clone(), r.figures.clone())
        };
        assert_eq!(shown(&a), shown(&b), "{id}");
        assert_eq!(a.problems, b.problems, "{id}");
    }
    // A child that never answers is killed after its time limit and grace, and says so.
    let stuck = scratch.join("stuck-worker.sh");
    std::fs::create_dir_all(&scratch).unwrap();
    std::fs::write(&stuck, "#!/bin/sh\nexec sleep 600\n").unwrap();
    std::fs::set_permissions(&stuck, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let mut hurried = in_place.clone();
    hurried.workers = Workers::Processes { exe: stuck, catalogue: catalogue.path.clone() };
    hurried.overrides.max_seconds = Some(0.5);
    hurried.shrink_limit = std::time::Duration::ZERO;
    let holds = catalogue.cases.iter().find(|c| c.id == "gcbits-v1-loom-2x2-mixed-sizes").unwrap();
    let row = check::run_one(holds, &hurried);
    assert_eq!((row.outcome.as_str(), row.matched), ("budget-exhausted", false));
    assert!(row.problems[0].contains("did not stop within its time limit and grace"), "{:?}", row.problems);
    let case = catalogue.cases.iter().find(|c| c.id == "R6-loom").unwrap();
    for (exe, says) in
        [("/bin/false", "the worker process ended with exit status: 1"), ("/no/such/gcmc", "could not start the worker process")]
    {
        let mut dead = in_place.clone();
        dead.workers = Workers::Processes { exe: exe.into(), catalogue: catalogue.path.clone() };
        let row = check::run_one(case, &dead);
        assert_eq!((row.outcome.as_str(), row.matched), ("error", false), "{exe}");
        assert!(row.problems[0].contains(says) && row.problems[0].contains("gcmc check --jobs 1 R6-loom"), "{exe}: {:?}", row.problems);
    }
}
