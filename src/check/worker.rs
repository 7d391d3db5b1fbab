//! Catalogue cases in child processes: `gcmc check` runs each case in a fresh `gcmc
//! case-worker` process, and so does the test harness, rather than running cases side by side
//! on threads of one process.
//!
//! Why processes: loom gives each model thread of each execution a new coroutine stack, an mmap,
//! an mprotect and a munmap (15,000 such calls for the 5,025 executions of
//! lfstack-go-loom-2x2x2). Inside one process every munmap has to shoot down the translation
//! caches of the other cores running that process's threads, and all of them take the one lock on
//! the process's mappings, so two loom cases on two threads of one process each ran about 2.5
//! times slower than alone: side by side they finished later than one after the other. As two
//! processes they share nothing but the cores (the README's "Spreading a run over cores and
//! runners" has the figures).
//!
//! A process per case also keeps a crash (a stack overflow, an abort in an engine) to that case's
//! row instead of ending the whole run.
//!
//! The protocol is private to one `gcmc` binary: a [`Request`] as JSON on the child's stdin, a
//! [`Reply`] as JSON on its stdout; its stderr (the engines' chatter) is kept only to explain a
//! child that failed. A child asked to report progress first writes lines `progress E S` (E
//! executions and S states so far) on its stdout, about five a second; the reply is the line after
//! the last of them.

use super::{Options, Overrides, Row};
use crate::catalogue::{self, Case};
use crate::engine::Watch;
use crate::error::GcmcError;
use crate::watchdog;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// The hidden subcommand a child runs.
pub const SUBCOMMAND: &str = "case-worker";

/// Where child processes come from, for [`Options::workers`].
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Workers {
    /// Each case on the calling thread, or on a worker thread of this process.
    #[default]
    InProcess,
    /// Each case in its own child: `exe case-worker`, loading `catalogue` (the file the cases came
    /// from) and running the case of the same id.
    Processes { exe: PathBuf, catalogue: PathBuf },
}

/// What a child is asked to run: one case, under the parent's options.
#[derive(Debug, Serialize, Deserialize)]
pub struct Request {
    pub catalogue: PathBuf,
    pub id: String,
    pub overrides: Overrides,
    pub replay_dir: PathBuf,
    pub verify_pinned: bool,
    pub shrink_limit_ms: u64,
    /// Write `progress` lines before the reply.
    #[serde(default)]
    pub report_progress: bool,
}

/// A child's answer: the row in full, including what `--json` leaves out.
#[derive(Debug, Serialize, Deserialize)]
pub struct Reply {
    row: Row,
    matched: bool,
    problems: Vec<String>,
    detail: String,
    figures: String,
}

impl Reply {
    fn new(row: Row) -> Reply {
        Reply { matched: row.matched, problems: row.problems.clone(), detail: row.detail.clone(), figures: row.figures.clone(), row }
    }

    fn into_row(self) -> Row {
        Row { matched: self.matched, problems: self.problems, detail: self.detail, figures: self.figures, ..self.row }
    }
}

