//! gcBits arenas under every engine: v0, v1 and v2 hold; each catalogued breakage (R6-R11) is
//! caught by the engines that can see it, with its violation kind; dropping the revalidation is
//! safe but wasteful.
//!
//! Each test prints its explored-execution counts (`cargo test --release --test gcbits --
//! --nocapture`).

use gcmc::engine::{self, Budget, Engine, Outcome, Verdict};
use gcmc_models::check::{Model, ViolationKind};
use gcmc_models::gcbits::{Config, Op, Variant};
use std::sync::Arc;

fn run(config: &Config, engine: Engine) -> Verdict {
    let v = engine::run(Arc::new(config.build().expect("valid config")), &engine, &Budget::default()).expect("admitted");
    println!(
        "gcbits {} {}t x {} allocs, arena {} words, rotations {:?}, {engine}: {} after {} executions ({}) in {:.2}s, figures {:?}",
        config.variant,
        config.threads,
        config.ops(),
        config.arena_words,
        config.rotations,
        v.outcome.label(),
        v.executions,
        if v.exhaustive { "exhaustive" } else { "not exhaustive" },
        v.seconds,
        v.figures
    );
    if let Some(violation) = v.violation() {
        println!("  {violation}");
        for line in &v.trace {
            println!("    {line}");
        }
    }
    v
}

fn loom(bound: Option<usize>) -> Engine {
    Engine::Loom { preemption_bound: bound }
}

fn pct(iterations: usize, depth: usize) -> Engine {
    Engine::Pct { iterations, depth, seed: 0x6c4a_8d19 }
}

fn random(iterations: usize) -> Engine {
    Engine::Random { iterations, seed: 0x2ef8_8f7f }
}

/// shuttle's depth-first search: exhaustive on these small configurations.
fn dfs() -> Engine {
    Engine::Dfs { max_iterations: Some(200_000) }
}

fn kind(v: &Verdict) -> Option<ViolationKind> {
    v.violation().map(|v| v.kind)
}

fn default_for(variant: Variant) -> Config {
    Config::default_for(variant.name()).expect("every variant has a default")
}

const CORRECT: [Variant; 3] = [Variant::V0, Variant::V1, Variant::V2];

// ---- The correct versions hold ----------------------------------------------------------------

/// Done-when: 2 threads x 3 allocations with a rotation (after each thread's first), no bound.
/// Measured here: v0 270, v1 2,880, v2 183,672 executions (v2 about 16 s in release).
fn holds_without_a_bound_2x3_with_a_rotation(variant: Variant) {
    let v = run(&Config::new(variant, 2, 3, 2).with_rotations(&[1]), loom(None));
    assert_eq!(v.outcome, Outcome::Holds);
    assert!(v.exhaustive);
}

#[test]
fn v0_holds_under_loom_without_a_bound_2x3_with_a_rotation() {
    holds_without_a_bound_2x3_with_a_rotation(Variant::V0);
}

#[test]
fn v1_holds_under_loom_without_a_bound_2x3_with_a_rotation() {
    holds_without_a_bound_2x3_with_a_rotation(Variant::V1);
}

#[test]
fn v2_holds_under_loom_without_a_bound_2x3_with_a_rotation() {
    holds_without_a_bound_2x3_with_a_rotation(Variant::V2);
}

#[test]
fn v0_v1_v2_hold_under_loom_at_bound_3_3x2() {
    for variant in CORRECT {
        let v = run(&Config::new(variant, 3, 2, 2), loom(Some(3)));
        assert_eq!(v.outcome, Outcome::Holds, "{variant}");
    }
}

/// Beyond the bound-3 proof above: v0 and v1 at 3 threads x 2 allocations with no bound.
/// Measured: v0 7,847 executions (1 s), v1 303,814 (26 s).
#[test]
fn v0_v1_hold_under_loom_without_a_bound_3x2() {
    for variant in [Variant::V0, Variant::V1] {
        let v = run(&Config::new(variant, 3, 2, 2), loom(None));
        assert_eq!(v.outcome, Outcome::Holds, "{variant}");
        assert!(v.exhaustive);
    }
}

