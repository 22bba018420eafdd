//! A session sweep's monitoring samples (`metrics.om`, `timeseries.csv`) job by job. Every
//! metric family of `metrics.om`, and `timeseries.csv`, is its header followed by each
//! job's samples in job order, so the files of a sweep are assembled from per-job parts:
//! a run renders each job's parts as it ends and spools them to disk ([`SampleSpool`]), a
//! shard or a resumed run also keeps them (`.xrplace-jobs/<job>.om`), and `merge` cuts the
//! shards' files back into parts. Either way the bytes equal those of one uninterrupted
//! run.

use super::openmetrics::{quote, ClusterNames, Epoch};
use crate::experiment::rows::run_key;
use crate::experiment::sessions::SessionRow;
use crate::metrics::families::{headers, CLUSTER, COUNTERS, LATENCY, SITE};
use crate::metrics::histogram::quantile_levels;
use crate::metrics::tables::key::RUN_COLUMNS;
use std::fmt::Write;

pub use crate::metrics::families::{from_cache, to_cache, JobMetrics};
pub use merge::{merge, MergedSamples};
pub use spool::{timeseries_part, SampleSpool};

mod merge;
mod spool;

/// The header of `timeseries.csv`.
const TIMESERIES: [&str; 8] = [
    "time_s",
    "cluster",
    "site",
    "tier",
    "cpu_utilisation_ratio",
    "memory_utilisation_ratio",
    "sessions",
    "up",
];

/// Labels naming a run: its sweep point and repetition (`rate` as a label writes it).
pub(super) fn run_labels(
    strategy: &str,
    topology: &str,
    rate: &str,
    fault: &str,
    run: &str,
) -> String {
    format!(
        "strategy=\"{}\",topology=\"{}\",rate_per_s=\"{rate}\",fault_model=\"{}\",run=\"{run}\"",
        quote(strategy),
        quote(topology),
        quote(fault),
    )
}

fn row_labels(r: &SessionRow) -> String {
    run_labels(
        &r.strategy,
        &r.point.topology_name,
        &super::figures::short(r.point.rate_per_s, 6),
        &r.point.fault_model,
        &r.run.to_string(),
    )
}

fn sample(out: &mut String, name: &str, suffix: &str, labels: &str, value: f64, stamp: &str) {
    let _ = writeln!(out, "{name}{suffix}{{{labels}}} {value} {stamp}");
}

/// Job `r`'s parts, if it kept its samples.
pub fn of_row(r: &SessionRow, names: &ClusterNames, epoch: Epoch) -> Option<JobMetrics> {
    let s = r.series.as_ref()?;
    let run = row_labels(r);
    let mut families = Vec::with_capacity(headers().len());
    // Samples are scrape-major; a family lists each series whole, in time order.
    let mut order: Vec<usize> = (0..s.clusters.len()).collect();
    order.sort_by_key(|&k| s.clusters[k].sample.cluster.0);
    let labels: Vec<String> = names.0[r.point.topology]
        .iter()
        .map(|(cluster, site, tier)| {
            format!(
                "{run},cluster=\"{}\",site=\"{}\",tier=\"{tier}\"",
                quote(cluster),
                quote(site)
            )
        })
        .collect();
    for ((name, _, _), get) in CLUSTER {
        let mut f = String::new();
        for &k in &order {
            let p = &s.clusters[k];
            let l = &labels[p.sample.cluster.0 as usize];
            sample(&mut f, name, "", l, get(&p.sample), &epoch.stamp(p.t_ns));
        }
        families.push(f);
    }
    let sites: Vec<String> = names.1[r.point.topology]
        .iter()
        .map(|(site, tier)| format!("{run},site=\"{}\",tier=\"{tier}\"", quote(site)))
        .collect();
    let mut order: Vec<usize> = (0..s.sites.len()).collect();
    order.sort_by_key(|&k| s.sites[k].sample.site);
    let mut f = String::new();
    for k in order {
        let p = &s.sites[k];
        let l = &sites[p.sample.site as usize];
        let v = p.sample.link_utilisation_ratio;
        sample(&mut f, SITE.0, "", l, v, &epoch.stamp(p.t_ns));
    }
    families.push(f);
    for ((name, _, _), get) in COUNTERS {
        let mut f = String::new();
        // Every counter starts the run at 0: the sample at time 0 lets `increase()` over
        // the whole run need no extrapolation.
        if s.scrapes.first().is_some_and(|c| c.t_ns > 0) {
            sample(&mut f, name, "_total", &run, 0.0, &epoch.stamp(0));
        }
        for c in &s.scrapes {
            sample(&mut f, name, "_total", &run, get(c), &epoch.stamp(c.t_ns));
        }
        families.push(f);
    }
    let mut f = String::new();
    let end = s.scrapes.last().map_or(0, |c| c.t_ns);
    for (q, ms) in quantile_levels().zip(&r.summary.latency_quantiles_ms) {
        if ms.is_finite() {
            let l = format!("{run},quantile=\"{q}\"");
            sample(&mut f, LATENCY.0, "", &l, ms / 1e3, &epoch.stamp(end));
        }
    }
    families.push(f);
    Some(JobMetrics {
        job: r.job,
        families,
        timeseries: timeseries_rows(r, names),
    })
}

fn timeseries_rows(r: &SessionRow, names: &ClusterNames) -> Vec<u8> {
    let Some(series) = &r.series else {
        return Vec::new();
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let point = run_key(r).cells();
    let clusters = &names.0[r.point.topology];
    for p in &series.clusters {
        let (cluster, site, tier) = &clusters[p.sample.cluster.0 as usize];
        let mut rec = point.clone();
        rec.extend([
            r.job.to_string(),
            (p.t_ns as f64 / 1e9).to_string(),
            cluster.clone(),
            site.clone(),
            tier.clone(),
            p.sample.cpu_utilisation_ratio.to_string(),
            p.sample.memory_utilisation_ratio.to_string(),
            p.sample.sessions.to_string(),
            u8::from(p.sample.up).to_string(),
        ]);
        let _ = w.write_record(&rec);
    }
    w.into_inner().unwrap_or_default()
}

pub(super) fn timeseries_header() -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(RUN_COLUMNS.iter().chain(&["job"]).chain(&TIMESERIES));
    w.into_inner().unwrap_or_default()
}

/// `metrics.om` and `timeseries.csv` of the jobs `parts`, in job order, built in memory:
/// what [`SampleSpool`] writes, said the plain way for its tests.
#[cfg(test)]
pub(crate) fn assemble(mut parts: Vec<JobMetrics>) -> (Vec<u8>, Vec<u8>) {
    parts.sort_by_key(|p| p.job);
    let mut om = String::new();
    for (i, (name, kind, help)) in headers().into_iter().enumerate() {
        let _ = writeln!(om, "# TYPE {name} {kind}");
        let _ = writeln!(om, "# HELP {name} {help}");
        for p in &parts {
            om.push_str(p.families.get(i).map_or("", String::as_str));
        }
    }
    om.push_str("# EOF\n");
    let mut csv = timeseries_header();
    for p in &parts {
        csv.extend_from_slice(&p.timeseries);
    }
    (om.into_bytes(), csv)
}
