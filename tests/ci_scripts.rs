//! The ci/ scripts, run by the gate with their quick defaults against the binary this build made,
//! so a broken script or option fails `cargo test --release`, not only a nightly job. They run on
//! the lfstack cases only: tests/catalogue.rs already runs the whole catalogue, and what is tested
//! here is the scripts' plumbing (engine selection, options, exit codes), which is the same for
//! every model.

use gcmc::check::Overrides;
use gcmc::engine::{Budget, Engine};
use std::process::Command;

#[test]
fn every_engine_script_passes_with_its_quick_defaults() {
    for script in ["loom", "shuttle-pct", "shuttle-random", "shuttle-dfs", "stateful", "std-stress"] {
        let out = Command::new("bash")
            .arg(format!("ci/{script}.sh"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("GCMC_BIN", env!("CARGO_BIN_EXE_gcmc"))
            .env("GCMC_DEEP", "0")
            .env("GCMC_FILTER", "lfstack")
            .env_remove("GCMC_MAX_SECONDS")
            .env("GCMC_PCT_ITERATIONS", "1") // below every case's own: ignored, never lowers
            .output()
            .expect("bash runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "ci/{script}.sh:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains("0 mismatched"), "ci/{script}.sh:\n{stdout}");
        if script == "shuttle-pct" {
            assert!(stdout.contains("pct(iterations=20000"), "a lower --iterations must not lower a case's: {stdout}");
        }
    }
}

#[test]
fn overrides_only_deepen() {
    let over = Overrides { bound: Some(4), iterations: Some(50_000), max_iterations: Some(10), ..Overrides::default() };
    let budget = Budget::default();
    let cases = [
        (Engine::Loom { preemption_bound: Some(3) }, Engine::Loom { preemption_bound: Some(4) }),
        (Engine::Loom { preemption_bound: None }, Engine::Loom { preemption_bound: None }),
        (Engine::Pct { iterations: 20_000, depth: 3, seed: 1 }, Engine::Pct { iterations: 50_000, depth: 3, seed: 1 }),
        (Engine::Dfs { max_iterations: None }, Engine::Dfs { max_iterations: None }),
        (Engine::Dfs { max_iterations: Some(100) }, Engine::Dfs { max_iterations: Some(100) }),
        (Engine::Std { iterations: 1000 }, Engine::Std { iterations: 50_000 }),
    ];
    for (engine, expected) in cases {
        assert_eq!(over.apply(&engine, &budget).0, expected, "{engine}");
    }
    let lower = Overrides { bound: Some(1), ..Overrides::default() };
    assert_eq!(lower.apply(&Engine::Loom { preemption_bound: Some(3) }, &budget).0, Engine::Loom { preemption_bound: Some(3) });
}

#[test]
fn the_power_script_runs_gcmc_power_and_passes_its_exit_code() {
    let run = |filter: &str| {
        let out = Command::new("bash")
            .arg("ci/power.sh")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("GCMC_BIN", env!("CARGO_BIN_EXE_gcmc"))
            .env("GCMC_DEEP", "0")
            .env("GCMC_FILTER", filter)
            .output()
            .expect("bash runs");
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    // The three workbufs PCT rows catch every workbufs bug at least twice.
    let (code, stdout) = run("workbufs-go-pct");
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("workbufs: 3 holds rows x 9 bugs") && stdout.contains("no gaps"), "{stdout}");
    // The two 4-worker rows alone: r12-phase-before-stw is caught by the depth-3 row only.
    let (code, stdout) = run("workbufs-go-pct-4w-2cycles");
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("r12-phase-before-stw: caught by 1 of the 2 holds rows asked, fewer than 2"), "{stdout}");
    // One worker, one cycle, no second span: R12 needs a second cycle, so the DFS row misses it.
    let (code, stdout) = run("workbufs-go-dfs-1x1");
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("r12-free-during-mark: none of the 1 dfs holds rows catches it"), "{stdout}");
}

/// ci/mutants.sh runs for hours, so what it is given is checked before anything is built: each bad
/// setting is refused in one line, exit 2, whether or not cargo-mutants is installed.
#[test]
fn the_mutants_script_refuses_bad_settings_before_running() {
    for (name, value, says) in [
        ("GCMC_MUTANTS_MODELS", "lfstack arenas", "unknown model `arenas`"),
        ("GCMC_MUTANTS_SHARD", "4/4", "GCMC_MUTANTS_SHARD=4/4 is not k/n"),
        ("GCMC_MUTANTS_SHARD", "1/0", "GCMC_MUTANTS_SHARD=1/0 is not k/n"),
        ("GCMC_MUTANTS_SHARD", "half", "GCMC_MUTANTS_SHARD=half is not k/n"),
        ("GCMC_MUTANTS_IN_DIFF", "no-such.diff", "no-such.diff, which is not a readable file"),
    ] {
        let out =
            Command::new("bash").arg("ci/mutants.sh").current_dir(env!("CARGO_MANIFEST_DIR")).env(name, value).output().expect("bash runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}={value}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}={value}: {stderr}");
        assert!(stderr.starts_with("error: ") && stderr.contains(says), "{name}={value}: {stderr}");
        assert!(out.stdout.is_empty(), "{name}={value}: nothing runs");
    }
}
