//! XR13: the monitoring deployed is the monitoring simulated. Every cluster of the plan
//! gets kube-prometheus-stack (a HelmChartProxy for new clusters, `monitoring-install.sh`
//! for existing ones) whose Prometheus scrapes and evaluates at the plan's interval, the
//! other clusters remote-write with at most the plan's lag, and the SLO rules evaluate at
//! that interval over the plan's window.

use super::{str_at, ExportSet, Findings};
use crate::config::plan_file::{PlanFile, PlannedCluster};
use crate::config::topology::Distribution;
use crate::export::monitoring::{prom_duration, K3S_EMBEDDED, SLO_ALERTS, VIOLATION_RECORD};
use crate::export::stack_values::{secret_mount, NULL_RECEIVER};
use crate::model::monitoring_footprint::{MonitoredContainer, STACK, THANOS_QUERY, THANOS_RECEIVE};
use serde_json::Value;

/// What the values of cluster `k` must say, as findings (empty: as simulated).
fn values_differ(plan: &PlanFile, k: &PlannedCluster, values: &Value) -> Vec<String> {
    let m = &plan.monitoring;
    let spec = &values["prometheus"]["prometheusSpec"];
    let interval = prom_duration(m.scrape_interval_s);
    let mut out = Vec::new();
    for field in ["scrapeInterval", "evaluationInterval"] {
        if spec[field].as_str() != Some(interval.as_str()) {
            out.push(format!(
                "{field} is {}, the plan was simulated with {interval}",
                spec[field]
            ));
        }
    }
    if spec["thanos"].is_null() {
        out.push("Prometheus has no Thanos sidecar".into());
    }
    if k.name != plan.hub {
        let lag = prom_duration(m.aggregation_lag_s);
        let deadline = &spec["remoteWrite"][0]["queueConfig"]["batchSendDeadline"];
        if deadline.as_str() != Some(lag.as_str()) {
            out.push(format!(
                "remote write to the hub has batchSendDeadline {deadline}, the plan's aggregation lag is {lag}"
            ));
        }
    }
    out
}

/// The values a `monitoring-install.sh` passes in its here-document.
fn script_values(text: &str) -> Option<Value> {
    let (_, rest) = text.split_once("<<'VALUES'\n")?;
    let (body, _) = rest.split_once("\nVALUES")?;
    serde_yaml_ng::from_str(body).ok()
}

/// Where cluster `k`'s kube-prometheus-stack values are (file, object) and what they say,
/// or where they should be and what is missing.
pub(super) fn stack_values_of(
    set: &ExportSet,
    k: &PlannedCluster,
) -> Result<(String, String, Value), (String, String)> {
    if k.provision {
        let proxy = set.of_kind("HelmChartProxy").find(|p| {
            str_at(&p.value, "spec.chartName") == Some("kube-prometheus-stack")
                && p.value["spec"]["clusterSelector"]["matchLabels"]["xrplace.io/cluster"].as_str()
                    == Some(k.name.as_str())
        });
        let Some(p) = proxy else {
            return Err((
                "management/monitoring.yaml".into(),
                format!(
                    "no HelmChartProxy installs kube-prometheus-stack on {}",
                    k.name
                ),
            ));
        };
        let values = str_at(&p.value, "spec.valuesTemplate")
            .and_then(|t| serde_yaml_ng::from_str(t).ok())
            .unwrap_or(Value::Null);
        Ok((p.file.clone(), p.object(), values))
    } else {
        let file = format!("{}/monitoring-install.sh", k.name);
        let Some(s) = set.script(&file) else {
            let missing = format!("missing: nothing installs monitoring on {}", k.name);
            return Err((file, missing));
        };
        let values = script_values(&s.text).unwrap_or(Value::Null);
        Ok((file, "-".into(), values))
    }
}

