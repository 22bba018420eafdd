//! What an interconnect kind is made of, as data: its data path's servers (gateways, node
//! agents or proxies, each a packet server with a throughput limit and a queue), what it
//! costs and what it offers. Each kind fills these facts in its own file; every sourced
//! default there cites its row of `docs/interconnect-sources.md` §10 (the re-derivation:
//! what was measured, under what load, per what unit, and the arithmetic to the model's
//! number; tabled in `docs/interconnects.md`) and is labelled measured (M), documented or
//! coded default (D), derived from measurements (Dv) or estimate (E, with the note number
//! of §9).

use crate::config::interconnect::InterconnectConfig;
use crate::config::kinds::PathKind;

/// Which side of a cross-cluster traversal a server sits on (whose CPU pays for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The sending cluster.
    Src,
    /// The receiving cluster.
    Dst,
}

/// Which traffic one instance of a server carries: what the sessions crossing a cluster
/// queue behind at it (the session world gives each shared instance one queue).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// One instance per peering on each side, carrying that pair's traffic both ways: Liqo
    /// creates a `GatewayServer` on one cluster and a `GatewayClient` on the other for
    /// every peering, each its own gateway Deployment in the peer's tenant namespace
    /// (Liqo v1.2.0 `docs/advanced/peering/peering-via-cr.md`; the export writes them so,
    /// `src/export/peering.rs`).
    Peering,
    /// One instance per cluster, for all its peers (Submariner's active Gateway Engine,
    /// Istio's east-west gateway, Linkerd's and Consul's gateways, Skupper's router).
    Cluster,
    /// One instance per node (a DaemonSet: ztunnel, the Cilium agent, NSM's forwarder,
    /// kube-proxy), carrying the traffic of that node's pods; sessions spread evenly over
    /// the nodes.
    Node,
    /// One per pod (a sidecar): a session queues only behind its own frames.
    Pod,
}

impl Sharing {
    /// How the named server of an interconnect is deployed, from each project's docs
    /// (`docs/interconnect-sources.md` §11); `None` for a name no kind uses.
    pub fn of_server(name: &str) -> Option<Sharing> {
        Some(match name {
            "liqo-gateway" => Sharing::Peering,
            "submariner-gateway" | "east-west-gateway" | "linkerd-gateway" | "mesh-gateway"
            | "skupper-router" => Sharing::Cluster,
            "ztunnel" | "cilium-node" | "forwarder-vpp" | "kube-proxy-dnat" => Sharing::Node,
            "envoy-sidecar" | "sidecar" | "linkerd-proxy" => Sharing::Pod,
            _ => return None,
        })
    }
}

/// Layer of the data path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataPath {
    /// Packets are routed or tunnelled (UDP passes).
    L3,
    /// Connections end in proxies (TCP only).
    L7,
}

impl DataPath {
    /// `l3` or `l7`, for outputs.
    pub fn name(self) -> &'static str {
        match self {
            DataPath::L3 => "l3",
            DataPath::L7 => "l7",
        }
    }
}

/// Everything the simulator knows of one interconnect kind and variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Interconnect {
    /// The kind.
    pub kind: PathKind,
    /// Its variant (cable driver, data plane, mode, routing), empty if it has none.
    pub variant: String,
    /// L3/L4 or L7.
    pub data_path: DataPath,
    /// Encapsulation per packet on the inter-site leg, bytes.
    pub overhead_bytes: u32,
    /// Encapsulation per packet on the in-cluster legs to a gateway node, bytes (0: no
    /// such legs).
    pub leg_overhead_bytes: u32,
    /// Largest packet a pod can send into the interconnect, bytes.
    pub pod_mtu_bytes: u32,
    /// The servers of one traversal in order (gateways, node agents, proxies).
    pub servers: Vec<(&'static str, Side)>,
    /// Added one-way latency of one traversal at low load, against a plain L3 path between
    /// the same hosts, spread over the servers, µs. It excludes `request_us`, which the
    /// path model adds at every server but the [`Self::passthrough`] ones.
    pub added_latency_us: f64,
    /// Throughput one server (gateway, tunnel, proxy connection) carries, Gbit/s.
    pub max_gbps: f64,
    /// CPU per Gbit/s carried, per server: the path model bills it at every server of
    /// [`Self::servers`] (for the kinds with one server per side, per side), core-seconds
    /// per Gbit.
    pub cpu_per_gbit: f64,
    /// Time each server is busy per frame (one message, one direction) before its packets,
    /// µs (L7 proxies), but for the [`Self::passthrough`] ones.
    pub request_us: f64,
    /// Servers that forward by the TLS server name without reading the messages (Istio's
    /// east-west gateway, Consul's mesh gateway: SNI passthrough), so they spend no
    /// `request_us`.
    pub passthrough: &'static [&'static str],
    /// Setting up the interconnect between two clusters, s.
    pub setup_s: f64,
    /// Round trips a new connection needs before its first byte (TCP, TLS), over the route.
    pub handshake_rtts: u32,
    /// Time to notice the remote side is gone, s.
    pub failure_detection_s: f64,
    /// Agent CPU per cluster at rest (Deployments: gateways, control plane and its
    /// increment per remote cluster), cores; [`Self::agent_cpu_cores_for`] adds the
    /// per-node share.
    pub agent_cpu_cores: f64,
    /// Agent memory per cluster (Deployments), MiB.
    pub agent_memory_mib: f64,
    /// Agent CPU per node (DaemonSets), cores.
    pub agent_cpu_cores_per_node: f64,
    /// Agent memory per node (DaemonSets), MiB.
    pub agent_memory_mib_per_node: f64,
    /// Where the defaults come from (section of `docs/interconnect-sources.md`, or the
    /// topology table for the kinds with their own).
    pub source: &'static str,
}

