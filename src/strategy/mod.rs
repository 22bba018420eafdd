//! Strategy layer: placement plug-ins behind [`crate::world::policy::Strategy`], chosen by
//! name in experiment files through a [`Registry`]. A strategy sees only the monitored
//! view and the session's candidate clusters; see `docs/strategies.md` to write one.

mod best_fit;
mod cloud_only;
mod first_fit;
mod latency_greedy;
mod local_search;
mod network_aware;
mod random;
mod round_robin;

use crate::engine::StreamRng;
pub use crate::world::policy::{Candidate, ObservedView, PlacementRequest, Strategy};
use std::collections::BTreeMap;

/// What a strategy gets when it is created for one run.
pub struct StrategyContext {
    /// A random stream of its own, derived from the run's seed.
    pub rng: StreamRng,
}

/// Creates a strategy for one run (a closure, so a strategy written elsewhere, in Python
/// say, can carry what it needs to make an instance).
pub type Factory = std::sync::Arc<dyn Fn(StrategyContext) -> Box<dyn Strategy> + Send + Sync>;

/// Strategies by name.
#[derive(Clone)]
pub struct Registry {
    entries: BTreeMap<String, Factory>,
}

impl Default for Registry {
    fn default() -> Self {
        Self::builtin()
    }
}

impl Registry {
    /// The built-in strategies.
    pub fn builtin() -> Self {
        let mut r = Registry {
            entries: BTreeMap::new(),
        };
        r.register("cloud-only", |_| Box::new(cloud_only::CloudOnly));
        r.register("random", |ctx| Box::new(random::Random { rng: ctx.rng }));
        r.register("round-robin", |_| {
            Box::new(round_robin::RoundRobin::default())
        });
        r.register("first-fit", |_| Box::new(first_fit::FirstFit));
        r.register("best-fit", |_| Box::new(best_fit::BestFit));
        r.register("local-search", |_| {
            Box::new(local_search::LocalSearch::default())
        });
        r.register("latency-greedy", |_| {
            Box::new(latency_greedy::LatencyGreedy::default())
        });
        r.register("network-aware", |_| {
            Box::new(network_aware::NetworkAware::default())
        });
        r
    }

    /// Adds (or replaces) a strategy under `name`.
    pub fn register(
        &mut self,
        name: &str,
        factory: impl Fn(StrategyContext) -> Box<dyn Strategy> + Send + Sync + 'static,
    ) {
        self.entries
            .insert(name.to_string(), std::sync::Arc::new(factory));
    }

    /// A new instance of the strategy called `name`.
    pub fn create(&self, name: &str, ctx: StrategyContext) -> Option<Box<dyn Strategy>> {
        self.entries.get(name).map(|f| f(ctx))
    }

    /// Registered names, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.entries.keys().map(String::as_str).collect()
    }
}

/// Appends the candidates the view says fit (in the given order), then the others, so a
/// stale view does not leave the world without a fallback.
pub(crate) fn fitting_first<'a>(
    req: &PlacementRequest,
    view: &ObservedView,
    order: impl Iterator<Item = &'a Candidate> + Clone,
    ranked: &mut Vec<crate::model::ClusterId>,
) {
    ranked.extend(
        order
            .clone()
            .filter(|c| req.fits(c, view))
            .map(|c| c.cluster),
    );
    ranked.extend(order.filter(|c| !req.fits(c, view)).map(|c| c.cluster));
}

/// A small placement problem for the strategies' unit tests: a session of a two-core
/// application at an access site with three candidates (its edge home with one free core,
/// a second edge with three, a cloud region with forty), as the monitored view sees them.
#[cfg(test)]
pub(crate) mod fixture {
    use super::{Candidate, ObservedView, PlacementRequest};
    use crate::config::topology::Tier;
    use crate::model::session::SessionApp;
    use crate::model::ClusterId;
    use crate::world::policy::{Move, ObservedCluster, RebalanceContext, SessionView, UserGroup};

