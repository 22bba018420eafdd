//! Cluster API manifests (v1beta2) for the plan's new clusters, applied to the management
//! cluster: `Cluster`, the control plane (`KThreesControlPlane` for k3s,
//! `KubeadmControlPlane` for kubeadm), a `MachineDeployment` for the workers with its
//! bootstrap config template, and the OpenStack infrastructure objects.

use super::{yaml_file, ExportError, ExportOptions, OutFile};
use crate::config::plan::{PlanFile, PlannedCluster};
use crate::config::topology::Distribution;
use serde_json::{json, Value};

const CAPI: &str = "cluster.x-k8s.io/v1beta2";
const INFRA_GROUP: &str = "infrastructure.cluster.x-k8s.io";
const CONTROL_PLANE_GROUP: &str = "controlplane.cluster.x-k8s.io";
const BOOTSTRAP_GROUP: &str = "bootstrap.cluster.x-k8s.io";
/// UDP port range of NodePorts, where the Liqo gateway's WireGuard endpoint listens.
const NODE_PORT_RANGE: (u16, u16) = (30000, 32767);

/// The management cluster's files: its namespace, then one file per new cluster.
pub fn files(plan: &PlanFile, opts: &ExportOptions) -> Result<Vec<OutFile>, ExportError> {
    let new: Vec<(usize, &PlannedCluster)> = plan
        .clusters
        .iter()
        .filter(|k| k.provision)
        .enumerate()
        .collect();
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let ns = &plan.deploy.management_namespace;
    let mut out = vec![yaml_file(
        "management/00-namespace.yaml",
        "Namespace of the Cluster API objects (apply first, on the management cluster).",
        &[json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})],
    )?];
    for (n, k) in new {
        out.push(yaml_file(
            format!("management/{}.yaml", k.name),
            &format!(
                "Cluster {} at site {} ({:?}): {} nodes of {} vCPU / {} GiB, {:?}, on OpenStack.\nNeeds the Secret {:?} (key clouds.yaml) in namespace {ns}; it is not exported.",
                k.name,
                k.site,
                k.tier,
                k.nodes,
                k.vcpu_per_node,
                k.memory_gib_per_node,
                k.distribution,
                plan.deploy.openstack.identity_secret,
            ),
            &cluster_docs(plan, k, n, opts),
        )?);
    }
    Ok(out)
}

fn infra_version(opts: &ExportOptions) -> &'static str {
    if opts.openstack_v1beta1 {
        "infrastructure.cluster.x-k8s.io/v1beta1"
    } else {
        "infrastructure.cluster.x-k8s.io/v1beta2"
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

/// The documents of new cluster `k` (the `n`-th new cluster: it gets the `n`-th node
/// subnet).
fn cluster_docs(plan: &PlanFile, k: &PlannedCluster, n: usize, opts: &ExportOptions) -> Vec<Value> {
    let ns = &plan.deploy.management_namespace;
    let cp_name = format!("{}-control-plane", k.name);
    let md_name = format!("{}-md-0", k.name);
    let (cp_kind, cfg_kind) = match k.distribution {
        Distribution::K3s => ("KThreesControlPlane", "KThreesConfigTemplate"),
        Distribution::Kubeadm => ("KubeadmControlPlane", "KubeadmConfigTemplate"),
    };
    let cluster = json!({
        "apiVersion": CAPI,
        "kind": "Cluster",
        "metadata": {
            "name": k.name,
            "namespace": ns,
            "labels": {"xrplace.io/site": k.site, "xrplace.io/tier": k.tier.name()},
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
        openstack_cluster(plan, k, n, opts),
        control_plane(plan, k, &cp_name, opts),
        machine_template(
            plan,
            &cp_name,
            &plan.deploy.openstack.control_plane_flavor,
            opts,
        ),
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

/// `OpenStackCluster`: a managed subnet per cluster, and UDP open on the NodePort range
/// for the Liqo gateway's WireGuard endpoint.
fn openstack_cluster(plan: &PlanFile, k: &PlannedCluster, n: usize, opts: &ExportOptions) -> Value {
    let o = &plan.deploy.openstack;
    let rule = json!({
        "name": "liqo-gateway-wireguard",
        "description": "Liqo gateway (WireGuard over a NodePort, UDP)",
        "direction": "ingress",
        "etherType": "IPv4",
        "protocol": "udp",
        "portRangeMin": NODE_PORT_RANGE.0,
        "portRangeMax": NODE_PORT_RANGE.1,
        "remoteIPPrefix": "0.0.0.0/0",
    });
    let subnet = json!([{"cidr": format!("10.6.{}.0/24", n % 256), "dnsNameservers": ["9.9.9.9"]}]);
    let mut spec = json!({
        "identityRef": {"cloudName": o.cloud_name, "name": o.identity_secret},
        "externalNetwork": {"id": o.external_network_id},
        "managedSubnets": subnet,
    });
    let map = spec.as_object_mut().expect("object");
    if opts.openstack_v1beta1 {
        map.insert("apiServerLoadBalancer".into(), json!({"enabled": false}));
        map.insert(
            "managedSecurityGroups".into(),
            json!({"allowAllInClusterTraffic": true, "allNodesSecurityGroupRules": [rule]}),
        );
    } else {
        map.insert(
            "managedSecurityGroups".into(),
            json!({"allowAllInClusterTraffic": true, "clusterNodesSecurityGroupRules": [rule]}),
        );
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
    let flavor = if opts.openstack_v1beta1 {
        json!(flavor)
    } else {
        json!({"filter": {"name": flavor}})
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

/// kubelet settings of OpenStack nodes under kubeadm (external cloud provider).
fn kubeadm_node_registration() -> Value {
    json!({
        "name": "{{ local_hostname }}",
        "kubeletExtraArgs": [
            {"name": "cloud-provider", "value": "external"},
            {"name": "provider-id", "value": "openstack:///'{{ instance_id }}'"},
        ],
    })
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
                    "serverConfig": {"disableComponents": ["servicelb", "traefik"]},
                    "agentConfig": {"nodeName": "{{ ds.meta_data.local_hostname }}"},
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
                    "initConfiguration": {"nodeRegistration": kubeadm_node_registration()},
                    "joinConfiguration": {"nodeRegistration": kubeadm_node_registration()},
                },
            },
        }),
    }
}

/// The workers' bootstrap config template (`kind` matches the distribution).
fn bootstrap_template(k: &PlannedCluster, kind: &str, name: &str, ns: &str) -> Value {
    let spec = match k.distribution {
        Distribution::K3s => {
            json!({"agentConfig": {"nodeName": "{{ ds.meta_data.local_hostname }}"}})
        }
        Distribution::Kubeadm => {
            json!({"joinConfiguration": {"nodeRegistration": kubeadm_node_registration()}})
        }
    };
    json!({
        "apiVersion": format!("{BOOTSTRAP_GROUP}/v1beta2"),
        "kind": kind,
        "metadata": meta(name, ns),
        "spec": {"template": {"spec": spec}},
    })
}
