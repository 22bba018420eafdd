//! What the objects say about one cluster of the estate: its machines and their size, its
//! distribution, provider, Cluster API objects and regions.
//!
//! Rules (docs/import.md):
//! - **Machines** are its dump's Nodes that are not Liqo virtual nodes (label
//!   `liqo.io/type: virtual-node`: a peering's capacity, not a machine).
//! - **Size per node** is the most common `status.capacity` (cpu, memory) of its workers
//!   (machines without a control-plane role), or of all machines when none is a worker; a
//!   tie goes to the larger. The topology has one node size per cluster and the capacity
//!   model counts a kubeadm control plane as hosting nothing, so the workers' size is what
//!   carries the workload; a cluster of unequal machines gets a warning naming the sizes.
//! - **Distribution**: the kind of the control plane its Cluster API `Cluster` names
//!   (`KThreesControlPlane`: k3s, `KubeadmControlPlane`: kubeadm); else k3s when a
//!   machine's kubelet version carries `+k3s` (k3s-io/k3s `scripts/version.sh`, commit
//!   03c5ce3c: a k3s release's version is its tag, the Kubernetes version followed by
//!   `+k3s<n>`, or `<kubernetes version>+k3s-<commit>` untagged; k3s builds it into the
//!   kubelet it embeds, which reports it in `status.nodeInfo.kubeletVersion`); else kubeadm.
//! - **Provider**: openstack when its `Cluster`'s `infrastructureRef` is an
//!   `OpenStackCluster` (CAPO) or every machine's `spec.providerID` starts `openstack://`
//!   (kubernetes/cloud-provider-openstack `pkg/openstack/instancesv2.go`:
//!   `openstack:///<server id>`); docker when they start `docker://` (Cluster API's Docker
//!   provider, `test/infrastructure/docker`, `docker:////<machine>`); otherwise openstack,
//!   with a warning (the provider matters only to provisioning, which an existing cluster
//!   never goes through).

use super::dumps::DumpedCluster;
use crate::config::k8s::capi::CapiCluster;
use crate::config::k8s::fields::Resources;
use crate::config::k8s::node::{Node, TaintEffect};
use crate::config::k8s::Inventory;
use crate::config::topology::{Distribution, Provider};
use std::collections::{BTreeMap, BTreeSet};

/// Bytes in a GiB.
const GIB: f64 = (1u64 << 30) as f64;

/// One cluster of the estate as its objects describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterFacts {
    /// Its name.
    pub name: String,
    /// Real machines (virtual nodes excluded).
    pub nodes: u32,
    /// vCPUs per node (see the module's rule for unequal machines).
    pub vcpu_per_node: f64,
    /// Memory per node, GiB (capacity, 1 GiB = 2^30 bytes, to the nearest MiB).
    pub memory_gib_per_node: f64,
    /// kubeadm or k3s.
    pub distribution: Distribution,
    /// openstack or docker.
    pub provider: Provider,
    /// `namespace/name` of its only Cluster API MachineDeployment; empty if none or
    /// several.
    pub machine_deployment: String,
    /// The `topology.kubernetes.io/region` values of its machines, sorted.
    pub regions: Vec<String>,
    /// Allocatable resources of the machines that take workloads (no control-plane
    /// `NoSchedule`/`NoExecute` taint), summed.
    pub schedulable: Resources,
    /// Its Cluster API `Cluster`, if a management cluster's dump holds one.
    pub capi: Option<CapiCluster>,
    /// What the import guessed or could not say, one line each.
    pub warnings: Vec<String>,
}