    /// Candidates (home edge 0, edge 1, cloud 2) and the view of their clusters.
    pub struct Fixture {
        pub app: SessionApp,
        pub candidates: Vec<Candidate>,
        pub clusters: Vec<ObservedCluster>,
        access_ms: Vec<f64>,
    }

    impl Fixture {
        pub fn new() -> Fixture {
            let cand = |i: u32, rtt_ms: f64| Candidate {
                cluster: ClusterId(i),
                rtt_ms,
                cross_cluster: i != 0,
                path_ms: vec![if i == 0 { 0.0 } else { 0.1 }],
                central_ms: vec![0.0],
                bandwidth_gbps: 10.0,
                cpu_speed: 1.0,
                site: i,
                jitter_ms: 0.0,
                near_rtt_ms: [f32::INFINITY; crate::model::session_platform::NEAR_ACCESS_SITES],
                relays: crate::model::relay::NO_RELAYS,
            };
            let seen = |i: u32, tier: Tier, free: f64| ObservedCluster {
                id: ClusterId(i),
                tier,
                free_cpu_cores: free,
                free_memory_mib: 1e6,
                cpu_util: 0.5,
                cpu_stretch: 1.0,
                up: true,
                cost_per_vcpu_hour_usd: 0.04,
                free_gpu_slots: 0,
                gpu_sessions_per_device: 0,
                gpu_slot_memory_gib: 0.0,
            };
            Fixture {
                app: SessionApp::for_tests(),
                candidates: vec![cand(0, 2.0), cand(1, 6.0), cand(2, 20.0)],
                clusters: vec![
                    seen(0, Tier::Edge, 1.0),
                    seen(1, Tier::Edge, 3.0),
                    seen(2, Tier::Cloud, 40.0),
                ],
                access_ms: vec![1.0; 3],
            }
        }

        /// What `strategy` ranks for the session.
        pub fn ranked(&self, strategy: &mut dyn super::Strategy) -> Vec<u32> {
            let req = PlacementRequest {
                app: &self.app,
                app_index: 0,
                access_ms: 1.0,
                candidates: &self.candidates,
                slo_latency_ms: 15.0,
                cross_refused: false,
                central_refused: false,
                users: UserGroup {
                    first: 0,
                    others: &[],
                    access_ms: &self.access_ms,
                    near: &[],
                },
                central: None,
            };
            let view = ObservedView {
                scraped_at_s: 0.0,
                clusters: &self.clusters,
                topology: None,
            };
            let mut ranked = Vec::new();
            strategy.place(&req, &view, &mut ranked);
            ranked.into_iter().map(|c| c.0).collect()
        }

        /// The moves `strategy` proposes for sessions of the application at access site 0
        /// running on the given clusters (session `i` on `on[i]`).
        pub fn moves(&self, strategy: &mut dyn super::Strategy, on: &[u32]) -> Vec<Move> {
            let sessions: Vec<SessionView> = on
                .iter()
                .enumerate()
                .map(|(i, &c)| SessionView {
                    id: i as u64,
                    app: 0,
                    site: 0,
                    cluster: ClusterId(c),
                    others_start: 0,
                    others_len: 0,
                })
                .collect();
            let candidates = [self.candidates.clone()];
            let plan = RebalanceContext {
                sessions: &sessions,
                apps: std::slice::from_ref(&self.app),
                candidates: &candidates,
                access_ms: &self.access_ms,
                slo_latency_ms: 15.0,
                cross_refused: &[false],
                central_refused: &[false],
                user_sites: &[],
                near_access: &[Vec::new()],
                central: None,
            };
            let view = ObservedView {
                scraped_at_s: 0.0,
                clusters: &self.clusters,
                topology: None,
            };
            let mut moves = Vec::new();
            strategy.rebalance(&plan, &view, &mut moves);
            moves
        }
    }
}
