//! Paths as the user should type them: relative to the current directory when under it.

use std::path::Path;

/// `path` relative to the current directory if it lies under it, else as given.
pub fn shown(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let relative = cwd.as_deref().and_then(|cwd| path.strip_prefix(cwd).ok());
    relative.unwrap_or(path).display().to_string()
}

/// The exact command that replays `file` from this checkout.
pub fn replay_command(file: &Path) -> String {
    format!("cargo run --release -- replay {}", shown(file))
}

/// The exact command that regenerates the pinned replay of case `id`.
pub fn pin_command(id: &str) -> String {
    format!("cargo run --release -- pin {id}")
}
