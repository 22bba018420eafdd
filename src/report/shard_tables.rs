//! A shard's tables read back for `merge`, into the typed rows a run writes
//! ([`crate::metrics::tables`]): each file opened through the guarded reader (a regular
//! file of bounded size), its header checked, every row parsed, and a bad cell refused at
//! its file, line and column instead of becoming NaN.

use crate::config::ConfigError;
use crate::metrics::tables::cells::CellError;
use crate::metrics::tables::runs::RunRecord;
use std::path::Path;

/// Why shards could not be merged.
#[derive(Debug)]
pub enum MergeError {
    /// A shard file is malformed, missing runs, or from another sweep.
    Input(ConfigError),
    /// Reading or writing failed.
    Io(String),
}

/// An error at `line` and `field` of the shard file `file`.
pub fn located(file: &Path, line: usize, field: &str, message: impl Into<String>) -> MergeError {
    MergeError::Input(ConfigError {
        file: file.to_path_buf(),
        line,
        column: 1,
        field: field.into(),
        message: message.into(),
    })
}

/// A bad cell of line `line` of `file`.
fn bad_cell(file: &Path, line: usize, e: CellError) -> MergeError {
    located(file, line, &e.column, e.message)
}

/// A shard's CSV table `file` (`what` names it in errors), opened through the guarded
/// reader.
pub fn open(
    file: &Path,
    what: &str,
) -> Result<csv::Reader<std::io::Take<std::fs::File>>, MergeError> {
    let f = crate::config::input::open_regular(file, what, crate::config::input::MAX_TABLE_BYTES)
        .map_err(MergeError::Input)?;
    Ok(csv::Reader::from_reader(f))
}

/// The header row of the shard file `file`.
pub fn header_of(
    file: &Path,
    r: &mut csv::Reader<impl std::io::Read>,
) -> Result<Vec<String>, MergeError> {
    let h = r
        .headers()
        .map_err(|e| located(file, 1, "(header)", e.to_string()))?;
    Ok(h.iter().map(String::from).collect())
}

/// The runs of a shard's `runs.csv`, each with its line.
pub fn read_runs(file: &Path) -> Result<Vec<(usize, RunRecord)>, MergeError> {
    let mut r = open(file, "shard's runs.csv")?;
    if header_of(file, &mut r)? != RunRecord::header() {
        return Err(located(
            file,
            1,
            "(header)",
            "expected the runs.csv header of a session sweep",
        ));
    }
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| located(file, line, "(row)", e.to_string()))?;
        let cells: Vec<&str> = rec.iter().collect();
        let run = RunRecord::parse(&cells).map_err(|e| bad_cell(file, line, e))?;
        out.push((line, run));
    }
    Ok(out)
}

/// What a table of per-job rows looks like: its header, the column of the job, and how a
/// row parses.
pub struct Shape<T> {
    /// The header, exactly.
    pub header: Vec<&'static str>,
    /// Column of the job index.
    pub job: usize,
    /// A row's record.
    pub parse: fn(&[&str]) -> Result<T, CellError>,
}

/// The rows of a shard's table `file`: its header, a job of the sweep of `total` jobs in
/// every row (checked first), every cell what its column holds.
pub fn read_table<T>(file: &Path, shape: &Shape<T>, total: u64) -> Result<Vec<T>, MergeError> {
    let mut r = open(file, "shard's table")?;
    if header_of(file, &mut r)? != shape.header {
        return Err(located(
            file,
            1,
            "(header)",
            format!("expected the header {}", shape.header.join(",")),
        ));
    }
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| located(file, line, "(row)", e.to_string()))?;
        let cell = &rec[shape.job];
        if cell.parse::<u64>().ok().filter(|&j| j < total).is_none() {
            return Err(located(
                file,
                line,
                "job",
                format!(
                    "expected a job of the sweep (0 to {}), found {cell:?}",
                    total.saturating_sub(1),
                ),
            ));
        }
        let cells: Vec<&str> = rec.iter().collect();
        out.push((shape.parse)(&cells).map_err(|e| bad_cell(file, line, e))?);
    }
    Ok(out)
}
