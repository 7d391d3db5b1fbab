//! The engine families, named once: the catalogue's `engine = { name = ... }`, `--engine`, replay
//! files' reports and the README's "caught by" column all go through [`EngineKind`].

use super::Engine;

gcmc_models::declare_named! {
    /// An engine family, without its parameters.
    pub enum EngineKind as "engine" {
        Loom = "loom" => "loom 0.7.2's DPOR over the C11 memory model: exhaustive, or up to a preemption bound",
        Pct = "pct" => "shuttle's PCT scheduler: seeded, a probabilistic guarantee for bugs of the given depth",
        Random = "random" => "shuttle's uniformly random scheduler, seeded",
        Dfs = "dfs" => "shuttle's depth-first search of every interleaving: exhaustive when it finishes",
        Std = "std" => "real threads: the stress test a user would otherwise write",
        Stateful = "stateful" => "a search over shuttle's decisions that explores each state once: exhaustive when it finishes",
    }
}

impl EngineKind {
    /// The parameters the catalogue and the command line may give this engine.
    pub fn parameters(self) -> &'static [&'static str] {
        match self {
            EngineKind::Loom => &["bound"],
            EngineKind::Pct => &["iterations", "depth", "seed"],
            EngineKind::Random => &["iterations", "seed"],
            EngineKind::Dfs => &["max_iterations"],
            EngineKind::Std => &["iterations"],
            EngineKind::Stateful => &["exact_states", "local_states", "sleep_sets", "por"],
        }
    }

    /// The parameters a catalogue case must spell out: a pinned case must not depend on a default
    /// that may change.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            EngineKind::Pct => &["iterations", "depth", "seed"],
            EngineKind::Random => &["iterations", "seed"],
            EngineKind::Std => &["iterations"],
            EngineKind::Loom | EngineKind::Dfs | EngineKind::Stateful => &[],
        }
    }

    /// How prose writes it (the README's tables): `PCT`, `DFS`, the others as named.
    pub fn title(self) -> &'static str {
        match self {
            EngineKind::Pct => "PCT",
            EngineKind::Dfs => "DFS",
            other => other.name(),
        }
    }
}

impl Engine {
    /// The engine's family.
    pub fn kind(&self) -> EngineKind {
        match self {
            Engine::Loom { .. } => EngineKind::Loom,
            Engine::Pct { .. } => EngineKind::Pct,
            Engine::Random { .. } => EngineKind::Random,
            Engine::Dfs { .. } => EngineKind::Dfs,
            Engine::Std { .. } => EngineKind::Std,
            Engine::Stateful { .. } => EngineKind::Stateful,
        }
    }

    /// The family's name, as reports show it: `loom`, `pct`, `random`, `dfs`, `std`, `stateful`.
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }

    /// Refuses parameters no run can use. The one place they are checked: the catalogue and the
    /// command line (through `EngineSpec::resolve`) and replay files (through `Engine::admit`).
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Engine::Pct { depth: 0, .. } => Err("pct depth must be at least 1".into()),
            Engine::Pct { iterations: 0, .. } | Engine::Random { iterations: 0, .. } | Engine::Std { iterations: 0 } => {
                Err(format!("engine {} needs at least 1 iteration", self.name()))
            }
            Engine::Dfs { max_iterations: Some(0) } => Err("dfs max_iterations must be at least 1".into()),
            _ => Ok(()),
        }
    }
}

impl clap::ValueEnum for EngineKind {
    fn value_variants<'a>() -> &'a [Self] {
        EngineKind::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()).help(self.meaning()))
    }
}

#[cfg(test)]
mod tests {
    use super::EngineKind;

    #[test]
    fn every_required_parameter_is_a_parameter() {
        for &kind in EngineKind::ALL {
            assert!(kind.required().iter().all(|p| kind.parameters().contains(p)), "{kind}");
        }
    }
}