/// The facts of dump `d`, with the Cluster API objects of every dump; `None` for a dump
/// without machines (a management cluster dumped only for its Cluster API objects).
pub fn cluster_facts(d: &DumpedCluster, all: &[DumpedCluster]) -> Option<ClusterFacts> {
    let machines: Vec<&Node> = d
        .estate
        .inventory
        .nodes
        .iter()
        .filter(|n| !n.is_virtual())
        .collect();
    if machines.is_empty() {
        return None;
    }
    let capi_inventory = all
        .iter()
        .map(|x| &x.estate.inventory)
        .find(|inv| inv.clusters.iter().any(|c| c.name == d.name));
    let capi = capi_inventory.and_then(|inv| inv.clusters.iter().find(|c| c.name == d.name));
    let mut warnings = Vec::new();
    let (vcpu, memory_gib) = node_size(&d.name, &machines, &mut warnings);
    if let (Some(inv), Some(c)) = (capi_inventory, capi) {
        replicas_against_machines(inv, c, machines.len(), &mut warnings);
    }
    let regions: BTreeSet<String> = machines.iter().filter_map(|n| n.region.clone()).collect();
    Some(ClusterFacts {
        name: d.name.clone(),
        nodes: u32::try_from(machines.len()).unwrap_or(u32::MAX),
        vcpu_per_node: vcpu,
        memory_gib_per_node: memory_gib,
        distribution: distribution(&d.name, capi_inventory, capi, &machines, &mut warnings),
        provider: provider(&d.name, capi, &machines, &mut warnings),
        machine_deployment: machine_deployment(&d.name, all, &mut warnings),
        regions: regions.into_iter().collect(),
        schedulable: schedulable(&machines),
        capi: capi.cloned(),
        warnings,
    })
}

/// Warns when Cluster API's replicas (its control plane's, 1 if unsaid, plus its machine
/// deployments', 1 each if unsaid, as [`crate::config::k8s::Estate::summary`] counts them)
/// are not the machines dumped: a cluster scaling, or Nodes missing from the dump. The
/// machines dumped are what is imported.
fn replicas_against_machines(
    inventory: &Inventory,
    c: &CapiCluster,
    machines: usize,
    warnings: &mut Vec<String>,
) {
    let control_plane = c
        .control_plane
        .as_ref()
        .and_then(|r| {
            inventory
                .control_planes
                .iter()
                .find(|cp| cp.namespace == c.namespace && cp.name == r.name)
        })
        .and_then(|cp| cp.replicas)
        .unwrap_or(1) as usize;
    let workers: usize = inventory
        .machine_deployments
        .iter()
        .filter(|md| md.namespace == c.namespace && md.cluster == c.name)
        .map(|md| md.replicas.unwrap_or(1) as usize)
        .sum();
    if control_plane + workers != machines {
        warnings.push(format!(
            "cluster {:?}: Cluster API asks for {} machines ({control_plane} control plane, {workers} workers) but {machines} Nodes were dumped; the Nodes are imported",
            c.name,
            control_plane + workers
        ));
    }
}

/// Whether a machine is a control plane (role `control-plane` or `master`).
fn is_control_plane(n: &Node) -> bool {
    n.roles
        .iter()
        .any(|r| r == "control-plane" || r == "master")
}

/// A machine's capacity as (millicores, bytes); allocatable if it reports no capacity.
fn shape(n: &Node) -> (u64, u64) {
    let r = n.capacity.or(n.allocatable).unwrap_or_default();
    (r.cpu_millicores, r.memory_bytes)
}

/// The size of the cluster's nodes, by the module's rule, as (vCPUs, GiB).
fn node_size(name: &str, machines: &[&Node], warnings: &mut Vec<String>) -> (f64, f64) {
    let workers: Vec<&&Node> = machines.iter().filter(|n| !is_control_plane(n)).collect();
    let sized: Vec<&Node> = if workers.is_empty() {
        machines.to_vec()
    } else {
        workers.into_iter().copied().collect()
    };
    let mut counts: BTreeMap<(u64, u64), usize> = BTreeMap::new();
    for n in &sized {
        *counts.entry(shape(n)).or_default() += 1;
    }
    // Most common; on a tie the larger (the map iterates in ascending order).
    let (&(millicores, bytes), _) = counts
        .iter()
        .max_by_key(|(k, c)| (**c, **k))
        .expect("at least one machine");
    let vcpu = millicores as f64 / 1000.0;
    let memory_gib = (bytes as f64 / GIB * 1024.0).round() / 1024.0;
    let all: BTreeSet<(u64, u64)> = machines.iter().map(|n| shape(n)).collect();
    if all.len() > 1 {
        let sizes: Vec<String> = all
            .iter()
            .map(|&(m, b)| {
                let count = machines.iter().filter(|n| shape(n) == (m, b)).count();
                format!(
                    "{count} x {} vCPU / {:.2} GiB",
                    m as f64 / 1000.0,
                    b as f64 / GIB
                )
            })
            .collect();
        warnings.push(format!(
            "cluster {name:?} has machines of unequal sizes ({}): modelled as {} nodes of its most common worker size, {vcpu} vCPU / {memory_gib} GiB",
            sizes.join(", "),
            machines.len()
        ));
    }
    (vcpu, memory_gib)
}

