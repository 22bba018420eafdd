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
