//! The search itself (the steps listed in [`super`]): the naive plans, then per strategy an
//! exhaustive search or a warm start, repair and best-first search, within the strategy's
//! share of the budget, and the hold-outs with their restarts.

use super::evaluation::{rank, Proposal, HOLDOUT};
use super::moves::Step;
use super::price::cluster_usd_per_day;
use super::start::Demand;
use super::PlanSearch;

/// Plans simulated at once in an exhaustive search.
const EXHAUSTIVE_BATCH: usize = 64;

impl PlanSearch<'_> {
    /// The naive plan of every strategy, then the search of each that meets the SLO.
    pub(super) fn search(&mut self) {
        let naive_nodes = self.space.naive();
        let strategies = self.s.strategies.clone();
        let batch = strategies
            .iter()
            .map(|st| {
                Proposal::new(
                    naive_nodes.clone(),
                    st,
                    "naive",
                    None,
                    "every candidate at the biggest size",
                )
            })
            .collect();
        let naive = self.tried.evaluate(batch);
        let share = self.first_pass_budget() / strategies.len();
        for (i, (st, n)) in strategies.iter().zip(naive).enumerate() {
            self.budget_end = share * (i + 1);
            if self.tried.get(n).meets {
                self.search_strategy(st, n);
            }
        }
    }

    /// Simulates the proposals not simulated before, the longest prefix of them the budget
    /// allows (plans already simulated cost nothing); their indices.
    fn evaluate(&mut self, mut batch: Vec<Proposal>) -> Vec<usize> {
        let mut room = self.budget_end.saturating_sub(self.tried.searched());
        let keep = batch
            .iter()
            .take_while(|p| {
                let known = self.tried.knows(p);
                let fits = known || room > 0;
                room -= usize::from(!known && fits);
                fits
            })
            .count();
        batch.truncate(keep);
        let ids = self.tried.evaluate(batch);
        if let Some(&last) = ids.last() {
            let e = self.tried.get(last);
            let line = format!(
                "{} candidate plans simulated ({}, {})",
                self.tried.count(),
                e.phase,
                e.strategy
            );
            self.log.write(false, || format!("progress: {line}"));
            self.progress.set_message(line);
        }
        ids
    }

    /// Plans the first pass may simulate (all strategies): all of `max_candidates`
    /// without restarts, else three quarters, the rest kept for the restarts.
    fn first_pass_budget(&self) -> usize {
        let all = self.plan.max_candidates as usize;
        if self.plan.holdout_restarts == 0 {
            all
        } else {
            all - all / 4
        }
    }

    /// Whether the current strategy may simulate more plans: each strategy gets an equal
    /// share of `max_candidates` (naive plans included).
    fn budget_left(&self) -> bool {
        self.tried.searched() < self.budget_end
    }

    fn search_strategy(&mut self, strategy: &str, naive: usize) {
        let plans = self.space.plans();
        let share = (self.plan.max_candidates as usize / self.s.strategies.len()) as u64;
        if plans <= self.plan.exhaustive_max_plans as u64 && plans <= share {
            // Needs no restarts: its share of the whole budget, the naive plan included.
            let end = self.budget_end;
            self.budget_end = self.tried.searched() + plans as usize - 1;
            self.exhaustive_search(strategy);
            self.budget_end = end;
            return;
        }
        self.warm_start_and_repair(strategy, naive);
        self.best_first(strategy);
    }

    /// Simulates every plan of the space.
    fn exhaustive_search(&mut self, strategy: &str) {
        for chunk in self.space.all().chunks(EXHAUSTIVE_BATCH) {
            let batch = chunk
                .iter()
                .map(|n| Proposal::new(n.clone(), strategy, "exhaustive", None, "every plan"))
                .collect();
            self.evaluate(batch);
        }
        self.exhaustive.push(strategy.to_string());
    }

    /// The warm start from the naive plan's peak demand, grown until it meets the SLO.
    fn warm_start_and_repair(&mut self, strategy: &str, naive: usize) {
        let warm = self.demand().warm_start(self.tried.get(naive));
        let step = "smallest sizes holding the naive plan's peak demand";
        let parent = Some(naive as u32);
        let first = Proposal::new(warm, strategy, "warm-start", parent, step);
        // An empty answer: the budget was spent (by the naive plans when it is tiny).
        let Some(&(mut cur)) = self.evaluate(vec![first]).first() else {
            return;
        };
        while !self.tried.get(cur).meets && self.budget_left() {
            let grown = self
                .demand()
                .grow(self.tried.get(cur), self.tried.get(naive));
            if grown == self.tried.get(cur).nodes {
                break;
            }
            let parent = Some(cur as u32);
            let step = "full clusters one size bigger";
            let next = Proposal::new(grown, strategy, "repair", parent, step);
            let Some(&next) = self.evaluate(vec![next]).first() else {
                return;
            };
            cur = next;
        }
    }

    /// Expands the cheapest unexpanded plan among the `beam_width` cheapest that meet the
    /// SLO, until they have all been expanded or the budget is spent.
    fn best_first(&mut self, strategy: &str) {
        while self.budget_left() {
            let Some(p) = self.next_to_expand(strategy) else {
                break;
            };
            self.expanded.insert(p);
            self.expand(p, strategy);
        }
    }

    /// The plans of `strategy` that met the SLO in the search and were not set aside by a
    /// hold-out, cheapest first.
    fn feasible(&self, strategy: &str) -> Vec<usize> {
        let mut v: Vec<usize> = (0..self.tried.count())
            .filter(|&i| {
                let e = self.tried.get(i);
                e.meets && e.strategy == strategy && e.phase != HOLDOUT && !self.holdout.failed(i)
            })
            .collect();
        v.sort_by(|&a, &b| self.rank(a, b));
        v
    }

    fn next_to_expand(&self, strategy: &str) -> Option<usize> {
        self.feasible(strategy)
            .into_iter()
            .take(self.plan.beam_width as usize)
            .find(|i| !self.expanded.contains(i))
    }

    /// Simulates the neighbours of plan `p`: its one-step shrinks, then a combination of
    /// those that met the SLO (biggest savings first), then exchanges around those that
    /// missed it.
    fn expand(&mut self, p: usize, strategy: &str) {
        let nodes = self.tried.get(p).nodes.clone();
        let shrinks = self.space.shrinks(&nodes);
        let batch = shrinks
            .iter()
            .map(|(_, st)| self.step(st, strategy, p))
            .collect();
        let ids = self.evaluate(batch);
        let mut good: Vec<(usize, usize)> = Vec::new();
        let mut failed: Vec<usize> = Vec::new();
        for (&(c, _), &e) in shrinks.iter().zip(&ids) {
            if self.tried.get(e).meets && !self.holdout.failed(e) {
                good.push((c, e));
            } else {
                failed.push(c);
            }
        }
        good.sort_by(|a, b| self.rank(a.1, b.1).then(a.0.cmp(&b.0)));
        let good: Vec<usize> = good.into_iter().map(|(c, _)| c).collect();
        if self.budget_left() {
            let batch = self
                .space
                .combinations(&nodes, &good)
                .iter()
                .map(|st| self.step(st, strategy, p))
                .collect();
            self.evaluate(batch);
        }
        if self.budget_left() {
            let price =
                |c: usize, n: u32| cluster_usd_per_day(&self.base.clusters[self.candidates[c]], n);
            let batch = self
                .space
                .exchanges(&nodes, &failed, price)
                .iter()
                .map(|st| self.step(st, strategy, p))
                .collect();
            self.evaluate(batch);
        }
    }

    fn step(&self, (nodes, what): &Step, strategy: &str, parent: usize) -> Proposal {
        Proposal::new(nodes.clone(), strategy, "search", Some(parent as u32), what)
    }

    fn demand(&self) -> Demand<'_> {
        Demand {
            base: self.base,
            candidates: &self.candidates,
            space: &self.space,
        }
    }

    /// Re-simulates the cheapest plans that met the SLO on fresh runs, cheapest first, a
    /// batch at a time, until one meets it there too: the search picks plans on the same
    /// runs it judges them by, so a plan at the edge of the SLO there often misses it on
    /// others. Plans that miss are set aside; if any did, the search restarts from the best
    /// plan that held and the new plans are held out in turn.
    pub(super) fn hold_out(&mut self) {
        for round in 0..=self.plan.holdout_restarts {
            let failed_before = self.holdout.failures();
            let feasible: Vec<usize> = self
                .s
                .strategies
                .iter()
                .flat_map(|st| self.feasible(st))
                .collect();
            self.holdout.round(&mut self.tried, feasible);
            // None held yet: the next round holds out the next cheapest plans.
            let Some(held) = self.holdout.held(&self.tried) else {
                continue;
            };
            if self.holdout.failures() == failed_before || round == self.plan.holdout_restarts {
                return;
            }
            let strategy = self.tried.get(held).strategy.clone();
            if self.exhaustive.contains(&strategy) {
                continue;
            }
            let restarts = self.plan.holdout_restarts.max(1) as usize;
            let rest = self.plan.max_candidates as usize - self.first_pass_budget();
            self.budget_end =
                (self.tried.searched() + rest / restarts).min(self.plan.max_candidates as usize);
            self.expanded.remove(&held);
            self.around_rejected(&strategy);
            self.best_first(&strategy);
        }
    }

    /// Searches around the plans of `strategy` the hold-out rejected, cheapest first (at
    /// most `beam_width` of them, each once): their one-step grows and transfers, cheapest
    /// first, then the cheapest `beam_width` of those that met the SLO are expanded at once.
    /// A rejected plan sits at the SLO's edge, and the cheapest plan that holds is often a
    /// move or two from it (a site grows, another goes) but not on the path the search took
    /// down to it; without this the restart begins at the plan that held, often far dearer.
    fn around_rejected(&mut self, strategy: &str) {
        let mut rejected: Vec<usize> = self
            .holdout
            .rejected()
            .filter(|&i| self.tried.get(i).strategy == strategy && !self.explored.contains(&i))
            .collect();
        rejected.sort_by(|&a, &b| self.rank(a, b));
        rejected.truncate(self.plan.beam_width as usize);
        for r in rejected {
            if !self.budget_left() {
                break;
            }
            self.explored.insert(r);
            let nodes = self.tried.get(r).nodes.clone();
            let demand = self.demand();
            let cores = |c: usize, n: u32| demand.allocatable(self.candidates[c], n).cpu_cores;
            let mut steps = self.space.grows(&nodes);
            steps.extend(self.space.transfers(&nodes, cores));
            steps.sort_by(|a, b| self.tried.price(&a.0).total_cmp(&self.tried.price(&b.0)));
            let batch = steps.iter().map(|st| self.step(st, strategy, r)).collect();
            let mut good: Vec<usize> = self
                .evaluate(batch)
                .into_iter()
                .filter(|&i| {
                    self.tried.get(i).meets
                        && !self.holdout.failed(i)
                        && !self.expanded.contains(&i)
                })
                .collect();
            good.sort_by(|&a, &b| self.rank(a, b));
            good.dedup();
            for g in good.into_iter().take(self.plan.beam_width as usize) {
                if !self.budget_left() {
                    break;
                }
                self.expanded.insert(g);
                self.expand(g, strategy);
            }
        }
    }

    fn rank(&self, a: usize, b: usize) -> std::cmp::Ordering {
        rank(self.tried.get(a), self.tried.get(b))
    }
}
