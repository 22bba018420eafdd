//! Liqo peering objects (v1beta1, Liqo 1.x): `ForeignCluster` (a peer and this cluster's
//! role towards it), `ResourceSlice` (resources a consumer asks of a provider),
//! `VirtualNode` (the node standing for a provider) and `NamespaceOffloading` (a namespace
//! offloaded to peers).
//!
//! Field paths from `liqotech/liqo` (`apis/core/v1beta1/foreigncluster_types.go`:
//! `spec.clusterID`, `status.role` of `Consumer`, `Provider`, `ConsumerAndProvider`,
//! `Unknown`; `apis/authentication/v1beta1/resourceslice_types.go`: `spec.consumerClusterID`,
//! `spec.providerClusterID`, `spec.resources`, `status.resources`;
//! `apis/offloading/v1beta1/virtualnode_types.go`: `spec.clusterID`, `spec.createNode`,
//! `spec.resourceQuota.hard`; `apis/offloading/v1beta1/namespaceoffloading_types.go`:
//! `spec.namespaceMappingStrategy`, `spec.podOffloadingStrategy`,
//! `spec.remoteNamespaceName`, `status.remoteNamespaceName`,
//! `status.remoteNamespacesConditions` keyed by cluster ID), and the CRDs in
//! `../shared/schemas/crds/liqo/` (Liqo v1.2.0).

use super::fields::Resources;
use super::location::Location;
use super::object::RawObject;
use crate::config::ConfigError;

/// This cluster's role towards a peer (`ForeignCluster` `status.role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeeringRole {
    /// The peer consumes this cluster's resources.
    Consumer,
    /// The peer provides resources to this cluster.
    Provider,
    /// Both.
    ConsumerAndProvider,
    /// Not known yet (also when the status is absent).
    Unknown,
}

/// A `ForeignCluster`: a peer as seen from the cluster the object was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct ForeignCluster {
    /// Where it was read.
    pub at: Location,
    /// `metadata.name`.
    pub name: String,
    /// `spec.clusterID`: the peer's Liqo cluster ID.
    pub cluster_id: String,
    /// `status.role`: what the peer is to this cluster.
    pub role: PeeringRole,
    /// `status.tenantNamespace.local`.
    pub tenant_namespace: Option<String>,
}

/// A `ResourceSlice`: resources a consumer asks of a provider.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceSlice {
    /// Where it was read.
    pub at: Location,
    /// `metadata.namespace` (the tenant namespace).
    pub namespace: String,
    /// `metadata.name`: also the virtual node's name when Liqo creates one.
    pub name: String,
    /// `spec.consumerClusterID`.
    pub consumer: Option<String>,
    /// `spec.providerClusterID`.
    pub provider: Option<String>,
    /// `spec.class`.
    pub class: Option<String>,
    /// `spec.resources`: what was asked.
    pub requested: Resources,
    /// `status.resources`: what the provider granted, once it has.
    pub granted: Option<Resources>,
}

/// A `VirtualNode`: the node standing for a provider in its consumer.
#[derive(Debug, Clone, PartialEq)]
pub struct VirtualNode {
    /// Where it was read.
    pub at: Location,
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `spec.clusterID`: the provider.
    pub cluster_id: String,
    /// `spec.createNode` (Liqo creates the Node unless it is false).
    pub create_node: bool,
    /// `spec.resourceQuota.hard`: the resources it offers.
    pub resources: Option<Resources>,
}

/// How the remote namespace is named (`spec.namespaceMappingStrategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamespaceMapping {
    /// `DefaultName` (the default): the local name with the local cluster ID.
    DefaultName,
    /// `EnforceSameName`.
    EnforceSameName,
    /// `SelectedName`: `spec.remoteNamespaceName`.
    SelectedName,
}

/// Where pods of the namespace may run (`spec.podOffloadingStrategy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodOffloading {
    /// `LocalAndRemote` (the default).
    LocalAndRemote,
    /// `Remote`.
    Remote,
    /// `Local`.
    Local,
}

/// A `NamespaceOffloading`: a namespace of the consumer offloaded to peers.
#[derive(Debug, Clone, PartialEq)]
pub struct NamespaceOffloading {
    /// Where it was read.
    pub at: Location,
    /// `metadata.namespace`: the offloaded namespace.
    pub namespace: String,
    /// `spec.namespaceMappingStrategy`.
    pub mapping: NamespaceMapping,
    /// `spec.podOffloadingStrategy`.
    pub pods: PodOffloading,
    /// The remote namespace's name (`status`, else `spec.remoteNamespaceName`).
    pub remote_namespace: Option<String>,
    /// The peers `spec.clusterSelector` selects.
    pub selects: ClusterSelection,
    /// Cluster IDs the namespace is offloaded to (keys of
    /// `status.remoteNamespacesConditions`), sorted; empty in a manifest (no status).
    pub offloaded_to: Vec<String>,
}

/// The peers a `NamespaceOffloading`'s `spec.clusterSelector` (a core `NodeSelector` over
/// the virtual nodes' labels: terms ORed, expressions of a term ANDed) selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterSelection {
    /// No term: every peer ("A cluster selector with no NodeSelectorTerms matches all
    /// clusters").
    AllPeers,
    /// Every term has `liqo.io/remote-cluster-id In [...]`: at most these cluster IDs
    /// (sorted, the union over the terms).
    Clusters(Vec<String>),
    /// Some term selects by other labels only: which peers depends on their labels.
    ByLabels,
}

