//! `gcmc check`'s verdict table.

use super::Row;
use crate::text::{pad_left, pad_right};

/// The rows as an aligned table, each mismatch followed by its problems.
pub fn table(rows: &[Row]) -> String {
    let headers = ["id", "model", "variant", "engine", "expected", "outcome", "executions", "exhaustive", "seconds", "", "figures"];
    let cells: Vec<[String; 11]> = rows
        .iter()
        .map(|r| {
            [
                r.id.clone(),
                r.model.clone(),
                r.variant.clone(),
                r.engine.clone(),
                r.expect.clone(),
                r.outcome.clone(),
                r.executions.to_string(),
                if r.exhaustive { "yes" } else { "no" }.to_string(),
                format!("{:.2}", r.seconds),
                if r.matched { "ok" } else { "MISMATCH" }.to_string(),
                r.figures.clone(),
            ]
        })
        .collect();
    let mut widths = headers.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.len());
        }
    }
    let line = |cols: &[String]| {
        let mut s = String::new();
        for (i, (c, w)) in cols.iter().zip(widths).enumerate() {
            let numeric = (6..=8).contains(&i);
            s.push_str(&if numeric { pad_left(c, w) } else { pad_right(c, w) });
            s.push_str("  ");
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(&headers.map(String::from));
    for (row, cols) in rows.iter().zip(&cells) {
        out.push_str(&line(cols));
        for p in &row.problems {
            out.push_str(&format!("    {p}\n"));
        }
    }
    let failed = rows.iter().filter(|r| !r.matched).count();
    out.push_str(&format!(
        "{} cases, {} matched, {failed} mismatched, {:.1}s summed over the cases\n",
        rows.len(),
        rows.len() - failed,
        rows.iter().map(|r| r.seconds).sum::<f64>()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cell wider than `format!` can pad (u16::MAX) used to panic the whole `check`.
    #[test]
    fn a_cell_of_any_width_is_laid_out() {
        let row = |id: String| Row {
            id,
            model: "lfstack".into(),
            variant: "go".into(),
            engine: "loom".into(),
            expect: "holds".into(),
            outcome: "holds".into(),
            executions: 30,
            exhaustive: true,
            seconds: 0.5,
            replay: None,
            matched: true,
            problems: Vec::new(),
            detail: String::new(),
            figures: "f".repeat(70_000),
        };
        let long = "x".repeat(100_000);
        let out = table(&[row(long.clone()), row("ok".into())]);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[1].starts_with(&format!("{long}  lfstack")), "{}", &lines[1][..200]);
        assert!(lines[2].starts_with(&format!("ok{}  lfstack", " ".repeat(long.len() - 2))));
        assert_eq!(lines[3], "2 cases, 2 matched, 0 mismatched, 1.0s summed over the cases");
    }
}
