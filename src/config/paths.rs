//! The `[paths.*]` tables: those of the kinds with their own (`local`, `liqo`, `nodeport`,
//! `mesh`) and the one every named kind shares ([`InterconnectConfig`]: which variant
//! (cable driver, data plane, mode or routing) and, optionally, any of its sourced
//! defaults replaced by a measured value; the defaults live in each kind's file under
//! `model::interconnects`). Which kind has which table is declared in
//! [`super::path_kinds`]; the checks are in [`super::paths_check`].

use serde::{Deserialize, Serialize};

/// Pod-to-pod through the CNI (veth, bridge or overlay).
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LocalPathConfig {
    /// Link MTU, bytes.
    pub mtu_bytes: u32,
    /// CNI forwarding cost per packet, microseconds.
    pub cni_us_per_packet: f64,
    /// Node network link between a pod's node and an interconnect's gateway node, Gbit/s:
    /// the in-cluster legs (Liqo's Geneve tunnels to its gateway pod, Submariner's VXLAN
    /// legs to the active gateway) serialise their encapsulated packets on it. Estimate:
    /// a 10 GbE node NIC (the measured testbeds of docs/interconnect-sources.md use 25 and
    /// 100 GbE).
    pub node_link_gbps: f64,
}

impl Default for LocalPathConfig {
    fn default() -> Self {
        LocalPathConfig {
            mtu_bytes: 1450,
            cni_us_per_packet: 1.0,
            node_link_gbps: 10.0,
        }
    }
}

/// Liqo: pod -> Geneve to the local gateway -> WireGuard tunnel -> remote gateway -> pod.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LiqoPathConfig {
    /// Gateway (tunnel) MTU, bytes; Liqo's default is 1340.
    pub mtu_bytes: u32,
    /// WireGuard encapsulation per packet, bytes (60 IPv4, 80 IPv6).
    pub wireguard_overhead_bytes: u32,
    /// Geneve encapsulation on the pod-to-gateway leg, bytes (its packets are this much
    /// longer on the node link, `paths.local.node_link_gbps`).
    pub geneve_overhead_bytes: u32,
    /// CNI forwarding cost per packet on each in-cluster leg, microseconds.
    pub cni_us_per_packet: f64,
    /// Gateway CPU to encrypt or decrypt one Gbit, core-seconds per Gbit.
    pub gateway_cpu_per_gbit: f64,
    /// Cores the gateway pod can use for the tunnel.
    pub gateway_cores: f64,
    /// Fixed forwarding delay per gateway, microseconds.
    pub gateway_processing_us: f64,
    /// Liqo control plane CPU per peered cluster (controller manager, virtual kubelet,
    /// CRD replicator), cores.
    pub control_plane_cpu_cores: f64,
    /// Liqo control plane memory per peered cluster, MiB.
    pub control_plane_memory_mib: f64,
    /// Gateway pod memory per peered cluster, MiB.
    pub gateway_memory_mib: f64,
    /// New peering: authentication (identity and tenant exchange), s.
    pub peering_auth_s: f64,
    /// New peering: networking (gateway server/client, WireGuard handshake, routes), s.
    pub peering_network_s: f64,
    /// New peering: resource slice accepted and virtual node ready, s.
    pub virtual_node_s: f64,
    /// Namespace offloading: the twin namespace exists in the provider, s.
    pub offloading_s: f64,
    /// An offloaded pod scheduled on the virtual node runs in the provider, s.
    pub remote_pod_start_s: f64,
    /// Tunnel liveness check period, s (Liqo: 2 s).
    pub liveness_interval_s: f64,
    /// Missed checks before the tunnel is declared down (Liqo: 5).
    pub liveness_misses: u32,
    /// After a tunnel declared down gets its link back, time to re-handshake, s.
    pub tunnel_reconnect_s: f64,
}

impl LiqoPathConfig {
    /// A new peering until pods can be offloaded: authentication, networking, virtual
    /// node and namespace offloading, s.
    pub fn peering_s(&self) -> f64 {
        self.peering_auth_s + self.peering_network_s + self.virtual_node_s + self.offloading_s
    }