/// The string at `path` as one of `choices` (`default` if absent).
fn choice<T: Copy>(
    obj: &RawObject,
    path: &[&str],
    choices: &[(&str, T)],
    default: T,
) -> Result<T, ConfigError> {
    let Some(text) = obj.string(path)? else {
        return Ok(default);
    };
    choices
        .iter()
        .find(|(name, _)| *name == text)
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            obj.expected(path, &format!("one of {}", names.join(", ")))
        })
}

/// Reads a `ForeignCluster`.
pub fn read_foreign_cluster(obj: &RawObject) -> Result<ForeignCluster, ConfigError> {
    use PeeringRole::*;
    let roles = [
        ("Consumer", Consumer),
        ("Provider", Provider),
        ("ConsumerAndProvider", ConsumerAndProvider),
        ("Unknown", Unknown),
    ];
    Ok(ForeignCluster {
        at: obj.at.clone(),
        name: obj.name()?,
        cluster_id: obj.required_string(&["spec", "clusterID"], "the peer's cluster ID")?,
        role: choice(obj, &["status", "role"], &roles, Unknown)?,
        tenant_namespace: obj.string(&["status", "tenantNamespace", "local"])?,
    })
}

/// Reads a `ResourceSlice`.
pub fn read_resource_slice(obj: &RawObject) -> Result<ResourceSlice, ConfigError> {
    Ok(ResourceSlice {
        at: obj.at.clone(),
        namespace: obj.namespace()?,
        name: obj.name()?,
        consumer: obj.string(&["spec", "consumerClusterID"])?,
        provider: obj.string(&["spec", "providerClusterID"])?,
        class: obj.string(&["spec", "class"])?,
        requested: obj.resources(&["spec", "resources"])?.unwrap_or_default(),
        granted: obj.resources(&["status", "resources"])?,
    })
}

/// Reads a `VirtualNode`.
pub fn read_virtual_node(obj: &RawObject) -> Result<VirtualNode, ConfigError> {
    Ok(VirtualNode {
        at: obj.at.clone(),
        namespace: obj.namespace()?,
        name: obj.name()?,
        cluster_id: obj.required_string(&["spec", "clusterID"], "the provider's cluster ID")?,
        create_node: obj.boolean(&["spec", "createNode"])?.unwrap_or(true),
        resources: obj.resources(&["spec", "resourceQuota", "hard"])?,
    })
}

/// Reads a `NamespaceOffloading`.
pub fn read_namespace_offloading(obj: &RawObject) -> Result<NamespaceOffloading, ConfigError> {
    use NamespaceMapping::*;
    use PodOffloading::*;
    let mappings = [
        ("DefaultName", DefaultName),
        ("EnforceSameName", EnforceSameName),
        ("SelectedName", SelectedName),
    ];
    let pods = [
        ("LocalAndRemote", LocalAndRemote),
        ("Remote", Remote),
        ("Local", Local),
    ];
    let conditions = ["status", "remoteNamespacesConditions"];
    let offloaded_to = match obj.get(&conditions) {
        None => Vec::new(),
        Some(serde_json::Value::Object(map)) => {
            let mut ids: Vec<String> = map.keys().cloned().collect();
            ids.sort();
            ids
        }
        Some(_) => return Err(obj.expected(&conditions, "a mapping of cluster IDs to conditions")),
    };
    let remote = obj.string(&["status", "remoteNamespaceName"])?;
    Ok(NamespaceOffloading {
        at: obj.at.clone(),
        namespace: obj.required_string(&["metadata", "namespace"], "the offloaded namespace")?,
        mapping: choice(
            obj,
            &["spec", "namespaceMappingStrategy"],
            &mappings,
            DefaultName,
        )?,
        pods: choice(
            obj,
            &["spec", "podOffloadingStrategy"],
            &pods,
            LocalAndRemote,
        )?,
        remote_namespace: remote.or(obj.string(&["spec", "remoteNamespaceName"])?),
        selects: selection(obj)?,
        offloaded_to,
    })
}

/// The peers `spec.clusterSelector.nodeSelectorTerms` selects.
fn selection(obj: &RawObject) -> Result<ClusterSelection, ConfigError> {
    let terms = ["spec", "clusterSelector", "nodeSelectorTerms"];
    let count = obj.list(&terms)?.len();
    if count == 0 {
        return Ok(ClusterSelection::AllPeers);
    }
    let mut ids = Vec::new();
    for t in 0..count {
        let t = t.to_string();
        let exprs = [
            "spec",
            "clusterSelector",
            "nodeSelectorTerms",
            &t,
            "matchExpressions",
        ];
        let mut named = false;
        for e in 0..obj.list(&exprs)?.len() {
            let e = e.to_string();
            let field = |k| [&exprs[..], &[e.as_str(), k]].concat();
            let by_id = obj.string(&field("key"))?.as_deref()
                == Some(super::node::LIQO_REMOTE_CLUSTER_ID)
                && obj.string(&field("operator"))?.as_deref() == Some("In");
            if by_id {
                named = true;
                ids.extend(super::capi::strings(obj, &field("values"))?);
            }
        }
        if !named {
            return Ok(ClusterSelection::ByLabels);
        }
    }
    ids.sort();
    ids.dedup();
    Ok(ClusterSelection::Clusters(ids))
}
