//! A run's monitoring samples as the study's Prometheus would hold them (`--metrics
//! openmetrics`): `metrics.om` in the OpenMetrics text format with simulated timestamps, and
//! for session experiments the same samples as `timeseries.csv`. Names follow Prometheus
//! conventions: an `xrplace_` prefix, base units (`_seconds`, `_ratio`), `_total` on
//! counters (docs/monitoring.md lists every metric).

use crate::config::topology::TopologyConfig;
use crate::experiment::sessions::{SessionResult, SessionRow};
use crate::experiment::ExperimentResult;
use crate::metrics::histogram::quantile_levels;
use crate::metrics::timeseries::{RunSeries, ScrapeCounters};
use std::fmt::Write;

/// Where simulated time 0 lies on the wall clock, Unix seconds: 0 keeps simulated time;
/// a recent instant lets Prometheus backfill the samples within its retention.
#[derive(Debug, Clone, Copy, Default)]
pub struct Epoch(pub u64);

impl Epoch {
    /// OpenMetrics timestamp (seconds, millisecond resolution) of simulated `t_ns`.
    fn stamp(self, t_ns: u64) -> String {
        let ms = self.0 as u128 * 1000 + (t_ns / 1_000_000) as u128;
        format!("{}.{:03}", ms / 1000, ms % 1000)
    }
}

/// One metric family being written: its header once, then its samples.
struct Family<'a> {
    out: &'a mut String,
    name: &'static str,
}

impl<'a> Family<'a> {
    fn new(out: &'a mut String, name: &'static str, kind: &str, help: &str) -> Self {
        let _ = writeln!(out, "# TYPE {name} {kind}");
        let _ = writeln!(out, "# HELP {name} {help}");
        Family { out, name }
    }

    /// A sample of the family (`suffix` is `_total` for counters).
    fn sample(&mut self, suffix: &str, labels: &str, value: f64, stamp: &str) {
        let _ = writeln!(
            self.out,
            "{}{suffix}{{{labels}}} {} {stamp}",
            self.name, value
        );
    }
}

