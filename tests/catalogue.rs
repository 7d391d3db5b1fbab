//! The gate: the catalogue, run through the same code as `gcmc check` (check::select, check::run),
//! must match in every row, and every pinned replay must reproduce its violation and trace.

use gcmc::catalogue::{self, Expect};
use gcmc::check::{self, Options};
use std::path::{Path, PathBuf};

fn scratch(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(name)
}

#[test]
fn every_catalogue_case_matches_and_every_pinned_replay_reproduces() {
    let catalogue = catalogue::load(Path::new(catalogue::DEFAULT_CATALOGUE)).unwrap_or_else(|e| panic!("{e}"));
    let options = Options::new(scratch("catalogue-replays"));
    let cases = check::select(&catalogue, &options);
    assert!(!cases.is_empty());
    let rows = check::run(&cases, &options, &mut |_, _, _| {});
    eprint!("{}", check::table(&rows));
    assert!(check::all_matched(&rows), "mismatched rows:\n{}", check::table(&rows));
    // Every broken case wrote a replay file of this run's failure, and pins one.
    for (case, row) in cases.iter().zip(&rows) {
        if let Expect::Violation(_) = case.expect {
            if case.replay.is_some() {
                assert!(row.replay.is_some(), "{}: no replay written", case.id);
            }
        }
    }
}

#[test]
fn the_catalogue_covers_each_regression_r1_to_r14_with_an_engine_that_sees_it() {
    let catalogue = catalogue::load(Path::new(catalogue::DEFAULT_CATALOGUE)).unwrap();
    for id in (1..=14).map(|n| format!("R{n}")) {
        let caught = catalogue
            .cases
            .iter()
            .filter(|c| c.id.starts_with(&format!("{id}-")) && !c.deep)
            .filter(|c| matches!(c.expect, Expect::Violation(_)) && c.replay.is_some())
            .count();
        assert!(caught > 0, "{id}: no quick case expects its violation with a pinned replay");
    }
    // Each variant of every registered model appears in the catalogue.
    for model in gcmc::registry::MODELS {
        for variant in model.variants() {
            assert!(
                catalogue.cases.iter().any(|c| c.config.model == model.name() && c.config.variant == variant),
                "{} {variant} has no catalogue case",
                model.name()
            );
        }
    }
}

/// A row that does not match must fail the gate: expectations are checked, not echoed.
#[test]
fn a_wrong_expectation_and_a_stale_pin_are_mismatches() {
    let dir = scratch("catalogue-mismatch");
    std::fs::create_dir_all(dir.join("replays")).unwrap();
    // The R1-loom pinned file, stored under the name of a case with other sizes: stale.
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("models/replays/R1-loom.json"),
        dir.join("replays/stale.json"),
    )
    .unwrap();
    let text = r#"
[[case]]
id = "wrong"
model = "lfstack"
variant = "no-counter"
config = { threads = 3, nodes = 3, iterations = 1, counter_bits = 0 }
engine = { name = "loom", bound = 3 }
expect = "holds"

[[case]]
id = "stale"
model = "lfstack"
variant = "no-counter"
config = { threads = 3, nodes = 3, iterations = 1, counter_bits = 0 }
engine = { name = "pct", iterations = 20000, depth = 4, seed = 1816825113 }
expect = "violation:duplicated-node"
replay = "replays/stale.json"

[[case]]
id = "shrunk-space"
model = "lfstack"
variant = "go"
config = { threads = 2, nodes = 3, counter_bits = 3, programs = [[{ pop = 1 }, { push = 0 }], [{ pop = 0 }, { pop = 0 }]] }
engine = { name = "loom" }
expect = "holds"
executions = 31
"#;
    let path = dir.join("catalogue.toml");
    let catalogue = catalogue::load_str(&path, text).unwrap_or_else(|e| panic!("{e}"));
    let mut options = Options::new(dir.join("out"));
    options.shrink_limit = std::time::Duration::ZERO;
    let rows = check::run(&check::select(&catalogue, &options), &options, &mut |_, _, _| {});
    assert!(!rows[0].matched);
    assert_eq!(rows[0].outcome, "violation:duplicated-node");
    let replay = rows[0].replay.as_deref().expect("the unexpected failure wrote a replay file");
    assert!(rows[0].problems.iter().any(|p| p.contains(&format!("cargo run --release -- replay {replay}"))), "{:?}", rows[0].problems);
    assert!(!rows[1].matched, "a stale pinned replay must fail the gate");
    assert_eq!(rows[1].outcome, "violation:duplicated-node");
    assert!(
        rows[1].problems.iter().any(|p| p.contains("is stale: its engine differs") && p.contains("cargo run --release -- pin stale")),
        "{:?}",
        rows[1].problems
    );
    assert!(!rows[2].matched, "a changed execution count must fail the gate");
    assert_eq!(rows[2].outcome, "holds");
    assert!(rows[2].problems.iter().any(|p| p.contains("explored 30 executions, the catalogue records 31")), "{:?}", rows[2].problems);
    assert!(!check::all_matched(&rows));
}