/// Opt-in, and open: v2 at 3 threads x 2 allocations with no bound. Measured: 38,770,969
/// executions in 3,300 s (`gcmc explore gcbits --variant v2 --threads 3 --ops 2 --set
/// 'rotations=[]' --set arena_words=2 --max-seconds 3300`) without a violation and without
/// finishing. It runs with no time limit (set GCMC_V2_3X2_SECONDS to cap it; a capped run ends
/// `budget-exhausted` and fails here, since nothing beyond what ran is proven).
#[test]
#[ignore = "v2 3x2 without a bound has not finished in 38.7M executions (55 min); opt in with --ignored"]
fn v2_holds_under_loom_without_a_bound_3x2() {
    let max_seconds = std::env::var("GCMC_V2_3X2_SECONDS").ok().map(|s| s.parse::<f64>().expect("GCMC_V2_3X2_SECONDS: seconds"));
    let budget = Budget { max_seconds, ..Budget::default() };
    let config = Config::new(Variant::V2, 3, 2, 2);
    let v = engine::run(Arc::new(config.build().expect("valid config")), &loom(None), &budget).expect("admitted");
    println!("gcbits v2 3x2, loom without a bound: {} after {} executions in {:.0}s", v.outcome.label(), v.executions, v.seconds);
    assert_eq!(v.outcome, Outcome::Holds);
    assert!(v.exhaustive);
}

#[test]
fn v0_v1_v2_hold_under_pct_4x4_with_rotations() {
    // Rotations after each of the first three allocations: the fourth runs in epoch 3, when the
    // arenas filled in epoch 0 are back on the free list and get reused.
    for variant in CORRECT {
        let config = Config { nelems: vec![64, 128], ..Config::new(variant, 4, 4, 2).with_rotations(&[1, 2, 3]) };
        for engine in [pct(20_000, 3), random(10_000)] {
            let v = run(&config, engine);
            assert_eq!(v.outcome, Outcome::Holds, "{variant}");
        }
    }
}

#[test]
fn reuse_after_three_rotations_is_legal_under_loom() {
    // Epoch-0 arenas are free again at the start of epoch 3 and handed out, cleared, to two
    // racing threads: the audit must not call that a reuse while live.
    for variant in CORRECT {
        let v = run(&Config::new(variant, 2, 2, 1).with_rotations(&[1, 1, 1]), loom(None));
        assert_eq!(v.outcome, Outcome::Holds, "{variant}");
        assert!(v.exhaustive);
        // Two arenas came from the OS in epoch 0; epoch 3 reused them instead of asking for more.
        assert_eq!(v.figures.get("arenas-from-os"), Some(&2), "{variant}");
    }
}

#[test]
fn dirty_free_arenas_are_cleared_before_anyone_sees_them_under_loom() {
    // Two arenas left dirty on the free list by an earlier cycle: memclr under the lock must
    // happen before any thread, on the fast path or not, reads or marks their bits.
    for variant in CORRECT {
        let v = run(&Config { free_arenas: 2, ..Config::new(variant, 2, 2, 2) }, loom(None));
        assert_eq!(v.outcome, Outcome::Holds, "{variant}");
        assert!(v.exhaustive);
        assert_eq!(v.figures.get("arenas-from-os"), Some(&0), "{variant}: the free list suffices");
    }
}

#[test]
fn v0_never_wastes_and_v1_v2_put_the_surplus_back() {
    let figures: Vec<u64> = CORRECT
        .iter()
        .map(|&variant| {
            let v = run(&Config::new(variant, 2, 1, 2), loom(None));
            assert_eq!(v.outcome, Outcome::Holds);
            v.figures["wasted-arenas"]
        })
        .collect();
    // v0 holds the lock across sysAlloc: nobody else can push an arena meanwhile.
    assert_eq!(figures, vec![0, 1, 1]);
}

// ---- R6: link fresh to a stale next -----------------------------------------------------------

#[test]
fn r6_stale_next_link_loses_an_arena_under_loom_and_shuttle() {
    let config = default_for(Variant::StaleNextLink);
    for engine in [loom(None), pct(20_000, 3), random(20_000), dfs()] {
        let v = run(&config, engine.clone());
        assert_eq!(kind(&v), Some(ViolationKind::LostArena), "{engine}: {:?}", v.outcome);
        assert!(v.schedule.is_some(), "{engine}: a failure must be replayable");
    }
}

