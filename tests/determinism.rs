//! Determinism: the same case with the same seed, run 20 times, gives byte-identical verdicts,
//! traces and replay files (everything but the wall-clock seconds).

use gcmc::catalogue;
use gcmc::explain;
use gcmc::replay_file::ReplayFile;
use std::path::Path;

const RUNS: usize = 20;

/// What must not change from run to run: the rendered report, the executions explored, whether
/// the run was exhaustive, and the replay file (schedule included).
fn fingerprint(id: &str) -> String {
    let catalogue = catalogue::load(Path::new(catalogue::DEFAULT_CATALOGUE)).unwrap();
    let case = catalogue.cases.iter().find(|c| c.id == id).unwrap_or_else(|| panic!("no case {id}"));
    let verdict = case.model.run(&case.config, &case.engine, &case.budget).unwrap();
    let file = ReplayFile::from_verdict(Some(id), &case.config, &case.engine, &verdict)
        .map(|f| serde_json::to_string(&f).unwrap())
        .unwrap_or_default();
    format!(
        "{}executions {} exhaustive {} search {:?}\n{file}",
        explain::render(&case.config, &case.engine, &verdict),
        verdict.executions,
        verdict.exhaustive,
        verdict.search
    )
}

#[test]
fn twenty_runs_of_a_case_are_byte_identical() {
    // One case per engine, failing ones (their traces and schedules) and a holding one (its count).
    for id in [
        "R1-pct",
        "R2-1bit-random",
        "R1-dfs",
        "R1-loom",
        "R3-loom",
        "lfstack-go-r4-programs-loom",
        "R6-loom",
        "R8-pct",
        "R9-random",
        "R12-phase-outside-lock-loom",
        "R12-phase-outside-lock-pct",
        "workbufs-go-loom-2cycles-against-the-sweeper",
        "R1-stateful",
        "R12-phase-outside-lock-stateful",
        "gcbits-v1-stateful-3x2",
    ] {
        let first = fingerprint(id);
        assert!(first.contains("executions"), "{first}");
        for run in 1..RUNS {
            let again = fingerprint(id);
            assert!(again == first, "{id}: run {run} differs from run 0:\n{again}\n---\n{first}");
        }
    }
}
