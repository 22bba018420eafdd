//! The monitoring the plan was simulated under, deployed: Prometheus on every cluster
//! (kube-prometheus-stack: the Prometheus Operator and one Prometheus with a Thanos
//! sidecar), Thanos Query and Thanos Receive at the hub, a `PodMonitor` for the XR
//! components and the SLO as a `PrometheusRule`.
//!
//! - Scrape and rule evaluation interval are the plan's `scrape_interval_s`; the lag
//!   before a sample reaches the hub (`aggregation_lag_s`) bounds how long it waits in a
//!   cluster's remote-write queue (`batchSendDeadline`, Prometheus `queue_config`).
//! - The other clusters accept no inbound connections (workers without floating IPs, no
//!   load balancer: [`super::liqo`]), so the hub's Query cannot dial their sidecars. They
//!   push instead: their Prometheus remote-writes to the hub's Thanos Receive, whose
//!   Service lives in a namespace offloaded to them with `podOffloadingStrategy: Local`.
//!   Liqo reflects the Service and its endpoints there, and the traffic crosses the
//!   peering's WireGuard tunnel (Liqo docs `usage/reflection.md`,
//!   `features/network-fabric.md`). The hub's Query fans out to the hub's own sidecar and
//!   to the Receive.
//! - The XR pods, the offloaded ones too, are pods of the hub's API with addresses the hub
//!   reaches (Liqo remaps offloaded pods' IPs for the consumer, `usage/reflection.md`), so
//!   one `PodMonitor` on the hub scrapes them all and the SLO rules see every session.
//! - The SLO rule divides the increases of `xrplace_session_over_budget_seconds_total` and
//!   `xrplace_session_seconds_total` over the window the plan was judged over, the same
//!   quotient as the simulator's `slo_violation_ratio`; `xrplace run --metrics openmetrics`
//!   writes those counters, so the rule can be checked on a simulated run
//!   (`tests/prometheus.rs`).

use super::names::{
    cluster_label, NAMESPACE_FILE, NODE_TYPE_LABEL, POD_MONITOR_FILE, REMOTE_CLUSTER_LABEL,
    SCHEDULING_LABEL,
};
pub use super::prom::{prom_duration, retention, SLO_ALERTS, STACK_NAMESPACE, STACK_RELEASE};
use super::prom::{service_host, RECEIVE, REMOTE_WRITE_PORT, STACK_FULLNAME};
use super::stack_values::{resources, values_yaml};
pub use super::stack_values::{stack_values, K3S_EMBEDDED};
use super::{kustomization, yaml_file, ExportError, OutFile};
use crate::config::names::sh_quote;
use crate::config::plan_file::{PlanFile, PlannedCluster};
use crate::model::monitoring_footprint::{MonitoredContainer, THANOS_QUERY, THANOS_RECEIVE};
use serde_json::{json, Value};

/// prometheus-community's chart repository (the chart's README).
pub(super) const PROM_REPO: &str = "https://prometheus-community.github.io/helm-charts";
/// Thanos gRPC (StoreAPI) port of sidecar, Receive and Query (Thanos' default 10901).
const GRPC_PORT: u16 = 10901;
/// Thanos HTTP port (default 10902).
const HTTP_PORT: u16 = 10902;
const QUERY: &str = "thanos-query";
/// Name of the recording rule of the SLO violation ratio.
pub const VIOLATION_RECORD: &str = "xrplace:session_time_over_budget:ratio";
/// Name of the recording rule of the rejected share of arrivals.
pub const REJECTED_RECORD: &str = "xrplace:sessions_rejected:ratio";

