//! The workbuf pool under every engine: Go's version holds, each catalogued breakage (R12, R13,
//! R14, the lost span) is caught by the engines that can see it, with its violation kind; bad
//! sizes are refused with Go's message. Explored-execution counts are printed (--nocapture).

use gcmc::engine::{self, Budget, Engine, Outcome, Verdict};
use gcmc_models::check::{Model, ViolationKind};
use gcmc_models::workbufs::{Config, Op, Variant};
use std::sync::Arc;

fn run(config: &Config, engine: Engine) -> Verdict {
    let v = engine::run(Arc::new(config.build().expect("valid config")), &engine, &Budget::default()).expect("admitted");
    println!(
        "workbufs {} {}w x {} ops, {} wbufs/span, {} heap spans, {} cycle(s){}{}, {engine}: {} after {} executions ({}) in {:.2}s",
        config.variant,
        config.workers,
        config.ops(),
        config.sizes().per_span(),
        config.heap_spans,
        config.cycles,
        if config.controller { " +controller" } else { "" },
        if config.sweeper { " +sweeper" } else { "" },
        v.outcome.label(),
        v.executions,
        if v.exhaustive { "exhaustive" } else { "not exhaustive" },
        v.seconds
    );
    if let Some(violation) = v.violation() {
        println!("  {violation}");
    }
    v
}

fn loom(bound: Option<usize>) -> Engine {
    Engine::Loom { preemption_bound: bound }
}

fn pct(iterations: usize, depth: usize) -> Engine {
    Engine::Pct { iterations, depth, seed: 0x9cc8_83a4 }
}

fn kind(v: &Verdict) -> Option<ViolationKind> {
    v.violation().map(|v| v.kind)
}

fn programs(config: Config, programs: Vec<Vec<Op>>) -> Config {
    Config { programs: Some(programs), ..config }
}

/// Measures one configuration given in PROBE (opt-in; used to size the suite).
#[test]
#[ignore]
fn probe() {
    let spec = std::env::var("PROBE").unwrap();
    // variant,workers,ops,per_span,objs,heap,cycles,controller,sweeper,bound
    let f: Vec<&str> = spec.split(',').collect();
    let n = |i: usize| f[i].parse::<usize>().unwrap();
    let mut c = Config::new(Variant::from_name(f[0]).unwrap(), n(1), n(2), n(3) as u64, n(4), n(5), n(6), n(7) == 1, n(8) == 1);
    if let Ok(p) = std::env::var("PROG") {
        let prog: Vec<Op> = p.chars().map(|ch| match ch { 'p' => Op::Put, 'g' => Op::Get, 'd' => Op::Dispose, _ => Op::Balance }).collect();
        c = programs(c.clone(), vec![prog; c.workers]);
    }
    let engine = if f[9] == "pct" { pct(n(10), n(11)) } else if f[9] == "u" { loom(None) } else { loom(Some(n(9))) };
    let v = engine::run(Arc::new(c.build().unwrap()), &engine, &Budget { max_seconds: Some(90.0), ..Budget::default() }).unwrap();
    println!("PROBE {spec} prog={:?}: {} after {} executions ({}) in {:.2}s", std::env::var("PROG").ok(), v.outcome.label(), v.executions, v.exhaustive, v.seconds);
    if let Some(x) = v.violation() { println!("  {x}"); for l in &v.trace { println!("   {l}"); } }
}
