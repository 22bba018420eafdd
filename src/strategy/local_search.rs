//! `local-search`: a search-based optimiser over the whole running plan.
//!
//! Placement: among candidates the view says fit and whose path carries the flow, those
//! expected to meet the budget come first, cheapest (vCPU price) then fastest; then the
//! rest, fastest first. Rebalancing, after each new monitored view: a hill climb over the
//! running plan with the objective (time over budget, then cost). Every session expected
//! over budget moves to the cheapest candidate expected within budget that has room; up
//! to `CONSOLIDATE` other sessions per round (rotating) move to a cheaper candidate still
//! within budget. Moves update a private copy of the view's free capacity so one round
//! does not overfill a cluster; the world still refuses moves that do not really fit.

use super::{ObservedView, PlacementRequest, Strategy};
use crate::model::ClusterId;
use crate::world::policy::{Move, RebalanceContext};

/// Sessions within budget examined for a cheaper home per round.
const CONSOLIDATE: usize = 200;

/// Cost-aware placement and plan-wide local search.
#[derive(Default)]
pub struct LocalSearch {
    scored: Vec<(bool, f64, f64, ClusterId)>,
    free_cpu: Vec<f64>,
    free_mem: Vec<f64>,
    cursor: usize,
}

impl LocalSearch {
    /// The best destination within budget for a session of `req` now on `current`,
    /// cheaper than `max_cost` (exclusive), with room in the private capacity copy.
    fn best_within_budget(
        &self,
        req: &PlacementRequest,
        view: &ObservedView,
        current: ClusterId,
        max_cost: f64,
    ) -> Option<ClusterId> {
        req.candidates
            .iter()
            .filter(|c| c.cluster != current && req.allowed(c) && view.clusters[c.cluster.ix()].up)
            .filter(|c| {
                self.free_cpu[c.cluster.ix()] >= req.app.cpu_cores
                    && self.free_mem[c.cluster.ix()] >= req.app.memory_mib
            })
            .map(|c| {
                (
                    view.clusters[c.cluster.ix()].cost_per_vcpu_hour_usd,
                    req.estimate_ms(c, view),
                    c.cluster,
                )
            })
            .filter(|x| x.1 <= req.slo_latency_ms && x.0 < max_cost)
            .min_by(|a, b| {
                a.0.total_cmp(&b.0)
                    .then(a.1.total_cmp(&b.1))
                    .then(a.2.cmp(&b.2))
            })
            .map(|x| x.2)
    }
}

impl Strategy for LocalSearch {
    fn place(&mut self, req: &PlacementRequest, view: &ObservedView, ranked: &mut Vec<ClusterId>) {
        self.scored.clear();
        self.scored
            .extend(req.candidates.iter().filter(|c| req.allowed(c)).map(|c| {
                let est = req.estimate_ms(c, view);
                let over = !(req.fits(c, view) && est <= req.slo_latency_ms);
                let cost = view.clusters[c.cluster.ix()].cost_per_vcpu_hour_usd;
                (
                    over,
                    if over { est } else { cost },
                    if over { cost } else { est },
                    c.cluster,
                )
            }));
        self.scored.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(a.1.total_cmp(&b.1))
                .then(a.2.total_cmp(&b.2))
                .then(a.3.cmp(&b.3))
        });
        ranked.extend(self.scored.iter().map(|s| s.3));
    }

    fn wants_rebalance(&self) -> bool {
        true
    }

    fn rebalance(&mut self, plan: &RebalanceContext, view: &ObservedView, moves: &mut Vec<Move>) {
        self.free_cpu.clear();
        self.free_mem.clear();
        self.free_cpu
            .extend(view.clusters.iter().map(|c| c.free_cpu_cores));
        self.free_mem
            .extend(view.clusters.iter().map(|c| c.free_memory_mib));
        let n = plan.sessions.len();
        let start = if n == 0 { 0 } else { self.cursor % n };
        let mut consolidated = 0;
        for k in 0..n {
            let s = &plan.sessions[(start + k) % n];
            let req = plan.request(s);
            let Some(here) = req.candidates.iter().find(|c| c.cluster == s.cluster) else {
                continue;
            };
            let over = req.estimate_ms(here, view) > req.slo_latency_ms;
            let cost_here = view.clusters[s.cluster.ix()].cost_per_vcpu_hour_usd;
            let target = if over {
                self.best_within_budget(&req, view, s.cluster, f64::INFINITY)
            } else if consolidated < CONSOLIDATE {
                consolidated += 1;
                self.best_within_budget(&req, view, s.cluster, cost_here)
            } else {
                None
            };
            if let Some(to) = target {
                moves.push(Move { session: s.id, to });
                self.free_cpu[to.ix()] -= req.app.cpu_cores;
                self.free_mem[to.ix()] -= req.app.memory_mib;
                self.free_cpu[s.cluster.ix()] += req.app.cpu_cores;
                self.free_mem[s.cluster.ix()] += req.app.memory_mib;
            }
        }
        self.cursor = self.cursor.wrapping_add(CONSOLIDATE);
    }
}
