//! Outputs of a provisioning experiment: `runs.csv` (one row per repetition),
//! `summary.csv` (one row per distribution and size) and `trace.csv` (every event).

use crate::experiment::provisioning::{distribution_name, ProvisioningResult, ProvisioningRow};
use crate::metrics::stats::mean_ci95;
use crate::world::provisioning::Outcome;

fn secs(ns: u64) -> f64 {
    ns as f64 / 1e9
}

fn num(v: Option<f64>) -> String {
    v.map_or(String::new(), |x| super::number(x, 3))
}

/// Outcome word and reason of a run.
fn outcome(r: &ProvisioningRow) -> (&'static str, String) {
    match &r.report.outcome {
        Outcome::Ready(_) => ("ready", String::new()),
        Outcome::Failed(why) => ("failed", why.clone()),
        Outcome::Deleted(_) => ("deleted", String::new()),
    }
}

/// Seconds from apply to all nodes first Ready, if they ever were.
pub fn total_s(r: &ProvisioningRow) -> Option<f64> {
    r.report.first_ready.map(|t| secs(t.0))
}

/// Seconds from apply to the first control-plane node Ready.
pub fn control_plane_s(r: &ProvisioningRow) -> Option<f64> {
    r.report.control_plane_ready.map(|t| secs(t.0))
}

/// The contents of `runs.csv`.
pub fn runs_csv(res: &ProvisioningResult) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "distribution",
        "nodes",
        "run",
        "experiment_seed",
        "outcome",
        "reason",
        "control_plane_s",
        "total_s",
        "retries",
        "events",
    ])?;
    for r in &res.rows {
        let (word, why) = outcome(r);
        w.write_record([
            distribution_name(r.distribution),
            &r.nodes.to_string(),
            &r.run.to_string(),
            &r.experiment_seed.to_string(),
            word,
            &why,
            &num(control_plane_s(r)),
            &num(total_s(r)),
            &r.report.retries.to_string(),
            &r.report.events.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(w.into_inner().unwrap_or_default())
}

/// Population standard deviation.
/// Population standard deviation of `v` (non-empty).
pub(crate) fn std_of(v: &[f64]) -> f64 {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt()
}

/// The contents of `summary.csv`: one row per (distribution, nodes), in run order.
pub fn summary_csv(res: &ProvisioningResult) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "distribution",
        "nodes",
        "runs",
        "ready_runs",
        "total_s_mean",
        "total_s_std",
        "total_s_ci95",
        "control_plane_s_mean",
        "control_plane_s_std",
        "retries_mean",
    ])?;
    for group in res
        .rows
        .chunk_by(|a, b| a.distribution == b.distribution && a.nodes == b.nodes)
    {
        let first = &group[0];
        let totals: Vec<f64> = group.iter().filter_map(total_s).collect();
        let cps: Vec<f64> = group.iter().filter_map(control_plane_s).collect();
        let (mean, half) = mean_ci95(&totals);
        let retries =
            group.iter().map(|r| r.report.retries as f64).sum::<f64>() / group.len() as f64;
        w.write_record([
            distribution_name(first.distribution).to_string(),
            first.nodes.to_string(),
            group.len().to_string(),
            totals.len().to_string(),
            num(Some(mean)),
            num((!totals.is_empty()).then(|| std_of(&totals))),
            num(Some(half)),
            num(Some(mean_ci95(&cps).0)),
            num((!cps.is_empty()).then(|| std_of(&cps))),
            num(Some(retries)),
        ])?;
    }
    w.flush()?;
    Ok(w.into_inner().unwrap_or_default())
}

/// The contents of `trace.csv`: every event of every run.
pub fn trace_csv(res: &ProvisioningResult) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "distribution",
        "nodes",
        "run",
        "time_s",
        "event",
        "machine",
        "attempt",
        "ready_nodes",
        "ready_cpu_cores",
    ])?;
    for r in &res.rows {
        for e in &r.report.trace {
            w.write_record([
                distribution_name(r.distribution),
                &r.nodes.to_string(),
                &r.run.to_string(),
                &num(Some(secs(e.at.0))),
                e.what,
                &e.machine.map_or(String::new(), |m| m.to_string()),
                &e.attempt.to_string(),
                &e.ready_nodes.to_string(),
                &num(Some(e.ready_cpu_cores)),
            ])?;
        }
    }
    w.flush()?;
    Ok(w.into_inner().unwrap_or_default())
}

/// A table of mean times per distribution and size, for the terminal.
pub fn console_table(res: &ProvisioningResult) -> String {
    let summary = summary_csv(res).unwrap_or_default();
    let mut out = format!(
        "{:<8} {:>5} {:>6} {:>13} {:>11} {:>18}\n",
        "dist", "nodes", "ready", "total_s_mean", "total_s_std", "control_plane_s"
    );
    let mut r = csv::Reader::from_reader(summary.as_slice());
    for rec in r.records().flatten() {
        out.push_str(&format!(
            "{:<8} {:>5} {:>6} {:>13} {:>11} {:>18}\n",
            &rec[0],
            &rec[1],
            format!("{}/{}", &rec[3], &rec[2]),
            &rec[4],
            &rec[5],
            &rec[7]
        ));
    }
    out
}
