//! `local-search`: a search-based optimiser over the whole running plan.
//!
//! Placement: among candidates the view says fit and whose path carries the flow, those
//! expected to meet the budget come first, cheapest (vCPU price) then fastest; then the
//! rest, fastest first. Plan search, after each new monitored view: every running session
//! the view shows over budget moves to the cheapest candidate expected within budget that
//! has room (a first-improvement local search on time over budget, then cost). Moves update
//! a private copy of the view's free capacity so one round does not overfill a cluster; the
//! world still refuses moves that do not really fit. A moved session is left alone for
//! `COOLDOWN_ROUNDS` views: migrations cost downtime, and a stale view would otherwise move
//! it back and forth. (Moving sessions that meet the budget to cheaper clusters was tried
//! and dropped: on strategies-eu it added migrations and time over budget and saved nothing,
//! because cheapest-first placement already takes the saving.)

use super::{ObservedView, PlacementRequest, Strategy};
use crate::model::ClusterId;
use crate::world::policy::{Move, RebalanceContext};
use std::collections::HashMap;

/// Views a moved session is left alone (10 minutes at the default 15 s scrape).
const COOLDOWN_ROUNDS: u64 = 40;

/// Cost-aware placement and plan-wide repair of sessions over budget.
#[derive(Default)]
pub struct LocalSearch {
    scored: Vec<(bool, f64, f64, ClusterId)>,
    free_cpu: Vec<f64>,
    free_mem: Vec<f64>,
    round: u64,
    moved_at: HashMap<u64, u64>,
}

impl LocalSearch {
    /// The cheapest destination expected within budget for a session of `req` now on
    /// `current`, with room in the private capacity copy.
    fn best_within_budget(
        &self,
        req: &PlacementRequest,
        view: &ObservedView,
        current: ClusterId,
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
            .filter(|x| x.1 <= req.slo_latency_ms)
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
        self.round += 1;
        let round = self.round;
        self.moved_at
            .retain(|_, &mut r| round - r < COOLDOWN_ROUNDS);
        self.free_cpu.clear();
        self.free_mem.clear();
        self.free_cpu
            .extend(view.clusters.iter().map(|c| c.free_cpu_cores));
        self.free_mem
            .extend(view.clusters.iter().map(|c| c.free_memory_mib));
        for s in plan.sessions {
            if self.moved_at.contains_key(&s.id) {
                continue;
            }
            let req = plan.request(s);
            let Some(here) = req.candidates.iter().find(|c| c.cluster == s.cluster) else {
                continue;
            };
            if req.estimate_ms(here, view) <= req.slo_latency_ms {
                continue;
            }
            if let Some(to) = self.best_within_budget(&req, view, s.cluster) {
                moves.push(Move { session: s.id, to });
                self.moved_at.insert(s.id, round);
                self.free_cpu[to.ix()] -= req.app.cpu_cores;
                self.free_mem[to.ix()] -= req.app.memory_mib;
                self.free_cpu[s.cluster.ix()] += req.app.cpu_cores;
                self.free_mem[s.cluster.ix()] += req.app.memory_mib;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::policy::Move;

    #[test]
    fn within_budget_cheapest_first_then_the_rest_fastest_first() {
        let mut f = super::super::fixture::Fixture::new();
        // Only edge 1 fits and meets the budget; home (no room, 2 ms) and the cloud
        // (20 ms) follow, fastest first.
        assert_eq!(f.ranked(&mut LocalSearch::default()), [1, 0, 2]);
        // With room at home, the cheaper of the two edges within budget leads.
        f.clusters[0].free_cpu_cores = 4.0;
        f.clusters[0].cost_per_vcpu_hour_usd = 0.08;
        assert_eq!(f.ranked(&mut LocalSearch::default()), [1, 0, 2]);
        f.clusters[1].cost_per_vcpu_hour_usd = 0.10;
        assert_eq!(f.ranked(&mut LocalSearch::default()), [0, 1, 2]);
    }

    #[test]
    fn a_session_over_budget_moves_once_to_the_cheapest_with_room() {
        let f = super::super::fixture::Fixture::new();
        let mut s = LocalSearch::default();
        // Session 0 on the cloud is over budget; session 1 on edge 1 is within it.
        let to_edge = Move {
            session: 0,
            to: ClusterId(1),
        };
        assert_eq!(f.moves(&mut s, &[2, 1]), [to_edge]);
        // The view has not caught up yet: the moved session is left alone.
        assert_eq!(f.moves(&mut s, &[2, 1]), []);
        // Without room anywhere within budget, nothing moves.
        let mut full = super::super::fixture::Fixture::new();
        full.clusters[1].free_cpu_cores = 1.0;
        assert_eq!(full.moves(&mut LocalSearch::default(), &[2]), []);
    }
}
