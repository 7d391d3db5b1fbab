//! Row power (`gcmc power`): every known bug, run in place of the correct variant in the holds
//! rows, is caught by a row of each checker that can see it and by at least two rows in all.
//!
//! workbufs runs in the default suite (about 15 s); lfstack and gcbits take about twenty minutes
//! on two cores, because a probe that a row cannot catch runs that row's whole budget: they are
//! ignored tests, run by ci/power.sh.

use gcmc::catalogue::{self, Catalogue};
use gcmc::check::{self, Options};
use gcmc::power;
use std::path::Path;

fn gaps_of(catalogue: &Catalogue, filter: &str) -> Vec<String> {
    gaps_against(catalogue, filter, &power::bugs(catalogue))
}

fn gaps_against(catalogue: &Catalogue, filter: &str, bugs: &[power::Bug]) -> Vec<String> {
    let mut options = Options::new(Path::new(env!("CARGO_TARGET_TMPDIR")).join("power-replays"));
    options.filter = Some(filter.into());
    let bases = power::bases(&check::select(catalogue, &options));
    assert!(!bases.is_empty(), "{filter}: no holds rows");
    let powers: Vec<_> = bases.iter().map(|case| power::measure(case, bugs, &mut |_, _| {})).collect();
    let gaps = power::gaps(&powers, bugs);
    if !gaps.is_empty() {
        eprintln!("{}", power::report(&powers, bugs));
    }
    gaps
}

fn the_catalogue() -> Catalogue {
    catalogue::load(Path::new(catalogue::DEFAULT_CATALOGUE)).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_workbufs_holds_rows_catch_every_workbufs_bug() {
    assert_eq!(gaps_of(&the_catalogue(), "workbufs"), Vec::<String>::new());
}

#[test]
#[ignore = "about 5 minutes: ci/power.sh"]
fn the_lfstack_holds_rows_catch_every_lfstack_bug() {
    assert_eq!(gaps_of(&the_catalogue(), "lfstack"), Vec::<String>::new());
}

#[test]
#[ignore = "about 15 minutes: ci/power.sh"]
fn the_gcbits_holds_rows_catch_every_gcbits_bug() {
    assert_eq!(gaps_of(&the_catalogue(), "gcbits"), Vec::<String>::new());
}

/// The check guards something: the same catalogue with the holds row's second GC cycle removed
/// cannot catch R12 (a span freed while cycle 2 marks), and power says so, per engine and in all.
#[test]
fn a_holds_row_without_its_second_cycle_leaves_r12_uncaught() {
    let text = |cycles: usize| {
        ["stateful", "loom"]
            .map(|engine| {
                format!(
                    r#"
[[case]]
id = "go-{engine}"
model = "workbufs"
variant = "go"
config = {{ workers = 1, ops = 1, workbuf_size = 4096, heap_spans = 3, cycles = {cycles} }}
engine = {{ name = "{engine}" }}
expect = "holds"
"#
                )
            })
            .concat()
    };
    let load = |cycles| catalogue::load_str(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("power.toml"), &text(cycles)).unwrap();
    // What the catalogue's R12 rows say: loom and the stateful engine see it.
    let r12 = [power::Bug { model: "workbufs", variant: "r12-free-during-mark", engines: ["loom", "stateful"].into() }];
    assert_eq!(gaps_against(&load(2), "go", &r12), Vec::<String>::new());
    let gaps = gaps_against(&load(1), "go", &r12);
    assert!(gaps.iter().any(|g| g.contains("r12-free-during-mark: none of the 1 stateful holds rows catches it")), "{gaps:?}");
    assert!(gaps.iter().any(|g| g.contains("r12-free-during-mark: caught by 0 of the 2 holds rows asked")), "{gaps:?}");
}
