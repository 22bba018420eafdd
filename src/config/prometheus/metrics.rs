//! The metric names and labels `import prometheus` reads, each cited from the exporter's
//! source, and the PromQL built from them. The label that tells clusters apart on a central
//! Prometheus or Thanos Query is a flag ([`Labels::cluster`], default `cluster`: the
//! external label every Prometheus of an export carries, `src/export/monitoring.rs`).
//!
//! | what | metric | source |
//! |---|---|---|
//! | RTT per peering | `liqo_peer_latency_us{driver, cluster_id}`: gauge, µs, the remote cluster's Liqo cluster ID | liqotech/liqo `pkg/gateway/tunnel/metrics.go` (names, labels `driver`, `cluster_id`) and `pkg/gateway/tunnel/wireguard/metrics.go` (value: the Connection's `status.latency` in µs, only while connected), commit 557c199c |
//! | CPU in use per node | `container_cpu_usage_seconds_total{id="/"}`: counter, s of CPU; `id="/"` is the root cgroup, the whole machine | google/cadvisor `lib/metrics/prometheus.go` (name; `id` is the cgroup name, `DefaultContainerLabels`), commit 6a0c4f25 |
//! | memory in use per node | `container_memory_working_set_bytes{id="/"}`: gauge, bytes (what the kubelet evicts on) | same file |
//! | allocatable per node | `kube_node_status_allocatable{node, resource="cpu"\|"memory", unit="core"\|"byte"}` | kubernetes/kube-state-metrics `internal/store/node.go`, commit c92fe0c5 |
//! | requests per node | `kube_pod_container_resource_requests{node, resource, unit}` | `internal/store/pod.go`, same commit |
//! | machine per cluster | `node_cpu_seconds_total{cpu, mode}` (one `mode="idle"` series per CPU), `node_memory_MemTotal_bytes` | prometheus/node_exporter `collector/cpu_common.go`, `collector/meminfo.go`, commit a7dcc3a0 |
//! | session arrivals | `xrplace_sessions_admitted_total`, `xrplace_sessions_rejected_total`; time in session `xrplace_session_seconds_total` | the XR components' contract, docs/monitoring.md |
//!
//! cAdvisor's series carry no Node name of their own: the scrape gives it (the kubelet's
//! `/metrics/cadvisor` endpoint, one target per Node); kube-state-metrics' carry `node`. Both
//! are read through [`Labels::node`]. node-exporter's series name their target by `instance`
//! (host:port, or the Node name where the scrape relabels it), so they are summed per cluster
//! only, as the machines' capacity.

/// The labels that place a series: set by flags, defaults as documented per field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    /// The cluster a series was scraped in (default `cluster`: the export's external label).
    pub cluster: String,
    /// The Node of a per-node series (default `node`: kube-state-metrics' own label).
    pub node: String,
    /// The application of a session counter (default `application`).
    pub application: String,
    /// The access site of a session counter (default `site`).
    pub site: String,
}

impl Default for Labels {
    fn default() -> Self {
        Labels {
            cluster: "cluster".into(),
            node: "node".into(),
            application: "application".into(),
            site: "site".into(),
        }
    }
}

/// Liqo's round-trip latency gauge, µs (`pkg/gateway/tunnel/metrics.go`).
pub const LIQO_LATENCY: &str = "liqo_peer_latency_us";
/// Liqo's label holding the remote cluster's ID (`MetricsLabels` in the same file).
pub const LIQO_REMOTE: &str = "cluster_id";
/// cAdvisor's CPU counter, s (`lib/metrics/prometheus.go`).
pub const CADVISOR_CPU: &str = "container_cpu_usage_seconds_total";
/// cAdvisor's working set, bytes (same file).
pub const CADVISOR_MEMORY: &str = "container_memory_working_set_bytes";
/// kube-state-metrics' allocatable (`internal/store/node.go`).
pub const KSM_ALLOCATABLE: &str = "kube_node_status_allocatable";
/// kube-state-metrics' container requests (`internal/store/pod.go`).
pub const KSM_REQUESTS: &str = "kube_pod_container_resource_requests";
/// node-exporter's CPU time per CPU and mode (`collector/cpu_common.go`).
pub const NODE_CPU: &str = "node_cpu_seconds_total";
/// node-exporter's `MemTotal` of /proc/meminfo, bytes (`collector/meminfo.go`).
pub const NODE_MEMORY: &str = "node_memory_MemTotal_bytes";
/// The session manager's admitted sessions (docs/monitoring.md, the contract).
pub const ADMITTED: &str = "xrplace_sessions_admitted_total";
/// The session manager's sessions refused at arrival.
pub const REJECTED: &str = "xrplace_sessions_rejected_total";
/// Session time so far, s, summed over sessions.
pub const SESSION_SECONDS: &str = "xrplace_session_seconds_total";

/// Seconds per bytes-to-MiB.
pub const BYTES_PER_MIB: f64 = 1_048_576.0;

/// A PromQL duration of whole seconds (`90s`).
fn duration(s: f64) -> String {
    format!("{}s", crate::base::units::round_to_u64(s.ceil()).max(1))
}

impl Labels {
    /// `sum by (cluster, node) (EXPR)`.
    fn per_node(&self, expr: &str) -> String {
        format!("sum by ({}, {}) ({expr})", self.cluster, self.node)
    }

    /// The RTT gauge as it is, one series per gateway and peer.
    pub fn rtt(&self) -> String {
        LIQO_LATENCY.to_string()
    }

    /// CPU in use per node, cores: the root cgroup's CPU counter's rate over `window_s`.
    pub fn cpu_used(&self, window_s: f64) -> String {
        self.per_node(&format!(
            "rate({CADVISOR_CPU}{{id=\"/\"}}[{}])",
            duration(window_s)
        ))
    }

    /// Memory in use per node, bytes: the root cgroup's working set.
    pub fn memory_used(&self) -> String {
        self.per_node(&format!("{CADVISOR_MEMORY}{{id=\"/\"}}"))
    }

    /// kube-state-metrics' `metric` of `resource` in `unit` per node.
    pub fn ksm(&self, metric: &str, resource: &str, unit: &str) -> String {
        self.per_node(&format!(
            "{metric}{{resource=\"{resource}\",unit=\"{unit}\"}}"
        ))
    }

    /// CPUs per cluster: node-exporter's idle series, one per CPU.
    pub fn machine_cpus(&self) -> String {
        format!("count by ({}) ({NODE_CPU}{{mode=\"idle\"}})", self.cluster)
    }

    /// Memory per cluster, bytes: node-exporter's `MemTotal`, summed.
    pub fn machine_memory(&self) -> String {
        format!("sum by ({}) ({NODE_MEMORY})", self.cluster)
    }

    /// A session counter as it is, every series (one per pod and label set).
    pub fn counter(&self, metric: &str) -> String {
        metric.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_use_the_configured_labels() {
        let l = Labels {
            cluster: "k8s_cluster".into(),
            ..Labels::default()
        };
        assert_eq!(
            l.cpu_used(60.0),
            "sum by (k8s_cluster, node) (rate(container_cpu_usage_seconds_total{id=\"/\"}[60s]))"
        );
        assert_eq!(
            l.ksm(KSM_ALLOCATABLE, "memory", "byte"),
            "sum by (k8s_cluster, node) (kube_node_status_allocatable{resource=\"memory\",unit=\"byte\"})"
        );
        assert_eq!(
            l.machine_cpus(),
            "count by (k8s_cluster) (node_cpu_seconds_total{mode=\"idle\"})"
        );
        assert_eq!(duration(0.2), "1s");
    }
}
