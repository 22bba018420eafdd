//! Statistics over a sweep's typed rows: per sweep point, each figure's mean over runs and
//! its 95 % confidence half-width (`summary.csv` and the figures), and the mean latency per
//! quantile level. Each value is taken as its table writes it ([`written`]), so a resumed or
//! merged sweep, whose rows were read back from text, gives the numbers of one run.

use super::key::PointKey;
use super::quantiles::QuantileRecord;
use super::runs::{cell, Kind, RunRecord, FIGURES};
use crate::metrics::stats::{mean_ci95, quantile_mean_ci95};

/// A mean over runs and its 95 % confidence half-width.
#[derive(Debug, Clone, Copy)]
pub struct Estimate {
    /// Mean.
    pub mean: f64,
    /// 95 % half-width (0 with one run).
    pub ci95: f64,
}

/// One sweep point's figures over its runs: a `summary.csv` row.
#[derive(Debug, Clone)]
pub struct PointSummary {
    /// The sweep point.
    pub point: PointKey,
    /// Runs of the point.
    pub runs: usize,
    /// Latency budget of its first run, ms.
    pub slo_latency_ms: f64,
    /// Mean and half-width of each of [`FIGURES`], in its order (NaN when a run has no
    /// value).
    pub figures: Vec<Estimate>,
}

/// Figure `i` of `r` as `runs.csv` writes it (NaN for an empty cell).
pub fn written(r: &RunRecord, i: usize) -> f64 {
    cell(FIGURES[i].kind, r.figures[i])
        .parse()
        .unwrap_or(f64::NAN)
}

/// The runs of each sweep point, in job order (a point's runs are consecutive jobs).
pub fn points(runs: &[RunRecord]) -> impl Iterator<Item = &[RunRecord]> {
    runs.chunk_by(|a, b| a.key.point.same_as(&b.key.point))
}

/// One summary per sweep point, in job order.
pub fn summarize(runs: &[RunRecord]) -> Vec<PointSummary> {
    points(runs)
        .map(|group| PointSummary {
            point: group[0].key.point.clone(),
            runs: group.len(),
            slo_latency_ms: group[0].slo_latency_ms,
            figures: (0..FIGURES.len())
                .map(|i| {
                    let values: Vec<f64> = group.iter().map(|r| written(r, i)).collect();
                    interval(FIGURES[i].kind, &values)
                })
                .collect(),
        })
        .collect()
}

/// Mean and half-width of figure `name` over the runs of `group` that have a value.
pub fn estimate(group: &[RunRecord], name: &str) -> Estimate {
    let i = FIGURES.iter().position(|f| f.name == name);
    let values: Vec<f64> = group
        .iter()
        .filter_map(|r| i.map(|i| written(r, i)))
        .filter(|v| !v.is_nan())
        .collect();
    let kind = i.map_or(Kind::Real, |i| FIGURES[i].kind);
    interval(kind, &values)
}

/// Mean and 95 % half-width of `values` of a figure of `kind`: Student's, and for a
/// histogram quantile no narrower than the histogram's resolution.
fn interval(kind: Kind, values: &[f64]) -> Estimate {
    let (mean, ci95) = match kind {
        Kind::HistogramQuantile => quantile_mean_ci95(values),
        Kind::Count | Kind::Real => mean_ci95(values),
    };
    Estimate { mean, ci95 }
}

/// (level, mean latency in ms) over the quantile rows of `jobs` that have a value, level
/// ascending.
pub fn mean_quantiles(quantiles: &[QuantileRecord], jobs: &[u64]) -> Vec<(f64, f64)> {
    let mut sums: Vec<(f64, f64, usize)> = Vec::new();
    for q in quantiles.iter().filter(|q| jobs.contains(&q.job)) {
        let ms = super::cells::as_written(q.latency_ms);
        if ms.is_nan() {
            continue;
        }
        match sums.iter_mut().find(|s| s.0 == q.q) {
            Some(s) => {
                s.1 += ms;
                s.2 += 1;
            }
            None => sums.push((q.q, ms, 1)),
        }
    }
    let mut out: Vec<(f64, f64)> = sums
        .into_iter()
        .map(|(level, sum, n)| (level, sum / n as f64))
        .collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}
