//! R5: packing a node address into the head word with too few address bits, or without sign
//! extension, must trip Go's "invalid packing" check (`throw("lfstack.push")`), never truncate an
//! address silently. A property over address classes, through the model's own push, no threads.

use gcmc::engine::{self, Budget, Engine, Outcome};
use gcmc_models::check::{Model, ViolationKind};
use gcmc_models::lfstack::{Config, Op, Packing, Variant};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, RngSeed};
use std::sync::Arc;

/// Where memory can live: the classes the Go ports met (amd64 below and above the VA hole, 5-level
/// paging, AIX's 0x0a00... segment, a 32-bit-ish low range).
fn address_class() -> impl Strategy<Value = u64> {
    prop_oneof![
        (0x1000u64..1 << 47).prop_map(|a| a & !63),                      // amd64 user half
        (0u64..1 << 47).prop_map(|a| (0xffff_8000_0000_0000 | a) & !63), // amd64 above the VA hole
        (1u64 << 47..1 << 56).prop_map(|a| a & !63),                     // 5-level paging (57-bit)
        (0u64..1 << 40).prop_map(|a| (0x0a00_0000_0000_0000 | a) & !63), // AIX segment
    ]
}

fn layout() -> impl Strategy<Value = Packing> {
    (40u32..=64, 1u32..=19, any::<bool>()).prop_filter_map("fits in a word", |(addr_bits, counter_bits, sign_extend)| {
        let p = Packing { addr_bits, align_bits: 3, counter_bits, sign_extend };
        p.validate().ok().map(|()| p)
    })
}

/// One thread pushes each node twice (pop, push back), so every counter value it meets is tried.
fn single_thread(packing: Packing, base: u64) -> Config {
    Config {
        threads: 1,
        nodes: 2,
        stacks: 1,
        counter_bits: packing.counter_bits,
        addr_bits: packing.addr_bits,
        sign_extend: packing.sign_extend,
        base,
        programs: Some(vec![vec![Op::Pop(0), Op::Push(0), Op::Pop(0), Op::Push(0)]]),
        ..Config::stress(Variant::Go, 1, 2, 0, packing.counter_bits)
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        rng_seed: RngSeed::Fixed(0x25893),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// The model's push either keeps the address exactly or throws Go's message; which one is
    /// decided by the layout alone, so a layout that drops bits can never go unnoticed.
    #[test]
    fn push_round_trips_or_throws(packing in layout(), base in address_class()) {
        let config = single_thread(packing, base);
        let Ok(scenario) = config.build() else { return Ok(()) }; // nodes past the address space
        let v = engine::run(Arc::new(scenario), &Engine::Std { iterations: 1 }, &Budget::default()).unwrap();
        let keeps = (0..2u64).all(|i| (1..=8).all(|c| packing.round_trips(base + 64 * i, c)));
        if keeps {
            prop_assert_eq!(v.outcome, Outcome::Holds);
        } else {
            let violation = v.violation().cloned().expect("a dropped address bit must throw");
            prop_assert_eq!(violation.kind, ViolationKind::Throw);
            prop_assert_eq!(violation.detail, "lfstack.push");
        }
    }

    /// Go's own layout at the seeds keeps every canonical amd64 address, with every counter value.
    #[test]
    fn go_amd64_layout_keeps_canonical_addresses(
        addr in prop_oneof![(0u64..1 << 47), (0u64..1 << 47).prop_map(|a| 0xffff_8000_0000_0000 | a)],
        count in 0u64..1 << 19,
    ) {
        prop_assert!(Packing::GO_AMD64.round_trips(addr & !7, count));
    }
}

/// The historical failures, one per class, as fixed cases.
#[test]
fn each_historical_layout_bug_throws() {
    let cases = [
        // No sign extension on amd64 above the VA hole.
        (Packing { sign_extend: false, ..Packing::GO_AMD64 }, 0xffff_c000_0000_0000),
        // 48 address bits under 5-level paging (#49405-like): a 57-bit address.
        (Packing::GO_AMD64, 0x00ff_c000_0000_0000),
        // AIX's segment with amd64's widths (#25893-like).
        (Packing { sign_extend: false, ..Packing::GO_AMD64 }, 0x0a00_0001_0000_0000),
    ];
    for (packing, base) in cases {
        let v = engine::run(Arc::new(single_thread(packing, base).build().unwrap()), &Engine::Std { iterations: 1 }, &Budget::default())
            .unwrap();
        let violation = v.violation().unwrap_or_else(|| panic!("{packing} at {base:#x} held"));
        assert_eq!((violation.kind, violation.detail.as_str()), (ViolationKind::Throw, "lfstack.push"));
    }
}

/// The catalogue's layouts for `go` above the address hole (the `lfstack-go-*-loom-b2-3x3x2`
/// cases): with three threads under loom each holds, and the same addresses with the address field
/// cut to amd64's 48 bits, or without sign extension, throw Go's message under the same engine.
#[test]
fn go_above_the_hole_holds_under_loom_and_a_layout_that_drops_bits_throws() {
    let layouts = [
        (48, true, 0xffff_8000_0000_0000u64),
        (57, true, 0x00ff_c000_0000_0000),
        (57, true, 0xff80_0000_0000_0000),
        (60, false, 0x0a00_0001_0000_0000),
    ];
    let loom = Engine::Loom { preemption_bound: Some(2) };
    for (addr_bits, sign_extend, base) in layouts {
        let config = Config { addr_bits, sign_extend, base, ..Config::stress(Variant::Go, 3, 3, 2, 3) };
        let run = |c: &Config| engine::run(Arc::new(c.build().unwrap()), &loom, &Budget::default()).unwrap();
        assert_eq!(run(&config).outcome, Outcome::Holds, "{addr_bits} bits at {base:#x}");
        let broken = if addr_bits == 48 { Config { sign_extend: false, ..config } } else { Config { addr_bits: 48, ..config } };
        let violation = run(&broken).violation().cloned().unwrap_or_else(|| panic!("{broken:?} held"));
        assert_eq!((violation.kind, violation.detail.as_str()), (ViolationKind::Throw, "lfstack.push"), "{broken:?}");
    }
}
