//! Bad input, as one line: the command line prints `error: <message>` and exits 2.
//!
//! A mismatched expectation is not an error (it is a finding, exit 1); this is for input the
//! harness refuses: a malformed catalogue, an unknown model or variant, impossible sizes, a stale or
//! corrupt replay file, an unusable option.

use gcmc_models::check::ConfigError;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GcmcError {
    /// The catalogue file cannot be read, or one of its entries is malformed.
    Catalogue(String),
    /// A model or an engine refused a configuration (impossible sizes, unknown variant, ...).
    Config(String),
    /// A replay file is refused: another crate version, model or variant, or corrupt.
    Replay(String),
    /// A command-line option or argument that makes no sense.
    Usage(String),
    /// A file could not be written.
    Io(String),
}

impl GcmcError {
    /// The process exit code for bad input.
    pub const EXIT_CODE: i32 = 2;

    pub fn message(&self) -> &str {
        match self {
            GcmcError::Catalogue(m) | GcmcError::Config(m) | GcmcError::Replay(m) | GcmcError::Usage(m) | GcmcError::Io(m) => m,
        }
    }
}

impl fmt::Display for GcmcError {
    /// Always one line: embedded line breaks (from a parser, say) become `; `.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&one_line(self.message()))
    }
}

impl std::error::Error for GcmcError {}

impl From<ConfigError> for GcmcError {
    fn from(e: ConfigError) -> Self {
        GcmcError::Config(e.0)
    }
}

/// Joins the non-empty lines of `text` with `; `.
pub fn one_line(text: &str) -> String {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("; ")
}
