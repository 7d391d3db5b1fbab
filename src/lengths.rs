//! Upper bounds on the strings a user hands gcmc: every name and text in a catalogue entry or a
//! replay file, and the names on the command line, is bounded when it is loaded, and an error
//! quotes at most [`SHOWN_CHARS`] characters of a name. A 10-million-character model name is
//! refused in one short line instead of being echoed, laid out in a table or used as a file name.
//!
//! `gcmc list --limits` prints the bounds.

use serde_json::Value;

/// The longest name: a model, a variant, an expectation, an engine, a configuration field or one
/// of its string values, any field name (the longest gcmc knows is under 30).
pub const MAX_NAME_CHARS: usize = 100;
/// The longest violation detail or trace line in a replay file: gcmc writes them, and the
/// longest pinned one is under 200 characters, so this leaves room for configurations far larger
/// than any pinned while refusing a document.
pub const MAX_DETAIL_CHARS: usize = 100_000;
/// How much of a name an error quotes.
pub const SHOWN_CHARS: usize = 60;

/// `text` as an error quotes it: whole up to [`SHOWN_CHARS`] characters, else its beginning and
/// `...`.
pub fn shown(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}...", &text[..cut]),
    }
}

/// `message` with every `` `quoted` `` span cut as [`shown`] cuts a name: for the messages of
/// decoders (serde's "unknown field `...`") that quote what they were given whole.
pub fn shorten_quoted(message: &str) -> String {
    let parts: Vec<&str> = message.split('`').collect();
    let closed = parts.len() - (parts.len() + 1) % 2;
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 && i < closed { shown(part) } else { part.to_string() })
        .collect::<Vec<_>>()
        .join("`")
}

/// How long the strings at one place of a document may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Chars(usize),
    /// A string bounded by the file's size alone, and checked by its own decoder (a recorded
    /// schedule); the field names under it are still names.
    Unbounded,
}

/// The first string of `value`, field names included, longer than `limit` allows at its place.
/// A place is its path of field names from the root (array positions are not part of it); a
/// field name itself may have at most [`MAX_NAME_CHARS`] characters, wherever it is.
pub fn check(value: &Value, limit: &dyn Fn(&[&str]) -> Limit) -> Result<(), String> {
    walk(value, &mut Vec::new(), limit)
}

fn walk<'a>(value: &'a Value, path: &mut Vec<&'a str>, limit: &dyn Fn(&[&str]) -> Limit) -> Result<(), String> {
    match value {
        Value::String(text) => match (limit(path), text.chars().count()) {
            (Limit::Chars(max), chars) if chars > max => {
                Err(format!("`{}` has {chars} characters, over the limit of {max}", path.join(".")))
            }
            _ => Ok(()),
        },
        Value::Array(items) => items.iter().try_for_each(|item| walk(item, path, limit)),
        Value::Object(fields) => {
            for (key, field) in fields {
                let chars = key.chars().count();
                if chars > MAX_NAME_CHARS {
                    let place = if path.is_empty() { String::new() } else { format!(" in `{}`", path.join(".")) };
                    return Err(format!("a field name{place} has {chars} characters, over the limit of {MAX_NAME_CHARS}"));
                }
                path.push(key);
                walk(field, path, limit)?;
                path.pop();
            }
            Ok(())
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

/// A name from the command line (a model, a variant, a `--set` key or value), refused over
/// [`MAX_NAME_CHARS`]; `what` says which.
pub fn name_argument(what: &str, text: &str) -> Result<(), String> {
    match text.chars().count() {
        chars if chars > MAX_NAME_CHARS => Err(format!("{what} has {chars} characters, over the limit of {MAX_NAME_CHARS}")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_long_name_is_quoted_by_its_beginning() {
        assert_eq!(shown("lfstack"), "lfstack");
        assert_eq!(shown(&"é".repeat(SHOWN_CHARS)), "é".repeat(SHOWN_CHARS));
        assert_eq!(shown(&"é".repeat(SHOWN_CHARS + 1)), format!("{}...", "é".repeat(SHOWN_CHARS)));
    }

    #[test]
    fn quoted_spans_are_cut_and_the_rest_kept() {
        let long = "x".repeat(SHOWN_CHARS + 5);
        let cut = format!("{}...", "x".repeat(SHOWN_CHARS));
        assert_eq!(
            shorten_quoted(&format!("unknown variant `{long}`, expected `Active`")),
            format!("unknown variant `{cut}`, expected `Active`")
        );
        assert_eq!(shorten_quoted(&format!("{long} `a` `{long}")), format!("{long} `a` `{long}"));
        assert_eq!(shorten_quoted("no quotes"), "no quotes");
        assert_eq!(shorten_quoted(""), "");
    }

    #[test]
    fn every_string_and_field_name_is_measured_at_its_place() {
        let limit = |path: &[&str]| match path.first() {
            Some(&"schedule") => Limit::Unbounded,
            Some(&"why") => Limit::Chars(10),
            _ => Limit::Chars(5),
        };
        assert_eq!(check(&json!({"model": "abcde", "why": "0123456789", "schedule": "x".repeat(99)}), &limit), Ok(()));
        let key = "k".repeat(MAX_NAME_CHARS + 1);
        assert!(check(&json!({"schedule": { key.clone(): 1 }}), &limit).unwrap_err().starts_with("a field name in `schedule`"));
        assert_eq!(
            check(&json!({"config": {"base": "abcdef"}}), &limit).unwrap_err(),
            "`config.base` has 6 characters, over the limit of 5"
        );
        assert_eq!(check(&json!({"trace": ["ok", "too long"]}), &limit).unwrap_err(), "`trace` has 8 characters, over the limit of 5");
        assert_eq!(check(&json!({ key.clone(): 1 }), &limit).unwrap_err(), "a field name has 101 characters, over the limit of 100");
        assert!(check(&json!({"config": { key: 1 }}), &limit).unwrap_err().starts_with("a field name in `config` has 101"));
    }
}
