//! Console tables: plain text, no borders, each column as wide as its longest cell, names
//! left-aligned and numbers right-aligned, so long scenario or strategy names keep the
//! columns straight.

use comfy_table::{presets::NOTHING, CellAlignment, ContentArrangement, Table};

/// A table with `header`; the first `text_columns` columns are names (left-aligned), the
/// rest numbers (right-aligned).
pub fn plain(header: &[&str], text_columns: usize) -> Table {
    let mut t = Table::new();
    t.load_preset(NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.to_vec());
    for i in 0..header.len() {
        if let Some(c) = t.column_mut(i) {
            c.set_padding((0, 2));
            if i >= text_columns {
                c.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
    t
}

/// The table as lines ending in a newline, trailing spaces trimmed.
pub fn render(t: &Table) -> String {
    t.lines().map(|l| format!("{}\n", l.trim_end())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fit_long_names_and_numbers_align_right() {
        let mut t = plain(&["scenario", "p50_ms"], 1);
        t.add_row(vec!["a-scenario-name-longer-than-twelve", "1.5"]);
        t.add_row(vec!["s", "100.25"]);
        let text = render(&t);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        let ends: Vec<usize> = lines.iter().map(|l| l.len()).collect();
        assert!(ends.iter().all(|&e| e == ends[0]), "right-aligned: {text}");
        let col = lines[0].find("p50_ms").unwrap();
        assert!(col > "a-scenario-name-longer-than-twelve".len(), "{text}");
    }
}
