//! gcmc: the harness. Engines run the models' scenarios and turn what happened into verdicts,
//! traces and replayable schedules; the catalogue, the command line, replay files and shrinking
//! make that a product.

pub mod catalogue;
pub mod check;
pub mod cli;
pub mod engine;
pub mod engine_spec;
pub mod error;
pub mod explain;
pub mod generated;
pub mod jobs;
pub mod paths;
pub mod pin;
pub mod power;
pub mod registry;
pub mod replay_file;
pub mod shard;
pub mod shrink;
pub mod watchdog;
