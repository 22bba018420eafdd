//! The reader on inline objects shaped as `kubectl get -o yaml|json` writes them: Node
//! lists of a k3s and a kubeadm cluster, with a Liqo virtual node (labels and taint as
//! `liqotech/liqo` `pkg/virtualKubelet/liqoNodeProvider/setup.go` sets them), the Cluster
//! API objects of `../shared/schemas/samples/valid/xr-edge-k3s-openstack-liqo`, and Liqo
//! peering objects as its `docs/advanced/peering/peering-via-cr.md` writes them.

use super::documents::objects_in;
use super::liqo::{ClusterSelection, NamespaceMapping, PeeringRole, PodOffloading};
use super::node::TaintEffect;
use super::*;
use crate::config::topology::Distribution;
use std::path::Path;

/// The inventory of `text`, read as if from `name`.
pub(super) fn inventory(name: &str, text: &str) -> Result<Inventory, crate::config::ConfigError> {
    let mut inv = Inventory::default();
    for obj in objects_in(Path::new(name), text)? {
        inv.add(&obj)?;
    }
    Ok(inv)
}

/// The error's text, as the command line prints it.
pub(super) fn error(name: &str, text: &str) -> String {
    inventory(name, text).unwrap_err().to_string()
}

pub(super) const K3S_NODES: &str = r#"apiVersion: v1
items:
- apiVersion: v1
  kind: Node
  metadata:
    annotations:
      k3s.io/node-args: '["server"]'
    labels:
      kubernetes.io/hostname: edge-fra-1-cp
      node-role.kubernetes.io/control-plane: "true"
      node-role.kubernetes.io/master: "true"
      node.kubernetes.io/instance-type: k3s
      topology.kubernetes.io/region: eu-central
      topology.kubernetes.io/zone: fra-a
    name: edge-fra-1-cp
  spec:
    podCIDR: 10.42.0.0/24
    taints:
    - effect: NoSchedule
      key: node-role.kubernetes.io/control-plane
  status:
    allocatable:
      cpu: "4"
      ephemeral-storage: "39358207765"
      memory: 16374556Ki
      pods: "110"
    capacity:
      cpu: "4"
      memory: 16374556Ki
- apiVersion: v1
  kind: Node
  metadata:
    labels:
      liqo.io/remote-cluster-id: edge-gva-1
      liqo.io/type: virtual-node
      kubernetes.io/role: agent
      type: virtual-kubelet
    name: edge-gva-1
  spec:
    taints:
    - effect: NoExecute
      key: virtual-node.liqo.io/not-allowed
      value: "true"
  status:
    allocatable:
      cpu: "20"
      memory: 128Gi
      pods: "110"
kind: List
metadata:
  resourceVersion: ""
"#;

#[test]
fn a_k3s_node_list_with_a_liqo_virtual_node() {
    let inv = inventory("nodes.yaml", K3S_NODES).unwrap();
    let [cp, vn] = &inv.nodes[..] else {
        panic!("{:?}", inv.nodes)
    };
    assert_eq!(cp.roles, ["control-plane", "master"]);
    let a = cp.allocatable.unwrap();
    assert_eq!((a.cpu_millicores, a.pods), (4000, 110));
    assert_eq!(a.memory_bytes, 16_374_556 * 1024);
    assert!((a.memory_mib() - 15_990.777).abs() < 0.001);
    assert_eq!(cp.taints[0].effect, TaintEffect::NoSchedule);
    assert_eq!(cp.region.as_deref(), Some("eu-central"));
    assert_eq!(cp.zone.as_deref(), Some("fra-a"));
    assert_eq!(cp.instance_type.as_deref(), Some("k3s"));
    assert!(!cp.is_virtual());
    assert_eq!(vn.liqo_remote_cluster.as_deref(), Some("edge-gva-1"));
    assert_eq!(vn.taints[0].value, "true");
    assert_eq!((vn.at.document, vn.at.item, vn.at.line), (1, Some(1), 1));
    assert_eq!(inv.skipped_count(), 0);
}

#[test]
fn a_kubeadm_node_list_as_json_with_gpus() {
    let json = r#"{"apiVersion": "v1", "kind": "List", "items": [
      {"apiVersion": "v1", "kind": "Node",
       "metadata": {"name": "gpu-1", "labels": {"node.kubernetes.io/instance-type": "g1.xlarge"},
                    "annotations": {"cluster.x-k8s.io/cluster-name": "central"}},
       "status": {"allocatable": {"cpu": "3920m", "memory": "15Gi", "nvidia.com/gpu": "2"}}}]}"#;
    let inv = inventory("nodes.json", json).unwrap();
    let n = &inv.nodes[0];
    let a = n.allocatable.unwrap();
    assert_eq!(
        (a.cpu_millicores, a.gpus, a.memory_mib()),
        (3920, 2, 15_360.0)
    );
    assert_eq!(n.capi_cluster.as_deref(), Some("central"));
    assert!(n.roles.is_empty());
}

