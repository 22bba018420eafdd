//! XR13: the monitoring deployed is the monitoring simulated. Every cluster of the plan
//! gets kube-prometheus-stack (a HelmChartProxy for new clusters, `monitoring-install.sh`
//! for existing ones) whose Prometheus scrapes and evaluates at the plan's interval, the
//! other clusters remote-write with at most the plan's lag, and the SLO rules evaluate at
//! that interval over the plan's window.

use super::{str_at, ExportSet, Findings};
use crate::config::plan_file::{PlanFile, PlannedCluster};
use crate::config::topology::Distribution;
use crate::export::monitoring::{prom_duration, K3S_EMBEDDED, VIOLATION_RECORD};
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
fn stack_values_of(
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
