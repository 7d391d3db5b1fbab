//! A broken case's pinned replay file: it must be for exactly its case and still reproduce it.

use crate::catalogue::{Case, Expect};
use crate::error::GcmcError;
use crate::paths;
use crate::replay_file::ReplayFile;
use gcmc_models::check::ViolationKind;
use std::path::Path;

/// Why a case's pinned replay no longer stands for it: a finding of `check` (the row does not
/// match), not bad input.
#[derive(Debug, thiserror::Error)]
pub enum PinnedProblem {
    #[error("pinned replay {file} is missing")]
    Missing { file: String },
    #[error("{0}")]
    Refused(GcmcError),
    #[error("pinned replay {file} is stale: its {what} differs from the case's")]
    Stale { file: String, what: &'static str },
    #[error("pinned replay {file} records violation:{recorded}, the case expects violation:{expected}")]
    OtherViolation { file: String, recorded: ViolationKind, expected: ViolationKind },
    #[error("pinned replay {file} no longer reproduces: {why}")]
    Diverged { file: String, why: String },
}

/// The pinned replay of `case` must be for exactly this case and reproduce its violation and trace.
pub fn verify_pinned(case: &Case, pinned: &Path) -> Result<(), PinnedProblem> {
    let file = paths::shown(pinned);
    if !pinned.exists() {
        return Err(PinnedProblem::Missing { file });
    }
    let loaded = ReplayFile::load(pinned).map_err(PinnedProblem::Refused)?;
    let differs = [
        ("model", loaded.config.model != case.config.model),
        ("variant", loaded.config.variant != case.config.variant),
        ("configuration", loaded.config.value != case.config.value),
        ("engine", loaded.file.engine != case.engine),
    ];
    if let Some(&(what, _)) = differs.iter().find(|(_, differs)| *differs) {
        return Err(PinnedProblem::Stale { file, what });
    }
    if let Expect::Violation(expected) = case.expect {
        let recorded = loaded.file.violation.kind;
        if recorded != expected {
            return Err(PinnedProblem::OtherViolation { file, recorded, expected });
        }
    }
    let replayed = loaded.replay().map_err(PinnedProblem::Refused)?;
    match replayed.divergence {
        Some(why) => Err(PinnedProblem::Diverged { file, why }),
        None => Ok(()),
    }
}