/// A label value, escaped as the format asks (backslash, quote, newline).
fn quote(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Labels naming a session run: its sweep point and repetition.
fn run_labels(r: &SessionRow) -> String {
    format!(
        "strategy=\"{}\",topology=\"{}\",rate_per_s=\"{}\",fault_model=\"{}\",run=\"{}\"",
        quote(&r.strategy),
        quote(&r.point.topology_name),
        super::figures::short(r.point.rate_per_s, 6),
        quote(&r.point.fault_model),
        r.run
    )
}

/// Cluster metrics: name, help, value of a sample.
type ClusterMetric = (
    &'static str,
    &'static str,
    fn(&crate::world::sessions::ClusterSample) -> f64,
);

const CLUSTER_METRICS: [ClusterMetric; 4] = [
    (
        "xrplace_cluster_cpu_utilisation_ratio",
        "Reserved share of the cluster's CPU (session requests over capacity), 0 while down.",
        |s| s.cpu_utilisation_ratio,
    ),
    (
        "xrplace_cluster_memory_utilisation_ratio",
        "Reserved share of the cluster's memory, 0 while down.",
        |s| s.memory_utilisation_ratio,
    ),
    (
        "xrplace_cluster_sessions",
        "Sessions running on the cluster.",
        |s| s.sessions as f64,
    ),
    (
        "xrplace_cluster_up",
        "1 if the cluster answers the scrape, 0 while it is failed.",
        |s| if s.up { 1.0 } else { 0.0 },
    ),
];

/// Run counters: name, help, value.
type CounterMetric = (&'static str, &'static str, fn(&ScrapeCounters) -> f64);

/// The run's counters. The two session-time counters are the SLO's terms: the exported
/// `PrometheusRule` (`src/export/monitoring.rs`) divides their increases, so the rule and
/// `slo_violation_ratio` have one definition.
const COUNTERS: [CounterMetric; 9] = [
    (
        "xrplace_sessions_admitted",
        "Sessions admitted on a cluster.",
        |c| c.admitted as f64,
    ),
    (
        "xrplace_sessions_rejected",
        "Sessions refused at arrival.",
        |c| c.rejected as f64,
    ),
    (
        "xrplace_sessions_dropped",
        "Sessions ended early by faults.",
        |c| c.dropped as f64,
    ),
    (
        "xrplace_session_migrations",
        "Sessions moved to another cluster.",
        |c| c.migrations as f64,
    ),
    (
        "xrplace_control_nodes_added",
        "Nodes the control loop added through Cluster API.",
        |c| c.nodes_added as f64,
    ),
    (
        "xrplace_control_clusters_created",
        "Clusters the control loop created through Cluster API.",
        |c| c.clusters_created as f64,
    ),
    (
        "xrplace_liqo_peerings",
        "Liqo peerings established during the run.",
        |c| c.peerings as f64,
    ),
    (
        "xrplace_session_seconds",
        "Session time, summed over sessions.",
        |c| c.session_s,
    ),
    (
        "xrplace_session_over_budget_seconds",
        "Session time whose frames were over the latency budget (migration downtime included).",
        |c| c.over_budget_s,
    ),
];

/// `metrics.om` of a session experiment; `names` are the topology's cluster (and site,
/// tier) names per topology index of each row.
pub fn sessions_openmetrics(res: &SessionResult, names: &ClusterNames, epoch: Epoch) -> String {
    let mut out = String::new();
    // Samples are scrape-major; a family lists each series whole, in time order. The
    // cluster-major order and each series' labels are the same for every family.
    let series: Vec<(&RunSeries, Vec<usize>, Vec<String>)> = res
        .rows
        .iter()
        .filter_map(|r| {
            let s = r.series.as_ref()?;
            let mut order: Vec<usize> = (0..s.clusters.len()).collect();
            order.sort_by_key(|&k| s.clusters[k].sample.cluster.0);
            let run = run_labels(r);
            let labels = names
                .of(r)
                .iter()
                .map(|(cluster, site, tier)| {
                    format!(
                        "{run},cluster=\"{}\",site=\"{}\",tier=\"{tier}\"",
                        quote(cluster),
                        quote(site)
                    )
                })
                .collect();
            Some((s, order, labels))
        })
        .collect();
    for (name, help, get) in CLUSTER_METRICS {
        let mut f = Family::new(&mut out, name, "gauge", help);
        for (s, order, labels) in &series {
            for &k in order {
                let p = &s.clusters[k];
                let labels = &labels[p.sample.cluster.0 as usize];
                f.sample("", labels, get(&p.sample), &epoch.stamp(p.t_ns));
            }
        }
    }
    let mut f = Family::new(
        &mut out,
        "xrplace_site_link_utilisation_ratio",
        "gauge",
        "Reserved share of the site's egress bandwidth (session reservations over the link's bandwidth now).",
    );
    for r in &res.rows {
        let Some(s) = &r.series else { continue };
        let run = run_labels(r);
        let sites = &names.1[r.point.topology];
        let labels: Vec<String> = sites
            .iter()
            .map(|(site, tier)| format!("{run},site=\"{}\",tier=\"{tier}\"", quote(site)))
            .collect();
        let mut order: Vec<usize> = (0..s.sites.len()).collect();
        order.sort_by_key(|&k| s.sites[k].sample.site);
        for k in order {
            let p = &s.sites[k];
            let value = p.sample.link_utilisation_ratio;
            f.sample(
                "",
                &labels[p.sample.site as usize],
                value,
                &epoch.stamp(p.t_ns),
            );
        }
    }
    for (name, help, get) in COUNTERS {
        let mut f = Family::new(&mut out, name, "counter", help);
        for r in &res.rows {
            let Some(series) = &r.series else { continue };
            let labels = run_labels(r);
            // Every counter starts the run at 0: the sample at time 0 lets `increase()`
            // over the whole run need no extrapolation.
            if series.scrapes.first().is_some_and(|c| c.t_ns > 0) {
                f.sample("_total", &labels, 0.0, &epoch.stamp(0));
            }
            for c in &series.scrapes {
                f.sample("_total", &labels, get(c), &epoch.stamp(c.t_ns));
            }
        }
    }
    let mut f = Family::new(
        &mut out,
        "xrplace_session_latency_seconds",
        "summary",
        "Session latency over the whole run, weighted by session time (at the run's end).",
    );
    for r in &res.rows {
        let Some(series) = &r.series else { continue };
        let end = series.scrapes.last().map_or(0, |c| c.t_ns);
        let run = run_labels(r);
        for (q, ms) in quantile_levels().zip(&r.summary.latency_quantiles_ms) {
            if ms.is_finite() {
                let labels = format!("{run},quantile=\"{q}\"");
                f.sample("", &labels, ms / 1e3, &epoch.stamp(end));
            }
        }
    }
    out.push_str("# EOF\n");
    out
}

/// `timeseries.csv` of a session experiment: every cluster at every scrape of every run.
pub fn sessions_timeseries_csv(
    res: &SessionResult,
    names: &ClusterNames,
) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let point = &super::app_latency::HEADER[..=super::app_latency::JOB];
    w.write_record(point.iter().chain(&[
        "time_s",
        "cluster",
        "site",
        "tier",
        "cpu_utilisation_ratio",
        "memory_utilisation_ratio",
        "sessions",
        "up",
    ]))?;
    for r in &res.rows {
        let Some(series) = &r.series else { continue };
        let point = super::app_latency::point_cells(r);
        let clusters = names.of(r);
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
            w.write_record(&rec)?;
        }
    }
    w.flush()?;
    Ok(w.into_inner().unwrap_or_default())
}

