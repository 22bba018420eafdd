//! kube-prometheus-stack's values for one cluster (prometheus-community/helm-charts
//! `charts/kube-prometheus-stack/values.yaml` at the pinned 88.5.3): the monitoring the
//! plan was simulated under ([`super::monitoring`]), the resource requests of every
//! component the chart installs, and on the hub the route of the plan's SLO alerts to the
//! plan's receiver.
//!
//! - Requests: one row per container of [`crate::model::monitoring_footprint::STACK`],
//!   written at its `values_path` (`prometheusOperator.resources`,
//!   `prometheus.prometheusSpec.resources`, `alertmanager.alertmanagerSpec.resources`,
//!   `kube-state-metrics.resources`, `prometheus-node-exporter.resources`,
//!   `grafana.resources`, ...). The chart leaves every one `{}`; the capacity model keeps
//!   the same sum free (`crate::model::monitoring_footprint::workload_allocatable`).
//! - Alerts: the chart's `alertmanager.config` routes everything to a receiver named
//!   `null` that has no notifier. Helm merges maps key by key but replaces lists whole
//!   (Helm docs, "Values Files"), so the export restates the chart's `route.routes`
//!   (`Watchdog` to `null`) and `receivers` (`null`) and adds a route of the two SLO
//!   alerts to a webhook receiver (Alertmanager v0.34.0, the chart's image:
//!   `docs/configuration.md` `<route>.matchers`, `<webhook_config>`,
//!   `http_config.authorization.credentials_file`; `notify/webhook/config.go`: one of `url`
//!   and `url_file`). Secrets are mounted by `alertmanager.alertmanagerSpec.secrets` at
//!   `/etc/alertmanager/secrets/<name>/` (chart `values.yaml`; Prometheus Operator v0.93.0
//!   `pkg/alertmanager/statefulset.go`, `secretsDir`); no credential is written.

use super::names::site_label;
use super::prom::{
    prom_duration, retention, service_host, RECEIVE, REMOTE_WRITE_PORT, SLO_ALERTS, STACK_FULLNAME,
};
use super::ExportError;
use crate::config::deploy::AlertReceiver;
use crate::config::plan_file::{PlanFile, PlannedCluster};
use crate::config::topology::Distribution;
use crate::model::monitoring_footprint::{MonitoredContainer, STACK};
use serde_json::{json, Value};

/// The kube-prometheus-stack components a k3s cluster has no pods for: k3s runs the
/// controller manager, scheduler and kube-proxy (and, when it uses it, etcd) inside its
/// server process, so the chart's Services for them select nothing and its `...Down`
/// alerts fire for ever (chart 88.5.3 `values.yaml`: "For k3s clusters, change to
/// k3s-server"; `templates/prometheus/rules-1.14/kubernetes-system-*.yaml`). The export
/// turns them off there.
pub const K3S_EMBEDDED: [&str; 4] = [
    "kubeControllerManager",
    "kubeScheduler",
    "kubeProxy",
    "kubeEtcd",
];

/// The chart's receiver without a notifier (`alertmanager.config.receivers`).
pub const NULL_RECEIVER: &str = "null";
/// The receiver the export routes the SLO alerts to.
pub const SLO_RECEIVER: &str = "xrplace-slo";
/// Where the Alertmanager pod mounts Secret `name` (`alertmanagerSpec.secrets`).
pub fn secret_mount(name: &str) -> String {
    format!("/etc/alertmanager/secrets/{name}")
}

/// kube-prometheus-stack values of cluster `k` (`values.yaml` of the pinned chart):
/// intervals, retention and external labels from the plan, a Thanos sidecar and its
/// discovery Service, every PodMonitor and PrometheusRule selected (not only those
/// labelled with the release), on clusters other than the hub a remote write to the
/// hub's Receive, every component's requests, and on the hub the SLO alerts' route.
pub fn stack_values(plan: &PlanFile, k: &PlannedCluster) -> Value {
    let m = &plan.monitoring;
    let mut spec = json!({
        "scrapeInterval": prom_duration(m.scrape_interval_s),
        "evaluationInterval": prom_duration(m.scrape_interval_s),
        "retention": retention(m),
        "externalLabels": {"cluster": k.name, "site": site_label(&k.site), "tier": k.tier.name()},
        "podMonitorSelectorNilUsesHelmValues": false,
        "serviceMonitorSelectorNilUsesHelmValues": false,
        "ruleSelectorNilUsesHelmValues": false,
        "thanos": {"version": plan.deploy.versions.thanos},
    });
    if k.name != plan.hub {
        spec["remoteWrite"] = json!([{
            "url": format!(
                "http://{}:{REMOTE_WRITE_PORT}/api/v1/receive",
                service_host(RECEIVE, &plan.deploy.monitoring.namespace)
            ),
            "queueConfig": {"batchSendDeadline": prom_duration(m.aggregation_lag_s)},
        }]);
    }
    let mut values = json!({
        "fullnameOverride": STACK_FULLNAME,
        "prometheus": {"thanosService": {"enabled": true}, "prometheusSpec": spec},
    });
    if k.distribution == Distribution::K3s {
        for component in K3S_EMBEDDED {
            values[component] = json!({"enabled": false});
        }
    }
    for c in &STACK {
        set_at(&mut values, c.values_path, resources(c));
    }
    if k.name == plan.hub {
        if let Some(r) = &plan.deploy.monitoring.alert_receiver {
            route_slo_alerts(&mut values, r);
        }
    }
    values
}

