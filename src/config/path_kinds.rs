//! The interconnect kinds as files name them: one entry per kind declares its name in
//! `cross_cluster_path`, its `[paths.<table>]` table and the two facts validation needs
//! before any model exists (the variants a table may name, and why the kind cannot carry
//! UDP). Everything else a kind is (its sourced facts, its path, its control plane) lives
//! in its own file under `src/model/interconnects/`.
//!
//! This list is in the config layer because files are parsed and checked here, below the
//! model: the serde names, the JSON Schema and the error messages come from it. A new kind
//! is one entry here, its own file in `src/model/interconnects/` and one line of the
//! registry there (`docs/interconnects.md`, "Adding a kind").

use super::paths::{
    InterconnectConfig, LiqoPathConfig, LocalPathConfig, MeshPathConfig, NodePortPathConfig,
};
use serde::{Deserialize, Serialize};

/// Declares [`PathKind`] (with `ALL`, `name`, `udp_refusal` and `variants`) and
/// [`PathsConfig`] (a table per kind, with `interconnect`) from one list: the kinds with
/// their own typed table (`own`), then the named kinds sharing [`InterconnectConfig`].
macro_rules! path_kinds {
    (
        own { $(
            $(#[doc = $doc:literal])*
            $own:ident = $own_name:literal,
            table $own_table:ident: $own_ty:ty = $own_table_doc:literal,
            udp: $own_udp:expr;
        )* }
        named { $(
            $(#[doc = $ndoc:literal])*
            $named:ident = $named_name:literal,
            table $named_table:ident = $named_table_doc:literal,
            variants: [$($variant:literal),*],
            udp: $named_udp:expr;
        )* }
    ) => {
        /// Path kind used by flows that cross clusters.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
        pub enum PathKind {
            $( $(#[doc = $doc])* #[serde(rename = $own_name)] $own, )*
            $( $(#[doc = $ndoc])* #[serde(rename = $named_name)] $named, )*
        }

        impl PathKind {
            /// Every kind, in the order of the study's comparison (for listings and help).
            pub const ALL: [PathKind; [$($own_name,)* $($named_name,)*].len()] =
                [$(PathKind::$own,)* $(PathKind::$named,)*];

            /// The name used in experiment files and outputs.
            pub fn name(self) -> &'static str {
                match self {
                    $(PathKind::$own => $own_name,)*
                    $(PathKind::$named => $named_name,)*
                }
            }

            /// Why this kind cannot carry a UDP flow between clusters, or `None` if it can.
            /// L7 proxies terminate TCP (or HTTP) and have no UDP listener; sources in
            /// `docs/interconnects.md` (Skupper v2 listeners are TCP only; Istio's east-west
            /// gateway passes TLS by SNI; Linkerd proxies TCP only; Consul:
            /// hashicorp/consul#9037).
            pub fn udp_refusal(self) -> Option<&'static str> {
                match self {
                    $(PathKind::$own => $own_udp,)*
                    $(PathKind::$named => $named_udp,)*
                }
            }

            /// The variants of a named kind's `[paths.<table>]`, its default first (empty
            /// for kinds without variants and for the kinds with their own tables).
            pub fn variants(self) -> &'static [&'static str] {
                match self {
                    $(PathKind::$own => &[],)*
                    $(PathKind::$named => &[$($variant),*],)*
                }
            }
        }

        /// Parameters of each path kind.
        #[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields, default)]
        pub struct PathsConfig {
            $( #[doc = $own_table_doc] pub $own_table: $own_ty, )*
            $( #[doc = $named_table_doc] pub $named_table: InterconnectConfig, )*
        }

        impl PathsConfig {
            /// The settings of a named interconnect kind with its table name, or `None` for
            /// the kinds with their own tables (`local`, `liqo`, `nodeport`, `mesh`).
            pub fn interconnect(
                &self,
                kind: PathKind,
            ) -> Option<(&'static str, &InterconnectConfig)> {
                match kind {
                    $(PathKind::$own => None,)*
                    $(PathKind::$named => Some((stringify!($named_table), &self.$named_table)),)*
                }
            }

            /// Mutable access to a named kind's settings (for comparisons that set a
            /// variant).
            pub fn interconnect_mut(&mut self, kind: PathKind) -> Option<&mut InterconnectConfig> {
                match kind {
                    $(PathKind::$own => None,)*
                    $(PathKind::$named => Some(&mut self.$named_table),)*
                }
            }
        }
    };
}

path_kinds! {
    own {
        /// Same cluster through the CNI.
        Local = "local",
        table local: LocalPathConfig = "Same-cluster pod-to-pod path.",
        udp: None;

        /// Liqo WireGuard tunnel between gateways.
        Liqo = "liqo",
        table liqo: LiqoPathConfig = "Liqo WireGuard tunnel between cluster gateways.",
        udp: None;

        /// Service on a node port.
        Nodeport = "nodeport",
        table nodeport: NodePortPathConfig = "Service exposed on a node port.",
        udp: None;

        /// Generic L7 sidecar mesh (refuses UDP); kept for contrast with the named meshes.
        Mesh = "mesh",
        table mesh: MeshPathConfig = "L7 sidecar mesh (for contrast; refuses UDP).",
        udp: Some("an L7 sidecar mesh proxies TCP only");
    }
    named {
        /// Submariner: an L3 cable (IPsec, WireGuard or VXLAN) between active gateway nodes.
        Submariner = "submariner",
        table submariner = "Submariner (variant: cable driver `ipsec`, `wireguard` or `vxlan`).",
        variants: ["ipsec", "wireguard", "vxlan"],
        udp: None;

        /// Skupper: an L7 application network of routers (refuses UDP).
        Skupper = "skupper",
        table skupper = "Skupper (no variants).",
        variants: [],
        udp: Some("Skupper's routers carry TCP (and HTTP) only");

        /// Istio multi-cluster through east-west gateways (sidecar or ambient; refuses UDP).
        Istio = "istio",
        table istio = "Istio multi-cluster (variant: data plane `sidecar` or `ambient`).",
        variants: ["sidecar", "ambient"],
        udp: Some("Istio's sidecars and east-west gateway (SNI passthrough) carry TCP only");

        /// Linkerd multi-cluster (gateway or flat mode; refuses UDP).
        Linkerd = "linkerd",
        table linkerd = "Linkerd multi-cluster (variant: `gateway` or `flat`).",
        variants: ["gateway", "flat"],
        udp: Some("Linkerd's proxies and gateway carry TCP only");

        /// Consul service mesh through mesh gateways (refuses UDP).
        Consul = "consul",
        table consul = "Consul mesh gateways (no variants).",
        variants: [],
        udp: Some("Consul's Envoy sidecars and mesh gateways carry TCP only (consul#9037)");

        /// Cilium ClusterMesh: node to node, tunnel or native routing, optional encryption.
        CiliumClustermesh = "cilium-clustermesh",
        table cilium_clustermesh =
            "Cilium ClusterMesh (variant: `tunnel`, `native`, `wireguard` or `ipsec`).",
        variants: ["tunnel", "native", "wireguard", "ipsec"],
        udp: None;

        /// Network Service Mesh: an L2/L3 vWire per connection between forwarders.
        Nsm = "nsm",
        table nsm = "Network Service Mesh (variant: vWire `wireguard`, `vxlan` or `ipsec`).",
        variants: ["wireguard", "vxlan", "ipsec"],
        udp: None;
    }
}

impl PathKind {
    /// The kinds a flow between clusters may use (all but `local`), comma-separated, for
    /// messages.
    pub fn cross_names() -> String {
        let names: Vec<&str> = PathKind::ALL[1..].iter().map(|k| k.name()).collect();
        names.join(", ")
    }
}
