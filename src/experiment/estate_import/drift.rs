//! Capacity drift as plain data: per cluster, the allocatable CPU and memory its Nodes
//! report against what the capacity model ([`crate::model::allocatable`]) gives for the
//! imported `nodes x vcpu_per_node`, and against what a plan planned for it. The drift
//! report (`drift.csv`) writes these rows.
//!
//! Like for like: the reported side sums the allocatable of the machines that take
//! workloads (a control plane tainted `NoSchedule` is left out, as the model leaves out a
//! kubeadm control plane); the modelled and planned sides are the model's
//! [`cluster_allocatable`] without the Liqo reserve a plan keeps free (no Node reports that
//! reserve: it is headroom the planner leaves, not capacity the kubelet withholds).

use super::facts::ClusterFacts;
use crate::config::plan_file::PlanFile;
use crate::model::allocatable::{cluster_allocatable, Resources};

/// Bytes in a MiB.
const MIB: f64 = (1u64 << 20) as f64;

/// One cluster's allocatable capacity, three ways.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityDrift {
    /// The cluster.
    pub cluster: String,
    /// What its schedulable Nodes report (`status.allocatable`), cores and MiB.
    pub reported: Resources,
    /// What the model gives for the imported nodes and size, cores and MiB.
    pub modelled: Resources,
    /// What the model gives for the plan's nodes and size of the same cluster; `None`
    /// without a plan, or if the plan has no cluster of that name.
    pub planned: Option<Resources>,
}

/// The drift of every imported cluster, in order; `plan` adds the planned column.
pub fn capacity_drift(facts: &[ClusterFacts], plan: Option<&PlanFile>) -> Vec<CapacityDrift> {
    let none = Resources::default();
    facts
        .iter()
        .map(|f| CapacityDrift {
            cluster: f.name.clone(),
            reported: Resources {
                cpu_cores: f.schedulable.cpu_millicores as f64 / 1000.0,
                memory_mib: f.schedulable.memory_bytes as f64 / MIB,
            },
            modelled: cluster_allocatable(
                f.nodes,
                f.vcpu_per_node,
                f.memory_gib_per_node,
                f.distribution,
                none,
            ),
            planned: plan.and_then(|p| p.cluster(&f.name)).map(|k| {
                let nodes = k.nodes;
                cluster_allocatable(
                    nodes,
                    k.vcpu_per_node,
                    k.memory_gib_per_node,
                    k.distribution,
                    none,
                )
            }),
        })
        .collect()
}
