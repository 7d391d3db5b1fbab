//! The lfstack scenario's configuration: variant, sizes, head-word layout, thread programs.

use super::{Packing, Variant};
use crate::check::limits::{self, Limit};
use crate::check::ConfigError;
use serde::{Deserialize, Serialize};

/// One operation of a thread's program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    /// Pop from stack `s`; a node that comes back goes into the thread's hands.
    Pop(usize),
    /// Push the node most recently taken into the thread's hands onto stack `s` (nothing if the
    /// hands are empty).
    Push(usize),
    /// Ask whether stack `s` is empty.
    Empty(usize),
}

/// Stacks the scenario can name in traces.
pub(crate) const STACK_NAMES: [&str; 4] = ["stack 0", "stack 1", "stack 2", "stack 3"];

/// Where node 0 lives by default: Go's amd64 heap hint (0xc000000000).
pub const DEFAULT_BASE: u64 = 0x00c0_0000_0000;

/// Modelled size of a node: addresses of consecutive nodes differ by this much.
pub const NODE_STRIDE: u64 = 64;

/// Go's TestLFStackStress, shrunk: `nodes` nodes spread over `stacks` stacks, `threads` threads
/// each running `iterations` of "pop from one stack, push onto another" (or explicit `programs`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub variant: Variant,
    pub threads: usize,
    pub nodes: usize,
    #[serde(default = "default_stacks")]
    pub stacks: usize,
    /// Iterations per thread of the stress program (ignored when `programs` is given).
    #[serde(default)]
    pub iterations: usize,
    /// Width of the ABA counter. 0 only with `no-counter`; 1 or 2 with `go` is R2.
    pub counter_bits: u32,
    #[serde(default = "default_addr_bits")]
    pub addr_bits: u32,
    #[serde(default = "default_sign_extend")]
    pub sign_extend: bool,
    /// Modelled address of node 0 (node i is at base + 64 i). An integer, or a string (`"0x..."`
    /// hex or decimal) for addresses above `i64::MAX`, which TOML integers cannot hold: the upper
    /// half of the address space, where amd64's sign extension matters.
    #[serde(default = "default_base", with = "address")]
    pub base: u64,
    /// Explicit per-thread programs, one per thread, instead of the stress program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programs: Option<Vec<Vec<Op>>>,
    /// Also check that the results allow some sequential order of the same operations.
    #[serde(default)]
    pub linearizability: bool,
}

fn default_stacks() -> usize {
    2
}
fn default_addr_bits() -> u32 {
    48
}
fn default_sign_extend() -> bool {
    true
}
fn default_base() -> u64 {
    DEFAULT_BASE
}

/// A 64-bit address in TOML and JSON: an integer up to `i64::MAX`, else a hex string. Written as
/// an integer when it fits, so configurations below the hole read (and replay files hold) as
/// before; above it always as `"0x..."`, which TOML, `--set` and JSON all carry unchanged.
mod address {
    use serde::{de, Deserializer, Serializer};
    use std::fmt;

    pub fn serialize<S: Serializer>(addr: &u64, s: S) -> Result<S::Ok, S::Error> {
        match i64::try_from(*addr) {
            Ok(_) => s.serialize_u64(*addr),
            Err(_) => s.serialize_str(&format!("{addr:#x}")),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        d.deserialize_any(Address)
    }

    /// `"0x..."` (hex) or decimal digits.
    fn parse(text: &str) -> Option<u64> {
        let t = text.trim().replace('_', "");
        match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
            Some(hex) => u64::from_str_radix(hex, 16).ok(),
            None => t.parse().ok(),
        }
    }

    struct Address;

    impl de::Visitor<'_> for Address {
        type Value = u64;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an address: a non-negative integer, or a string such as \"0xffff800000000000\"")
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| {
                E::custom(format!("address {v} is negative; write an address above i64::MAX as a hex string, \"{:#x}\"", v as u64))
            })
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            parse(v).ok_or_else(|| E::custom(format!("address {v:?} is not a 64-bit hex (\"0x...\") or decimal number")))
        }
    }
}

impl Config {
    /// The stress shape with Go's layout at a narrow counter.
    pub fn stress(variant: Variant, threads: usize, nodes: usize, iterations: usize, counter_bits: u32) -> Config {
        Config {
            variant,
            threads,
            nodes,
            stacks: default_stacks(),
            iterations,
            counter_bits,
            addr_bits: default_addr_bits(),
            sign_extend: default_sign_extend(),
            base: DEFAULT_BASE,
            programs: None,
            linearizability: false,
        }
    }

    pub fn packing(&self) -> Packing {
        Packing { addr_bits: self.addr_bits, align_bits: 3, counter_bits: self.counter_bits, sign_extend: self.sign_extend }
    }

