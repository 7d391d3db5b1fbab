//! lfstack under every engine: the Go algorithm holds, each catalogued breakage is caught by the
//! engines that can see it, with its violation kind.

use gcmc::engine::{self, Budget, Engine, Outcome, Verdict};
use gcmc_models::check::{Model, ViolationKind};
use gcmc_models::lfstack::{Config, Op, Variant};
use std::sync::Arc;

fn run(config: &Config, engine: Engine) -> Verdict {
    let v = engine::run(Arc::new(config.build().expect("valid config")), &engine, &Budget::default()).expect("admitted");
    eprintln!(
        "lfstack {} {}t x {}n x {} ops, counter {} bits, {engine}: {} after {} executions ({}) in {:.2}s",
        config.variant,
        config.threads,
        config.nodes,
        config.ops(),
        config.counter_bits,
        v.outcome.label(),
        v.executions,
        if v.exhaustive { "exhaustive" } else { "not exhaustive" },
        v.seconds
    );
    v
}

fn loom(bound: Option<usize>) -> Engine {
    Engine::Loom { preemption_bound: bound }
}

/// PCT at depth 4: the stress shape's ABA needs three preemptions (T0 stalls between reading
/// `next` and its CAS; T1 pops; T2 pops; T1 pushes back), which depth 3 does not schedule.
fn pct(iterations: usize, depth: usize) -> Engine {
    Engine::Pct { iterations, depth, seed: 0x6c4a_8d19 }
}

fn kind(v: &Verdict) -> Option<ViolationKind> {
    v.violation().map(|v| v.kind)
}

#[test]
fn go_holds_under_loom_without_a_bound_2x2x2() {
    let v = run(&Config::stress(Variant::Go, 2, 2, 2, 3), loom(None));
    assert_eq!(v.outcome, Outcome::Holds);
    assert!(v.exhaustive);
}

#[test]
fn go_holds_under_loom_at_bound_3_3x3x2() {
    let v = run(&Config::stress(Variant::Go, 3, 3, 2, 3), loom(Some(3)));
    assert_eq!(v.outcome, Outcome::Holds);
}

#[test]
fn go_holds_under_pct_4x4x3() {
    let v = run(&Config::stress(Variant::Go, 4, 4, 3, 4), pct(20_000, 3));
    assert_eq!(v.outcome, Outcome::Holds);
}

/// ABA shows up either the moment a held node is popped again, or at the end as a node lost or
/// reachable twice; which one comes first depends on the schedule the engine finds.
fn is_aba_symptom(v: &Verdict) -> bool {
    matches!(kind(v), Some(ViolationKind::Aba | ViolationKind::LostNode | ViolationKind::DuplicatedNode))
}

#[test]
fn r1_no_counter_is_caught_by_loom_and_shuttle() {
    let config = Config::stress(Variant::NoCounter, 3, 3, 1, 0);
    for engine in [loom(Some(3)), pct(20_000, 4), Engine::Random { iterations: 20_000, seed: 1 }] {
        let v = run(&config, engine.clone());
        assert!(is_aba_symptom(&v), "{engine}: {:?}", v.outcome);
        assert!(v.schedule.is_some(), "{engine}: a failure must be replayable");
    }
}

#[test]
fn r2_one_bit_counter_is_caught_by_loom_and_shuttle() {
    let config = Config::stress(Variant::Go, 3, 3, 2, 1);
    for engine in [loom(Some(3)), pct(20_000, 4), Engine::Random { iterations: 20_000, seed: 1 }] {
        let v = run(&config, engine.clone());
        assert!(is_aba_symptom(&v), "{engine}: {:?}", v.outcome);
    }
}

#[test]
fn r2_two_bit_counter_is_caught_by_loom_and_shuttle() {
    let config = Config::stress(Variant::Go, 3, 3, 3, 2);
    for engine in [loom(Some(3)), pct(20_000, 4)] {
        let v = run(&config, engine.clone());
        assert!(is_aba_symptom(&v), "{engine}: {:?}", v.outcome);
    }
}

/// R3's sizes from the catalogue: T0 pops once; T1 pops, pops, and pushes one back.
fn r3_config() -> Config {
    Config {
        programs: Some(vec![vec![Op::Pop(0)], vec![Op::Pop(0), Op::Pop(0), Op::Push(0)]]),
        stacks: 1,
        ..Config::stress(Variant::Pop2012, 2, 3, 0, 3)
    }
}

#[test]
fn r3_pop_2012_is_a_data_race_loom_reports() {
    let v = run(&r3_config(), loom(None));
    assert_eq!(kind(&v), Some(ViolationKind::DataRace), "{:?}", v.outcome);
}

#[test]
fn the_r3_and_r4_programs_hold_with_go_under_loom() {
    // Controls: the same programs, with the Go algorithm, explored exhaustively. What R3 and R4
    // report is the variant's doing, not the scenario's.
    for config in [r3_config(), r4_config(Variant::Go)] {
        let config = Config { variant: Variant::Go, ..config };
        let v = run(&config, loom(None));
        assert_eq!(v.outcome, Outcome::Holds);
        assert!(v.exhaustive);
    }
}

#[test]
fn r3_is_invisible_to_shuttle_which_runs_one_thread_at_a_time() {
    // shuttle has no cell of its own and never runs two threads at once: the racing read of
    // pushcnt returns a value some sequential order could also give, so the variant holds there.
    let v = run(&r3_config(), pct(20_000, 3));
    assert_eq!(v.outcome, Outcome::Holds);
}

/// R4's sizes from the catalogue: T0 pushes a node it holds; T1 pops.
fn r4_config(variant: Variant) -> Config {
    Config { programs: Some(vec![vec![Op::Pop(1), Op::Push(0)], vec![Op::Pop(0), Op::Pop(0)]]), ..Config::stress(variant, 2, 3, 0, 3) }
}

