//! Cluster API manifests for the plan's new clusters, applied to the management cluster:
//! `Cluster` (v1beta2), the control plane (`KThreesControlPlane` for k3s,
//! `KubeadmControlPlane` for kubeadm), a `MachineDeployment` of `nodes - 1` workers with
//! its bootstrap config template, and the OpenStack infrastructure objects (v1beta1 by
//! default: CAPO v0.14, the newest stable release, serves only v1beta1).
//!
//! Grounding (docs/export.md has the full list):
//! - k3s ignores `Cluster.spec.clusterNetwork`; the CIDRs go to `serverConfig.clusterCidr`
//!   and `serviceCidr` (cluster-api-k3s `pkg/k3s/config.go`).
//! - The external OpenStack cloud controller needs `cloud-provider=external` and
//!   `provider-id=openstack:///<instance id>` on every kubelet (CAPO's
//!   `templates/cluster-template-without-lb.yaml`); k3s gets them as `kubeletArgs`, with
//!   `cloudProviderName: external` on the server (cluster-api-k3s `getKubeletExtraArgs`).
//! - kubelet reserves: the `kube-reserved` (and on a k3s server `system-reserved`) the
//!   plan was sized with ([`crate::model::allocatable`]).
//! - No port is opened to the outside unless the plan exposes a NodePort on that cluster:
//!   Liqo's gateway servers run on the hub and these clusters only dial out.

use super::names::{cluster_label, site_label};
use super::{yaml_file, ExportError, ExportOptions, OutFile};
use crate::base::units::millicores;
use crate::config::plan_file::{PlanFile, PlannedCluster};
use crate::config::topology::Distribution;
use crate::model::allocatable::{kube_reserved, K3S_SERVER_RESERVED};
use serde_json::{json, Value};

const CAPI: &str = "cluster.x-k8s.io/v1beta2";
const INFRA_GROUP: &str = "infrastructure.cluster.x-k8s.io";
const CONTROL_PLANE_GROUP: &str = "controlplane.cluster.x-k8s.io";
const BOOTSTRAP_GROUP: &str = "bootstrap.cluster.x-k8s.io";
/// The kubelet's provider ID under kubeadm, rendered by cloud-init's Jinja, written as
/// CAPO's templates write it (kubeadm puts it in a flags file).
const PROVIDER_ID: &str = "openstack:///'{{ instance_id }}'";
/// The same for k3s, whose `kubelet-arg` list reaches the kubelet unparsed, so without the
/// quotes (as cluster-api-k3s' Proxmox sample writes its provider ID). Both bootstrap
/// providers start their user data with `## template: jinja`.
const PROVIDER_ID_K3S: &str = "openstack:///{{ instance_id }}";
/// k3s' node name from the OpenStack metadata (cluster-api-k3s samples).
const K3S_NODE_NAME: &str = "{{ ds.meta_data.local_hostname }}";

/// A NodePort the plan opens on a new cluster: (port, protocol name).
pub type OpenPort = (u16, &'static str);

/// The management cluster's files: one file per new cluster.
pub fn files(
    plan: &PlanFile,
    opts: &ExportOptions,
    open_ports: impl Fn(&str) -> Vec<OpenPort>,
) -> Result<Vec<OutFile>, ExportError> {
    let mut out = Vec::new();
    for k in plan.new_clusters() {
        out.push(yaml_file(
            format!("management/{}.yaml", k.name),
            &format!(
                "Cluster {} at site {:?} ({}): {} nodes of {} vCPU / {} GiB ({}), {}, on OpenStack.\nNeeds the Secret {} (key clouds.yaml) in namespace {}; it is not exported.",
                k.name,
                k.site,
                k.tier.name(),
                k.nodes,
                k.vcpu_per_node,
                k.memory_gib_per_node,
                k.worker_flavor,
                distribution_name(k.distribution),
                plan.deploy.openstack.identity_secret,
                plan.deploy.management_namespace,
            ),
            &cluster_docs(plan, k, opts, &open_ports(&k.name)),
        )?);
    }
    Ok(out)
}

/// `kubeadm` or `k3s`.
pub fn distribution_name(d: Distribution) -> &'static str {
    match d {
        Distribution::K3s => "k3s",
        Distribution::Kubeadm => "kubeadm",
    }
}

/// Labels every new Cluster carries; the add-ons' HelmChartProxies select on them.
pub fn cluster_labels(k: &PlannedCluster) -> Value {
    json!({
        cluster_label(): k.name,
        "xrplace.io/site": site_label(&k.site),
        "xrplace.io/tier": k.tier.name(),
        "xrplace.io/distribution": distribution_name(k.distribution),
    })
}

fn infra_version(opts: &ExportOptions) -> &'static str {
    if opts.openstack_v1beta2 {
        "infrastructure.cluster.x-k8s.io/v1beta2"
    } else {
        "infrastructure.cluster.x-k8s.io/v1beta1"
    }
}

