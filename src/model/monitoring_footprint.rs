//! The monitoring stack the export installs on every cluster (kube-prometheus-stack: the
//! Prometheus Operator, one Prometheus with its Thanos sidecar, Alertmanager,
//! kube-state-metrics, node-exporter on every node, Grafana) and the Thanos Receive and
//! Query it adds on the hub, as the resource requests the export gives each container.
//! The chart sets no requests of its own (every `resources: {}` in its `values.yaml`), so
//! without them the scheduler would count nothing for these pods and the capacity model
//! would hand their share to sessions.
//!
//! One table ([`STACK`]) feeds both sides: the export writes each row into the chart's
//! values (`src/export/monitoring.rs`), and [`stack_requests`] is what
//! [`workload_allocatable`] keeps free on every cluster, so the
//! planner, the export's capacity check and lint XR03 all leave room for it.
//!
//! Sources of the figures (requests in millicores and MiB; memory limit in MiB):
//! - kube-prometheus v0.18.0 `jsonnet/kube-prometheus/components/*.libsonnet`, the
//!   upstream the chart is derived from (its `Chart.yaml` `home`): operator 100m/100Mi
//!   (limit 200Mi), Prometheus 400Mi, Alertmanager 4m/100Mi (limit 100Mi),
//!   kube-state-metrics 10m/190Mi (limit 250Mi), node-exporter 102m/180Mi (limit 180Mi),
//!   Grafana 100m/100Mi (limit 200Mi).
//! - Prometheus Operator v0.93.0 `cmd/operator/main.go`: the config reloader's defaults
//!   10m/50Mi (limit 50Mi), which chart 88.5.3 replaces by none unless
//!   `prometheusOperator.prometheusConfigReloader.resources` is set
//!   (`templates/prometheus-operator/deployment.yaml`: `--config-reloader-*={{ ... | default 0 }}`).
//! - grafana chart 12.11.1 `values.yaml`, `sidecar.resources` example: 50m/50Mi (limit
//!   100Mi), for each of the two sidecars kube-prometheus-stack enables (dashboards,
//!   datasources).
//! - Estimates where no upstream project gives a figure (say so where shown): Prometheus'
//!   CPU 100m (kube-prometheus and the operator's docs give memory only; a figure equal to
//!   the operator's), the Thanos sidecar 10m/50Mi (a small Go proxy like the config
//!   reloader; on the clusters other than the hub nobody queries it), Thanos Receive
//!   100m/512Mi (it holds the other clusters' series in its head, as Prometheus holds a
//!   cluster's) and Query 50m/128Mi.
//!
//! Memory limits where an overrun means a leak rather than load; none on Prometheus, the
//! sidecar, Receive and Query, whose memory grows with the series and queries they serve
//! (kube-prometheus sets none on Prometheus either), so a limit would turn growth into an
//! OOM-kill and WAL-replay loop.

use super::allocatable::{cluster_allocatable, schedulable_nodes, Resources};
use crate::config::topology::Distribution;

/// How many copies of a component run on a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Per {
    /// One per cluster.
    Cluster,
    /// One on every node that takes pods (a DaemonSet).
    Node,
}

/// One container (or a set of identical ones) of the stack and the requests it gets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MonitoredContainer {
    /// What it is, as findings and docs name it.
    pub name: &'static str,
    /// Keys to its `resources` in kube-prometheus-stack's values.
    pub values_path: &'static [&'static str],
    /// Containers per copy that take these requests (Grafana's two sidecars share one
    /// `sidecar.resources`; the config reloader runs in the Prometheus and the
    /// Alertmanager pod).
    pub containers: u32,
    /// Per cluster or per node.
    pub per: Per,
    /// CPU request of one container, millicores.
    pub cpu_request_millicores: u32,
    /// Memory request of one container, MiB.
    pub memory_request_mib: u32,
    /// Memory limit of one container, MiB, where one is set.
    pub memory_limit_mib: Option<u32>,
    /// Where the figures come from (module doc has the full citations).
    pub source: &'static str,
}

