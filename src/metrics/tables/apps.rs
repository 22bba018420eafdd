//! `app_latency.csv` rows: latency per application in a run, typed.

use super::cells::{real, CellError, Cells};
use super::key::{RunKey, RUN_COLUMNS};
use crate::metrics::sessions::AppFigures;

/// One application's figures in one run.
#[derive(Debug, Clone, PartialEq)]
pub struct AppRecord {
    /// The sweep point and repetition.
    pub key: RunKey,
    /// Job of the run.
    pub job: u64,
    /// Application name.
    pub app: String,
    /// Its figures (NaN latencies when it reported no sample).
    pub figures: AppFigures,
}

/// Columns after the run's key.
const COLUMNS: [&str; 8] = [
    "job",
    "app",
    "session_hours",
    "slo_violation_ratio",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "latency_mean_ms",
];

/// An application that reported no sample in a run.
pub const NO_SAMPLE: AppFigures = AppFigures {
    session_hours: 0.0,
    slo_violation_ratio: f64::NAN,
    latency_p50_ms: f64::NAN,
    latency_p95_ms: f64::NAN,
    latency_p99_ms: f64::NAN,
    latency_mean_ms: f64::NAN,
};

impl AppRecord {
    /// The header of `app_latency.csv`.
    pub fn header() -> Vec<&'static str> {
        RUN_COLUMNS.iter().chain(&COLUMNS).copied().collect()
    }

    /// Column of the job.
    pub const JOB: usize = RUN_COLUMNS.len();

    /// The row's cells, in [`Self::header`] order.
    pub fn cells(&self) -> Vec<String> {
        let f = &self.figures;
        let mut c = self.key.cells();
        c.extend([self.job.to_string(), self.app.clone()]);
        c.extend(
            [
                f.session_hours,
                f.slo_violation_ratio,
                f.latency_p50_ms,
                f.latency_p95_ms,
                f.latency_p99_ms,
                f.latency_mean_ms,
            ]
            .map(real),
        );
        c
    }

    /// The row of an `app_latency.csv` line.
    pub fn parse(cells: &[&str]) -> Result<AppRecord, CellError> {
        let header = Self::header();
        let mut c = Cells::new(cells, &header)?;
        Ok(AppRecord {
            key: RunKey::parse(&mut c)?,
            job: c.whole()?,
            app: c.text(),
            figures: AppFigures {
                session_hours: c.real()?,
                slo_violation_ratio: c.real()?,
                latency_p50_ms: c.real()?,
                latency_p95_ms: c.real()?,
                latency_p99_ms: c.real()?,
                latency_mean_ms: c.real()?,
            },
        })
    }
}
