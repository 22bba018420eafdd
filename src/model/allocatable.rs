//! What Kubernetes can schedule on a cluster: its nodes' capacity less what the kubelet
//! keeps back (`kube-reserved`, `system-reserved`, the hard eviction threshold), less the
//! nodes a control plane keeps for itself, less the Liqo footprint a plan leaves free.
//!
//! The exporter configures the same reservations on the kubelets it provisions
//! (`kube-reserved`, `system-reserved` kubelet arguments), so the allocatable capacity a
//! plan is simulated with is the one the real clusters report. Sources:
//! - Per-node reserve: GKE's published formula for kube-reserved ("Node allocatable",
//!   cloud.google.com/kubernetes-engine/docs/concepts/plan-node-sizes): CPU 6 % of the
//!   first core, 1 % of the second, 0.5 % of cores 3-4, 0.25 % above; memory 25 % of the
//!   first 4 GiB, 20 % of the next 4, 10 % of the next 8, 6 % of the next 112, 2 % above
//!   128 GiB. Upstream kubelets reserve nothing by default, so the export sets it.
//! - Eviction: the kubelet's default `evictionHard` `memory.available<100Mi`
//!   (kubernetes.io/docs/tasks/administer-cluster/reserve-compute-resources).
//! - kubeadm control planes are tainted `node-role.kubernetes.io/control-plane:NoSchedule`
//!   (kubeadm docs, "Control plane node isolation"), so their node hosts no workload.
//! - k3s servers are schedulable; they run the API server, controller manager, scheduler
//!   and datastore in the k3s process. Their `system-reserved` is the k3s resource profile
//!   (docs.k3s.io/reference/resource-profiling, Intel 8375C): a server with a workload needs
//!   6 % of a core and 1606 MB (embedded etcd) against 3 % and 275 MB for an agent; the
//!   difference, rounded up, is 0.05 cores and 1331 MiB (estimate from measured minima).
//! - Liqo: the control plane and gateway footprint of `paths.liqo` (design.md: "< 0.5 CPU,
//!   < 200 MB RAM"); Liqo's chart sets no requests, so the plan keeps this headroom free.
//! - Monitoring: the requests the export gives kube-prometheus-stack on every cluster
//!   ([`super::monitoring_footprint`]), its node-exporter once per node that takes pods
//!   ([`super::monitoring_footprint::workload_allocatable`]).

use crate::config::topology::Distribution;

/// CPU and memory of one node or of a whole cluster.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Resources {
    /// CPU, cores.
    pub cpu_cores: f64,
    /// Memory, MiB.
    pub memory_mib: f64,
}

impl std::ops::Add for Resources {
    type Output = Resources;

    /// Both kept together: CPU with CPU, memory with memory.
    fn add(self, other: Resources) -> Resources {
        Resources {
            cpu_cores: self.cpu_cores + other.cpu_cores,
            memory_mib: self.memory_mib + other.memory_mib,
        }
    }
}

/// The kubelet's hard eviction threshold on available memory, MiB (kubelet default).
pub const EVICTION_HARD_MEMORY_MIB: f64 = 100.0;

/// `system-reserved` of a k3s server node (control plane in the k3s process); estimate from
/// the k3s resource profile (see the module doc).
pub const K3S_SERVER_RESERVED: Resources = Resources {
    cpu_cores: 0.05,
    memory_mib: 1331.0,
};

/// Applies a tiered rate: each `(upper bound, rate)` covers the amount up to its bound.
fn tiered(amount: f64, tiers: &[(f64, f64)]) -> f64 {
    let mut below = 0.0;
    let mut total = 0.0;
    for &(upper, rate) in tiers {
        if amount <= below {
            break;
        }
        total += (amount.min(upper) - below) * rate;
        below = upper;
    }
    total
}

/// `kube-reserved` of a node of `vcpu` cores and `memory_gib` GiB, by GKE's formula,
/// rounded up to whole millicores and MiB (the quantities the kubelet is given).
pub fn kube_reserved(vcpu: f64, memory_gib: f64) -> Resources {
    let cpu = tiered(
        vcpu,
        &[
            (1.0, 0.06),
            (2.0, 0.01),
            (4.0, 0.005),
            (f64::INFINITY, 0.0025),
        ],
    );
    let mem_gib = if memory_gib < 1.0 {
        255.0 / 1024.0
    } else {
        tiered(
            memory_gib,
            &[
                (4.0, 0.25),
                (8.0, 0.20),
                (16.0, 0.10),
                (128.0, 0.06),
                (f64::INFINITY, 0.02),
            ],
        )
    };
    Resources {
        cpu_cores: (cpu * 1000.0).ceil() / 1000.0,
        memory_mib: (mem_gib * 1024.0).ceil(),
    }
}

