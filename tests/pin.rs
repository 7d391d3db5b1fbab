//! `gcmc pin`: a new race becomes a pinned regression case, and re-pinning does not launder a
//! change (a holds case whose count changed needs `--accept`; a broken case's diverged trace is
//! shown before it is re-pinned).

mod common;

use common::gcmc;
use common::GOOD_CASE;
use std::path::{Path, PathBuf};

fn scratch(name: &str) -> PathBuf {
    common::scratch("pin-tests", name)
}

/// The README's three steps: explore finds and shrinks a race and prints a case; the case goes in
/// a catalogue; `pin` writes its replay; `check` then matches, replaying the pinned file.
#[test]
fn a_new_race_becomes_a_pinned_regression_case_in_three_steps() {
    let dir = scratch("three-steps");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = gcmc(&[
        "explore",
        "lfstack",
        "--variant",
        "go",
        "--threads",
        "3",
        "--ops",
        "3",
        "--set",
        "nodes=3",
        "--set",
        "counter_bits=1",
        "--engine",
        "pct",
        "--depth",
        "4",
        "--iterations",
        "20000",
        "--seed",
        "7",
        "--replay-dir",
        dir.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("shrunk from 3 threads x 3 ops"), "{}", String::from_utf8_lossy(&out.stderr));
    let case = &stdout[stdout.find("[[case]]").expect("a suggested case")..];
    let catalogue = dir.join("catalogue.toml");
    std::fs::write(&catalogue, case.replace("NEW-ID", "R15")).unwrap();
    let catalogue = catalogue.to_str().unwrap();
    let pinned = gcmc(&["pin", "R15", "--catalogue", catalogue]);
    assert_eq!(pinned.status.code(), Some(0), "{}", String::from_utf8_lossy(&pinned.stdout));
    assert!(dir.join("replays/R15.json").exists());
    let checked = gcmc(&["check", "R15", "--catalogue", catalogue, "--replay-dir", dir.join("out").to_str().unwrap()]);
    let table = String::from_utf8_lossy(&checked.stdout);
    assert_eq!(checked.status.code(), Some(0), "{table}");
    assert!(table.contains("1 cases, 1 matched, 0 mismatched"), "{table}");
}

/// `pin` never launders a change: a case that must hold and explored a different number of
/// executions is refused without `--accept` (one line on stderr, exit 1, nothing written), with
/// both counts shown; with `--accept` the new count is recorded and `check` matches again.
#[test]
fn pin_refuses_a_changed_count_on_a_holds_case_without_accept() {
    let dir = scratch("pin-holds");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let catalogue = dir.join("catalogue.toml");
    // GOOD_CASE explores 30 executions; the catalogue claims 47.
    let text = GOOD_CASE.replace("expect = \"holds\"", "expect = \"holds\"\nexecutions = 47");
    std::fs::write(&catalogue, &text).unwrap();
    let path = catalogue.to_str().unwrap();
    let out = gcmc(&["pin", "ok", "--catalogue", path]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("ok: executions 47 -> 30"), "{stdout}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: case ok must hold") && stderr.contains("--accept") && stderr.contains("nothing written"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&catalogue).unwrap(), text, "nothing may be written without --accept");

    let accepted = gcmc(&["pin", "ok", "--accept", "--catalogue", path]);
    let stdout = String::from_utf8_lossy(&accepted.stdout);
    assert_eq!(accepted.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("ok: executions 47 -> 30") && stdout.contains("ok: recorded executions = 30"), "{stdout}");
    assert_eq!(std::fs::read_to_string(&catalogue).unwrap(), text.replace("executions = 47", "executions = 30"));
    let checked = gcmc(&["check", "ok", "--catalogue", path, "--replay-dir", dir.join("out").to_str().unwrap()]);
    assert_eq!(checked.status.code(), Some(0), "{}", String::from_utf8_lossy(&checked.stdout));
    // Nothing changed now: pinning again needs no --accept and writes nothing new.
    let again = gcmc(&["pin", "ok", "--catalogue", path]);
    assert_eq!(again.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&again.stdout).contains("ok: unchanged"));
}

/// A broken case whose pinned trace diverged: `pin` shows the old and new counts and the first
/// differing trace line, then re-pins it (broken cases need no --accept).
#[test]
fn pin_shows_how_a_broken_case_diverged_before_re_pinning_it() {
    let dir = scratch("pin-broken");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("replays")).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalogue_text = std::fs::read_to_string(root.join("models/catalogue.toml")).unwrap();
    let start = catalogue_text.find("[[case]]\nid = \"R6-loom\"").expect("R6-loom in the catalogue");
    let end = start + catalogue_text[start..].find("\n\n").unwrap();
    let case = catalogue_text[start..end].replace("executions = 4", "executions = 3");
    let catalogue = dir.join("catalogue.toml");
    std::fs::write(&catalogue, format!("{case}\n")).unwrap();
    // The pinned file, with its fourth trace line reworded (a change in the model's wording).
    let pinned = std::fs::read_to_string(root.join("models/replays/R6-loom.json")).unwrap();
    let old_line = "T1   newMarkBits: locked; next nil has no room for 8 bytes: need an arena";
    assert!(pinned.contains(old_line), "{pinned}");
    std::fs::write(dir.join("replays/R6-loom.json"), pinned.replace(old_line, "T1   newMarkBits: an older wording")).unwrap();
    let out = gcmc(&["pin", "R6-loom", "--catalogue", catalogue.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("R6-loom: executions 3 -> 4"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "R6-loom: trace diverged at step 4 of 14 (was 14): old `T1   newMarkBits: an older wording`, new `{old_line}`"
        )),
        "{stdout}"
    );
    assert!(stdout.contains("R6-loom: pinned"), "{stdout}");
    assert_eq!(std::fs::read_to_string(dir.join("replays/R6-loom.json")).unwrap(), pinned);
    assert!(std::fs::read_to_string(&catalogue).unwrap().contains("executions = 4"));
}
