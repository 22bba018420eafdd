//! Cluster and link faults of a session experiment: scripted, drawn at random, and named
//! models of both for the sweep.

use crate::config::check::Checker;
use crate::config::error::ConfigError;
use serde::{Deserialize, Serialize};

/// A named set of cluster failures.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultModelConfig {
    /// Name used in `sweep.fault_models` and in the outputs.
    pub name: String,
    /// The failures.
    #[serde(default)]
    pub faults: Vec<ClusterFaultConfig>,
    /// Random failures.
    #[serde(default)]
    pub fault_rates: Vec<FaultRateConfig>,
}

/// Kinds of fault in session experiments.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum SessionFaultKind {
    /// The whole cluster is down.
    #[default]
    ClusterFailure,
    /// The cluster loses `nodes` nodes (their cores and memory).
    NodeLoss,
    /// Links at `site` slow down: `extra_rtt_ms` more RTT, bandwidth times `bandwidth_factor`.
    LinkDegradation,
    /// `site` is cut off from every other site.
    Partition,
}

/// A fault at a given time.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterFaultConfig {
    /// What fails (default: the whole cluster).
    #[serde(default)]
    pub kind: SessionFaultKind,
    /// Cluster name (cluster-failure, node-loss).
    #[serde(default)]
    pub cluster: String,
    /// Site name (link-degradation, partition).
    #[serde(default)]
    pub site: String,
    /// Nodes lost (node-loss).
    #[serde(default = "one_u32")]
    pub nodes: u32,
    /// Added round-trip time (link-degradation), ms.
    #[serde(default)]
    pub extra_rtt_ms: f64,
    /// Remaining share of bandwidth (link-degradation), 0..1.
    #[serde(default = "one")]
    pub bandwidth_factor: f64,
    /// When, s.
    pub at_s: f64,
    /// For how long, s.
    pub duration_s: f64,
}

/// Faults drawn at random for every cluster: exponential times between failures and
/// exponential repair times, from the run's `fault-rates` stream.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultRateConfig {
    /// cluster-failure or node-loss (drawn per cluster), link-degradation or partition
    /// (drawn per site).
    pub kind: SessionFaultKind,
    /// Mean time between failures of one cluster (or site), hours.
    pub mtbf_h: f64,
    /// Mean time to repair, hours.
    pub mttr_h: f64,
    /// Link degradation: RTT added at the site, ms.
    #[serde(default = "default_extra_rtt_ms")]
    pub extra_rtt_ms: f64,
    /// Link degradation: share of bandwidth left, 0..1.
    #[serde(default = "default_bandwidth_factor")]
    pub bandwidth_factor: f64,
}

fn default_extra_rtt_ms() -> f64 {
    20.0
}
fn default_bandwidth_factor() -> f64 {
    0.5
}

fn one() -> f64 {
    1.0
}
fn one_u32() -> u32 {
    1
}

/// Checks a list of faults under the table `base`: each names what its kind fails (its
/// numbers are bounded by the range table; names are resolved against the topology when it
/// is loaded).
pub(super) fn validate_faults(
    c: &Checker,
    base: &str,
    faults: &[ClusterFaultConfig],
) -> Result<(), ConfigError> {
    for (i, f) in faults.iter().enumerate() {
        let p = format!("{base}.faults[{i}]");
        let (needs, given) = match f.kind {
            SessionFaultKind::ClusterFailure | SessionFaultKind::NodeLoss => {
                ("cluster", &f.cluster)
            }
            SessionFaultKind::LinkDegradation | SessionFaultKind::Partition => ("site", &f.site),
        };
        if given.is_empty() {
            return Err(c
                .src
                .error(&p, format!("expected `{needs}` for this kind of fault")));
        }
    }
    Ok(())
}
