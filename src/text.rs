//! Padding table cells without `format!`'s width argument.
//!
//! `format!("{cell:<w$}")` panics ("Formatting argument out of range") once `w` exceeds
//! `u16::MAX`, and a width is the longest cell in its column: one absurd catalogue id would crash
//! `check`. These pad by hand, like `{:<w$}` and `{:>w$}` (counting chars), for any width.

/// `cell` followed by spaces up to `width` characters.
pub fn pad_right(cell: &str, width: usize) -> String {
    let mut out = String::with_capacity(cell.len().max(width));
    out.push_str(cell);
    out.push_str(&" ".repeat(width.saturating_sub(cell.chars().count())));
    out
}

/// Spaces up to `width` characters, then `cell`.
pub fn pad_left(cell: &str, width: usize) -> String {
    let mut out = " ".repeat(width.saturating_sub(cell.chars().count()));
    out.push_str(cell);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_matches_format_and_survives_any_width() {
        for cell in ["", "ab", "été", "longer than five"] {
            assert_eq!(pad_right(cell, 5), format!("{cell:<5}"));
            assert_eq!(pad_left(cell, 5), format!("{cell:>5}"));
        }
        let wide = usize::from(u16::MAX) + 10;
        assert_eq!(pad_right("x", wide).len(), wide);
        assert_eq!(pad_left("x", wide).len(), wide);
    }
}
