//! The XR application on the hub, in two stages applied in order:
//! 1. `<hub>/offloading/`: the namespace, labelled `liqo.io/scheduling-enabled=true` so
//!    Liqo's pod webhook holds pods back until offloading is ready (Liqo docs, "Namespace
//!    offloading"), and its `NamespaceOffloading` named `offloading`, to the planned
//!    clusters only. Liqo requires it before the pods: pods created first stay Pending.
//! 2. `<hub>/app/`: per component and cluster one Deployment, pinned to that cluster's
//!    virtual node by its labels (or kept off virtual nodes on the hub), and one Service
//!    selecting only those pods, so users are never routed to a far replica. A NodePort
//!    Service gets a fixed port, kept the same in the provider cluster
//!    (`liqo.io/force-remote-node-port`, Liqo's service reflection).

use super::names::{
    cluster_label, workload_name, NAMESPACE_FILE, NODE_TYPE_LABEL, POD_MONITOR_FILE,
    REMOTE_CLUSTER_LABEL, SCHEDULING_LABEL,
};
use super::{kustomization, yaml_file, ExportError, OutFile};
use crate::config::experiment::Protocol;
use crate::config::plan_file::{Exposure, PlanFile, PlannedComponent};
use serde_json::{json, Value};

/// First node port handed to the plan's NodePort Services.
const FIRST_NODE_PORT: u16 = 30000;

/// A NodePort Service of the plan: component, cluster and its fixed port.
#[derive(Debug, Clone, PartialEq)]
pub struct NodePortService {
    /// Service name.
    pub name: String,
    /// Cluster whose replicas it selects.
    pub cluster: String,
    /// Node port.
    pub port: u16,
    /// `TCP` or `UDP`.
    pub protocol: &'static str,
}

/// Every NodePort Service of the plan, with ports handed out in plan order.
pub fn node_port_services(plan: &PlanFile) -> Result<Vec<NodePortService>, ExportError> {
    let mut out = Vec::new();
    for c in plan
        .components
        .iter()
        .filter(|c| c.expose == Exposure::NodePort)
    {
        for p in &c.placements {
            let port = FIRST_NODE_PORT as usize + out.len();
            let gw = &plan.deploy.hub_gateway;
            let gateway_ports =
                gw.first_port as usize..gw.first_port as usize + plan.peerings.len();
            if port > 32767 || gateway_ports.contains(&port) {
                return Err(ExportError(format!(
                    "too many NodePort Services: port {port} is outside 30000-32767 or taken by the hub's gateways"
                )));
            }
            out.push(NodePortService {
                name: workload_name(c, &p.cluster),
                cluster: p.cluster.clone(),
                port: port as u16,
                protocol: protocol(c.protocol),
            });
        }
    }
    Ok(out)
}

/// The two stages of the application on the hub.
pub fn files(plan: &PlanFile, exposed: &[NodePortService]) -> Result<Vec<OutFile>, ExportError> {
    let ns = &plan.deploy.namespace;
    let hub = &plan.hub;
    let stage1 = vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {
            "name": ns,
            "labels": {SCHEDULING_LABEL: "true"},
        }}),
        offloading(plan),
    ];
    let mut stage2 = Vec::new();
    for c in &plan.components {
        for p in &c.placements {
            stage2.push(deployment(plan, c, &p.cluster, p.replicas));
            let node_port = exposed
                .iter()
                .find(|x| x.name == workload_name(c, &p.cluster))
                .map(|x| x.port);
            stage2.push(service(ns, c, &p.cluster, node_port));
        }
    }
    let mut header = format!(
        "XR application of plan {:?} (strategy {}): apply on the hub {} once offloading/ is Ready.\nPods pinned to virtual nodes run on the planned clusters; each Service selects one cluster's replicas.",
        plan.experiment, plan.strategy, hub
    );
    if !exposed.is_empty() {
        header += &format!(
            "\nWARNING: NodePort Services ({}) are reachable on a node port from outside the\ncluster: a benchmark path, not for production.",
            exposed.iter().map(|x| x.name.as_str()).collect::<Vec<_>>().join(", ")
        );
    }
    Ok(vec![
        yaml_file(
            format!("{hub}/offloading/namespace.yaml"),
            &format!("Namespace {ns} and its offloading (apply first, on the hub {hub})."),
            &stage1,
        )?,
        kustomization(
            &format!("{hub}/offloading"),
            &["namespace.yaml", NAMESPACE_FILE],
        ),
        yaml_file(format!("{hub}/app/workloads.yaml"), &header, &stage2)?,
        kustomization(&format!("{hub}/app"), &["workloads.yaml", POD_MONITOR_FILE]),
    ])
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

fn protocol(p: Protocol) -> &'static str {
    match p {
        Protocol::Udp => "UDP",
        Protocol::Tcp => "TCP",
    }
}

/// Labels of component `c`'s pods on `cluster` (also its Service's selector).
fn pod_labels(c: &PlannedComponent, cluster: &str) -> Value {
    json!({
        "app.kubernetes.io/name": c.name,
        "app.kubernetes.io/part-of": c.application,
        cluster_label(): cluster,
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
    let labels = pod_labels(c, cluster);
    let resources = json!({
        "cpu": format!("{}m", c.cpu_millicores()),
        "memory": format!("{}Mi", c.memory_request_mib()),
    });
    let (key, rule) = placement(plan, cluster);
    let mut pod = json!({
        "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{
            "name": c.name,
            "image": c.image,
            "ports": [
                {"name": "media", "containerPort": c.port, "protocol": protocol(c.protocol)},
                {"name": "metrics", "containerPort": plan.deploy.monitoring.metrics_port, "protocol": "TCP"},
            ],
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
    pod[key] = rule;
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": workload_name(c, cluster), "namespace": plan.deploy.namespace, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": pod},
        },
    })
}

fn service(ns: &str, c: &PlannedComponent, cluster: &str, node_port: Option<u16>) -> Value {
    let mut port = json!({"name": "media", "port": c.port, "targetPort": "media", "protocol": protocol(c.protocol)});
    let mut meta = json!({"name": workload_name(c, cluster), "namespace": ns, "labels": {cluster_label(): cluster}});
    let kind = match node_port {
        Some(n) => {
            port["nodePort"] = json!(n);
            meta["annotations"] = json!({"liqo.io/force-remote-node-port": "true"});
            "NodePort"
        }
        None => "ClusterIP",
    };
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta,
        "spec": {"type": kind, "selector": pod_labels(c, cluster), "ports": [port]},
    })
}
