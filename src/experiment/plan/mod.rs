//! Capacity planning: the cheapest node counts for the candidate clusters, with the
//! strategy that places the sessions, that still meet the SLO. Every candidate plan is
//! simulated (all runs, in parallel) on a copy of the topology resized to it, each plan once
//! ([`tried`]), run `r` of every plan drawing the same arrivals (common random numbers).
//!
//! The search, per strategy (docs/planning.md says why this one):
//! 1. **Naive**: every candidate cluster at the biggest size. If it misses the SLO, no
//!    smaller plan is tried for that strategy.
//! 2. **Exhaustive** when the space is small (at most `exhaustive_max_plans` plans that fit
//!    the strategy's budget): every plan is simulated and the cheapest that meets the SLO
//!    is the optimum.
//! 3. Otherwise a **warm start** from the naive plan's peak demand, **repaired** (full
//!    clusters grow) until it meets the SLO, then a **best-first search**: the cheapest
//!    unexpanded plan among the `beam_width` cheapest plans meeting the SLO is expanded
//!    into its one-step shrinks, a combination of the shrinks that met the SLO, and
//!    exchanges (a cluster whose shrink missed shrinks while a nearby one grows), until the
//!    `beam_width` cheapest have all been expanded. Ties are not a dead end: the other
//!    branch stays open.
//! 4. **Sequential runs**: a plan whose 95 % intervals straddle a target after `runs` runs
//!    gets more, up to `max_runs`, so noise does not decide between two plans.
//! 5. **Hold-out**: the cheapest plans that met the SLO are re-simulated on fresh runs,
//!    cheapest first; those that miss there are set aside and the search restarts from the
//!    best plan that held (`holdout_restarts` times), then holds out again.
//!
//! `plan.toml` reports a lower bound on the price of any plan meeting the SLO ([`bound`];
//! the optimum itself after an exhaustive search) and the gap to it.

pub mod bound;
mod cover;
mod evaluation;
mod holdout;
mod moves;
pub mod price;
mod setup;
mod simulator;
mod start;
mod tried;

pub use evaluation::{rejected_ratio, Evaluation};
pub use price::{cents, cluster_usd_per_day};

use super::plan_build::{Findings, PlanBuilder};
use super::progress::LogLines;
use super::runner::{worker_pool, RunOptions};
use super::sessions::build_platform;
use crate::config::plan::PlanConfig;
use crate::config::plan_file::PlanFile;
use crate::config::sessions::{CapacityModel, SessionsConfig};
use crate::config::topology::TopologyConfig;
use crate::config::{ConfigError, LoadedExperiment};
use bound::{lower_bound_usd_per_day, BoundInputs};
use evaluation::{rank, Proposal, HOLDOUT};
use holdout::HoldOut;
use moves::{Space, Step};
use start::Demand;
use std::collections::HashSet;
use tried::Tried;

/// Plans simulated at once in an exhaustive search.
const EXHAUSTIVE_BATCH: usize = 64;

/// The planning problem of one experiment.
pub struct PlanSearch<'a> {
    exp: &'a LoadedExperiment,
    s: &'a SessionsConfig,
    plan: &'a PlanConfig,
    base: &'a TopologyConfig,
    /// Topology indices of the clusters the planner sizes.
    pub candidates: Vec<usize>,
    space: Space,
    tried: Tried<'a>,
    seed: u64,
    /// Search evaluations (hold-outs excepted) the current strategy may reach.
    budget_end: usize,
    /// Plans already expanded by the best-first search.
    expanded: HashSet<usize>,
    /// The plans re-simulated on fresh runs, and which held.
    holdout: HoldOut,
    /// Strategies whose every plan was simulated.
    exhaustive: Vec<String>,
    progress: indicatif::ProgressBar,
    /// Progress lines for a log, where no spinner shows.
    log: LogLines,
}

/// What the search found.
#[derive(Debug, Clone)]
pub struct PlanOutcome {
    /// Every plan simulated, in the order tried.
    pub tried: Vec<Evaluation>,
    /// Index into `tried` of the chosen plan, if any met the SLO.
    pub best: Option<usize>,
    /// Index of its re-simulation on fresh runs.
    pub holdout: Option<usize>,
    /// Index of the naive plan with the chosen (or first) strategy.
    pub naive: usize,
    /// The plan file for the chosen plan.
    pub plan: Option<PlanFile>,
    /// No plan meeting the SLO costs less, USD per day, and how that was found.
    pub lower_bound: (f64, &'static str),
    /// The SLO the plans were held to.
    pub slo: crate::config::plan::PlanSlo,
}

impl<'a> PlanSearch<'a> {
    /// Runs the search on `opts.threads` threads.
    pub fn run(mut self, opts: RunOptions) -> Result<PlanOutcome, ConfigError> {
        let pool = worker_pool(self.exp, opts.threads)?;
        self.log = LogLines::new(opts.progress);
        if opts.progress {
            self.progress = indicatif::ProgressBar::new_spinner();
            self.progress
                .enable_steady_tick(std::time::Duration::from_millis(200));
        }
        let bound = pool.install(|| {
            self.search();
            self.hold_out();
            self.lower_bound()
        });
        self.progress.finish_and_clear();
        let tried = self.tried.count();
        self.log.write(true, || {
            format!("progress: {tried} candidate plans simulated, done")
        });
        Ok(self.outcome(bound))
    }

