//! Cluster API provisioning parameters in engine units (nanoseconds), for one provider and
//! distribution.

use crate::base::units::ns_from_s;
use crate::config::provisioning::CapiConfig;
use crate::config::topology::{Distribution, Provider};

/// What a provisioning job creates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterSpec {
    /// kubeadm or k3s.
    pub distribution: Distribution,
    /// openstack or docker.
    pub provider: Provider,
    /// Control-plane nodes (KubeadmControlPlane / KThreesControlPlane replicas).
    pub control_plane_nodes: u32,
    /// Worker nodes (MachineDeployment replicas).
    pub workers: u32,
    /// vCPUs per node.
    pub vcpu_per_node: f64,
}

/// Timings and controller settings; every duration is the median of a log-normal draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CapiModel {
    /// Management-cluster reconcile delay, ns.
    pub reconcile_ns: u64,
    /// Cluster-wide infrastructure, ns.
    pub infra_ns: u64,
    /// Machines created at once.
    pub concurrency: u32,
    /// Machine start timeout, ns.
    pub start_timeout_ns: u64,
    /// Node join timeout (from boot), ns.
    pub join_timeout_ns: u64,
    /// Attempts after the first.
    pub max_retries: u32,
    /// Probability a server never starts.
    pub machine_failure_prob: f64,
    /// Probability a node never joins.
    pub join_failure_prob: f64,
    /// Log-normal shape of every duration.
    pub sigma: f64,
    /// Machine creation alone, ns.
    pub create_ns: u64,
    /// Added creation time per concurrent creation, ns.
    pub create_contention_ns: u64,
    /// OS boot to bootstrap start, ns.
    pub boot_ns: u64,
    /// First control plane bootstrap, ns.
    pub cp_init_ns: u64,
    /// Node join alone, ns.
    pub join_ns: u64,
    /// Added join time per concurrent join, ns.
    pub join_contention_ns: u64,
    /// Registration to Ready, ns.
    pub cni_ns: u64,
}

impl CapiModel {
    /// The parameters that apply to `provider` and `distribution`.
    pub fn new(c: &CapiConfig, provider: Provider, distribution: Distribution) -> CapiModel {
        let p = match provider {
            Provider::Openstack => &c.openstack,
            Provider::Docker => &c.docker,
        };
        let d = match distribution {
            Distribution::Kubeadm => &c.kubeadm,
            Distribution::K3s => &c.k3s,
        };
        CapiModel {
            reconcile_ns: ns_from_s(c.reconcile_delay_s),
            infra_ns: ns_from_s(c.cluster_infra_s),
            concurrency: c.controller_concurrency,
            start_timeout_ns: ns_from_s(c.machine_start_timeout_s),
            join_timeout_ns: ns_from_s(c.node_join_timeout_s),
            max_retries: c.max_retries,
            machine_failure_prob: c.machine_failure_prob,
            join_failure_prob: c.join_failure_prob,
            sigma: c.timing_sigma,
            create_ns: ns_from_s(p.machine_create_s),
            create_contention_ns: ns_from_s(p.create_contention_s),
            boot_ns: ns_from_s(p.os_boot_s),
            cp_init_ns: ns_from_s(d.control_plane_init_s),
            join_ns: ns_from_s(d.node_join_s),
            join_contention_ns: ns_from_s(d.join_contention_s),
            cni_ns: ns_from_s(d.cni_ready_s),
        }
    }
}