/// What one node offers to pods: capacity less kube-reserved and the eviction threshold.
pub fn node_allocatable(vcpu: f64, memory_gib: f64) -> Resources {
    let r = kube_reserved(vcpu, memory_gib);
    Resources {
        cpu_cores: (vcpu - r.cpu_cores).max(0.0),
        memory_mib: (memory_gib * 1024.0 - r.memory_mib - EVICTION_HARD_MEMORY_MIB).max(0.0),
    }
}

/// How many of a cluster's `nodes` take pods: a kubeadm cluster's first node is its
/// tainted control plane, every k3s node takes pods.
pub fn schedulable_nodes(nodes: u32, distribution: Distribution) -> u32 {
    match distribution {
        Distribution::Kubeadm => nodes.saturating_sub(1),
        Distribution::K3s => nodes,
    }
}

/// What a cluster of `nodes` nodes of one shape offers to application pods: the
/// schedulable nodes' allocatable, less the k3s server's own reserve and the `liqo`
/// footprint kept free. A kubeadm cluster's first node is its tainted control plane.
/// This is what its Nodes report less `liqo`;
/// [`super::monitoring_footprint::workload_allocatable`] also keeps the monitoring's
/// requests free.
pub fn cluster_allocatable(
    nodes: u32,
    vcpu: f64,
    memory_gib: f64,
    distribution: Distribution,
    liqo: Resources,
) -> Resources {
    let per_node = node_allocatable(vcpu, memory_gib);
    let schedulable = schedulable_nodes(nodes, distribution);
    let server = match distribution {
        Distribution::K3s if nodes > 0 => K3S_SERVER_RESERVED,
        _ => Resources::default(),
    };
    if schedulable == 0 {
        return Resources::default();
    }
    let n = schedulable as f64;
    Resources {
        cpu_cores: (n * per_node.cpu_cores - server.cpu_cores - liqo.cpu_cores).max(0.0),
        memory_mib: (n * per_node.memory_mib - server.memory_mib - liqo.memory_mib).max(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kube_reserved_follows_the_published_tiers() {
        // 4 vCPU: 0.06 + 0.01 + 2 x 0.005 = 0.08 cores. 16 GiB: 4 x 0.25 + 4 x 0.20 + 8 x 0.10
        // = 2.6 GiB = 2662.4 MiB, rounded up to 2663.
        let r = kube_reserved(4.0, 16.0);
        assert!((r.cpu_cores - 0.08).abs() < 1e-9);
        assert_eq!(r.memory_mib, 2663.0);
        // 8 vCPU: 0.08 + 4 x 0.0025 = 0.09. 32 GiB: 2.6 + 16 x 0.06 = 3.56 GiB = 3645.44 MiB.
        let r = kube_reserved(8.0, 32.0);
        assert!((r.cpu_cores - 0.09).abs() < 1e-9);
        assert_eq!(r.memory_mib, 3646.0);
        assert_eq!(kube_reserved(1.0, 0.5).memory_mib, 255.0);
    }

    #[test]
    fn kubeadm_control_plane_hosts_nothing_and_k3s_server_keeps_its_reserve() {
        let none = Resources::default();
        let one_kubeadm = cluster_allocatable(1, 4.0, 16.0, Distribution::Kubeadm, none);
        assert_eq!(one_kubeadm, Resources::default());
        let node = node_allocatable(4.0, 16.0);
        let three_kubeadm = cluster_allocatable(3, 4.0, 16.0, Distribution::Kubeadm, none);
        assert!((three_kubeadm.cpu_cores - 2.0 * node.cpu_cores).abs() < 1e-9);
        let three_k3s = cluster_allocatable(3, 4.0, 16.0, Distribution::K3s, none);
        assert!((three_k3s.cpu_cores - (3.0 * node.cpu_cores - 0.05)).abs() < 1e-9);
        let liqo = Resources {
            cpu_cores: 0.1,
            memory_mib: 200.0,
        };
        let with_liqo = cluster_allocatable(3, 4.0, 16.0, Distribution::K3s, liqo);
        assert!((three_k3s.memory_mib - with_liqo.memory_mib - 200.0).abs() < 1e-9);
        assert!(with_liqo.cpu_cores < 12.0 && with_liqo.memory_mib < 3.0 * 16.0 * 1024.0);
    }
}