/// Every monitoring file of the export.
pub fn files(plan: &PlanFile) -> Result<Vec<OutFile>, ExportError> {
    let mut out = Vec::new();
    let new: Vec<&PlannedCluster> = plan.new_clusters().collect();
    if !new.is_empty() {
        let proxies = new
            .iter()
            .map(|k| stack_proxy(plan, k))
            .collect::<Result<Vec<_>, _>>()?;
        out.push(yaml_file(
            "management/monitoring.yaml",
            &format!(
                "kube-prometheus-stack {} on the new clusters (CAAPH).",
                plan.deploy.versions.kube_prometheus_stack
            ),
            &proxies,
        )?);
    }
    for k in plan.clusters.iter().filter(|k| !k.provision) {
        out.push(super::liqo::script(
            format!("{}/monitoring-install.sh", k.name),
            &install_script(plan, k)?,
        ));
    }
    let hub = &plan.hub;
    out.push(yaml_file(
        format!("{hub}/offloading/{NAMESPACE_FILE}"),
        &format!(
            "Namespace {} of the hub's Thanos, offloaded so the other clusters reach its Receive.",
            plan.deploy.monitoring.namespace
        ),
        &namespace_docs(plan),
    )?);
    out.push(yaml_file(
        format!("{hub}/monitoring/thanos.yaml"),
        "Thanos Receive (the other clusters' remote writes) and Thanos Query (every cluster's data) on the hub.",
        &thanos_docs(plan),
    )?);
    out.push(yaml_file(
        format!("{hub}/monitoring/rules.yaml"),
        "The SLO the plan was found under, as recording and alerting rules.",
        &[slo_rule(plan)],
    )?);
    out.push(kustomization(
        &format!("{hub}/monitoring"),
        &["thanos.yaml", "rules.yaml"],
    ));
    out.push(yaml_file(
        format!("{hub}/app/{POD_MONITOR_FILE}"),
        "Scrapes every XR component's `metrics` port (offloaded pods too, through Liqo).",
        &[pod_monitor(plan)],
    )?);
    Ok(out)
}

/// The stack on new cluster `k`, installed by CAAPH once its control plane answers.
fn stack_proxy(plan: &PlanFile, k: &PlannedCluster) -> Result<Value, ExportError> {
    let mut selector = json!({});
    selector[cluster_label()] = json!(k.name);
    Ok(json!({
        "apiVersion": "addons.cluster.x-k8s.io/v1alpha1",
        "kind": "HelmChartProxy",
        "metadata": {"name": format!("monitoring-{}", k.name), "namespace": plan.deploy.management_namespace},
        "spec": {
            "clusterSelector": {"matchLabels": selector},
            "repoURL": PROM_REPO,
            "chartName": "kube-prometheus-stack",
            "version": plan.deploy.versions.kube_prometheus_stack,
            "releaseName": STACK_RELEASE,
            "namespace": STACK_NAMESPACE,
            "options": {"install": {"createNamespace": true}, "timeout": "10m0s", "wait": true},
            "valuesTemplate": values_yaml(plan, k)?,
        },
    }))
}

/// `helm upgrade --install` of the stack with cluster `k`'s values (existing clusters;
/// `$KUBECONFIG` names the cluster). The values travel in a quoted here-document, so the
/// shell expands nothing in them.
fn install_script(plan: &PlanFile, k: &PlannedCluster) -> Result<String, ExportError> {
    Ok(format!(
        "helm upgrade --install {release} kube-prometheus-stack \\\n  --repo {repo} --version {version} \\\n  --namespace {ns} --create-namespace \\\n  --wait --timeout 10m --values - <<'VALUES'\n{values}VALUES\n",
        release = STACK_RELEASE,
        repo = sh_quote(PROM_REPO),
        version = sh_quote(&plan.deploy.versions.kube_prometheus_stack),
        ns = STACK_NAMESPACE,
        values = values_yaml(plan, k)?,
    ))
}

