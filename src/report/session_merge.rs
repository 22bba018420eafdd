//! `xrplace merge`: the shards of a session sweep joined into the outputs of one run, byte
//! for byte, after checking that together they hold every job of the sweep exactly once.

use super::app_latency;
use super::sessions::{header, quantile_header, write_all, Tables, JOB, JOBS_TOTAL, Q_JOB, Q_TEXT};
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
/// that together they hold every job of the sweep exactly once; the `extra` files
/// (`meta.toml`, `timing.toml`) are written with them as one output.
pub fn merge_shards(
    files: &[std::path::PathBuf],
    out: &Path,
    extra: &[(&str, Vec<u8>)],
) -> Result<(), MergeError> {
    let want = header();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut total: Option<u64> = None;
    for f in files {
        let bad = |line: usize, field: &str, msg: String| located(f, line, field, msg);
        let mut r = csv::Reader::from_reader(
            crate::config::input::open_regular(
                f,
                "shard's runs.csv",
                crate::config::input::MAX_TABLE_BYTES,
            )
            .map_err(MergeError::Input)?,
        );
        let got = header_of(f, &mut r)?;
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
    let quantile_shape = Shape {
        header: quantile_header(),
        job: Q_JOB,
        text: &Q_TEXT,
        empty_ok: false,
    };
    let app_shape = Shape {
        header: app_latency::header(),
        job: app_latency::JOB,
        text: &app_latency::TEXT,
        empty_ok: true,
    };
    let mut quantiles: Vec<Vec<String>> = Vec::new();
    let mut apps: Vec<Vec<String>> = Vec::new();
    for f in files {
        let qf = f.with_file_name("latency_quantiles.csv");
        quantiles.extend(read_table(&qf, &quantile_shape, total)?);
        let af = f.with_file_name("app_latency.csv");
        apps.extend(read_table(&af, &app_shape, total)?);
    }
    quantiles.sort_by_key(|q| {
        let job = q[Q_JOB].parse::<u64>().unwrap_or(u64::MAX);
        (job, q[Q_JOB + 1].clone())
    });
    // Stable: a job's rows stay in the experiment's application order.
    apps.sort_by_key(|a| a[app_latency::JOB].parse::<u64>().unwrap_or(u64::MAX));
    let tables = Tables {
        runs: rows,
        quantiles,
        apps,
    };
    write_all(out, &tables, extra)
        .map_err(|e| MergeError::Io(format!("cannot write to {}: {e}", out.display())))
}

/// Whether a cell of a numeric column reads as a number (empty: no value).
fn is_number_cell(v: &str) -> bool {
    v.is_empty() || v.parse::<f64>().is_ok()
}

/// An error at `line` and `field` of the shard file `file`.
fn located(file: &Path, line: usize, field: &str, message: String) -> MergeError {
    MergeError::Input(ConfigError {
        file: file.to_path_buf(),
        line,
        column: 1,
        field: field.into(),
        message,
    })
}

/// The header row of the shard file `file`.
fn header_of(
    file: &Path,
    r: &mut csv::Reader<impl std::io::Read>,
) -> Result<Vec<String>, MergeError> {
    let h = r
        .headers()
        .map_err(|e| located(file, 1, "(header)", e.to_string()))?;
    Ok(h.iter().map(String::from).collect())
}

/// What a shard's table must look like: its header, the column of the job index, the
/// columns holding names; every other column holds numbers (empty for no value where
/// `empty_ok`).
struct Shape {
    header: Vec<String>,
    job: usize,
    text: &'static [usize],
    empty_ok: bool,
}

/// The rows of a shard's table `file`, checked: its header, its columns, a job of the
/// sweep, numbers where numbers belong.
fn read_table(file: &Path, shape: &Shape, total: u64) -> Result<Vec<Vec<String>>, MergeError> {
    let bad = |line: usize, field: &str, msg: String| located(file, line, field, msg);
    let mut r = csv::Reader::from_reader(
        crate::config::input::open_regular(
            file,
            "shard's table",
            crate::config::input::MAX_TABLE_BYTES,
        )
        .map_err(MergeError::Input)?,
    );
    let header = header_of(file, &mut r)?;
    if header != shape.header {
        return Err(bad(
            1,
            "(header)",
            format!("expected the header {}", shape.header.join(",")),
        ));
    }
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| bad(i + 2, "(row)", e.to_string()))?;
        let cell = &rec[shape.job];
        if cell.parse::<u64>().ok().filter(|&j| j < total).is_none() {
            return Err(bad(
                i + 2,
                "job",
                format!(
                    "expected a job of the sweep (0 to {}), found {cell:?}",
                    total.saturating_sub(1),
                ),
            ));
        }
        for (c, name) in shape.header.iter().enumerate() {
            if c == shape.job || shape.text.contains(&c) {
                continue;
            }
            let v = &rec[c];
            let ok = if shape.empty_ok {
                is_number_cell(v)
            } else {
                v.parse::<f64>().is_ok()
            };
            if !ok {
                return Err(bad(i + 2, name, format!("expected a number, found {v:?}")));
            }
        }
        out.push(rec.iter().map(String::from).collect());
    }
    Ok(out)
}