impl Interconnect {
    /// Servers that spend [`Self::request_us`] on a frame: all but the passthrough ones.
    pub fn request_servers(&self) -> usize {
        self.servers
            .iter()
            .filter(|(name, _)| !self.passthrough.contains(name))
            .count()
    }

    /// Whether a UDP flow can cross clusters through it.
    pub fn carries_udp(&self) -> bool {
        self.kind.udp_refusal().is_none()
    }

    /// `kind` or `kind/variant`, for outputs.
    pub fn label(&self) -> String {
        if self.variant.is_empty() {
            self.kind.name().to_string()
        } else {
            format!("{}/{}", self.kind.name(), self.variant)
        }
    }

    /// Agent CPU of one cluster of `nodes` nodes, cores.
    pub fn agent_cpu_cores_for(&self, nodes: u32) -> f64 {
        self.agent_cpu_cores + self.agent_cpu_cores_per_node * nodes as f64
    }

    /// Agent memory of one cluster of `nodes` nodes, MiB.
    pub fn agent_memory_mib_for(&self, nodes: u32) -> f64 {
        self.agent_memory_mib + self.agent_memory_mib_per_node * nodes as f64
    }

    /// These facts with the values a topology's `[paths.<table>]` replaces.
    pub(super) fn tuned(mut self, cfg: &InterconnectConfig) -> Interconnect {
        let set = |v: &mut f64, o: Option<f64>| {
            if let Some(o) = o {
                *v = o;
            }
        };
        set(&mut self.added_latency_us, cfg.added_latency_us);
        set(&mut self.max_gbps, cfg.max_gbps);
        set(&mut self.cpu_per_gbit, cfg.cpu_per_gbit);
        set(&mut self.request_us, cfg.request_us);
        set(&mut self.setup_s, cfg.setup_s);
        set(&mut self.failure_detection_s, cfg.failure_detection_s);
        // A topology's agent figure is its measured whole per cluster: it replaces the
        // per-node share too.
        if let Some(v) = cfg.agent_cpu_cores {
            self.agent_cpu_cores = v;
            self.agent_cpu_cores_per_node = 0.0;
        }
        if let Some(v) = cfg.agent_memory_mib {
            self.agent_memory_mib = v;
            self.agent_memory_mib_per_node = 0.0;
        }
        self
    }
}

/// A gateway on each side: the common shape of Submariner and NSM.
pub(super) fn gateway_pair(name: &'static str) -> Vec<(&'static str, Side)> {
    vec![(name, Side::Src), (name, Side::Dst)]
}

/// The base every kind starts from; each kind's file sets what differs.
pub(super) fn base(
    kind: PathKind,
    variant: &str,
    data_path: DataPath,
    source: &'static str,
) -> Interconnect {
    Interconnect {
        kind,
        variant: variant.to_string(),
        data_path,
        overhead_bytes: 0,
        leg_overhead_bytes: 0,
        pod_mtu_bytes: 1500,
        servers: Vec::new(),
        added_latency_us: 0.0,
        max_gbps: 10.0,
        cpu_per_gbit: 0.0,
        request_us: 0.0,
        passthrough: &[],
        setup_s: 0.0,
        handshake_rtts: 1,
        failure_detection_s: 0.0,
        agent_cpu_cores: 0.0,
        agent_memory_mib: 0.0,
        agent_cpu_cores_per_node: 0.0,
        agent_memory_mib_per_node: 0.0,
        source,
    }
}
