//! Replay files: a failing execution, saved so that `gcmc replay FILE` runs it again.
//!
//! JSON, versioned: the crate version (which pins loom and shuttle exactly: their schedules do not
//! replay across versions), the model, variant, sizes and full configuration, the engine, the
//! engine's schedule (shuttle's encoded schedule string, or loom's checkpoint), the violation and the
//! trace. Loading refuses, in one line naming the mismatch, a file from another crate version, for a
//! model or variant this build does not have, whose fields disagree with each other, or that is not
//! a replay file at all, or whose schedule does not decode, names a thread the configuration
//! does not spawn, or does not fit its engine (engine::schedule_check); it is never replayed into
//! a different execution.

use crate::engine::{Engine, Schedule, Verdict};
use crate::error::GcmcError;
use crate::lengths::{Limit, MAX_DETAIL_CHARS, MAX_NAME_CHARS};
use crate::paths;
use crate::registry::{self, DynModel, ModelConfig};
use gcmc_models::check::Violation;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;

/// The layout of the file; bumped when fields change meaning.
pub const FORMAT: u32 = 1;
/// The crate version written into, and required of, every replay file.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplayFile {
    pub format: u32,
    pub gcmc_version: String,
    /// The catalogue case it came from, if any.
    pub case: Option<String>,
    pub model: String,
    pub variant: String,
    pub threads: usize,
    pub ops: usize,
    pub config: Value,
    pub engine: Engine,
    pub schedule: Schedule,
    pub violation: Violation,
    /// The failing execution's trace, one line per model step.
    pub trace: Vec<String>,
}

/// A replay file that passed every check, with its model and decoded configuration.
pub struct Loaded {
    pub file: ReplayFile,
    pub model: &'static dyn DynModel,
    pub config: ModelConfig,
}

impl ReplayFile {
    /// The file for a failing verdict; `None` if the verdict has no violation or no schedule.
    pub fn from_verdict(case: Option<&str>, config: &ModelConfig, engine: &Engine, verdict: &Verdict) -> Option<ReplayFile> {
        Some(ReplayFile {
            format: FORMAT,
            gcmc_version: VERSION.to_string(),
            case: case.map(str::to_string),
            model: config.model.to_string(),
            variant: config.variant.to_string(),
            threads: config.threads,
            ops: config.ops,
            config: config.value.clone(),
            engine: engine.clone(),
            schedule: verdict.schedule.clone()?,
            violation: verdict.violation()?.clone(),
            trace: verdict.trace.iter().map(ToString::to_string).collect(),
        })
    }

    /// Writes the file (pretty JSON, trailing newline), creating its directory.
    pub fn write(&self, path: &Path) -> Result<(), GcmcError> {
        let io = |e: std::io::Error| GcmcError::io(format!("cannot write {}", paths::shown(path)), e);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut text = serde_json::to_string_pretty(self).expect("a replay file serializes");
        text.push('\n');
        crate::files::write(path, text.as_bytes()).map_err(io)
    }

    /// Reads and checks a replay file.
    pub fn load(path: &Path) -> Result<Loaded, GcmcError> {
        let shown = paths::shown(path);
        let text = crate::files::read_bounded(path, crate::files::MAX_REPLAY_BYTES)
            .map_err(|problem| GcmcError::Replay { file: shown.to_string(), problem })?;
        Self::parse(&shown, &text)
    }

