//! A run's monitoring samples as the study's Prometheus would hold them (`--metrics
//! openmetrics`): `metrics.om` in the OpenMetrics text format with simulated timestamps, and
//! for session experiments the same samples as `timeseries.csv` (those are rendered job by
//! job in `report/session_metrics`). Names follow Prometheus
//! conventions: an `xrplace_` prefix, base units (`_seconds`, `_ratio`), `_total` on
//! counters (docs/monitoring.md lists every metric).

use super::openmetrics::quote;
use crate::base::units::ns_from_s;
use crate::experiment::ExperimentResult;
use std::fmt::Write;

pub use super::openmetrics::{ClusterNames, Epoch};

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
                    let t_ns = ns_from_s(s.time_s);
                    f.sample("", &labels, get(s), &epoch.stamp(t_ns));
                }
            }
        }
    }
    out.push_str("# EOF\n");
    out
}
