//! `runs.csv` (one row per run) and `summary.csv` (one row per scenario, mean and 95 %
//! confidence half-width over runs, and the scenario's busiest part at steady load with
//! whether its queue grows without bound). Numbers are printed with fixed decimals so equal
//! results give byte-identical files.

use crate::experiment::{ExperimentResult, RunRow};
use crate::metrics::stats::mean_ci95;
use crate::metrics::RunSummary;

/// A per-run figure reported in both files: column name and accessor.
type Metric = (&'static str, fn(&RunSummary) -> f64);

/// The figures, in column order.
pub const METRICS: [Metric; 10] = [
    ("latency_p50_ms", |s| s.latency_p50_ms),
    ("latency_p90_ms", |s| s.latency_p90_ms),
    ("latency_p99_ms", |s| s.latency_p99_ms),
    ("latency_mean_ms", |s| s.latency_mean_ms),
    ("latency_std_ms", |s| s.latency_std_ms),
    ("cpu_p50_pct", |s| s.cpu_p50_pct),
    ("cpu_max_pct", |s| s.cpu_max_pct),
    ("mem_p50_pct", |s| s.mem_p50_pct),
    ("latency_max_ms", |s| s.latency_max_ms),
    ("first_byte_s", |s| s.first_byte_s),
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
    let mut header = vec!["scenario", "run", "seed", "frames", "frames_lost", "events"];
    header.extend(METRICS.iter().map(|(name, _)| *name));
    w.write_record(&header)?;
    for r in &result.rows {
        let mut rec = vec![
            r.scenario.clone(),
            r.run.to_string(),
            r.seed.to_string(),
            r.summary.frames.to_string(),
            r.summary.frames_lost.to_string(),
            r.events.to_string(),
        ];
        rec.extend(METRICS.iter().map(|(_, get)| num(get(&r.summary))));
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(to_string(w))
}

/// One scenario's aggregated figures: (column, mean, 95 % CI half-width).
pub fn scenario_stats(rows: &[&RunRow]) -> Vec<(&'static str, f64, f64)> {
    METRICS
        .iter()
        .map(|(name, get)| {
            let values: Vec<f64> = rows.iter().map(|r| get(&r.summary)).collect();
            let (mean, half) = mean_ci95(&values);
            (*name, mean, half)
        })
        .collect()
}

/// The contents of `summary.csv`.
pub fn summary_csv(result: &ExperimentResult) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![String::from("scenario"), String::from("runs")];
    for (name, _) in METRICS {
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
