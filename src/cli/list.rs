//! `gcmc list`: the variants, the catalogue's cases, the size limits, the README's variant table.

use crate::catalogue::{self, Catalogue};
use crate::error::GcmcError;
use crate::paths;
use crate::registry;

/// The models' variants, then the catalogue's cases.
pub(super) fn everything(catalogue: &Catalogue) -> Result<i32, GcmcError> {
    println!("variants:");
    let mut rows = vec![["model", "variant", "id", "", "origin", "meaning"].map(String::from).to_vec()];
    for model in registry::MODELS {
        for info in model.variant_infos() {
            rows.push(vec![
                model.name().into(),
                info.name.into(),
                info.regression.unwrap_or("").into(),
                if info.must_hold { "must hold" } else { "broken" }.into(),
                info.origin.into(),
                info.meaning.into(),
            ]);
        }
    }
    print!("{}", align(&rows));
    println!("\ncases of {}:", paths::shown(&catalogue.path));
    let mut rows = vec![["id", "model", "variant", "sizes", "engine", "expect", "deep", "pinned replay"].map(String::from).to_vec()];
    for case in &catalogue.cases {
        rows.push(vec![
            case.id.clone(),
            case.config.model.to_string(),
            case.config.variant.to_string(),
            format!("{}x{}", case.config.threads, case.config.ops),
            case.engine.to_string(),
            case.expect.to_string(),
            if case.deep { "deep" } else { "" }.to_string(),
            case.replay_as_written.clone().unwrap_or_default(),
        ]);
    }
    print!("{}", align(&rows));
    Ok(0)
}

/// Every model's upper bounds on its sizes, and loom's on threads.
pub(super) fn limits() -> Result<i32, GcmcError> {
    let mut rows = vec![["model", "size", "at most", "why"].map(String::from).to_vec()];
    for model in registry::MODELS {
        for limit in model.limits() {
            rows.push(vec![model.name().into(), limit.field.into(), limit.max.to_string(), limit.why.into()]);
        }
    }
    rows.push(vec![
        "any".into(),
        "spawned threads under loom".into(),
        gcmc_models::platform::LOOM_MAX_SPAWNED_THREADS.to_string(),
        "loom 0.7 tracks 5 threads, the main one included".into(),
    ]);
    use crate::catalogue::load::{MAX_ID_CHARS, MAX_REPLAY_PATH_CHARS, MAX_WHY_CHARS};
    use crate::files::{MAX_CATALOGUE_BYTES, MAX_REPLAY_BYTES};
    use crate::lengths::{MAX_DETAIL_CHARS, MAX_NAME_CHARS};
    let file = "read whole: only a regular file, checked before reading and bounded while read";
    for (what, max, why) in [
        ("catalogue file, bytes", MAX_CATALOGUE_BYTES, file),
        ("replay file, bytes", MAX_REPLAY_BYTES, file),
        ("case id, characters", MAX_ID_CHARS as u64, "names replay files and table rows"),
        ("case why, characters", MAX_WHY_CHARS as u64, "a paragraph, not a document"),
        ("case replay path, characters", MAX_REPLAY_PATH_CHARS as u64, "a path inside the catalogue's directory"),
        (
            "any other name, characters",
            MAX_NAME_CHARS as u64,
            "model, variant, expect, engine, config field or value, field name, --set, replay file's names",
        ),
        (
            "replay violation detail or trace line, characters",
            MAX_DETAIL_CHARS as u64,
            "gcmc writes them; a schedule is bounded by the file",
        ),
    ] {
        rows.push(vec!["files".into(), what.into(), max.to_string(), why.into()]);
    }
    print!("{}", align(&rows));
    Ok(0)
}

/// The README's variant table, in Markdown.
pub(super) fn markdown(catalogue: &Catalogue) -> Result<i32, GcmcError> {
    print!("{}", catalogue::variants::markdown(catalogue));
    Ok(0)
}

/// Left-aligned columns, two spaces apart.
fn align(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns).map(|c| rows.iter().filter_map(|r| r.get(c)).map(String::len).max().unwrap_or(0)).collect();
    rows.iter().fold(String::new(), |mut out, row| {
        let line: Vec<String> = row.iter().zip(&widths).map(|(cell, &w)| format!("  {}", crate::text::pad_right(cell, w))).collect();
        out.push_str(line.concat().trim_end());
        out.push('\n');
        out
    })
}
