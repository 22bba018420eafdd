//! An estate read whole (`read_estate`) and summed up: the Cluster API clusters with
//! their distribution, node counts and flavors, the machines and virtual nodes each dump
//! holds, and the Liqo peerings. `import k8s` builds its topology and plan from this.

use super::capi::ObjectRef;
use super::documents::{files_of, read_objects};
use super::fields::Resources;
use super::inventory::Inventory;
use super::liqo::{ClusterSelection, NamespaceOffloading, PeeringRole};
use super::openstack::Flavor;
use crate::config::topology::Distribution;
use crate::config::ConfigError;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The objects of every file the command line names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Estate {
    /// The files read, in order.
    pub files: Vec<PathBuf>,
    /// Every object of a known kind, and the count of the others.
    pub inventory: Inventory,
}

/// Reads every file and folder of `paths` (see [`files_of`]) into one inventory; the first
/// bad file or object stops it with a located error.
pub fn read_estate(paths: &[PathBuf]) -> Result<Estate, ConfigError> {
    let files = files_of(paths)?;
    let mut inventory = Inventory::default();
    for file in &files {
        for obj in read_objects(file)? {
            inventory.add(&obj)?;
        }
    }
    Ok(Estate { files, inventory })
}

/// A Cluster API cluster as its objects describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterSummary {
    /// `namespace/name` of the `Cluster`.
    pub name: String,
    /// The distribution of its control plane's kind, if that object was read.
    pub distribution: Option<Distribution>,
    /// Control-plane machines (`spec.replicas`, 1 if absent or not read).
    pub control_plane_nodes: u32,
    /// Worker machines, summed over its machine deployments (1 each if absent).
    pub worker_nodes: u32,
    /// The workers' flavors, sorted, without repeats.
    pub worker_flavors: Vec<String>,
}

/// The Nodes of one dump: a CAPI cluster (by the Nodes' annotation) or, if the Nodes
/// carry none, the file they were read from.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeGroup {
    /// The cluster's name, or the file.
    pub source: String,
    /// Real machines.
    pub machines: usize,
    /// Liqo virtual nodes, by the cluster ID each stands for.
    pub virtual_nodes: Vec<String>,
    /// The machines' allocatable resources, summed.
    pub allocatable: Resources,
}

/// One peering as a Liqo object shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct PeeringSummary {
    /// The file the object was read from (the cluster it was dumped from).
    pub seen_in: PathBuf,
    /// The peer's cluster ID.
    pub peer: String,
    /// What the peer is to the cluster dumped.
    pub role: PeeringRole,
    /// Resources asked of the peer (`ResourceSlice`), if this cluster consumes them.
    pub requested: Option<Resources>,
}

/// An estate summed up.
#[derive(Debug, Clone, PartialEq)]
pub struct EstateSummary {
    /// The Cluster API clusters, as read.
    pub clusters: Vec<ClusterSummary>,
    /// Nodes by cluster or dump, sorted by source.
    pub node_groups: Vec<NodeGroup>,
    /// Peerings: one per `ForeignCluster`, plus one per `ResourceSlice` whose provider has
    /// no `ForeignCluster` in the same file.
    pub peerings: Vec<PeeringSummary>,
    /// Offloaded namespaces and the cluster IDs they are offloaded to (by status, else by
    /// the cluster IDs their selector names).
    pub offloaded: Vec<(String, Vec<String>)>,
    /// Objects of unknown kinds skipped.
    pub skipped: usize,
}

impl Estate {
    /// The summary of the estate.
    pub fn summary(&self) -> EstateSummary {
        let inv = &self.inventory;
        EstateSummary {
            clusters: inv
                .clusters
                .iter()
                .map(|c| self.cluster_summary(c))
                .collect(),
            node_groups: self.node_groups(),
            peerings: self.peerings(),
            offloaded: inv
                .namespace_offloadings
                .iter()
                .map(|n| (n.namespace.clone(), offloaded_to(n)))
                .collect(),
            skipped: inv.skipped_count(),
        }
    }

    fn cluster_summary(&self, c: &super::capi::CapiCluster) -> ClusterSummary {
        let inv = &self.inventory;
        let same = |ns: &str, name: &str, r: &ObjectRef| ns == c.namespace && name == r.name;
        let control_plane = c.control_plane.as_ref().and_then(|r| {
            inv.control_planes
                .iter()
                .find(|cp| same(&cp.namespace, &cp.name, r))
        });
        let deployments = inv
            .machine_deployments
            .iter()
            .filter(|md| md.namespace == c.namespace && md.cluster == c.name);
        let mut worker_nodes = 0u32;
        let mut worker_flavors = Vec::new();
        for md in deployments {
            worker_nodes = worker_nodes.saturating_add(md.replicas.unwrap_or(1));
            let template = md.machine_template.as_ref().and_then(|r| {
                inv.machine_templates
                    .iter()
                    .find(|t| same(&t.namespace, &t.name, r))
            });
            if let Some(t) = template {
                worker_flavors.push(match &t.flavor {
                    Flavor::Name(n) | Flavor::Id(n) => n.clone(),
                });
            }
        }
        worker_flavors.sort();
        worker_flavors.dedup();
        ClusterSummary {
            name: format!("{}/{}", c.namespace, c.name),
            distribution: control_plane.map(|cp| cp.distribution),
            control_plane_nodes: control_plane.and_then(|cp| cp.replicas).unwrap_or(1),
            worker_nodes,
            worker_flavors,
        }
    }

