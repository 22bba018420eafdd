//! The typed inventory of the objects read: one list per known kind, the unknown kinds
//! counted. A known kind is told by its API group and kind (any version the reader
//! handles); adding one is a reader function and one entry of [`KINDS`].

use super::capi::{self, CapiCluster, ControlPlane, MachineDeployment};
use super::liqo::{self, ForeignCluster, NamespaceOffloading, ResourceSlice, VirtualNode};
use super::node::{self, Node};
use super::object::RawObject;
use super::openstack::{self, MachineTemplate, OpenStackCluster};
use super::workload::{self, Deployment};
use crate::config::topology::Distribution;
use crate::config::ConfigError;
use std::collections::BTreeMap;

/// Everything the reader understood, in the order read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// `v1 Node`.
    pub nodes: Vec<Node>,
    /// `cluster.x-k8s.io Cluster`.
    pub clusters: Vec<CapiCluster>,
    /// `cluster.x-k8s.io MachineDeployment`.
    pub machine_deployments: Vec<MachineDeployment>,
    /// `controlplane.cluster.x-k8s.io KubeadmControlPlane` and `KThreesControlPlane`.
    pub control_planes: Vec<ControlPlane>,
    /// `infrastructure.cluster.x-k8s.io OpenStackMachineTemplate`.
    pub machine_templates: Vec<MachineTemplate>,
    /// `infrastructure.cluster.x-k8s.io OpenStackCluster`.
    pub openstack_clusters: Vec<OpenStackCluster>,
    /// `core.liqo.io ForeignCluster`.
    pub foreign_clusters: Vec<ForeignCluster>,
    /// `authentication.liqo.io ResourceSlice`.
    pub resource_slices: Vec<ResourceSlice>,
    /// `offloading.liqo.io VirtualNode`.
    pub virtual_nodes: Vec<VirtualNode>,
    /// `offloading.liqo.io NamespaceOffloading`.
    pub namespace_offloadings: Vec<NamespaceOffloading>,
    /// `apps Deployment`.
    pub deployments: Vec<Deployment>,
    /// Objects of other kinds, skipped: how many of each `apiVersion kind`.
    pub skipped: BTreeMap<String, usize>,
}

/// Reads one object into the inventory.
type Reader = fn(&RawObject, &mut Inventory) -> Result<(), ConfigError>;

/// The known kinds: API group, kind, and the reader that adds one to the inventory.
pub const KINDS: &[(&str, &str, Reader)] = &[
    ("", "Node", |o, inv| push(&mut inv.nodes, node::read(o))),
    ("cluster.x-k8s.io", "Cluster", |o, inv| {
        push(&mut inv.clusters, capi::read_cluster(o))
    }),
    ("cluster.x-k8s.io", "MachineDeployment", |o, inv| {
        push(
            &mut inv.machine_deployments,
            capi::read_machine_deployment(o),
        )
    }),
    (
        "controlplane.cluster.x-k8s.io",
        "KubeadmControlPlane",
        |o, inv| {
            let cp = capi::read_control_plane(o, Distribution::Kubeadm);
            push(&mut inv.control_planes, cp)
        },
    ),
    (
        "controlplane.cluster.x-k8s.io",
        "KThreesControlPlane",
        |o, inv| {
            let cp = capi::read_control_plane(o, Distribution::K3s);
            push(&mut inv.control_planes, cp)
        },
    ),
    (
        "infrastructure.cluster.x-k8s.io",
        "OpenStackMachineTemplate",
        |o, inv| {
            push(
                &mut inv.machine_templates,
                openstack::read_machine_template(o),
            )
        },
    ),
    (
        "infrastructure.cluster.x-k8s.io",
        "OpenStackCluster",
        |o, inv| push(&mut inv.openstack_clusters, openstack::read_cluster(o)),
    ),
    ("core.liqo.io", "ForeignCluster", |o, inv| {
        push(&mut inv.foreign_clusters, liqo::read_foreign_cluster(o))
    }),
    ("authentication.liqo.io", "ResourceSlice", |o, inv| {
        push(&mut inv.resource_slices, liqo::read_resource_slice(o))
    }),
    ("offloading.liqo.io", "VirtualNode", |o, inv| {
        push(&mut inv.virtual_nodes, liqo::read_virtual_node(o))
    }),
    ("apps", "Deployment", |o, inv| {
        push(&mut inv.deployments, workload::read_deployment(o))
    }),
    ("offloading.liqo.io", "NamespaceOffloading", |o, inv| {
        push(
            &mut inv.namespace_offloadings,
            liqo::read_namespace_offloading(o),
        )
    }),
];

/// Appends a read object, or passes its error on.
fn push<T>(list: &mut Vec<T>, read: Result<T, ConfigError>) -> Result<(), ConfigError> {
    list.push(read?);
    Ok(())
}

impl Inventory {
    /// Adds `obj`: typed if its kind is known, counted as skipped otherwise.
    pub fn add(&mut self, obj: &RawObject) -> Result<(), ConfigError> {
        let kind = obj.at.kind.as_str();
        match KINDS
            .iter()
            .find(|(g, k, _)| *g == obj.group() && *k == kind)
        {
            Some((_, _, read)) => read(obj, self),
            None => {
                let key = format!("{} {kind}", obj.api_version);
                *self
                    .skipped
                    .entry(key.trim_start().to_string())
                    .or_default() += 1;
                Ok(())
            }
        }
    }

    /// How many objects were skipped.
    pub fn skipped_count(&self) -> usize {
        self.skipped.values().sum()
    }
}
