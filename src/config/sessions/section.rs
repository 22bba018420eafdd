//! The `[sessions]` section of an experiment: XR sessions arriving at access sites, placed
//! by a strategy on a topology, at flow fidelity or, if the experiment says so, frame fidelity.
//! This file has the section's top level, its control loop and its sweep axes.

use super::apps::SessionAppConfig;
use super::faults::{ClusterFaultConfig, FaultModelConfig, FaultRateConfig};
use super::load::LoadConfig;
use crate::config::kinds::{PathKind, PeeringMode};
use crate::config::provisioning::CapiConfig;
use serde::{Deserialize, Serialize};

/// Session workload, strategies and monitoring.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionsConfig {
    /// Topology file, relative to the experiment file.
    pub topology: String,
    /// Strategies compared, by registered name.
    pub strategies: Vec<String>,
    /// End-to-end latency budget of a session, ms (XR: 15).
    #[serde(default = "default_budget_ms")]
    pub slo_latency_ms: f64,
    /// Monitoring scrape interval, s.
    #[serde(default = "default_scrape_s")]
    pub scrape_interval_s: f64,
    /// Delay before a scrape reaches the central view strategies read, s.
    #[serde(default = "default_lag_s")]
    pub aggregation_lag_s: f64,
    /// Path kind between a user's home cluster and another cluster.
    #[serde(default = "default_path")]
    pub cross_cluster_path: PathKind,
    /// Clusters considered per access site, nearest first.
    #[serde(default = "default_candidates")]
    pub candidates_per_site: u32,
    /// What sessions may reserve on a cluster: every node's vCPUs and memory (`nodes`), or
    /// what Kubernetes can schedule there (`allocatable`: kubelet reserves, a kubeadm
    /// control plane's tainted node, a k3s server's reserve and Liqo's footprint left out;
    /// see docs/export.md). `xrplace plan` always sizes clusters on `allocatable`.
    #[serde(default)]
    pub capacity: CapacityModel,
    /// Interruption of a migrated session (state transfer and restart), s; counted as
    /// session time over budget.
    #[serde(default = "default_downtime_s")]
    pub migration_downtime_s: f64,
    /// Applications and their share of arrivals.
    pub applications: Vec<SessionAppConfig>,
    /// Cluster running the applications' `central` components (required if any has one).
    #[serde(default)]
    pub central_cluster: String,
    /// Arrival process.
    pub load: LoadConfig,
    /// Scripted cluster failures (the fault model `default`).
    #[serde(default)]
    pub faults: Vec<ClusterFaultConfig>,
    /// Random faults for every cluster (part of the fault model `default`).
    #[serde(default)]
    pub fault_rates: Vec<FaultRateConfig>,
    /// Further named fault models, for the sweep's `fault_models` axis.
    #[serde(default)]
    pub fault_models: Vec<FaultModelConfig>,
    /// Axes swept besides `strategies` and the runs' seeds.
    #[serde(default)]
    pub sweep: SweepConfig,
    /// The control loop's actions besides placement: autoscaling and peering.
    #[serde(default)]
    pub control: ControlConfig,
}

/// How much of a cluster sessions may reserve.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum CapacityModel {
    /// All vCPUs and memory of every node (the model of the shipped comparison studies).
    #[default]
    Nodes,
    /// What the kubelets report as allocatable, less the control plane, Liqo and the
    /// monitoring stack's requests.
    Allocatable,
}

/// Autoscaling through Cluster API and peering through Liqo, decided on the monitored view.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ControlConfig {
    /// Scale clusters out and in.
    pub autoscale: bool,
    /// Observed share of reserved CPU above which a cluster gets `step_nodes` more nodes.
    pub scale_out_util: f64,
    /// Observed share below which a scaled-out cluster gives `step_nodes` back.
    pub scale_in_util: f64,
    /// Nodes added or removed per decision.
    pub step_nodes: u32,
    /// Nodes a cluster may gain over its size in the topology.
    pub max_extra_nodes: u32,
    /// Time after a scaling action before the cluster is considered again, s.
    pub cooldown_s: f64,
    /// Whether Liqo peerings between a home cluster and other clusters exist from the
    /// start (`established`) or are made the first time a session needs one (`on-demand`).
    pub peering: PeeringMode,
    /// Cluster API timings used for scale-outs and new clusters (the same model as
    /// provisioning experiments).
    pub capi: CapiConfig,
    /// Clusters of the topology that do not exist at the start: the control loop creates
    /// one through Cluster API (and peers it through Liqo) when sessions it would serve
    /// within budget go unserved, and deletes it when it has stayed empty.
    pub standby_clusters: Vec<String>,
    /// Sessions, rejected or placed over budget within one decision interval, that a
    /// standby cluster would have served within budget, needed to create it.
    pub provision_after_sessions: u32,
    /// Time a created cluster stays without sessions before it is deleted, s.
    pub deprovision_idle_s: f64,
}

impl Default for ControlConfig {
    fn default() -> Self {
        ControlConfig {
            autoscale: false,
            scale_out_util: 0.8,
            scale_in_util: 0.3,
            step_nodes: 1,
            max_extra_nodes: 4,
            cooldown_s: 300.0,
            peering: PeeringMode::Established,
            capi: CapiConfig::default(),
            standby_clusters: Vec::new(),
            provision_after_sessions: 3,
            deprovision_idle_s: 1800.0,
        }
    }
}

/// Sweep axes. Every combination of topology x load rate x fault model x strategy is a
/// sweep point, run `runs` times with successive seeds.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SweepConfig {
    /// Topology files, relative to the experiment (default: `sessions.topology`).
    #[serde(default)]
    pub topologies: Vec<String>,
    /// Mean arrival rates, sessions/s (default: `sessions.load.rate_per_s`).
    #[serde(default)]
    pub rate_per_s: Option<Axis>,
    /// Fault model names: `none`, `default` (`sessions.faults`) or a `fault_models` name.
    #[serde(default)]
    pub fault_models: Vec<String>,
}

/// A numeric axis: one value, a list, or a range.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Axis {
    /// One value.
    Value(f64),
    /// These values, in order.
    List(Vec<f64>),
    /// `from`, `from + step`, ... up to and including `to`.
    Range {
        /// First value.
        from: f64,
        /// Last value (included if reached).
        to: f64,
        /// Increment, > 0.
        step: f64,
    },
}

impl Axis {
    /// The values, in order; `None` if the axis is empty or its range is malformed.
    pub fn values(&self) -> Option<Vec<f64>> {
        let v = match self {
            Axis::Value(x) => vec![*x],
            Axis::List(v) => v.clone(),
            Axis::Range { from, to, step } => {
                if !(step.is_finite()
                    && *step > 0.0
                    && from.is_finite()
                    && to.is_finite()
                    && to >= from)
                {
                    return None;
                }
                let n = ((to - from) / step + 1e-9).floor() as usize;
                if n > 10_000 {
                    return None;
                }
                (0..=n).map(|i| from + i as f64 * step).collect()
            }
        };
        (!v.is_empty()).then_some(v)
    }
}

fn default_budget_ms() -> f64 {
    15.0
}
fn default_scrape_s() -> f64 {
    15.0
}
fn default_lag_s() -> f64 {
    5.0
}
fn default_path() -> PathKind {
    PathKind::Liqo
}
fn default_candidates() -> u32 {
    24
}
fn default_downtime_s() -> f64 {
    2.0
}