    fn search(&mut self) {
        let naive_nodes = vec![self.space.biggest(); self.candidates.len()];
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
        let mut cur = self.evaluate(vec![Proposal::new(
            warm,
            strategy,
            "warm-start",
            parent,
            step,
        )])[0];
        while !self.tried.get(cur).meets && self.budget_left() {
            let grown = self
                .demand()
                .grow(self.tried.get(cur), self.tried.get(naive));
            if grown == self.tried.get(cur).nodes {
                break;
            }
            let parent = Some(cur as u32);
            let step = "full clusters one size bigger";
            cur = self.evaluate(vec![Proposal::new(grown, strategy, "repair", parent, step)])[0];
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
    fn hold_out(&mut self) {
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
            self.best_first(&strategy);
        }
    }

    fn rank(&self, a: usize, b: usize) -> std::cmp::Ordering {
        rank(self.tried.get(a), self.tried.get(b))
    }

    /// The lower bound and how it was found: the cheapest plan meeting the SLO when every
    /// strategy that could meet it was searched exhaustively, else the relaxation's.
    fn lower_bound(&self) -> (f64, &'static str) {
        let searched: Vec<&String> = self
            .s
            .strategies
            .iter()
            .filter(|st| {
                (0..self.tried.count()).any(|i| {
                    let e = self.tried.get(i);
                    e.phase == "naive" && e.strategy == **st && e.meets
                })
            })
            .collect();
        if !searched.is_empty() && searched.iter().all(|st| self.exhaustive.contains(st)) {
            let best = (0..self.tried.count())
                .filter(|&i| {
                    let e = self.tried.get(i);
                    e.meets && e.phase != HOLDOUT
                })
                .map(|i| self.tried.get(i).cost_usd_per_day)
                .fold(f64::INFINITY, f64::min);
            return (best, "exhaustive");
        }
        let naive_nodes = vec![self.space.biggest(); self.candidates.len()];
        let (t, _) = self.tried.resized(&naive_nodes);
        let platform = build_platform(self.s, &t, CapacityModel::Allocatable);
        let x = BoundInputs {
            exp: self.exp,
            s: self.s,
            base: self.base,
            platform: &platform,
            candidates: &self.candidates,
            sizes: &self.plan.sizes_nodes,
            seed: self.seed,
            runs: self.exp.config.runs,
            slo: self.plan.slo,
        };
        (lower_bound_usd_per_day(&x), "relaxation")
    }

    fn outcome(self, lower_bound: (f64, &'static str)) -> PlanOutcome {
        let chosen = self.holdout.chosen(&self.tried);
        let tried = self.tried.all();
        let strategy = chosen.map(|(b, _)| tried[b].strategy.clone());
        let naive = (0..tried.len())
            .find(|&i| {
                tried[i].phase == "naive"
                    && strategy.as_ref().is_none_or(|st| *st == tried[i].strategy)
            })
            .expect("naive plans are tried first");
        let plan =
            chosen.map(|(b, h)| self.plan_file(&tried[b], &tried[naive], &tried[h], lower_bound));
        PlanOutcome {
            best: chosen.map(|(b, _)| b),
            holdout: chosen.map(|(_, h)| h),
            naive,
            plan,
            lower_bound,
            slo: self.plan.slo,
            tried: self.tried.into_list(),
        }
    }

    /// The plan file of evaluation `e`, with its costs and the metrics expected of it.
    fn plan_file(
        &self,
        e: &Evaluation,
        naive: &Evaluation,
        holdout: &Evaluation,
        (bound, how): (f64, &'static str),
    ) -> PlanFile {
        let builder = PlanBuilder {
            s: self.s,
            plan: self.plan,
            base: self.base,
            candidates: &self.candidates,
            duration_s: self.exp.config.duration_s,
        };
        let mut p = builder.plan_file(&self.exp.config.name, e);
        p.method = format!(
            "simulation-based search on allocatable capacity: {}; plans near the SLO got up to {} runs; the cheapest plans re-simulated on fresh runs (holdout), the search restarted from the best that held",
            if self.exhaustive.contains(&e.strategy) {
                "every plan simulated (exhaustive)".to_string()
            } else {
                format!(
                    "naive plan, warm start from its peak demand, repair, then best-first search over shrinks, combined shrinks and exchanges (beam of {})",
                    self.plan.beam_width
                )
            },
            self.plan.max_runs(self.exp.config.runs)
        );
        builder.finish(
            p,
            e,
            Findings {
                naive,
                holdout,
                lower_bound: (bound, how),
            },
        )
    }
}
