//! Setting up a capacity search: the experiment's plan and session section, the candidate
//! clusters (those of the plan's tiers but the hub and the central cluster), and the
//! simulator every candidate plan runs on.

use super::holdout::HoldOut;
use super::moves::Space;
use super::simulator::Simulator;
use super::tried::Tried;
use super::PlanSearch;
use crate::config::experiment::{CapacityPlan, Experiment, Sessions};
use crate::config::topology::ClusterConfig;
use crate::config::{ConfigError, LoadedExperiment};
use crate::experiment::progress::LogLines;
use crate::experiment::sessions::check_strategies;
use crate::strategy::Registry;
use std::collections::HashSet;

impl<'a> PlanSearch<'a> {
    /// Names of the clusters the planner sizes, in [`Self::candidates`] order.
    pub fn candidate_names(&self) -> Vec<String> {
        self.candidates
            .iter()
            .map(|&i| self.base.clusters[i].name.clone())
            .collect()
    }

    /// Sets up the search; fails if the experiment has no `[plan]` or an unknown strategy.
    pub fn new(
        exp: &'a LoadedExperiment,
        registry: &'a Registry,
        seed: Option<u64>,
    ) -> Result<PlanSearch<'a>, ConfigError> {
        check_strategies(exp, registry)?;
        let cfg = &exp.config;
        let Experiment::CapacityPlan(CapacityPlan {
            sessions: Sessions { sessions: s, .. },
            plan,
        }) = exp.experiment()
        else {
            return Err(ConfigError::whole_file(
                &exp.path,
                "not a capacity experiment: expected [sessions] and [plan]",
            ));
        };
        let base = &exp.topologies[0];
        let tiers: Vec<_> = base.sites.iter().map(|x| x.tier).collect();
        let site_of = |k: &ClusterConfig| base.sites.iter().position(|x| x.name == k.site);
        let candidates: Vec<usize> = base
            .clusters
            .iter()
            .enumerate()
            .filter(|(_, k)| k.name != plan.hub && k.name != s.central_cluster)
            .filter(|(_, k)| site_of(k).is_some_and(|i| plan.candidate_tiers.contains(&tiers[i])))
            .map(|(i, _)| i)
            .collect();
        if base.clusters.len() > crate::config::cidr::MAX_CLUSTERS {
            let src = crate::config::source::Source::read(&exp.path)?;
            return Err(src.error(
                "sessions.topology",
                format!(
                    "a plan holds at most {} clusters (its address plan); the topology has {}",
                    crate::config::cidr::MAX_CLUSTERS,
                    base.clusters.len()
                ),
            ));
        }
        if candidates.is_empty() {
            let src = crate::config::source::Source::read(&exp.path)?;
            return Err(src.error(
                "plan.candidate_tiers",
                "no cluster of the topology is on a site of these tiers (the hub and the central cluster excepted)",
            ));
        }
        let record = crate::config::plan_record::load_record(&exp.path, plan)?;
        let seed = seed.unwrap_or(cfg.seed);
        let sim = Simulator {
            exp,
            s,
            base,
            candidates: candidates.clone(),
            registry,
            seed,
        };
        let runs = (cfg.runs, plan.max_runs(cfg.runs));
        Ok(PlanSearch {
            exp,
            s,
            plan,
            base,
            space: Space::new(base, &candidates, &plan.sizes_nodes),
            record,
            tried: Tried::new(sim, plan.slo, runs).with_carbon_price(plan.carbon_usd_per_kg),
            candidates,
            seed,
            budget_end: 0,
            expanded: HashSet::new(),
            explored: HashSet::new(),
            holdout: HoldOut::default(),
            exhaustive: Vec::new(),
            progress: indicatif::ProgressBar::hidden(),
            log: LogLines::new(false),
        })
    }
}
