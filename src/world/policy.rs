//! What a placement strategy sees and answers. Strategies live in the strategy layer and
//! implement [`Strategy`]; the world calls them. They see only the monitored view, which
//! lags the world by a scrape interval plus the aggregation delay.

use crate::config::topology::Tier;
use crate::model::egress::EgressWait;
use crate::model::frame_spread::share_over;
use crate::model::session::{
    frame_spread, gpu_render_ms, session_latency_ms, LatencyInputs, SessionApp,
};
use crate::model::session_platform::path_refuses;
use crate::model::topology::Topology;
use crate::model::ClusterId;

/// One cluster as the central monitoring last saw it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObservedCluster {
    /// Which cluster.
    pub id: ClusterId,
    /// Its site's tier.
    pub tier: Tier,
    /// Cores not reserved by sessions at the scrape.
    pub free_cpu_cores: f64,
    /// Memory not reserved at the scrape, MiB.
    pub free_memory_mib: f64,
    /// CPU utilisation at the scrape, 0..1.
    pub cpu_util: f64,
    /// Processing slowdown at that utilisation (contention over the cluster's cores).
    pub cpu_stretch: f64,
    /// Whether it answered the scrape.
    pub up: bool,
    /// Price of a vCPU-hour, USD.
    pub cost_per_vcpu_hour_usd: f64,
    /// GPU slots not held at the scrape (whole GPUs, time-slicing replicas or MIG
    /// instances; 0 on a cluster without GPUs, docs/gpu.md).
    pub free_gpu_slots: u32,
    /// Sessions rendering on one of its GPUs at the scrape (time-slicing contention).
    pub gpu_sessions_per_device: u32,
    /// GPU memory of one of its slots, GiB (0 without GPUs).
    pub gpu_slot_memory_gib: f64,
}

/// The monitored state of every cluster, indexed by [`ClusterId`].
#[derive(Debug, Clone, Copy)]
pub struct ObservedView<'a> {
    /// When the scrape behind this view was taken, s.
    pub scraped_at_s: f64,
    /// Clusters by id.
    pub clusters: &'a [ObservedCluster],
    /// The topology behind the ids (names of clusters and sites, for a strategy that logs
    /// or keys by name); `None` only where a strategy is exercised without a platform.
    pub topology: Option<&'a Topology>,
}

pub use crate::model::session_platform::Candidate;

/// Where a session's users are, for sessions shared by users at several access sites.
#[derive(Debug, Clone, Copy)]
pub struct UserGroup<'a> {
    /// The first user's access site (the candidates are ranked from it).
    pub first: u32,
    /// The other users' access sites (empty for single-user sessions); each is one of
    /// `near`.
    pub others: &'a [u32],
    /// User-to-site latency of every site, one way, ms.
    pub access_ms: &'a [f64],
    /// The access sites nearest the first user's, in the order of
    /// [`Candidate::near_rtt_ms`].
    pub near: &'a [u32],
}

impl UserGroup<'_> {
    /// How much worse the slowest other user fares than the first on candidate `c`, ms
    /// (0 if none fares worse).
    #[inline]
    pub fn penalty_ms(&self, c: &Candidate) -> f64 {
        if self.others.is_empty() {
            return 0.0;
        }
        let first = 2.0 * self.access_ms[self.first as usize] + c.rtt_ms;
        self.others
            .iter()
            .map(|&u| {
                let rtt = self
                    .near
                    .iter()
                    .position(|&x| x == u)
                    .map_or(f32::INFINITY, |j| c.near_rtt_ms[j]);
                2.0 * self.access_ms[u as usize] + rtt as f64 - first
            })
            .fold(0.0, f64::max)
    }
}

