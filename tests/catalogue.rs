//! The gate: every catalogue case is its own test, `catalogue::<model>::<id>`, run through the same code as
//! `gcmc check` (check::run_case), and must match its expectation, its recorded counts and its
//! pinned replay. Deep cases are ignored tests (`--ignored` runs them). Beside them, `meta::` tests
//! check the catalogue as a whole.
//!
//! Each case runs in a `gcmc case-worker` child process, the way `gcmc check --jobs` runs it, so
//! that the harness's test threads do not slow each other's loom cases down.
//!
//! A custom harness (libtest-mimic), so that `cargo test --release R6` runs the R6 rows, a failure
//! names its case, and cargo-nextest can partition the cases over CI runners. libtest-mimic does
//! not capture output, so stderr (shuttle prints a line on every failing execution, which here
//! are the expected ones) goes to /dev/null unless `--nocapture` is given; results and failure
//! messages go to stdout.

use gcmc::catalogue::{self, Catalogue, Expect};
use gcmc::check::worker::Workers;
use gcmc::check::{self, Options};
use gcmc::cli::quiet::Silenced;
use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn scratch(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(name)
}

fn main() {
    let args = Arguments::from_args();
    let catalogue = match catalogue::load(Path::new(catalogue::DEFAULT_CATALOGUE)) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let mut trials: Vec<Trial> = (0..catalogue.cases.len())
        .map(|i| {
            let (name, deep) = {
                let case = &catalogue.cases[i];
                (format!("catalogue::{}::{}", case.config.model, case.id), case.deep)
            };
            let catalogue = Arc::clone(&catalogue);
            Trial::test(name, move || run_case(&catalogue, i)).with_ignored_flag(deep)
        })
        .collect();
    let whole = Arc::clone(&catalogue);
    trials.push(Trial::test("meta::each_regression_r1_to_r14_has_a_quick_pinned_case", move || covers_each_regression(&whole)));
    let whole = Arc::clone(&catalogue);
    trials.push(Trial::test("meta::each_variant_of_every_model_has_a_case_and_one_name", move || covers_each_variant(&whole)));
    trials.push(Trial::test("meta::a_wrong_expectation_a_stale_pin_and_a_changed_count_are_mismatches", mismatches_fail));
    let silenced = if args.nocapture { None } else { Silenced::begin() };
    let conclusion = libtest_mimic::run(&args, trials);
    drop(silenced);
    conclusion.exit();
}

/// One case: its row must match (outcome, counts, pinned replay), and a broken case with a pinned
/// replay must have written this run's replay file too.
fn run_case(catalogue: &Catalogue, index: usize) -> Result<(), Failed> {
    let case = &catalogue.cases[index];
    let mut options = Options::new(scratch("catalogue-replays"));
    // A process per case, as `gcmc check --jobs` runs them: loom cases on two test threads of one
    // process would each run about 2.5 times slower (check::worker says why).
    options.workers = Workers::Processes { exe: env!("CARGO_BIN_EXE_gcmc").into(), catalogue: catalogue.path.clone() };
    let row = check::run_one(case, &options);
    if !row.matched {
        return Err(check::table(std::slice::from_ref(&row)).into());
    }
    if matches!(case.expect, Expect::Violation(_)) && case.replay.is_some() && row.replay.is_none() {
        return Err(format!("{}: no replay written", case.id).into());
    }
    Ok(())
}

fn covers_each_regression(catalogue: &Catalogue) -> Result<(), Failed> {
    for id in (1..=14).map(|n| format!("R{n}")) {
        let caught = catalogue
            .cases
            .iter()
            .filter(|c| c.id.starts_with(&format!("{id}-")) && !c.deep)
            .filter(|c| matches!(c.expect, Expect::Violation(_)) && c.replay.is_some())
            .count();
        if caught == 0 {
            return Err(format!("{id}: no quick case expects its violation with a pinned replay").into());
        }
    }
    Ok(())
}

