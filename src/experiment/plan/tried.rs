//! Every plan simulated so far, each once: a memo from (nodes, strategy) to its
//! evaluation, and the sequential rule that gives more runs to plans near the SLO.

use super::evaluation::{verdict, Evaluation, Proposal, RunFigures, Verdict, HOLDOUT};
use super::price::capacity_usd_per_day;
use super::simulator::Simulator;
use crate::config::plan::PlanSlo;
use std::collections::HashMap;

/// The simulated plans, in the order tried.
pub struct Tried<'a> {
    sim: Simulator<'a>,
    slo: PlanSlo,
    /// Runs every plan gets first.
    runs: u32,
    /// Most runs a plan gets in the search (the sequential rule adds `runs` at a time).
    max_runs: u32,
    /// USD of one run to USD per day.
    day_factor: f64,
    /// Price of carbon added to each plan's cost, USD per kg CO2e.
    carbon_usd_per_kg: f64,
    list: Vec<Evaluation>,
    memo: HashMap<(Vec<u32>, String, bool), usize>,
    /// Evaluations of the search (hold-outs excepted).
    searched: usize,
}

impl<'a> Tried<'a> {
    /// An empty ledger simulating with `sim`, judging by `slo`, `runs` runs per plan and up
    /// to `max_runs` for plans the first runs leave undecided.
    pub fn new(sim: Simulator<'a>, slo: PlanSlo, (runs, max_runs): (u32, u32)) -> Tried<'a> {
        let day_factor = 86_400.0 / sim.exp.config.duration_s;
        Tried {
            sim,
            slo,
            runs,
            max_runs: max_runs.max(runs),
            day_factor,
            carbon_usd_per_kg: 0.0,
            list: Vec::new(),
            memo: HashMap::new(),
            searched: 0,
        }
    }

    /// Evaluation `i`.
    pub fn get(&self, i: usize) -> &Evaluation {
        &self.list[i]
    }

    /// How many plans were simulated.
    pub fn count(&self) -> usize {
        self.list.len()
    }

    /// Every evaluation, in the order tried.
    pub fn all(&self) -> &[Evaluation] {
        &self.list
    }

    /// Gives the evaluations up.
    pub fn into_list(self) -> Vec<Evaluation> {
        self.list
    }

    /// How many plans the search simulated (hold-outs excepted).
    pub fn searched(&self) -> usize {
        self.searched
    }

    /// Whether proposal `p` was simulated already.
    pub fn knows(&self, p: &Proposal) -> bool {
        self.memo
            .contains_key(&(p.nodes.clone(), p.strategy.clone(), p.phase == HOLDOUT))
    }

    /// The topology resized to `nodes` (see [`Simulator::resized`]).
    pub fn resized(&self, nodes: &[u32]) -> (crate::config::topology::TopologyConfig, Vec<usize>) {
        self.sim.resized(nodes)
    }

    /// The price of a plan's candidate clusters, USD per day.
    pub fn price(&self, nodes: &[u32]) -> f64 {
        capacity_usd_per_day(self.sim.base, &self.sim.candidates, nodes)
    }

    /// The evaluation of each proposal, simulating (in parallel) only those not simulated
    /// before; hold-out proposals run on fresh runs (after every run the search may use).
    /// Returns their indices, in the proposals' order.
    pub fn evaluate(&mut self, proposals: Vec<Proposal>) -> Vec<usize> {
        let mut ids = vec![usize::MAX; proposals.len()];
        let mut fresh: Vec<Proposal> = Vec::new();
        let mut fresh_at: HashMap<(Vec<u32>, String, bool), usize> = HashMap::new();
        let mut slot_of = Vec::new();
        for (k, p) in proposals.into_iter().enumerate() {
            let key = (p.nodes.clone(), p.strategy.clone(), p.phase == HOLDOUT);
            if let Some(&i) = self.memo.get(&key) {
                ids[k] = i;
            } else if let Some(&f) = fresh_at.get(&key) {
                slot_of.push((k, f));
            } else {
                fresh_at.insert(key, fresh.len());
                slot_of.push((k, fresh.len()));
                fresh.push(p);
            }
        }
        let first_run = match fresh.first() {
            Some(p) if p.phase == HOLDOUT => self.max_runs,
            _ => 0,
        };
        let figures = self.simulate_sequentially(&fresh, first_run);
        let first_new = self.list.len();
        for (p, f) in fresh.into_iter().zip(figures) {
            let price = self.price(&p.nodes);
            let mut e = Evaluation::from_runs(p, &f, price, self.day_factor, &self.slo);
            e.price_carbon(self.carbon_usd_per_kg, self.day_factor);
            e.id = self.list.len() as u32;
            let key = (e.nodes.clone(), e.strategy.clone(), e.phase == HOLDOUT);
            self.memo.insert(key, self.list.len());
            self.searched += usize::from(e.phase != HOLDOUT);
            self.list.push(e);
        }
        for (k, f) in slot_of {
            ids[k] = first_new + f;
        }
        ids
    }

    /// Whether `nodes` with `strategy` meets the SLO on each of `sets` further sets of
    /// fresh runs, each judged as the hold-out is (`runs` runs, more while undecided, up to
    /// `max_runs`). Set `k` draws the runs from `(2 + k) x max_runs` on, after those of the
    /// search and of the hold-out, so no set shares a run with them or with another set.
    pub fn fresh_sets(&self, nodes: &[u32], strategy: &str, sets: u32) -> Vec<bool> {
        use rayon::prelude::*;
        (0..sets)
            .into_par_iter()
            .map(|k| {
                let p = Proposal::new(nodes.to_vec(), strategy, HOLDOUT, None, "a fresh set");
                let first_run = (2 + k) * self.max_runs;
                let f = self.simulate_sequentially(std::slice::from_ref(&p), first_run);
                Evaluation::from_runs(p, &f[0], 0.0, self.day_factor, &self.slo).meets
            })
            .collect()
    }

    /// Prices carbon at `usd_per_kg` in every plan's cost from now on
    /// ([`Evaluation::price_carbon`]).
    pub fn with_carbon_price(mut self, usd_per_kg: f64) -> Tried<'a> {
        self.carbon_usd_per_kg = usd_per_kg;
        self
    }

