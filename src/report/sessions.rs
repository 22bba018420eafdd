//! Outputs of a session experiment: `runs.csv` (one row per strategy and run) and
//! `summary.csv` (one row per strategy: mean and 95 % confidence half-width over runs).

use super::figures::sessions::{Estimate, PointFigures, SessionFigures};
use super::jobs::JobRows;
use super::{app_latency, atomic, figures};
use crate::experiment::sessions::{SessionResult, SessionRow};
use crate::metrics::histogram::quantile_levels;
use crate::metrics::sessions::SessionSummary;
use crate::metrics::stats::mean_ci95;
use std::path::Path;

type Metric = (&'static str, fn(&SessionSummary) -> f64);

/// Reported figures, in column order.
pub const METRICS: [Metric; 38] = [
    ("arrivals", |s| s.arrivals as f64),
    ("admitted", |s| s.admitted as f64),
    ("rejected", |s| s.rejected as f64),
    ("dropped", |s| s.dropped as f64),
    ("dropped_cluster_failed", |s| s.dropped_by[0] as f64),
    ("dropped_node_lost", |s| s.dropped_by[1] as f64),
    ("dropped_partitioned", |s| s.dropped_by[2] as f64),
    ("completed", |s| s.completed as f64),
    ("migrations", |s| s.migrated as f64),
    ("udp_refused", |s| s.udp_refused as f64),
    ("slo_violation_ratio", |s| s.slo_violation_ratio),
    ("latency_p50_ms", |s| s.latency_p50_ms),
    ("latency_p95_ms", |s| s.latency_p95_ms),
    ("latency_p99_ms", |s| s.latency_p99_ms),
    ("latency_mean_ms", |s| s.latency_mean_ms),
    ("vcpu_hours", |s| s.vcpu_hours),
    ("gib_hours", |s| s.gib_hours),
    ("egress_gb", |s| s.egress_gb),
    ("usage_cost_usd", |s| s.usage_cost_usd),
    ("rejected_ratio", |s| {
        if s.arrivals == 0 {
            0.0
        } else {
            s.rejected as f64 / s.arrivals as f64
        }
    }),
    ("util_mean_cloud", |s| s.util_mean[0]),
    ("util_mean_edge", |s| s.util_mean[1]),
    ("util_mean_far_edge", |s| s.util_mean[2]),
    ("util_peak_cloud", |s| s.util_peak[0]),
    ("util_peak_edge", |s| s.util_peak[1]),
    ("util_peak_far_edge", |s| s.util_peak[2]),
    ("dropped_ratio", |s| {
        if s.admitted == 0 {
            0.0
        } else {
            s.dropped as f64 / s.admitted as f64
        }
    }),
    ("nodes_added", |s| s.nodes_added as f64),
    ("nodes_removed", |s| s.nodes_removed as f64),
    ("scale_outs_failed", |s| s.scale_outs_failed as f64),
    ("peerings", |s| s.peerings as f64),
    ("added_vcpu_hours", |s| s.added_vcpu_hours),
    ("clusters_provisioned", |s| s.clusters_provisioned as f64),
    ("provisions_failed", |s| s.provisions_failed as f64),
    ("clusters_deleted", |s| s.clusters_deleted as f64),
    ("offloaded", |s| s.offloaded as f64),
    ("overloaded_session_hours", |s| s.overloaded_session_hours),
    ("cpu_saturated_session_hours", |s| {
        s.cpu_saturated_session_hours
    }),
];

/// Figures that count things: whole numbers in `runs.csv` (so a reader such as pandas
/// types them as integers); their means over runs in `summary.csv` keep decimals.
const COUNTS: [&str; 18] = [
    "arrivals",
    "admitted",
    "rejected",
    "dropped",
    "dropped_cluster_failed",
    "dropped_node_lost",
    "dropped_partitioned",
    "completed",
    "migrations",
    "udp_refused",
    "nodes_added",
    "nodes_removed",
    "scale_outs_failed",
    "peerings",
    "clusters_provisioned",
    "provisions_failed",
    "clusters_deleted",
    "offloaded",
];

fn num(v: f64) -> String {
    super::number(v, 6)
}

/// A figure of one run as `runs.csv` writes it.
fn cell(name: &str, v: f64) -> String {
    if COUNTS.contains(&name) && v.is_finite() && v >= 0.0 {
        (v as u64).to_string()
    } else {
        num(v)
    }
}

/// Column of `runs.csv` holding the job index.
pub const JOB_COLUMN: usize = 6;

/// Columns before the figures: the sweep point, the run and its bookkeeping.
const KEYS: [&str; 10] = [
    "strategy",
    "topology",
    "rate_per_s",
    "fault_model",
    "run",
    "seed",
    "job",
    "jobs_total",
    "events",
    "slo_latency_ms",
];
/// Key columns that identify a sweep point.
const POINT_KEYS: usize = 4;
/// Index of the `job` column.
pub(crate) const JOB: usize = 6;
/// Index of the `jobs_total` column.
pub(crate) const JOBS_TOTAL: usize = 7;
/// Index of the `slo_latency_ms` column: the budget `slo_violation_ratio` is measured against.
const SLO: usize = 9;

/// The header of `runs.csv`.
pub(crate) fn header() -> Vec<String> {
    KEYS.iter()
        .copied()
        .chain(METRICS.iter().map(|m| m.0))
        .map(String::from)
        .collect()
}

/// `runs.csv` rows as text, in job order.
fn run_records(res: &SessionResult) -> Vec<Vec<String>> {
    res.rows
        .iter()
        .map(|r| run_record(r, res.jobs_total))
        .collect()
}

/// One job's `runs.csv` row.
pub(crate) fn run_record(r: &SessionRow, jobs_total: u64) -> Vec<String> {
    let mut rec = app_latency::point_cells(r);
    rec.extend([
        r.seed.to_string(),
        r.job.to_string(),
        jobs_total.to_string(),
        r.events.to_string(),
        num(r.slo_latency_ms),
    ]);
    rec.extend(METRICS.iter().map(|m| cell(m.0, m.1(&r.summary))));
    rec
}

fn write_csv(header: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    w.flush()?;
    Ok(w.into_inner().unwrap_or_default())
}

/// The contents of `runs.csv`.
pub fn runs_csv(res: &SessionResult) -> Result<Vec<u8>, csv::Error> {
    write_csv(&header(), &run_records(res))
}

/// The contents of `summary.csv`, computed from the text of `runs.csv` rows (so a merged
/// set of shards gives the same bytes as one run): one row per sweep point, in job order,
/// each figure's mean over runs and its 95 % confidence half-width.
fn summary_from_records(rows: &[Vec<String>]) -> Result<Vec<u8>, csv::Error> {
    let mut head: Vec<String> = KEYS[..POINT_KEYS].iter().map(|k| k.to_string()).collect();
    head.push(String::from("runs"));
    head.push(KEYS[SLO].to_string());
    for (name, _) in METRICS {
        head.push(name.to_string());
        head.push(format!("{name}_ci95"));
    }
    let mut out = Vec::new();
    for group in rows.chunk_by(|a, b| a[..POINT_KEYS] == b[..POINT_KEYS]) {
        let mut rec: Vec<String> = group[0][..POINT_KEYS].to_vec();
        rec.push(group.len().to_string());
        rec.push(group[0][SLO].clone());
        for i in 0..METRICS.len() {
            let values: Vec<f64> = group
                .iter()
                .map(|r| r[KEYS.len() + i].parse().unwrap_or(f64::NAN))
                .collect();
            let (mean, half) = mean_ci95(&values);
            rec.push(num(mean));
            rec.push(num(half));
        }
        out.push(rec);
    }
    write_csv(&head, &out)
}

/// The contents of `summary.csv`.
pub fn summary_csv(res: &SessionResult) -> Result<Vec<u8>, csv::Error> {
    summary_from_records(&run_records(res))
}

/// `latency_quantiles.csv` rows as text: job, quantile, latency (ms), in job order.
fn quantile_records(res: &SessionResult) -> Vec<Vec<String>> {
    res.rows.iter().flat_map(quantile_rows).collect()
}

/// One job's `latency_quantiles.csv` rows, each with its sweep point spelled out (as in
/// `app_latency.csv`), so the file reads without a join.
pub(crate) fn quantile_rows(r: &SessionRow) -> Vec<Vec<String>> {
    let point = app_latency::point_cells(r);
    r.summary
        .latency_quantiles_ms
        .iter()
        .zip(quantile_levels())
        .map(|(ms, q)| {
            let mut row = point.clone();
            row.extend([r.job.to_string(), q.to_string(), num(*ms)]);
            row
        })
        .collect()
}

/// Columns of `latency_quantiles.csv`: the job, the quantile, the latency.
pub(crate) const Q_JOB: usize = 5;
const Q_LEVEL: usize = 6;
const Q_MS: usize = 7;
/// Columns of `latency_quantiles.csv` that hold names.
pub(crate) const Q_TEXT: [usize; 3] = [0, 1, 3];

/// One job's rows of every file, as the job cache keeps them.
pub(crate) fn job_rows(r: &SessionRow, jobs_total: u64, apps: &[String]) -> JobRows {
    JobRows {
        run: run_record(r, jobs_total),
        quantiles: quantile_rows(r),
        apps: app_latency::rows(r, apps),
    }
}

/// Writes the output of a resumed run: the jobs run now (`res`) and those finished before
/// (`cached`: their rows of every file), in job order, byte for byte what an uninterrupted
/// run writes.
pub fn write_resumed(
    dir: &Path,
    res: &SessionResult,
    cached: Vec<JobRows>,
    extra: &[(&str, Vec<u8>)],
) -> std::io::Result<()> {
    let mut jobs: Vec<JobRows> = res
        .rows
        .iter()
        .map(|r| job_rows(r, res.jobs_total, &res.apps))
        .chain(cached)
        .collect();
    jobs.sort_by_key(|j| j.run[JOB].parse::<u64>().unwrap_or(u64::MAX));
    let tables = Tables {
        quantiles: jobs.iter().flat_map(|j| j.quantiles.clone()).collect(),
        apps: jobs.iter().flat_map(|j| j.apps.clone()).collect(),
        runs: jobs.into_iter().map(|j| j.run).collect(),
    };
    write_all(dir, &tables, extra)
}

/// The rows of every table of a session experiment's output, in job order.
pub(crate) struct Tables {
    /// `runs.csv`.
    pub runs: Vec<Vec<String>>,
    /// `latency_quantiles.csv`.
    pub quantiles: Vec<Vec<String>>,
    /// `app_latency.csv`.
    pub apps: Vec<Vec<String>>,
}

pub(crate) fn quantile_header() -> Vec<String> {
    app_latency::HEADER[..=app_latency::JOB]
        .iter()
        .chain(&["q", "latency_ms"])
        .map(|s| s.to_string())
        .collect()
}

/// The panel of a run's sweep point: the point axes (`shown`) that vary across the
/// sweep, as "key = value".
fn panel_label(run: &[String], shown: &[usize]) -> String {
    shown
        .iter()
        .map(|&i| {
            let v = &run[i];
            let v = v.parse::<f64>().map_or(v.clone(), |x| figures::short(x, 6));
            format!("{} = {v}", KEYS[i])
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Mean and 95 % half-width of column `c` over `group`.
fn estimate(group: &[Vec<String>], c: usize) -> Estimate {
    let v: Vec<f64> = group.iter().filter_map(|r| r[c].parse().ok()).collect();
    let (mean, ci95) = mean_ci95(&v);
    Estimate { mean, ci95 }
}

/// Mean latency per quantile level over the rows of `jobs`.
fn mean_quantiles(quantiles: &[Vec<String>], jobs: &[&str]) -> Vec<(f64, f64)> {
    let mut sums: Vec<(String, f64, usize)> = Vec::new();
    for q in quantiles
        .iter()
        .filter(|q| jobs.contains(&q[Q_JOB].as_str()))
    {
        let Ok(ms) = q[Q_MS].parse::<f64>() else {
            continue;
        };
        match sums.iter_mut().find(|s| s.0 == q[Q_LEVEL]) {
            Some(s) => {
                s.1 += ms;
                s.2 += 1;
            }
            None => sums.push((q[Q_LEVEL].clone(), ms, 1)),
        }
    }
    let mut out: Vec<(f64, f64)> = sums
        .into_iter()
        .filter_map(|(l, sum, n)| Some((l.parse().ok()?, sum / n as f64)))
        .collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

/// What the sweep's figures show, from the text tables (so merged shards draw the same).
fn figure_data(runs: &[Vec<String>], quantiles: &[Vec<String>]) -> SessionFigures {
    let shown: Vec<usize> = (1..POINT_KEYS)
        .filter(|&i| runs.iter().any(|r| r[i] != runs[0][i]))
        .collect();
    let metric = |name: &str| KEYS.len() + METRICS.iter().position(|m| m.0 == name).unwrap_or(0);
    let points = runs
        .chunk_by(|a, b| a[..POINT_KEYS] == b[..POINT_KEYS])
        .map(|group| {
            let jobs: Vec<&str> = group.iter().map(|r| r[JOB].as_str()).collect();
            PointFigures {
                strategy: group[0][0].clone(),
                panel: panel_label(&group[0], &shown),
                quantiles: mean_quantiles(quantiles, &jobs),
                usage_cost_usd: estimate(group, metric("usage_cost_usd")),
                slo_violation_ratio: estimate(group, metric("slo_violation_ratio")),
                rejected_ratio: estimate(group, metric("rejected_ratio")).mean,
            }
        })
        .collect();
    SessionFigures {
        slo_latency_ms: runs.first().and_then(|r| r[SLO].parse().ok()),
        points,
    }
}

/// Writes every output of a session sweep from its text tables.
pub(crate) fn write_all(
    dir: &Path,
    tables: &Tables,
    extra: &[(&str, Vec<u8>)],
) -> std::io::Result<()> {
    let (runs, quantiles) = (&tables.runs, &tables.quantiles);
    let runs_csv = write_csv(&header(), runs).map_err(std::io::Error::other)?;
    let apps_csv =
        write_csv(&app_latency::header(), &tables.apps).map_err(std::io::Error::other)?;
    let summary = summary_from_records(runs).map_err(std::io::Error::other)?;
    let q_csv = write_csv(&quantile_header(), quantiles).map_err(std::io::Error::other)?;
    let figs =
        figures::sessions::figures(&figure_data(runs, quantiles)).map_err(std::io::Error::other)?;
    let files: Vec<(&str, &[u8])> = vec![
        ("runs.csv", &runs_csv),
        ("summary.csv", &summary),
        ("latency_quantiles.csv", &q_csv),
        ("app_latency.csv", &apps_csv),
    ];
    atomic::write_with(dir, files, &figs, extra)
}

/// Writes `runs.csv`, `summary.csv`, `latency_quantiles.csv`, `app_latency.csv` and
/// `plots/*.svg` into `dir`
/// as one output, with `extra` files (a shard's `shard.toml`) among them.
pub fn write_results(
    dir: &Path,
    res: &SessionResult,
    extra: &[(&str, Vec<u8>)],
) -> std::io::Result<()> {
    let tables = Tables {
        runs: run_records(res),
        quantiles: quantile_records(res),
        apps: res
            .rows
            .iter()
            .flat_map(|r| app_latency::rows(r, &res.apps))
            .collect(),
    };
    write_all(dir, &tables, extra)
}

/// A table of the main figures per sweep point, for the terminal.
pub fn console_table(res: &SessionResult) -> String {
    let mut t = super::table::plain(
        &[
            "strategy",
            "topology",
            "faults",
            "rate/s",
            "admitted",
            "rejected",
            "dropped",
            "slo_viol",
            "p50_ms",
            "p99_ms",
            "usage_usd",
        ],
        3,
    );
    for group in res.rows.chunk_by(|a, b| a.point == b.point) {
        let point = &group[0].point;
        let rows: Vec<&SessionSummary> = group.iter().map(|r| &r.summary).collect();
        let mean = |f: fn(&SessionSummary) -> f64| {
            mean_ci95(&rows.iter().map(|s| f(s)).collect::<Vec<f64>>()).0
        };
        t.add_row(vec![
            point.strategy.clone(),
            point.topology_name.clone(),
            point.fault_model.clone(),
            format!("{:.3}", point.rate_per_s),
            format!("{:.0}", mean(|s| s.admitted as f64)),
            format!("{:.0}", mean(|s| s.rejected as f64)),
            format!("{:.0}", mean(|s| s.dropped as f64)),
            format!("{:.4}", mean(|s| s.slo_violation_ratio)),
            format!("{:.2}", mean(|s| s.latency_p50_ms)),
            format!("{:.2}", mean(|s| s.latency_p99_ms)),
            format!("{:.2}", mean(|s| s.usage_cost_usd)),
        ]);
    }
    super::table::render(&t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_job_column_is_the_job() {
        assert_eq!(KEYS[JOB_COLUMN], "job");
    }

    #[test]
    fn every_count_is_a_reported_figure() {
        for c in COUNTS {
            assert!(METRICS.iter().any(|m| m.0 == c), "{c} is not in METRICS");
        }
    }

    #[test]
    fn counts_are_whole_numbers_and_other_figures_keep_decimals() {
        assert_eq!(cell("admitted", 17334.0), "17334");
        assert_eq!(cell("usage_cost_usd", 17334.0), "17334.000000");
        assert_eq!(cell("admitted", f64::NAN), "");
    }
}
