//! What new clusters need before they run anything, installed by Cluster API itself from
//! the management cluster: the CNI (Calico on kubeadm; k3s brings flannel), the OpenStack
//! cloud controller manager, and Liqo.
//!
//! These are Helm charts with per-cluster values, so they are `HelmChartProxy` objects of
//! the Cluster API Add-on Provider for Helm (CAAPH v0.6): it installs a chart on every
//! Cluster whose labels match, once its control plane is reachable, and renders
//! `valuesTemplate` against the Cluster object (its samples template
//! `.Cluster.spec.clusterNetwork.pods.cidrBlocks`). A ClusterResourceSet (core Cluster API)
//! would need the charts rendered into plain manifests here. The one plain object, the
//! cloud controller's `cloud-config` Secret, travels by ClusterResourceSet from a Secret the
//! operator creates on the management cluster; no credential is written here.

use super::capi::cluster_labels;
use super::names::{cluster_label, site_label};
use super::{yaml_file, ExportError, OutFile};
use crate::config::plan_file::{PlanFile, PlannedCluster};
use crate::config::topology::Distribution;
use serde_json::{json, Value};

const CAAPH: &str = "addons.cluster.x-k8s.io/v1alpha1";
/// Liqo's Helm repository (Liqo docs, "Install with Helm").
pub const LIQO_REPO: &str = "https://helm.liqo.io/";
/// Calico's chart repository (CAAPH `config/samples/calico-cni.yaml`, Calico docs).
const CALICO_REPO: &str = "https://docs.tigera.io/calico/charts";
/// The OpenStack cloud provider's chart repository (its chart README).
const CPO_REPO: &str = "https://kubernetes.github.io/cloud-provider-openstack";

/// `management/addons.yaml` (shared add-ons) and `management/<cluster>-liqo.yaml`.
pub fn files(plan: &PlanFile) -> Result<Vec<OutFile>, ExportError> {
    let new: Vec<&PlannedCluster> = plan.new_clusters().collect();
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let mut shared = vec![ccm_secret_set(plan)];
    for d in [Distribution::Kubeadm, Distribution::K3s] {
        if new.iter().any(|k| k.distribution == d) {
            shared.push(ccm(plan, d));
        }
    }
    if new.iter().any(|k| k.distribution == Distribution::Kubeadm) {
        shared.push(calico(plan));
    }
    let mut out = vec![yaml_file(
        "management/addons.yaml",
        &format!(
            "Add-ons Cluster API installs on the new clusters (CAAPH {} and ClusterResourceSet).\nNeeds the Secret {} (type addons.cluster.x-k8s.io/resource-set) in {}; see README.md.",
            plan.deploy.versions.helm_addon_provider,
            plan.deploy.openstack.ccm_secret,
            plan.deploy.management_namespace
        ),
        &shared,
    )?];
    for k in new {
        out.push(yaml_file(
            format!("management/{}-liqo.yaml", k.name),
            &format!(
                "Liqo {} on {} (cluster ID {}).",
                plan.deploy.versions.liqo, k.name, k.name
            ),
            &[liqo(plan, k)],
        )?);
    }
    Ok(out)
}

fn proxy(plan: &PlanFile, name: &str, selector: Value, chart: Value) -> Value {
    let mut spec = json!({"clusterSelector": {"matchLabels": selector}});
    let map = spec.as_object_mut().expect("object");
    for (k, v) in chart.as_object().expect("object") {
        map.insert(k.clone(), v.clone());
    }
    json!({
        "apiVersion": CAAPH,
        "kind": "HelmChartProxy",
        "metadata": {"name": name, "namespace": plan.deploy.management_namespace},
        "spec": spec,
    })
}

/// The `cloud-config` Secret of the cloud controller, copied into each new cluster's
/// `kube-system` from the operator's resource-set Secret.
fn ccm_secret_set(plan: &PlanFile) -> Value {
    json!({
        "apiVersion": "addons.cluster.x-k8s.io/v1beta2",
        "kind": "ClusterResourceSet",
        "metadata": {"name": "xr-openstack-ccm-config", "namespace": plan.deploy.management_namespace},
        "spec": {
            "strategy": "Reconcile",
            "clusterSelector": {"matchExpressions": [{"key": cluster_label(), "operator": "Exists"}]},
            "resources": [{"kind": "Secret", "name": plan.deploy.openstack.ccm_secret}],
        },
    })
}