    /// The runs of each proposal from run index `first_run` on: `runs` first, then `runs`
    /// more at a time for those still undecided, up to `max_runs`; hold-outs the same on
    /// fresh runs (`first_run` = `max_runs`), so that meeting the SLO means the same on both.
    fn simulate_sequentially(&self, fresh: &[Proposal], first_run: u32) -> Vec<Vec<RunFigures>> {
        debug_assert!(fresh
            .windows(2)
            .all(|w| (w[0].phase == HOLDOUT) == (w[1].phase == HOLDOUT)));
        let mut figures: Vec<Vec<RunFigures>> = vec![Vec::new(); fresh.len()];
        let mut open: Vec<usize> = (0..fresh.len()).collect();
        while !open.is_empty() {
            let batch: Vec<(&[u32], &str)> = open
                .iter()
                .map(|&k| (fresh[k].nodes.as_slice(), fresh[k].strategy.as_str()))
                .collect();
            // Every open plan has had the same number of runs.
            let done = figures[open[0]].len() as u32;
            let from = first_run + done;
            let step = self.runs.min(self.max_runs - done).max(1);
            let got = self.sim.simulate(&batch, from..from + step);
            for (&k, f) in open.iter().zip(got) {
                figures[k].extend(f);
            }
            open.retain(|&k| {
                let runs = figures[k].len() as u32;
                runs < self.max_runs && self.undecided(&fresh[k], &figures[k])
            });
        }
        figures
    }

    fn undecided(&self, p: &Proposal, f: &[RunFigures]) -> bool {
        let e = Evaluation::from_runs(p.clone(), f, 0.0, self.day_factor, &self.slo);
        verdict(&e, &self.slo) == Verdict::Undecided
    }
}