#[test]
fn r6_trace_shows_both_threads_dropping_the_lock_and_names_the_lost_arena() {
    let v = run(&default_for(Variant::StaleNextLink), loom(None));
    let violation = v.violation().expect("R6 is caught");
    assert_eq!(violation.kind, ViolationKind::LostArena);
    let dropped: Vec<Option<u32>> = v
        .trace
        .iter()
        .filter(|l| l.func == "newArenaMayUnlock" && l.what == "free list empty: dropping the lock for sysAlloc")
        .map(|l| l.thread)
        .collect();
    assert_eq!(dropped.len(), 2, "both threads drop the lock for sysAlloc");
    assert_ne!(dropped[0], dropped[1]);
    // The lost arena is the one the other thread pushed on next while the lock was dropped.
    let stale_link =
        v.trace.iter().find(|l| l.what.contains("(the next read before the lock was dropped; ")).expect("the stale link is in the trace");
    let lost = v
        .trace
        .iter()
        .find(|l| l.thread != stale_link.thread && l.what.starts_with("fresh ") && l.what.contains("; next = "))
        .and_then(|l| l.what.split(' ').nth(1))
        .expect("the other thread pushed its fresh arena");
    assert!(
        stale_link.what.contains(&format!("; {lost}, next now, is unlinked)")),
        "the stale link names what it unlinks: {}",
        stale_link.what
    );
    let pushed_by = v.trace.iter().find(|l| l.what == format!("returned {lost}")).expect("it came from sysAlloc").thread;
    assert_eq!(violation.detail.split(" (").next().unwrap(), format!("arena {lost}"), "the detail names the lost arena: {violation}");
    assert!(violation.detail.contains(&format!("from T{}'s sysAlloc) is on no list: lost", pushed_by.unwrap())), "{violation}");
    // And the replay gives the same failure, the same trace.
    let scenario = Arc::new(default_for(Variant::StaleNextLink).build().unwrap());
    let again = engine::replay(scenario, &loom(None), v.schedule.as_ref().unwrap()).unwrap();
    assert_eq!(again.outcome, v.outcome);
    assert_eq!(again.trace, v.trace);
}

#[test]
fn the_r6_configuration_holds_with_v1_and_v2() {
    for variant in [Variant::V1, Variant::V2] {
        let v = run(&Config { variant, ..default_for(Variant::StaleNextLink) }, loom(None));
        assert_eq!(v.outcome, Outcome::Holds, "{variant}");
        assert!(v.exhaustive);
    }
}

// ---- R7-R10: v2's lock-free fast path -----------------------------------------------------------

#[test]
fn r7_no_post_add_check_goes_out_of_bounds_under_loom_and_shuttle() {
    let config = default_for(Variant::NoPostAddCheck);
    for engine in [loom(None), pct(20_000, 3), random(20_000), dfs()] {
        let v = run(&config, engine.clone());
        assert_eq!(kind(&v), Some(ViolationKind::OutOfBounds), "{engine}: {:?}", v.outcome);
        assert!(v.violation().unwrap().detail.contains("which holds 16 bytes of bits"));
    }
}

#[test]
fn r8_non_atomic_bump_double_allocates_under_loom_and_shuttle() {
    let config = default_for(Variant::NonAtomicBump);
    for engine in [loom(None), pct(20_000, 3), random(20_000), dfs()] {
        let v = run(&config, engine.clone());
        assert_eq!(kind(&v), Some(ViolationKind::DoubleAllocation), "{engine}: {:?}", v.outcome);
    }
}

#[test]
fn a_shuttle_counterexample_replays_to_the_same_failure_and_trace() {
    let config = default_for(Variant::NonAtomicBump);
    let v = run(&config, pct(20_000, 3));
    assert_eq!(kind(&v), Some(ViolationKind::DoubleAllocation));
    let again = engine::replay(Arc::new(config.build().unwrap()), &pct(20_000, 3), v.schedule.as_ref().unwrap()).unwrap();
    assert_eq!(again.outcome, v.outcome);
    assert_eq!(again.trace, v.trace);
}

#[test]
fn r9_publish_before_alloc_throws_markbits_overflow_under_loom_and_shuttle() {
    let config = default_for(Variant::PublishBeforeAlloc);
    for engine in [loom(None), pct(20_000, 3), random(20_000), dfs()] {
        let v = run(&config, engine.clone());
        assert_eq!(kind(&v), Some(ViolationKind::Throw), "{engine}: {:?}", v.outcome);
        assert_eq!(v.violation().unwrap().detail, "markBits overflow");
    }
}

