//! The models the harness knows, one line each in [`MODELS`].
//!
//! Everything model-specific the harness does goes through [`DynModel`], implemented once for every
//! [`Model`] by [`Registered`]. Configurations travel as JSON values (what a catalogue `[config]`
//! table and a replay file hold) and are decoded into the model's own `Config` at each use, so the
//! catalogue, the command line, shrinking and replay files work for a new model with no other change.

use crate::engine::stateful::{self, Exploration, StatefulOptions};
use crate::engine::{self, Budget, Engine, Schedule, Spread, Verdict};
use crate::error::GcmcError;
use gcmc_models::check::{Model, Named, VariantInfo};
use serde_json::{Map, Value};
use std::marker::PhantomData;
use std::sync::Arc;

/// Every registered model. To register one: add `&Registered::<its Config>::NEW,` here.
pub static MODELS: &[&dyn DynModel] = &[
    &Registered::<gcmc_models::lfstack::Config>::NEW,
    &Registered::<gcmc_models::gcbits::Config>::NEW,
    &Registered::<gcmc_models::workbufs::Config>::NEW,
    &Registered::<gcmc_models::spanset::Config>::NEW,
];

/// A model's configuration after validation: canonical JSON plus what reports show.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelConfig {
    pub model: &'static str,
    pub variant: &'static str,
    pub threads: usize,
    pub ops: usize,
    /// The model's `Config`, serialized: every field, defaults filled in.
    pub value: Value,
}

impl ModelConfig {
    /// `lfstack no-counter 3x1` style: model, variant, threads x ops.
    pub fn describe(&self) -> String {
        format!("{} {} ({} threads x {} ops)", self.model, self.variant, self.threads, self.ops)
    }
}

/// What the harness needs from a model, with the model's types erased.
pub trait DynModel: Sync {
    fn name(&self) -> &'static str;
    /// Variant names, correct versions first.
    fn variants(&self) -> Vec<&'static str>;
    /// The variants that must hold in every configuration.
    fn correct_variants(&self) -> Vec<&'static str>;
    /// What the model's variant declaration says of each variant, in declaration order.
    fn variant_infos(&self) -> Vec<VariantInfo>;
    /// The upper bounds on its sizes (the model's own, then those every model shares).
    fn limits(&self) -> Vec<gcmc_models::check::limits::Limit>;
    /// `default_for(variant)` with `overrides` merged over it, decoded and built (so impossible
    /// sizes are refused here).
    fn configure(&self, variant: &str, overrides: &Map<String, Value>) -> Result<ModelConfig, GcmcError>;
    /// Decodes and builds a complete configuration (a replay file's, a shrinking candidate's).
    fn decode(&self, value: &Value) -> Result<ModelConfig, GcmcError>;
    /// The same configuration at other sizes (`Model::resized`), validated.
    fn resized(&self, config: &ModelConfig, threads: usize, ops: usize) -> Result<ModelConfig, GcmcError>;
    /// Threads one execution spawns besides the main one (a workbufs configuration's controller
    /// and sweeper included): what a replayed schedule may name.
    fn spawned(&self, config: &ModelConfig) -> Result<usize, GcmcError>;
    /// Refuses a configuration the engine cannot run (too many threads for loom, ...).
    fn admit(&self, config: &ModelConfig, engine: &Engine) -> Result<(), GcmcError>;
    /// Explores the configuration under the engine.
    fn run(&self, config: &ModelConfig, engine: &Engine, budget: &Budget) -> Result<Verdict, GcmcError> {
        self.run_spread(config, engine, budget, &Spread::default())
    }
    /// Explores one shard of the configuration under the engine, on worker threads.
    fn run_spread(&self, config: &ModelConfig, engine: &Engine, budget: &Budget, spread: &Spread) -> Result<Verdict, GcmcError>;
    /// Runs the one execution `schedule` describes.
    fn replay(&self, config: &ModelConfig, engine: &Engine, schedule: &Schedule) -> Result<Verdict, GcmcError>;
    /// The bare form of `engine` over the configuration's scenario (see [`engine::bare`]).
    fn run_bare(&self, config: &ModelConfig, engine: &Engine, budget: &Budget) -> Result<engine::bare::BareRun, GcmcError>;
    /// The stateful search with explicit options (end states, exact states, an incomplete
    /// fingerprint): for cross-validation.
    fn explore_stateful(&self, config: &ModelConfig, options: &StatefulOptions, budget: &Budget) -> Result<Exploration, GcmcError>;
    /// shuttle's DFS over the tracking backend, with the end states it reaches: the reference.
    /// Its end states are fingerprinted as the search `options` describes would fingerprint them.
    fn dfs_end_states(&self, config: &ModelConfig, options: &StatefulOptions, budget: &Budget) -> Result<Exploration, GcmcError>;
}

/// The [`DynModel`] of model `M`.
pub struct Registered<M>(PhantomData<fn() -> M>);

impl<M> Registered<M> {
    pub const NEW: Self = Registered(PhantomData);
}

