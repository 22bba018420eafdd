//! Outputs of a session experiment: `runs.csv` (one row per strategy and run) and
//! `summary.csv` (one row per strategy: mean and 95 % confidence half-width over runs).

use crate::experiment::sessions::SessionResult;
use crate::metrics::sessions::SessionSummary;
use crate::metrics::stats::mean_ci95;

type Metric = (&'static str, fn(&SessionSummary) -> f64);

/// Reported figures, in column order.
pub const METRICS: [Metric; 23] = [
    ("arrivals", |s| s.arrivals as f64),
    ("admitted", |s| s.admitted as f64),
    ("rejected", |s| s.rejected as f64),
    ("dropped", |s| s.dropped as f64),
    ("completed", |s| s.completed as f64),
    ("migrations", |s| s.migrated as f64),
    ("udp_refused", |s| s.udp_refused as f64),
    ("slo_violation_ratio", |s| s.slo_violation_ratio),
    ("latency_p50_ms", |s| s.latency_p50_ms),
    ("latency_p95_ms", |s| s.latency_p95_ms),
    ("latency_p99_ms", |s| s.latency_p99_ms),
    ("vcpu_hours", |s| s.vcpu_hours),
    ("gib_hours", |s| s.gib_hours),
    ("egress_gb", |s| s.egress_gb),
    ("cost_usd", |s| s.cost_usd),
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
];

fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.6}")
    } else {
        String::new()
    }
}

/// The contents of `runs.csv`.
pub fn runs_csv(res: &SessionResult) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["strategy", "run", "seed", "events"];
    header.extend(METRICS.iter().map(|m| m.0));
    w.write_record(&header)?;
    for r in &res.rows {
        let mut rec = vec![
            r.strategy.clone(),
            r.run.to_string(),
            r.seed.to_string(),
            r.events.to_string(),
        ];
        rec.extend(METRICS.iter().map(|m| num(m.1(&r.summary))));
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(w.into_inner().unwrap_or_default())
}

/// The contents of `summary.csv`.
pub fn summary_csv(res: &SessionResult) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![String::from("strategy"), String::from("runs")];
    for (name, _) in METRICS {
        header.push(name.to_string());
        header.push(format!("{name}_ci95"));
    }
    w.write_record(&header)?;
    for strategy in &res.strategies {
        let rows: Vec<&SessionSummary> = res
            .rows
            .iter()
            .filter(|r| &r.strategy == strategy)
            .map(|r| &r.summary)
            .collect();
        let mut rec = vec![strategy.clone(), rows.len().to_string()];
        for (_, get) in METRICS {
            let (mean, half) = mean_ci95(&rows.iter().map(|s| get(s)).collect::<Vec<f64>>());
            rec.push(num(mean));
            rec.push(num(half));
        }
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(w.into_inner().unwrap_or_default())
}

/// A table of the main figures per strategy, for the terminal.
pub fn console_table(res: &SessionResult) -> String {
    let mut out = format!(
        "{:<16} {:>9} {:>9} {:>8} {:>8} {:>9} {:>9} {:>11}\n",
        "strategy", "admitted", "rejected", "dropped", "slo_viol", "p50_ms", "p99_ms", "cost_usd"
    );
    for strategy in &res.strategies {
        let rows: Vec<&SessionSummary> = res
            .rows
            .iter()
            .filter(|r| &r.strategy == strategy)
            .map(|r| &r.summary)
            .collect();
        let mean = |f: fn(&SessionSummary) -> f64| {
            mean_ci95(&rows.iter().map(|s| f(s)).collect::<Vec<f64>>()).0
        };
        out.push_str(&format!(
            "{:<16} {:>9.0} {:>9.0} {:>8.0} {:>8.4} {:>9.2} {:>9.2} {:>11.2}\n",
            strategy,
            mean(|s| s.admitted as f64),
            mean(|s| s.rejected as f64),
            mean(|s| s.dropped as f64),
            mean(|s| s.slo_violation_ratio),
            mean(|s| s.latency_p50_ms),
            mean(|s| s.latency_p99_ms),
            mean(|s| s.cost_usd),
        ));
    }
    out
}