/// Kubernetes version of a cluster's machines (`+k3s1` for k3s).
fn version(plan: &PlanFile, k: &PlannedCluster) -> String {
    match k.distribution {
        Distribution::K3s => format!("{}+k3s1", plan.deploy.kubernetes_version),
        Distribution::Kubeadm => plan.deploy.kubernetes_version.clone(),
    }
}

fn meta(name: &str, ns: &str) -> Value {
    json!({"name": name, "namespace": ns})
}

/// `kube-reserved` kubelet value for the cluster's node shape (`cpu=80m,memory=2663Mi`).
pub fn kube_reserved_arg(k: &PlannedCluster) -> String {
    let r = kube_reserved(k.vcpu_per_node, k.memory_gib_per_node);
    format!(
        "cpu={}m,memory={}Mi",
        millicores(r.cpu_cores),
        r.memory_mib as u64
    )
}

/// `system-reserved` kubelet value of a k3s server.
pub fn k3s_server_reserved_arg() -> String {
    format!(
        "cpu={}m,memory={}Mi",
        millicores(K3S_SERVER_RESERVED.cpu_cores),
        K3S_SERVER_RESERVED.memory_mib as u64
    )
}

/// The documents of new cluster `k`.
fn cluster_docs(
    plan: &PlanFile,
    k: &PlannedCluster,
    opts: &ExportOptions,
    open: &[OpenPort],
) -> Vec<Value> {
    let ns = &plan.deploy.management_namespace;
    let cp_name = format!("{}-control-plane", k.name);
    let md_name = format!("{}-md-0", k.name);
    let (cp_kind, cfg_kind) = match k.distribution {
        Distribution::K3s => ("KThreesControlPlane", "KThreesConfigTemplate"),
        Distribution::Kubeadm => ("KubeadmControlPlane", "KubeadmConfigTemplate"),
    };
    // A k3s server is a schedulable node the plan counted as capacity, so it gets the
    // workers' flavor; a kubeadm control plane is tainted and takes the control-plane one.
    let cp_flavor = match k.distribution {
        Distribution::K3s => &k.worker_flavor,
        Distribution::Kubeadm => &plan.deploy.openstack.control_plane_flavor,
    };
    let cluster = json!({
        "apiVersion": CAPI,
        "kind": "Cluster",
        "metadata": {
            "name": k.name,
            "namespace": ns,
            "labels": cluster_labels(k),
            "annotations": {"xrplace.io/site-name": k.site},
        },
        "spec": {
            "clusterNetwork": {
                "pods": {"cidrBlocks": [k.pod_cidr]},
                "services": {"cidrBlocks": [k.service_cidr]},
                "serviceDomain": "cluster.local",
            },
            "controlPlaneRef": {"apiGroup": CONTROL_PLANE_GROUP, "kind": cp_kind, "name": cp_name},
            "infrastructureRef": {"apiGroup": INFRA_GROUP, "kind": "OpenStackCluster", "name": k.name},
        },
    });
    vec![
        cluster,
        openstack_cluster(plan, k, opts, open),
        control_plane(plan, k, &cp_name, opts),
        machine_template(plan, &cp_name, cp_flavor, opts),
        json!({
            "apiVersion": CAPI,
            "kind": "MachineDeployment",
            "metadata": meta(&md_name, ns),
            "spec": {
                "clusterName": k.name,
                "replicas": k.nodes - 1,
                "selector": {"matchLabels": {}},
                "template": {"spec": {
                    "clusterName": k.name,
                    "version": version(plan, k),
                    "failureDomain": plan.deploy.openstack.failure_domain,
                    "bootstrap": {"configRef": {"apiGroup": BOOTSTRAP_GROUP, "kind": cfg_kind, "name": md_name}},
                    "infrastructureRef": {"apiGroup": INFRA_GROUP, "kind": "OpenStackMachineTemplate", "name": md_name},
                }},
            },
        }),
        bootstrap_template(k, cfg_kind, &md_name, ns),
        machine_template(plan, &md_name, &k.worker_flavor, opts),
    ]
}

/// `OpenStackCluster`: the cluster's own subnet and router, in-cluster traffic allowed,
/// and ingress only on the NodePorts the plan exposes there.
fn openstack_cluster(
    plan: &PlanFile,
    k: &PlannedCluster,
    opts: &ExportOptions,
    open: &[OpenPort],
) -> Value {
    let o = &plan.deploy.openstack;
    let rules: Vec<Value> = open
        .iter()
        .map(|&(port, proto)| {
            json!({
                "name": format!("xr-nodeport-{}-{port}", proto.to_ascii_lowercase()),
                "description": "NodePort exposed by the plan (xrplace export)",
                "direction": "ingress",
                "etherType": "IPv4",
                "protocol": proto.to_ascii_lowercase(),
                "portRangeMin": port,
                "portRangeMax": port,
                "remoteIPPrefix": o.node_port_source_cidr,
            })
        })
        .collect();
    let rules_key = if opts.openstack_v1beta2 {
        "clusterNodesSecurityGroupRules"
    } else {
        "allNodesSecurityGroupRules"
    };
    let mut groups = json!({"allowAllInClusterTraffic": true});
    if !rules.is_empty() {
        groups[rules_key] = json!(rules);
    }
    let mut spec = json!({
        "identityRef": {"cloudName": o.cloud_name, "name": o.identity_secret},
        "externalNetwork": {"id": o.external_network_id},
        "managedSubnets": [{"cidr": k.node_cidr, "dnsNameservers": o.dns_nameservers}],
        "managedSecurityGroups": groups,
    });
    if !opts.openstack_v1beta2 {
        spec["apiServerLoadBalancer"] = json!({"enabled": false});
    }
    json!({
        "apiVersion": infra_version(opts),
        "kind": "OpenStackCluster",
        "metadata": meta(&k.name, &plan.deploy.management_namespace),
        "spec": spec,
    })
}

