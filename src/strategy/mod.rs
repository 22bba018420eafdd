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
