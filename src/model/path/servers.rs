//! The path of a kind described by its facts alone (the named kinds: Submariner, Skupper,
//! Istio, Linkerd, Consul, Cilium ClusterMesh, NSM): optional in-cluster legs, its servers
//! on each side and the inter-site link between the sides.

use super::parts::ETHERNET_FRAMING_BYTES;
use super::parts::{leg_packet_ns, over, serialization_ns, wan_hop};
use super::{Hop, PathModel};
use crate::base::units::{ns_from_us, round_to_u64};
use crate::config::topology::PathsConfig;
use crate::model::interconnects::facts::{Interconnect, Side};
use crate::model::interconnects::interconnect_kind::Across;

/// A named interconnect: optional in-cluster legs to the gateway nodes, its servers on
/// each side (each serves packets at `max_gbps` and, for L7 proxies, spends `request_us`
/// per frame first, but for the passthrough gateways), and the inter-site link between
/// the sides.
pub fn through_servers(
    ic: &Interconnect,
    params: &PathsConfig,
    headers: u32,
    across: Across<'_>,
) -> PathModel {
    let Across { route, src, dst } = across;
    let wire_bits = 8 * (ic.pod_mtu_bytes + ic.overhead_bytes + ETHERNET_FRAMING_BYTES) as u64;
    let servers = ic.servers.len().max(1) as f64;
    let server = |(name, side): (&'static str, Side)| Hop {
        name,
        per_packet_ns: serialization_ns(wire_bits, ic.max_gbps),
        fixed_ns: ns_from_us(ic.added_latency_us / servers),
        per_frame_ns: if ic.passthrough.contains(&name) {
            0
        } else {
            ns_from_us(ic.request_us)
        },
        cpu_ns_per_packet: round_to_u64(wire_bits as f64 * ic.cpu_per_gbit),
        cpu_cluster: Some(if side == Side::Src { src } else { dst }),
    };
    let leg = Hop {
        name: "gateway-leg",
        per_packet_ns: leg_packet_ns(
            params,
            params.local.cni_us_per_packet,
            ic.pod_mtu_bytes + ic.leg_overhead_bytes,
        ),
        fixed_ns: 0,
        per_frame_ns: 0,
        cpu_ns_per_packet: 0,
        cpu_cluster: None,
    };
    let legs = ic.leg_overhead_bytes > 0;
    let mut hops = Vec::with_capacity(ic.servers.len() + 3);
    if legs {
        hops.push(leg.clone());
    }
    hops.extend(
        ic.servers
            .iter()
            .filter(|s| s.1 == Side::Src)
            .map(|&s| server(s)),
    );
    hops.push(wan_hop(route, wire_bits));
    hops.extend(
        ic.servers
            .iter()
            .filter(|s| s.1 == Side::Dst)
            .map(|&s| server(s)),
    );
    if legs {
        hops.push(leg);
    }
    PathModel {
        payload_bytes_per_packet: ic.pod_mtu_bytes - headers,
        hops,
        wan_bits: wire_bits,
        ..over(ic.kind, route)
    }
}