fn machine_template(plan: &PlanFile, name: &str, flavor: &str, opts: &ExportOptions) -> Value {
    let o = &plan.deploy.openstack;
    let flavor = if opts.openstack_v1beta2 {
        json!({"filter": {"name": flavor}})
    } else {
        json!(flavor)
    };
    json!({
        "apiVersion": infra_version(opts),
        "kind": "OpenStackMachineTemplate",
        "metadata": meta(name, &plan.deploy.management_namespace),
        "spec": {"template": {"spec": {
            "flavor": flavor,
            "image": {"filter": {"name": o.image}},
            "sshKeyName": o.ssh_key_name,
        }}},
    })
}

/// kubelet settings of OpenStack nodes under kubeadm (external cloud provider, reserves).
fn kubeadm_node_registration(k: &PlannedCluster) -> Value {
    json!({
        "name": "{{ local_hostname }}",
        "kubeletExtraArgs": [
            {"name": "cloud-provider", "value": "external"},
            {"name": "provider-id", "value": PROVIDER_ID},
            {"name": "kube-reserved", "value": kube_reserved_arg(k)},
        ],
    })
}

/// kubelet arguments of a k3s node (the server adds its `system-reserved`).
fn k3s_kubelet_args(k: &PlannedCluster, server: bool) -> Vec<String> {
    let mut args = vec![
        format!("provider-id={PROVIDER_ID_K3S}"),
        format!("kube-reserved={}", kube_reserved_arg(k)),
    ];
    if server {
        args.push(format!("system-reserved={}", k3s_server_reserved_arg()));
    } else {
        args.insert(0, "cloud-provider=external".into());
    }
    args
}

fn control_plane(plan: &PlanFile, k: &PlannedCluster, name: &str, opts: &ExportOptions) -> Value {
    let ns = &plan.deploy.management_namespace;
    match k.distribution {
        Distribution::K3s => json!({
            "apiVersion": format!("{CONTROL_PLANE_GROUP}/v1beta2"),
            "kind": "KThreesControlPlane",
            "metadata": meta(name, ns),
            "spec": {
                "replicas": 1,
                "version": version(plan, k),
                "machineTemplate": {"infrastructureRef": {
                    "apiVersion": infra_version(opts),
                    "kind": "OpenStackMachineTemplate",
                    "name": name,
                }},
                "kthreesConfigSpec": {
                    "serverConfig": {
                        "clusterCidr": k.pod_cidr,
                        "serviceCidr": k.service_cidr,
                        "cloudProviderName": "external",
                        "disableCloudController": true,
                        "disableComponents": ["servicelb", "traefik"],
                    },
                    "agentConfig": {
                        "nodeName": K3S_NODE_NAME,
                        "kubeletArgs": k3s_kubelet_args(k, true),
                    },
                },
            },
        }),
        Distribution::Kubeadm => json!({
            "apiVersion": format!("{CONTROL_PLANE_GROUP}/v1beta2"),
            "kind": "KubeadmControlPlane",
            "metadata": meta(name, ns),
            "spec": {
                "replicas": 1,
                "version": version(plan, k),
                "machineTemplate": {"spec": {"infrastructureRef": {
                    "apiGroup": INFRA_GROUP,
                    "kind": "OpenStackMachineTemplate",
                    "name": name,
                }}},
                "kubeadmConfigSpec": {
                    "clusterConfiguration": {"controllerManager": {"extraArgs": [
                        {"name": "cloud-provider", "value": "external"},
                    ]}},
                    "initConfiguration": {"nodeRegistration": kubeadm_node_registration(k)},
                    "joinConfiguration": {"nodeRegistration": kubeadm_node_registration(k)},
                },
            },
        }),
    }
}

/// The workers' bootstrap config template (`kind` matches the distribution).
fn bootstrap_template(k: &PlannedCluster, kind: &str, name: &str, ns: &str) -> Value {
    let spec = match k.distribution {
        Distribution::K3s => json!({"agentConfig": {
            "nodeName": K3S_NODE_NAME,
            "kubeletArgs": k3s_kubelet_args(k, false),
        }}),
        Distribution::Kubeadm => {
            json!({"joinConfiguration": {"nodeRegistration": kubeadm_node_registration(k)}})
        }
    };
    json!({
        "apiVersion": format!("{BOOTSTRAP_GROUP}/v1beta2"),
        "kind": kind,
        "metadata": meta(name, ns),
        "spec": {"template": {"spec": spec}},
    })
}
