//! proptest-generated gcBits scenarios (gcmc::generated::gcbits): allocation sizes, arena sizes and
//! rotation points, run under shuttle PCT with fixed seeds. v1 and v2 hold on every generated
//! configuration; on R8 (non-atomic bump) and R11 (rotation skipping `previous`) a failing one is
//! found and shrunk by proptest to a minimal one, and loom then proves minimality: every
//! configuration one step smaller holds, exhaustively.

use gcmc::engine::{self, Budget, Engine, Verdict};
use gcmc::generated::{self, gcbits::Shape};
use gcmc::registry;
use gcmc::shrink;
use gcmc_models::check::{Model, ViolationKind};
use gcmc_models::gcbits::{Config, Op, Variant};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use std::sync::Arc;
use std::time::Duration;

/// Every generated configuration runs under PCT, seeded, at depth 3 (R8's lost update needs one
/// thread stalled between its load and its store of `free` while another bumps it).
fn pct() -> Engine {
    Engine::Pct { iterations: 2000, depth: 3, seed: 0x2ef8_8f7f }
}

fn run(config: &Config, engine: &Engine) -> Verdict {
    engine::run(Arc::new(config.build().expect("a valid configuration")), engine, &Budget::default()).expect("admitted")
}

fn runner(cases: u32) -> TestRunner {
    generated::runner(cases, 0x6c4a_8d19)
}

fn programs(config: &Config) -> Vec<Vec<Op>> {
    config.programs.clone().expect("generated configurations have programs")
}

fn total_allocs(config: &Config) -> usize {
    programs(config).iter().map(Vec::len).sum()
}

/// Keeps a neighbour valid: threads match programs, rotations stay within the longest program.
fn normalized(mut config: Config) -> Config {
    let programs = programs(&config);
    config.threads = programs.len();
    let longest = programs.iter().map(Vec::len).max().unwrap_or(0);
    config.rotations.iter_mut().for_each(|k| *k = (*k).min(longest));
    config
}

/// Every configuration one step smaller: a thread, an allocation or a rotation removed, one dirty
/// free arena fewer, one arena word fewer (where every request still fits), a request one word
/// smaller.
fn one_smaller(config: &Config) -> Vec<Config> {
    let programs = programs(config);
    let with_programs = |p: Vec<Vec<Op>>| normalized(Config { programs: Some(p), ..config.clone() });
    let mut out = Vec::new();
    for t in 0..programs.len() {
        if programs.len() > 1 {
            let mut p = programs.clone();
            p.remove(t);
            out.push(with_programs(p));
        }
        for i in 0..programs[t].len() {
            let mut p = programs.clone();
            p[t].remove(i);
            if !p[t].is_empty() {
                out.push(with_programs(p));
            }
            let Op::Alloc(nelems) = programs[t][i];
            if nelems > 64 {
                let mut p = programs.clone();
                p[t][i] = Op::Alloc(nelems - 64);
                out.push(with_programs(p));
            }
        }
    }
    for r in 0..config.rotations.len() {
        let mut c = config.clone();
        c.rotations.remove(r);
        out.push(c);
    }
    if config.free_arenas > 0 {
        out.push(Config { free_arenas: config.free_arenas - 1, ..config.clone() });
    }
    if config.arena_words > 1 {
        out.push(Config { arena_words: config.arena_words - 1, ..config.clone() });
    }
    out.retain(|c| c.build().is_ok());
    out
}

/// Asserts `minimal` fails with `kind` and that loom, exhaustively, finds every configuration
/// one step smaller to hold.
fn assert_minimal(minimal: &Config, kind: ViolationKind) {
    let loom = Engine::Loom { preemption_bound: None };
    assert_eq!(run(minimal, &loom).violation().map(|v| v.kind), Some(kind), "loom agrees {minimal:?} fails");
    let smaller = one_smaller(minimal);
    assert!(!smaller.is_empty());
    for c in smaller {
        let v = run(&c, &loom);
        assert!(v.holds() && v.exhaustive, "{minimal:?} is not minimal: {c:?} gives {}", v.outcome);
    }
}

