//! Capacity planning: the `[plan]` section of a session experiment, what `xrplace plan` may
//! choose and the SLO it must meet. The plan file it writes is [`super::plan_file`].

use super::check::Checker;
use super::deploy::{validate_deploy, DeploySettings};
use super::error::ConfigError;
use super::topology::{ClusterConfig, Tier};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What the planner may choose: which candidate clusters get how many nodes, and which
/// strategy (`sessions.strategies`) places the sessions.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanConfig {
    /// The cluster that hosts the application namespace and peers with every other cluster
    /// (the Liqo consumer); it exists already and keeps its size. Optional with `record`
    /// (the record's hub is the default).
    #[serde(default)]
    pub hub: String,
    /// A plan of record this plan extends (what `xrplace import k8s` writes), relative to
    /// the experiment file: its clusters are topology clusters by name and keep their
    /// address ranges, its hub and deploy settings are the defaults, and the peerings the
    /// new plan shares with it are marked up already (`existing`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    /// Tiers whose clusters are sized by the planner; other clusters keep their size and
    /// are taken as existing.
    #[serde(default = "default_tiers")]
    pub candidate_tiers: Vec<Tier>,
    /// Node counts a candidate cluster may get, increasing; 0 means no cluster at that site
    /// (never offered to an existing cluster: it keeps its current size or gets one of at
    /// least 1).
    pub sizes_nodes: Vec<u32>,
    /// The service level a plan must meet.
    #[serde(default)]
    pub slo: PlanSlo,
    /// Most candidate plans simulated (each with all runs), shared evenly by the strategies.
    #[serde(default = "default_max_candidates")]
    pub max_candidates: u32,
    /// Search every plan when there are at most this many per strategy (sizes ^
    /// candidates) and the strategy's share of `max_candidates` holds them; 0 never does.
    #[serde(default = "default_exhaustive_max_plans")]
    pub exhaustive_max_plans: u32,
    /// Plans the best-first search keeps open: it stops once the `beam_width` cheapest
    /// plans meeting the SLO have all been expanded.
    #[serde(default = "default_beam_width")]
    pub beam_width: u32,
    /// Most runs a plan gets: a plan whose figures' 95 % intervals straddle a target after
    /// `runs` runs gets `runs` more, up to this (default: twice `runs`).
    #[serde(default)]
    pub max_runs: Option<u32>,
    /// Searches again from the best plan that held on fresh runs, at most this many times,
    /// when cheaper plans failed there.
    #[serde(default = "default_holdout_restarts")]
    pub holdout_restarts: u32,
    /// Further sets of fresh runs the chosen plan is simulated on, each judged as the
    /// hold-out is, to report how likely it is to meet the SLO on runs it was not chosen on
    /// (`plan.toml` `[fresh_runs]`); 0 skips it.
    #[serde(default = "default_fresh_sets")]
    pub fresh_sets: u32,
    /// Settings copied into the plan for the exporter (default: the record's, with
    /// `record`).
    #[serde(default)]
    pub deploy: DeploySettings,
    /// Price put on carbon, USD per kg CO2e: a plan's cost adds its runs' mean `carbon_kg`
    /// (every cluster's energy at its site's grid intensity, docs/energy.md) per day times
    /// this, so the search weighs energy and carbon against capacity. 0 (the default):
    /// carbon is reported, not weighed.
    #[serde(default, skip_serializing_if = "is_zero_price")]
    pub carbon_usd_per_kg: f64,
}

fn is_zero_price(v: &f64) -> bool {
    *v == 0.0
}

impl PlanConfig {
    /// Most runs a plan gets in the search, for an experiment of `runs` runs.
    pub fn max_runs(&self, runs: u32) -> u32 {
        self.max_runs.unwrap_or(2 * runs).max(runs)
    }
}

/// A few hundred plans: 256 of four clusters at four sizes take seconds.
fn default_exhaustive_max_plans() -> u32 {
    300
}
/// Ten sets: a 95 % interval on the probability of about +-0.2 at 0.8, for the price of
/// some ten more plans.
fn default_fresh_sets() -> u32 {
    10
}
fn default_beam_width() -> u32 {
    3
}
fn default_holdout_restarts() -> u32 {
    2
}

fn default_tiers() -> Vec<Tier> {
    vec![Tier::Edge, Tier::FarEdge]
}
fn default_max_candidates() -> u32 {
    600
}

/// Targets a plan must meet, on the mean over runs.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PlanSlo {
    /// Share of session time over the latency budget.
    pub max_violation_ratio: f64,
    /// 95th percentile of sampled session latency, ms.
    pub max_p95_latency_ms: f64,
    /// Share of arrivals rejected.
    pub max_rejected_ratio: f64,
    /// Judge each figure by the upper end of its 95 % confidence interval over runs
    /// (`true`, conservative) rather than by its mean.
    pub upper_ci95: bool,
}

impl Default for PlanSlo {
    fn default() -> Self {
        PlanSlo {
            max_violation_ratio: 0.01,
            max_p95_latency_ms: 15.0,
            max_rejected_ratio: 0.005,
            upper_ci95: true,
        }
    }
}

/// Checks the `[plan]` section against the session topology's clusters.
pub fn validate_plan(
    c: &Checker,
    p: &PlanConfig,
    clusters: &HashMap<&str, u32>,
    topology_clusters: &[(&str, &ClusterConfig)],
) -> Result<(), ConfigError> {
    if p.hub.is_empty() {
        return Err(c.src.error(
            "plan.hub",
            "expected the hub's cluster name (or a plan.record, whose hub is then the default)",
        ));
    }
    c.resolve("plan.hub", "cluster", &p.hub, clusters)?;
    c.dns_label("plan.hub", &p.hub)?;
    if p.candidate_tiers.is_empty() {
        return Err(c
            .src
            .error("plan.candidate_tiers", "expected at least one tier"));
    }
    if p.sizes_nodes.is_empty() || p.sizes_nodes.iter().all(|&n| n == 0) {
        return Err(c.src.error(
            "plan.sizes_nodes",
            "expected at least one positive node count",
        ));
    }
    if p.sizes_nodes.windows(2).any(|w| w[0] >= w[1]) || p.sizes_nodes.iter().any(|&n| n > 1000) {
        return Err(c.src.error(
            "plan.sizes_nodes",
            "expected strictly increasing node counts of at most 1000",
        ));
    }
    validate_deploy(c, "plan.deploy", &p.deploy)?;
    let o = &p.deploy.openstack;
    if let Some((name, k)) = topology_clusters.iter().find(|(_, k)| {
        !k.existing
            && o.flavor_of(k.vcpu_per_node, k.memory_gib_per_node)
                .is_none()
    }) {
        return Err(c.src.error(
            "plan.deploy.openstack.flavors",
            format!(
                "no flavor of {} vCPU / {} GiB for the nodes of {name:?}; list the cloud's flavors (name, vcpus, ram_gib) so new clusters get machines of the planned size",
                k.vcpu_per_node, k.memory_gib_per_node
            ),
        ));
    }
    Ok(())
}
