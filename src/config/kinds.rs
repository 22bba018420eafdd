//! Enums shared by the experiment, session and plan settings (fidelity, transport, path
//! kind, peering mode), in one place so those files need not import each other.

use serde::{Deserialize, Serialize};

/// Level of detail of a run.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Fidelity {
    /// Every frame is an event chain through components and links.
    #[default]
    Frame,
    /// Closed-form latency of each frame position at the steady load (same path and
    /// contention formulas, no event per frame).
    Flow,
}

/// Transport protocol of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    /// TCP (RTMP, HTTP, RTSP interleaved).
    Tcp,
    /// UDP (RTP, SRT, WebRTC media).
    Udp,
}

/// Path kind used by flows that cross clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PathKind {
    /// Same cluster through the CNI.
    Local,
    /// Liqo WireGuard tunnel between gateways.
    Liqo,
    /// Service on a node port.
    Nodeport,
    /// Generic L7 sidecar mesh (refuses UDP); kept for contrast with the named meshes.
    Mesh,
    /// Submariner: an L3 cable (IPsec, WireGuard or VXLAN) between active gateway nodes.
    Submariner,
    /// Skupper: an L7 application network of routers (refuses UDP).
    Skupper,
    /// Istio multi-cluster through east-west gateways (sidecar or ambient; refuses UDP).
    Istio,
    /// Linkerd multi-cluster (gateway or flat mode; refuses UDP).
    Linkerd,
    /// Consul service mesh through mesh gateways (refuses UDP).
    Consul,
    /// Cilium ClusterMesh: node to node, tunnel or native routing, optional encryption.
    CiliumClustermesh,
    /// Network Service Mesh: an L2/L3 vWire per connection between forwarders.
    Nsm,
}

impl PathKind {
    /// Every kind, in the order of the study's comparison (for listings and help).
    pub const ALL: [PathKind; 11] = [
        PathKind::Local,
        PathKind::Liqo,
        PathKind::Nodeport,
        PathKind::Mesh,
        PathKind::Submariner,
        PathKind::Skupper,
        PathKind::Istio,
        PathKind::Linkerd,
        PathKind::Consul,
        PathKind::CiliumClustermesh,
        PathKind::Nsm,
    ];

    /// The kinds a flow between clusters may use (all but `local`), comma-separated, for
    /// messages.
    pub fn cross_names() -> String {
        let names: Vec<&str> = PathKind::ALL[1..].iter().map(|k| k.name()).collect();
        names.join(", ")
    }

    /// The name used in experiment files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            PathKind::Local => "local",
            PathKind::Liqo => "liqo",
            PathKind::Nodeport => "nodeport",
            PathKind::Mesh => "mesh",
            PathKind::Submariner => "submariner",
            PathKind::Skupper => "skupper",
            PathKind::Istio => "istio",
            PathKind::Linkerd => "linkerd",
            PathKind::Consul => "consul",
            PathKind::CiliumClustermesh => "cilium-clustermesh",
            PathKind::Nsm => "nsm",
        }
    }

    /// Why this kind cannot carry a UDP flow between clusters, or `None` if it can. L7
    /// proxies terminate TCP (or HTTP) and have no UDP listener; sources in
    /// `docs/interconnects.md` (Skupper v2 listeners are TCP only; Istio's east-west
    /// gateway passes TLS by SNI; Linkerd proxies TCP only; Consul: hashicorp/consul#9037).
    pub fn udp_refusal(self) -> Option<&'static str> {
        match self {
            PathKind::Mesh => Some("an L7 sidecar mesh proxies TCP only"),
            PathKind::Skupper => Some("Skupper's routers carry TCP (and HTTP) only"),
            PathKind::Istio => {
                Some("Istio's sidecars and east-west gateway (SNI passthrough) carry TCP only")
            }
            PathKind::Linkerd => Some("Linkerd's proxies and gateway carry TCP only"),
            PathKind::Consul => {
                Some("Consul's Envoy sidecars and mesh gateways carry TCP only (consul#9037)")
            }
            _ => None,
        }
    }

    /// Whether a component can be placed or moved onto another cluster at run time through
    /// this kind: only Liqo gives one scheduling surface (the remote cluster is a virtual
    /// node; NamespaceOffloading, liqo docs `features/offloading.md`). The others connect
    /// workloads that were deployed in each cluster beforehand.
    pub fn cross_cluster_scheduling(self) -> bool {
        matches!(self, PathKind::Liqo)
    }
}

/// When the scenario's Liqo peerings come to exist.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum PeeringMode {
    /// Already peered and offloaded: the stream starts at time zero.
    #[default]
    Established,
    /// Peer, offload the namespace and start the remote pods first; the stream starts
    /// when they run.
    OnDemand,
}
