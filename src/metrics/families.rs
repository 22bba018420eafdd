//! The metric families of a session run's monitoring samples (`metrics.om`, written by
//! `report/session_metrics`): name, OpenMetrics type, help and the value of a sample; and a
//! job's part of every family ([`JobMetrics`]), as the job cache keeps it between runs.

use crate::metrics::timeseries::ScrapeCounters;
use crate::world::sessions::ClusterSample;

/// A family of `metrics.om`: name, OpenMetrics type, help.
pub type Header = (&'static str, &'static str, &'static str);

/// A gauge of every cluster: its family and the value of a sample.
pub type ClusterGauge = (Header, fn(&ClusterSample) -> f64);
/// A counter of the run: its family and its value at a scrape.
pub type RunCounter = (Header, fn(&ScrapeCounters) -> f64);

/// Cluster gauges: header and value of a sample.
pub const CLUSTER: [ClusterGauge; 4] = [
    (
        (
            "xrplace_cluster_cpu_utilisation_ratio",
            "gauge",
            "Reserved share of the cluster's CPU (session requests over capacity), 0 while down.",
        ),
        |s| s.cpu_utilisation_ratio,
    ),
    (
        (
            "xrplace_cluster_memory_utilisation_ratio",
            "gauge",
            "Reserved share of the cluster's memory, 0 while down.",
        ),
        |s| s.memory_utilisation_ratio,
    ),
    (
        (
            "xrplace_cluster_sessions",
            "gauge",
            "Sessions running on the cluster.",
        ),
        |s| s.sessions as f64,
    ),
    (
        (
            "xrplace_cluster_up",
            "gauge",
            "1 if the cluster answers the scrape, 0 while it is failed.",
        ),
        |s| if s.up { 1.0 } else { 0.0 },
    ),
];

/// The site links' gauge.
pub const SITE: Header = (
    "xrplace_site_link_utilisation_ratio",
    "gauge",
    "Reserved share of the site's egress bandwidth (session reservations over the link's bandwidth now).",
);

/// The run's counters. The two session-time counters are the SLO's terms: the exported
/// `PrometheusRule` (`src/export/monitoring.rs`) divides their increases, so the rule and
/// `slo_violation_ratio` have one definition.
pub const COUNTERS: [RunCounter; 9] = [
    (
        (
            "xrplace_sessions_admitted",
            "counter",
            "Sessions admitted on a cluster.",
        ),
        |c| c.admitted as f64,
    ),
    (
        (
            "xrplace_sessions_rejected",
            "counter",
            "Sessions refused at arrival.",
        ),
        |c| c.rejected as f64,
    ),
    (
        (
            "xrplace_sessions_dropped",
            "counter",
            "Sessions ended early by faults.",
        ),
        |c| c.dropped as f64,
    ),
    (
        (
            "xrplace_session_migrations",
            "counter",
            "Sessions moved to another cluster.",
        ),
        |c| c.migrations as f64,
    ),
    (
        (
            "xrplace_control_nodes_added",
            "counter",
            "Nodes the control loop added through Cluster API.",
        ),
        |c| c.nodes_added as f64,
    ),
    (
        (
            "xrplace_control_clusters_created",
            "counter",
            "Clusters the control loop created through Cluster API.",
        ),
        |c| c.clusters_created as f64,
    ),
    (
        (
            "xrplace_liqo_peerings",
            "counter",
            "Liqo peerings established during the run.",
        ),
        |c| c.peerings as f64,
    ),
    (
        (
            "xrplace_session_seconds",
            "counter",
            "Session time, summed over sessions.",
        ),
        |c| c.session_s,
    ),
    (
        (
            "xrplace_session_over_budget_seconds",
            "counter",
            "Session time whose frames were over the latency budget (migration downtime included).",
        ),
        |c| c.over_budget_s,
    ),
];

/// The latency summary.
pub const LATENCY: Header = (
    "xrplace_session_latency_seconds",
    "summary",
    "Session latency over the whole run, weighted by session time (at the run's end).",
);

/// Every family, in file order.
pub fn headers() -> Vec<Header> {
    let mut h: Vec<Header> = CLUSTER.iter().map(|(h, _)| *h).collect();
    h.push(SITE);
    h.extend(COUNTERS.iter().map(|(h, _)| *h));
    h.push(LATENCY);
    h
}

/// One job's part of every family of `metrics.om` (sample lines, in family order) and its
/// `timeseries.csv` rows.
#[derive(Debug, Clone, PartialEq)]
pub struct JobMetrics {
    /// Job index in the sweep.
    pub job: u64,
    /// Sample lines per family, in [`headers`] order.
    pub families: Vec<String>,
    /// `timeseries.csv` rows (no header).
    pub timeseries: Vec<u8>,
}

/// A job's parts as kept in the job cache: each family's and the time series' byte
/// length on a line, then the bytes.
pub fn to_cache(p: &JobMetrics) -> Vec<u8> {
    let mut out = Vec::new();
    for f in &p.families {
        out.extend_from_slice(format!("{}\n", f.len()).as_bytes());
        out.extend_from_slice(f.as_bytes());
    }
    out.extend_from_slice(format!("{}\n", p.timeseries.len()).as_bytes());
    out.extend_from_slice(&p.timeseries);
    out
}

/// Job `job`'s parts read back from the cache (`None` if the bytes are not whole).
pub fn from_cache(job: u64, bytes: &[u8]) -> Option<JobMetrics> {
    let mut rest = bytes;
    let mut take = || -> Option<Vec<u8>> {
        let nl = rest.iter().position(|&b| b == b'\n')?;
        let n: usize = std::str::from_utf8(&rest[..nl]).ok()?.parse().ok()?;
        let end = (nl + 1).checked_add(n)?;
        let body = rest.get(nl + 1..end)?.to_vec();
        rest = &rest[end..];
        Some(body)
    };
    let mut families = Vec::new();
    for _ in headers() {
        families.push(String::from_utf8(take()?).ok()?);
    }
    let timeseries = take()?;
    Some(JobMetrics {
        job,
        families,
        timeseries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_parts_read_back_whole() {
        let p = JobMetrics {
            job: 7,
            families: (0..headers().len())
                .map(|i| format!("x{i} 1 2\n"))
                .collect(),
            timeseries: b"a,b\n".to_vec(),
        };
        assert_eq!(from_cache(7, &to_cache(&p)), Some(p.clone()));
        let bytes = to_cache(&p);
        assert_eq!(from_cache(7, &bytes[..bytes.len() - 1]), None);
        assert_eq!(from_cache(7, b"18446744073709551615\nx"), None);
    }
}