/// A session to place.
#[derive(Debug, Clone, Copy)]
pub struct PlacementRequest<'a> {
    /// The application.
    pub app: &'a SessionApp,
    /// Its index (for [`Candidate::path_ms`]).
    pub app_index: usize,
    /// User to access site, one way, ms.
    pub access_ms: f64,
    /// Clusters to choose from, nearest first.
    pub candidates: &'a [Candidate],
    /// Latency budget, ms.
    pub slo_latency_ms: f64,
    /// True if the cross-cluster path cannot carry this application (UDP over an L7 kind).
    pub cross_refused: bool,
    /// True if the cross-cluster path cannot reach the application's central components
    /// (UDP over an L7 kind): only the central cluster can host the session.
    pub central_refused: bool,
    /// Where the session's users are; the session's latency is its slowest user's.
    pub users: UserGroup<'a>,
    /// The cluster running central components (if any application has them).
    pub central: Option<ClusterId>,
}

impl PlacementRequest<'_> {
    /// Latency the session would see on candidate `c` by the observed view, ms.
    pub fn estimate_ms(&self, c: &Candidate, view: &ObservedView) -> f64 {
        session_latency_ms(self.app, &self.latency_inputs(c, view))
            + self.users.penalty_ms(c)
            + if self.app.central_in_path {
                c.central_ms[self.app_index]
            } else {
                0.0
            }
    }

    /// Expected share of the session's frames over the latency budget on candidate `c` by
    /// the observed view, 0..1: the flow model's share ([`share_over`]) around
    /// [`Self::estimate_ms`], with the candidate's route jitter and no egress or relay
    /// wait (the view has none), as the world's sampler measures it once the session runs.
    pub fn share_over_budget(&self, c: &Candidate, view: &ObservedView) -> f64 {
        let x = self.latency_inputs(c, view);
        let spread = frame_spread(self.app, &x, c.jitter_ms, EgressWait::NONE);
        share_over(self.estimate_ms(c, view), self.slo_latency_ms, &spread)
    }

    /// The flow model's inputs for candidate `c` by the observed view (no queueing).
    fn latency_inputs(&self, c: &Candidate, view: &ObservedView) -> LatencyInputs {
        let o = &view.clusters[c.cluster.ix()];
        LatencyInputs {
            access_ms: self.access_ms,
            rtt_ms: c.rtt_ms,
            path_ms: c.path_ms[self.app_index],
            cpu_stretch: o.cpu_stretch,
            cpu_speed: c.cpu_speed,
            bandwidth_gbps: c.bandwidth_gbps,
            egress_wait_ms: 0.0,
            relay_wait_ms: 0.0,
            relay_sd_ms: 0.0,
            gpu_render_ms: self.gpu_render_ms(c, view),
        }
    }

    /// Rendering one of the session's frames on candidate `c`'s GPU by the observed view,
    /// this session added to the device's, ms; infinite for a GPU application where the
    /// view shows no GPU (or no topology to tell).
    fn gpu_render_ms(&self, c: &Candidate, view: &ObservedView) -> f64 {
        if !self.app.needs_gpu() {
            return 0.0;
        }
        let o = &view.clusters[c.cluster.ix()];
        let gpu = view
            .topology
            .and_then(|t| t.cluster(c.cluster).gpu.as_ref());
        gpu_render_ms(self.app, gpu, o.gpu_sessions_per_device + 1).unwrap_or(f64::INFINITY)
    }

    /// Whether the observed view says candidate `c` has room and is up.
    /// With central components, the central cluster must be up and have room for them.
    pub fn fits(&self, c: &Candidate, view: &ObservedView) -> bool {
        let a = self.app;
        let (cpu, mem) = a.local_resources();
        let room = |id: ClusterId, cpu: f64, mem: f64| {
            let o = &view.clusters[id.ix()];
            o.up && o.free_cpu_cores >= cpu && o.free_memory_mib >= mem
        };
        let o = &view.clusters[c.cluster.ix()];
        if a.needs_gpu() && (o.free_gpu_slots == 0 || a.gpu_memory_gib > o.gpu_slot_memory_gib) {
            return false;
        }
        match self.central.filter(|_| a.has_central) {
            Some(k) if k == c.cluster => room(k, a.cpu_cores, a.memory_mib),
            Some(k) => {
                room(c.cluster, cpu, mem) && room(k, a.central_cpu_cores, a.central_memory_mib)
            }
            None => room(c.cluster, a.cpu_cores, a.memory_mib),
        }
    }

    /// Whether the path to candidate `c` can carry the application.
    pub fn allowed(&self, c: &Candidate) -> bool {
        !path_refuses(c, self.cross_refused, self.central, self.central_refused)
    }
}