    /// Time from a lost link to the tunnel declared down: the liveness checks it misses, s.
    pub fn detection_s(&self) -> f64 {
        self.liveness_interval_s * self.liveness_misses as f64
    }
}

impl Default for LiqoPathConfig {
    /// WireGuard and Liqo docs; throughput figures are bare-metal benchmarks.
    fn default() -> Self {
        LiqoPathConfig {
            mtu_bytes: 1340,
            wireguard_overhead_bytes: 60,
            geneve_overhead_bytes: 50,
            cni_us_per_packet: 1.0,
            gateway_cpu_per_gbit: 0.4,
            gateway_cores: 1.0,
            gateway_processing_us: 20.0,
            control_plane_cpu_cores: 0.05,
            control_plane_memory_mib: 150.0,
            gateway_memory_mib: 40.0,
            peering_auth_s: 3.0,
            peering_network_s: 6.0,
            virtual_node_s: 4.0,
            offloading_s: 2.0,
            remote_pod_start_s: 8.0,
            liveness_interval_s: 2.0,
            liveness_misses: 5,
            tunnel_reconnect_s: 1.0,
        }
    }
}

/// NodePort: client -> node IP:port -> kube-proxy DNAT (-> second node with SNAT) -> pod.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NodePortPathConfig {
    /// Node network MTU, bytes.
    pub mtu_bytes: u32,
    /// Netfilter DNAT and conntrack per packet on the ingress node, microseconds.
    pub dnat_us_per_packet: f64,
    /// The service's pod is on another node than the one addressed
    /// (externalTrafficPolicy=Cluster), so packets take one more node hop and SNAT.
    pub extra_node_hop: bool,
    /// Cost per packet of the extra node hop (SNAT, re-encapsulation and the second pass
    /// through the tenant network), microseconds.
    pub extra_hop_us_per_packet: f64,
    /// CPU of the ingress node per packet (softirq), core-microseconds.
    pub cpu_us_per_packet: f64,
}

impl Default for NodePortPathConfig {
    fn default() -> Self {
        NodePortPathConfig {
            mtu_bytes: 1500,
            dnat_us_per_packet: 2.0,
            extra_node_hop: true,
            extra_hop_us_per_packet: 10.0,
            cpu_us_per_packet: 5.0,
        }
    }
}

/// L7 sidecar mesh (Istio-like): two proxies per hop.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct MeshPathConfig {
    /// Added latency per proxied hop, ms (Istio benchmarks: about 2.7-2.9 ms at p90).
    pub sidecar_ms_per_hop: f64,
    /// Proxy CPU per Gbit, core-seconds per Gbit.
    pub sidecar_cpu_per_gbit: f64,
}

impl Default for MeshPathConfig {
    fn default() -> Self {
        MeshPathConfig {
            sidecar_ms_per_hop: 2.8,
            sidecar_cpu_per_gbit: 1.0,
        }
    }
}

/// One interconnect kind's settings; every field may be left out.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct InterconnectConfig {
    /// Variant of the kind (see [`variants`]); empty: the kind's default variant.
    pub variant: String,
    /// Added one-way latency of one traversal at low load, microseconds.
    pub added_latency_us: Option<f64>,
    /// Throughput one gateway, proxy or tunnel can carry, Gbit/s.
    pub max_gbps: Option<f64>,
    /// CPU per Gbit/s carried, per side, core-seconds per Gbit.
    pub cpu_per_gbit: Option<f64>,
    /// Time each proxy is busy per request (frame) before its packets, microseconds.
    pub request_us: Option<f64>,
    /// Setting up the interconnect between two clusters (peering, link, discovery), s.
    pub setup_s: Option<f64>,
    /// Time to notice that the remote side is gone, s.
    pub failure_detection_s: Option<f64>,
    /// CPU of the interconnect's agents (gateways, proxies, control plane) per cluster
    /// at rest, cores.
    pub agent_cpu_cores: Option<f64>,
    /// Memory of those agents per cluster, MiB.
    pub agent_memory_mib: Option<f64>,
}
