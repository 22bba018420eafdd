//! The `[provisioning]` section of an experiment: which clusters Cluster API creates, the
//! timings of the controllers, providers and distributions, and scripted actions.
//!
//! Every duration is the median of a log-normal draw whose shape is `timing_sigma`.
//! Defaults and their sources are in `docs/provisioning.md`.

use super::check::Checker;
use super::error::ConfigError;
use super::topology::{Distribution, Provider};
use serde::{Deserialize, Serialize};

/// Clusters to provision and how.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvisioningConfig {
    /// Infrastructure provider of every cluster.
    pub provider: Provider,
    /// Distributions compared.
    pub distributions: Vec<Distribution>,
    /// Cluster sizes compared, nodes in total (control plane included).
    pub nodes: Vec<u32>,
    /// Control-plane nodes per cluster (created one at a time).
    #[serde(default = "one_u32")]
    pub control_plane_nodes: u32,
    /// vCPUs per node.
    pub vcpu_per_node: f64,
    /// Memory per node, GiB.
    pub memory_gib_per_node: f64,
    /// Controller and timing parameters.
    #[serde(default)]
    pub capi: CapiConfig,
    /// Scripted changes during a run (scale, delete).
    #[serde(default)]
    pub actions: Vec<ActionConfig>,
}

fn one_u32() -> u32 {
    1
}

/// Cluster API controllers and the timings they meet.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CapiConfig {
    /// Delay before the management cluster reconciles a new or changed object, s.
    pub reconcile_delay_s: f64,
    /// Cluster-wide infrastructure (network, subnet, router, security groups), s.
    pub cluster_infra_s: f64,
    /// Infrastructure machines created at once (CAPO `--openstackmachine-concurrency`).
    pub controller_concurrency: u32,
    /// A machine whose server is not running after this long fails, s (5 min).
    pub machine_start_timeout_s: f64,
    /// A node not joined this long after its machine started fails, s (10 min).
    pub node_join_timeout_s: f64,
    /// Attempts after the first for a failed machine before the job fails.
    pub max_retries: u32,
    /// Probability that a server never becomes ACTIVE (lost in the cloud).
    pub machine_failure_prob: f64,
    /// Probability that a booted node never joins (bootstrap error).
    pub join_failure_prob: f64,
    /// Shape of the log-normal durations (0: deterministic).
    pub timing_sigma: f64,
    /// Per-provider machine timings.
    pub openstack: ProviderTiming,
    /// Docker provider timings (local test clusters).
    pub docker: ProviderTiming,
    /// kubeadm timings.
    pub kubeadm: DistributionTiming,
    /// k3s timings.
    pub k3s: DistributionTiming,
}

impl Default for CapiConfig {
    fn default() -> Self {
        CapiConfig {
            reconcile_delay_s: 2.0,
            cluster_infra_s: 15.0,
            controller_concurrency: 10,
            machine_start_timeout_s: 300.0,
            node_join_timeout_s: 600.0,
            max_retries: 2,
            machine_failure_prob: 0.0,
            join_failure_prob: 0.0,
            timing_sigma: 0.1,
            openstack: ProviderTiming {
                machine_create_s: 12.0,
                create_contention_s: 1.5,
                os_boot_s: 25.0,
            },
            docker: ProviderTiming {
                machine_create_s: 2.0,
                create_contention_s: 0.2,
                os_boot_s: 3.0,
            },
            kubeadm: DistributionTiming {
                control_plane_init_s: 52.0,
                node_join_s: 35.0,
                join_contention_s: 1.0,
                cni_ready_s: 15.0,
            },
            k3s: DistributionTiming {
                control_plane_init_s: 48.0,
                node_join_s: 28.0,
                join_contention_s: 0.8,
                cni_ready_s: 8.0,
            },
        }
    }
}

/// How long an infrastructure provider takes to create a machine.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderTiming {
    /// Create port and server until ACTIVE, alone, s.
    pub machine_create_s: f64,
    /// Added per other machine being created at the same time (API and scheduler
    /// contention), s.
    pub create_contention_s: f64,
    /// From ACTIVE to cloud-init running the bootstrap script, s.
    pub os_boot_s: f64,
}

/// How long a distribution takes to bootstrap.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DistributionTiming {
    /// First control-plane node: bootstrap until the API server serves, s.
    pub control_plane_init_s: f64,
    /// A further node: bootstrap until registered, alone, s.
    pub node_join_s: f64,
    /// Added per other node joining at the same time (control-plane load), s.
    pub join_contention_s: f64,
    /// From registration to Ready (CNI images pulled, network up), s.
    pub cni_ready_s: f64,
}

/// What a scripted action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ActionKind {
    /// Set the MachineDeployment's replicas (worker count).
    Scale,
    /// Delete the cluster and free its machines.
    Delete,
}

/// A change applied to the cluster at a given time.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionConfig {
    /// When, s after the cluster was applied.
    pub at_s: f64,
    /// What.
    pub action: ActionKind,
    /// New worker count, for `scale`.
    #[serde(default)]
    pub workers: Option<u32>,
}

/// Checks the provisioning section's values.
pub fn validate_provisioning(c: &Checker, p: &ProvisioningConfig) -> Result<(), ConfigError> {
    let f = |name: &str| format!("provisioning.{name}");
    if p.distributions.is_empty() {
        return Err(c.src.error(
            &f("distributions"),
            "expected at least one of \"kubeadm\", \"k3s\"",
        ));
    }
    if p.nodes.is_empty() {
        return Err(c
            .src
            .error(&f("nodes"), "expected at least one cluster size"));
    }
    c.distinct(
        "distribution",
        p.distributions.iter().enumerate().map(|(i, d)| {
            (
                f(&format!("distributions[{i}]")),
                format!("{d:?}").to_lowercase(),
            )
        }),
    )?;
    c.distinct(
        "cluster size",
        p.nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (f(&format!("nodes[{i}]")), *n)),
    )?;
    for (i, &n) in p.nodes.iter().enumerate() {
        if n < p.control_plane_nodes || n > 10_000 {
            return Err(c.src.error(
                &format!("provisioning.nodes[{i}]"),
                format!(
                    "expected {} to 10000 nodes (control plane included), found {n}",
                    p.control_plane_nodes
                ),
            ));
        }
    }
    for (i, a) in p.actions.iter().enumerate() {
        let base = format!("provisioning.actions[{i}]");
        match (a.action, a.workers) {
            (ActionKind::Scale, None) => {
                return Err(c
                    .src
                    .error(&base, "expected `workers` with action = \"scale\""));
            }
            (ActionKind::Scale, Some(w)) if w > 10_000 => {
                return Err(c
                    .src
                    .error(&format!("{base}.workers"), "expected at most 10000 workers"));
            }
            _ => {}
        }
    }
    Ok(())
}
