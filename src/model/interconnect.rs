//! The interconnect kinds the study weighs, as data: what each one's data path is made of
//! (gateways, node agents or proxies, each a packet server with a throughput limit and a
//! queue), what it costs and what it offers. Every default cites its label and section of
//! `docs/interconnect-sources.md` (tabled in `docs/interconnects.md`), which gives the
//! original source of each figure and marks it measured (M), documented default (D),
//! derived from measurements (Dv) or estimate (E, with the note number).
//! `liqo`, `nodeport`, `local` and the generic `mesh` keep their own calibrated builders
//! in [`super::path`]; their facts for comparisons come from [`Interconnect::of`] too.

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
    /// Added one-way latency of one traversal at low load, spread over the servers, µs.
    pub added_latency_us: f64,
    /// Throughput one server (gateway, tunnel, proxy connection) carries, Gbit/s.
    pub max_gbps: f64,
    /// CPU per Gbit/s carried, per side, core-seconds per Gbit.
    pub cpu_per_gbit: f64,
    /// Time each server is busy per frame (request) before its packets, µs (L7 proxies).
    pub request_us: f64,
    /// Setting up the interconnect between two clusters, s.
    pub setup_s: f64,
    /// Round trips a new connection needs before its first byte (TCP, TLS), over the route.
    pub handshake_rtts: u32,
    /// Time to notice the remote side is gone, s.
    pub failure_detection_s: f64,
    /// Agent CPU per cluster at rest, cores.
    pub agent_cpu_cores: f64,
    /// Agent memory per cluster, MiB.
    pub agent_memory_mib: f64,
    /// Where the defaults come from (section of `docs/interconnect-sources.md`, or the
    /// topology table for the kinds with their own).
    pub source: &'static str,
}

impl Interconnect {
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
        set(&mut self.agent_cpu_cores, cfg.agent_cpu_cores);
        set(&mut self.agent_memory_mib, cfg.agent_memory_mib);
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
        setup_s: 0.0,
        handshake_rtts: 1,
        failure_detection_s: 0.0,
        agent_cpu_cores: 0.0,
        agent_memory_mib: 0.0,
        source,
    }
}

