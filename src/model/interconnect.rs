//! The interconnect kinds the study weighs, as data: what each one's data path is made of
//! (gateways, node agents or proxies, each a packet server with a throughput limit and a
//! queue), what it costs and what it offers. Every default cites its row of
//! `docs/interconnect-sources.md` §10 (the re-derivation: what was measured, under what
//! load, per what unit, and the arithmetic to the model's number; tabled in
//! `docs/interconnects.md`) and is labelled measured (M), documented or coded default (D),
//! derived from measurements (Dv) or estimate (E, with the note number of §9). None of the
//! named kinds' defaults is calibrated against the study; `liqo`, `nodeport`, `local` and
//! the generic `mesh` keep their own calibrated builders in [`super::path`]; their facts
//! for comparisons come from [`Interconnect::of`] too.

use crate::config::interconnect::{variant_of, InterconnectConfig};
use crate::config::kinds::PathKind;
use crate::config::topology::PathsConfig;

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

    /// Whether components can be placed on other clusters at run time through it.
    pub fn cross_cluster_scheduling(&self) -> bool {
        self.kind.cross_cluster_scheduling()
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

    /// The facts of `kind` under `paths`: the sourced defaults of its variant with the
    /// values the topology replaces.
    pub fn of(kind: PathKind, paths: &PathsConfig) -> Interconnect {
        match paths.interconnect(kind) {
            Some((_, cfg)) => named(kind, variant_of(kind, cfg)).tuned(cfg),
            None => own_table(kind, paths),
        }
    }

    fn tuned(mut self, cfg: &InterconnectConfig) -> Interconnect {
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
fn gateway_pair(name: &'static str) -> Vec<(&'static str, Side)> {
    vec![(name, Side::Src), (name, Side::Dst)]
}

/// The base every named kind starts from; each arm of [`named`] sets what differs.
fn base(kind: PathKind, variant: &str, data_path: DataPath, source: &'static str) -> Interconnect {
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

/// Low-load one-way cost of one Envoy of Istio's measured sidecar path (sidecar,
/// east-west gateway, sidecar), µs: 114 / 3 = 38 (`docs/interconnect-sources.md` §10 I1).
/// The estimate for every other Envoy or proxy with no measurement of its own.
const ENVOY_ONE_WAY_US: f64 = ISTIO_SIDECAR_ONE_WAY_US / 3.0;

/// ICPE'25 TCP_RR, 64 B, one thread (uperf counts the write and the read: RTT = 2 / op/s):
/// Istio 7,707 op/s = 259.5 µs, host to host between the clusters 62,948 op/s = 31.8 µs;
/// (259.5 - 31.8) / 2 = 113.9, 114 µs one way (M, §0a).
const ISTIO_SIDECAR_ONE_WAY_US: f64 = 114.0;

/// CPU per Gbit/s of one Envoy, core-s per Gbit: ICPE'25's CPU overhead at Istio's
/// single-connection operating point (8 KiB writes, 8.56 Gbit/s) is 3.57 for sender and
/// receiver together, 3.57 / 8.56 = 0.417 per Gbit/s over the three Envoys, 0.139 each
/// (Dv, an upper bound: whole-node figures with uperf's own TCP work, §10 I3).
const ENVOY_CPU_PER_GBIT: f64 = 0.417 / 3.0;

/// Envoy's busy time per message, µs: Istio 1.24 measures 0.20 vCPU per 1,000 requests/s
/// for a sidecar (1 KiB, HTTP/1.1, mTLS, 2 workers), 200 µs of CPU per request and its
/// response; a frame is one direction: 100 µs (D, §10 I2; the 0.6-0.5 vCPU of the 1.1-1.7
/// pages and the 0.35 vCPU quoted for 1.8-1.12 are older Envoys).
const ENVOY_REQUEST_US: f64 = 100.0;

/// linkerd2-proxy against Envoy, per request: the 2021 Linkerd-vs-Istio benchmark's
/// largest proxy CPU time at 2,000 requests/s, 36 ms (Linkerd 2.11.1) against 67 ms (Istio
/// 1.12): 0.54 (M ratio, §10 L2).
const LINKERD_PER_ENVOY: f64 = 36.0 / 67.0;

/// A Skupper router's work per message, µs (E: no figure found); it is inside ICPE'25's
/// measured 242 µs, so the routers' fixed cost is that less twice this.
const SKUPPER_REQUEST_US: f64 = 50.0;

/// The sourced defaults of a named kind's variant (`docs/interconnect-sources.md` §10;
/// M measured, D default, Dv derived, E estimate).
fn named(kind: PathKind, variant: &str) -> Interconnect {
    match kind {
        PathKind::Submariner => submariner(variant),
        PathKind::Skupper => Interconnect {
            overhead_bytes: 0,   // E: AMQP frames and TLS records, 0.5-2 % of bytes
            pod_mtu_bytes: 1450, // TCP stream: the CNI's MTU
            servers: vec![("skupper-router", Side::Src), ("skupper-router", Side::Dst)],
            // M: ICPE'25 TCP_RR 64 B, 3,885 op/s = 514.8 µs RTT, (514.8 - 31.8) / 2 =
            // 241.5, 242 µs one way through both routers, their per-message work
            // included: 242 - 2 x request_us = 142 (§10 K1).
            added_latency_us: 242.0 - 2.0 * SKUPPER_REQUEST_US,
            max_gbps: 4.2, // M: ICPE'25, one TCP connection, 8 KiB
            // Dv (upper bound): 4.90 for both sides at 4.19 Gbit/s (8 KiB, one
            // connection): 4.90 / 2 / 4.19 = 0.58 per router (§10 K3).
            cpu_per_gbit: 0.58,
            request_us: SKUPPER_REQUEST_US,
            setup_s: 10.0,            // E: router pods and link; not found
            failure_detection_s: 3.0, // D: HELLO 1 s, neighbour lost after 3 s
            agent_cpu_cores: 0.1,     // E: routers ship without requests
            agent_memory_mib: 100.0,  // E
            ..base(
                kind,
                variant,
                DataPath::L7,
                "interconnect-sources.md §3 Skupper, §10",
            )
        },
        PathKind::Istio => istio(variant),
        PathKind::Linkerd => linkerd(variant),
        PathKind::Consul => Interconnect {
            pod_mtu_bytes: 1450,
            servers: vec![
                ("envoy-sidecar", Side::Src),
                ("mesh-gateway", Side::Src),
                ("mesh-gateway", Side::Dst),
                ("envoy-sidecar", Side::Dst),
            ],
            // E12: four Envoys (two sidecars, two SNI-passthrough gateways) at Istio's
            // measured 114 / 3 = 38 µs each: 152 µs (§10 C1).
            added_latency_us: 4.0 * ENVOY_ONE_WAY_US,
            max_gbps: 8.6,                    // E12: Envoy per connection, as Istio (M)
            cpu_per_gbit: ENVOY_CPU_PER_GBIT, // E12: per Envoy as Istio's, 0.139
            request_us: ENVOY_REQUEST_US,     // E12: Envoy, as Istio 1.24's (D), 100 µs
            // D: mesh gateways route by SNI and do not terminate TLS (Consul docs).
            passthrough: &["mesh-gateway"],
            setup_s: 15.0,             // E: not found
            handshake_rtts: 2,         // TCP + TLS 1.3 (mTLS to the remote sidecar)
            failure_detection_s: 30.0, // Dv: memberlist WAN profile
            agent_cpu_cores: 0.1,      // D: mesh gateway requests 100m
            agent_memory_mib: 100.0,   // D: 100 Mi
            ..base(
                kind,
                variant,
                DataPath::L7,
                "interconnect-sources.md §8 Consul, §10",
            )
        },
        PathKind::CiliumClustermesh => cilium(variant),
        PathKind::Nsm => nsm(variant),
        _ => unreachable!("kinds with their own tables are built by own_table"),
    }
}

/// ICPE'25 one-way added latency of Submariner (its cable driver: libreswan IPsec, the
/// default): 8,678 op/s = 230.5 µs RTT, (230.5 - 31.8) / 2 = 99.3, 99 µs (M, §10 S1).
const SUBMARINER_IPSEC_US: f64 = 99.0;

/// One-way crypto cost over plain routing, Cilium's 2021 TCP_RR (one process, MTU 1500):
/// node to node 47,800 req/s = 20.9 µs; IPsec 26,000 = 38.5 µs, (38.5 - 20.9) / 2 = 8.8,
/// 9 µs; WireGuard 16,300 = 61.3 µs, (61.3 - 20.9) / 2 = 20.2, 20 µs (Dv, §0b, §10 M1).
const IPSEC_ONE_WAY_US: f64 = 9.0;
const WIREGUARD_ONE_WAY_US: f64 = 20.0;

/// CPU per Gbit/s per side of kernel IPsec and WireGuard at MTU 1500, Cilium 2021 (hardware
/// threads to carry 10 Gbit/s, % of 32): IPsec 12.5 / 11.4 % = 0.400 / 0.365, mean 0.38;
/// WireGuard 19.4 / 28.7 % = 0.621 / 0.918, mean 0.77 (Dv, §10 M3; includes netperf's own
/// TCP work, 0.027 / 0.045 per Gbit/s node to node).
const IPSEC_CPU_PER_GBIT: f64 = 0.38;
const WIREGUARD_CPU_PER_GBIT: f64 = 0.77;

fn submariner(variant: &str) -> Interconnect {
    let common = Interconnect {
        leg_overhead_bytes: 50, // D: vx-submariner VXLAN to the gateway node
        servers: gateway_pair("submariner-gateway"),
        setup_s: 30.0,            // E5: gateway start, Broker sync, IKE; not found
        failure_detection_s: 5.0, // D: health check 1 s x 5
        agent_cpu_cores: 0.05,    // E: not found
        // M: gateway 49,836 KiB + pluto 17,304 KiB RSS (submariner#2529) = 65.6 MiB. The
        // route agent runs on every node; no figure found, so no per-node share (§10 S6).
        agent_memory_mib: 66.0,
        ..base(
            PathKind::Submariner,
            variant,
            DataPath::L3,
            "interconnect-sources.md §2 Submariner, §10",
        )
    };
    // Dv (upper bound): ICPE'25 CPU overhead 2.22 for both sides at 2.73 Gbit/s (8 KiB,
    // one thread): 2.22 / 2 / 2.73 = 0.41 per gateway (§10 S3).
    let ipsec_cpu = 0.41;
    match variant {
        "wireguard" => Interconnect {
            overhead_bytes: 60, // D: WireGuard over IPv4
            pod_mtu_bytes: 1440,
            // E6: IPsec's 99 with Cilium's WireGuard crypto for its IPsec crypto:
            // 99 - 9 + 20 = 110 µs.
            added_latency_us: SUBMARINER_IPSEC_US - IPSEC_ONE_WAY_US + WIREGUARD_ONE_WAY_US,
            max_gbps: 2.1, // Dv: IPsec's 2.6 x the 0.8/1.0 WireGuard/IPsec ratio on GCP (M)
            // Dv: submariner#1509, WireGuard used 2.1 x IPsec's CPU to carry 0.8 against
            // 1.0 Gbit/s: 2.1 / 0.8 = 2.6 x per Gbit/s; 0.41 x 2.625 = 1.08 (§10 S4).
            cpu_per_gbit: ipsec_cpu * 2.1 / 0.8,
            ..common
        },
        "vxlan" => Interconnect {
            overhead_bytes: 50, // D: pkg/vxlan MTUOverhead
            pod_mtu_bytes: 1450,
            // E6: IPsec's 99 without its crypto: 99 - 9 = 90 µs.
            added_latency_us: SUBMARINER_IPSEC_US - IPSEC_ONE_WAY_US,
            max_gbps: 9.9, // Dv: 44 % of the 22.5 Gbit/s NIC non-gateway to non-gateway (M)
            cpu_per_gbit: 0.1, // E7
            ..common
        },
        _ => Interconnect {
            overhead_bytes: 62, // D: ExpectedIPSECOverhead (NAT-T ESP)
            pod_mtu_bytes: 1438,
            added_latency_us: SUBMARINER_IPSEC_US, // M: ICPE'25, 64 B request-response
            max_gbps: 2.6,                         // M: ICPE'25, one core per SA
            cpu_per_gbit: ipsec_cpu,
            ..common
        },
    }
}

fn istio(variant: &str) -> Interconnect {
    let common = Interconnect {
        pod_mtu_bytes: 1450,
        // D: the east-west gateway routes by SNI in AUTO_PASSTHROUGH mode, without
        // terminating TLS (Istio multi-network docs), so it does no per-request work.
        passthrough: &["east-west-gateway"],
        max_gbps: 8.6,             // M: ICPE'25, one connection, 8 KiB (sidecar)
        setup_s: 15.0,             // E: remote secrets and endpoint discovery; not found
        handshake_rtts: 2,         // TCP + TLS 1.3 through the SNI-passthrough gateway
        failure_detection_s: 10.0, // D: proxy TCP connect timeout
        agent_cpu_cores: 0.11,     // D: east-west gateway 100m + M: istiod +1 % core per remote
        // D: east-west gateway 128 MiB + M: istiod +180 MB = 171.7 MiB per remote cluster.
        agent_memory_mib: 128.0 + 180e6 / 1_048_576.0,
        ..base(
            PathKind::Istio,
            variant,
            DataPath::L7,
            "interconnect-sources.md §4 Istio, §10",
        )
    };
    match variant {
        "ambient" => Interconnect {
            servers: vec![
                ("ztunnel", Side::Src),
                ("east-west-gateway", Side::Dst),
                ("ztunnel", Side::Dst),
            ],
            // M: +0.13 ms per request on warm connections against ambient in one cluster,
            // a round trip: 65 µs one way. The ztunnel pair that both sides of that test
            // cross is not in it (not measured against no mesh): a lower figure (§10 I5).
            added_latency_us: 130.0 / 2.0,
            cpu_per_gbit: ENVOY_CPU_PER_GBIT, // E: no throughput CPU found; as the sidecar path
            // D: ztunnel 0.06 vCPU per 1,000 requests/s (Istio 1.24), 60 µs per request and
            // its response: 30 µs per direction (§10 I6).
            request_us: 30.0,
            ..common
        },
        _ => Interconnect {
            servers: vec![
                ("envoy-sidecar", Side::Src),
                ("east-west-gateway", Side::Dst),
                ("envoy-sidecar", Side::Dst),
            ],
            added_latency_us: ISTIO_SIDECAR_ONE_WAY_US, // M: ICPE'25, 64 B TCP request-response
            cpu_per_gbit: ENVOY_CPU_PER_GBIT,           // Dv: 0.139 per Envoy, 0.21 per side
            // D: the HTTP work the TCP measurement has not, at the two sidecars (§10 I2).
            request_us: ENVOY_REQUEST_US,
            ..common
        },
    }
}

fn linkerd(variant: &str) -> Interconnect {
    let common = Interconnect {
        pod_mtu_bytes: 1450,
        max_gbps: 5.0, // E: not found; within the measured L7 range (4.2-8.6)
        // E9: linkerd2-proxy with one worker (its default): 200 µs x 0.54 = 107 µs of CPU
        // per request and its response, 54 µs per direction (§10 L2).
        request_us: ENVOY_REQUEST_US * LINKERD_PER_ENVOY,
        // E9: Envoy's 0.139 per Gbit/s x 0.54 = 0.075 per proxy (§10 L3).
        cpu_per_gbit: ENVOY_CPU_PER_GBIT * LINKERD_PER_ENVOY,
        setup_s: 15.0,            // E: service mirroring; not found
        handshake_rtts: 2,        // TCP + TLS (mTLS between proxies)
        failure_detection_s: 9.0, // D: gateway probe 3 s x 3
        agent_cpu_cores: 0.1,     // E: gateway, 1 replica (D)
        agent_memory_mib: 26.0,   // M: proxy 26 MB max
        ..base(
            PathKind::Linkerd,
            variant,
            DataPath::L7,
            "interconnect-sources.md §5 Linkerd, §10",
        )
    };
    // E9: no multi-cluster measurement; each proxy at Envoy's measured 38 µs, an upper
    // figure (both Linkerd-vs-Istio benchmarks measure Linkerd's added latency at 0.35-0.4
    // of Istio's) (§10 L1).
    match variant {
        "flat" => Interconnect {
            servers: vec![("linkerd-proxy", Side::Src), ("linkerd-proxy", Side::Dst)],
            added_latency_us: 2.0 * ENVOY_ONE_WAY_US, // 76 µs
            ..common
        },
        _ => Interconnect {
            servers: vec![
                ("linkerd-proxy", Side::Src),
                ("linkerd-gateway", Side::Dst),
                ("linkerd-proxy", Side::Dst),
            ],
            added_latency_us: 3.0 * ENVOY_ONE_WAY_US, // 114 µs
            ..common
        },
    }
}

fn cilium(variant: &str) -> Interconnect {
    let common = Interconnect {
        servers: vec![("cilium-node", Side::Src), ("cilium-node", Side::Dst)],
        setup_s: 77.0,             // D: the ClusterMesh doc's example
        failure_detection_s: 40.0, // D: node-monitor-grace-period
        // E: clustermesh-apiserver (etcd + apiserver), no default requests, no figure
        // found (§10 M5).
        agent_cpu_cores: 0.05,
        agent_memory_mib: 100.0,
        // M (upper bound): the whole agent at rest, 0.15 % of 2 vCPU = 0.003 cores. The
        // 3.4 % was a 50 k-pod scale-up (§10 M5).
        agent_cpu_cores_per_node: 0.003,
        // E: the agent's 10.5 KiB per pod it knows (M, 50 k-pod test) for 1,000 remote
        // pods: 10 MiB. The 438 MiB is the whole CNI agent at 50 k pods (§10 M5).
        agent_memory_mib_per_node: 10.0,
        ..base(
            PathKind::CiliumClustermesh,
            variant,
            DataPath::L3,
            "interconnect-sources.md §6 Cilium, §10",
        )
    };
    match variant {
        "native" => Interconnect {
            overhead_bytes: 0, // D: routed, no encapsulation
            pod_mtu_bytes: 1500,
            // M: eBPF 45,200 req/s = 22.1 µs against node to node 20.9 µs: 0.6 µs one way.
            added_latency_us: 0.6,
            max_gbps: 42.0, // M: one flow, direct routing
            // Dv: eBPF against node to node at 100 Gbit/s, +0.4 / -0.1 % of 32 threads:
            // 0.001 per Gbit/s, within the charts' reading error (§10 M3).
            cpu_per_gbit: 0.001,
            ..common
        },
        "wireguard" => Interconnect {
            overhead_bytes: 80, // D: Cilium's WireGuard accounting
            pod_mtu_bytes: 1420,
            added_latency_us: WIREGUARD_ONE_WAY_US, // Dv: TCP_RR with WireGuard, 20 µs
            max_gbps: 4.7,                          // M: one flow at MTU 1500
            cpu_per_gbit: WIREGUARD_CPU_PER_GBIT,   // Dv: 0.621 / 0.918 threads, mean 0.77
            ..common
        },
        "ipsec" => Interconnect {
            overhead_bytes: 77, // D: Cilium's IPsec accounting
            pod_mtu_bytes: 1423,
            added_latency_us: IPSEC_ONE_WAY_US, // Dv: TCP_RR with IPsec, 9 µs
            max_gbps: 3.4,                      // M: one flow at MTU 1500, one core per tunnel
            cpu_per_gbit: IPSEC_CPU_PER_GBIT,   // Dv: 0.400 / 0.365 threads, mean 0.38
            ..common
        },
        _ => Interconnect {
            overhead_bytes: 50, // D: VXLAN over IPv4
            pod_mtu_bytes: 1450,
            added_latency_us: 3.0, // E10
            max_gbps: 30.0,        // E10: below direct routing's measured 42
            cpu_per_gbit: 0.05,    // E10
            ..common
        },
    }
}

/// E11: two VPP forwarders in user space, 15 µs each, no measurement (§10 N1).
const NSM_FORWARDERS_US: f64 = 30.0;

fn nsm(variant: &str) -> Interconnect {
    let common = Interconnect {
        servers: gateway_pair("forwarder-vpp"),
        setup_s: 3.0,             // E11: 1-5 s vWire request (timeout 15 s, D)
        failure_detection_s: 1.2, // Dv: liveness 200 ms, timeout 1 s
        // D (deployments-k8s@53739ca5, interdomain suite; a limit without a request
        // requests the limit): Deployments nsmgr-proxy 200m / 100 Mi + map-ip-k8s 50m /
        // 25 Mi + registry-k8s 100m / 100 Mi + registry-proxy-dns 100m / 40 Mi = 450m /
        // 265 Mi per cluster (§10 N5).
        agent_cpu_cores: 0.45,
        agent_memory_mib: 265.0,
        // D: DaemonSets forwarder-vpp 150m / 350 Mi + nsmgr 200m / 100 Mi + its
        // exclude-prefixes 75m / 40 Mi = 425m / 490 Mi per node (§10 N5).
        agent_cpu_cores_per_node: 0.425,
        agent_memory_mib_per_node: 490.0,
        ..base(
            PathKind::Nsm,
            variant,
            DataPath::L3,
            "interconnect-sources.md §7 NSM, §10",
        )
    };
    match variant {
        "vxlan" => Interconnect {
            overhead_bytes: 54,                  // D
            pod_mtu_bytes: 1446,                 // D
            added_latency_us: NSM_FORWARDERS_US, // E11: no crypto
            max_gbps: 10.0,                      // E: unencrypted; not found
            cpu_per_gbit: 0.1,                   // E
            ..common
        },
        "ipsec" => Interconnect {
            overhead_bytes: 81,                                     // D
            pod_mtu_bytes: 1419,                                    // D
            added_latency_us: NSM_FORWARDERS_US + IPSEC_ONE_WAY_US, // E11: + 9 µs
            max_gbps: 2.6,                    // E: one core per SA, as Submariner (M)
            cpu_per_gbit: IPSEC_CPU_PER_GBIT, // E11: as kernel IPsec (Dv), 0.38
            ..common
        },
        _ => Interconnect {
            overhead_bytes: 60,                                         // D
            pod_mtu_bytes: 1440,                                        // D
            added_latency_us: NSM_FORWARDERS_US + WIREGUARD_ONE_WAY_US, // E11: + 20 µs
            max_gbps: 3.0, // E: one WireGuard flow, 2.3-4.7 Gbit/s (M)
            cpu_per_gbit: WIREGUARD_CPU_PER_GBIT, // E11: as kernel WireGuard (Dv), 0.77
            ..common
        },
    }
}

/// The facts of the kinds with their own `[paths.*]` tables, from those tables.
fn own_table(kind: PathKind, paths: &PathsConfig) -> Interconnect {
    match kind {
        PathKind::Liqo => {
            let l = &paths.liqo;
            Interconnect {
                overhead_bytes: l.wireguard_overhead_bytes,
                leg_overhead_bytes: l.geneve_overhead_bytes,
                pod_mtu_bytes: l.mtu_bytes,
                servers: gateway_pair("liqo-gateway"),
                added_latency_us: 2.0 * l.gateway_processing_us,
                max_gbps: l.gateway_cores / l.gateway_cpu_per_gbit.max(1e-9),
                cpu_per_gbit: l.gateway_cpu_per_gbit,
                setup_s: l.peering_s() + l.remote_pod_start_s,
                failure_detection_s: l.detection_s(),
                agent_cpu_cores: l.control_plane_cpu_cores,
                agent_memory_mib: l.control_plane_memory_mib + l.gateway_memory_mib,
                ..base(kind, "", DataPath::L3, "Liqo (topology [paths.liqo])")
            }
        }
        PathKind::Nodeport => Interconnect {
            pod_mtu_bytes: paths.nodeport.mtu_bytes,
            servers: vec![("kube-proxy-dnat", Side::Dst)],
            added_latency_us: paths.nodeport.dnat_us_per_packet,
            max_gbps: 10.0,
            ..base(
                kind,
                "",
                DataPath::L3,
                "NodePort (topology [paths.nodeport])",
            )
        },
        PathKind::Mesh => Interconnect {
            pod_mtu_bytes: paths.local.mtu_bytes,
            servers: vec![("sidecar", Side::Src), ("sidecar", Side::Dst)],
            added_latency_us: paths.mesh.sidecar_ms_per_hop * 1000.0,
            cpu_per_gbit: paths.mesh.sidecar_cpu_per_gbit,
            handshake_rtts: 2,
            ..base(
                kind,
                "",
                DataPath::L7,
                "generic mesh (topology [paths.mesh])",
            )
        },
        _ => Interconnect {
            pod_mtu_bytes: paths.local.mtu_bytes,
            handshake_rtts: 0,
            ..base(
                kind,
                "",
                DataPath::L3,
                "one cluster (topology [paths.local])",
            )
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(kind: PathKind, variant: &str) -> Interconnect {
        named(kind, variant)
    }

    /// One way added over host to host from ICPE'25's uperf TCP_RR at 64 B, one thread
    /// (`results/ICPE 25 - TCP performance.csv`): RTT = 2 / op/s, host to host between
    /// the clusters 62,948 op/s.
    fn icpe_one_way_us(op_s: f64) -> f64 {
        (2.0 / op_s - 2.0 / 62_948.0) / 2.0 * 1e6
    }

    #[test]
    fn low_load_latency_reproduces_the_measurements() {
        // Submariner 8,678 op/s: 99.3 µs; its gateways do no per-frame work.
        let sub = of(PathKind::Submariner, "ipsec");
        assert!((sub.added_latency_us - icpe_one_way_us(8_678.0)).abs() < 0.5);
        assert_eq!(sub.request_us, 0.0);
        // Istio 7,707 op/s: 113.9 µs over TCP (no HTTP work in it).
        let istio = of(PathKind::Istio, "sidecar");
        assert!((istio.added_latency_us - icpe_one_way_us(7_707.0)).abs() < 0.5);
        // Skupper 3,885 op/s: 241.5 µs with the routers' per-message work inside, so the
        // fixed part and the two routers' busy time add up to it, not more.
        let sk = of(PathKind::Skupper, "");
        let idle = sk.added_latency_us + sk.servers.len() as f64 * sk.request_us;
        assert!((idle - icpe_one_way_us(3_885.0)).abs() < 0.6, "{idle}");
        // Istio's ambient test: +0.13 ms per request (a round trip) on warm connections.
        assert_eq!(
            of(PathKind::Istio, "ambient").added_latency_us,
            0.13e3 / 2.0
        );
    }

    #[test]
    fn cpu_over_a_traversal_is_icpe_total_at_the_single_connection_point() {
        // Sender + receiver CPU overhead / Gbit/s at 8 KiB, one thread: Submariner 2.22 at
        // 2.73, Istio 3.57 at 8.56, Skupper 4.90 at 4.19. The path model bills
        // cpu_per_gbit at every server.
        for (kind, variant, total, gbps) in [
            (PathKind::Submariner, "ipsec", 2.22, 2.73),
            (PathKind::Istio, "sidecar", 3.57, 8.56),
            (PathKind::Skupper, "", 4.90, 4.19),
        ] {
            let ic = of(kind, variant);
            let billed = ic.servers.len() as f64 * ic.cpu_per_gbit;
            let want = total / gbps;
            assert!(
                (billed / want - 1.0).abs() < 0.02,
                "{kind:?}: {billed} against {want}"
            );
        }
    }

    #[test]
    fn submariner_wireguard_costs_2_6_times_ipsec_per_gbit() {
        // submariner#1509: 2.1 x the CPU for 0.8 against 1.0 Gbit/s.
        let ratio = of(PathKind::Submariner, "wireguard").cpu_per_gbit
            / of(PathKind::Submariner, "ipsec").cpu_per_gbit;
        assert!((ratio - 2.1 / 0.8).abs() < 0.01, "{ratio}");
    }

    #[test]
    fn proxy_work_follows_istio_1_24_per_direction() {
        // 0.20 vCPU (sidecar) and 0.06 vCPU (ztunnel) per 1,000 requests/s: 200 and 60 µs
        // of CPU per request and its response; a frame is one direction.
        assert_eq!(of(PathKind::Istio, "sidecar").request_us, 200.0 / 2.0);
        assert_eq!(of(PathKind::Istio, "ambient").request_us, 60.0 / 2.0);
        assert_eq!(of(PathKind::Consul, "").request_us, 200.0 / 2.0);
    }

    #[test]
    fn linkerd_proxies_are_no_slower_and_no_costlier_than_envoy() {
        // Both Linkerd-vs-Istio benchmarks measure less added latency and less proxy CPU
        // for Linkerd; per proxy, the model must not say otherwise.
        let istio = of(PathKind::Istio, "sidecar");
        for variant in ["gateway", "flat"] {
            let l = of(PathKind::Linkerd, variant);
            let per = |ic: &Interconnect| ic.added_latency_us / ic.servers.len() as f64;
            assert!(per(&l) <= per(&istio) + 1e-9, "{variant}");
            assert!(l.request_us < istio.request_us, "{variant}");
            assert!(l.cpu_per_gbit < istio.cpu_per_gbit, "{variant}");
            // One frame through the idle proxies: Linkerd's below Istio's.
            let idle = |ic: &Interconnect| {
                ic.added_latency_us + ic.request_servers() as f64 * ic.request_us
            };
            assert!(idle(&l) < idle(&istio), "{variant}");
        }
    }

    #[test]
    fn daemonsets_are_paid_per_node_and_deployments_per_cluster() {
        // NSM (deployments-k8s, interdomain suite): forwarder-vpp 150m / 350 Mi, nsmgr
        // 200m / 100 Mi and its exclude-prefixes sidecar 75m / 40 Mi on every node.
        let nsm = of(PathKind::Nsm, "wireguard");
        let grow_mem = nsm.agent_memory_mib_for(20) - nsm.agent_memory_mib_for(1);
        let grow_cpu = nsm.agent_cpu_cores_for(20) - nsm.agent_cpu_cores_for(1);
        assert!((grow_mem - 19.0 * (350.0 + 100.0 + 40.0)).abs() < 1e-9);
        assert!((grow_cpu - 19.0 * (0.150 + 0.200 + 0.075)).abs() < 1e-9);
        // A one-node cluster pays its Deployments once: nsmgr-proxy 200m + map-ip-k8s 50m
        // + registry-k8s 100m + registry-proxy-dns 100m, plus one node.
        assert!((nsm.agent_cpu_cores_for(1) - (0.45 + 0.425)).abs() < 1e-9);
        // Consul's mesh gateway is a Deployment: the same on any cluster size.
        let consul = of(PathKind::Consul, "");
        assert_eq!(
            consul.agent_memory_mib_for(1),
            consul.agent_memory_mib_for(20)
        );
        // Cilium: the ClusterMesh share per node stays below the whole agent at rest
        // (0.15 % of 2 vCPU) and the 438 MiB agent at 50 k pods.
        let c = of(PathKind::CiliumClustermesh, "tunnel");
        assert!(c.agent_cpu_cores_per_node <= 0.0015 * 2.0);
        assert!(c.agent_memory_mib_for(1) < 438.0);
    }

    #[test]
    fn every_server_of_every_kind_says_how_it_is_shared() {
        let paths = PathsConfig::default();
        for kind in PathKind::ALL {
            let mut vs: Vec<&str> = crate::config::interconnect::variants(kind).to_vec();
            if vs.is_empty() {
                vs.push("");
            }
            for v in vs {
                let ic = if v.is_empty() {
                    Interconnect::of(kind, &paths)
                } else {
                    of(kind, v)
                };
                for (name, _) in &ic.servers {
                    assert!(Sharing::of_server(name).is_some(), "{kind:?}/{v}: {name}");
                }
            }
        }
        // A Liqo gateway is one per peering; Submariner's one per cluster.
        assert_eq!(Sharing::of_server("liqo-gateway"), Some(Sharing::Peering));
        assert_eq!(
            Sharing::of_server("submariner-gateway"),
            Some(Sharing::Cluster)
        );
    }

    #[test]
    fn a_topology_agent_figure_replaces_the_per_node_share() {
        let mut paths = PathsConfig::default();
        paths.nsm.agent_memory_mib = Some(500.0);
        let ic = Interconnect::of(PathKind::Nsm, &paths);
        assert_eq!(ic.agent_memory_mib_for(10), 500.0);
        // CPU, not set, keeps its sourced per-node share.
        assert!(ic.agent_cpu_cores_for(10) > ic.agent_cpu_cores_for(1));
    }
}
