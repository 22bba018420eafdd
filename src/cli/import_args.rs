//! The command line's arguments of `xrplace import k8s` and `xrplace import prometheus`
//! (the `import` command's subcommands: a new source is one variant and its arguments).

use clap::Subcommand;
use std::path::PathBuf;

/// `xrplace import ...`: what an estate that runs already says about itself.
#[derive(Subcommand)]
pub enum ImportCommand {
    /// Kubernetes objects of every cluster of the estate, as `kubectl get ... -o yaml|json`
    /// writes them: write DIR/topology.toml (the clusters, existing) and DIR/plan.toml (the
    /// plan of record: clusters, peerings, offloading), and print the capacity drift.
    ///
    /// Examples: xrplace import k8s --sites sites.toml tests/fixtures/estate --out estate;
    /// xrplace import k8s --sites sites.toml mgmt=dumps/mgmt edge-1=edge-1.yaml --out estate
    K8s(ImportK8sArgs),
    /// Read a live estate's monitoring from a Prometheus or Thanos Query HTTP API over a
    /// range: RTT per Liqo peering (liqo_peer_latency_us), CPU and memory per cluster and
    /// Node (cAdvisor, kube-state-metrics, node-exporter) and session arrivals (the
    /// xrplace_sessions_* counters); write DIR/rtt.csv (a measured RTT matrix),
    /// DIR/trace.csv (a trace `run` replays), DIR/usage.csv, and the drift of the
    /// topology's RTTs from the measured ones (DIR/drift.csv, drift.svg, drift.png).
    ///
    /// Example: xrplace import prometheus http://127.0.0.1:9090 --topology estate/topology.toml
    /// --start 2026-12-07T08:00:00Z --end 2026-12-07T20:00:00Z --out measured
    Prometheus(ImportPrometheusArgs),
}

/// Arguments of `xrplace import k8s` (docs/import.md).
#[derive(clap::Args)]
pub struct ImportK8sArgs {
    /// Where the clusters stand: `[[sites]]` as a topology file spells them, each with
    /// `clusters = [...]` and/or `regions = [...]`.
    #[arg(long)]
    pub sites: PathBuf,
    /// CLUSTER=PATH (every file under PATH was dumped from CLUSTER, its kubeconfig
    /// context), or a folder whose sub-folders are one cluster each, named after them.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Output folder (topology.toml and plan.toml are replaced whole).
    #[arg(long)]
    pub out: PathBuf,
    /// The hub, when the estate leaves it open (several clusters that consume as many
    /// peerings and hold an offloaded namespace).
    #[arg(long, value_name = "CLUSTER")]
    pub hub: Option<String>,
    /// A plan whose cluster sizes the drift also compares the Nodes with.
    #[arg(long, value_name = "PLAN.toml")]
    pub plan: Option<PathBuf>,
}

/// Arguments of `xrplace import prometheus` (docs/import.md).
#[derive(clap::Args)]
pub struct ImportPrometheusArgs {
    /// Base URL of the Prometheus or Thanos Query HTTP API (http:// or https://).
    pub url: String,
    /// Topology whose clusters and sites the series are mapped onto.
    #[arg(long)]
    pub topology: PathBuf,
    /// First instant: RFC 3339 (2026-12-07T08:00:00Z) or Unix seconds.
    #[arg(long)]
    pub start: String,
    /// Last instant, after --start.
    #[arg(long)]
    pub end: String,
    /// Resolution of every range query, s: arrivals are spread within steps, and
    /// (end - start) / step may be at most 11,000 (Prometheus's own limit).
    #[arg(long = "step", default_value_t = 60.0)]
    pub step_s: f64,
    /// Output folder.
    #[arg(long)]
    pub out: PathBuf,
    /// Label telling clusters apart on a central Prometheus or Thanos (an export's
    /// external label).
    #[arg(long, default_value = "cluster")]
    pub cluster_label: String,
    /// Label of the Node on per-node series (kube-state-metrics' own).
    #[arg(long, default_value = "node")]
    pub node_label: String,
    /// Label of the application on the session counters.
    #[arg(long, default_value = "application")]
    pub application_label: String,
    /// Label of the access site on the session counters.
    #[arg(long, default_value = "site")]
    pub site_label: String,
    /// ID=CLUSTER: a Liqo cluster ID that is not the topology cluster's name (repeatable).
    #[arg(long = "cluster-id")]
    pub cluster_ids: Vec<String>,
    /// Length of every imported session, s [default: mean from
    /// xrplace_session_seconds_total over xrplace_sessions_admitted_total].
    #[arg(long)]
    pub duration_s: Option<f64>,
    /// Longest a query may take, from connecting to the last byte, s.
    #[arg(long, default_value_t = 60.0)]
    pub timeout_s: f64,
    /// Longest wait for a connection, s.
    #[arg(long, default_value_t = 10.0)]
    pub connect_timeout_s: f64,
    /// Largest answer read, bytes; a larger one is refused.
    #[arg(long, default_value_t = 64 << 20)]
    pub max_response_bytes: u64,
}
