//! Ctrl-C and SIGTERM during `gcmc check` (issue 28): the run stops within the hang guard, the
//! rows of the cases that finished are printed, and no case worker is left behind.

mod common;

use common::{live_children, GOOD_CASE};
use std::process::{Command, Output, Stdio};

/// Ctrl-C (SIGINT to the whole process group, as a terminal sends it) or SIGTERM during `check`:
/// the running worker is killed, the rows of the cases that finished are printed (the table, or
/// `--json`'s array) with a line naming the case that did not, and the exit code is 128 + the
/// signal.
#[cfg(target_os = "linux")]
#[test]
fn an_interrupted_check_prints_what_finished_and_leaves_no_worker() {
    use std::os::unix::process::CommandExt;
    use std::time::{Duration, Instant};
    let dir = common::scratch("interrupted-check", "signals");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let quick: Vec<String> = (1..=3).map(|n| GOOD_CASE.replace("id = \"ok\"", &format!("id = \"quick{n}\""))).collect();
    // Far more than 120 s of executions: it is certainly running when the signal comes.
    let slow = GOOD_CASE
        .replace("id = \"ok\"", "id = \"slow\"")
        .replace("threads = 2, nodes = 2, iterations = 1", "threads = 3, nodes = 3, iterations = 2")
        .replace("expect = \"holds\"", "budget = { max_seconds = 120 }\nexpect = \"budget-exhausted\"");
    let catalogue = dir.join("catalogue.toml");
    std::fs::write(&catalogue, format!("{}{slow}", quick.concat())).unwrap();
    for (signal, code, name, json) in [(libc::SIGINT, 130, "SIGINT (Ctrl-C)", false), (libc::SIGTERM, 143, "SIGTERM", true)] {
        let check = Command::new(env!("CARGO_BIN_EXE_gcmc"))
            .args(["check", "--jobs", "1", "--catalogue", catalogue.to_str().unwrap()])
            .args(json.then_some("--json"))
            .arg("--replay-dir")
            .arg(dir.join("replays"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let pid = check.id();
        // --jobs 1 runs the cases in catalogue order: once the slow case's worker runs, the quick
        // ones have their rows.
        let started = Instant::now();
        let worker = loop {
            if let Some(&worker) = live_children(pid, "--case=slow").first() {
                break worker;
            }
            assert!(started.elapsed() < Duration::from_secs(120), "the slow case's worker never started");
            std::thread::sleep(Duration::from_millis(20));
        };
        // Safety: a plain kill of the process group the test created.
        assert_eq!(unsafe { libc::kill(-(pid as libc::pid_t), signal) }, 0);
        let out = wait_or_kill(check, Duration::from_secs(10));
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(code), "{name}: stdout {stdout} stderr {stderr}");
        let said =
            format!("interrupted by {name}: 1 of 4 cases did not finish, only the cases that finished have rows (did not finish: slow)");
        if json {
            // The finished rows alone as the JSON array; the interruption on stderr.
            let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{name}: {e}: {stdout}"));
            let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
            assert_eq!(ids, ["quick1", "quick2", "quick3"], "{name}");
            assert!(rows.iter().all(|r| r["outcome"] == "holds"), "{name}: {stdout}");
            assert_eq!(stderr, format!("{said}\n"), "{name}");
        } else {
            for n in 1..=3 {
                let row = stdout.lines().find(|l| l.starts_with(&format!("quick{n} "))).unwrap_or_else(|| panic!("{name}: {stdout}"));
                assert!(row.contains(" holds ") && row.ends_with(" ok"), "{row}");
            }
            assert!(!stdout.lines().any(|l| l.starts_with("slow ")), "{name}: {stdout}");
            assert!(stdout.contains(&said), "{name}: {stdout}");
            assert_eq!(stderr, "", "{name}");
        }
        // The parent killed and reaped its worker before it exited.
        assert!(!std::path::Path::new(&format!("/proc/{worker}")).exists(), "{name}: the worker {worker} outlived check");
    }
}

/// `child`'s output once it has exited; killed (with its process group) and failed if it runs
/// past `limit`, a guard against a hang rather than a measure of speed.
#[cfg(target_os = "linux")]
fn wait_or_kill(mut child: std::process::Child, limit: std::time::Duration) -> Output {
    use std::io::Read;
    let (mut stdout, mut stderr) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        stdout.read_to_end(&mut bytes).unwrap();
        bytes
    });
    let err = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        stderr.read_to_end(&mut bytes).unwrap();
        bytes
    });
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            // Safety: the process group the test created.
            unsafe { libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL) };
            let _ = child.wait();
            panic!("still running {limit:?} after the signal");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    Output { status, stdout: out.join().unwrap(), stderr: err.join().unwrap() }
}
