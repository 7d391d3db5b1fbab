//! `gcmc check`'s verdict table.

use super::Row;

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
            if numeric {
                s.push_str(&format!("{c:>w$}  "));
            } else {
                s.push_str(&format!("{c:<w$}  "));
            }
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
