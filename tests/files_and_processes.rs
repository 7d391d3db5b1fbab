//! Files and processes (issue 28): a closed stdout ends gcmc quietly; catalogue paths stay inside
//! the catalogue's directory; pin overwrites only its own files; every input file is a bounded
//! regular file; absurdly long names are refused at load.

mod common;

use common::{gcmc, GOOD_CASE};
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn scratch(name: &str) -> PathBuf {
    let dir = common::scratch("files-and-processes", name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Exit 2, one `error:` line on stderr that contains every one of `expected`.
fn assert_refused(out: &Output, expected: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stdout {} stderr {stderr}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    for needle in expected {
        assert!(stderr.contains(needle), "{stderr} (wanted {needle:?})");
    }
}

/// `gcmc ARGS`, failed if it has not ended within `seconds` (it is killed then): a refusal must
/// come at once, not after a read that never ends.
fn gcmc_within(args: &[&str], seconds: u64) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gcmc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the gcmc binary runs");
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed().as_secs() >= seconds {
            let _ = child.kill();
            let _ = child.wait();
            panic!("gcmc {args:?} still running after {seconds}s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// A case that must pin a replay (a loom violation) at `replay`, as written in the catalogue.
fn broken_case(replay: &str) -> String {
    GOOD_CASE.replace("expect = \"holds\"", &format!("expect = \"violation:aba\"\nreplay = \"{replay}\""))
}

/// `gcmc ARGS` with its stdout a pipe whose reader is already gone: every write sees EPIPE,
/// whatever the timing (a reader that closed after a read could let small output through).
fn gcmc_into_closed_pipe(args: &[&str]) -> Output {
    let mut fds = [0; 2];
    // Safety: pipe fills both descriptors on success; each is owned exactly once below.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let (reader, writer) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_gcmc"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .expect("the gcmc binary runs")
}

#[test]
fn a_closed_stdout_ends_gcmc_quietly() {
    for args in [&["explore", "--help"][..], &["list"], &["list", "--limits"]] {
        let out = gcmc_into_closed_pipe(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked") && !stderr.contains("backtrace"), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
        assert_eq!(out.status.code(), Some(141), "{args:?}");
    }
}

/// A reader that takes one line and goes away, as `gcmc list | head -1` does.
#[test]
fn a_reader_that_stops_after_one_line_sees_no_panic() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_gcmc"))
        .args(["list"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert_eq!(first, "variants:\n");
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(matches!(out.status.code(), Some(0 | 141)), "{:?}", out.status);
}

#[test]
fn a_catalogue_replay_path_must_stay_inside_the_catalogue_directory() {
    let dir = scratch("paths");
    let outside = scratch("paths-outside");
    std::os::unix::fs::symlink(&outside, dir.join("out")).unwrap();
    let catalogue = dir.join("catalogue.toml");
    let path = catalogue.to_str().unwrap();
    for (replay, problem) in [
        ("../x.json", "has a `..` component"),
        ("replays/../../x.json", "has a `..` component"),
        ("/tmp/x.json", "is absolute"),
        ("out/x.json", "leads out of it through a symlink"),
        (".", "names no file"),
    ] {
        std::fs::write(&catalogue, broken_case(replay)).unwrap();
        for args in [&["list", "--catalogue", path][..], &["pin", "ok", "--catalogue", path]] {
            let out = gcmc(args);
            assert_refused(&out, &["case ok: replay", replay, problem, "inside the catalogue's directory"]);
        }
    }
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0, "nothing may be written outside");
    std::fs::write(&catalogue, broken_case("replays/ok.json")).unwrap();
    let listed = gcmc(&["list", "--catalogue", path]);
    assert_eq!(listed.status.code(), Some(0), "{}", String::from_utf8_lossy(&listed.stderr));
}

/// `pin` overwrites only a gcmc replay of the same case; a user's file, or another case's replay,
/// at the path a catalogue names is left as it was.
#[test]
fn pin_never_overwrites_a_file_that_is_not_its_replay_of_the_case() {
    let dir = scratch("pin-owns");
    std::fs::create_dir_all(dir.join("replays")).unwrap();
    let catalogue = dir.join("catalogue.toml");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("models/catalogue.toml")).unwrap();
    let start = text.find("[[case]]\nid = \"R6-loom\"").expect("R6-loom in the catalogue");
    let end = start + text[start..].find("\n\n").unwrap();
    std::fs::write(&catalogue, format!("{}\n", &text[start..end])).unwrap();
    let target = dir.join("replays/R6-loom.json");
    let another_case = std::fs::read_to_string(root.join("models/replays/R1-loom.json")).unwrap();
    for (content, problem) in [
        ("my notes, not JSON\n".to_string(), "is not a gcmc replay file (not JSON)"),
        ("{\"notes\": 1}\n".to_string(), "is not a gcmc replay file (no gcmc_version or format)"),
        (another_case, "holds the replay of case R1-loom"),
    ] {
        std::fs::write(&target, &content).unwrap();
        let out = gcmc(&["pin", "R6-loom", "--catalogue", catalogue.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{stdout}");
        assert!(stdout.contains("R6-loom: NOT pinned") && stdout.contains(problem), "{stdout}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), content, "pin overwrote a file it does not own");
    }
    std::fs::remove_file(&target).unwrap();
    let pinned = gcmc(&["pin", "R6-loom", "--catalogue", catalogue.to_str().unwrap()]);
    assert_eq!(pinned.status.code(), Some(0), "{}", String::from_utf8_lossy(&pinned.stdout));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), std::fs::read_to_string(root.join("models/replays/R6-loom.json")).unwrap());
}

/// A write replaces a regular file, never a symlink (or a device) at the target.
#[test]
fn a_chart_is_not_written_over_a_symlink() {
    let dir = scratch("svg");
    std::fs::write(dir.join("kept.svg"), "mine\n").unwrap();
    std::os::unix::fs::symlink(dir.join("kept.svg"), dir.join("link.svg")).unwrap();
    let link = dir.join("link.svg");
    let out = gcmc(&["replay", "models/replays/R1-pct.json", "--svg", link.to_str().unwrap()]);
    // Refused before the replay runs (the write helper refuses it too: files.rs).
    assert_refused(&out, &["--svg", "link.svg: it is a symlink, and gcmc replaces only regular files"]);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(dir.join("kept.svg")).unwrap(), "mine\n");
    let chart = dir.join("chart.svg");
    assert_eq!(gcmc(&["replay", "models/replays/R1-pct.json", "--svg", chart.to_str().unwrap()]).status.code(), Some(0));
    assert!(std::fs::read_to_string(&chart).unwrap().contains("<svg "));
}

#[test]
fn inputs_that_are_not_small_regular_files_are_refused_at_once() {
    assert_refused(&gcmc_within(&["replay", "/dev/zero"], 10), &["replay file /dev/zero refused: not a regular file (a device)"]);
    let dir = scratch("inputs");
    let fifo = dir.join("catalogue.fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let fifo = fifo.to_str().unwrap();
    for args in [&["list", "--catalogue", fifo][..], &["check", "--catalogue", fifo], &["replay", fifo]] {
        assert_refused(&gcmc_within(args, 10), &["catalogue.fifo", "not a regular file (a FIFO)"]);
    }
    assert_refused(&gcmc_within(&["list", "--catalogue", dir.to_str().unwrap()], 10), &["not a regular file (a directory)"]);
    let big = dir.join("big.toml");
    let limit = gcmc::files::MAX_CATALOGUE_BYTES;
    std::fs::write(&big, format!("{GOOD_CASE}#{}", "x".repeat(limit as usize))).unwrap();
    let over = format!("over the limit of {limit} bytes");
    assert_refused(&gcmc_within(&["list", "--catalogue", big.to_str().unwrap()], 10), &[&over]);
    let listed = String::from_utf8(gcmc(&["list", "--limits"]).stdout).unwrap();
    let row = |what: &str, max: String| listed.lines().any(|l| l.contains(what) && l.split_whitespace().any(|w| w == max));
    assert!(row("catalogue file, bytes", limit.to_string()), "{listed}");
    assert!(row("replay file, bytes", gcmc::files::MAX_REPLAY_BYTES.to_string()), "{listed}");
}

/// Names of absurd length are refused at load in one short line; at the bounds they load and
/// every table lays them out.
#[test]
fn absurdly_long_names_are_refused_at_load() {
    let dir = scratch("names");
    let catalogue = dir.join("catalogue.toml");
    let path = catalogue.to_str().unwrap();
    let max_id = gcmc::catalogue::load::MAX_ID_CHARS;
    let max_why = gcmc::catalogue::load::MAX_WHY_CHARS;
    let long_id = "a".repeat(1_000_000);
    for (text, problem) in [
        (
            GOOD_CASE.replace("id = \"ok\"", &format!("id = \"{long_id}\"")),
            format!("case #1: `id` has 1000000 characters, over the limit of {max_id}"),
        ),
        (
            GOOD_CASE.replace("expect =", &format!("why = \"{}\"\nexpect =", "w".repeat(max_why + 1))),
            format!("case ok: `why` has {} characters, over the limit of {max_why}", max_why + 1),
        ),
    ] {
        std::fs::write(&catalogue, text).unwrap();
        let out = gcmc(&["list", "--catalogue", path]);
        assert_refused(&out, &[&problem]);
        assert!(out.stderr.len() < 500, "the error echoes the name: {} bytes", out.stderr.len());
    }
    let id = "b".repeat(max_id);
    std::fs::write(&catalogue, GOOD_CASE.replace("id = \"ok\"", &format!("id = \"{id}\"\nwhy = \"{}\"", "w".repeat(max_why)))).unwrap();
    let listed = gcmc(&["list", "--catalogue", path]);
    assert_eq!(listed.status.code(), Some(0), "{}", String::from_utf8_lossy(&listed.stderr));
    assert!(String::from_utf8_lossy(&listed.stdout).contains(&id));
    // A 10,000,000-letter id makes a catalogue over the size limit: refused before it is parsed.
    std::fs::write(&catalogue, GOOD_CASE.replace("id = \"ok\"", &format!("id = \"{}\"", "a".repeat(10_000_000)))).unwrap();
    assert_refused(&gcmc(&["list", "--catalogue", path]), &["bytes, over the limit of"]);
}

/// A `gcmc check` killed with SIGKILL (no handler can run) takes its case worker with it: the
/// worker would otherwise run its case to the end of its budget for nobody.
#[cfg(target_os = "linux")]
#[test]
fn a_killed_check_leaves_no_worker_behind() {
    use std::time::{Duration, Instant};
    // A proof of about a minute: its worker is certainly still running when the parent dies.
    let mut check = Command::new(env!("CARGO_BIN_EXE_gcmc"))
        .args(["check", "--deep", "gcbits-v1-stateful-4x2"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let worker = loop {
        if let Some(&pid) = common::live_children(check.id(), "case-worker").first() {
            break pid;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "no case worker started");
        std::thread::sleep(Duration::from_millis(20));
    };
    check.kill().unwrap();
    check.wait().unwrap();
    let killed = Instant::now();
    let alive = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|stat| stat.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')))
    };
    while alive(worker) {
        if killed.elapsed() > Duration::from_secs(5) {
            let _ = Command::new("kill").args(["-9", &worker.to_string()]).status();
            panic!("the case worker {worker} outlived its parent by 5 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Output paths are judged before the run: a chart into a directory that does not exist, or a
/// replay directory that is a file, is refused at once in one line, before anything is explored
/// or replayed (a run of minutes must not end in "cannot write").
#[test]
fn unusable_output_paths_are_refused_before_the_run() {
    let refusals: [(&[&str], &str); 4] = [
        (&["replay", "models/replays/R1-loom.json", "--svg", "/nonexistent/x.svg"], "--svg /nonexistent/x.svg"),
        (&["explore", "gcbits", "--variant", "v1", "--engine", "dfs", "--svg", "/nonexistent/x.svg"], "--svg"),
        (&["explore", "gcbits", "--variant", "v1", "--engine", "dfs", "--replay-dir", "Cargo.toml"], "--replay-dir Cargo.toml"),
        (&["check", "R1-loom", "--replay-dir", "Cargo.toml/replays"], "is not a directory"),
    ];
    for (args, needle) in refusals {
        let out = gcmc_within(args, 10);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: one line: {stderr}");
        assert!(stderr.starts_with("error: ") && stderr.contains(needle), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing ran: {}", String::from_utf8_lossy(&out.stdout));
    }
}

/// Every other name a catalogue entry, a replay file or the command line carries is bounded too,
/// and a refusal is one short line that quotes none of it whole.
#[test]
fn every_name_is_bounded_and_no_error_echoes_one() {
    let dir = scratch("every-name");
    let max = gcmc::lengths::MAX_NAME_CHARS;
    let huge = "n".repeat(3_000_000);
    let catalogue = dir.join("catalogue.toml");
    let path = catalogue.to_str().unwrap();
    for (from, to, field) in [
        ("model = \"lfstack\"", format!("model = \"{huge}\""), "`model`"),
        ("variant = \"go\"", format!("variant = \"{huge}\""), "`variant`"),
        ("expect = \"holds\"", format!("expect = \"{huge}\""), "`expect`"),
        ("name = \"loom\"", format!("name = \"{huge}\""), "`engine.name`"),
        ("counter_bits = 3", format!("counter_bits = 3, base = \"{huge}\""), "`config.base`"),
        ("counter_bits = 3", format!("counter_bits = 3, {huge} = 1"), "a field name in `config`"),
        ("expect =", format!("{huge} = 1\nexpect ="), "a field name"),
    ] {
        std::fs::write(&catalogue, GOOD_CASE.replace(from, &to)).unwrap();
        let out = gcmc(&["list", "--catalogue", path]);
        assert_refused(&out, &["case ok: ", field, "has 3000000 characters", &format!("over the limit of {max}")]);
        assert!(out.stderr.len() < 300, "{field}: {} bytes", out.stderr.len());
    }
    let pinned: serde_json::Value = serde_json::from_str(&std::fs::read_to_string("models/replays/R1-pct.json").unwrap()).unwrap();
    let file = dir.join("replay.json");
    let ten_million = serde_json::Value::from("m".repeat(10_000_000));
    for (place, field) in
        [(&["model"][..], "`model`"), (&["violation", "kind"], "`violation.kind`"), (&["config", "variant"], "`config.variant`")]
    {
        let mut damaged = pinned.clone();
        let (last, parents) = place.split_last().unwrap();
        parents.iter().fold(&mut damaged, |v, key| &mut v[*key])[*last] = ten_million.clone();
        std::fs::write(&file, serde_json::to_string(&damaged).unwrap()).unwrap();
        let out = gcmc(&["replay", file.to_str().unwrap()]);
        assert_refused(&out, &[field, "has 10000000 characters", &format!("over the limit of {max}")]);
        assert!(out.stderr.len() < 300, "{field}: {} bytes", out.stderr.len());
    }
    let long = "x".repeat(max + 1);
    let set_key = format!("{long}=1");
    let set_value = format!("base={long}");
    for (args, problem) in [
        (vec!["explore", &long, "--variant", "go"], "the model name has 101 characters"),
        (vec!["explore", "lfstack", "--variant", &long], "the --variant name has 101 characters"),
        (vec!["explore", "lfstack", "--variant", "go", "--set", &set_key], "a --set key has 101 characters"),
        (vec!["explore", "lfstack", "--variant", "go", "--set", &set_value], "the value of --set base has 101 characters"),
    ] {
        assert_refused(&gcmc(&args), &[problem]);
    }
    // A mistyped option of 100,000 characters, which clap quotes whole: the line is cut.
    let option = format!("--{}", "o".repeat(100_000));
    let out = gcmc(&["check", &option]);
    assert_refused(&out, &["cut at 2000 characters"]);
    assert!(out.stderr.len() < 2_100, "{} bytes", out.stderr.len());
    let listed = String::from_utf8(gcmc(&["list", "--limits"]).stdout).unwrap();
    assert!(listed.lines().any(|l| l.contains("any other name, characters") && l.contains(&format!(" {max} "))), "{listed}");
}