/// Runs `case` in a child process and returns its row. A child that fails (cannot start, exits
/// without a reply, crashes) gives a row with outcome `error` that says how, and does not match;
/// one still running past its time limit, its shrinking time and a grace period is killed, and
/// its row is `budget-exhausted`, saying so. One running when `options.stop` says stop is killed,
/// and there is no row: `None`.
pub fn run_in_child(exe: &Path, catalogue: &Path, case: &Case, options: &Options) -> Option<Row> {
    let request = Request {
        catalogue: catalogue.to_path_buf(),
        id: case.id.clone(),
        overrides: options.overrides.clone(),
        replay_dir: options.replay_dir.clone(),
        verify_pinned: options.verify_pinned,
        shrink_limit_ms: options.shrink_limit.as_millis().try_into().unwrap_or(u64::MAX),
        report_progress: options.watches.contains_key(&case.id),
    };
    let (engine, budget) = super::effective(case, options);
    // The child's own budget, its shrinking and its pinned replay's check, and a grace period:
    // past that it is stuck where no budget check reaches, and is killed.
    let limit = budget.max_seconds.map(|s| {
        let own = Duration::from_secs_f64(s.max(0.0));
        own + options.shrink_limit + watchdog::grace(own)
    });
    let failed = |outcome: &str, why: String| {
        let mut row = super::blank_row(case, &engine);
        row.outcome = outcome.into();
        row.matched = outcome == "budget-exhausted" && case.expect == crate::catalogue::Expect::BudgetExhausted;
        row.problems.push(format!("{why}; run the case on its own: gcmc check --jobs 1 {}", case.id));
        row
    };
    Some(match ask(exe, &request, limit, options.watches.get(&case.id), options.stop) {
        Ok(row) => row,
        Err(Failure::Stopped) => return None,
        Err(Failure::TimedOut(after)) => failed(
            "budget-exhausted",
            format!(
                "the case did not stop within its time limit and grace ({:.0} s in all), so its worker process was killed",
                after.as_secs_f64()
            ),
        ),
        Err(Failure::Other(why)) => failed("error", why),
    })
}

enum Failure {
    Stopped,
    TimedOut(Duration),
    Other(String),
}

/// Makes the worker die with the process that started it, whatever kills that one (SIGKILL
/// included): a worker left behind would run its case to the end of its budget for nobody. The
/// kernel sends the signal when the *thread* that forked dies; `ask` waits for its child on the
/// thread that spawned it, so that thread outlives the child unless the whole process dies.
///
/// The worker also ignores SIGINT and SIGTERM, so that it ends only when its parent decides (the
/// parent handles them: `check` on Ctrl-C kills its workers and reports what finished); a
/// terminal's Ctrl-C would otherwise reach the worker too and could end it before the parent
/// had noticed the signal, which would then report a crashed case.
#[cfg(target_os = "linux")]
fn dies_with_parent(command: &mut Command) -> &mut Command {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id() as libc::pid_t;
    // Safety: the closure runs in the forked child before exec, where only async-signal-safe calls
    // are allowed: prctl, getppid, signal and _exit are. It touches no memory but its captured pid.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died between the fork and the prctl, which then never fires.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            ignore_interrupts()
        })
    }
}

#[cfg(not(target_os = "linux"))]
fn dies_with_parent(command: &mut Command) -> &mut Command {
    use std::os::unix::process::CommandExt;
    // Safety: as above, signal is async-signal-safe.
    unsafe { command.pre_exec(ignore_interrupts) }
}

/// In the forked child: SIGINT and SIGTERM ignored (an ignored disposition survives exec).
fn ignore_interrupts() -> std::io::Result<()> {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // Safety: signal() is async-signal-safe and SIG_IGN installs no handler.
        if unsafe { libc::signal(signal, libc::SIG_IGN) } == libc::SIG_ERR {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

fn ask(exe: &Path, request: &Request, limit: Option<Duration>, watch: Option<&Watch>, stop: fn() -> bool) -> Result<Row, Failure> {
    let mut child = dies_with_parent(&mut Command::new(exe))
        .arg(SUBCOMMAND)
        // Only for `ps` and its readers: the request on stdin says what to run.
        .arg(format!("--case={}", request.id))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Failure::Other(format!("could not start the worker process {}: {e}", exe.display())))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let written = stdin.write_all(&serde_json::to_vec(request).expect("a request serializes"));
    drop(stdin);
    // Drained on their own threads, so that a child writing more than a pipe holds never blocks.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = reply_after_progress(child.stdout.take().expect("stdout is piped"), watch.cloned());
    let stderr = drain(Box::new(child.stderr.take().expect("stderr is piped")));
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if limit.is_some_and(|l| started.elapsed() > l) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Failure::TimedOut(started.elapsed()));
            }
            Ok(None) if stop() => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Failure::Stopped);
            }
            Ok(None) => thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(Failure::Other(format!("lost the worker process: {e}"))),
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let last_words = || {
        let stderr = String::from_utf8_lossy(&stderr);
        match stderr.lines().rev().find(|l| !l.trim().is_empty()) {
            Some(line) => format!(" (its last words: {})", line.trim()),
            None => String::new(),
        }
    };
    if !status.success() {
        return Err(Failure::Other(format!("the worker process ended with {status}{}", last_words())));
    }
    written.map_err(|e| Failure::Other(format!("could not send the case to the worker process: {e}")))?;
    let reply: Reply = serde_json::from_slice(&stdout)
        .map_err(|e| Failure::Other(format!("the worker process's reply is not a row ({e}){}", last_words())))?;
    Ok(reply.into_row())
}

