//! A trace as a table with one column per lane: each step on its own row, in its thread's
//! column, so a hand-off between threads reads left to right. Marked steps carry `*` beside their
//! number.

use super::{lanes, marked, step_text, wrap, Lane};
use crate::engine::TraceLine;
use gcmc_models::check::Violation;
use std::fmt::Write;

/// The default width of the whole table, in characters.
pub const DEFAULT_WIDTH: usize = 120;

/// The narrowest a column gets, whatever `width` asks for: the table grows past `width` instead.
pub const MIN_COLUMN: usize = 12;

/// The table, at most `width` characters wide (wider only when even [`MIN_COLUMN`] per lane does
/// not fit), and a line saying what `*` marks.
pub fn render(trace: &[TraceLine], violation: Option<&Violation>, width: usize) -> String {
    let lanes = lanes(trace);
    if lanes.is_empty() {
        return String::new();
    }
    let marks = violation.map(|v| marked(trace, &v.detail)).unwrap_or_default();
    let number = trace.len().to_string().len() + 1;
    // Each column is ` | ` and its cell; the number column is `number` wide.
    let column = (width.saturating_sub(number) / lanes.len()).saturating_sub(3).max(MIN_COLUMN);
    let mut out = String::new();
    let cells: Vec<String> = lanes.iter().map(|l| l.name()).collect();
    row(&mut out, "", number, &cells.iter().map(|c| vec![c.clone()]).collect::<Vec<_>>(), column);
    let _ = writeln!(out, "{}", format!("{:-<number$}", "") + &format!("-+-{:-<column$}", "").repeat(lanes.len()));
    for (i, line) in trace.iter().enumerate() {
        let label = format!("{}{}", i + 1, if marks.contains(&i) { "*" } else { "" });
        let cells: Vec<Vec<String>> =
            lanes.iter().map(|&lane| if Lane::of(line) == lane { wrap(&step_text(line), column) } else { Vec::new() }).collect();
        row(&mut out, &label, number, &cells, column);
    }
    if !marks.is_empty() {
        let _ = writeln!(out, "* the steps the violation points at");
    }
    out
}

/// One table row: `label` right-aligned in the number column, then each lane's cell lines.
fn row(out: &mut String, label: &str, number: usize, cells: &[Vec<String>], column: usize) {
    let height = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
    for k in 0..height {
        let mut text = format!("{:>number$}", if k == 0 { label } else { "" });
        for cell in cells {
            let _ = write!(text, " | {:<column$}", cell.get(k).map_or("", String::as_str));
        }
        let _ = writeln!(out, "{}", text.trim_end());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gcmc_models::check::ViolationKind;

    fn line(thread: Option<u32>, what: &str) -> TraceLine {
        TraceLine { thread, func: "newMarkBits".into(), what: what.into() }
    }

    #[test]
    fn each_step_sits_in_its_threads_column_and_fits_the_width() {
        let trace = [line(None, "set-up"), line(Some(0), "took [a0+0,+8) from fresh a0; unlock"), line(Some(1), "took [a0+0,+8)")];
        let violation = Violation { kind: ViolationKind::DoubleAllocation, detail: "T0 [a0+0,+8) overlaps T1 [a0+0,+8)".into() };
        let table = render(&trace, Some(&violation), 60);
        assert!(table.lines().all(|l| l.chars().count() <= 60), "{table}");
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].contains("main") && lines[0].contains("T0") && lines[0].contains("T1"), "{table}");
        // The column each numbered row's step is in: 0 main, 1 T0, 2 T1.
        let column_of = |label: &str| {
            let row = lines.iter().find(|l| l.starts_with(label)).unwrap_or_else(|| panic!("no row {label:?}: {table}"));
            row.split(" | ").skip(1).position(|cell| !cell.trim().is_empty()).unwrap()
        };
        assert_eq!([column_of(" 1 "), column_of("2* "), column_of("3* ")], [0, 1, 2], "{table}");
        assert!(table.ends_with("* the steps the violation points at\n"), "{table}");
    }
}