/// A running session as a strategy sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionView {
    /// Session id (for [`Move`]), unique over the run.
    pub id: u64,
    /// Application index.
    pub app: u32,
    /// Access site index.
    pub site: u32,
    /// Where it runs.
    pub cluster: ClusterId,
    /// Its other users' sites: `others_len` entries of [`RebalanceContext::user_sites`]
    /// from `others_start`.
    pub others_start: u32,
    /// See `others_start`.
    pub others_len: u32,
}

/// A migration a strategy proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    /// Session id ([`SessionView::id`]).
    pub session: u64,
    /// Destination (one of the session's candidates).
    pub to: ClusterId,
}

/// The running plan offered to [`Strategy::rebalance`].
pub struct RebalanceContext<'a> {
    /// Running sessions.
    pub sessions: &'a [SessionView],
    /// Applications by index.
    pub apps: &'a [SessionApp],
    /// Candidates by site.
    pub candidates: &'a [Vec<Candidate>],
    /// Access latency by site, ms.
    pub access_ms: &'a [f64],
    /// Latency budget, ms.
    pub slo_latency_ms: f64,
    /// Whether the cross-cluster path refuses each application.
    pub cross_refused: &'a [bool],
    /// Whether the cross-cluster path cannot reach each application's central components.
    pub central_refused: &'a [bool],
    /// Other users' sites of all sessions (see [`SessionView::others_start`]).
    pub user_sites: &'a [u32],
    /// The nearest access sites of every site (see [`UserGroup::near`]).
    pub near_access: &'a [Vec<u32>],
    /// The cluster running central components.
    pub central: Option<ClusterId>,
}

impl<'a> RebalanceContext<'a> {
    /// The placement request a running session would make now.
    pub fn request(&self, s: &SessionView) -> PlacementRequest<'a> {
        PlacementRequest {
            app: &self.apps[s.app as usize],
            app_index: s.app as usize,
            access_ms: self.access_ms[s.site as usize],
            candidates: &self.candidates[s.site as usize],
            slo_latency_ms: self.slo_latency_ms,
            cross_refused: self.cross_refused[s.app as usize],
            central_refused: self.central_refused[s.app as usize],
            central: self.central,
            users: UserGroup {
                first: s.site,
                others: &self.user_sites
                    [s.others_start as usize..(s.others_start + s.others_len) as usize],
                access_ms: self.access_ms,
                near: &self.near_access[s.site as usize],
            },
        }
    }
}

/// A placement strategy: ranks clusters for each new session.
///
/// The world admits the session on the first ranked cluster that really has room and
/// whose path can carry it; if none does, the session is rejected. Ranking more than one
/// cluster lets a strategy survive its stale view.
pub trait Strategy: Send {
    /// Fills `ranked` (cleared by the caller) with clusters to try, best first.
    fn place(&mut self, req: &PlacementRequest, view: &ObservedView, ranked: &mut Vec<ClusterId>);

    /// Whether the world should offer the running plan to [`Strategy::rebalance`] after
    /// each new monitored view (building that offer costs time, so it is opt-in).
    fn wants_rebalance(&self) -> bool {
        false
    }

    /// Proposes migrations of running sessions. The world applies a move only if the
    /// destination is one of the session's candidates, its path can carry the flow and it
    /// really has room; each applied move costs the session a migration downtime.
    fn rebalance(
        &mut self,
        _plan: &RebalanceContext,
        _view: &ObservedView,
        _moves: &mut Vec<Move>,
    ) {
    }
}
