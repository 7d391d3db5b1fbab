//! The README's variant table is `gcmc list --markdown`'s output, byte for byte: the variants'
//! names, ids, origins and meanings come from their declarations and "caught by" from the
//! catalogue, so a renamed variant, a new one, or a case added or dropped shows up here.

use gcmc::catalogue::{self, variants};
use std::path::Path;

const BEGIN: &str = "<!-- `gcmc list --markdown` writes this table; tests/readme.rs checks it is this output -->\n";
const END: &str = "<!-- end of `gcmc list --markdown` -->";

#[test]
fn the_readme_variant_table_is_what_list_markdown_prints() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let start = readme.find(BEGIN).expect("the README marks where the variant table begins") + BEGIN.len();
    let end = start + readme[start..].find(END).expect("the README marks where the variant table ends");
    let catalogue = catalogue::load(&root.join(catalogue::DEFAULT_CATALOGUE)).unwrap_or_else(|e| panic!("{e}"));
    let table = variants::markdown(&catalogue);
    assert!(
        readme[start..end] == table,
        "the README's variant table is stale; replace it with the output of `cargo run --release -- list --markdown`:\n{table}"
    );
}

#[test]
fn caught_by_reads_the_catalogue() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalogue = catalogue::load(&root.join(catalogue::DEFAULT_CATALOGUE)).unwrap_or_else(|e| panic!("{e}"));
    let engines = |model, variant| variants::caught_by(&catalogue, model, variant).iter().map(|e| e.name()).collect::<Vec<_>>();
    // R10 is weak memory: loom alone sees it, and its shuttle rows expect `holds`.
    assert_eq!(engines("gcbits", "relaxed-next-publication"), ["loom"]);
    assert!(engines("gcbits", "stale-next-link").contains(&"pct"));
    // A correct variant's holds rows catch nothing.
    assert!(engines("gcbits", "v1").is_empty());
}
