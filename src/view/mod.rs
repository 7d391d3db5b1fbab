//! Pictures of a counterexample: the same trace as one column per model thread
//! ([`columns`]) or as a sequence chart ([`svg`]), with the steps the violation points at marked.
//!
//! Both are pure functions of the trace and the violation, so a replay always draws the same
//! picture, byte for byte.
//!
//! What is marked is read from the violation's detail, the one place every model names what went
//! wrong, in the models' own object names (`n1` a node, `a0` an arena, `w0` a workbuf, `s0` a
//! span, `[a0+8,+8)` a range of bits):
//! - a range of bits the detail names: every step that mentions it (the two owners of a double
//!   allocation, the handout that ran out of bounds);
//! - else each object it names: in each thread, the last step that mentions it (the lost arena's
//!   last link, the pop and the push of a duplicated node, the free of a span still in use);
//! - else (a throw, a data race) the last step of the trace, where the execution ended.

pub mod columns;
pub mod svg;

use crate::engine::TraceLine;
use std::collections::BTreeSet;

/// A lane of the picture: the main thread (set-up, joins, audits) or model thread `T{n}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lane {
    Main,
    Thread(u32),
}

impl Lane {
    pub fn of(line: &TraceLine) -> Lane {
        line.thread.map_or(Lane::Main, Lane::Thread)
    }

    pub fn name(self) -> String {
        match self {
            Lane::Main => "main".into(),
            Lane::Thread(t) => format!("T{t}"),
        }
    }
}

/// The lanes `trace` uses, main first, then the threads by number.
pub fn lanes(trace: &[TraceLine]) -> Vec<Lane> {
    trace.iter().map(Lane::of).collect::<BTreeSet<_>>().into_iter().collect()
}

/// What a step shows: its Go function and what it did.
pub fn step_text(line: &TraceLine) -> String {
    format!("{}: {}", line.func, line.what)
}

/// The object names in `text`: words of one lowercase letter and digits (`a0`, `w12`), in order
/// of first appearance, each once.
pub fn objects(text: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        let named = matches!(chars.next(), Some(c) if c.is_ascii_lowercase()) && word.len() > 1 && chars.all(|c| c.is_ascii_digit());
        if named && !seen.iter().any(|s| s == word) {
            seen.push(word.to_string());
        }
    }
    seen
}

/// The ranges of bits in `text`: `[a0+8,+8)`, each once.
fn ranges(text: &str) -> Vec<&str> {
    let mut found: Vec<&str> = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open..];
        let Some(close) = after.find(')') else { break };
        let candidate = &after[..=close];
        let inner = &candidate[1..candidate.len() - 1];
        if inner.contains(",+") && !inner.contains(' ') && !found.contains(&candidate) {
            found.push(candidate);
        }
        rest = &after[1..];
    }
    found
}

/// Whether `word` occurs in `text` as a whole word.
fn mentions(text: &str, word: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w == word)
}

/// The indices of the steps to mark, by the rules in the module's documentation; none for an
/// empty trace.
pub fn marked(trace: &[TraceLine], detail: &str) -> BTreeSet<usize> {
    let mut marks = BTreeSet::new();
    let ranges = ranges(detail);
    if !ranges.is_empty() {
        marks.extend(trace.iter().enumerate().filter(|(_, l)| ranges.iter().any(|r| l.what.contains(r))).map(|(i, _)| i));
    } else {
        for object in objects(detail) {
            for lane in lanes(trace) {
                let last = trace.iter().enumerate().rev().find(|(_, l)| Lane::of(l) == lane && mentions(&l.what, &object));
                marks.extend(last.map(|(i, _)| i));
            }
        }
    }
    if marks.is_empty() && !trace.is_empty() {
        marks.insert(trace.len() - 1);
    }
    marks
}

/// `text` in lines of at most `width` characters, broken at spaces where it can be (a longer
/// word is cut); at least one line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let used = line.chars().count();
            let gap = usize::from(used > 0);
            if used + gap + word.len() <= width {
                if gap == 1 {
                    line.push(' ');
                }
                line.extend(word.iter());
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            let rest = word.split_off(width);
            lines.push(word.into_iter().collect());
            word = rest;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(thread: Option<u32>, what: &str) -> TraceLine {
        TraceLine { thread, func: "f".into(), what: what.into() }
    }

    #[test]
    fn objects_and_ranges_are_read_from_the_detail() {
        assert_eq!(objects("arena a1 (from T1's sysAlloc) is on no list: next=[a0]"), ["a1", "a0"]);
        assert_eq!(ranges("T0 [a0+8,+8) overlaps T1 [a0+8,+8), both"), ["[a0+8,+8)"]);
        assert!(ranges("lost (free=[] next=[a0])").is_empty());
    }

    #[test]
    fn marks_follow_the_detail() {
        let trace = [line(Some(0), "took [a0+8,+8)"), line(Some(1), "took [a0+8,+8)"), line(None, "audit a0")];
        assert_eq!(marked(&trace, "T0 [a0+8,+8) overlaps T1 [a0+8,+8)"), BTreeSet::from([0, 1]));
        let trace = [line(Some(0), "got a1"), line(Some(0), "linked a1"), line(Some(1), "read a1"), line(Some(1), "linked a0")];
        assert_eq!(marked(&trace, "arena a1 is on no list"), BTreeSet::from([1, 2]));
        assert_eq!(marked(&trace, "markBits overflow"), BTreeSet::from([3]));
        assert!(marked(&[], "markBits overflow").is_empty());
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap("ab cd ef", 5), ["ab cd", "ef"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("", 3), [""]);
        assert!(wrap("newMarkBits: fresh a0 linked in front of nil", 12).iter().all(|l| l.chars().count() <= 12));
    }
}
