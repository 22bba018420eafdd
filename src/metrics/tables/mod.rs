//! Typed rows of a session sweep's tables (`runs.csv`, `latency_quantiles.csv`,
//! `app_latency.csv`) and the statistics over them ([`stats`]: `summary.csv` and the
//! figures). A fresh run, a resumed one (its kept jobs) and a merge of shards hold the same
//! rows; the writer (`report/sessions.rs`) makes text of them only at the end, and every
//! reader parses text back through [`cells`], which names the column of a bad cell.
//!
//! A new column of `runs.csv` is one entry of [`runs::FIGURES`]; a new table is a file here
//! with its record (`header`, `cells`, `parse`), a field of [`JobRows`] and [`Tables`], and
//! its file in `report/sessions.rs`.

pub mod apps;
pub mod cells;
pub mod key;
pub mod quantiles;
pub mod runs;
pub mod stats;

use apps::AppRecord;
use quantiles::QuantileRecord;
use runs::RunRecord;

/// One job's rows of every table (what the job cache keeps of a finished job).
#[derive(Debug, Clone, PartialEq)]
pub struct JobRows {
    /// Its `runs.csv` row.
    pub run: RunRecord,
    /// Its `latency_quantiles.csv` rows, level ascending.
    pub quantiles: Vec<QuantileRecord>,
    /// Its `app_latency.csv` rows, in the experiment's application order.
    pub apps: Vec<AppRecord>,
}

/// The rows of every table of a session sweep, in job order.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    /// `runs.csv`.
    pub runs: Vec<RunRecord>,
    /// `latency_quantiles.csv`.
    pub quantiles: Vec<QuantileRecord>,
    /// `app_latency.csv`.
    pub apps: Vec<AppRecord>,
}

impl Tables {
    /// The tables of `jobs`, in job order.
    pub fn of_jobs(mut jobs: Vec<JobRows>) -> Tables {
        jobs.sort_by_key(|j| j.run.job);
        let mut t = Tables::default();
        for j in jobs {
            t.runs.push(j.run);
            t.quantiles.extend(j.quantiles);
            t.apps.extend(j.apps);
        }
        t
    }
}
