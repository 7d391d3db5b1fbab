//! The `gcmc` binary: bad input exits 2 with one line `error: ...` on stderr; a mismatching case
//! exits 1 and prints a replay command that works; `--json` has exactly the documented fields.

mod common;

use common::{gcmc, gcmc_with_env, GOOD_CASE};
use std::path::{Path, PathBuf};

fn scratch(name: &str) -> PathBuf {
    common::scratch("cli-tests", name)
}

/// Exit 2, and stderr is exactly one line starting with `error:` that contains `expected`.
fn assert_bad_input(args: &[&str], expected: &str) {
    let out = gcmc(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: stderr {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: stderr is not one line: {stderr}");
    assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    assert!(stderr.contains(expected), "{args:?}: {stderr} (wanted {expected:?})");
}

fn catalogue_with(name: &str, text: &str) -> String {
    let path = scratch(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn malformed_catalogues_are_refused_in_one_line() {
    let cases: Vec<(&str, String, &str)> = vec![
        ("syntax", "[[case]\nid = 1".into(), "line 1"),
        ("unknown-field", GOOD_CASE.replace("expect =", "expct = \"holds\"\nexpect ="), "case ok: unknown field `expct`"),
        (
            "unknown-variant",
            GOOD_CASE.replace("\"go\"", "\"foo\""),
            "case ok: unknown variant `foo` for model lfstack (known: go, no-counter",
        ),
        ("unknown-model", GOOD_CASE.replace("\"lfstack\"", "\"nosuch\""), "case ok: unknown model `nosuch` (known: lfstack"),
        ("unknown-config-field", GOOD_CASE.replace("nodes = 2", "nodez = 2"), "case ok: lfstack: unknown field `nodez`"),
        ("impossible-sizes", GOOD_CASE.replace("threads = 2", "threads = 0"), "case ok: lfstack: need at least one thread"),
        ("too-many-threads", GOOD_CASE.replace("threads = 2", "threads = 5"), "case ok: loom supports at most 4 spawned threads"),
        ("oversized", GOOD_CASE.replace("nodes = 2", "nodes = 100000000"), "case ok: lfstack: nodes = 100000000 is over the limit of 4096"),
        ("bad-expect", GOOD_CASE.replace("\"holds\"", "\"violation:oops\""), "case ok: unknown violation kind `oops`"),
        (
            "unknown-engine",
            GOOD_CASE.replace("\"loom\" }", "\"lom\" }"),
            "case ok: unknown engine `lom` (known: loom, pct, random, dfs, std, stateful)",
        ),
        ("bad-engine", GOOD_CASE.replace("\"loom\" }", "\"loom\", depth = 3 }"), "case ok: `depth` does not apply to engine loom"),
        (
            "unseeded",
            GOOD_CASE.replace("{ name = \"loom\" }", "{ name = \"pct\", iterations = 10, depth = 2 }"),
            "case ok: engine pct needs `seed`",
        ),
        ("unpinned", GOOD_CASE.replace("\"holds\"", "\"violation:aba\""), "case ok: expects a violation under loom but pins no replay"),
        ("duplicate", format!("{GOOD_CASE}{GOOD_CASE}"), "case ok: duplicate id"),
        ("empty", String::new(), "no [[case]] entries"),
        ("top-level", format!("colour = 1\n{GOOD_CASE}"), "unknown top-level key `colour`"),
    ];
    for (name, text, expected) in cases {
        let path = catalogue_with(&format!("{name}.toml"), &text);
        assert_bad_input(&["check", "--catalogue", &path], expected);
        assert_bad_input(&["list", "--catalogue", &path], expected);
    }
    assert_bad_input(&["check", "--catalogue", "/no/such/catalogue.toml"], "cannot read");
}

#[test]
fn unknown_models_variants_engines_and_impossible_sizes_are_refused() {
    assert_bad_input(&["explore", "nosuch", "--variant", "go"], "unknown model `nosuch` (known: lfstack");
    assert_bad_input(&["explore", "lfstack", "--variant", "foo"], "unknown variant `foo` for model lfstack (known: go");
    assert_bad_input(&["explore", "lfstack", "--variant", "go", "--threads", "0"], "need at least one thread");
    assert_bad_input(&["explore", "lfstack", "--variant", "go", "--threads", "5"], "loom supports at most 4 spawned threads");
    assert_bad_input(&["explore", "lfstack", "--variant", "go", "--set", "stacks=9"], "stacks must be in 1..=4");
    assert_bad_input(&["explore", "lfstack", "--variant", "go", "--set", "nodez=1"], "unknown field `nodez`");
    assert_bad_input(&["explore", "lfstack", "--variant", "go", "--set", "base=0xzz"], "address \"0xzz\" is not a 64-bit hex");
    assert_bad_input(&["explore", "workbufs", "--variant", "go", "--set", "preempt_after=0"], "preempt_after must be at least 1");
    assert_bad_input(
        &["explore", "lfstack", "--variant", "go", "--set", "base=-64"],
        "is negative; write an address above i64::MAX as a hex string",
    );
    assert_bad_input(
        &["explore", "lfstack", "--variant", "go", "--engine", "magic"],
        "invalid value 'magic' for '--engine <E>' [possible values: loom, pct, random, dfs, std, stateful]",
    );
    assert_bad_input(&["explore", "lfstack", "--variant", "go", "--engine", "pct", "--bound", "2"], "`bound` does not apply to engine pct");
    assert_bad_input(&["explore", "lfstack", "--variant", "pop-2012", "--engine", "std"], "undefined behaviour");
    assert_bad_input(&["explore", "lfstack", "--variant", "go", "--threads", "many"], "invalid value 'many'");
    assert_bad_input(&["explore", "lfstack"], "--variant");
    assert_bad_input(
        &["check", "--engine", "magic"],
        "invalid value 'magic' for '--engine <E>' [possible values: loom, pct, random, dfs, std, stateful]",
    );
    assert_bad_input(&["check", "no-case-has-this-name"], "no case of");
    assert_bad_input(
        &["power", "--engine", "magic"],
        "invalid value 'magic' for '--engine <E>' [possible values: loom, pct, random, dfs, std, stateful]",
    );
    assert_bad_input(&["power", "no-case-has-this-name"], "no holds case of a correct variant matches");
    assert_bad_input(&["frobnicate"], "unrecognized subcommand");
}

/// shuttle would quietly seed every PCT and random run from SHUTTLE_RANDOM_SEED: refused, in one
/// line, for an ad-hoc run and for the catalogue; DFS, which takes no seed, still runs.
#[test]
fn a_shuttle_seed_in_the_environment_is_refused() {
    let seeded = [("SHUTTLE_RANDOM_SEED", "7")];
    for args in [
        &["explore", "gcbits", "--variant", "v1", "--engine", "pct", "--iterations", "10"][..],
        &["explore", "gcbits", "--variant", "v1", "--engine", "random", "--iterations", "10"][..],
        &["check", "R6-pct"][..],
    ] {
        let out = gcmc_with_env(args, &seeded);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: ") && stderr.contains("SHUTTLE_RANDOM_SEED is set"), "{args:?}: {stderr}");
    }
    let out = gcmc_with_env(&["explore", "gcbits", "--variant", "v1", "--engine", "dfs", "--threads", "2", "--ops", "1"], &seeded);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// loom's Builder panics on a LOOM_* number it cannot parse (LOOM_MAX_BRANCHES=lots): refused in one
/// line before loom reads it, for an ad-hoc run and for the catalogue. A well-formed one changes
/// nothing, since gcmc sets every loom setting itself: the catalogue case still explores its
/// recorded executions.
#[test]
fn a_malformed_loom_variable_is_refused_and_a_wellformed_one_is_ignored() {
    for (name, value) in [("LOOM_MAX_BRANCHES", "lots"), ("LOOM_MAX_PREEMPTIONS", "-1"), ("LOOM_MAX_DURATION", "1.5")] {
        for args in
            [&["explore", "gcbits", "--variant", "v1", "--engine", "loom", "--threads", "2", "--ops", "1"][..], &["check", "R6-loom"][..]]
        {
            let out = gcmc_with_env(args, &[(name, value)]);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{name} {args:?}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{name} {args:?}: {stderr}");
            assert!(stderr.starts_with("error: ") && stderr.contains(&format!("{name}=\"{value}\" is not a whole number")), "{stderr}");
        }
    }
    let out = gcmc_with_env(&["check", "R6-loom", "--json"], &[("LOOM_MAX_BRANCHES", "3"), ("LOOM_MAX_PREEMPTIONS", "0")]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Sizes past a model's limits are refused before anything is built from them, on every path a
/// size comes in by; the limits themselves run, and `list --limits` prints them.
#[test]
fn oversized_inputs_are_refused_before_anything_runs() {
    assert_bad_input(
        &["explore", "gcbits", "--variant", "v1", "--set", "allocs=1000000000"],
        "gcbits: allocs = 1000000000 is over the limit of 1000",
    );
    assert_bad_input(
        &["explore", "lfstack", "--variant", "go", "--set", "nodes=100000000"],
        "lfstack: nodes = 100000000 is over the limit of 4096",
    );
    assert_bad_input(
        &["explore", "workbufs", "--variant", "go", "--threads", "100000", "--engine", "pct"],
        "workbufs: workers = 100000 is over the limit of 64",
    );
    assert_bad_input(
        &["explore", "lfstack", "--variant", "go", "--threads", "100", "--ops", "100", "--engine", "pct"],
        "threads = 100 is over the limit of 64",
    );
    assert_bad_input(
        &["explore", "lfstack", "--variant", "go", "--threads", "64", "--ops", "1000", "--engine", "pct"],
        "threads x ops = 64000 is over the limit of 10000",
    );
    let pinned = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/replays/R1-pct.json")).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&pinned).unwrap();
    value["threads"] = 1_000_000.into();
    value["config"]["threads"] = 1_000_000.into();
    let huge = scratch("a-million-threads.json");
    std::fs::write(&huge, value.to_string()).unwrap();
    assert_bad_input(&["replay", huge.to_str().unwrap()], "corrupt config: lfstack: threads = 1000000 is over the limit of 64");
    let at_the_limit = gcmc(&["explore", "lfstack", "--variant", "go", "--set", "nodes=4096", "--engine", "pct", "--iterations", "5"]);
    assert_eq!(at_the_limit.status.code(), Some(0), "{}", String::from_utf8_lossy(&at_the_limit.stderr));
    let listed = String::from_utf8(gcmc(&["list", "--limits"]).stdout).unwrap();
    for needle in ["lfstack   nodes", "gcbits    allocs", "workbufs  spawned threads", "threads x ops", "spawned threads under loom"] {
        assert!(listed.contains(needle), "list --limits lacks {needle:?}:\n{listed}");
    }
}

#[test]
fn corrupt_and_stale_replay_files_are_refused() {
    let pinned = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/replays/R1-pct.json")).unwrap();
    let corrupt = scratch("corrupt.json");
    std::fs::write(&corrupt, &pinned[..pinned.len() / 2]).unwrap();
    assert_bad_input(&["replay", corrupt.to_str().unwrap()], "corrupt: not JSON");
    let stale = scratch("stale.json");
    std::fs::write(&stale, pinned.replace(&format!("\"{}\"", env!("CARGO_PKG_VERSION")), "\"0.0.1\"")).unwrap();
    assert_bad_input(&["replay", stale.to_str().unwrap()], "written by gcmc 0.0.1");
    let other_variant = scratch("other-variant.json");
    std::fs::write(&other_variant, pinned.replacen("\"variant\": \"no-counter\"", "\"variant\": \"pop-2012\"", 1)).unwrap();
    assert_bad_input(&["replay", other_variant.to_str().unwrap()], "variant `pop-2012` but its config is variant `no-counter`");
    assert_bad_input(&["replay", "/no/such/file.json"], "replay file /no/such/file.json refused: cannot read it");
    // A damaged schedule: refused before shuttle's decoder (which would panic) sees it.
    let damaged = scratch("damaged-schedule.json");
    let mut value: serde_json::Value = serde_json::from_str(&pinned).unwrap();
    value["schedule"]["encoded"] = "zzzz".into();
    std::fs::write(&damaged, value.to_string()).unwrap();
    assert_bad_input(&["replay", damaged.to_str().unwrap()], "refused: corrupt schedule: not an even number of hex digits");
}

#[test]
fn a_pinned_replay_reproduces_from_the_command_line() {
    let out = gcmc(&["replay", "models/replays/R2-1bit-pct.json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("violation: duplicated-node"), "{stdout}");
    assert!(stdout.contains("T0   lfstack.pop"), "{stdout}");
    assert!(stdout.contains("reproduced: the same violation and the same trace as recorded"), "{stdout}");
}

#[test]
fn a_mismatching_case_exits_1_and_its_replay_command_works() {
    let path = catalogue_with(
        "mismatch.toml",
        &GOOD_CASE
            .replace("\"go\"", "\"no-counter\"")
            .replace("counter_bits = 3", "counter_bits = 0")
            .replace("config = { threads = 2, nodes = 2, iterations = 1", "config = { threads = 3, nodes = 3, iterations = 1")
            .replace("{ name = \"loom\" }", "{ name = \"pct\", iterations = 2000, depth = 4, seed = 1816825113 }"),
    );
    let replays = scratch("mismatch-replays");
    let out = gcmc(&["check", "--catalogue", &path, "--replay-dir", replays.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("MISMATCH"), "{stdout}");
    let command = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("replay it: cargo run --release -- "))
        .unwrap_or_else(|| panic!("no replay command in {stdout}"));
    let args: Vec<&str> = command.split(' ').collect();
    let replayed = gcmc(&args);
    let replay_out = String::from_utf8_lossy(&replayed.stdout);
    assert_eq!(replayed.status.code(), Some(0), "{replay_out}");
    assert!(replay_out.contains("reproduced"), "{replay_out}");
}

#[test]
fn json_rows_have_exactly_the_documented_fields() {
    let out = gcmc(&["check", "R4", "--engine", "loom", "--json", "--replay-dir", scratch("json-replays").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let rows = rows.as_array().expect("an array");
    assert_eq!(rows.len(), 2, "R4's loom cases: one per variant");
    for row in rows {
        let mut keys: Vec<_> = row.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["engine", "executions", "exhaustive", "expect", "id", "model", "outcome", "replay", "seconds", "variant"]);
        assert_eq!(row["expect"], row["outcome"]);
        assert_eq!(row["replay"].is_null(), row["outcome"] == "holds", "{row}");
    }
}

/// Addresses above i64::MAX: `--set base=0x...` (and `base = "0x..."` in a catalogue) reach the
/// model, and the suggested case writes them back as a hex string.
#[test]
fn a_base_above_the_address_hole_is_accepted_as_hex() {
    let args = [
        "explore",
        "lfstack",
        "--variant",
        "go",
        "--threads",
        "1",
        "--ops",
        "1",
        "--set",
        "base=0xffff800000000000",
        "--set",
        "counter_bits=3",
    ];
    let held = gcmc(&[&args[..], &["--engine", "dfs"]].concat());
    assert_eq!(held.status.code(), Some(0), "{}", String::from_utf8_lossy(&held.stdout));
    let out = gcmc(
        &[&args[..], &["--set", "sign_extend=false", "--engine", "dfs", "--replay-dir", scratch("hex-base").to_str().unwrap()]].concat(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("violation: throw: lfstack.push"), "{stdout}");
    assert!(stdout.contains("base = \"0xffff800000000000\""), "{stdout}");
}

/// `explore --engine stateful`: a proof prints the search's figures; a failure is written as a
/// replay file that `replay` reproduces; bad stateful options are refused.
#[test]
fn explore_under_the_stateful_engine() {
    let out = gcmc(&["explore", "gcbits", "--variant", "v1", "--threads", "2", "--ops", "1", "--engine", "stateful"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("exhaustive") && stdout.contains("states stored"), "{stdout}");

    let dir = scratch("stateful-replays");
    let out = gcmc(&[
        "explore",
        "gcbits",
        "--variant",
        "stale-next-link",
        "--engine",
        "stateful",
        "--no-shrink",
        "--replay-dir",
        dir.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("violation:lost-arena"), "{stdout}");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .expect("a replay file");
    let replayed = gcmc(&["replay", file.to_str().unwrap()]);
    assert_eq!(replayed.status.code(), Some(0), "{}", String::from_utf8_lossy(&replayed.stdout));

    assert_bad_input(
        &["explore", "gcbits", "--variant", "v1", "--engine", "stateful", "--max-states", "0"],
        "budget limits must be at least 1",
    );
    assert_bad_input(
        &["explore", "gcbits", "--variant", "v1", "--engine", "dfs", "--exact-states"],
        "`exact_states` does not apply to engine dfs",
    );
}
