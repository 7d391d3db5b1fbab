//! Live progress: the counts an engine reports as it goes are the counts it ends with, in this
//! process and from a child process; watching changes nothing explored; and no progress is
//! drawn when stderr is not a terminal.

mod common;

use gcmc::catalogue::{self, Case, Catalogue};
use gcmc::check::{self, worker::Workers, Options};
use gcmc::engine::{Budget, Outcome, Watch};
use std::path::Path;

fn catalogue() -> Catalogue {
    catalogue::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(catalogue::DEFAULT_CATALOGUE)).unwrap()
}

fn case<'a>(catalogue: &'a Catalogue, id: &str) -> &'a Case {
    catalogue.cases.iter().find(|c| c.id == id).unwrap_or_else(|| panic!("no case {id}"))
}

/// For a case that holds under each engine: the watch saw every execution the verdict counts
/// (and, for the stateful engine, every state stored), and the watched run explored exactly what
/// the unwatched one did.
#[test]
fn a_watch_counts_what_every_engine_explores_and_changes_nothing() {
    let catalogue = catalogue();
    for id in [
        "lfstack-go-loom-2x2x2",
        "lfstack-go-pct-4x4x3",
        "lfstack-go-random-3x3x2",
        "lfstack-go-dfs-2x2x1",
        "lfstack-go-stateful-3x3x1",
        "lfstack-go-std-4x4x3",
    ] {
        let case = case(&catalogue, id);
        let unwatched = case.model.run(&case.config, &case.engine, &case.budget).unwrap();
        let watch = Watch::default();
        let budget = Budget { watch: Some(watch.clone()), ..case.budget.clone() };
        let watched = case.model.run(&case.config, &case.engine, &budget).unwrap();
        assert_eq!(watched.outcome, Outcome::Holds, "{id}");
        assert_eq!(
            (watched.executions, watched.search.as_ref().map(|s| s.states)),
            (unwatched.executions, unwatched.search.as_ref().map(|s| s.states)),
            "{id}"
        );
        assert_eq!(watch.0.executions(), watched.executions, "{id}: executions");
        assert_eq!(watch.0.states(), watched.search.as_ref().map_or(0, |s| s.states), "{id}: states");
    }
}

/// A case run in a child process reports its counts back; its last report is its final count.
#[test]
fn a_child_process_reports_its_progress_to_the_parents_watch() {
    let catalogue = catalogue();
    let mut options = Options::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("progress-replays"));
    options.workers = Workers::Processes { exe: env!("CARGO_BIN_EXE_gcmc").into(), catalogue: catalogue.path.clone() };
    for id in ["lfstack-go-loom-2x2x2", "lfstack-go-stateful-3x3x1"] {
        let case = case(&catalogue, id);
        let watch = Watch::default();
        options.watches.insert(case.id.clone(), watch.clone());
        let row = check::run_one(case, &options);
        assert!(row.matched, "{id}: {:?}", row.problems);
        assert_eq!(watch.0.executions(), row.executions, "{id}");
        if id.contains("stateful") {
            assert!(watch.0.states() > 0, "{id}: no states reported");
        }
    }
}

/// Piped, `explore` writes its one "exploring ..." line on stderr and nothing else; `check --json`
/// writes nothing on stderr.
#[test]
fn nothing_is_drawn_when_stderr_is_not_a_terminal() {
    let out = common::gcmc(&["explore", "gcbits", "--variant", "v1", "--threads", "2", "--ops", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "exploring gcbits v1 (2 threads x 2 ops) under loom ...\n");
    let out = common::gcmc(&["check", "lfstack-go-loom-2x2x2", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}
