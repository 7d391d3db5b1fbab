//! Which catalogue a command uses when none is given.
//!
//! A binary built in one checkout and run in another (or installed with `cargo install --path .`)
//! must not silently check the first checkout's catalogue: the command line looks for
//! `models/catalogue.toml` from the current directory upward, and only when there is none falls
//! back to the checkout the binary was built from, saying so.

use crate::error::GcmcError;
use crate::paths;
use std::path::{Path, PathBuf};

/// Where the catalogue lives inside a checkout.
pub const CATALOGUE_IN_CHECKOUT: &str = "models/catalogue.toml";

/// The catalogue of the checkout this binary was built from. Tests use it; the command line
/// prefers the one [`locate`] finds from the current directory.
pub const DEFAULT_CATALOGUE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/catalogue.toml");

/// A catalogue path and how it was chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub path: PathBuf,
    pub how: How,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum How {
    /// `--catalogue PATH`.
    Given,
    /// `models/catalogue.toml` in the current directory or one above it.
    Found,
    /// None from the current directory up: the checkout the binary was built from.
    BuiltFrom,
}

impl Located {
    /// One line for the report: which catalogue, and why that one when it was not given.
    pub fn describe(&self) -> String {
        let shown = paths::shown(&self.path);
        match self.how {
            How::Given | How::Found => format!("catalogue: {shown}"),
            How::BuiltFrom => format!(
                "catalogue: {shown} (no {CATALOGUE_IN_CHECKOUT} in the current directory or above it: the checkout gcmc was built from)"
            ),
        }
    }
}

/// The catalogue to use: `given`, else the nearest `models/catalogue.toml` from `cwd` upward,
/// else the built-from checkout's if it still exists.
pub fn locate(given: Option<PathBuf>, cwd: &Path) -> Result<Located, GcmcError> {
    if let Some(path) = given {
        return Ok(Located { path, how: How::Given });
    }
    if let Some(path) = cwd.ancestors().map(|dir| dir.join(CATALOGUE_IN_CHECKOUT)).find(|p| p.is_file()) {
        return Ok(Located { path, how: How::Found });
    }
    let built = PathBuf::from(DEFAULT_CATALOGUE);
    if built.is_file() {
        return Ok(Located { path: built, how: How::BuiltFrom });
    }
    Err(GcmcError::catalogue(
        CATALOGUE_IN_CHECKOUT,
        format!("none in {} or above it, nor in the checkout gcmc was built from; give one with --catalogue PATH", cwd.display()),
    ))
}

/// The checkout a catalogue belongs to: the directory above its `models/`, when it is laid out
/// as a checkout.
pub fn checkout_of(catalogue: &Path) -> Option<&Path> {
    let models = catalogue.parent()?;
    (models.file_name()? == "models").then(|| models.parent()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_catalogue_upward_wins_and_a_given_one_over_all() {
        let root = std::env::temp_dir().join(format!("gcmc-locate-{}", std::process::id()));
        let deep = root.join("a/b");
        std::fs::create_dir_all(root.join("models")).unwrap();
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(root.join(CATALOGUE_IN_CHECKOUT), "").unwrap();
        let found = locate(None, &deep).unwrap();
        assert_eq!((found.path.clone(), found.how), (root.join(CATALOGUE_IN_CHECKOUT), How::Found));
        assert_eq!(checkout_of(&found.path), Some(root.as_path()));
        let given = locate(Some(PathBuf::from("x.toml")), &deep).unwrap();
        assert_eq!((given.path, given.how), (PathBuf::from("x.toml"), How::Given));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn with_none_upward_the_built_from_checkout_is_used_and_said() {
        let located = locate(None, Path::new("/")).unwrap();
        assert_eq!(located.how, How::BuiltFrom);
        assert!(located.describe().contains("the checkout gcmc was built from"), "{}", located.describe());
    }
}
