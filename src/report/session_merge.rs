//! `xrplace merge`: the shards of a session sweep joined into the outputs of one run, byte
//! for byte, after checking that together they hold every job of the sweep exactly once.

use super::sessions::{header, quantile_header, write_all, JOB, JOBS_TOTAL};
use crate::config::ConfigError;
use std::path::Path;

/// Why shards could not be merged.
#[derive(Debug)]
pub enum MergeError {
    /// A shard file is malformed, missing runs, or from another sweep.
    Input(ConfigError),
    /// Reading or writing failed.
    Io(String),
}

/// Joins the `runs.csv` of every shard into `out/runs.csv` and `out/summary.csv`, checking
/// that together they hold every job of the sweep exactly once.
pub fn merge_shards(files: &[std::path::PathBuf], out: &Path) -> Result<(), MergeError> {
    let want = header();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut total: Option<u64> = None;
    for f in files {
        let bad = |line: usize, field: &str, msg: String| {
            MergeError::Input(ConfigError {
                file: f.clone(),
                line,
                column: 1,
                field: field.into(),
                message: msg,
            })
        };
        let mut r = csv::Reader::from_path(f)
            .map_err(|e| bad(0, "(file)", format!("cannot read shard: {e}")))?;
        let got: Vec<String> = r
            .headers()
            .map_err(|e| bad(1, "(header)", e.to_string()))?
            .iter()
            .map(String::from)
            .collect();
        if got != want {
            return Err(bad(
                1,
                "(header)",
                "expected the runs.csv header of a session sweep".into(),
            ));
        }
        for (i, rec) in r.records().enumerate() {
            let rec = rec.map_err(|e| bad(i + 2, "(row)", e.to_string()))?;
            let t: u64 = rec[JOBS_TOTAL]
                .parse()
                .map_err(|_| bad(i + 2, "jobs_total", "expected a count".into()))?;
            if *total.get_or_insert(t) != t {
                return Err(bad(
                    i + 2,
                    "jobs_total",
                    format!(
                        "this shard belongs to a sweep of {t} jobs, others to {}",
                        total.unwrap_or(0)
                    ),
                ));
            }
            rec[JOB]
                .parse::<u64>()
                .map_err(|_| bad(i + 2, "job", "expected a job index".into()))?;
            for (c, name) in want.iter().enumerate() {
                let text_column = c == 0 || c == 1 || c == 3;
                if !text_column && !is_number_cell(&rec[c]) {
                    return Err(bad(
                        i + 2,
                        name,
                        format!("expected a number, found {:?}", &rec[c]),
                    ));
                }
            }
            rows.push(rec.iter().map(String::from).collect());
        }
    }
    rows.sort_by_key(|r| r[JOB].parse::<u64>().unwrap_or(u64::MAX));
    let total = total.unwrap_or(0);
    let whole = |msg: String| MergeError::Input(ConfigError::whole_file(&files[0], msg));
    if rows.is_empty() {
        return Err(whole(
            "the shards hold no runs: nothing to merge (did they fail, or were they given empty folders?)".into(),
        ));
    }
    for (i, r) in rows.iter().enumerate() {
        if r[JOB] != i.to_string() {
            return Err(whole(format!(
                "job {i} is missing or repeated (found {}): merge every shard exactly once",
                r[JOB]
            )));
        }
    }
    if rows.len() as u64 != total {
        return Err(whole(format!(
            "the shards hold {} of the sweep's {total} jobs",
            rows.len()
        )));
    }
    let mut quantiles: Vec<Vec<String>> = Vec::new();
    for f in files {
        let qf = f.with_file_name("latency_quantiles.csv");
        quantiles.extend(read_quantiles(&qf, total)?);
    }
    quantiles.sort_by_key(|q| (q[0].parse::<u64>().unwrap_or(u64::MAX), q[1].clone()));
    write_all(out, &rows, &quantiles, &[])
        .map_err(|e| MergeError::Io(format!("cannot write to {}: {e}", out.display())))
}

/// Whether a cell of a numeric column reads as a number (empty: no value).
fn is_number_cell(v: &str) -> bool {
    v.is_empty() || v.parse::<f64>().is_ok()
}

/// The rows of a shard's `latency_quantiles.csv`, checked: its header, three columns per
/// row, a job of the sweep, numbers where numbers belong.
fn read_quantiles(qf: &Path, total: u64) -> Result<Vec<Vec<String>>, MergeError> {
    let bad = |line: usize, field: &str, message: String| {
        MergeError::Input(ConfigError {
            file: qf.to_path_buf(),
            line,
            column: 1,
            field: field.into(),
            message,
        })
    };
    let mut r = csv::Reader::from_path(qf).map_err(|e| {
        MergeError::Input(ConfigError::whole_file(
            qf,
            format!("cannot read shard: {e}"),
        ))
    })?;
    let header: Vec<String> = r
        .headers()
        .map_err(|e| bad(1, "(header)", e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    if header != quantile_header() {
        return Err(bad(
            1,
            "(header)",
            "expected the header job,q,latency_ms".into(),
        ));
    }
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| bad(i + 2, "(row)", e.to_string()))?;
        let job = rec[0].parse::<u64>().ok().filter(|&j| j < total);
        if job.is_none() {
            return Err(bad(
                i + 2,
                "job",
                format!(
                    "expected a job of the sweep (0 to {}), found {:?}",
                    total.saturating_sub(1),
                    &rec[0]
                ),
            ));
        }
        for (c, name) in [(1, "q"), (2, "latency_ms")] {
            if rec[c].parse::<f64>().is_err() {
                return Err(bad(
                    i + 2,
                    name,
                    format!("expected a number, found {:?}", &rec[c]),
                ));
            }
        }
        out.push(rec.iter().map(String::from).collect());
    }
    Ok(out)
}
