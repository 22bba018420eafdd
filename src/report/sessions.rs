//! Outputs of a session experiment: `runs.csv` (one row per strategy and run),
//! `summary.csv` (one row per sweep point: mean and 95 % confidence half-width over runs),
//! `latency_quantiles.csv`, `app_latency.csv` and the figures. They are written from the
//! typed rows of [`crate::metrics::tables`] (a fresh run's, a resumed run's with its kept
//! jobs, or a merge's), and turned into text only here.

use super::figures::Figures;
use super::{atomic, figures};
use crate::experiment::rows::{job_rows, tables};
use crate::experiment::sessions::SessionResult;
use crate::metrics::sessions::SessionSummary;
use crate::metrics::stats::mean_ci95;
use crate::metrics::tables::apps::AppRecord;
use crate::metrics::tables::cells::real;
use crate::metrics::tables::key::{PointKey, POINT_COLUMNS};
use crate::metrics::tables::quantiles::QuantileRecord;
use crate::metrics::tables::runs::{RunRecord, FIGURES};
use crate::metrics::tables::stats::{estimate, mean_quantiles, points, summarize};
use crate::metrics::tables::{JobRows, Tables};
use figures::sessions::{PointFigures, SessionFigures};
use std::path::Path;

/// A CSV file of `header` and `rows`.
fn write_csv<S: AsRef<[u8]>>(
    header: &[&str],
    rows: impl Iterator<Item = Vec<S>>,
) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for r in rows {
        w.write_record(&r)?;
    }
    w.flush()?;
    Ok(w.into_inner().unwrap_or_default())
}

/// The contents of `runs.csv`.
pub fn runs_csv(res: &SessionResult) -> Result<Vec<u8>, csv::Error> {
    runs_table(&tables(res).runs)
}

fn runs_table(runs: &[RunRecord]) -> Result<Vec<u8>, csv::Error> {
    write_csv(&RunRecord::header(), runs.iter().map(RunRecord::cells))
}

/// The contents of `summary.csv`.
pub fn summary_csv(res: &SessionResult) -> Result<Vec<u8>, csv::Error> {
    summary_table(&tables(res).runs)
}

/// `summary.csv` of `runs`: one row per sweep point, in job order, each figure's mean over
/// runs and its 95 % confidence half-width.
fn summary_table(runs: &[RunRecord]) -> Result<Vec<u8>, csv::Error> {
    let mut head: Vec<String> = POINT_COLUMNS.iter().map(|k| k.to_string()).collect();
    head.push(String::from("runs"));
    head.push(String::from("slo_latency_ms"));
    for f in FIGURES {
        head.push(f.name.to_string());
        head.push(format!("{}_ci95", f.name));
    }
    let head: Vec<&str> = head.iter().map(String::as_str).collect();
    let rows = summarize(runs).into_iter().map(|p| {
        let mut rec = p.point.cells();
        rec.push(p.runs.to_string());
        rec.push(real(p.slo_latency_ms));
        for e in &p.figures {
            rec.push(real(e.mean));
            rec.push(real(e.ci95));
        }
        rec
    });
    write_csv(&head, rows)
}

/// Writes the output of a resumed run: the jobs run now (`res`) and those finished before
/// (`cached`: their rows of every table), in job order, byte for byte what an
/// uninterrupted run writes.
pub fn write_resumed(
    dir: &Path,
    res: &SessionResult,
    cached: Vec<JobRows>,
    extra: &[(&str, Vec<u8>)],
    streamed: &[atomic::Streamed],
    plots: Figures,
) -> std::io::Result<()> {
    let jobs = res
        .rows
        .iter()
        .map(|r| job_rows(r, res.jobs_total, &res.apps))
        .chain(cached)
        .collect();
    write_all(dir, &Tables::of_jobs(jobs), extra, streamed, plots)
}

/// The label of a key cell shown in a panel title: a number in its short form.
fn shown(cell: &str) -> String {
    cell.parse::<f64>()
        .map_or(cell.to_string(), |x| figures::short(x, 6))
}

/// The panel of a sweep point: the point axes (`shown`, indices into [`POINT_COLUMNS`])
/// that vary across the sweep, as "key = value".
fn panel_label(point: &PointKey, axes: &[usize]) -> String {
    let cells = point.cells();
    axes.iter()
        .map(|&i| format!("{} = {}", POINT_COLUMNS[i], shown(&cells[i])))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the sweep's figures show, from its typed rows.
fn figure_data(runs: &[RunRecord], quantiles: &[QuantileRecord]) -> SessionFigures {
    let first = runs
        .first()
        .map(|r| r.key.point.cells())
        .unwrap_or_default();
    let axes: Vec<usize> = (1..POINT_COLUMNS.len())
        .filter(|&i| runs.iter().any(|r| r.key.point.cells()[i] != first[i]))
        .collect();
    let points = points(runs)
        .map(|group| {
            let jobs: Vec<u64> = group.iter().map(|r| r.job).collect();
            PointFigures {
                strategy: group[0].key.point.strategy.clone(),
                panel: panel_label(&group[0].key.point, &axes),
                quantiles: mean_quantiles(quantiles, &jobs),
                usage_cost_usd: estimate(group, "usage_cost_usd"),
                slo_violation_ratio: estimate(group, "slo_violation_ratio"),
                rejected_ratio: estimate(group, "rejected_ratio").mean,
            }
        })
        .collect();
    SessionFigures {
        slo_latency_ms: runs
            .first()
            .and_then(|r| real(r.slo_latency_ms).parse().ok()),
        points,
    }
}

/// Writes every output of a session sweep from its typed rows.
pub(crate) fn write_all(
    dir: &Path,
    tables: &Tables,
    extra: &[(&str, Vec<u8>)],
    streamed: &[atomic::Streamed],
    plots: Figures,
) -> std::io::Result<()> {
    let (runs, quantiles) = (&tables.runs, &tables.quantiles);
    let runs_csv = runs_table(runs).map_err(std::io::Error::other)?;
    let apps_csv = write_csv(
        &AppRecord::header(),
        tables.apps.iter().map(AppRecord::cells),
    )
    .map_err(std::io::Error::other)?;
    let summary = summary_table(runs).map_err(std::io::Error::other)?;
    let q_csv = write_csv(
        &QuantileRecord::header(),
        quantiles.iter().map(QuantileRecord::cells),
    )
    .map_err(std::io::Error::other)?;
    let figs = plots
        .draw(|| figures::sessions::figures(&figure_data(runs, quantiles)))
        .map_err(std::io::Error::other)?;
    let files: Vec<(&str, &[u8])> = vec![
        ("runs.csv", &runs_csv),
        ("summary.csv", &summary),
        ("latency_quantiles.csv", &q_csv),
        ("app_latency.csv", &apps_csv),
    ];
    atomic::write_with_streamed(dir, files, &figs, extra, streamed)
}

/// Writes `runs.csv`, `summary.csv`, `latency_quantiles.csv`, `app_latency.csv` and
/// `plots/*.svg` into `dir` as one output, with `extra` files (a shard's `shard.toml`)
/// and the `streamed` ones (the monitoring samples) among them.
pub fn write_results(
    dir: &Path,
    res: &SessionResult,
    extra: &[(&str, Vec<u8>)],
    streamed: &[atomic::Streamed],
    plots: Figures,
) -> std::io::Result<()> {
    write_all(dir, &tables(res), extra, streamed, plots)
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