/// The first generated configuration of `variant` that fails under PCT, shrunk by proptest and
/// then by the harness's own shrinker (what `explore` and `check` use): proptest does not go back
/// to removing allocations once it has moved on to shrinking rotation points and sizes, so its
/// result can keep an allocation a later shrink made unnecessary.
fn find_and_shrink(variant: Variant, cases: u32) -> (Config, Verdict) {
    let strategy = generated::gcbits::configs(variant, Shape::default());
    let (found, verdict) = generated::find_violation(&mut runner(cases), strategy, &pct(), &Budget::default())
        .unwrap_or_else(|| panic!("no generated configuration catches {variant}"));
    eprintln!("{variant}: proptest shrank to {found:?}: {}", verdict.outcome);
    let model = registry::model("gcbits").unwrap();
    let described = model.decode(&serde_json::to_value(&found).unwrap()).unwrap();
    let shrunk = shrink::shrink(model, &described, verdict, &pct(), &Budget::default(), Duration::from_secs(120));
    assert!(!shrunk.timed_out);
    let minimal: Config = serde_json::from_value(shrunk.config.value).unwrap();
    eprintln!("{variant}: the harness shrank it to {minimal:?}: {}", shrunk.verdict.outcome);
    (minimal, shrunk.verdict)
}

/// Every configuration of two allocations in all (one thread of two, or two threads of one), over
/// request sizes, arena sizes, a dirty free arena and rotation points.
fn every_two_allocation_configuration(variant: Variant) -> Vec<Config> {
    let mut out = Vec::new();
    for arena_words in 1..=2u64 {
        let sizes: Vec<u64> = [1u64, 65].into_iter().filter(|n: &u64| n.div_ceil(64) <= arena_words).collect();
        for &a in &sizes {
            for &b in &sizes {
                for programs in [vec![vec![Op::Alloc(a), Op::Alloc(b)]], vec![vec![Op::Alloc(a)], vec![Op::Alloc(b)]]] {
                    let longest = programs.iter().map(Vec::len).max().unwrap();
                    for rotations in [vec![], vec![0], vec![1], vec![2], vec![1, 1]] {
                        for free_arenas in 0..=1 {
                            let config = Config {
                                threads: programs.len(),
                                programs: Some(programs.clone()),
                                rotations: rotations.clone(),
                                free_arenas,
                                ..Config::new(variant, 0, 0, arena_words)
                            };
                            // Two threads in three phases are more spawns than loom's four.
                            if rotations.iter().all(|&k| k <= longest) && programs.len() * (rotations.len() + 1) <= 4 {
                                out.push(config);
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

#[test]
fn the_strategy_generates_valid_configurations_of_every_kind() {
    let strategy = generated::gcbits::configs(Variant::V2, Shape::default());
    let mut runner = runner(1);
    let configs: Vec<Config> = (0..300).map(|_| strategy.new_tree(&mut runner).unwrap().current()).collect();
    for c in &configs {
        c.build().unwrap_or_else(|e| panic!("{c:?}: {e}"));
    }
    let some = |what: &str, f: &dyn Fn(&Config) -> bool| assert!(configs.iter().any(f), "no generated configuration has {what}");
    some("three threads", &|c| c.threads == 3);
    some("a single thread", &|c| c.threads == 1);
    some("a request of several words", &|c| programs(c).iter().flatten().any(|&Op::Alloc(n)| n > 64));
    some("a rotation between allocations", &|c| c.rotations.iter().any(|&k| k > 0));
    some("two rotations", &|c| c.rotations.len() == 2);
    some("a dirty free arena", &|c| c.free_arenas > 0);
    some("a one-word arena", &|c| c.arena_words == 1);
}

#[test]
fn v1_and_v2_hold_on_generated_sizes_and_rotations() {
    for variant in [Variant::V1, Variant::V2] {
        let strategy = generated::gcbits::configs(variant, Shape::default());
        let found = generated::find_violation(&mut runner(40), strategy, &pct(), &Budget::default());
        assert!(found.is_none(), "{variant}: {found:?}");
    }
}

#[test]
fn r8_non_atomic_bump_is_found_and_shrinks_to_three_allocations_the_fewest_that_fail() {
    let (minimal, verdict) = find_and_shrink(Variant::NonAtomicBump, 256);
    assert_eq!(verdict.violation().map(|v| v.kind), Some(ViolationKind::DoubleAllocation), "{}", verdict.outcome);
    // Two fast-path bumps of one arena's `free`, after its first allocation on the slow path:
    // three one-word requests (from two threads or three), a two-word arena, nothing else.
    assert_eq!(total_allocs(&minimal), 3, "{minimal:?}");
    assert_eq!((minimal.arena_words, minimal.free_arenas, minimal.rotations.len()), (2, 0, 0), "{minimal:?}");
    assert!(programs(&minimal).iter().flatten().all(|&Op::Alloc(n)| n <= 64), "{minimal:?}");
    assert_minimal(&minimal, ViolationKind::DoubleAllocation);
    // And three is the fewest: loom proves every two-allocation configuration holds.
    let loom = Engine::Loom { preemption_bound: None };
    let two = every_two_allocation_configuration(Variant::NonAtomicBump);
    assert!(two.len() > 20, "{}", two.len());
    for config in two {
        let v = run(&config, &loom);
        assert!(v.holds() && v.exhaustive, "{config:?} gives {}", v.outcome);
    }
}

#[test]
fn r11_rotation_skipping_previous_is_found_and_shrinks_to_its_two_rotations() {
    let (minimal, verdict) = find_and_shrink(Variant::RotationSkipsPrevious, 256);
    assert_eq!(verdict.violation().map(|v| v.kind), Some(ViolationKind::DoubleAllocation), "{}", verdict.outcome);
    assert!(verdict.violation().unwrap().detail.contains("bits reused while live"), "{}", verdict.outcome);
    // An allocation in epoch 0, two rotations after it (the second frees its arena one epoch
    // early), and an allocation in epoch 2 that reuses it: one thread suffices.
    assert_eq!((minimal.threads, total_allocs(&minimal), minimal.rotations.clone()), (1, 2, vec![1, 1]), "{minimal:?}");
    assert_minimal(&minimal, ViolationKind::DoubleAllocation);
}

/// The harness's own shrinker (what `explore` and `check` use) on a stress-shaped R8 failure.
#[test]
fn the_harness_shrinks_an_r8_stress_failure_to_two_threads_of_two() {
    let config = Config::new(Variant::NonAtomicBump, 4, 3, 4);
    let verdict = run(&config, &pct());
    assert!(verdict.violation().is_some(), "{}", verdict.outcome);
    let model = registry::model("gcbits").unwrap();
    let described = model.decode(&serde_json::to_value(&config).unwrap()).unwrap();
    let shrunk = shrink::shrink(model, &described, verdict, &pct(), &Budget::default(), Duration::from_secs(120));
    eprintln!("4 threads x 3 allocations shrunk to {} x {}: {}", shrunk.config.threads, shrunk.config.ops, shrunk.verdict.outcome);
    assert!(!shrunk.timed_out);
    assert_eq!(shrunk.verdict.violation().map(|v| v.kind), Some(ViolationKind::DoubleAllocation));
    assert_eq!((shrunk.config.threads, shrunk.config.ops), (2, 2));
    for (t, k) in [(1, 2), (2, 1)] {
        let smaller = config.resized(t, k);
        let v = run(&smaller, &Engine::Loom { preemption_bound: None });
        assert!(v.holds() && v.exhaustive, "{t} x {k} gives {}: not minimal in sizes", v.outcome);
    }
}
