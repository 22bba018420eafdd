//! `xrplace merge`: the shards of a session sweep joined into the outputs of one run, byte
//! for byte, after checking that together they hold every job of the sweep exactly once.
//! The shards' tables are read back into the typed rows a run writes
//! ([`super::shard_tables`]), and written as one run writes them.

use super::figures::Figures;
use super::sessions::write_all;
use super::shard_tables::{located, read_runs, read_table, Shape};
use crate::config::ConfigError;
use crate::metrics::tables::apps::AppRecord;
use crate::metrics::tables::quantiles::QuantileRecord;
use crate::metrics::tables::runs::RunRecord;
use crate::metrics::tables::Tables;
use std::path::{Path, PathBuf};

pub use super::shard_tables::MergeError;

/// Joins the tables of every shard (`files`: their `runs.csv`, beside
/// `latency_quantiles.csv` and `app_latency.csv`) into the outputs of one run in `out`,
/// checking that together they hold every job of the sweep exactly once; the `extra`
/// files (`meta.toml`, `timing.toml`) and the `streamed` ones (the merged monitoring
/// samples) are written with them as one output.
pub fn merge_shards(
    files: &[PathBuf],
    out: &Path,
    extra: &[(&str, Vec<u8>)],
    streamed: &[super::atomic::Streamed],
) -> Result<(), MergeError> {
    let runs = all_runs(files)?;
    let total = runs.first().map_or(0, |r| r.jobs_total);
    let mut tables = Tables {
        runs,
        ..Tables::default()
    };
    let quantiles = Shape {
        header: QuantileRecord::header(),
        job: QuantileRecord::JOB,
        parse: QuantileRecord::parse,
    };
    let apps = Shape {
        header: AppRecord::header(),
        job: AppRecord::JOB,
        parse: AppRecord::parse,
    };
    for f in files {
        let qf = f.with_file_name("latency_quantiles.csv");
        tables.quantiles.extend(read_table(&qf, &quantiles, total)?);
        let af = f.with_file_name("app_latency.csv");
        tables.apps.extend(read_table(&af, &apps, total)?);
    }
    tables
        .quantiles
        .sort_by(|a, b| a.job.cmp(&b.job).then(a.q.total_cmp(&b.q)));
    // Stable: a job's rows stay in the experiment's application order.
    tables.apps.sort_by_key(|a| a.job);
    write_all(out, &tables, extra, streamed, Figures::Render)
        .map_err(|e| MergeError::Io(format!("cannot write to {}: {e}", out.display())))
}

/// The runs of every shard in job order, checked to be every job of one sweep once.
fn all_runs(files: &[PathBuf]) -> Result<Vec<RunRecord>, MergeError> {
    let mut rows: Vec<RunRecord> = Vec::new();
    let mut total: Option<u64> = None;
    for f in files {
        for (line, run) in read_runs(f)? {
            let t = run.jobs_total;
            if *total.get_or_insert(t) != t {
                return Err(located(
                    f,
                    line,
                    "jobs_total",
                    format!(
                        "this shard belongs to a sweep of {t} jobs, others to {}",
                        total.unwrap_or(0)
                    ),
                ));
            }
            rows.push(run);
        }
    }
    rows.sort_by_key(|r| r.job);
    let total = total.unwrap_or(0);
    let first = files.first().map_or(Path::new("."), PathBuf::as_path);
    let whole = |msg: String| MergeError::Input(ConfigError::whole_file(first, msg));
    if rows.is_empty() {
        return Err(whole(
            "the shards hold no runs: nothing to merge (did they fail, or were they given empty folders?)".into(),
        ));
    }
    for (i, r) in rows.iter().enumerate() {
        if r.job != i as u64 {
            return Err(whole(format!(
                "job {i} is missing or repeated (found {}): merge every shard exactly once",
                r.job
            )));
        }
    }
    if rows.len() as u64 != total {
        return Err(whole(format!(
            "the shards hold {} of the sweep's {total} jobs",
            rows.len()
        )));
    }
    Ok(rows)
}