#[test]
fn r10_relaxed_next_publication_is_a_data_race_only_loom_sees() {
    let config = default_for(Variant::RelaxedNextPublication);
    let v = run(&config, loom(None));
    assert_eq!(kind(&v), Some(ViolationKind::DataRace), "{:?}", v.outcome);
    // The fast path reached T0's fresh arena through the Relaxed store, without the lock.
    assert!(v.trace.iter().any(|l| l.what.starts_with("fast path: loaded next = a")), "{:?}", v.trace);
    // shuttle runs every atomic as SeqCst: the Relaxed store publishes there.
    for engine in [pct(20_000, 3), random(20_000), dfs()] {
        let s = run(&config, engine.clone());
        assert_eq!(s.outcome, Outcome::Holds);
        assert!(s.exhaustive || engine != dfs(), "DFS covers every schedule of this configuration");
    }
}

#[test]
fn the_r7_to_r10_configurations_hold_with_v2() {
    for variant in [Variant::NoPostAddCheck, Variant::NonAtomicBump, Variant::PublishBeforeAlloc, Variant::RelaxedNextPublication] {
        let v = run(&Config { variant: Variant::V2, ..default_for(variant) }, loom(None));
        assert_eq!(v.outcome, Outcome::Holds, "{variant}'s configuration");
        assert!(v.exhaustive);
    }
}

// ---- R11: rotation that skips previous ----------------------------------------------------------

#[test]
fn r11_rotation_skipping_previous_reuses_live_bits_under_every_engine() {
    let config = default_for(Variant::RotationSkipsPrevious);
    for engine in [loom(None), pct(1_000, 3), dfs(), Engine::Std { iterations: 10 }] {
        let v = run(&config, engine.clone());
        assert_eq!(kind(&v), Some(ViolationKind::DoubleAllocation), "{engine}: {:?}", v.outcome);
        assert!(v.violation().unwrap().detail.contains("bits reused while live"), "{engine}");
    }
    // With two allocating threads the reuse races with the other thread too.
    let two = Config::new(Variant::RotationSkipsPrevious, 2, 2, 1).with_rotations(&[1, 1]);
    assert_eq!(kind(&run(&two, loom(None))), Some(ViolationKind::DoubleAllocation));
}

#[test]
fn the_r11_configuration_holds_with_the_real_rotation() {
    for variant in CORRECT {
        let v = run(&Config { variant, ..default_for(Variant::RotationSkipsPrevious) }, loom(None));
        assert_eq!(v.outcome, Outcome::Holds, "{variant}");
    }
}

// ---- Safe but wasteful; zero bits; the OS failing -----------------------------------------------

/// The waste bound (models/src/gcbits/waste.rs) is what fails without the revalidation: nothing
/// is lost or handed out twice, but the first thread's arena is abandoned with a word free.
#[test]
fn no_revalidation_loses_nothing_but_breaks_the_waste_bound() {
    let config = default_for(Variant::NoRevalidation);
    let v = run(&config, loom(None));
    let Outcome::Violation(violation) = &v.outcome else { panic!("no-revalidation must break the waste bound: {:?}", v.outcome) };
    assert_eq!(violation.kind, ViolationKind::WastedArena, "{violation}");
    assert!(violation.detail.contains("behind its head") && violation.detail.contains("8 bytes free"), "{violation}");
    // The same configuration under v0 wastes nothing; under v1 the surplus arena goes back on
    // the free list, ready for the next request, and no room is ever left behind.
    let v0 = run(&Config { variant: Variant::V0, ..config.clone() }, loom(None));
    assert_eq!((v0.outcome.clone(), v0.figures.get("wasted-arenas")), (Outcome::Holds, Some(&0)));
    let v1 = run(&Config { variant: Variant::V1, ..config }, loom(None));
    assert_eq!(v1.outcome, Outcome::Holds);
    assert_eq!((v1.figures.get("wasted-arenas"), v1.figures.get("abandoned-bytes")), (Some(&1), Some(&0)));
}

/// Each part of the waste bound is shown to fail: room abandoned behind a head, and an arena
/// idling on the free list while the OS is asked for another.
#[test]
fn the_waste_bound_catches_arenas_the_requests_did_not_need() {
    for variant in [Variant::FreshBehindNext, Variant::SysAllocBeforeFreeList] {
        let v = run(&default_for(variant), loom(None));
        let Outcome::Violation(violation) = &v.outcome else { panic!("{variant}: {:?}", v.outcome) };
        assert_eq!(violation.kind, ViolationKind::WastedArena, "{variant}: {violation}");
    }
    let idle = run(&default_for(Variant::SysAllocBeforeFreeList), loom(None));
    assert!(format!("{:?}", idle.outcome).contains("while free=[a0] holds 1 idle"), "{:?}", idle.outcome);
    // The correct versions keep the bound from a dirty free list and across rotations.
    for variant in [Variant::V0, Variant::V1, Variant::V2] {
        let config = Config { free_arenas: 1, ..Config::new(variant, 2, 2, 2).with_rotations(&[1]) };
        assert_eq!(run(&config, loom(None)).outcome, Outcome::Holds, "{variant}");
    }
}

