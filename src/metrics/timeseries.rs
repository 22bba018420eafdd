//! A session run's monitoring samples over time: what each cluster's Prometheus would
//! scrape (CPU and memory reservation, sessions, up) and the run's counters at each scrape.
//! Kept only when asked for (`--metrics`), since a long run of many clusters has millions.

use crate::world::sessions::{ClusterSample, SiteSample};

/// The run's counters at one scrape, cumulative from the start of the run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScrapeCounters {
    /// Simulated time of the scrape, ns.
    pub t_ns: u64,
    /// Sessions admitted so far.
    pub admitted: u64,
    /// Sessions refused at arrival so far.
    pub rejected: u64,
    /// Sessions ended by faults so far.
    pub dropped: u64,
    /// Migrations so far.
    pub migrations: u64,
    /// Nodes added by the control loop so far.
    pub nodes_added: u64,
    /// Liqo peerings established so far.
    pub peerings: u64,
    /// Clusters the control loop created through Cluster API so far (failed creations
    /// excluded).
    pub clusters_created: u64,
    /// Session time so far, s (the denominator of the SLO violation ratio).
    pub session_s: f64,
    /// Of it, the time over the latency budget, s (migration downtime included).
    pub over_budget_s: f64,
}

/// One cluster's sample at one scrape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterPoint {
    /// Simulated time of the scrape, ns.
    pub t_ns: u64,
    /// The sample.
    pub sample: ClusterSample,
}

/// One site's link sample at one scrape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SitePoint {
    /// Simulated time of the scrape, ns.
    pub t_ns: u64,
    /// The sample.
    pub sample: SiteSample,
}

/// Every scrape of a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunSeries {
    /// Counters, one per scrape, in time order.
    pub scrapes: Vec<ScrapeCounters>,
    /// Cluster samples, scrape-major, clusters in id order within a scrape.
    pub clusters: Vec<ClusterPoint>,
    /// Site link samples, scrape-major, sites in index order within a scrape.
    pub sites: Vec<SitePoint>,
}
