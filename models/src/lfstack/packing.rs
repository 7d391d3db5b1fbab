//! The tagged head word: a node address and an ABA counter packed into one 64-bit word.
//!
//! Ports `lfstackPack` / `lfstackUnpack` (src/runtime/lfstack_64bit.go at the seeds; renamed
//! `taggedPointerPack` in d959dd97). At the seeds, amd64 keeps 48 address bits, drops the 3 alignment
//! bits, and gives the counter the remaining 64 - 48 + 3 = 19 bits; unpacking sign-extends, because
//! amd64 may place memory above the VA hole.
//!
//! Differences from Go: the widths are parameters ([`Packing`]), so the checkers can run with a
//! 1- to 3-bit counter whose wrap-around is reachable in a few steps, and so that the too-narrow
//! layouts of the regression catalogue (R5) are one value away from the correct one. The fields need
//! not fill the word: bits above the address field are zero.

use crate::check::ConfigError;
use std::fmt;

/// A packed (address, counter) word. `0` is the empty stack. Only [`Packing`] builds or reads one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TaggedPointer(pub u64);

impl TaggedPointer {
    pub const NIL: TaggedPointer = TaggedPointer(0);

    pub fn is_nil(self) -> bool {
        self.0 == 0
    }
}

/// The layout of a [`TaggedPointer`].
///
/// Invariant (checked by [`Packing::validate`]): `align_bits < addr_bits <= 64`, and the address
/// field (`addr_bits - align_bits`) plus the counter (`counter_bits`) fit in 64 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Packing {
    /// Significant bits of a node address (48 on amd64 at the seeds, 57 with 5-level paging).
    pub addr_bits: u32,
    /// Low address bits known to be zero (nodes are 8-byte aligned: 3), not stored.
    pub align_bits: u32,
    /// Width of the ABA counter (19 at the seeds on amd64; 0 stores none).
    pub counter_bits: u32,
    /// Unpack sign-extends the address field (amd64), instead of zero-extending it.
    pub sign_extend: bool,
}

impl Packing {
    /// Go's amd64 layout at the seed commits: 48 address bits, 19 counter bits, sign extension.
    pub const GO_AMD64: Packing = Packing { addr_bits: 48, align_bits: 3, counter_bits: 19, sign_extend: true };

    /// The amd64 layout with a narrower counter, for the checkers.
    pub const fn amd64_with_counter(counter_bits: u32) -> Packing {
        Packing { addr_bits: 48, align_bits: 3, counter_bits, sign_extend: true }
    }

    /// Refuses impossible layouts with a one-line reason.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.addr_bits == 0 || self.addr_bits > 64 {
            return Err(ConfigError(format!("address bits must be in 1..=64, got {}", self.addr_bits)));
        }
        if self.align_bits >= self.addr_bits {
            return Err(ConfigError(format!("alignment bits ({}) must be fewer than address bits ({})", self.align_bits, self.addr_bits)));
        }
        if self.field_bits() + self.counter_bits > 64 {
            return Err(ConfigError(format!(
                "{} address bits (less {} alignment bits) and {} counter bits do not fit in a 64-bit word",
                self.addr_bits, self.align_bits, self.counter_bits
            )));
        }
        Ok(())
    }

    /// Bits of the word holding the (shifted) address.
    fn field_bits(&self) -> u32 {
        self.addr_bits - self.align_bits
    }

    fn counter_mask(&self) -> u64 {
        mask(self.counter_bits)
    }

    /// Packs `addr` with the low `counter_bits` of `count`. Address bits that do not fit are
    /// dropped, as Go's shift drops them: [`Packing::unpack`] then gives another address, which is
    /// what the caller's round-trip check ([`Packing::round_trips`]) is for.
    pub fn pack(&self, addr: u64, count: u64) -> TaggedPointer {
        let field = (addr >> self.align_bits) & mask(self.field_bits());
        TaggedPointer((field << self.counter_bits) | (count & self.counter_mask()))
    }

    /// The address a word names.
    pub fn unpack(&self, word: TaggedPointer) -> u64 {
        let field = (word.0 >> self.counter_bits) & mask(self.field_bits());
        let field = if self.sign_extend {
            let unused = 64 - self.field_bits();
            (((field << unused) as i64) >> unused) as u64
        } else {
            field
        };
        field << self.align_bits
    }

    /// The counter a word carries.
    pub fn counter(&self, word: TaggedPointer) -> u64 {
        word.0 & self.counter_mask()
    }

    /// Whether `addr` survives packing with every counter value: Go's "invalid packing" check
    /// asks this for the counter at hand, `lfnodeValidate` (b1d94c11) for the largest one.
    pub fn round_trips(&self, addr: u64, count: u64) -> bool {
        self.unpack(self.pack(addr, count)) == addr
    }
}

impl fmt::Display for Packing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} address bits, {} counter bits, {}",
            self.addr_bits,
            self.counter_bits,
            if self.sign_extend { "sign-extended" } else { "zero-extended" }
        )
    }
}

fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_64_bit_address_is_a_layout_and_65_is_not() {
        let full = Packing { addr_bits: 64, align_bits: 3, counter_bits: 3, sign_extend: false };
        full.validate().unwrap();
        assert!(Packing { addr_bits: 65, ..full }.validate().unwrap_err().0.contains("address bits must be in 1..=64"));
        assert_eq!(Packing::GO_AMD64.to_string(), "48 address bits, 19 counter bits, sign-extended");
        assert_eq!(full.to_string(), "64 address bits, 3 counter bits, zero-extended");
    }

    #[test]
    fn go_amd64_layout_fills_the_word_like_go() {
        let p = Packing::GO_AMD64;
        p.validate().unwrap();
        // Go: uint64(addr)<<(64-48) | cnt&(1<<19-1), and unpack int64(val)>>19<<3.
        let addr = 0x00c0_0000_1230u64;
        let cnt = 0x7_abcd;
        let go_packed = (addr << 16) | (cnt & ((1 << 19) - 1));
        assert_eq!(p.pack(addr, cnt).0, go_packed);
        assert_eq!(p.unpack(TaggedPointer(go_packed)), (((go_packed as i64) >> 19) << 3) as u64);
        assert_eq!(p.counter(p.pack(addr, cnt)), cnt);
        // Above the VA hole: sign extension brings the high address back.
        let high = 0xffff_8000_0000_1000u64;
        assert!(p.round_trips(high, cnt));
        assert!(!Packing { sign_extend: false, ..p }.round_trips(high, cnt));
    }

    #[test]
    fn narrow_counters_wrap() {
        let p = Packing::amd64_with_counter(2);
        p.validate().unwrap();
        let a = 0x00c0_0000_0040;
        assert_eq!(p.pack(a, 1), p.pack(a, 5));
        assert_ne!(p.pack(a, 1), p.pack(a, 2));
        assert!(p.round_trips(a, 3));
        let none = Packing::amd64_with_counter(0);
        assert_eq!(none.pack(a, 1), none.pack(a, 2));
    }

    #[test]
    fn impossible_layouts_are_refused() {
        let bad = [
            Packing { addr_bits: 65, ..Packing::GO_AMD64 },
            Packing { addr_bits: 0, ..Packing::GO_AMD64 },
            Packing { align_bits: 48, ..Packing::GO_AMD64 },
            Packing { counter_bits: 20, ..Packing::GO_AMD64 },
        ];
        for p in bad {
            assert!(p.validate().is_err(), "{p:?}");
        }
    }
}
