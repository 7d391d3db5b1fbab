//! The two pictures of a counterexample: the column view against a committed expected output,
//! and every pinned replay drawn both ways, the chart well-formed XML that names every thread.

mod common;

use common::gcmc;
use gcmc::replay_file::ReplayFile;
use gcmc::view::{self, columns, Lane};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const EXPECTED_R6: &str = "tests/expected/R6-loom.columns.txt";

fn pinned_replays() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/replays");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    assert!(files.len() > 50, "the pinned replays are missing from {}", dir.display());
    files
}

#[test]
fn the_column_view_of_the_r6_replay_matches_its_expected_output() {
    let out = gcmc(&["replay", "models/replays/R6-loom.json", "--columns"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let expected = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(EXPECTED_R6)).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        expected,
        "the column view changed; if that is intended, regenerate it with \
         `cargo run --release -- replay models/replays/R6-loom.json --columns > {EXPECTED_R6}`"
    );
}

/// The README shows the R6 column view and chart as the command line makes them today.
#[test]
fn the_readme_shows_the_r6_views_as_they_are_drawn() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let expected = std::fs::read_to_string(root.join(EXPECTED_R6)).unwrap();
    assert!(readme.contains(&format!("```\n{expected}```")), "the README's column view of R6 is not {EXPECTED_R6}");
    let svg = common::scratch("view-tests", "R6-loom-for-readme.svg");
    let out = gcmc(&["replay", "models/replays/R6-loom.json", "--svg", svg.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(readme.contains("](docs/R6-loom.svg)"), "the README does not show docs/R6-loom.svg");
    assert!(
        std::fs::read_to_string(&svg).unwrap() == std::fs::read_to_string(root.join("docs/R6-loom.svg")).unwrap(),
        "docs/R6-loom.svg is stale: `cargo run --release -- replay models/replays/R6-loom.json --svg docs/R6-loom.svg`"
    );
}

/// Replays each pinned file and draws it both ways: every step in its own row and its thread's
/// column, lines within the width, the marks on steps of the trace; the chart parses as XML, has a
/// lane heading for every thread and one box per step, in the step's lane, marked boxes in red.
#[test]
fn every_pinned_replay_renders_as_columns_and_as_a_chart() {
    for path in pinned_replays() {
        let shown = path.display().to_string();
        let loaded = ReplayFile::load(&path).unwrap_or_else(|e| panic!("{shown}: {e}"));
        let verdict = loaded.replay().unwrap_or_else(|e| panic!("{shown}: {e}")).verdict;
        let trace = &verdict.trace;
        let violation = verdict.violation().unwrap_or_else(|| panic!("{shown}: no violation"));
        let lanes = view::lanes(trace);
        let marks = view::marked(trace, &violation.detail);
        assert!(!marks.is_empty() && marks.iter().all(|&m| m < trace.len()), "{shown}: marks {marks:?}");

        let table = columns::render(trace, Some(violation), 100);
        let header = table.lines().next().unwrap();
        assert!(lanes.iter().all(|l| header.split(" | ").any(|c| c.trim() == l.name())), "{shown}: {header}");
        if lanes.len() * (columns::MIN_COLUMN + 3) + 4 <= 100 {
            assert!(table.lines().all(|l| l.chars().count() <= 100), "{shown}:\n{table}");
        }
        let numbered: Vec<usize> = table.lines().filter_map(|l| l.split(" | ").next()?.trim().trim_end_matches('*').parse().ok()).collect();
        assert_eq!(numbered, (1..=trace.len()).collect::<Vec<_>>(), "{shown}: a step is missing or out of order");

        let svg = view::svg::render(&shown, trace, Some(violation));
        let document = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{shown}: the chart is not well-formed XML: {e}"));
        let texts: BTreeSet<&str> = document.descendants().filter(|n| n.has_tag_name("text")).filter_map(|n| n.text()).collect();
        for lane in &lanes {
            assert!(texts.contains(lane.name().as_str()), "{shown}: no lane heading for {}", lane.name());
        }
        let steps: Vec<_> = document.descendants().filter(|n| n.attribute("class") == Some("step")).collect();
        assert_eq!(steps.len(), trace.len(), "{shown}: one box per step");
        for (i, (node, line)) in steps.iter().zip(trace).enumerate() {
            assert_eq!(node.attribute("data-thread"), Some(Lane::of(line).name().as_str()), "{shown}: step {}", i + 1);
            let rect = node.children().find(|n| n.has_tag_name("rect")).expect("a box");
            assert_eq!(rect.attribute("stroke") == Some("#c62828"), marks.contains(&i), "{shown}: step {} marked wrongly", i + 1);
        }
    }
}

#[test]
fn replay_and_explore_draw_the_chart_and_the_columns_from_the_command_line() {
    let svg = common::scratch("view-tests", "R6-loom.svg");
    let _ = std::fs::remove_file(&svg);
    let out = gcmc(&["replay", "models/replays/R6-loom.json", "--columns", "--width", "80", "--svg", svg.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.lines().filter(|l| l.contains(" | ")).all(|l| l.chars().count() <= 80), "{stdout}");
    assert!(stdout.contains("chart written to"), "{stdout}");
    roxmltree::Document::parse(&std::fs::read_to_string(&svg).unwrap()).expect("well-formed XML");

    let replays = common::scratch("view-tests", "explore-replays");
    let out = gcmc(&[
        "explore",
        "gcbits",
        "--variant",
        "stale-next-link",
        "--threads",
        "2",
        "--ops",
        "1",
        "--columns",
        "--replay-dir",
        replays.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let header = stdout.lines().find(|l| l.contains(" | T0")).unwrap_or_else(|| panic!("no column header: {stdout}"));
    assert!(header.contains(" | T1"), "{stdout}");
    assert!(stdout.contains("* the steps the violation points at"), "{stdout}");
}

#[test]
fn a_width_too_narrow_or_without_columns_is_refused() {
    for args in [&["--columns", "--width", "5"][..], &["--width", "80"][..]] {
        let out = gcmc(&[&["replay", "models/replays/R6-loom.json"][..], args].concat());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: ") && stderr.lines().count() == 1, "{args:?}: {stderr}");
    }
}