/// `management/edge-fra-1.yaml` of `xr-edge-k3s-openstack-liqo` without its Secret and
/// security-group rules.
pub(super) const CAPI: &str = r#"apiVersion: v1
kind: Namespace
metadata:
  name: xr-clusters
---
apiVersion: cluster.x-k8s.io/v1beta2
kind: Cluster
metadata:
  name: edge-fra-1
  namespace: xr-clusters
  labels:
    xrplace.io/site: fra
    xrplace.io/tier: edge
spec:
  clusterNetwork:
    pods:
      cidrBlocks:
      - 10.42.0.0/16
    services:
      cidrBlocks:
      - 10.43.0.0/16
    serviceDomain: cluster.local
  controlPlaneRef:
    apiGroup: controlplane.cluster.x-k8s.io
    kind: KThreesControlPlane
    name: edge-fra-1-control-plane
  infrastructureRef:
    apiGroup: infrastructure.cluster.x-k8s.io
    kind: OpenStackCluster
    name: edge-fra-1
---
apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
kind: OpenStackCluster
metadata:
  name: edge-fra-1
  namespace: xr-clusters
spec:
  identityRef:
    cloudName: openstack
    name: edge-fra-1-cloud-config
  externalNetwork:
    id: 2f5ab8d4-4c5b-4d3e-9f1a-0b7d1c2e3f40
  managedSubnets:
  - cidr: 10.6.0.0/24
    dnsNameservers:
    - 9.9.9.9
  apiServerLoadBalancer:
    enabled: false
---
apiVersion: controlplane.cluster.x-k8s.io/v1beta2
kind: KThreesControlPlane
metadata:
  name: edge-fra-1-control-plane
  namespace: xr-clusters
spec:
  replicas: 1
  version: v1.33.4+k3s1
  machineTemplate:
    infrastructureRef:
      apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
      kind: OpenStackMachineTemplate
      name: edge-fra-1-control-plane
  kthreesConfigSpec:
    serverConfig:
      disableComponents:
      - servicelb
      - traefik
    agentConfig:
      nodeName: '{{ ds.meta_data.local_hostname }}'
---
apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
kind: OpenStackMachineTemplate
metadata:
  name: edge-fra-1-control-plane
  namespace: xr-clusters
spec:
  template:
    spec:
      flavor: m1.medium
      image:
        filter:
          name: ubuntu-2404-k3s-v1.33.4
      sshKeyName: xr-ops
---
apiVersion: cluster.x-k8s.io/v1beta2
kind: MachineDeployment
metadata:
  name: edge-fra-1-md-0
  namespace: xr-clusters
spec:
  clusterName: edge-fra-1
  replicas: 2
  selector:
    matchLabels: {}
  template:
    spec:
      clusterName: edge-fra-1
      version: v1.33.4+k3s1
      failureDomain: nova
      bootstrap:
        configRef:
          apiGroup: bootstrap.cluster.x-k8s.io
          kind: KThreesConfigTemplate
          name: edge-fra-1-md-0
      infrastructureRef:
        apiGroup: infrastructure.cluster.x-k8s.io
        kind: OpenStackMachineTemplate
        name: edge-fra-1-md-0
---
apiVersion: bootstrap.cluster.x-k8s.io/v1beta2
kind: KThreesConfigTemplate
metadata:
  name: edge-fra-1-md-0
  namespace: xr-clusters
spec:
  template:
    spec:
      agentConfig:
        nodeName: '{{ ds.meta_data.local_hostname }}'
---
apiVersion: infrastructure.cluster.x-k8s.io/v1beta1
kind: OpenStackMachineTemplate
metadata:
  name: edge-fra-1-md-0
  namespace: xr-clusters
spec:
  template:
    spec:
      flavor: m1.large
      image:
        filter:
          name: ubuntu-2404-k3s-v1.33.4
      sshKeyName: xr-ops
"#;

#[test]
fn the_cluster_api_objects_of_an_edge_cluster() {
    let inv = inventory("edge-fra-1.yaml", CAPI).unwrap();
    assert_eq!(inv.clusters[0].name, "edge-fra-1");
    assert_eq!(inv.clusters[0].pod_cidrs, ["10.42.0.0/16"]);
    assert_eq!(inv.control_planes[0].distribution, Distribution::K3s);
    assert_eq!(inv.machine_deployments[0].replicas, Some(2));
    assert_eq!(
        inv.openstack_clusters[0].cloud.as_deref(),
        Some("openstack")
    );
    // Namespace and KThreesConfigTemplate are not read.
    assert_eq!(inv.skipped_count(), 2, "{:?}", inv.skipped);
    let estate = Estate {
        files: vec![],
        inventory: inv,
    };
    let s = estate.summary();
    let c = &s.clusters[0];
    assert_eq!(c.name, "xr-clusters/edge-fra-1");
    assert_eq!(c.distribution, Some(Distribution::K3s));
    assert_eq!((c.control_plane_nodes, c.worker_nodes), (1, 2));
    assert_eq!(c.worker_flavors, ["m1.large"]);
}