const KUBE_PROMETHEUS: &str = "kube-prometheus v0.18.0";

/// Every container of kube-prometheus-stack the export gives requests to, in the order the
/// values list them.
pub const STACK: [MonitoredContainer; 9] = [
    MonitoredContainer {
        name: "Prometheus Operator",
        values_path: &["prometheusOperator", "resources"],
        containers: 1,
        per: Per::Cluster,
        cpu_request_millicores: 100,
        memory_request_mib: 100,
        memory_limit_mib: Some(200),
        source: KUBE_PROMETHEUS,
    },
    MonitoredContainer {
        name: "config reloader",
        values_path: &[
            "prometheusOperator",
            "prometheusConfigReloader",
            "resources",
        ],
        containers: 2,
        per: Per::Cluster,
        cpu_request_millicores: 10,
        memory_request_mib: 50,
        memory_limit_mib: Some(50),
        source: "Prometheus Operator v0.93.0 defaults",
    },
    MonitoredContainer {
        name: "Prometheus",
        values_path: &["prometheus", "prometheusSpec", "resources"],
        containers: 1,
        per: Per::Cluster,
        cpu_request_millicores: 100,
        memory_request_mib: 400,
        memory_limit_mib: None,
        source: "kube-prometheus v0.18.0 (memory); CPU estimated",
    },
    MonitoredContainer {
        name: "Thanos sidecar",
        values_path: &["prometheus", "prometheusSpec", "thanos", "resources"],
        containers: 1,
        per: Per::Cluster,
        cpu_request_millicores: 10,
        memory_request_mib: 50,
        memory_limit_mib: None,
        source: "estimated",
    },
    MonitoredContainer {
        name: "Alertmanager",
        values_path: &["alertmanager", "alertmanagerSpec", "resources"],
        containers: 1,
        per: Per::Cluster,
        cpu_request_millicores: 4,
        memory_request_mib: 100,
        memory_limit_mib: Some(100),
        source: KUBE_PROMETHEUS,
    },
    MonitoredContainer {
        name: "kube-state-metrics",
        values_path: &["kube-state-metrics", "resources"],
        containers: 1,
        per: Per::Cluster,
        cpu_request_millicores: 10,
        memory_request_mib: 190,
        memory_limit_mib: Some(250),
        source: KUBE_PROMETHEUS,
    },
    MonitoredContainer {
        name: "node-exporter",
        values_path: &["prometheus-node-exporter", "resources"],
        containers: 1,
        per: Per::Node,
        cpu_request_millicores: 102,
        memory_request_mib: 180,
        memory_limit_mib: Some(180),
        source: KUBE_PROMETHEUS,
    },
    MonitoredContainer {
        name: "Grafana",
        values_path: &["grafana", "resources"],
        containers: 1,
        per: Per::Cluster,
        cpu_request_millicores: 100,
        memory_request_mib: 100,
        memory_limit_mib: Some(200),
        source: KUBE_PROMETHEUS,
    },
    MonitoredContainer {
        name: "Grafana sidecars",
        values_path: &["grafana", "sidecar", "resources"],
        containers: 2,
        per: Per::Cluster,
        cpu_request_millicores: 50,
        memory_request_mib: 50,
        memory_limit_mib: Some(100),
        source: "grafana chart 12.11.1",
    },
];

/// Thanos Receive on the hub (estimate, see the module doc).
pub const THANOS_RECEIVE: MonitoredContainer = MonitoredContainer {
    name: "Thanos Receive",
    values_path: &[],
    containers: 1,
    per: Per::Cluster,
    cpu_request_millicores: 100,
    memory_request_mib: 512,
    memory_limit_mib: None,
    source: "estimated",
};

/// Thanos Query on the hub (estimate, see the module doc).
pub const THANOS_QUERY: MonitoredContainer = MonitoredContainer {
    name: "Thanos Query",
    values_path: &[],
    containers: 1,
    per: Per::Cluster,
    cpu_request_millicores: 50,
    memory_request_mib: 128,
    memory_limit_mib: None,
    source: "estimated",
};