    fn node_groups(&self) -> Vec<NodeGroup> {
        let mut groups: BTreeMap<String, NodeGroup> = BTreeMap::new();
        for n in &self.inventory.nodes {
            let source = n
                .capi_cluster
                .clone()
                .unwrap_or_else(|| n.at.file.display().to_string());
            let g = groups.entry(source.clone()).or_insert_with(|| NodeGroup {
                source,
                machines: 0,
                virtual_nodes: Vec::new(),
                allocatable: Resources::default(),
            });
            match (&n.liqo_remote_cluster, n.allocatable) {
                (Some(id), _) => g.virtual_nodes.push(id.clone()),
                (None, a) => {
                    g.machines += 1;
                    g.allocatable = sum(g.allocatable, a.unwrap_or_default());
                }
            }
        }
        groups.into_values().collect()
    }

    fn peerings(&self) -> Vec<PeeringSummary> {
        let inv = &self.inventory;
        let slice_for = |file: &Path, peer: &str| {
            inv.resource_slices
                .iter()
                .find(|s| s.at.file == file && s.provider.as_deref() == Some(peer))
        };
        let mut out: Vec<PeeringSummary> = inv
            .foreign_clusters
            .iter()
            .map(|f| PeeringSummary {
                seen_in: f.at.file.clone(),
                peer: f.cluster_id.clone(),
                role: f.role,
                requested: slice_for(&f.at.file, &f.cluster_id).map(|s| s.requested),
            })
            .collect();
        for s in &inv.resource_slices {
            let Some(provider) = &s.provider else {
                continue;
            };
            let known = inv
                .foreign_clusters
                .iter()
                .any(|f| f.at.file == s.at.file && &f.cluster_id == provider);
            if !known {
                out.push(PeeringSummary {
                    seen_in: s.at.file.clone(),
                    peer: provider.clone(),
                    role: PeeringRole::Provider,
                    requested: Some(s.requested),
                });
            }
        }
        out
    }
}

/// The peers a namespace is offloaded to: as its status reports them, else as its selector
/// names them (empty if it names none by cluster ID).
fn offloaded_to(n: &NamespaceOffloading) -> Vec<String> {
    match &n.selects {
        _ if !n.offloaded_to.is_empty() => n.offloaded_to.clone(),
        ClusterSelection::Clusters(ids) => ids.clone(),
        ClusterSelection::AllPeers | ClusterSelection::ByLabels => Vec::new(),
    }
}

/// The sum of two resource lists, saturating.
fn sum(a: Resources, b: Resources) -> Resources {
    Resources {
        cpu_millicores: a.cpu_millicores.saturating_add(b.cpu_millicores),
        memory_bytes: a.memory_bytes.saturating_add(b.memory_bytes),
        gpus: a.gpus.saturating_add(b.gpus),
        pods: a.pods.saturating_add(b.pods),
    }
}

impl fmt::Display for EstateSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.clusters {
            let dist = c.distribution.map_or("unknown", |d| match d {
                Distribution::K3s => "k3s",
                Distribution::Kubeadm => "kubeadm",
            });
            writeln!(
                f,
                "cluster {}: {dist}, {} control-plane + {} worker nodes, flavors [{}]",
                c.name,
                c.control_plane_nodes,
                c.worker_nodes,
                c.worker_flavors.join(", ")
            )?;
        }
        for g in &self.node_groups {
            writeln!(
                f,
                "nodes of {}: {} machines ({:.3} cores, {:.0} MiB, {} GPUs), virtual nodes for [{}]",
                g.source,
                g.machines,
                g.allocatable.cpu_cores(),
                g.allocatable.memory_mib(),
                g.allocatable.gpus,
                g.virtual_nodes.join(", ")
            )?;
        }
        for p in &self.peerings {
            writeln!(
                f,
                "peering in {}: {} is {:?}",
                p.seen_in.display(),
                p.peer,
                p.role
            )?;
        }
        for (ns, to) in &self.offloaded {
            writeln!(f, "namespace {ns} offloaded to [{}]", to.join(", "))?;
        }
        writeln!(f, "{} objects of other kinds skipped", self.skipped)
    }
}