/// The OpenStack cloud controller manager on the control-plane node. k3s labels it
/// `node-role.kubernetes.io/control-plane=true` and does not taint it; kubeadm labels it
/// with an empty value (the chart's default selector) and taints it.
fn ccm(plan: &PlanFile, d: Distribution) -> Value {
    let (name, selector_value) = match d {
        Distribution::Kubeadm => ("openstack-ccm-kubeadm", "\"\""),
        Distribution::K3s => ("openstack-ccm-k3s", "\"true\""),
    };
    let values = format!(
        "secret:\n  enabled: true\n  create: false\n  name: cloud-config\ncluster:\n  name: {{{{ .Cluster.metadata.name }}}}\nnodeSelector:\n  node-role.kubernetes.io/control-plane: {selector_value}\ntolerations:\n  - key: node.cloudprovider.kubernetes.io/uninitialized\n    value: \"true\"\n    effect: NoSchedule\n  - key: node-role.kubernetes.io/control-plane\n    effect: NoSchedule\n"
    );
    proxy(
        plan,
        name,
        json!({"xrplace.io/distribution": super::capi::distribution_name(d)}),
        json!({
            "repoURL": CPO_REPO,
            "chartName": "openstack-cloud-controller-manager",
            "version": plan.deploy.versions.openstack_ccm_chart,
            "releaseName": "openstack-ccm",
            "namespace": "kube-system",
            "valuesTemplate": values,
        }),
    )
}

/// Calico through the tigera-operator chart, one IP pool per pod CIDR of the Cluster
/// (CAAPH's Calico sample), VXLAN-encapsulated so it needs no BGP between OpenStack ports.
fn calico(plan: &PlanFile) -> Value {
    let values = "installation:\n  cni:\n    type: Calico\n  calicoNetwork:\n    bgp: Disabled\n    ipPools:{{range $i, $cidr := .Cluster.spec.clusterNetwork.pods.cidrBlocks }}\n    - cidr: {{ $cidr }}\n      encapsulation: VXLAN\n      natOutgoing: Enabled\n      nodeSelector: all(){{end}}\n";
    proxy(
        plan,
        "calico-cni",
        json!({"xrplace.io/distribution": "kubeadm"}),
        json!({
            "repoURL": CALICO_REPO,
            "chartName": "tigera-operator",
            "version": plan.deploy.versions.calico,
            "releaseName": "calico",
            "namespace": "tigera-operator",
            "options": {"install": {"createNamespace": true}},
            "valuesTemplate": values,
        }),
    )
}

/// Liqo values of new cluster `k`, the ones `liqoctl install` would set
/// (`pkg/liqoctl/install/handler.go`, `preProviderValues`; k3s: `k3s/provider.go`), with
/// every address range fixed by the plan. The API server address other clusters reach is
/// the control-plane endpoint CAPO gives the Cluster (a floating IP).
pub fn liqo_values(plan: &PlanFile, k: &PlannedCluster) -> String {
    let mut v = format!(
        "tag: {version}\napiServer:\n  address: https://{{{{ .Cluster.spec.controlPlaneEndpoint.host }}}}:{{{{ .Cluster.spec.controlPlaneEndpoint.port }}}}\ndiscovery:\n  config:\n    clusterID: {id}\n    clusterLabels:\n      xrplace.io/site: {site}\n      xrplace.io/tier: {tier}\nipam:\n  podCIDRs:\n    - {pod}\n  serviceCIDR: {svc}\n  externalCIDR: {ext}\n  internalCIDR: {int}\n  reservedSubnets:\n    - {node}\n",
        version = plan.deploy.versions.liqo,
        id = k.name,
        site = site_label(&k.site),
        tier = k.tier.name(),
        pod = k.pod_cidr,
        svc = k.service_cidr,
        ext = k.external_cidr,
        int = k.internal_cidr,
        node = k.node_cidr,
    );
    if k.distribution == Distribution::K3s {
        v += "networking:\n  fabric:\n    config:\n      nftablesMonitor: false\n";
    }
    v
}

fn liqo(plan: &PlanFile, k: &PlannedCluster) -> Value {
    let mut selector = json!({});
    selector[cluster_label()] = cluster_labels(k)[cluster_label()].clone();
    proxy(
        plan,
        &format!("liqo-{}", k.name),
        selector,
        json!({
            "repoURL": LIQO_REPO,
            "chartName": "liqo",
            "version": plan.deploy.versions.liqo,
            "releaseName": "liqo",
            "namespace": "liqo",
            "options": {"install": {"createNamespace": true}, "timeout": "10m0s", "wait": true},
            "valuesTemplate": liqo_values(plan, k),
        }),
    )
}