impl MonitoredContainer {
    /// What its copies request on a cluster of `nodes` schedulable nodes.
    pub fn requests(&self, nodes: u32) -> Resources {
        let copies = match self.per {
            Per::Cluster => 1,
            Per::Node => nodes,
        } * self.containers;
        Resources {
            cpu_cores: f64::from(copies * self.cpu_request_millicores) / 1000.0,
            memory_mib: f64::from(copies * self.memory_request_mib),
        }
    }
}

/// What kube-prometheus-stack requests on a cluster of `schedulable_nodes` nodes that take
/// pods: every [`STACK`] row, per-node rows once per node.
pub fn stack_requests(schedulable_nodes: u32) -> Resources {
    STACK
        .iter()
        .map(|c| c.requests(schedulable_nodes))
        .fold(Resources::default(), |a, r| a + r)
}

/// What a cluster offers the application's pods once the exported monitoring stack has
/// its requests: [`cluster_allocatable`] with the stack's requests on its schedulable
/// nodes ([`stack_requests`]) kept free beside `liqo`. The
/// capacity sessions are simulated with, the export's capacity check and lint XR03 use it.
pub fn workload_allocatable(
    nodes: u32,
    vcpu: f64,
    memory_gib: f64,
    distribution: Distribution,
    liqo: Resources,
) -> Resources {
    let kept = liqo + stack_requests(schedulable_nodes(nodes, distribution));
    cluster_allocatable(nodes, vcpu, memory_gib, distribution, kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stack_requests_its_rows_and_a_node_exporter_per_node() {
        // Per cluster: operator 100 + reloaders 2 x 10 + Prometheus 100 + sidecar 10 +
        // Alertmanager 4 + kube-state-metrics 10 + Grafana 100 + its sidecars 2 x 50 =
        // 444m; 100 + 2 x 50 + 400 + 50 + 100 + 190 + 100 + 2 x 50 = 1140 MiB.
        // Per node: node-exporter 102m, 180 MiB.
        let one = stack_requests(1);
        assert!((one.cpu_cores - 0.546).abs() < 1e-9, "{one:?}");
        assert_eq!(one.memory_mib, 1320.0);
        let three = stack_requests(3);
        assert!((three.cpu_cores - (0.444 + 3.0 * 0.102)).abs() < 1e-9);
        assert_eq!(three.memory_mib, 1140.0 + 3.0 * 180.0);
    }

    #[test]
    fn limits_never_fall_below_requests() {
        for c in STACK.iter().chain([&THANOS_RECEIVE, &THANOS_QUERY]) {
            assert!(
                c.memory_limit_mib.is_none_or(|l| l >= c.memory_request_mib),
                "{}",
                c.name
            );
            assert!(c.cpu_request_millicores > 0 && c.memory_request_mib > 0);
        }
    }

    #[test]
    fn workloads_get_what_is_left_after_the_monitoring_stack() {
        // Three kubeadm nodes: two take pods, so the stack requests its per-cluster
        // 444m / 1140 MiB and two node-exporters of 102m / 180 MiB: 648m, 1500 MiB.
        let none = Resources::default();
        let all = crate::model::allocatable::cluster_allocatable(
            3,
            4.0,
            16.0,
            Distribution::Kubeadm,
            none,
        );
        let left = workload_allocatable(3, 4.0, 16.0, Distribution::Kubeadm, none);
        assert!((all.cpu_cores - left.cpu_cores - 0.648).abs() < 1e-9);
        assert!((all.memory_mib - left.memory_mib - 1500.0).abs() < 1e-9);
        // A 1-node kubeadm cluster offers nothing either way.
        let one = workload_allocatable(1, 4.0, 16.0, Distribution::Kubeadm, none);
        assert_eq!(one, Resources::default());
    }
}
