//! Files and processes (issue 28): a closed stdout ends gcmc quietly; catalogue paths stay inside
//! the catalogue's directory; pin overwrites only its own files; every input file is a bounded
//! regular file; absurdly long names are refused at load.

mod common;

use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, Output, Stdio};

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
