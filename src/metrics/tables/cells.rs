//! How a table cell holds a value: real figures with six decimals (empty for no value),
//! counts as whole numbers, names as they are. The writer (`report/`) makes text with these
//! functions only at the end; every reader (the job cache, `merge`) parses with them, and a
//! cell that holds no such value is a [`CellError`] naming its column.

/// Decimals of a real figure in every table.
pub const DECIMALS: usize = 6;

/// A cell that does not hold what its column holds.
#[derive(Debug, Clone, PartialEq)]
pub struct CellError {
    /// The column's name in the table's header (`(row)` for a row of the wrong length).
    pub column: String,
    /// What the column holds and what the cell held.
    pub message: String,
}

impl CellError {
    /// An error of column `column`.
    pub fn new(column: &str, message: impl Into<String>) -> CellError {
        CellError {
            column: column.to_string(),
            message: message.into(),
        }
    }
}

/// A real figure as the tables write it: [`DECIMALS`] decimals, so equal results give
/// equal bytes; empty for NaN and infinities.
pub fn real(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.DECIMALS$}")
    } else {
        String::new()
    }
}

/// `v` as a table holds it once written ([`real`] read back; NaN for no value). Statistics
/// are taken over these values, so a sweep resumed from kept rows or merged from shards
/// (both read back from text) gives the numbers of one uninterrupted run.
pub fn as_written(v: f64) -> f64 {
    real(v).parse().unwrap_or(f64::NAN)
}

/// A real cell: a finite number, or empty for no value (NaN).
pub fn parse_real(column: &str, cell: &str) -> Result<f64, CellError> {
    if cell.is_empty() {
        return Ok(f64::NAN);
    }
    parse_finite(column, cell)
}

/// A real cell that must hold a value: a finite number.
pub fn parse_finite(column: &str, cell: &str) -> Result<f64, CellError> {
    match cell.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(CellError::new(
            column,
            format!("expected a finite number, found {cell:?}"),
        )),
        Err(_) => Err(CellError::new(
            column,
            format!("expected a number, found {cell:?}"),
        )),
    }
}

/// A cell holding a whole number (a count, an index, a seed).
pub fn parse_whole<T: std::str::FromStr>(column: &str, cell: &str) -> Result<T, CellError> {
    cell.parse().map_err(|_| {
        let what = if cell.parse::<f64>().is_ok() {
            "expected a whole number"
        } else {
            "expected a number"
        };
        CellError::new(column, format!("{what}, found {cell:?}"))
    })
}

/// The cells of a row, read in column order against the table's `header`: each `next_*`
/// names the column of a cell that does not parse.
pub struct Cells<'a> {
    cells: &'a [&'a str],
    header: &'a [&'a str],
    at: usize,
}

impl<'a> Cells<'a> {
    /// The row `cells` of a table with columns `header`; refuses a row of another length.
    pub fn new(cells: &'a [&'a str], header: &'a [&'a str]) -> Result<Cells<'a>, CellError> {
        if cells.len() != header.len() {
            return Err(CellError::new(
                "(row)",
                format!("expected {} cells, found {}", header.len(), cells.len()),
            ));
        }
        Ok(Cells {
            cells,
            header,
            at: 0,
        })
    }

    /// The next cell and its column's name.
    fn next(&mut self) -> (&'a str, &'a str) {
        let i = self.at;
        self.at += 1;
        (self.header[i], self.cells[i])
    }

    /// Passes over `n` cells read before (see [`Self::named`]).
    pub fn skip(&mut self, n: usize) {
        self.at += n;
    }

    /// The cell of column `name`, wherever it is (for the cells checked first).
    pub fn named(&self, name: &str) -> &'a str {
        let i = self.header.iter().position(|h| *h == name);
        i.map_or("", |i| self.cells[i])
    }

    /// The next cell as text.
    pub fn text(&mut self) -> String {
        self.next().1.to_string()
    }

    /// The next cell as a real figure (empty: NaN).
    pub fn real(&mut self) -> Result<f64, CellError> {
        let (name, cell) = self.next();
        parse_real(name, cell)
    }

    /// The next cell as a finite number.
    pub fn finite(&mut self) -> Result<f64, CellError> {
        let (name, cell) = self.next();
        parse_finite(name, cell)
    }

    /// The next cell as a whole number.
    pub fn whole<T: std::str::FromStr>(&mut self) -> Result<T, CellError> {
        let (name, cell) = self.next();
        parse_whole(name, cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_keep_six_decimals_and_read_back_as_written() {
        assert_eq!(real(0.1234567), "0.123457");
        assert_eq!(real(f64::NAN), "");
        assert_eq!(as_written(0.1234567), 0.123457);
        assert!(as_written(f64::INFINITY).is_nan());
        assert_eq!(real(as_written(17.25)), "17.250000");
    }

    #[test]
    fn a_bad_cell_names_its_column() {
        assert!(parse_real("x", "").unwrap().is_nan());
        for bad in ["NaN", "inf", "abc", "1e999"] {
            let e = parse_real("x", bad).unwrap_err();
            assert_eq!(e.column, "x", "{bad}");
        }
        let e = parse_whole::<u64>("arrivals", "1.5").unwrap_err();
        assert_eq!(e.message, "expected a whole number, found \"1.5\"");
        assert_eq!(parse_whole::<u64>("n", "12"), Ok(12));
    }

    #[test]
    fn a_row_of_another_length_is_refused() {
        let header = ["a", "b"];
        assert!(Cells::new(&["1"], &header).is_err());
        let mut c = Cells::new(&["x", "2"], &header).unwrap();
        assert_eq!(c.text(), "x");
        assert_eq!(c.whole::<u32>(), Ok(2));
    }
}
