//! `gcmc bench --quick` writes the whole report: every section with its table, every plot it
//! links well-formed SVG, and the figures that must have one value (the correct variants hold in
//! every proof-scale cell; the second run of every determinism row is identical) have it. The
//! figures themselves are measurements, never asserted here.

mod common;

use common::{gcmc, scratch};
use gcmc::bench::HEADINGS;

/// The text of section `i`, up to the next one.
fn section(report: &str, i: usize) -> &str {
    let start = report.find(HEADINGS[i]).unwrap_or_else(|| panic!("the report has no `{}`:\n{report}", HEADINGS[i]));
    let end = HEADINGS.get(i + 1).and_then(|next| report.find(next)).unwrap_or(report.len());
    &report[start..end]
}

#[test]
fn bench_quick_writes_every_section_table_and_plot() {
    let out = scratch("bench", "quick");
    let _ = std::fs::remove_dir_all(&out);
    let run = gcmc(&["bench", "--quick", "--out", out.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    assert!(stdout.contains("report written to"), "{stdout}");
    let report = std::fs::read_to_string(out.join("benchmarks.md")).unwrap();
    assert!(report.starts_with("# Benchmarks\n\nWritten by `cargo run --release -- bench --quick --out "), "{report}");
    for (i, heading) in HEADINGS.iter().enumerate() {
        let text = section(&report, i);
        let rows = text.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| case") && !l.starts_with("| size")).count();
        assert!(text.contains("|---|") && rows >= 2, "section `{heading}` has no table of results:\n{text}");
    }
    // Every size of the quick grid is a row of each proof-scale table, and no cell of a correct
    // variant found a violation.
    let scale = section(&report, 1);
    assert_eq!(scale.matches("\n| 2x1 |").count(), 2, "{scale}");
    assert_eq!(scale.matches("\n| 2x2 |").count(), 2, "{scale}");
    assert!(!scale.contains("violation"), "{scale}");
    assert!(section(&report, 4).contains("Every second run was identical."), "{}", section(&report, 4));
    // Every linked plot exists and is SVG.
    let linked: Vec<&str> = report.split("](").skip(1).filter_map(|rest| rest.split(')').next()).filter(|l| l.ends_with(".svg")).collect();
    assert_eq!(linked.len(), 3, "two proof-scale plots and the contention plot: {linked:?}");
    for file in linked {
        let svg = std::fs::read_to_string(out.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{file} is not well-formed XML: {e}"));
        assert_eq!(doc.root_element().tag_name().name(), "svg", "{file}");
        assert!(doc.descendants().any(|n| n.tag_name().name() == "polyline" || n.tag_name().name() == "path"), "{file} draws no line");
    }
}

#[test]
fn bench_refuses_an_output_directory_it_cannot_create() {
    let blocker = scratch("bench", "a-file");
    std::fs::write(&blocker, "not a directory").unwrap();
    let inside = blocker.join("report");
    // Refused before any measurement is made, with one line.
    let run = gcmc(&["bench", "--quick", "--out", inside.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.lines().any(|l| l.starts_with("error: cannot create ")), "{stderr}");
}
