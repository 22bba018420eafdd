//! Whether a plan's pods fit the new clusters they are placed on: the sum of their
//! requests against what the cluster can schedule once kubelet reserves, the control plane,
//! Liqo's footprint and the monitoring stack's requests are taken out ([`crate::model::allocatable`], the same model the
//! planner simulated and the kubelet arguments the export sets). A plan that does not fit
//! would leave pods Pending, so it is refused with its location rather than exported.

use crate::config::plan_file::{PlanFile, PlannedCluster};
use crate::config::source::Source;
use crate::config::topology::Distribution;
use crate::config::ConfigError;
use crate::model::allocatable::Resources;
use crate::model::monitoring_footprint::workload_allocatable;
use std::path::Path;

/// What new cluster `k` of `plan` can schedule for the application.
pub fn allocatable(plan: &PlanFile, k: &PlannedCluster) -> Resources {
    workload_allocatable(
        k.nodes,
        k.vcpu_per_node,
        k.memory_gib_per_node,
        k.distribution,
        Resources {
            cpu_cores: plan.liqo_reserve.cpu_cores,
            memory_mib: plan.liqo_reserve.memory_mib,
        },
    )
}

/// The first new cluster whose pods do not fit, as a message, with its index.
pub fn misfit(plan: &PlanFile) -> Option<(usize, String)> {
    for (i, k) in plan
        .clusters
        .iter()
        .enumerate()
        .filter(|(_, k)| k.provision)
    {
        let d = plan.demand(&k.name);
        if d.pods == 0 {
            continue;
        }
        let a = allocatable(plan, k);
        let cpu_m = (a.cpu_cores * 1000.0 + 1e-6).floor() as u64;
        let mem = (a.memory_mib + 1e-6).floor() as u64;
        if d.cpu_millicores > cpu_m || d.memory_mib > mem {
            let why = if k.distribution == Distribution::Kubeadm && k.nodes == 1 {
                " (a 1-node kubeadm cluster's only node is its tainted control plane)"
            } else {
                ""
            };
            return Some((
                i,
                format!(
                    "the pods placed on {:?} request {}m CPU and {} MiB, but its {} nodes can schedule {}m and {} MiB after kubelet reserves, the control plane, Liqo and the monitoring stack{why}",
                    k.name, d.cpu_millicores, d.memory_mib, k.nodes, cpu_m, mem
                ),
            ));
        }
    }
    None
}

/// Refuses the plan at `path` if its pods do not fit a new cluster.
pub fn check(path: &Path, plan: &PlanFile) -> Result<(), ConfigError> {
    match misfit(plan) {
        None => Ok(()),
        Some((i, msg)) => {
            let src = Source::read(path)?;
            Err(src.error(&format!("clusters[{i}].nodes"), msg))
        }
    }
}
