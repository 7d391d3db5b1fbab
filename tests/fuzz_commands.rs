//! The loaders fuzzed through the binary (issue 28), where a user meets them: `gcmc replay FILE`
//! on mutated pinned replays, `gcmc list --catalogue FILE` and `gcmc check --catalogue FILE` on
//! mutated catalogues. Whatever the damage: exit 0 to 3, never a panic or a backtrace hint, at
//! most one line on stderr and, on a refusal (2), exactly one `error:` line; each run within a
//! minute (a hang guard) and 1 GiB of data (RLIMIT_DATA: an allocation sized by a damaged number
//! fails the run instead of swapping the machine).
//!
//! Fixed seeds, nothing persisted; `GCMC_FUZZ_COMMANDS=N` runs N of each instead of 100.
//! tests/fuzz_loaders.rs runs the same mutations (tests/common/mutate.rs) in the library, many
//! more of them.

mod common;

use common::mutate;
use proptest::prelude::*;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

fn cases() -> u32 {
    std::env::var("GCMC_FUZZ_COMMANDS").ok().and_then(|v| v.parse().ok()).unwrap_or(100)
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The data a run may use.
const MAX_DATA_BYTES: libc::rlim_t = 1 << 30;

/// `gcmc ARGS` under the hang guard and the data limit: its exit code and stderr, or why it
/// failed the contract.
fn run(args: &[&str]) -> Result<(i32, String), String> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gcmc"));
    command.args(args).current_dir(root()).stdout(Stdio::null()).stderr(Stdio::piped());
    // Safety: setrlimit is async-signal-safe and touches only the limit given.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit { rlim_cur: MAX_DATA_BYTES, rlim_max: MAX_DATA_BYTES };
            match libc::setrlimit(libc::RLIMIT_DATA, &limit) {
                0 => Ok(()),
                _ => Err(std::io::Error::last_os_error()),
            }
        });
    }
    let mut child = command.spawn().map_err(|e| e.to_string())?;
    let mut stderr = child.stderr.take().unwrap();
    let drained = std::thread::spawn(move || {
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut text).unwrap();
        String::from_utf8_lossy(&text).into_owned()
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            return Err("still running after 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stderr = drained.join().unwrap();
    let code = status.code().ok_or_else(|| format!("ended by {status} (out of memory?); stderr {stderr}"))?;
    let lines = stderr.lines().count();
    match () {
        () if !(0..=3).contains(&code) => Err(format!("exit {code}; stderr {stderr}")),
        () if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") => Err(format!("a panic: {stderr}")),
        () if lines > 1 => Err(format!("exit {code} with {lines} lines on stderr: {stderr}")),
        () if code == 2 && !stderr.starts_with("error: ") => Err(format!("a refusal without its `error:` line: {stderr}")),
        () => Ok((code, stderr)),
    }
}

/// The failing input kept for a regression test, and the failure.
fn failed(name: &str, input: &[u8], why: String) -> TestCaseError {
    let kept = common::scratch("fuzz-commands", &format!("failing-{name}"));
    std::fs::write(&kept, input).unwrap();
    TestCaseError::fail(format!("{name}: {why}; the input is kept in {}", kept.display()))
}

#[test]
fn gcmc_replay_on_a_mutated_file_replays_or_refuses_in_one_line() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("models/replays")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let texts: Vec<String> = files.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect();
    let file = common::scratch("fuzz-commands", "replay.json");
    let path = file.to_str().unwrap();
    let codes = Mutex::new([0u32; 4]);
    let tally = |input: &[u8]| -> Result<(), TestCaseError> {
        std::fs::write(&file, input).unwrap();
        let (code, _) = run(&["replay", path]).map_err(|why| failed("replay.json", input, why))?;
        codes.lock().unwrap()[code as usize] += 1;
        Ok(())
    };
    mutate::runner(cases(), 40)
        .run(&(0..files.len(), mutate::mutations(), 0..files.len()), |(which, mutations, donor)| {
            tally(&mutate::apply(texts[which].as_bytes(), &mutations, texts[donor].as_bytes()))
        })
        .unwrap();
    mutate::runner(cases(), 41)
        .run(&(0..files.len(), mutate::edits()), |(which, edits)| {
            let mut value: serde_json::Value = serde_json::from_str(&texts[which]).unwrap();
            mutate::apply_edits(&mut value, &edits);
            tally(serde_json::to_string_pretty(&value).unwrap().as_bytes())
        })
        .unwrap();
    let codes = codes.into_inner().unwrap();
    eprintln!("gcmc replay: exit codes 0..=3 {codes:?} over {} files", 2 * cases());
    assert!(codes[0] > 0 && codes[2] > 0, "the mutations never (or always) broke a replay file: {codes:?}");
}

#[test]
fn gcmc_list_and_check_on_a_mutated_catalogue_load_or_refuse_in_one_line() {
    let text = std::fs::read_to_string(root().join("models/catalogue.toml")).unwrap();
    let entries: Vec<String> = text.split("\n[[case]]\n").skip(1).map(|e| format!("[[case]]\n{e}\n")).collect();
    let file = common::scratch("fuzz-commands", "catalogue.toml");
    let path = file.to_str().unwrap();
    let codes = Mutex::new([0u32; 4]);
    let base = (0..entries.len(), 1usize..=5, 0u8..4);
    mutate::runner(cases(), 42)
        .run(&(base, mutate::mutations(), 0..entries.len(), any::<bool>()), |((first, count, whole), mutations, donor, list)| {
            let original = if whole == 0 { text.clone() } else { entries[first..(first + count).min(entries.len())].concat() };
            let input = mutate::apply(original.as_bytes(), &mutations, entries[donor].as_bytes());
            std::fs::write(&file, &input).unwrap();
            // check with a filter no case matches: the whole load, then a refusal, nothing run.
            let args: &[&str] =
                if list { &["list", "--catalogue", path] } else { &["check", "--catalogue", path, "no-case-is-called-this"] };
            let (code, stderr) = run(args).map_err(|why| failed("catalogue.toml", &input, why))?;
            prop_assert!(list || code == 2, "check ran something: exit {code}, {stderr}");
            codes.lock().unwrap()[code as usize] += 1;
            Ok(())
        })
        .unwrap();
    mutate::runner(cases() / 2, 43)
        .run(&((0..entries.len(), 1usize..=5), mutate::edits()), |((first, count), edits)| {
            let original = entries[first..(first + count).min(entries.len())].concat();
            let Some(input) = mutate::edit_toml(&original, &edits) else { return Ok(()) };
            std::fs::write(&file, &input).unwrap();
            let (code, _) = run(&["list", "--catalogue", path]).map_err(|why| failed("catalogue.toml", input.as_bytes(), why))?;
            codes.lock().unwrap()[code as usize] += 1;
            Ok(())
        })
        .unwrap();
    let codes = codes.into_inner().unwrap();
    eprintln!("gcmc list / check --catalogue: exit codes 0..=3 {codes:?} over {} catalogues", codes.iter().sum::<u32>());
    assert!(codes[0] > 0 && codes[2] > 0, "the mutations never (or always) broke the catalogue: {codes:?}");
}