pub(super) fn monitoring_as_simulated(set: &ExportSet, f: &mut Findings) {
    let Some(plan) = &set.plan else { return };
    for k in &plan.clusters {
        match stack_values_of(set, k) {
            Ok((file, object, values)) => {
                for m in values_differ(plan, k, &values) {
                    f.add(&file, &object, m);
                }
            }
            Err((file, missing)) => f.add(&file, "-", missing),
        }
    }
    let window = format!("[{}]", prom_duration(plan.monitoring.slo_window_s));
    let interval = prom_duration(plan.monitoring.scrape_interval_s);
    let rule = set.of_kind("PrometheusRule").find(|r| {
        r.value["spec"]["groups"][0]["rules"]
            .as_array()
            .is_some_and(|rs| rs.iter().any(|x| x["record"] == VIOLATION_RECORD))
    });
    let Some(r) = rule else {
        f.add(
            &format!("{}/monitoring/rules.yaml", plan.hub),
            "-",
            format!("no PrometheusRule records {VIOLATION_RECORD}: the plan's SLO is not watched"),
        );
        return;
    };
    let group = &r.value["spec"]["groups"][0];
    if group["interval"].as_str() != Some(interval.as_str()) {
        f.add(
            &r.file,
            &r.object(),
            format!(
                "rules evaluate every {}, the plan was simulated with {interval}",
                group["interval"]
            ),
        );
    }
    for x in group["rules"].as_array().into_iter().flatten() {
        if let Some(expr) = x["expr"].as_str().filter(|_| x["record"].is_string()) {
            let ranges: Vec<&str> = expr
                .split('[')
                .skip(1)
                .filter_map(|r| r.split_once(']').map(|(d, _)| d))
                .collect();
            if ranges.is_empty() || ranges.iter().any(|d| format!("[{d}]") != window) {
                f.add(
                    &r.file,
                    &r.object(),
                    format!("{} is not over the plan's window {window}", x["record"]),
                );
            }
        }
    }
}

/// XR14: on a k3s cluster, kube-prometheus-stack scrapes no controller manager, scheduler,
/// kube-proxy or etcd of its own: k3s runs them inside its server process, so the chart's
/// Services for them select no pod and its `...Down` alerts (`absent(up{job=...})`, critical)
/// fire for ever (chart values.yaml: "For k3s clusters, change to k3s-server";
/// `templates/prometheus/rules-1.14/kubernetes-system-*.yaml`).
pub(super) fn k3s_control_plane_scrapes(set: &ExportSet, f: &mut Findings) {
    let Some(plan) = &set.plan else { return };
    for k in plan
        .clusters
        .iter()
        .filter(|k| k.distribution == Distribution::K3s)
    {
        let Ok((file, object, values)) = stack_values_of(set, k) else {
            continue;
        };
        for component in K3S_EMBEDDED {
            if values[component]["enabled"] != Value::Bool(false) {
                f.add(
                    &file,
                    &object,
                    format!(
                        "{} is k3s: {component}.enabled must be false (k3s runs it in its server; the chart's {component} alerts would fire for ever)",
                        k.name
                    ),
                );
            }
        }
    }
}

/// XR17: the hub's Alertmanager sends the SLO alerts somewhere. Without a receiver in the
/// plan the chart routes them to `null` and nobody is told: a warning. A plan with a
/// receiver whose values route them nowhere, elsewhere, or with a credential written in,
/// or that reads a Secret the Alertmanager does not mount: an error.
pub(super) fn alert_receiver(set: &ExportSet, f: &mut Findings) {
    let Some(plan) = &set.plan else { return };
    let Some(hub) = plan.cluster(&plan.hub) else {
        return;
    };
    let Ok((file, object, values)) = stack_values_of(set, hub) else {
        return;
    };
    let am = &values["alertmanager"];
    for key in inlined_credentials(&am["config"]) {
        f.add(&file, &object, format!("alertmanager.config holds a credential ({key}): reference a Secret (url_file, credentials_file) instead; an export never contains one"));
    }
    let hooks = slo_webhooks(&am["config"]);
    let want = plan.deploy.monitoring.alert_receiver.as_ref();
    match (want, hooks.is_empty()) {
        (None, true) => f.warn(&file, &object, format!(
            "no alert receiver: {} go to kube-prometheus-stack's {NULL_RECEIVER:?} receiver and nobody is notified; set deploy.monitoring.alert_receiver",
            SLO_ALERTS.join(" and ")
        )),
        (Some(_), true) => f.add(&file, &object, format!(
            "the plan names an alert receiver, but no route sends {} to a receiver that notifies anyone",
            SLO_ALERTS.join(" and ")
        )),
        (Some(r), false) => {
            let (key, target) = if r.webhook_url.is_empty() {
                ("url_file", format!("{}/url", secret_mount(&r.url_secret)))
            } else {
                ("url", r.webhook_url.clone())
            };
            if !hooks.iter().any(|h| h[key].as_str() == Some(target.as_str())) {
                f.add(&file, &object, format!("the SLO alerts' webhook is not the plan's ({key} {target:?})"));
            }
        }
        (None, false) => {}
    }
    let mounted: Vec<&str> = am["alertmanagerSpec"]["secrets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for path in secret_paths(&am["config"]) {
        let name = path
            .strip_prefix("/etc/alertmanager/secrets/")
            .and_then(|r| r.split('/').next())
            .unwrap_or("");
        if !mounted.contains(&name) {
            f.add(&file, &object, format!("the receiver reads {path}, but alertmanagerSpec.secrets does not mount Secret {name:?}"));
        }
    }
}