impl<M: Model> Registered<M> {
    fn typed(&self, value: &Value) -> Result<M, GcmcError> {
        serde_json::from_value::<M>(value.clone()).map_err(|e| GcmcError::config(M::NAME, e.to_string()))
    }

    fn validated(&self, config: M) -> Result<(ModelConfig, M::Scenario), GcmcError> {
        let scenario = config.build()?;
        let value = serde_json::to_value(&config).map_err(|e| GcmcError::config(M::NAME, e.to_string()))?;
        let described =
            ModelConfig { model: M::NAME, variant: config.variant().name(), threads: config.threads(), ops: config.ops(), value };
        Ok((described, scenario))
    }

    fn scenario(&self, config: &ModelConfig) -> Result<Arc<M::Scenario>, GcmcError> {
        Ok(Arc::new(self.typed(&config.value)?.build()?))
    }
}

impl<M: Model> DynModel for Registered<M> {
    fn name(&self) -> &'static str {
        M::NAME
    }

    fn variants(&self) -> Vec<&'static str> {
        M::variants()
    }

    fn limits(&self) -> Vec<gcmc_models::check::limits::Limit> {
        M::LIMITS.iter().chain(gcmc_models::check::limits::SHARED).copied().collect()
    }

    fn correct_variants(&self) -> Vec<&'static str> {
        M::correct_variants()
    }

    fn variant_infos(&self) -> Vec<VariantInfo> {
        M::variant_infos()
    }

    fn configure(&self, variant: &str, overrides: &Map<String, Value>) -> Result<ModelConfig, GcmcError> {
        if !M::variants().contains(&variant) {
            return Err(unknown_variant(M::NAME, variant, &M::variants()));
        }
        let defaults = M::default_for(variant)?;
        let mut value = serde_json::to_value(&defaults).map_err(|e| GcmcError::config(M::NAME, e.to_string()))?;
        let Value::Object(fields) = &mut value else {
            return Err(GcmcError::config(M::NAME, "its configuration is not a table"));
        };
        for (key, v) in overrides {
            if key == "variant" {
                return Err(GcmcError::config(M::NAME, "the variant is chosen by `variant`, not inside the configuration"));
            }
            fields.insert(key.clone(), v.clone());
        }
        Ok(self.validated(self.typed(&value)?)?.0)
    }

    fn decode(&self, value: &Value) -> Result<ModelConfig, GcmcError> {
        Ok(self.validated(self.typed(value)?)?.0)
    }

    fn resized(&self, config: &ModelConfig, threads: usize, ops: usize) -> Result<ModelConfig, GcmcError> {
        Ok(self.validated(self.typed(&config.value)?.resized(threads, ops))?.0)
    }

    fn spawned(&self, config: &ModelConfig) -> Result<usize, GcmcError> {
        Ok(gcmc_models::check::Scenario::threads(&*self.scenario(config)?))
    }

    fn admit(&self, config: &ModelConfig, engine: &Engine) -> Result<(), GcmcError> {
        Ok(engine.admit(&*self.scenario(config)?)?)
    }

    fn run_spread(&self, config: &ModelConfig, engine: &Engine, budget: &Budget, spread: &Spread) -> Result<Verdict, GcmcError> {
        Ok(engine::run_spread(self.scenario(config)?, engine, budget, spread)?)
    }

    fn replay(&self, config: &ModelConfig, engine: &Engine, schedule: &Schedule) -> Result<Verdict, GcmcError> {
        Ok(engine::replay(self.scenario(config)?, engine, schedule)?)
    }

    fn run_bare(&self, config: &ModelConfig, engine: &Engine, budget: &Budget) -> Result<engine::bare::BareRun, GcmcError> {
        Ok(engine::bare::run(self.scenario(config)?, engine, budget)?)
    }

    fn explore_stateful(&self, config: &ModelConfig, options: &StatefulOptions, budget: &Budget) -> Result<Exploration, GcmcError> {
        Ok(stateful::explore_with(self.scenario(config)?, options, budget))
    }

    fn dfs_end_states(&self, config: &ModelConfig, options: &StatefulOptions, budget: &Budget) -> Result<Exploration, GcmcError> {
        Ok(stateful::dfs_end_states(self.scenario(config)?, options, budget))
    }
}

/// The registered model called `name`.
pub fn model(name: &str) -> Result<&'static dyn DynModel, GcmcError> {
    MODELS.iter().copied().find(|m| m.name() == name).ok_or_else(|| GcmcError::Config {
        model: None,
        problem: format!("unknown model `{}` (known: {})", crate::lengths::shown(name), names().join(", ")),
    })
}

/// Every registered model's name.
pub fn names() -> Vec<&'static str> {
    MODELS.iter().map(|m| m.name()).collect()
}

pub(crate) fn unknown_variant(model: &str, variant: &str, known: &[&str]) -> GcmcError {
    let (model, variant) = (crate::lengths::shown(model), crate::lengths::shown(variant));
    GcmcError::Config { model: None, problem: format!("unknown variant `{variant}` for model {model} (known: {})", known.join(", ")) }
}