fn covers_each_variant(catalogue: &Catalogue) -> Result<(), Failed> {
    for model in gcmc::registry::MODELS {
        for variant in model.variants() {
            // The name `list` shows is the one a configuration (and so a replay file) carries.
            let config = model.configure(variant, &Default::default()).map_err(|e| e.to_string())?;
            if config.value["variant"] != variant {
                return Err(format!("{} {variant} is written as {} in a configuration", model.name(), config.value["variant"]).into());
            }
            if !catalogue.cases.iter().any(|c| c.config.model == model.name() && c.config.variant == variant) {
                return Err(format!("{} {variant} has no catalogue case", model.name()).into());
            }
            // What the model declares correct (power and the gaps rest on it) is what the catalogue
            // shows: a correct variant has a row that holds, every other variant a violation row. (A
            // correct variant may have violation rows too: lfstack's `go` with a counter too narrow
            // for its threads, R2, or addresses its packing cannot hold, R5.)
            let correct = model.correct_variants().contains(&variant);
            let shown = catalogue.cases.iter().any(|c| {
                c.config.model == model.name()
                    && c.config.variant == variant
                    && if correct { c.expect == Expect::Holds } else { matches!(c.expect, Expect::Violation(_)) }
            });
            if !shown {
                return Err(format!(
                    "{} {variant}: declared {}, but the catalogue has no {} row for it",
                    model.name(),
                    if correct { "correct" } else { "broken" },
                    if correct { "holds" } else { "violation" }
                )
                .into());
            }
        }
        // A catalogued bug's rows carry its id, so `check R6` selects them; and every variant says
        // where it comes from and what it is (`list` and the README's table print both).
        for info in model.variant_infos() {
            if info.origin.trim().is_empty() || info.meaning.trim().is_empty() {
                return Err(format!("{} {}: its declaration has no origin or no meaning", model.name(), info.name).into());
            }
            let Some(id) = info.regression else { continue };
            let mut ours = catalogue.cases.iter().filter(|c| c.config.model == model.name() && c.config.variant == info.name);
            if let Some(case) = ours.find(|c| !c.id.starts_with(&format!("{id}-"))) {
                return Err(format!("{} {}'s case {} is not named {id}-...", model.name(), info.name, case.id).into());
            }
        }
        if model.correct_variants().is_empty() {
            return Err(format!("{} declares no correct variant: it would have nothing to prove", model.name()).into());
        }
        if let Some(stray) = model.correct_variants().into_iter().find(|v| !model.variants().contains(v)) {
            return Err(format!("{} declares `{stray}` correct, which is not one of its variants", model.name()).into());
        }
    }
    Ok(())
}

/// A row that does not match must fail the gate: expectations are checked, not echoed.
fn mismatches_fail() -> Result<(), Failed> {
    let dir = scratch("catalogue-mismatch");
    std::fs::create_dir_all(dir.join("replays")).map_err(|e| e.to_string())?;
    // The R1-loom pinned file, stored under the name of a case with other sizes: stale.
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/replays/R1-loom.json"), dir.join("replays/stale.json"))
        .map_err(|e| e.to_string())?;
    let text = r#"
[[case]]
id = "wrong"
model = "lfstack"
variant = "no-counter"
config = { threads = 3, nodes = 3, iterations = 1, counter_bits = 0 }
engine = { name = "loom", bound = 3 }
expect = "holds"

[[case]]
id = "stale"
model = "lfstack"
variant = "no-counter"
config = { threads = 3, nodes = 3, iterations = 1, counter_bits = 0 }
engine = { name = "pct", iterations = 20000, depth = 4, seed = 1816825113 }
expect = "violation:duplicated-node"
replay = "replays/stale.json"

[[case]]
id = "shrunk-space"
model = "lfstack"
variant = "go"
config = { threads = 2, nodes = 3, counter_bits = 3, programs = [[{ pop = 1 }, { push = 0 }], [{ pop = 0 }, { pop = 0 }]] }
engine = { name = "loom" }
expect = "holds"
executions = 31
"#;
    let path = dir.join("catalogue.toml");
    let catalogue = catalogue::load_str(&path, text).map_err(|e| e.to_string())?;
    let mut options = Options::new(dir.join("out"));
    options.shrink_limit = std::time::Duration::ZERO;
    let rows = check::run(&check::select(&catalogue, &options), &options, &mut |_, _, _| {});
    let expect = |ok: bool, what: &str| if ok { Ok(()) } else { Err(Failed::from(format!("{what}:\n{}", check::table(&rows)))) };
    expect(!rows[0].matched && rows[0].outcome == "violation:duplicated-node", "a wrong expectation must mismatch")?;
    let replay = rows[0].replay.as_deref().ok_or("the unexpected failure wrote no replay file")?;
    expect(
        rows[0].problems.iter().any(|p| p.contains(&format!("cargo run --release -- replay {replay}"))),
        "the mismatch must say how to replay it",
    )?;
    expect(!rows[1].matched && rows[1].outcome == "violation:duplicated-node", "a stale pinned replay must fail the gate")?;
    expect(
        rows[1].problems.iter().any(|p| p.contains("is stale: its engine differs") && p.contains("cargo run --release -- pin stale")),
        "a stale pin must say why and how to re-pin",
    )?;
    expect(!rows[2].matched && rows[2].outcome == "holds", "a changed execution count must fail the gate")?;
    expect(
        rows[2].problems.iter().any(|p| p.contains("explored 30 executions, the catalogue records 31")),
        "a changed count must show both counts",
    )?;
    expect(!check::all_matched(&rows), "all_matched must see the mismatches")
}
