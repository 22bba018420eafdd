//! `app_latency.csv`: latency per application in every run of a session experiment (one
//! row per job and application, in job order, then the experiment's application order),
//! with the sweep point spelled out so the file reads without a join.

use crate::experiment::sessions::SessionRow;
use crate::metrics::sessions::AppFigures;

/// Columns of `app_latency.csv`.
pub const HEADER: [&str; 13] = [
    "strategy",
    "topology",
    "rate_per_s",
    "fault_model",
    "run",
    "job",
    "app",
    "session_hours",
    "slo_violation_ratio",
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "latency_mean_ms",
];

/// Column of the job index.
pub const JOB: usize = 5;
/// Columns that hold names, not numbers.
pub const TEXT: [usize; 4] = [0, 1, 3, 6];

/// An application that reported no sample in a run.
const NONE: AppFigures = AppFigures {
    session_hours: 0.0,
    slo_violation_ratio: f64::NAN,
    latency_p50_ms: f64::NAN,
    latency_p95_ms: f64::NAN,
    latency_p99_ms: f64::NAN,
    latency_mean_ms: f64::NAN,
};

fn num(v: f64) -> String {
    super::number(v, 6)
}

/// The header as text.
pub fn header() -> Vec<String> {
    HEADER.iter().map(|s| s.to_string()).collect()
}

/// The sweep point and run of a job, as the first cells of its rows in every table:
/// strategy, topology, rate, fault model, run.
pub fn point_cells(r: &SessionRow) -> Vec<String> {
    vec![
        r.strategy.clone(),
        r.point.topology_name.clone(),
        num(r.point.rate_per_s),
        r.point.fault_model.clone(),
        r.run.to_string(),
    ]
}

/// One job's rows, one per application of the experiment (`apps`, in file order).
pub fn rows(r: &SessionRow, apps: &[String]) -> Vec<Vec<String>> {
    apps.iter()
        .enumerate()
        .map(|(i, name)| {
            let f = r.summary.per_app.get(i).copied().unwrap_or(NONE);
            let mut row = point_cells(r);
            row.extend([
                r.job.to_string(),
                name.clone(),
                num(f.session_hours),
                num(f.slo_violation_ratio),
                num(f.latency_p50_ms),
                num(f.latency_p95_ms),
                num(f.latency_p99_ms),
                num(f.latency_mean_ms),
            ]);
            row
        })
        .collect()
}
