//! gcmc-models: Go runtime GC allocation mechanisms, ported once against a swappable
//! [`platform::Platform`], with their scenarios, audits and deliberately broken variants.
//!
//! The models know nothing of the harness: they report through [`check`]. The repository's
//! `docs/architecture.md` describes how the two crates fit together.

pub mod check;
pub mod gcbits;
pub mod lfstack;
pub mod platform;
pub mod spanset;
pub mod workbufs;