/// The values as YAML, as a HelmChartProxy's `valuesTemplate` and the install script
/// carry them.
pub fn values_yaml(plan: &PlanFile, k: &PlannedCluster) -> Result<String, ExportError> {
    serde_yaml_ng::to_string(&stack_values(plan, k)).map_err(|e| ExportError(e.to_string()))
}

/// A container's `resources`: its requests, and a memory limit where it has one (no CPU
/// limit: throttling a monitoring component delays scrapes and alerts, and the CPU
/// request already reserves its share).
pub fn resources(c: &MonitoredContainer) -> Value {
    let mut r = json!({"requests": {
        "cpu": format!("{}m", c.cpu_request_millicores),
        "memory": format!("{}Mi", c.memory_request_mib),
    }});
    if let Some(l) = c.memory_limit_mib {
        r["limits"] = json!({"memory": format!("{l}Mi")});
    }
    r
}

/// Sets `v` at `path` under `values`, making the objects on the way.
fn set_at(values: &mut Value, path: &[&str], v: Value) {
    let Some((last, init)) = path.split_last() else {
        return;
    };
    let mut at = values;
    for key in init {
        if !at[*key].is_object() {
            at[*key] = json!({});
        }
        at = &mut at[*key];
    }
    at[*last] = v;
}

/// The chart's routes and receivers restated, with the SLO alerts routed to `r`.
fn route_slo_alerts(values: &mut Value, r: &AlertReceiver) {
    let names = SLO_ALERTS.join("|");
    let mut webhook = json!({"send_resolved": true});
    if r.webhook_url.is_empty() {
        webhook["url_file"] = json!(format!("{}/url", secret_mount(&r.url_secret)));
    } else {
        webhook["url"] = json!(r.webhook_url);
    }
    if !r.token_secret.is_empty() {
        webhook["http_config"] = json!({"authorization": {
            "type": "Bearer",
            "credentials_file": format!("{}/token", secret_mount(&r.token_secret)),
        }});
    }
    set_at(
        values,
        &["alertmanager", "config"],
        json!({
            "route": {"routes": [
                {"receiver": NULL_RECEIVER, "matchers": ["alertname = \"Watchdog\""]},
                {"receiver": SLO_RECEIVER, "matchers": [format!("alertname =~ \"{names}\"")]},
            ]},
            "receivers": [
                {"name": NULL_RECEIVER},
                {"name": SLO_RECEIVER, "webhook_configs": [webhook]},
            ],
        }),
    );
    let secrets = r.secrets();
    if !secrets.is_empty() {
        set_at(
            values,
            &["alertmanager", "alertmanagerSpec", "secrets"],
            json!(secrets),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_carry_requests_and_only_memory_limits() {
        let c = &STACK[0];
        let r = resources(c);
        assert_eq!(r["requests"]["cpu"], "100m");
        assert_eq!(r["requests"]["memory"], "100Mi");
        assert_eq!(r["limits"], json!({"memory": "200Mi"}));
        let mut v = json!({"a": {"keep": 1}});
        set_at(&mut v, &["a", "b", "c"], json!(2));
        assert_eq!(v, json!({"a": {"keep": 1, "b": {"c": 2}}}));
    }

    #[test]
    fn slo_alerts_reach_the_webhook_and_credentials_stay_in_secrets() {
        let mut v = json!({});
        route_slo_alerts(
            &mut v,
            &AlertReceiver {
                webhook_url: String::new(),
                url_secret: "hook".into(),
                token_secret: "tok".into(),
            },
        );
        let am = &v["alertmanager"];
        let hook = &am["config"]["receivers"][1]["webhook_configs"][0];
        assert_eq!(hook["url_file"], "/etc/alertmanager/secrets/hook/url");
        assert!(hook.get("url").is_none());
        assert_eq!(
            hook["http_config"]["authorization"]["credentials_file"],
            "/etc/alertmanager/secrets/tok/token"
        );
        assert_eq!(am["alertmanagerSpec"]["secrets"], json!(["hook", "tok"]));
        let routes = &am["config"]["route"]["routes"];
        assert_eq!(routes[1]["receiver"], SLO_RECEIVER);
        assert_eq!(
            routes[1]["matchers"][0],
            "alertname =~ \"XrSessionTimeOverBudget|XrSessionsRejected\""
        );
    }
}
