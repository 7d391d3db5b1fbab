//! The variant table: every model's variants as their declarations describe them, and which
//! engines' catalogue cases catch each broken one. `gcmc list --markdown` prints it and the
//! README carries that output verbatim (tests/readme.rs), so neither can drift from the code.

use super::{Catalogue, Expect};
use crate::engine::EngineKind;
use crate::registry::MODELS;
use gcmc_models::check::VariantInfo;

/// The engines with a case of `model`'s `variant` that expects a violation, deep cases included.
pub fn caught_by(catalogue: &Catalogue, model: &str, variant: &str) -> Vec<EngineKind> {
    let catching = |kind: EngineKind| {
        catalogue.cases.iter().any(|c| {
            c.config.model == model && c.config.variant == variant && c.engine.kind() == kind && matches!(c.expect, Expect::Violation(_))
        })
    };
    EngineKind::ALL.iter().copied().filter(|&kind| catching(kind)).collect()
}

/// The README's table: id, model and variant, what it is or what breaks, and what catches it.
pub fn markdown(catalogue: &Catalogue) -> String {
    let mut out = String::from("| id | model, variant | what it is, or what breaks | from | caught by |\n|---|---|---|---|---|\n");
    for model in MODELS {
        for info in model.variant_infos() {
            out.push_str(&format!(
                "| {} | {} `{}` | {} | {} | {} |\n",
                info.regression.unwrap_or(""),
                model.name(),
                info.name,
                info.meaning,
                info.origin,
                caught(catalogue, model.name(), &info)
            ));
        }
    }
    out
}

fn caught(catalogue: &Catalogue, model: &str, info: &VariantInfo) -> String {
    // A variant that must hold can still have violation cases: R2 is `go` with a counter too
    // narrow for its scenario.
    let engines = caught_by(catalogue, model, info.name);
    if info.must_hold {
        "(must hold)".into()
    } else if engines.is_empty() {
        "nothing in the catalogue".into()
    } else if engines == [EngineKind::Loom] {
        "loom only".into()
    } else {
        engines.iter().map(|e| e.title()).collect::<Vec<_>>().join(", ")
    }
}
