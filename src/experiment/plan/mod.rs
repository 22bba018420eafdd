//! Capacity planning: the cheapest node counts for the candidate clusters, with the
//! strategy that places the sessions, that still meet the SLO. Every candidate plan is
//! simulated (all runs, in parallel) on a copy of the topology resized to it, each plan once
//! ([`tried`]), run `r` of every plan drawing the same arrivals (common random numbers).
//!
//! The search, per strategy (docs/planning.md says why this one):
//! Each candidate has its own sizes (`moves::allowed_sizes`): an existing cluster is
//! resized but never removed.
//!
//! 1. **Naive**: every candidate cluster at its biggest size. If it misses the SLO, no
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
//!    cheapest first; those that miss there are set aside and the search restarts around
//!    them (their grows and transfers, the best of which are expanded) and from the best
//!    plan that held (`holdout_restarts` times), then holds out again.
//! 6. **Fresh sets**: the chosen plan on `fresh_sets` further sets of fresh runs, for the
//!    probability that it meets the SLO on runs it was not chosen on.
//!
//! `plan.toml` reports a lower bound on the price of any plan meeting the SLO ([`bound`];
//! the optimum itself after an exhaustive search) and the gap to it.

mod allowance;
pub mod bound;
mod cover;
pub(crate) mod evaluation;
mod holdout;
mod milp;
mod moves;
pub mod price;
mod relaxation;
mod search;
mod setup;
mod simulator;
mod start;
mod tried;

pub use evaluation::{over_target, rejected_ratio, Evaluation, SloFigure, HOLDOUT};
pub use price::{cents, cluster_usd_per_day};

use super::plan_build::{Findings, PlanBuilder};
use super::progress::LogLines;
use super::runner::RunOptions;
use super::sessions::build_platform;
use super::workers::worker_pool;
use crate::config::plan::PlanConfig;
use crate::config::plan_file::{FreshRuns, PlanFile};
use crate::config::sessions::{CapacityModel, SessionsConfig};
use crate::config::topology::TopologyConfig;
use crate::config::{ConfigError, LoadedExperiment};
use bound::lower_bound_usd_per_day;

use holdout::HoldOut;
use moves::Space;
use relaxation::BoundInputs;
use std::collections::HashSet;
use tried::Tried;

/// The planning problem of one experiment.
pub struct PlanSearch<'a> {
    exp: &'a LoadedExperiment,
    s: &'a SessionsConfig,
    plan: &'a PlanConfig,
    base: &'a TopologyConfig,
    /// Topology indices of the clusters the planner sizes.
    pub candidates: Vec<usize>,
    space: Space,
    /// The plan of record this plan extends (`[plan] record`), if any.
    record: Option<PlanFile>,
    tried: Tried<'a>,
    seed: u64,
    /// Search evaluations (hold-outs excepted) the current strategy may reach.
    budget_end: usize,
    /// Plans already expanded by the best-first search.
    expanded: HashSet<usize>,
    /// Plans the hold-out rejected whose neighbourhood was searched.
    explored: HashSet<usize>,
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
    /// The chosen plan on further sets of fresh runs (empty without a chosen plan).
    pub fresh: FreshRuns,
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
        let (bound, fresh) = pool.install(|| {
            self.search();
            self.hold_out();
            (self.lower_bound(), self.fresh_runs())
        });
        self.progress.finish_and_clear();
        let tried = self.tried.count();
        self.log.write(true, || {
            format!("progress: {tried} candidate plans simulated, done")
        });
        Ok(self.outcome(bound, fresh))
    }

    /// The chosen plan on `[plan] fresh_sets` further sets of fresh runs.
    fn fresh_runs(&self) -> FreshRuns {
        let Some((b, _)) = self.holdout.chosen(&self.tried) else {
            return FreshRuns::default();
        };
        let e = self.tried.get(b);
        let sets = self.plan.fresh_sets;
        let met = self.tried.fresh_sets(&e.nodes, &e.strategy, sets);
        FreshRuns::new(sets, met.iter().filter(|&&m| m).count() as u32)
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
        let naive_nodes = self.space.naive();
        let (t, _) = self.tried.resized(&naive_nodes);
        let platform = build_platform(self.s, &t, CapacityModel::Allocatable);
        let x = BoundInputs {
            exp: self.exp,
            s: self.s,
            base: self.base,
            platform: &platform,
            candidates: &self.candidates,
            sizes: self.space.all_sizes(),
            seed: self.seed,
            runs: self.exp.config.runs,
            slo: self.bound_slo(),
        };
        lower_bound_usd_per_day(&x)
    }

    /// The SLO as the bound may spend it: the allowances (violation and rejection ratios)
    /// scaled by how far a plan meeting the SLO may exceed them on the search's first runs.
    fn bound_slo(&self) -> crate::config::plan::PlanSlo {
        let runs = self.exp.config.runs;
        let excess =
            evaluation::first_runs_excess(runs, self.plan.max_runs(runs), self.plan.slo.upper_ci95);
        let mut slo = self.plan.slo;
        slo.max_violation_ratio *= excess;
        slo.max_rejected_ratio *= excess;
        slo
    }

    fn outcome(self, lower_bound: (f64, &'static str), fresh: FreshRuns) -> PlanOutcome {
        let chosen = self.holdout.chosen(&self.tried);
        let tried = self.tried.all();
        let strategy = chosen.map(|(b, _)| tried[b].strategy.clone());
        let naive = (0..tried.len())
            .find(|&i| {
                tried[i].phase == "naive"
                    && strategy.as_ref().is_none_or(|st| *st == tried[i].strategy)
            })
            .expect("naive plans are tried first");
        let plan = chosen.map(|(b, h)| {
            let mut p = self.plan_file(&tried[b], &tried[naive], &tried[h], lower_bound);
            p.fresh_runs = fresh;
            p
        });
        PlanOutcome {
            best: chosen.map(|(b, _)| b),
            holdout: chosen.map(|(_, h)| h),
            naive,
            plan,
            lower_bound,
            fresh,
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
            record: self.record.as_ref(),
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