/// (cluster, site, tier) names of each topology of a session experiment, by cluster index.
pub struct ClusterNames(
    pub Vec<Vec<(String, String, String)>>,
    /// (site, tier) names of each topology, by site index.
    pub Vec<Vec<(String, String)>>,
);

impl ClusterNames {
    /// The names in each topology, clusters in file order (the session world's ids).
    pub fn of_topologies(topologies: &[TopologyConfig]) -> ClusterNames {
        let names = topologies
            .iter()
            .map(|t| {
                t.clusters
                    .iter()
                    .map(|c| {
                        let tier = t
                            .sites
                            .iter()
                            .find(|s| s.name == c.site)
                            .map_or("", |s| s.tier.name());
                        (c.name.clone(), c.site.clone(), tier.to_string())
                    })
                    .collect()
            })
            .collect();
        let sites = topologies
            .iter()
            .map(|t| {
                t.sites
                    .iter()
                    .map(|s| (s.name.clone(), s.tier.name().to_string()))
                    .collect()
            })
            .collect();
        ClusterNames(names, sites)
    }

    fn of(&self, r: &SessionRow) -> &[(String, String, String)] {
        &self.0[r.point.topology]
    }
}

/// The files `--metrics openmetrics` adds to a session experiment's output.
pub fn session_files(
    res: &SessionResult,
    topologies: &[TopologyConfig],
    epoch: Epoch,
) -> std::io::Result<Vec<(&'static str, Vec<u8>)>> {
    let names = ClusterNames::of_topologies(topologies);
    let csv = sessions_timeseries_csv(res, &names).map_err(std::io::Error::other)?;
    Ok(vec![
        (
            "metrics.om",
            sessions_openmetrics(res, &names, epoch).into_bytes(),
        ),
        ("timeseries.csv", csv),
    ])
}

/// Streaming cluster metrics: name, help, value of a scrape.
type StreamingMetric = (
    &'static str,
    &'static str,
    fn(&crate::experiment::ScrapeRow) -> f64,
);

/// `metrics.om` of a streaming experiment: each cluster's CPU and memory at every scrape.
pub fn streaming_openmetrics(result: &ExperimentResult, epoch: Epoch) -> String {
    let mut out = String::new();
    let gauges: [StreamingMetric; 2] = [
        (
            "xrplace_cluster_cpu_utilisation_ratio",
            "CPU in use over the scrape window, share of the cluster.",
            |s| s.cpu_pct / 100.0,
        ),
        (
            "xrplace_cluster_memory_utilisation_ratio",
            "Memory in use, share of the cluster.",
            |s| s.mem_pct / 100.0,
        ),
    ];
    for (name, help, get) in gauges {
        let mut f = Family::new(&mut out, name, "gauge", help);
        for r in &result.rows {
            let mut clusters: Vec<&str> = r.scrapes.iter().map(|s| s.cluster.as_str()).collect();
            clusters.sort_unstable();
            clusters.dedup();
            for c in clusters {
                let labels = format!(
                    "scenario=\"{}\",run=\"{}\",cluster=\"{}\"",
                    quote(&r.scenario),
                    r.run,
                    quote(c)
                );
                for s in r.scrapes.iter().filter(|s| s.cluster == c) {
                    let t_ns = (s.time_s * 1e9).round() as u64;
                    f.sample("", &labels, get(s), &epoch.stamp(t_ns));
                }
            }
        }
    }
    out.push_str("# EOF\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_shift_and_keep_milliseconds() {
        assert_eq!(Epoch(0).stamp(1_500_000_000), "1.500");
        assert_eq!(Epoch(1_700_000_000).stamp(15_000_000_000), "1700000015.000");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(quote("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