#[test]
fn reusing_an_arena_without_clearing_hands_out_nonzero_bits() {
    let config = default_for(Variant::ReuseWithoutClearing);
    for engine in [loom(None), pct(100, 3), Engine::Std { iterations: 1 }] {
        let v = run(&config, engine.clone());
        assert_eq!(kind(&v), Some(ViolationKind::NonzeroBits), "{engine}: {:?}", v.outcome);
    }
    // v1 clears the dirty arena under the lock.
    let v = run(&Config { variant: Variant::V1, ..config }, loom(None));
    assert_eq!(v.outcome, Outcome::Holds);
}

#[test]
fn three_rotations_with_mixed_sizes_hold_under_loom_and_r11_fails_there() {
    // The catalogue's gcbits-*-loom-three-rotations-mixed-sizes configuration: epoch 3 reuses the
    // arenas of epoch 0; skipping `previous` reuses epoch 1's while they are live.
    let programs = vec![vec![Op::Alloc(100), Op::Alloc(1), Op::Alloc(129), Op::Alloc(65)], vec![Op::Alloc(129), Op::Alloc(1)]];
    let config = |variant| Config { programs: Some(programs.clone()), ..Config::new(variant, 2, 0, 3).with_rotations(&[2, 3, 3]) };
    for variant in CORRECT {
        let v = run(&config(variant), loom(None));
        assert_eq!((&v.outcome, v.exhaustive), (&Outcome::Holds, true), "{variant}");
    }
    let v = run(&config(Variant::RotationSkipsPrevious), loom(None));
    assert_eq!(kind(&v), Some(ViolationKind::DoubleAllocation));
}

#[test]
fn truncated_bits_are_undersized_under_every_engine() {
    // The request-size check against its own rounding: bits sized by truncation fail it on the
    // first allocation; the same sizes with Go's rounding hold.
    let config = default_for(Variant::TruncatedBits);
    for engine in [loom(None), pct(100, 3), dfs(), Engine::Std { iterations: 1 }] {
        let v = run(&config, engine.clone());
        assert_eq!(kind(&v), Some(ViolationKind::UndersizedBits), "{engine}: {:?}", v.outcome);
    }
    assert_eq!(
        run(&config, loom(None)).violation().unwrap().detail,
        "T0 [a0+0,+8) holds 64 bits for a span of 65 objects, which needs 16 bytes (128 bits)"
    );
    // Truncation is only wrong off a multiple of 64: with whole words the variant holds too.
    let whole = Config { nelems: vec![64, 128], ..Config::new(Variant::TruncatedBits, 2, 2, 3) };
    assert_eq!(run(&whole, loom(None)).outcome, Outcome::Holds);
    for variant in CORRECT {
        let v = run(&Config { variant, ..config.clone() }, loom(None));
        assert_eq!(v.outcome, Outcome::Holds, "{variant}");
    }
}

#[test]
fn a_failing_sysalloc_throws_cannot_allocate_memory() {
    for variant in CORRECT {
        let config = Config { sysalloc_fails_after: Some(1), ..Config::new(variant, 1, 2, 1) };
        let v = run(&config, loom(None));
        assert_eq!(kind(&v), Some(ViolationKind::Throw), "{variant}");
        assert_eq!(v.violation().unwrap().detail, "runtime: cannot allocate memory");
    }
}

#[test]
fn explicit_programs_with_mixed_sizes_hold() {
    let programs = vec![vec![Op::Alloc(130), Op::Alloc(1)], vec![Op::Alloc(64), Op::Alloc(65)]];
    for variant in CORRECT {
        let config = Config { programs: Some(programs.clone()), allocs: 0, ..Config::new(variant, 2, 0, 3) };
        let v = run(&config, loom(Some(3)));
        assert_eq!(v.outcome, Outcome::Holds, "{variant}");
    }
}
