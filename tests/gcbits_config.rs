//! gcBits configurations: what is refused and how, what survives JSON and TOML, and generated
//! programs (proptest) under which the correct variants hold and each broken one fails only in
//! the ways it is allowed to; and the catalogue's gcbits rows as a whole.

use gcmc::engine::{self, Budget, Engine, Outcome};
use gcmc_models::check::{Model, ViolationKind};
use gcmc_models::gcbits::{Config, Op, Variant};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngSeed};
use std::sync::Arc;

fn loom(bound: Option<usize>) -> Engine {
    Engine::Loom { preemption_bound: bound }
}

fn random(iterations: usize) -> Engine {
    Engine::Random { iterations, seed: 0x2ef8_8f7f }
}

fn default_for(variant: Variant) -> Config {
    Config::default_for(variant.name()).expect("every variant has a default")
}

// ---- Configuration ------------------------------------------------------------------------------

#[test]
fn bad_configurations_are_refused_with_one_line_errors() {
    let v1 = Config::new(Variant::V1, 2, 2, 2);
    let cases = [
        (Config { threads: 0, ..v1.clone() }, "need at least one thread"),
        (Config { arena_words: 0, ..v1.clone() }, "arena_words must be in 1..=8190"),
        (Config { nelems: vec![200], ..v1.clone() }, "needs 4 words of bits, more than an arena of 2 words"),
        (Config { nelems: vec![0], ..v1.clone() }, "nelems must be at least 1"),
        (Config { nelems: vec![], ..v1.clone() }, "nelems is empty"),
        (Config { allocs: 0, ..v1.clone() }, "at least one allocation"),
        (v1.clone().with_rotations(&[3]), "a rotation after allocation 3"),
        (Config { programs: Some(vec![vec![Op::Alloc(1)]]), ..v1.clone() }, "1 programs for 2 threads"),
        (Config { free_arenas: 99, ..v1.clone() }, "free_arenas must be at most"),
        (Config { programs: Some(vec![vec![], vec![]]), ..v1.clone() }, "the programs allocate nothing"),
    ];
    for (config, expected) in cases {
        let err = config.build().expect_err(expected);
        assert!(err.0.contains(expected), "{err} (wanted {expected:?})");
        assert!(!err.0.contains('\n'), "{err}");
    }
    let err = Config::default_for("no-such-variant").unwrap_err();
    assert!(err.0.contains("known: v0, v1, v2, stale-next-link"), "{err}");
}

#[test]
fn loom_counts_every_phase_s_threads_and_refuses_too_many() {
    // Three threads in two phases are six spawns: more than loom's four.
    let config = Config::new(Variant::V1, 3, 2, 2).with_rotations(&[1]);
    let err = engine::run(Arc::new(config.build().unwrap()), &loom(None), &Budget::default()).unwrap_err();
    assert_eq!(
        err.0,
        "loom supports at most 4 spawned threads, the scenario spawns 6: its threads are spawned again after each epoch rotation \
         (rotations = [1], 2 stages); fewer threads, or fewer rotations (--set 'rotations=[]'), spawn fewer"
    );
}

#[test]
fn the_std_engine_refuses_variants_that_race_on_arena_memory() {
    for variant in [Variant::NonAtomicBump, Variant::RelaxedNextPublication] {
        let scenario = Arc::new(default_for(variant).build().unwrap());
        let err = engine::run(scenario, &Engine::Std { iterations: 1 }, &Budget::default()).unwrap_err();
        assert!(err.0.contains("undefined behaviour"), "{err}");
    }
}

#[test]
fn every_default_configuration_round_trips_through_json_and_toml() {
    assert_eq!(Config::variants().len(), Variant::ALL.len());
    for name in Config::variants() {
        let config = Config::default_for(name).unwrap();
        assert_eq!(config.variant().name(), name);
        let json = serde_json::to_string(&config).unwrap();
        assert_eq!(serde_json::from_str::<Config>(&json).unwrap(), config);
        let text = toml::to_string(&config).unwrap();
        assert_eq!(toml::from_str::<Config>(&text).unwrap(), config, "{text}");
    }
    let unknown = r#"{"variant":"v1","threads":1,"allocs":1,"arena_words":1,"arena_size":4}"#;
    assert!(serde_json::from_str::<Config>(unknown).unwrap_err().to_string().contains("unknown field `arena_size`"));
    let programs = r#"{"variant":"v2","threads":1,"arena_words":2,"programs":[[{"alloc":64},{"alloc":128}]]}"#;
    let config: Config = serde_json::from_str(programs).unwrap();
    assert_eq!(config.programs(), vec![vec![Op::Alloc(64), Op::Alloc(128)]]);
}

#[test]
fn resized_keeps_the_rotations() {
    let config = default_for(Variant::RotationSkipsPrevious).resized(1, 1);
    assert_eq!((config.threads(), config.ops(), config.rotations.clone()), (1, 1, vec![1, 1]));
    config.build().expect("still valid");
}

// ---- Generated programs -------------------------------------------------------------------------

