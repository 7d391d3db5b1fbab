//! Bad input, as one line: the command line prints `error: <message>` and exits 2.
//!
//! A mismatched expectation is not an error (it is a finding, exit 1); this is for input the
//! harness refuses: a malformed catalogue, an unknown model or variant, impossible sizes, a stale or
//! corrupt replay file, an unusable option. Each variant carries what it concerns (the file, the
//! case, the model) beside the problem, so callers can tell them apart; the message a user sees is
//! the same one line either way.
//!
//! The leaf checks (an engine spec, a schedule, a `--shard` or `--jobs` value, one catalogue field)
//! return their problem as text and know nothing of where it came from; the caller, which knows the
//! file and the case, wraps it into the variant that names them. A pinned replay that no longer
//! stands for its case is a finding of `check`, typed as `check::PinnedProblem`.

use gcmc_models::check::ConfigError;

#[derive(Debug, thiserror::Error)]
pub enum GcmcError {
    /// The catalogue file cannot be read or found, or one of its entries is malformed.
    #[error("{file}: {}{problem}", case.as_ref().map(|c| format!("case {c}: ")).unwrap_or_default())]
    Catalogue { file: String, case: Option<String>, problem: String },
    /// A model or an engine refused a configuration (impossible sizes, unknown variant, ...).
    #[error("{}{problem}", model.map(|m| format!("{m}: ")).unwrap_or_default())]
    Config { model: Option<&'static str>, problem: String },
    /// A replay file is refused: unreadable, another crate version, model or variant, or corrupt.
    #[error("replay file {file} refused: {problem}")]
    Replay { file: String, problem: String },
    /// A command-line option or argument that makes no sense.
    #[error("{0}")]
    Usage(String),
    /// A file or stream could not be read or written.
    #[error("{doing}: {source}")]
    Io { doing: String, source: std::io::Error },
}

impl GcmcError {
    /// The process exit code for bad input.
    pub const EXIT_CODE: i32 = 2;

    /// A problem with the catalogue `file` as a whole.
    pub fn catalogue(file: impl Into<String>, problem: impl Into<String>) -> GcmcError {
        GcmcError::Catalogue { file: file.into(), case: None, problem: one_line(&problem.into()) }
    }

    /// A configuration of `model` refused.
    pub fn config(model: &'static str, problem: impl Into<String>) -> GcmcError {
        GcmcError::Config { model: Some(model), problem: problem.into() }
    }

    /// `doing` failed with `source`.
    pub fn io(doing: impl Into<String>, source: std::io::Error) -> GcmcError {
        GcmcError::Io { doing: doing.into(), source }
    }
}

impl From<ConfigError> for GcmcError {
    fn from(e: ConfigError) -> Self {
        GcmcError::Config { model: None, problem: e.0 }
    }
}

/// Joins the non-empty lines of `text` with `; `.
pub fn one_line(text: &str) -> String {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests {
    use super::GcmcError;

    #[test]
    fn each_error_names_what_it_concerns_in_one_line() {
        let case = GcmcError::Catalogue { file: "c.toml".into(), case: Some("R1-loom".into()), problem: "duplicate id".into() };
        assert_eq!(case.to_string(), "c.toml: case R1-loom: duplicate id");
        assert_eq!(GcmcError::catalogue("c.toml", "line 1:\nbad").to_string(), "c.toml: line 1:; bad");
        assert_eq!(GcmcError::config("gcbits", "need a thread").to_string(), "gcbits: need a thread");
        let replay = GcmcError::Replay { file: "r.json".into(), problem: "another model".into() };
        assert_eq!(replay.to_string(), "replay file r.json refused: another model");
        let io = GcmcError::io("cannot write x", std::io::Error::other("disk full"));
        assert_eq!(io.to_string(), "cannot write x: disk full");
    }
}