/// Reads the child's stdout on a thread of its own: each `progress` line moves `watch` on, and
/// what follows the last of them is the reply.
fn reply_after_progress(stdout: ChildStdout, watch: Option<Watch>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut reply = Vec::new();
        let mut lines = BufReader::new(stdout);
        loop {
            let mut line = Vec::new();
            match lines.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break reply,
                Ok(_) => match progress_counts(&line) {
                    Some((executions, states)) => {
                        if let Some(watch) = &watch {
                            watch.0.reached(executions, states);
                        }
                    }
                    None => reply.extend_from_slice(&line),
                },
            }
        }
    })
}

/// The counts of a `progress E S` line.
fn progress_counts(line: &[u8]) -> Option<(u64, u64)> {
    let text = std::str::from_utf8(line).ok()?.trim_end().strip_prefix("progress ")?;
    let (executions, states) = text.split_once(' ')?;
    Some((executions.parse().ok()?, states.parse().ok()?))
}

/// Writes a `progress` line for `watch` about five times a second until `stop` is set, and a
/// last one then, with the final counts.
fn report_progress(watch: Watch, stop: Arc<AtomicBool>) -> thread::JoinHandle<()> {
    thread::spawn(move || loop {
        thread::park_timeout(Duration::from_millis(200));
        let stopping = stop.load(Ordering::Relaxed);
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "progress {} {}", watch.0.executions(), watch.0.states());
        let _ = out.flush();
        if stopping {
            break;
        }
    })
}

/// The child's side: reads a [`Request`] from stdin, runs its case, writes the [`Reply`]. `named`
/// is the case id on its command line, if any, which must be the request's.
pub fn serve(named: Option<&str>) -> Result<i32, GcmcError> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|e| GcmcError::io(format!("{SUBCOMMAND}: reading the request"), e))?;
    let request: Request = serde_json::from_str(&text)
        .map_err(|e| GcmcError::Usage(format!("{SUBCOMMAND} is gcmc's own worker: its stdin is not a request ({e})")))?;
    if named.is_some_and(|id| id != request.id) {
        return Err(GcmcError::Usage(format!("{SUBCOMMAND}: started for one case, asked to run another")));
    }
    let catalogue = catalogue::load(&request.catalogue)?;
    let case =
        catalogue.cases.iter().find(|c| c.id == request.id).ok_or_else(|| {
            GcmcError::Usage(format!("{SUBCOMMAND}: {} has no case `{}`", crate::paths::shown(&catalogue.path), request.id))
        })?;
    let mut options = Options::new(request.replay_dir);
    options.overrides = request.overrides;
    options.verify_pinned = request.verify_pinned;
    options.shrink_limit = Duration::from_millis(request.shrink_limit_ms);
    let stop = Arc::new(AtomicBool::new(false));
    let reporter = request.report_progress.then(|| {
        let watch = Watch::default();
        options.watches.insert(case.id.clone(), watch.clone());
        report_progress(watch, Arc::clone(&stop))
    });
    let row = super::run_case(case, &options);
    stop.store(true, Ordering::Relaxed);
    if let Some(reporter) = reporter {
        reporter.thread().unpark();
        let _ = reporter.join();
    }
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer(&mut stdout, &Reply::new(row))
        .map_err(|e| GcmcError::io(format!("{SUBCOMMAND}: writing the reply"), e.into()))?;
    stdout.flush().map_err(|e| GcmcError::io(format!("{SUBCOMMAND}: writing the reply"), e))?;
    Ok(0)
}