/// What a variant may report on any program: correct versions nothing, each broken one only its
/// own kind (never a model panic, never another symptom).
fn allowed(variant: Variant) -> &'static [ViolationKind] {
    match variant {
        Variant::V0 | Variant::V1 | Variant::V2 => &[],
        // The waste bound (models/src/gcbits/waste.rs).
        Variant::NoRevalidation | Variant::FreshBehindNext | Variant::SysAllocBeforeFreeList => &[ViolationKind::WastedArena],
        Variant::StaleNextLink => &[ViolationKind::LostArena],
        Variant::NoPostAddCheck => &[ViolationKind::OutOfBounds],
        Variant::NonAtomicBump | Variant::RotationSkipsPrevious => &[ViolationKind::DoubleAllocation],
        Variant::PublishBeforeAlloc => &[ViolationKind::Throw],
        // shuttle runs the Relaxed store as SeqCst.
        Variant::RelaxedNextPublication => &[],
        Variant::ReuseWithoutClearing => &[ViolationKind::NonzeroBits],
        Variant::TruncatedBits => &[ViolationKind::UndersizedBits],
    }
}

fn generated() -> impl Strategy<Value = Config> {
    let program = proptest::collection::vec(prop_oneof![Just(1u64), Just(64), Just(65), Just(128), Just(130)], 0..=3);
    (
        proptest::sample::select(Variant::ALL.to_vec()),
        proptest::collection::vec(program, 1..=3),
        3u64..=4,
        proptest::collection::vec(0usize..=3, 0..=3),
        0usize..=1,
    )
        .prop_map(|(variant, programs, arena_words, rotations, free_arenas)| {
            let longest = programs.iter().map(Vec::len).max().unwrap_or(0);
            Config {
                programs: Some(programs.into_iter().map(|p| p.into_iter().map(Op::Alloc).collect()).collect()),
                rotations: rotations.into_iter().map(|k| k.min(longest)).collect(),
                free_arenas,
                threads: 0,
                ..Config::new(variant, 0, 0, arena_words)
            }
        })
        .prop_map(|mut c| {
            c.threads = c.programs.as_ref().map_or(0, Vec::len);
            c
        })
        .prop_filter("at least one allocation", |c| c.ops() > 0)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        rng_seed: RngSeed::Fixed(0x6c4a8d19),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Any program, any rotations: the correct versions hold, and each broken variant either
    /// holds or reports its own violation kind. (Random, not PCT: shuttle's PCT refuses a
    /// program with one allocating thread, where no step has a choice.)
    #[test]
    fn generated_programs_give_only_the_variant_s_own_verdict(config in generated()) {
        let scenario = Arc::new(config.build().expect("generated configurations are valid"));
        let v = engine::run(scenario, &random(300), &Budget::default()).unwrap();
        match v.outcome {
            Outcome::Holds => {}
            Outcome::Violation(ref violation) => prop_assert!(
                allowed(config.variant).contains(&violation.kind),
                "{}: {violation} on {config:?}", config.variant
            ),
            Outcome::BudgetExhausted { ref reason } => prop_assert!(false, "budget exhausted: {reason}"),
        }
    }
}

// ---- The catalogue ------------------------------------------------------------------------------

/// The quick catalogue catches each broken variant with its own violation kind and a pinned
/// replay, under loom and under PCT where shuttle can see it (R10 is weak memory: its shuttle rows
/// must record the blind spot as `holds`); the correct ones only ever hold.
#[test]
fn the_catalogue_catches_each_broken_variant_with_every_engine_that_sees_it() {
    use gcmc::catalogue::{self, Expect};
    let catalogue = catalogue::load(std::path::Path::new(catalogue::DEFAULT_CATALOGUE)).unwrap_or_else(|e| panic!("{e}"));
    for &variant in Variant::ALL {
        let cases: Vec<_> =
            catalogue.cases.iter().filter(|c| c.config.model == "gcbits" && c.config.variant == variant.name() && !c.deep).collect();
        assert!(!cases.is_empty(), "{variant}: no quick catalogue case");
        if variant.must_hold() {
            assert!(cases.iter().all(|c| c.expect == Expect::Holds), "{variant} must only hold");
            continue;
        }
        let kind = allowed(variant).first().copied().unwrap_or(ViolationKind::DataRace);
        let catching: Vec<&str> = cases
            .iter()
            .filter(|c| c.expect == Expect::Violation(kind) && (c.replay.is_some() || c.engine.name() == "std"))
            .map(|c| c.engine.name())
            .collect();
        assert!(catching.contains(&"loom"), "{variant}: no loom case expects {kind}");
        if variant.loom_only() {
            assert!(
                cases.iter().any(|c| c.engine.name() == "pct" && c.expect == Expect::Holds),
                "{variant}: the blind spot is not recorded"
            );
        } else {
            assert!(catching.contains(&"pct"), "{variant}: no pct case expects {kind}");
        }
        assert!(
            cases.iter().all(|c| c.expect == Expect::Violation(kind) || c.expect == Expect::Holds),
            "{variant}: a case expects another kind"
        );
    }
}
