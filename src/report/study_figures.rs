//! The study's figures from the results of streaming and provisioning experiments:
//! what `figures::streaming` and `figures::provisioning` draw, and the streaming
//! experiment's `latency_quantiles.csv` they are drawn from.

use super::figures::provisioning::DistributionFigures;
use super::figures::sessions::Estimate;
use super::figures::streaming::ScenarioFigures;
use super::figures::{self, Figure};
use super::provisioning::{std_of, total_s};
use crate::experiment::provisioning::{distribution_name, ProvisioningResult};
use crate::experiment::ExperimentResult;
use crate::metrics::histogram::quantile_levels;
use crate::metrics::stats::mean_ci95;

/// `latency_quantiles.csv` of a streaming experiment: scenario, run, q, latency_ms.
pub fn streaming_quantiles_csv(result: &ExperimentResult) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["scenario", "run", "q", "latency_ms"])?;
    for r in &result.rows {
        for (q, ms) in quantile_levels().zip(&r.summary.latency_quantiles_ms) {
            w.write_record([
                r.scenario.clone(),
                r.run.to_string(),
                q.to_string(),
                super::number(*ms, 3),
            ])?;
        }
    }
    w.flush()?;
    Ok(w.into_inner().unwrap_or_default())
}

fn estimate(values: &[f64]) -> Estimate {
    let (mean, ci95) = mean_ci95(values);
    Estimate { mean, ci95 }
}

/// The latency box plot and the CPU and memory bars of a streaming experiment.
pub fn streaming(result: &ExperimentResult) -> Result<Vec<Figure>, String> {
    let scenarios: Vec<ScenarioFigures> = result
        .scenarios
        .iter()
        .zip(&result.descriptions)
        .map(|(name, description)| {
            let rows = result.rows_of(name);
            let n = rows.len().max(1) as f64;
            let quantiles = quantile_levels()
                .enumerate()
                .map(|(i, q)| {
                    let sum: f64 = rows.iter().map(|r| r.summary.latency_quantiles_ms[i]).sum();
                    (q, sum / n)
                })
                .collect();
            let of = |get: fn(&crate::metrics::RunSummary) -> f64| {
                estimate(&rows.iter().map(|r| get(&r.summary)).collect::<Vec<f64>>())
            };
            ScenarioFigures {
                scenario: name.clone(),
                description: description.clone(),
                quantiles,
                latency_mean_ms: of(|s| s.latency_mean_ms).mean,
                cpu_p50_pct: of(|s| s.cpu_p50_pct),
                mem_p50_pct: of(|s| s.mem_p50_pct),
            }
        })
        .collect();
    figures::streaming::figures(&scenarios)
}

/// Time to Ready per size and distribution of a provisioning experiment.
pub fn provisioning(res: &ProvisioningResult) -> Result<Vec<Figure>, String> {
    let mut series: Vec<DistributionFigures> = Vec::new();
    for group in res
        .rows
        .chunk_by(|a, b| a.distribution == b.distribution && a.nodes == b.nodes)
    {
        let name = distribution_name(group[0].distribution);
        let totals: Vec<f64> = group.iter().filter_map(total_s).collect();
        if totals.is_empty() {
            continue;
        }
        let point = (group[0].nodes, mean_ci95(&totals).0, std_of(&totals));
        match series.iter_mut().find(|s| s.distribution == name) {
            Some(s) => s.points.push(point),
            None => series.push(DistributionFigures {
                distribution: name.to_string(),
                points: vec![point],
            }),
        }
    }
    figures::provisioning::figures(&series)
}
