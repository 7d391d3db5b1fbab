//! gcmc: the harness. Engines run the models' scenarios and turn what happened into verdicts,
//! traces and replayable schedules; the catalogue, the command line, replay files and shrinking
//! make that a product.
//!
//! `docs/architecture.md` in the repository describes the layers, the platform, the
//! scheduling-point rule and how a catalogue case flows from the catalogue to an engine to a
//! verdict.

pub mod bench;
pub mod catalogue;
pub mod check;
pub mod cli;
pub mod engine;
pub mod engine_spec;
pub mod error;
pub mod explain;
pub mod files;
pub mod generated;
pub mod jobs;
pub mod lengths;
pub mod orderings;
pub mod paths;
pub mod pin;
pub mod power;
pub mod registry;
pub mod replay_file;
pub mod shard;
pub mod shrink;
pub mod text;
pub mod view;
pub mod watchdog;