pub(super) const LIQO: &str = r#"# The consumer's side.
---
apiVersion: core.liqo.io/v1beta1
kind: ForeignCluster
metadata:
  labels:
    liqo.io/remote-cluster-id: edge-gva-1
  name: edge-gva-1
spec:
  clusterID: edge-gva-1
status:
  role: Provider
  tenantNamespace:
    local: liqo-tenant-edge-gva-1
---
apiVersion: authentication.liqo.io/v1beta1
kind: ResourceSlice
metadata:
  name: edge-gva-1
  namespace: liqo-tenant-edge-gva-1
spec:
  class: default
  providerClusterID: edge-gva-1
  resources:
    cpu: 20
    memory: 128Gi
status:
  resources:
    cpu: "16"
    memory: 64Gi
---
apiVersion: offloading.liqo.io/v1beta1
kind: VirtualNode
metadata:
  name: edge-gva-1
  namespace: liqo-tenant-edge-gva-1
spec:
  clusterID: edge-gva-1
  resourceQuota:
    hard:
      cpu: "16"
      memory: 64Gi
---
apiVersion: offloading.liqo.io/v1beta1
kind: NamespaceOffloading
metadata:
  name: offloading
  namespace: xr-demo
spec:
  podOffloadingStrategy: Remote
  clusterSelector:
    nodeSelectorTerms:
    - matchExpressions:
      - key: liqo.io/remote-cluster-id
        operator: In
        values: [edge-gva-1, edge-fra-1]
status:
  remoteNamespaceName: xr-demo-central
  remoteNamespacesConditions:
    edge-gva-1: []
    edge-fra-1: []
"#;

#[test]
fn liqo_peering_objects() {
    let inv = inventory("central/liqo.yaml", LIQO).unwrap();
    let f = &inv.foreign_clusters[0];
    assert_eq!(
        (f.cluster_id.as_str(), f.role),
        ("edge-gva-1", PeeringRole::Provider)
    );
    assert_eq!(
        f.at.line, 3,
        "the document's first line after the comment and ---"
    );
    let s = &inv.resource_slices[0];
    assert_eq!(s.requested.cpu_millicores, 20_000);
    assert_eq!(s.granted.unwrap().memory_bytes, 64 << 30);
    let v = &inv.virtual_nodes[0];
    assert!(v.create_node && v.resources.unwrap().cpu_millicores == 16_000);
    let n = &inv.namespace_offloadings[0];
    assert_eq!(
        (n.mapping, n.pods),
        (NamespaceMapping::DefaultName, PodOffloading::Remote)
    );
    assert_eq!(n.offloaded_to, ["edge-fra-1", "edge-gva-1"]);
    let ids = ["edge-fra-1".to_string(), "edge-gva-1".to_string()];
    assert_eq!(n.selects, ClusterSelection::Clusters(ids.to_vec()));
    assert_eq!(n.remote_namespace.as_deref(), Some("xr-demo-central"));
    assert_eq!((n.at.document, n.at.line), (4, 44));
    let estate = Estate {
        files: vec![],
        inventory: inv,
    };
    let p = &estate.summary().peerings;
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].requested.unwrap().memory_bytes, 128 << 30);
}

#[test]
fn an_offloading_selects_all_peers_named_peers_or_peers_by_label() {
    let text = |selector: &str| {
        format!("apiVersion: offloading.liqo.io/v1beta1\nkind: NamespaceOffloading\nmetadata: {{name: offloading, namespace: a}}\nspec:\n  clusterSelector: {selector}\n")
    };
    let selects = |selector: &str| {
        let inv = inventory("o.yaml", &text(selector)).unwrap();
        inv.namespace_offloadings[0].selects.clone()
    };
    assert_eq!(
        selects("{nodeSelectorTerms: []}"),
        ClusterSelection::AllPeers
    );
    let by_label = "{nodeSelectorTerms: [{matchExpressions: [{key: topology.liqo.io/region, operator: In, values: [eu]}]}]}";
    assert_eq!(selects(by_label), ClusterSelection::ByLabels);
    let two_terms = "{nodeSelectorTerms: [{matchExpressions: [{key: liqo.io/remote-cluster-id, operator: In, values: [b]}]}, {matchExpressions: [{key: liqo.io/remote-cluster-id, operator: In, values: [a, b]}]}]}";
    assert_eq!(
        selects(two_terms),
        ClusterSelection::Clusters(vec!["a".into(), "b".into()])
    );
    let bad = "{nodeSelectorTerms: [{matchExpressions: [{key: liqo.io/remote-cluster-id, operator: In, values: [a, {}]}]}]}";
    let e = error("o.yaml", &text(bad));
    assert!(
        e.contains(
            "field `spec.clusterSelector.nodeSelectorTerms[0].matchExpressions[0].values[1]`"
        ),
        "{e}"
    );
}
