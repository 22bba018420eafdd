//! The XR application on the hub cluster: its namespace, offloaded by Liqo to the planned
//! clusters (`NamespaceOffloading` named `offloading`), one Deployment per component and
//! cluster, pinned to that cluster's Liqo virtual node by its labels (or kept off virtual
//! nodes on the hub), and one Service per component.

use super::{cpu_quantity, memory_quantity, yaml_file, ExportError, OutFile};
use crate::config::experiment::Protocol;
use crate::config::plan::{Exposure, PlanFile, PlannedComponent};
use serde_json::{json, Value};

/// Label of a Liqo virtual node naming the remote cluster.
pub const REMOTE_CLUSTER_LABEL: &str = "liqo.io/remote-cluster-id";
/// Label Liqo puts on every virtual node.
pub const NODE_TYPE_LABEL: &str = "liqo.io/type";

/// The application file of the hub.
pub fn files(plan: &PlanFile) -> Result<Vec<OutFile>, ExportError> {
    let ns = &plan.deploy.namespace;
    let mut docs = vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
        offloading(plan),
    ];
    for c in &plan.components {
        for p in &c.placements {
            docs.push(deployment(plan, c, &p.cluster, p.replicas));
        }
        docs.push(service(ns, c));
    }
    let exposed = node_port_services(plan);
    let mut header = format!(
        "XR application of plan {:?} (strategy {}): apply on the hub cluster {} after the\nLiqo peerings are up. Pods pinned to virtual nodes run on the planned clusters.",
        plan.experiment, plan.strategy, plan.hub
    );
    if !exposed.is_empty() {
        header += &format!(
            "\nWARNING: NodePort Services ({}) are reachable on every node's port from outside\nthe cluster: a benchmark path, not for production.",
            exposed.join(", ")
        );
    }
    Ok(vec![yaml_file(
        format!("{}/xr-app.yaml", plan.hub),
        &header,
        &docs,
    )?])
}

/// Offloads the namespace to the planned clusters only, selected by their Liqo cluster IDs.
fn offloading(plan: &PlanFile) -> Value {
    json!({
        "apiVersion": "offloading.liqo.io/v1beta1",
        "kind": "NamespaceOffloading",
        "metadata": {"name": "offloading", "namespace": plan.deploy.namespace},
        "spec": {
            "namespaceMappingStrategy": "EnforceSameName",
            "podOffloadingStrategy": plan.offloading.pod_offloading_strategy,
            "clusterSelector": {"nodeSelectorTerms": [{"matchExpressions": [{
                "key": REMOTE_CLUSTER_LABEL,
                "operator": "In",
                "values": plan.offloading.clusters,
            }]}]},
        },
    })
}

/// Services the plan exposes as NodePorts (reachable from outside the cluster).
pub fn node_port_services(plan: &PlanFile) -> Vec<String> {
    plan.components
        .iter()
        .filter(|c| c.expose == Exposure::NodePort)
        .map(service_name)
        .collect()
}

/// Name of a component's Service (and prefix of its Deployments).
pub fn service_name(c: &PlannedComponent) -> String {
    format!("{}-{}", c.application, c.name)
}

/// Name of the Deployment of component `c` on `cluster`.
pub fn deployment_name(c: &PlannedComponent, cluster: &str) -> String {
    format!("{}-{}", service_name(c), cluster)
}

fn protocol(p: Protocol) -> &'static str {
    match p {
        Protocol::Udp => "UDP",
        Protocol::Tcp => "TCP",
    }
}

fn selector(c: &PlannedComponent) -> Value {
    json!({
        "app.kubernetes.io/name": c.name,
        "app.kubernetes.io/part-of": c.application,
    })
}

/// Pinned to the cluster's virtual node, or, on the hub, kept off virtual nodes.
fn placement(plan: &PlanFile, cluster: &str) -> (&'static str, Value) {
    if cluster == plan.hub {
        (
            "affinity",
            json!({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [{
                    "key": NODE_TYPE_LABEL, "operator": "NotIn", "values": ["virtual-node"],
                }]}],
            }}}),
        )
    } else {
        (
            "nodeSelector",
            json!({NODE_TYPE_LABEL: "virtual-node", REMOTE_CLUSTER_LABEL: cluster}),
        )
    }
}

fn deployment(plan: &PlanFile, c: &PlannedComponent, cluster: &str, replicas: u32) -> Value {
    let mut labels = selector(c);
    labels
        .as_object_mut()
        .expect("object")
        .insert("xrplace.io/cluster".into(), json!(cluster));
    let resources =
        json!({"cpu": cpu_quantity(c.cpu_cores), "memory": memory_quantity(c.memory_mib)});
    let (key, rule) = placement(plan, cluster);
    let mut pod = json!({
        "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{
            "name": c.name,
            "image": c.image,
            "ports": [{"name": "media", "containerPort": c.port, "protocol": protocol(c.protocol)}],
            "resources": {"requests": resources, "limits": resources},
            "securityContext": {
                "allowPrivilegeEscalation": false,
                "readOnlyRootFilesystem": true,
                "capabilities": {"drop": ["ALL"]},
            },
            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
        }],
        "volumes": [{"name": "tmp", "emptyDir": {}}],
    });
    pod.as_object_mut()
        .expect("object")
        .insert(key.into(), rule);
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": deployment_name(c, cluster), "namespace": plan.deploy.namespace, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": pod},
        },
    })
}

fn service(ns: &str, c: &PlannedComponent) -> Value {
    let kind = match c.expose {
        Exposure::ClusterIp => "ClusterIP",
        Exposure::NodePort => "NodePort",
    };
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": service_name(c), "namespace": ns},
        "spec": {
            "type": kind,
            "selector": selector(c),
            "ports": [{"name": "media", "port": c.port, "targetPort": "media", "protocol": protocol(c.protocol)}],
        },
    })
}
