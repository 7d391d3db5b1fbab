//! What several test files need: running the built `gcmc` binary from the crate's root, scratch
//! files, a small catalogue, the catalogue's small stateful cases, a process's live children.

#![allow(dead_code)] // each test file uses its own part

pub mod mutate;

use gcmc::catalogue::{self, Case, Expect};
use gcmc::engine::Engine;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The default catalogue's stateful cases that hold, are not deep and store at most 20,000
/// states: small enough to search several times over in one test.
pub fn small_stateful_cases() -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(catalogue::DEFAULT_CATALOGUE);
    let cases: Vec<Case> = catalogue::load(&path)
        .unwrap_or_else(|e| panic!("{e}"))
        .cases
        .into_iter()
        .filter(|c| c.engine == Engine::stateful() && c.expect == Expect::Holds && !c.deep)
        .filter(|c| c.states.is_some_and(|n| n <= 20_000))
        .collect();
    assert!(cases.len() >= 8, "{} small stateful cases", cases.len());
    cases
}

/// `gcmc ARGS` from the crate's root, its output collected.
pub fn gcmc(args: &[&str]) -> Output {
    gcmc_with_env(args, &[])
}

/// [`gcmc`] with `vars` set in its environment.
pub fn gcmc_with_env(args: &[&str], vars: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gcmc"))
        .args(args)
        .envs(vars.iter().copied())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the gcmc binary runs")
}

/// `name` in the test file's own scratch folder `folder` under cargo's target tmpdir, created.
pub fn scratch(folder: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A catalogue of one lfstack case that holds under loom.
pub const GOOD_CASE: &str = r#"
[[case]]
id = "ok"
model = "lfstack"
variant = "go"
config = { threads = 2, nodes = 2, iterations = 1, counter_bits = 3 }
engine = { name = "loom" }
expect = "holds"
"#;

/// The pids of the live (not zombie) processes whose parent is `parent` and whose command line
/// names `word`.
#[cfg(target_os = "linux")]
pub fn live_children(parent: u32, word: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // After the command's closing parenthesis: state, then the parent's pid.
        let Some(rest) = stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect::<Vec<_>>()) else { continue };
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let names = String::from_utf8_lossy(&cmdline).contains(word);
        if rest.len() > 1 && rest[1] == parent.to_string() && rest[0] != "Z" && names {
            found.push(pid);
        }
    }
    found
}