#[test]
fn r4_relaxed_orderings_are_caught_by_loom_only() {
    for variant in [Variant::RelaxedPushCas, Variant::RelaxedPopLoad] {
        let v = run(&r4_config(variant), loom(None));
        // The popper installs the stale `next` it read: the nodes below the pushed one are lost.
        assert_eq!(kind(&v), Some(ViolationKind::LostNode), "{variant}: {:?}", v.outcome);
        // shuttle runs every atomic as SeqCst: the weakened ordering does not exist there.
        let s = run(&r4_config(variant), pct(20_000, 3));
        assert_eq!(s.outcome, Outcome::Holds, "{variant}");
    }
}

#[test]
fn bad_configurations_are_refused_with_one_line_errors() {
    let go = Config::stress(Variant::Go, 2, 2, 2, 3);
    let cases = [
        (Config { counter_bits: 0, ..go.clone() }, "counter bits 0 with the go variant"),
        (Config { addr_bits: 65, ..go.clone() }, "address bits must be in 1..=64"),
        (Config { counter_bits: 30, ..go.clone() }, "do not fit in a 64-bit word"),
        (Config { stacks: 9, ..go.clone() }, "stacks must be in"),
        (Config { base: 0x1001, ..go.clone() }, "not 64-byte aligned"),
        (Config { programs: Some(vec![vec![Op::Pop(5)]; 2]), ..go.clone() }, "names a stack beyond"),
        (Config { threads: 0, ..go.clone() }, "need at least one thread and one node"),
        (Config { nodes: 0, ..go.clone() }, "need at least one thread and one node"),
        (Config { stacks: 0, ..go.clone() }, "stacks must be in"),
        // Five 64-byte nodes from 256 bytes below the top: past the end by 64, though base + 5 is not.
        (Config { nodes: 5, base: 0xffff_ffff_ffff_ff00, ..go.clone() }, "run past the end of the address space"),
    ];
    for (config, expected) in cases {
        let err = config.build().expect_err(expected);
        assert!(err.0.contains(expected), "{err} (wanted {expected:?})");
        assert!(!err.0.contains('\n'), "{err}");
    }
    assert!(Config::default_for("no-such-variant").unwrap_err().0.contains("known: go, no-counter"));
    // The bounds themselves are allowed: four stacks, and nodes whose last ends one node below the top.
    assert!(Config { stacks: 4, ..go.clone() }.build().is_ok());
    assert!(Config { nodes: 3, base: 0xffff_ffff_ffff_ff00, ..go.clone() }.build().is_ok());
}

#[test]
fn addresses_read_as_integers_or_hex_strings_and_default_to_gos_heap() {
    let read = |base: &str| -> Result<Config, String> {
        let text = format!("variant = \"go\"\nthreads = 2\nnodes = 2\niterations = 1\ncounter_bits = 3\n{base}");
        toml::from_str::<Config>(&text).map_err(|e| e.to_string())
    };
    assert_eq!(read("").unwrap().base, gcmc_models::lfstack::config::DEFAULT_BASE, "an unset base is Go's heap address");
    assert_eq!(read("base = 824633720832").unwrap().base, 0x00c0_0000_0000, "a TOML integer");
    assert_eq!(read("base = \"0xffff800000000000\"").unwrap().base, 0xffff_8000_0000_0000, "a hex string above the hole");
    assert!(read("base = -64").unwrap_err().contains("is negative; write an address above i64::MAX as a hex string"));
    assert!(read("base = true").unwrap_err().contains("an address: a non-negative integer, or a string"));
}

#[test]
fn loom_refuses_a_fifth_thread_before_entering_loom() {
    let config = Config::stress(Variant::Go, 5, 3, 1, 3);
    let err = engine::run(Arc::new(config.build().unwrap()), &loom(None), &Budget::default()).unwrap_err();
    assert_eq!(err.0, "loom supports at most 4 spawned threads, the scenario spawns 5");
}

#[test]
fn the_std_engine_refuses_the_racy_2012_pop() {
    let err = engine::run(Arc::new(r3_config().build().unwrap()), &Engine::Std { iterations: 1 }, &Budget::default()).unwrap_err();
    assert!(err.0.contains("undefined behaviour"), "{err}");
}

/// Small histories: three threads over one stack of two nodes, every result compared with what
/// some sequential order of the same operations allows.
fn linearizability_config(variant: Variant, counter_bits: u32) -> Config {
    Config {
        stacks: 1,
        programs: Some(vec![vec![Op::Pop(0), Op::Push(0)], vec![Op::Pop(0), Op::Pop(0), Op::Push(0)], vec![Op::Pop(0), Op::Empty(0)]]),
        linearizability: true,
        ..Config::stress(variant, 3, 2, 0, counter_bits)
    }
}

#[test]
fn go_is_linearizable_on_small_histories_under_loom() {
    let v = run(&linearizability_config(Variant::Go, 3), loom(Some(3)));
    assert_eq!(v.outcome, Outcome::Holds);
}

#[test]
fn the_linearizability_check_rejects_what_aba_does() {
    // Without a counter the stale CAS succeeds; whichever symptom the search meets first, the
    // check must not call the history sequential.
    let v = run(&linearizability_config(Variant::NoCounter, 0), loom(Some(3)));
    assert!(
        matches!(
            kind(&v),
            Some(ViolationKind::NotLinearizable | ViolationKind::Aba | ViolationKind::DuplicatedNode | ViolationKind::LostNode)
        ),
        "{:?}",
        v.outcome
    );
}