/// The distribution, by the module's rule.
fn distribution(
    name: &str,
    inventory: Option<&Inventory>,
    capi: Option<&CapiCluster>,
    machines: &[&Node],
    warnings: &mut Vec<String>,
) -> Distribution {
    let by_kubelet = if machines.iter().any(|n| {
        n.kubelet_version
            .as_deref()
            .is_some_and(|v| v.contains("+k3s"))
    }) {
        Distribution::K3s
    } else {
        Distribution::Kubeadm
    };
    let by_capi = capi.and_then(|c| {
        let r = c.control_plane.as_ref()?;
        let inv = inventory?;
        inv.control_planes
            .iter()
            .find(|cp| cp.namespace == c.namespace && cp.name == r.name)
            .map(|cp| cp.distribution)
    });
    match by_capi {
        Some(d) if d != by_kubelet => {
            warnings.push(format!(
                "cluster {name:?}: its Cluster API control plane says {d:?} but its kubelets' versions say {by_kubelet:?}; {d:?} taken"
            ));
            d
        }
        Some(d) => d,
        None => by_kubelet,
    }
}

/// The provider, by the module's rule.
fn provider(
    name: &str,
    capi: Option<&CapiCluster>,
    machines: &[&Node],
    warnings: &mut Vec<String>,
) -> Provider {
    if capi
        .and_then(|c| c.infrastructure.as_ref())
        .is_some_and(|r| r.kind == "OpenStackCluster")
    {
        return Provider::Openstack;
    }
    let all = |prefix: &str| {
        machines.iter().all(|n| {
            n.provider_id
                .as_deref()
                .is_some_and(|p| p.starts_with(prefix))
        })
    };
    if all("openstack://") {
        Provider::Openstack
    } else if all("docker://") {
        Provider::Docker
    } else {
        warnings.push(format!(
            "cluster {name:?}: neither Cluster API nor its Nodes' provider IDs say OpenStack or Docker; modelled as openstack (the provider only matters when a cluster is provisioned, and this one exists)"
        ));
        Provider::Openstack
    }
}

/// `namespace/name` of the cluster's only MachineDeployment in any dump.
fn machine_deployment(name: &str, all: &[DumpedCluster], warnings: &mut Vec<String>) -> String {
    let found: Vec<String> = all
        .iter()
        .flat_map(|d| &d.estate.inventory.machine_deployments)
        .filter(|md| md.cluster == name)
        .map(|md| format!("{}/{}", md.namespace, md.name))
        .collect();
    match found.as_slice() {
        [one] => one.clone(),
        [] => String::new(),
        many => {
            warnings.push(format!(
                "cluster {name:?} has {} MachineDeployments ({}): none recorded, so a plan does not resize it through Cluster API",
                many.len(),
                many.join(", ")
            ));
            String::new()
        }
    }
}

/// Allocatable of the machines a workload may land on: a control plane tainted
/// `NoSchedule` or `NoExecute` (kubeadm's `node-role.kubernetes.io/control-plane`) is left
/// out, as the capacity model leaves it out.
fn schedulable(machines: &[&Node]) -> Resources {
    let mut sum = Resources::default();
    for n in machines {
        let tainted = is_control_plane(n)
            && n.taints.iter().any(|t| {
                t.key.starts_with("node-role.kubernetes.io/")
                    && matches!(t.effect, TaintEffect::NoSchedule | TaintEffect::NoExecute)
            });
        if tainted {
            continue;
        }
        let a = n.allocatable.unwrap_or_default();
        sum.cpu_millicores = sum.cpu_millicores.saturating_add(a.cpu_millicores);
        sum.memory_bytes = sum.memory_bytes.saturating_add(a.memory_bytes);
        sum.gpus = sum.gpus.saturating_add(a.gpus);
        sum.pods = sum.pods.saturating_add(a.pods);
    }
    sum
}
