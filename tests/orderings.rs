//! The ordering sweep finds what the catalogue's weak-memory bugs are: weakening, in the correct
//! variant, the one call site a loom-only ordering variant weakens reproduces that variant's
//! failure. If weakening changed nothing (the switch never reaching loom's model threads, or the
//! wrong site), these fail.

mod common;

use common::gcmc;
use gcmc::catalogue::{self, Case, Expect};
use gcmc::engine::Outcome;
use gcmc::registry::ModelConfig;
use gcmc_models::platform::orderings::{recording, weakened, Site, Sites};
use serde_json::Value;
use std::path::Path;

fn case(id: &str) -> Case {
    let catalogue = catalogue::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(catalogue::DEFAULT_CATALOGUE)).unwrap();
    catalogue.cases.into_iter().find(|c| c.id == id).unwrap_or_else(|| panic!("no case {id}"))
}

fn with_variant(case: &Case, variant: &str) -> ModelConfig {
    let mut value = case.config.value.clone();
    value["variant"] = Value::String(variant.into());
    case.model.decode(&value).unwrap()
}

/// The sites where `broken` ran Relaxed and `correct` something stronger.
fn weakened_sites(broken: &Sites, correct: &Sites) -> Vec<Site> {
    broken
        .iter()
        .filter(|(site, used)| used.orderings.contains("Relaxed") && correct.get(site).is_some_and(|c| !c.orderings.contains("Relaxed")))
        .map(|(site, _)| *site)
        .collect()
}

#[test]
fn weakening_the_site_each_ordering_bug_weakens_reproduces_it_in_the_correct_variant() {
    for (id, correct) in [("R4-push-cas-loom", "go"), ("R4-pop-load-loom", "go"), ("R10-loom", "v2")] {
        let bug = case(id);
        let Expect::Violation(expected) = bug.expect else { panic!("{id} is a bug's case") };
        let (broken_run, broken_sites) = recording(|| bug.model.run(&bug.config, &bug.engine, &bug.budget).unwrap());
        let config = with_variant(&bug, correct);
        let (correct_run, correct_sites) = recording(|| bug.model.run(&config, &bug.engine, &bug.budget).unwrap());
        assert_eq!(correct_run.outcome, Outcome::Holds, "{id}'s configuration holds with {correct}");

        let sites = weakened_sites(&broken_sites, &correct_sites);
        assert_eq!(sites.len(), 1, "{id} weakens one call site: {sites:?}");
        let weakened_run = weakened(sites[0], || bug.model.run(&config, &bug.engine, &bug.budget).unwrap());
        let Outcome::Violation(violation) = &weakened_run.outcome else { panic!("{id}: {correct} with {} weakened held", sites[0]) };
        assert_eq!(violation.kind, expected, "{id}");
        // The same program: loom explores the same executions up to the same failure.
        assert_eq!(weakened_run.executions, broken_run.executions, "{id}");
        // And the switch is off again: the next run holds.
        assert_eq!(bug.model.run(&config, &bug.engine, &bug.budget).unwrap().outcome, Outcome::Holds, "{id}");
    }
}

/// `gcmc orderings` over one small lfstack case: R4's two sites are caught, the sites only the
/// end-of-run audit reaches are reported as not needed, and the summary counts both.
#[test]
fn the_orderings_command_reports_which_orderings_carry_the_proof() {
    let out = gcmc(&["orderings", "lfstack-go-loom-2x2x2"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("lfstack: 1 loom holds cases (lfstack-go-loom-2x2x2)"), "{stdout}");
    let caught: Vec<&str> = stdout.lines().filter(|l| l.contains("caught: ")).collect();
    assert!(caught.iter().any(|l| l.contains("stack.rs") && l.contains("compare_exchange")), "push's CAS: {stdout}");
    assert!(caught.iter().any(|l| l.contains("stack.rs") && l.contains(" load ") && l.contains("lost-node")), "pop's load: {stdout}");
    assert!(stdout.contains("Relaxed already"), "{stdout}");
    assert!(stdout.contains(&format!("{} of ", caught.len())), "{stdout}");

    let refused = gcmc(&["orderings", "R6-pct"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error: no loom holds case of a correct variant matches filter `R6-pct`"), "{stderr}");
}