    /// Each thread's program: the explicit one, or the stress program (thread t, iteration k:
    /// pop from stack (t+k) mod S, push onto stack (t+k+1) mod S).
    pub fn programs(&self) -> Vec<Vec<Op>> {
        match &self.programs {
            Some(programs) => programs.clone(),
            None => (0..self.threads)
                .map(|t| (0..self.iterations).flat_map(|k| [Op::Pop((t + k) % self.stacks), Op::Push((t + k + 1) % self.stacks)]).collect())
                .collect(),
        }
    }

    /// Refuses impossible configurations with a one-line reason.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let fail = |msg: String| Err(ConfigError(format!("lfstack: {msg}")));
        if self.variant.uses_counter() && self.counter_bits == 0 {
            return fail(format!("counter bits 0 with the {} variant is a plain Treiber stack; use variant no-counter (R1)", self.variant));
        }
        self.packing().validate().map_err(|e| ConfigError(format!("lfstack: {e}")))?;
        if self.threads == 0 || self.nodes == 0 {
            return fail(format!("need at least one thread and one node, got {} and {}", self.threads, self.nodes));
        }
        self.within_limits()?;
        if self.stacks == 0 || self.stacks > STACK_NAMES.len() {
            return fail(format!("stacks must be in 1..={}, got {}", STACK_NAMES.len(), self.stacks));
        }
        if self.base % NODE_STRIDE != 0 {
            return fail(format!("base address {:#x} is not {NODE_STRIDE}-byte aligned", self.base));
        }
        if self.base.checked_add(self.nodes as u64 * NODE_STRIDE).is_none() {
            return fail(format!("{} nodes from {:#x} run past the end of the address space", self.nodes, self.base));
        }
        if let Some(programs) = &self.programs {
            if programs.len() != self.threads {
                return fail(format!("{} programs for {} threads", programs.len(), self.threads));
            }
            if let Some(op) = programs.iter().flatten().find(|op| op.stack() >= self.stacks) {
                return fail(format!("{op:?} names a stack beyond the {} configured", self.stacks));
            }
        } else if self.iterations == 0 {
            return fail("need at least one iteration (or explicit programs)".into());
        }
        Ok(())
    }
}

impl Config {
    /// Bounds on the sizes (see [`limits`]), checked before anything is built from them.
    pub const LIMITS: &'static [Limit] = &[
        Limit { field: "threads", max: limits::THREADS, why: limits::WHY_THREADS },
        Limit { field: "iterations", max: limits::OPS, why: limits::WHY_OPS },
        Limit { field: "nodes", max: limits::OBJECTS, why: limits::WHY_OBJECTS },
    ];

    fn within_limits(&self) -> Result<(), ConfigError> {
        let at_most = |field: &str, value: usize| limits::at_most("lfstack", Self::LIMITS, field, value as u64);
        at_most("threads", self.threads)?;
        at_most("nodes", self.nodes)?;
        limits::work("lfstack", Self::LIMITS, self.programs.as_deref(), self.threads, ("iterations", self.iterations), 1)
    }
}

impl Op {
    pub fn stack(self) -> usize {
        match self {
            Op::Pop(s) | Op::Push(s) | Op::Empty(s) => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_above_i64_max_is_a_hex_string_both_ways() {
        let high = Config { base: 0xffff_8000_0000_0000, ..Config::stress(Variant::Go, 1, 1, 1, 3) };
        let json = serde_json::to_value(&high).unwrap();
        assert_eq!(json["base"], "0xffff800000000000");
        assert_eq!(serde_json::from_value::<Config>(json).unwrap(), high);
        // Below the hole it stays an integer, as replay files have always held it.
        let low = Config::stress(Variant::Go, 1, 1, 1, 3);
        assert_eq!(serde_json::to_value(&low).unwrap()["base"], DEFAULT_BASE);
        for (text, want) in [("\"0xFFFF800000000000\"", 0xffff_8000_0000_0000), ("\"824633720832\"", DEFAULT_BASE), ("4096", 4096)] {
            let json = format!(r#"{{"variant":"go","threads":1,"nodes":1,"iterations":1,"counter_bits":3,"base":{text}}}"#);
            assert_eq!(serde_json::from_str::<Config>(&json).unwrap().base, want, "{text}");
        }
        for (text, why) in [("\"0xzz\"", "is not a 64-bit hex"), ("-64", "is negative"), ("\"0x1ffffffffffffffff\"", "is not a 64-bit hex")]
        {
            let json = format!(r#"{{"variant":"go","threads":1,"nodes":1,"iterations":1,"counter_bits":3,"base":{text}}}"#);
            let err = serde_json::from_str::<Config>(&json).unwrap_err().to_string();
            assert!(err.contains(why), "{text}: {err}");
        }
    }
}
