//! What a session run reports: the observer trait the metrics layer implements, and the
//! reasons a session ends early.

use crate::config::topology::Tier;
use crate::model::ClusterId;

/// Why a session ended early.
pub mod reason {
    /// No ranked cluster had room (or the strategy ranked none).
    pub const NO_CAPACITY: &str = "no-capacity";
    /// Its cluster failed and no other had room.
    pub const CLUSTER_FAILED: &str = "cluster-failed";
    /// Its cluster lost nodes and no other had room.
    pub const NODE_LOST: &str = "node-lost";
    /// A partition separated it from its user and nothing reachable had room.
    pub const PARTITIONED: &str = "partitioned";
}

/// One cluster as its own monitoring sees it at a scrape (what Prometheus in that cluster
/// would report).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterSample {
    /// Which cluster.
    pub cluster: ClusterId,
    /// Reserved share of its CPU, 0..1 (0 while it is down).
    pub cpu_utilisation_ratio: f64,
    /// Reserved share of its memory, 0..1 (0 while it is down).
    pub memory_utilisation_ratio: f64,
    /// Sessions running on it (all applications).
    pub sessions: u32,
    /// Whether it answers the scrape (not failed, not absent).
    pub up: bool,
}

/// One site's egress link at a scrape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SiteSample {
    /// Site index (the topology's site order).
    pub site: u32,
    /// Reserved share of the site's egress bandwidth (session reservations over the link's
    /// bandwidth now, degradations included); above 1 when overloaded.
    pub link_utilisation_ratio: f64,
}

/// Receives what happens to sessions.
pub trait SessionObserver {
    /// A session was admitted on a cluster of `tier`.
    fn admitted(&mut self, tier: Tier);
    /// A session was refused for `reason`.
    fn rejected(&mut self, reason: &'static str);
    /// A running session was ended for `reason`.
    fn dropped(&mut self, reason: &'static str);
    /// A session ran to its end (or to the end of the run).
    fn completed(&mut self);
    /// A session moved to another cluster (after a failure or by the strategy) and was
    /// interrupted for `downtime_s`.
    fn migrated(&mut self, downtime_s: f64);
    /// A UDP flow was refused by a path that cannot carry it.
    fn udp_refused(&mut self);
    /// A session was placed or moved onto a cluster other than its home cluster at run
    /// time (through the cross-cluster path's scheduling surface).
    fn offloaded(&mut self) {}
    /// A latency of sessions of application `app` (its index in the experiment), ms,
    /// standing for `weight_us` of session time (µs): at flow fidelity one or more
    /// sessions at one or more scrapes (a scrape interval each), at frame fidelity one
    /// frame interval (more after skipped frames). Integer weights make the totals
    /// independent of how samples are grouped. `over_budget_us` of that time is over the
    /// latency budget: at frame fidelity all of a frame's or none, at flow fidelity the
    /// expected share of the sessions' frames over it ([`crate::model::frame_spread`]).
    fn latency(&mut self, app: u32, ms: f64, over_budget_us: u64, weight_us: u64);
    /// Sessions of application `app` stood for `weight_us` of session time (µs) behind a
    /// queue at or above utilisation 1: their latency has no bound, so the time counts as
    /// over budget and is reported as overloaded rather than as a latency.
    fn overloaded(&mut self, _app: u32, _weight_us: u64) {}
    /// Sessions stood for `weight_us` of session time (µs) on a cluster whose cores are
    /// overloaded (busy share at or above 1), where processing waits without bound; the
    /// same time is also reported through [`Self::overloaded`].
    fn cpu_saturated(&mut self, _weight_us: u64) {}
    /// Mean and peak CPU reservation of a tier's clusters at a scrape, 0..1.
    fn utilisation(&mut self, tier: Tier, mean: f64, peak: f64);
    /// A cluster gained (`nodes` > 0) or gave back nodes; `failed` if a scale-out did not
    /// bring its nodes up.
    fn scaled(&mut self, nodes: i64, failed: bool);
    /// A Liqo peering came up.
    fn peered(&mut self);
    /// Capacity added by autoscaling or by created clusters was held for `vcpu_hours`; its
    /// unreserved part cost `usd` (reservations on it are in [`Self::cost`]).
    fn added_capacity(&mut self, vcpu_hours: f64, usd: f64);
    /// A standby cluster was created through Cluster API and peered (`ok`), or its
    /// machines failed. Ignored by default.
    fn provisioned(&mut self, _ok: bool) {}
    /// A created cluster was deleted after staying empty. Ignored by default.
    fn deprovisioned(&mut self) {}
    /// Resources a session held on a cluster: vCPU-hours, GiB-hours, their price (USD) and
    /// inter-site egress (GB).
    fn cost(&mut self, vcpu_hours: f64, gib_hours: f64, usd: f64, egress_gb: f64);
    /// Whether the observer wants [`Self::hosted`] at every scrape (counting costs a pass
    /// over clusters and applications per scrape). False by default.
    fn wants_hosted(&self) -> bool {
        false
    }
    /// At a scrape, for every application and cluster that runs some: `sessions` sessions
    /// of application `app` run on `cluster` (capacity planning counts replicas from this).
    /// Called only if [`Self::wants_hosted`]. Ignored by default.
    fn hosted(&mut self, _app: u32, _cluster: ClusterId, _sessions: u32) {}
    /// A scrape's samples are all reported. Ignored by default.
    fn scrape_end(&mut self) {}
    /// Whether the observer wants [`Self::scraped`] and [`Self::cluster_sampled`] at every
    /// scrape (a pass over clusters per scrape). False by default.
    fn wants_clusters(&self) -> bool {
        false
    }
    /// A scrape at simulated time `t_ns` begins; its cluster samples follow. `unreported`
    /// is the session time sampled but not yet reported through [`Self::latency`] and
    /// [`Self::overloaded`] (groups report when they change), so the run's session time
    /// so far is what was reported plus it. Called only if [`Self::wants_clusters`].
    /// Ignored by default.
    fn scraped(&mut self, _t_ns: u64, _unreported: SessionTimeUs) {}
    /// One cluster's sample at the current scrape. Called only if [`Self::wants_clusters`].
    /// Ignored by default.
    fn cluster_sampled(&mut self, _sample: &ClusterSample) {}
    /// One site's link at the current scrape, after the clusters. Called only if
    /// [`Self::wants_clusters`]. Ignored by default.
    fn site_sampled(&mut self, _sample: &SiteSample) {}
    /// Cluster `cluster` used `sample` of energy since the previous report (at every
    /// scrape and at the end of the run; [`super::energy`]). Ignored by default.
    fn energy(&mut self, _cluster: ClusterId, _sample: &EnergySample) {}
}

/// One cluster's energy over an interval, and the part attributed to its sessions.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EnergySample {
    /// Energy of its nodes (IT equipment), J.
    pub it_j: f64,
    /// Energy of the facility for them: IT energy times the site's PUE, J.
    pub facility_j: f64,
    /// The sessions' part of `facility_j`, J.
    pub session_j: f64,
    /// Carbon of `facility_j` at the site's grid intensity, gCO2e.
    pub carbon_g: f64,
    /// The sessions' part of `carbon_g`, gCO2e.
    pub session_carbon_g: f64,
}

/// Session time, µs: all of it and the part whose frames were over the latency budget.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionTimeUs {
    /// All session time.
    pub all: u64,
    /// Session time over budget.
    pub over_budget: u64,
}
