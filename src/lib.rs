//! gcmc: the harness. Engines run the models' scenarios and turn what happened into verdicts,
//! traces and replayable schedules.

pub mod engine;