    /// Checks the text of a replay file; `shown` names it in errors.
    pub fn parse(shown: &str, text: &str) -> Result<Loaded, GcmcError> {
        let refuse = |why: String| GcmcError::Replay { file: shown.to_string(), problem: why };
        let raw: Value = serde_json::from_str(text).map_err(|e| refuse(format!("corrupt: not JSON ({e})")))?;
        // Version first: a file from another version is reported as such even if its fields changed.
        let version = raw.get("gcmc_version").and_then(Value::as_str);
        let format = raw.get("format").and_then(Value::as_u64);
        match (version, format) {
            (None, _) | (_, None) => return Err(refuse("corrupt: not a gcmc replay file (no gcmc_version or format)".into())),
            (Some(v), _) if v != VERSION => {
                return Err(refuse(format!("written by gcmc {}, this is gcmc {VERSION}", crate::lengths::shown(v))))
            }
            (_, Some(f)) if f != u64::from(FORMAT) => return Err(refuse(format!("format {f}, this gcmc reads format {FORMAT}"))),
            _ => {}
        }
        crate::lengths::check(&raw, &limit).map_err(|e| refuse(format!("corrupt: {e}")))?;
        let file: ReplayFile =
            serde_json::from_value(raw).map_err(|e| refuse(format!("corrupt: {}", crate::lengths::shorten_quoted(&e.to_string()))))?;
        let model = registry::model(&file.model).map_err(|e| refuse(e.to_string()))?;
        if !model.variants().contains(&file.variant.as_str()) {
            return Err(refuse(registry::unknown_variant(&file.model, &file.variant, &model.variants()).to_string()));
        }
        let config = model.decode(&file.config).map_err(|e| refuse(format!("corrupt config: {e}")))?;
        if config.variant != file.variant {
            return Err(refuse(format!("variant `{}` but its config is variant `{}`", file.variant, config.variant)));
        }
        if (config.threads, config.ops) != (file.threads, file.ops) {
            return Err(refuse(format!(
                "sizes {} threads x {} ops but its config has {} x {}",
                file.threads, file.ops, config.threads, config.ops
            )));
        }
        let family = match file.engine {
            Engine::Loom { .. } => "loom",
            Engine::Std { .. } => "std",
            _ => "shuttle",
        };
        if family != file.schedule.engine_family() {
            return Err(refuse(format!("a {} schedule for engine {}", file.schedule.engine_family(), file.engine.name())));
        }
        model.admit(&config, &file.engine).map_err(|e| refuse(e.to_string()))?;
        let spawned = model.spawned(&config).map_err(|e| refuse(e.to_string()))?;
        crate::engine::schedule_check::check(&file.schedule, &file.engine, spawned).map_err(refuse)?;
        Ok(Loaded { file, model, config })
    }
}

/// How long the strings at each place of a replay file may be ([`crate::lengths`]).
fn limit(path: &[&str]) -> Limit {
    match path {
        // shuttle's encoded string: bounded by the file, decoded by schedule_check, never quoted.
        ["schedule", "encoded"] => Limit::Unbounded,
        ["case"] => Limit::Chars(crate::catalogue::load::MAX_ID_CHARS),
        ["violation", "detail"] | ["trace"] => Limit::Chars(MAX_DETAIL_CHARS),
        _ => Limit::Chars(MAX_NAME_CHARS),
    }
}

/// What replaying a file showed.
pub struct Replayed {
    pub verdict: Verdict,
    /// Empty when the replay gave the recorded violation and trace; otherwise what differs.
    pub divergence: Option<String>,
}

impl Loaded {
    /// Runs the recorded execution again and compares it with the record.
    pub fn replay(&self) -> Result<Replayed, GcmcError> {
        let verdict = self.model.replay(&self.config, &self.file.engine, &self.file.schedule)?;
        let trace: Vec<String> = verdict.trace.iter().map(ToString::to_string).collect();
        let divergence = match verdict.violation() {
            None => Some(format!("the replay gave {}, the file recorded violation:{}", verdict.outcome.label(), self.file.violation.kind)),
            Some(v) if v.kind != self.file.violation.kind => {
                Some(format!("the replay gave violation:{}, the file recorded violation:{}", v.kind, self.file.violation.kind))
            }
            Some(v) if *v != self.file.violation => {
                Some(format!("same kind, but the replay says \"{}\" where the file says \"{}\"", v.detail, self.file.violation.detail))
            }
            Some(_) if trace != self.file.trace => {
                let at = trace.iter().zip(&self.file.trace).position(|(a, b)| a != b).unwrap_or(trace.len().min(self.file.trace.len()));
                Some(format!("same violation, but the trace differs from step {} on", at + 1))
            }
            Some(_) => None,
        };
        Ok(Replayed { verdict, divergence })
    }
}