/// The monitoring namespace and its offloading: Services reflected to every other
/// cluster, pods kept on the hub.
fn namespace_docs(plan: &PlanFile) -> Vec<Value> {
    let ns = &plan.deploy.monitoring.namespace;
    vec![
        // Liqo's webhook acts only on pods of namespaces with this label; without it a pod
        // created before the offloading is ready escapes it (lint XR06).
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {
            "name": ns,
            "labels": {SCHEDULING_LABEL: "true"},
        }}),
        json!({
            "apiVersion": "offloading.liqo.io/v1beta1",
            "kind": "NamespaceOffloading",
            "metadata": {"name": "offloading", "namespace": ns},
            "spec": {
                "namespaceMappingStrategy": "EnforceSameName",
                "podOffloadingStrategy": "Local",
                "clusterSelector": {"nodeSelectorTerms": [{"matchExpressions": [{
                    "key": REMOTE_CLUSTER_LABEL,
                    "operator": "In",
                    "values": plan.offloading.clusters,
                }]}]},
            },
        }),
    ]
}

/// A Thanos container: pinned image, the component's arguments, the requests of `sizing`,
/// non-root and read-only with `/data` writable.
fn thanos_pod(
    plan: &PlanFile,
    (name, sizing): (&str, &MonitoredContainer),
    args: Vec<String>,
    ports: Value,
) -> Value {
    let labels =
        json!({"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "xrplace-monitoring"});
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": plan.deploy.monitoring.namespace, "labels": labels},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {
                "securityContext": {"runAsNonRoot": true, "runAsUser": 65534, "fsGroup": 65534, "seccompProfile": {"type": "RuntimeDefault"}},
                "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": [{
                        "key": NODE_TYPE_LABEL, "operator": "NotIn", "values": ["virtual-node"],
                    }]}],
                }}},
                "containers": [{
                    "name": name,
                    "image": format!("quay.io/thanos/thanos:{}", plan.deploy.versions.thanos),
                    "args": args,
                    "ports": ports,
                    "resources": resources(sizing),
                    "securityContext": {
                        "allowPrivilegeEscalation": false,
                        "readOnlyRootFilesystem": true,
                        "capabilities": {"drop": ["ALL"]},
                    },
                    "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                }],
                "volumes": [{"name": "data", "emptyDir": {}}],
            }},
        },
    })
}

fn service(plan: &PlanFile, name: &str, ports: Value) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": plan.deploy.monitoring.namespace},
        "spec": {"type": "ClusterIP", "selector": {"app.kubernetes.io/name": name}, "ports": ports},
    })
}

/// Receive and Query, each a Deployment and a Service (Thanos `docs/components/receive.md`,
/// `query.md`: flags of the pinned release).
fn thanos_docs(plan: &PlanFile) -> Vec<Value> {
    let m = &plan.monitoring;
    let ns = &plan.deploy.monitoring.namespace;
    let grpc = json!({"name": "grpc", "containerPort": GRPC_PORT, "protocol": "TCP"});
    let http = json!({"name": "http", "containerPort": HTTP_PORT, "protocol": "TCP"});
    let receive_args = vec![
        "receive".into(),
        "--tsdb.path=/data".into(),
        format!("--tsdb.retention={}", retention(m)),
        format!("--grpc-address=0.0.0.0:{GRPC_PORT}"),
        format!("--http-address=0.0.0.0:{HTTP_PORT}"),
        format!("--remote-write.address=0.0.0.0:{REMOTE_WRITE_PORT}"),
        "--label=receive_replica=\"0\"".into(),
    ];
    let endpoints = json!({"endpoints": [
        {"address": format!("{}:{GRPC_PORT}", service_host(&format!("{STACK_FULLNAME}-thanos-discovery"), STACK_NAMESPACE))},
        {"address": format!("{}:{GRPC_PORT}", service_host(RECEIVE, ns))},
    ]});
    let query_args = vec![
        "query".into(),
        format!("--grpc-address=0.0.0.0:{GRPC_PORT}"),
        format!("--http-address=0.0.0.0:{HTTP_PORT}"),
        "--query.replica-label=prometheus_replica".into(),
        "--query.replica-label=receive_replica".into(),
        format!(
            "--endpoint.sd-config={}",
            serde_json::to_string(&endpoints).expect("json")
        ),
    ];
    let port = |name: &str, p: u16| json!({"name": name, "port": p, "targetPort": name, "protocol": "TCP"});
    vec![
        thanos_pod(
            plan,
            (RECEIVE, &THANOS_RECEIVE),
            receive_args,
            json!([grpc, http, {"name": "remote-write", "containerPort": REMOTE_WRITE_PORT, "protocol": "TCP"}]),
        ),
        service(
            plan,
            RECEIVE,
            json!([
                port("grpc", GRPC_PORT),
                port("http", HTTP_PORT),
                port("remote-write", REMOTE_WRITE_PORT)
            ]),
        ),
        thanos_pod(
            plan,
            (QUERY, &THANOS_QUERY),
            query_args,
            json!([grpc, http]),
        ),
        service(
            plan,
            QUERY,
            json!([port("grpc", GRPC_PORT), port("http", HTTP_PORT)]),
        ),
    ]
}

