//! `network-aware`: the home cluster (local path) if it meets the budget, then other
//! clusters over Liqo that meet it, lowest latency first; never a path that cannot carry
//! the flow (UDP through an L7 mesh); never a cluster expected to break the budget.

use super::{ObservedView, PlacementRequest, Strategy};
use crate::model::ClusterId;

/// Local first, then tunnels, within the latency budget.
#[derive(Default)]
pub struct NetworkAware {
    ok: Vec<(bool, f64, ClusterId)>,
}

impl Strategy for NetworkAware {
    fn place(&mut self, req: &PlacementRequest, view: &ObservedView, ranked: &mut Vec<ClusterId>) {
        self.ok.clear();
        self.ok.extend(
            req.candidates
                .iter()
                .filter(|c| req.allowed(c) && req.fits(c, view))
                .map(|c| (c.cross_cluster, req.estimate_ms(c, view), c.cluster))
                .filter(|s| s.1 <= req.slo_latency_ms),
        );
        self.ok
            .sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
        ranked.extend(self.ok.iter().map(|s| s.2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_first_when_it_fits_then_tunnels_within_budget_only() {
        let mut f = super::super::fixture::Fixture::new();
        // Home has one free core for a two-core session; the cloud's 20 ms round trip is
        // over the 15 ms budget: only edge 1 is offered.
        assert_eq!(f.ranked(&mut NetworkAware::default()), [1]);
        // With room at home, home first even when a tunnel is faster.
        f.clusters[0].free_cpu_cores = 4.0;
        f.candidates[1].rtt_ms = 1.0;
        assert_eq!(f.ranked(&mut NetworkAware::default()), [0, 1]);
        // A tunnel expected over budget is not offered at all.
        f.candidates[1].rtt_ms = 30.0;
        assert_eq!(f.ranked(&mut NetworkAware::default()), [0]);
    }
}
