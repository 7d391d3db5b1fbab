//! The contract every model offers the harness: a serializable configuration that names the
//! variant and the sizes, and builds the scenario.

use super::{ConfigError, Named, Scenario, VariantInfo, VariantSet};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A model's configuration: variant, sizes, and whatever else one scenario needs.
///
/// It is what a catalogue entry's `[config]` table and a replay file hold, so it must deserialize
/// with `#[serde(deny_unknown_fields)]` and serialize back to the same value.
pub trait Model: Clone + std::fmt::Debug + Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The model's name in the catalogue and on the command line: `lfstack`, `gcbits`, `workbufs`.
    const NAME: &'static str;

    /// The upper bounds `build` enforces on the sizes, besides [`limits::SHARED`](super::limits::SHARED).
    const LIMITS: &'static [super::limits::Limit];

    type Scenario: Scenario;

    /// The model's variants, declared once with [`declare_variants!`](crate::declare_variants).
    type Variant: VariantSet;

    /// Every variant's kebab-case name, correct versions first.
    fn variants() -> Vec<&'static str> {
        <Self::Variant as Named>::NAMES.to_vec()
    }

    /// The variants that must hold in every configuration (Go's versions, and any safe-but-wasteful
    /// one): the rows whose power `gcmc power` measures by running the others in their place.
    fn correct_variants() -> Vec<&'static str> {
        Self::variant_infos().into_iter().filter(|v| v.must_hold).map(|v| v.name).collect()
    }

    /// What the declaration says of each variant, in declaration order.
    fn variant_infos() -> Vec<VariantInfo> {
        <Self::Variant as VariantSet>::infos()
    }

    /// A sensible small configuration of `variant`.
    fn default_of(variant: Self::Variant) -> Self;

    /// [`Model::default_of`] by name; an unknown name is an error naming the known ones.
    fn default_for(variant: &str) -> Result<Self, ConfigError> {
        let parsed = <Self::Variant as Named>::from_name(variant);
        let known = || Self::variants().join(", ");
        parsed.map(Self::default_of).ok_or_else(|| ConfigError(format!("{} has no variant {variant:?}; known: {}", Self::NAME, known())))
    }

    /// This configuration's variant.
    fn variant(&self) -> Self::Variant;

    /// Model threads one execution spawns (the number `--threads` sets).
    fn threads(&self) -> usize;

    /// Operations per thread (the number `--ops` sets: iterations, allocations, ...).
    fn ops(&self) -> usize;

    /// The same configuration with other sizes, for `explore --threads --ops` and for shrinking
    /// a failure to the fewest threads and operations that still fail.
    fn resized(&self, threads: usize, ops: usize) -> Self;

    /// Builds the scenario, refusing an impossible configuration with a one-line reason.
    fn build(&self) -> Result<Self::Scenario, ConfigError>;
}

/// Per-thread operation programs, as the models' configurations carry them: either explicit
/// (`programs[t]` is what thread `t` does) or `uniform` operations on every thread. The shared
/// part of `Model::ops` and `Model::resized` for such configurations.
pub struct Programs;

impl Programs {
    /// Operations per thread: the longest explicit program's, else `uniform`.
    pub fn ops<T>(programs: &Option<Vec<Vec<T>>>, uniform: usize) -> usize {
        match programs {
            Some(programs) => programs.iter().map(Vec::len).max().unwrap_or(0),
            None => uniform,
        }
    }

    /// `threads` explicit programs (the last ones dropped, or empty ones added), each cut to
    /// `ops` operations; or, with none, `uniform` set to `ops`.
    pub fn resize<T: Clone>(programs: &mut Option<Vec<Vec<T>>>, uniform: &mut usize, threads: usize, ops: usize) {
        match programs {
            Some(programs) => {
                programs.truncate(threads);
                programs.resize(threads, Vec::new());
                programs.iter_mut().for_each(|p| p.truncate(ops));
            }
            None => *uniform = ops,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Programs;

    #[test]
    fn programs_resize_by_threads_and_ops() {
        let (mut p, mut uniform) = (Some(vec![vec![1, 2, 3], vec![4]]), 7);
        assert_eq!(Programs::ops(&p, uniform), 3);
        Programs::resize(&mut p, &mut uniform, 3, 2);
        assert_eq!(p, Some(vec![vec![1, 2], vec![4], vec![]]));
        Programs::resize(&mut p, &mut uniform, 1, 1);
        assert_eq!((p, uniform), (Some(vec![vec![1]]), 7));
        let mut none: Option<Vec<Vec<u8>>> = None;
        assert_eq!(Programs::ops(&none, uniform), 7);
        Programs::resize(&mut none, &mut uniform, 2, 3);
        assert_eq!((none, uniform), (None, 3));
    }
}