/// The XR components' metrics, scraped at the plan's interval by the hub's Prometheus.
fn pod_monitor(plan: &PlanFile) -> Value {
    json!({
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": {"name": "xr-components", "namespace": plan.deploy.namespace},
        "spec": {
            "selector": {"matchExpressions": [{"key": cluster_label(), "operator": "Exists"}]},
            "podMetricsEndpoints": [{
                "port": "metrics",
                "path": "/metrics",
                "interval": prom_duration(plan.monitoring.scrape_interval_s),
            }],
        },
    })
}

/// PromQL of the SLO violation ratio over `window`: session time over budget over all
/// session time, summed over every series (the simulator's `slo_violation_ratio`).
pub fn violation_expr(window: &str) -> String {
    format!(
        "sum(increase(xrplace_session_over_budget_seconds_total[{window}])) / sum(increase(xrplace_session_seconds_total[{window}]))"
    )
}

/// PromQL of the rejected share of arrivals over `window` (the simulator's
/// `rejected / arrivals`).
pub fn rejected_expr(window: &str) -> String {
    format!(
        "sum(increase(xrplace_sessions_rejected_total[{window}])) / (sum(increase(xrplace_sessions_admitted_total[{window}])) + sum(increase(xrplace_sessions_rejected_total[{window}])))"
    )
}

/// The plan's SLO: the two ratios recorded at every evaluation and an alert on each when
/// it passes the plan's bound.
fn slo_rule(plan: &PlanFile) -> Value {
    let m = &plan.monitoring;
    let window = prom_duration(m.slo_window_s);
    let labels = json!({"window": window});
    let alert = |name: &str, record: &str, bound: f64, what: &str| {
        json!({
            "alert": name,
            "expr": format!("{record} > {bound}"),
            "for": prom_duration(m.scrape_interval_s),
            "labels": {"severity": "warning"},
            "annotations": {
                "summary": format!("{what} over the last {window} is above the plan's {bound}"),
                "description": format!(
                    "{what} is {{{{ $value }}}}; plan {:?} was found for at most {bound} (latency budget {} ms).",
                    plan.experiment, m.slo_latency_ms
                ),
            },
        })
    };
    json!({
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "xrplace-slo", "namespace": plan.deploy.monitoring.namespace},
        "spec": {"groups": [{
            "name": "xrplace-slo",
            "interval": prom_duration(m.scrape_interval_s),
            "rules": [
                {"record": VIOLATION_RECORD, "expr": violation_expr(&window), "labels": labels},
                {"record": REJECTED_RECORD, "expr": rejected_expr(&window), "labels": labels},
                alert(SLO_ALERTS[0], VIOLATION_RECORD, plan.slo.max_violation_ratio, "The share of session time over the latency budget"),
                alert(SLO_ALERTS[1], REJECTED_RECORD, plan.slo.max_rejected_ratio, "The share of sessions refused at arrival"),
            ],
        }]},
    })
}
