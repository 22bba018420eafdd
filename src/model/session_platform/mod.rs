//! The session platform: what a session world needs of the topology and applications and
//! that does not change during a run (candidate clusters per site with their path costs,
//! access sites and their neighbours). Derived once per topology by [`build_platform`].

mod derive;

pub use derive::{build_platform, liqo_footprint, CLOUD_CANDIDATES, NEAR_ACCESS_SITES};

use super::relay::{RelaySet, RelayUse, Relays, MAX_SESSION_RELAYS};
use super::session::SessionApp;
use super::{ClusterId, Topology};
use crate::config::kinds::PathKind;

/// Everything about the platform that does not change during a run.
pub struct SessionPlatform {
    /// Sites and clusters.
    pub topology: Topology,
    /// Applications.
    pub apps: Vec<SessionApp>,
    /// Candidate clusters per site, nearest first; the first is the home cluster.
    pub candidates: Vec<Vec<Candidate>>,
    /// Sites where users attach.
    pub access_sites: Vec<u32>,
    /// For each site, the nearest access sites (itself first if it is one): where the other
    /// users of a shared session are drawn. At most [`NEAR_ACCESS_SITES`].
    pub near_access: Vec<Vec<u32>>,
    /// User-to-site latency of every site, one way, ms.
    pub access_ms: Vec<f64>,
    /// Whether the cross-cluster path refuses each application (UDP over an L7 kind).
    pub cross_refused: Vec<bool>,
    /// Whether the cross-cluster path cannot reach each application's central
    /// components (UDP over an L7 kind), so only the central cluster can host it.
    pub central_refused: Vec<bool>,
    /// Bandwidth out of each site, Gbit/s.
    pub site_bandwidth_gbps: Vec<f64>,
    /// Path kind between clusters.
    pub cross_kind: PathKind,
    /// Latency budget, ms.
    pub slo_latency_ms: f64,
    /// The cluster running the applications' central components, if any.
    pub central: Option<ClusterId>,
    /// Clusters that do not exist at the start; the control loop creates them when needed
    /// and deletes them when idle. Never a home cluster.
    pub standby: Vec<ClusterId>,
    /// The cross-cluster path's shared servers and their instances.
    pub relays: Relays,
}

impl SessionPlatform {
    /// RTT between two sites, ms, looked up on demand (one route search; for rare events
    /// such as migrations). Infinite if no route exists.
    pub fn site_rtt_ms(&self, a: u32, b: u32) -> f64 {
        use super::SiteId;
        self.topology
            .route(SiteId(a), SiteId(b))
            .map_or(f64::INFINITY, |r| r.rtt_ms as f32 as f64)
    }
}

impl SessionPlatform {
    /// The relays a session of application `app` on candidate `cand` of `site` uses, with
    /// the time its frames of one interval keep each busy.
    pub fn relay_uses(&self, app: u32, site: u32, cand: u32) -> [RelayUse; MAX_SESSION_RELAYS] {
        let c = &self.candidates[site as usize][cand as usize];
        let a = app as usize;
        self.relays
            .session_uses(&self.apps[a], a, &c.relays, c.cluster)
    }
}

/// Whether the cross-cluster path keeps a session off `cluster`: it cannot carry the
/// application there (`cross_refused`, for a cross-cluster candidate), or cannot reach the
/// application's central components from there (`central_refused`, off the `central`
/// cluster). Placement and migration both ask this.
pub fn path_refuses(
    cand: &Candidate,
    cross_refused: bool,
    central: Option<ClusterId>,
    central_refused: bool,
) -> bool {
    let off_central = central.is_some_and(|k| k != cand.cluster);
    (cand.cross_cluster && cross_refused) || (off_central && central_refused)
}

/// A cluster a session may use, with what does not change while it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Which cluster.
    pub cluster: ClusterId,
    /// Access site to the cluster's site, round trip, ms.
    pub rtt_ms: f64,
    /// True unless this is the user's home cluster (the nearest one).
    pub cross_cluster: bool,
    /// Cross-cluster path cost for one frame of each application, ms (0 at home).
    pub path_ms: Vec<f64>,
    /// Round trip from this cluster to the central cluster for each application whose
    /// frames wait for a central component (RTT plus path hop costs), ms; 0 otherwise.
    pub central_ms: Vec<f64>,
    /// The cluster's site bandwidth, Gbit/s.
    pub bandwidth_gbps: f64,
    /// The cluster's vCPU speed ratio.
    pub cpu_speed: f64,
    /// The cluster's site.
    pub site: u32,
    /// Standard deviation of the one-way delay from the access site to the cluster's site
    /// around its mean, ms (frame fidelity draws it per frame; flow fidelity spreads its
    /// sessions' frames by it).
    pub jitter_ms: f64,
    /// RTT from each of the site's [`SessionPlatform::near_access`] sites (same order) to
    /// this cluster's site, ms: what the other users of a shared session see.
    pub near_rtt_ms: [f32; NEAR_ACCESS_SITES],
    /// The shared relays (gateways, node agents) the traversal from the home cluster
    /// crosses ([`crate::model::relay::NO_RELAYS`] at home).
    pub relays: RelaySet,
}