/// The webhook configs of receivers that a route of the SLO alerts (its matchers name
/// each of them) sends to, when that receiver notifies someone.
fn slo_webhooks(config: &Value) -> Vec<&Value> {
    let routes = config["route"]["routes"].as_array().into_iter().flatten();
    let routed: Vec<&str> = routes
        .filter(|r| {
            let m = r["matchers"].to_string();
            SLO_ALERTS.iter().all(|a| m.contains(a))
        })
        .filter_map(|r| r["receiver"].as_str())
        .collect();
    config["receivers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["name"].as_str().is_some_and(|n| routed.contains(&n)))
        .flat_map(|r| r["webhook_configs"].as_array().into_iter().flatten())
        .collect()
}

/// Keys of Alertmanager's configuration that hold a credential inline (prometheus/common
/// `http_config`: `authorization.credentials`, `basic_auth.password`, `bearer_token`;
/// notifiers' `api_key`, `auth_password`, `routing_key`, `service_key`), wherever they are.
fn inlined_credentials(v: &Value) -> Vec<String> {
    const KEYS: [&str; 7] = [
        "credentials",
        "password",
        "bearer_token",
        "api_key",
        "auth_password",
        "routing_key",
        "service_key",
    ];
    let mut out = Vec::new();
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if KEYS.contains(&k.as_str()) && !x.is_null() {
                    out.push(k.clone());
                }
                out.extend(inlined_credentials(x));
            }
        }
        Value::Array(a) => a.iter().for_each(|x| out.extend(inlined_credentials(x))),
        _ => {}
    }
    out
}

/// Every `*_file` path under Alertmanager's configuration that reads a mounted Secret.
fn secret_paths(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if let Some(p) = x.as_str().filter(|_| k.ends_with("_file")) {
                    if p.starts_with("/etc/alertmanager/secrets/") {
                        out.push(p.to_string());
                    }
                }
                out.extend(secret_paths(x));
            }
        }
        Value::Array(a) => a.iter().for_each(|x| out.extend(secret_paths(x))),
        _ => {}
    }
    out
}

/// Why a container's `resources` do not request what the plan keeps free for `c`, if
/// they do not: a request missing (the scheduler would count nothing) or above the
/// model's (the plan's capacity would not hold it).
fn requests_problem(resources: &Value, c: &MonitoredContainer) -> Option<String> {
    let r = &resources["requests"];
    let cpu = r["cpu"]
        .as_str()
        .and_then(super::cluster_rules::cpu_millicores);
    let mem = r["memory"]
        .as_str()
        .and_then(super::cluster_rules::memory_mib);
    let (Some(cpu), Some(mem)) = (cpu, mem) else {
        return Some(format!(
            "{} has no CPU and memory requests: the scheduler counts nothing for it and the plan's capacity keeps no room for it",
            c.name
        ));
    };
    if cpu > u64::from(c.cpu_request_millicores) || mem > f64::from(c.memory_request_mib) + 1e-6 {
        return Some(format!(
            "{} requests {cpu}m and {mem:.0} MiB, more than the {}m and {} MiB the plan keeps free for it",
            c.name, c.cpu_request_millicores, c.memory_request_mib
        ));
    }
    None
}

/// The value at `path` (keys) under `v`.
fn at_keys<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| &v[*k])
}

/// XR18: every monitoring component the export installs requests what the capacity model
/// keeps free for it: each kube-prometheus-stack container on every cluster (chart
/// values), Thanos Receive and Query on the hub (their Deployments).
pub(super) fn monitoring_requests(set: &ExportSet, f: &mut Findings) {
    if let Some(plan) = &set.plan {
        for k in &plan.clusters {
            let Ok((file, object, values)) = stack_values_of(set, k) else {
                continue;
            };
            for c in &STACK {
                if let Some(p) = requests_problem(at_keys(&values, c.values_path), c) {
                    f.add(
                        &file,
                        &object,
                        format!("{} ({}.requests)", p, c.values_path.join(".")),
                    );
                }
            }
        }
    }
    for (name, c) in [
        ("thanos-receive", &THANOS_RECEIVE),
        ("thanos-query", &THANOS_QUERY),
    ] {
        for d in set.of_kind("Deployment").filter(|d| d.name() == name) {
            let containers = d.value["spec"]["template"]["spec"]["containers"].as_array();
            for x in containers.into_iter().flatten() {
                if let Some(p) = requests_problem(&x["resources"], c) {
                    f.add(&d.file, &d.object(), p);
                }
            }
        }
    }
}
