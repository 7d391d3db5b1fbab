//! What the benchmarks measure: a model's variant with a configuration over its defaults, at the
//! sizes each section asks for.

use crate::error::GcmcError;
use crate::registry::{self, ModelConfig};
use serde_json::{Map, Value};

/// A model's variant with a configuration over its defaults (a JSON table).
#[derive(Clone, Copy)]
pub(crate) struct Subject {
    pub model: &'static str,
    pub variant: &'static str,
    pub overrides: &'static str,
}

impl Subject {
    /// The configuration at threads x ops.
    pub(crate) fn at(&self, [threads, ops]: [usize; 2]) -> Result<ModelConfig, GcmcError> {
        let m = registry::model(self.model)?;
        let fields: Map<String, Value> = serde_json::from_str(self.overrides).map_err(|e| GcmcError::config(m.name(), e.to_string()))?;
        m.resized(&m.configure(self.variant, &fields)?, threads, ops)
    }
}

/// gcbits without an epoch rotation: each rotation spawns the threads again, and loom counts
/// those against its limit of 4.
pub(crate) const GCBITS_BASE: &str = r#"{"arena_words": 2, "rotations": []}"#;

/// workbufs without the controller and sweeper (each is a thread of every execution, past
/// what loom finishes at 3 workers), with heap enough for 4 workers x 3 ops.
pub(crate) const WORKBUFS_BASE: &str = r#"{"workbuf_size": 4096, "heap_spans": 16, "controller": false, "sweeper": false}"#;
