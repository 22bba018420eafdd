//! `runs.csv` (one row per run) and `summary.csv` (one row per scenario, mean and 95 %
//! confidence half-width over runs, and the scenario's busiest part at steady load with
//! whether its queue grows without bound). Numbers are printed with fixed decimals so equal
//! results give byte-identical files.

use crate::experiment::{ExperimentResult, RunRow};
use crate::metrics::stats::{mean_ci95, quantile_mean_ci95};
use crate::metrics::RunSummary;

/// A per-run figure reported in both files.
pub struct Metric {
    /// Column name (and, with `_ci95`, its half-width's in `summary.csv`).
    pub name: &'static str,
    /// Its value in a run's summary.
    pub of: fn(&RunSummary) -> f64,
    /// Whether it is a quantile of the run's latency histogram, whose interval over runs
    /// is never narrower than the histogram's resolution ([`quantile_mean_ci95`]).
    pub histogram_quantile: bool,
}

/// A figure whose interval over runs is Student's.
const fn plain(name: &'static str, of: fn(&RunSummary) -> f64) -> Metric {
    Metric {
        name,
        of,
        histogram_quantile: false,
    }
}

/// A quantile of the latency histogram.
const fn quantile(name: &'static str, of: fn(&RunSummary) -> f64) -> Metric {
    Metric {
        name,
        of,
        histogram_quantile: true,
    }
}

/// The figures, in column order.
pub const METRICS: [Metric; 10] = [
    quantile("latency_p50_ms", |s| s.latency_p50_ms),
    quantile("latency_p90_ms", |s| s.latency_p90_ms),
    quantile("latency_p99_ms", |s| s.latency_p99_ms),
    plain("latency_mean_ms", |s| s.latency_mean_ms),
    plain("latency_std_ms", |s| s.latency_std_ms),
    plain("cpu_p50_pct", |s| s.cpu_p50_pct),
    plain("cpu_max_pct", |s| s.cpu_max_pct),
    plain("mem_p50_pct", |s| s.mem_p50_pct),
    plain("latency_max_ms", |s| s.latency_max_ms),
    plain("first_byte_s", |s| s.first_byte_s),
];

fn num(v: f64) -> String {
    super::number(v, 3)
}

fn to_string(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    w.into_inner().unwrap_or_default()
}

/// The contents of `runs.csv`.
pub fn runs_csv(result: &ExperimentResult) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "scenario",
        "run",
        "experiment_seed",
        "frames",
        "frames_lost",
        "events",
    ];
    header.extend(METRICS.iter().map(|m| m.name));
    w.write_record(&header)?;
    for r in &result.rows {
        let mut rec = vec![
            r.scenario.clone(),
            r.run.to_string(),
            r.experiment_seed.to_string(),
            r.summary.frames.to_string(),
            r.summary.frames_lost.to_string(),
            r.events.to_string(),
        ];
        rec.extend(METRICS.iter().map(|m| num((m.of)(&r.summary))));
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(to_string(w))
}

/// One scenario's aggregated figures: (column, mean, 95 % CI half-width).
pub fn scenario_stats(rows: &[&RunRow]) -> Vec<(&'static str, f64, f64)> {
    METRICS
        .iter()
        .map(|m| {
            let values: Vec<f64> = rows.iter().map(|r| (m.of)(&r.summary)).collect();
            let (mean, half) = if m.histogram_quantile {
                quantile_mean_ci95(&values)
            } else {
                mean_ci95(&values)
            };
            (m.name, mean, half)
        })
        .collect()
}

/// The contents of `summary.csv`.
pub fn summary_csv(result: &ExperimentResult) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![String::from("scenario"), String::from("runs")];
    for Metric { name, .. } in METRICS {
        header.push(name.to_string());
        header.push(format!("{name}_ci95"));
    }
    header.extend(["bottleneck", "bottleneck_util", "overloaded"].map(String::from));
    w.write_record(&header)?;
    for (scenario, neck) in result.scenarios.iter().zip(&result.bottlenecks) {
        let rows = result.rows_of(scenario);
        let mut rec = vec![scenario.clone(), rows.len().to_string()];
        for (_, mean, half) in scenario_stats(&rows) {
            rec.push(num(mean));
            rec.push(num(half));
        }
        rec.extend([
            neck.at.clone(),
            num(neck.util),
            neck.overloaded().to_string(),
        ]);
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(to_string(w))
}

/// The contents of `timeseries.csv`: every cluster's monitoring samples of every run.
pub fn timeseries_csv(result: &ExperimentResult) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["scenario", "run", "time_s", "cluster", "cpu_pct", "mem_pct"])?;
    for r in &result.rows {
        for s in &r.scrapes {
            w.write_record([
                r.scenario.as_str(),
                &r.run.to_string(),
                &num(s.time_s),
                &s.cluster,
                &num(s.cpu_pct),
                &num(s.mem_pct),
            ])?;
        }
    }
    w.flush()?;
    Ok(to_string(w))
}

/// The contents of `trace.csv`: the named moments of every run.
pub fn trace_csv(result: &ExperimentResult) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["scenario", "run", "time_s", "event"])?;
    for r in &result.rows {
        for (t, what) in &r.trace {
            w.write_record([r.scenario.as_str(), &r.run.to_string(), &num(*t), what])?;
        }
    }
    w.flush()?;
    Ok(to_string(w))
}