/// The sourced defaults of a named kind's variant (`docs/interconnects.md`, table
/// "Parameters"; M measured, D default, Dv derived, E estimate).
fn named(kind: PathKind, variant: &str) -> Interconnect {
    match kind {
        PathKind::Submariner => submariner(variant),
        PathKind::Skupper => Interconnect {
            overhead_bytes: 0,   // E: AMQP frames and TLS records, 0.5-2 % of bytes
            pod_mtu_bytes: 1450, // TCP stream: the CNI's MTU
            servers: vec![("skupper-router", Side::Src), ("skupper-router", Side::Dst)],
            added_latency_us: 242.0,  // M: ICPE'25, 64 B request-response
            max_gbps: 4.2,            // M: ICPE'25, one TCP connection
            cpu_per_gbit: 0.55,       // Dv: ICPE'25 CPU sheet
            request_us: 50.0,         // E: router work per message
            setup_s: 10.0,            // E: router pods and link; not found
            failure_detection_s: 3.0, // D: HELLO 1 s, neighbour lost after 3 s
            agent_cpu_cores: 0.1,     // E: routers ship without requests
            agent_memory_mib: 100.0,  // E
            ..base(
                kind,
                variant,
                DataPath::L7,
                "interconnect-sources.md §3 Skupper",
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
            added_latency_us: 176.0, // E12: two Envoys as Istio's (38 µs each) + 2 x 50 µs SNI gateways
            max_gbps: 8.6,           // E12: Envoy per connection, as Istio (M)
            cpu_per_gbit: 0.5,       // E12
            request_us: 250.0,       // E12: Envoy 0.5 vCPU per 1000 req/s on 2 workers (D, Istio)
            setup_s: 15.0,           // E: not found
            handshake_rtts: 2,       // TCP + TLS 1.3 (mTLS to the remote sidecar)
            failure_detection_s: 30.0, // Dv: memberlist WAN profile
            agent_cpu_cores: 0.1,    // D: mesh gateway requests 100m
            agent_memory_mib: 100.0, // D: 100 Mi
            ..base(
                kind,
                variant,
                DataPath::L7,
                "interconnect-sources.md §8 Consul",
            )
        },
        PathKind::CiliumClustermesh => cilium(variant),
        PathKind::Nsm => nsm(variant),
        _ => unreachable!("kinds with their own tables are built by own_table"),
    }
}

fn submariner(variant: &str) -> Interconnect {
    let common = Interconnect {
        leg_overhead_bytes: 50, // D: vx-submariner VXLAN to the gateway node
        servers: gateway_pair("submariner-gateway"),
        setup_s: 30.0,            // E5: gateway start, Broker sync, IKE; not found
        failure_detection_s: 5.0, // D: health check 1 s x 5
        agent_cpu_cores: 0.05,    // E: not found
        agent_memory_mib: 66.0,   // M: gateway 49 MB + pluto 17 MB RSS
        ..base(
            PathKind::Submariner,
            variant,
            DataPath::L3,
            "interconnect-sources.md §2 Submariner",
        )
    };
    match variant {
        "wireguard" => Interconnect {
            overhead_bytes: 60, // D: WireGuard over IPv4
            pod_mtu_bytes: 1440,
            added_latency_us: 110.0, // E6
            max_gbps: 2.1, // Dv: IPsec's 2.6 x the 0.8/1.0 WireGuard/IPsec ratio on GCP (M)
            cpu_per_gbit: 0.85, // Dv: 2.1 x IPsec (submariner#1509)
            ..common
        },
        "vxlan" => Interconnect {
            overhead_bytes: 50, // D: pkg/vxlan MTUOverhead
            pod_mtu_bytes: 1450,
            added_latency_us: 90.0, // E6
            max_gbps: 9.9, // Dv: 44 % of the 22.5 Gbit/s NIC non-gateway to non-gateway (M)
            cpu_per_gbit: 0.1, // E7
            ..common
        },
        _ => Interconnect {
            overhead_bytes: 62, // D: ExpectedIPSECOverhead (NAT-T ESP)
            pod_mtu_bytes: 1438,
            added_latency_us: 99.0, // M: ICPE'25, 64 B request-response
            max_gbps: 2.6,          // M: ICPE'25, one core per SA
            cpu_per_gbit: 0.41,     // Dv: ICPE'25 CPU sheet
            ..common
        },
    }
}

fn istio(variant: &str) -> Interconnect {
    let common = Interconnect {
        pod_mtu_bytes: 1450,
        max_gbps: 8.6,             // M: ICPE'25, one connection
        setup_s: 15.0,             // E: remote secrets and endpoint discovery; not found
        handshake_rtts: 2,         // TCP + TLS 1.3 through the SNI-passthrough gateway
        failure_detection_s: 10.0, // D: proxy TCP connect timeout
        agent_cpu_cores: 0.11,     // D: east-west gateway 100m + M: istiod +1 % core per remote
        agent_memory_mib: 308.0,   // D: 128 Mi + M: istiod +180 MB per remote
        ..base(
            PathKind::Istio,
            variant,
            DataPath::L7,
            "interconnect-sources.md §4 Istio",
        )
    };
    match variant {
        "ambient" => Interconnect {
            servers: vec![
                ("ztunnel", Side::Src),
                ("east-west-gateway", Side::Dst),
                ("ztunnel", Side::Dst),
            ],
            added_latency_us: 130.0, // M: +0.13 ms per request on warm connections
            cpu_per_gbit: 0.2,       // Dv: lower end of the L4 path
            request_us: 60.0,        // D: ztunnel 0.06 vCPU per 1000 req/s
            ..common
        },
        _ => Interconnect {
            servers: vec![
                ("envoy-sidecar", Side::Src),
                ("east-west-gateway", Side::Dst),
                ("envoy-sidecar", Side::Dst),
            ],
            added_latency_us: 114.0, // M: ICPE'25, 64 B request-response
            cpu_per_gbit: 0.5,       // Dv: ICPE'25, 0.21-0.79
            request_us: 250.0,       // D: Envoy 0.5 vCPU per 1000 req/s on 2 workers
            ..common
        },
    }
}

fn linkerd(variant: &str) -> Interconnect {
    let common = Interconnect {
        pod_mtu_bytes: 1450,
        max_gbps: 5.0,     // E: not found; within the measured L7 range (4.2-8.6)
        request_us: 100.0, // E9
        setup_s: 15.0,     // E: service mirroring; not found
        handshake_rtts: 2, // TCP + TLS (mTLS between proxies)
        failure_detection_s: 9.0, // D: gateway probe 3 s x 3
        agent_cpu_cores: 0.1, // E: gateway, 1 replica (D)
        agent_memory_mib: 26.0, // M: proxy 26 MB max
        ..base(
            PathKind::Linkerd,
            variant,
            DataPath::L7,
            "interconnect-sources.md §5 Linkerd",
        )
    };
    match variant {
        "flat" => Interconnect {
            servers: vec![("linkerd-proxy", Side::Src), ("linkerd-proxy", Side::Dst)],
            added_latency_us: 1000.0, // E9: proxy pair +1 ms median at 1000 req/s
            cpu_per_gbit: 0.2,        // E9
            ..common
        },
        _ => Interconnect {
            servers: vec![
                ("linkerd-proxy", Side::Src),
                ("linkerd-gateway", Side::Dst),
                ("linkerd-proxy", Side::Dst),
            ],
            added_latency_us: 1500.0, // E9: about 0.5 ms per proxy traversal
            cpu_per_gbit: 0.3,        // E9
            ..common
        },
    }
}

fn cilium(variant: &str) -> Interconnect {
    let common = Interconnect {
        servers: vec![("cilium-node", Side::Src), ("cilium-node", Side::Dst)],
        setup_s: 77.0,             // D: the ClusterMesh doc's example
        failure_detection_s: 40.0, // D: node-monitor-grace-period
        agent_cpu_cores: 0.07,     // M: 3.4 % of 2 vCPU
        agent_memory_mib: 438.0,   // M: agent at 50 k pods (an upper figure)
        ..base(
            PathKind::CiliumClustermesh,
            variant,
            DataPath::L3,
            "interconnect-sources.md §6 Cilium",
        )
    };
    match variant {
        "native" => Interconnect {
            overhead_bytes: 0, // D: routed, no encapsulation
            pod_mtu_bytes: 1500,
            added_latency_us: 1.0, // M: eBPF vs node to node
            max_gbps: 42.0,        // M: one flow, direct routing
            cpu_per_gbit: 0.01,    // E
            ..common
        },
        "wireguard" => Interconnect {
            overhead_bytes: 80, // D: Cilium's WireGuard accounting
            pod_mtu_bytes: 1420,
            added_latency_us: 20.0, // Dv: TCP_RR with WireGuard
            max_gbps: 4.7,          // M: one flow at MTU 1500
            cpu_per_gbit: 0.75,     // Dv: 0.62-0.92 hardware threads
            ..common
        },
        "ipsec" => Interconnect {
            overhead_bytes: 77, // D: Cilium's IPsec accounting
            pod_mtu_bytes: 1423,
            added_latency_us: 8.0, // Dv: TCP_RR with IPsec
            max_gbps: 3.4,         // M: one flow at MTU 1500, one core per tunnel
            cpu_per_gbit: 0.38,    // Dv: 0.36-0.40 hardware threads
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

fn nsm(variant: &str) -> Interconnect {
    let common = Interconnect {
        servers: gateway_pair("forwarder-vpp"),
        added_latency_us: 50.0,   // E11: two user-space forwarders
        cpu_per_gbit: 0.5,        // E11: like WireGuard
        setup_s: 3.0,             // E11: 1-5 s vWire request (timeout 15 s, D)
        failure_detection_s: 1.2, // Dv: liveness 200 ms, timeout 1 s
        agent_cpu_cores: 0.65,    // D: requests of forwarder, nsmgr, nsmgr-proxy, registry
        agent_memory_mib: 650.0,  // D: same
        ..base(
            PathKind::Nsm,
            variant,
            DataPath::L3,
            "interconnect-sources.md §7 NSM",
        )
    };
    match variant {
        "vxlan" => Interconnect {
            overhead_bytes: 54,  // D
            pod_mtu_bytes: 1446, // D
            max_gbps: 10.0,      // E: unencrypted; not found
            cpu_per_gbit: 0.1,   // E
            ..common
        },
        "ipsec" => Interconnect {
            overhead_bytes: 81,  // D
            pod_mtu_bytes: 1419, // D
            max_gbps: 2.6,       // E: one core per SA, as Submariner (M)
            ..common
        },
        _ => Interconnect {
            overhead_bytes: 60,  // D
            pod_mtu_bytes: 1440, // D
            max_gbps: 3.0,       // E: one WireGuard flow, 2.3-4.7 Gbit/s (M)
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
