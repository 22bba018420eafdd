//! `v1 Node`: a machine's allocatable resources, roles, taints and placement labels, and
//! whether it is a Liqo virtual node (whose capacity is a peering, not a machine).
//!
//! Field paths from `k8s.io/api/core/v1` `types.go` (`NodeStatus.Allocatable`,
//! `NodeStatus.Capacity`, `NodeSystemInfo.KubeletVersion` at `status.nodeInfo`,
//! `NodeSpec.ProviderID`, `NodeSpec.Taints`); well-known labels from `k8s.io/api/core/v1` `well_known_labels.go`
//! (`topology.kubernetes.io/region`, `topology.kubernetes.io/zone`,
//! `node.kubernetes.io/instance-type`) and `node-role.kubernetes.io/<role>` as kubeadm
//! and k3s set it. Liqo's labels from `liqotech/liqo` `pkg/consts/namespace_mapping.go`
//! (`liqo.io/type: virtual-node`, `liqo.io/remote-cluster-id`), set on the Node by
//! `pkg/virtualKubelet/liqoNodeProvider/setup.go` (`node`), which also adds the taint
//! `virtual-node.liqo.io/not-allowed` (`pkg/consts/webhook.go`). CAPI's annotation
//! `cluster.x-k8s.io/cluster-name` (`api/core/v1beta2/common_types.go`,
//! `ClusterNameAnnotation`) names the cluster of a node it manages.

use super::fields::Resources;
use super::location::Location;
use super::object::RawObject;
use crate::config::ConfigError;
use serde_json::Value;

/// Label of a Liqo node's type, and its value on a virtual node.
const LIQO_TYPE: (&str, &str) = ("liqo.io/type", "virtual-node");
/// Label (and annotation) naming the remote cluster of a Liqo object.
pub const LIQO_REMOTE_CLUSTER_ID: &str = "liqo.io/remote-cluster-id";
/// Prefix of the role labels.
const ROLE_PREFIX: &str = "node-role.kubernetes.io/";

/// One Node.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where it was read.
    pub at: Location,
    /// `metadata.name`.
    pub name: String,
    /// `status.allocatable`; `None` for a Node without status (a manifest, not a dump).
    pub allocatable: Option<Resources>,
    /// `status.capacity`: the machine's whole resources; `None` without status.
    pub capacity: Option<Resources>,
    /// `status.nodeInfo.kubeletVersion` (`v1.33.4`, `v1.33.4+k3s1`).
    pub kubelet_version: Option<String>,
    /// `spec.providerID` (`openstack:///<server id>` under the OpenStack cloud provider).
    pub provider_id: Option<String>,
    /// Roles from `node-role.kubernetes.io/<role>` labels (`control-plane`, `master`,
    /// `etcd`, `worker`...), sorted.
    pub roles: Vec<String>,
    /// `spec.taints`.
    pub taints: Vec<Taint>,
    /// `topology.kubernetes.io/region`.
    pub region: Option<String>,
    /// `topology.kubernetes.io/zone`.
    pub zone: Option<String>,
    /// `node.kubernetes.io/instance-type` (an OpenStack flavor on CAPO machines).
    pub instance_type: Option<String>,
    /// The Cluster API cluster that manages it (annotation `cluster.x-k8s.io/cluster-name`).
    pub capi_cluster: Option<String>,
    /// The Liqo cluster ID this virtual node stands for; `None` for a real machine.
    pub liqo_remote_cluster: Option<String>,
}

/// One taint of a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taint {
    /// `key`.
    pub key: String,
    /// `value` (empty if none).
    pub value: String,
    /// `effect`.
    pub effect: TaintEffect,
}

/// What a taint does to pods that do not tolerate it (`core/v1` `TaintEffect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaintEffect {
    /// `NoSchedule`: no new pods.
    NoSchedule,
    /// `PreferNoSchedule`: avoided when possible.
    PreferNoSchedule,
    /// `NoExecute`: running pods evicted.
    NoExecute,
}

impl Node {
    /// Whether this is a Liqo virtual node.
    pub fn is_virtual(&self) -> bool {
        self.liqo_remote_cluster.is_some()
    }
}

/// Reads a Node.
pub fn read(obj: &RawObject) -> Result<Node, ConfigError> {
    let labels = obj.string_map(&["metadata", "labels"])?;
    let annotations = obj.string_map(&["metadata", "annotations"])?;
    let label = |k: &str| labels.get(k).filter(|v| !v.is_empty()).cloned();
    let virtual_node = labels.get(LIQO_TYPE.0).map(String::as_str) == Some(LIQO_TYPE.1);
    let liqo_remote_cluster = match (virtual_node, label(LIQO_REMOTE_CLUSTER_ID)) {
        (false, _) => None,
        (true, Some(id)) => Some(id),
        (true, None) => {
            let path = ["metadata", "labels", LIQO_REMOTE_CLUSTER_ID];
            return Err(obj.expected(&path, "the remote cluster's ID on a Liqo virtual node"));
        }
    };
    let mut roles: Vec<String> = labels
        .keys()
        .filter_map(|k| k.strip_prefix(ROLE_PREFIX))
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect();
    roles.sort();
    Ok(Node {
        at: obj.at.clone(),
        name: obj.name()?,
        allocatable: obj.resources(&["status", "allocatable"])?,
        capacity: obj.resources(&["status", "capacity"])?,
        kubelet_version: obj.string(&["status", "nodeInfo", "kubeletVersion"])?,
        provider_id: obj.string(&["spec", "providerID"])?,
        roles,
        taints: taints(obj)?,
        region: label("topology.kubernetes.io/region"),
        zone: label("topology.kubernetes.io/zone"),
        instance_type: label("node.kubernetes.io/instance-type"),
        capi_cluster: annotations
            .get("cluster.x-k8s.io/cluster-name")
            .filter(|v| !v.is_empty())
            .cloned(),
        liqo_remote_cluster,
    })
}

fn taints(obj: &RawObject) -> Result<Vec<Taint>, ConfigError> {
    let list = obj.list(&["spec", "taints"])?;
    let mut out = Vec::with_capacity(list.len());
    for i in 0..list.len() {
        let index = i.to_string();
        let at = |k: &'static str| ["spec", "taints", index.as_str(), k];
        let item = obj.get(&["spec", "taints", &index]);
        if !matches!(item, Some(Value::Object(_))) {
            return Err(obj.expected(&["spec", "taints", &index], "a taint (key, value, effect)"));
        }
        let text = |k| -> Result<Option<String>, ConfigError> {
            match obj.get(&at(k)) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(obj.expected(&at(k), "a string")),
            }
        };
        let key = text("key")?.filter(|k| !k.is_empty());
        let key = key.ok_or_else(|| obj.expected(&at("key"), "the taint's key"))?;
        let effect = match text("effect")?.as_deref() {
            Some("NoSchedule") => TaintEffect::NoSchedule,
            Some("PreferNoSchedule") => TaintEffect::PreferNoSchedule,
            Some("NoExecute") => TaintEffect::NoExecute,
            _ => {
                let what = "NoSchedule, PreferNoSchedule or NoExecute";
                return Err(obj.expected(&at("effect"), what));
            }
        };
        out.push(Taint {
            key,
            value: text("value")?.unwrap_or_default(),
            effect,
        });
    }
    Ok(out)
}
