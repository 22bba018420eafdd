//! The pieces every kind's path is built from: the inter-site link as a hop, the
//! route-given fields of a path, an in-cluster leg to a gateway node, and the unit
//! conversions they share. Each kind's file under `model::interconnects` puts them
//! together in its own order.

use super::{Hop, PathModel, WAN_HOP};
use crate::base::units::{ns_from_ms, ns_from_us, round_to_u64};
use crate::config::experiment::{PathKind, Protocol};
use crate::config::topology::PathsConfig;
use crate::model::topology::Route;

/// IPv4 + TCP with timestamps, bytes.
const TCP_HEADER_BYTES: u32 = 52;
/// IPv4 + UDP + RTP, bytes.
const UDP_RTP_HEADER_BYTES: u32 = 40;
/// Ethernet framing on the wire (header, FCS, preamble, gap), bytes.
pub const ETHERNET_FRAMING_BYTES: u32 = 38;

/// Header bytes of one packet of a flow of `protocol`.
pub fn header_bytes(protocol: Protocol) -> u32 {
    match protocol {
        Protocol::Tcp => TCP_HEADER_BYTES,
        Protocol::Udp => UDP_RTP_HEADER_BYTES,
    }
}

/// Nanoseconds to put `bits` on a link of `gbps`.
pub fn serialization_ns(bits: u64, gbps: f64) -> u64 {
    round_to_u64(bits as f64 / gbps)
}

/// One packet on an in-cluster leg to a gateway node, ns: the CNI's forwarding cost
/// plus putting the encapsulated packet (`packet_bytes` before Ethernet framing) on the
/// node link.
pub fn leg_packet_ns(params: &PathsConfig, cni_us: f64, packet_bytes: u32) -> u64 {
    let bits = 8 * (packet_bytes + ETHERNET_FRAMING_BYTES) as u64;
    ns_from_us(cni_us) + serialization_ns(bits, params.local.node_link_gbps)
}

/// The inter-site link as a hop serialising packets of `wire_bits` at the route's
/// bandwidth.
pub fn wan_hop(route: &Route, wire_bits: u64) -> Hop {
    Hop {
        name: WAN_HOP,
        per_packet_ns: serialization_ns(wire_bits, route.bandwidth_gbps),
        fixed_ns: 0,
        per_frame_ns: 0,
        cpu_ns_per_packet: 0,
        cpu_cluster: None,
    }
}

/// The route-given fields of a cross-cluster path of `kind`; callers fill payload, hops and
/// wire bits.
pub fn over(kind: PathKind, route: &Route) -> PathModel {
    PathModel {
        kind,
        payload_bytes_per_packet: 1,
        hops: Vec::new(),
        propagation_ns: ns_from_ms(route.rtt_ms / 2.0),
        jitter_sd_ns: ns_from_ms(route.jitter_ms),
        rtt_ns: ns_from_ms(route.rtt_ms),
        packet_loss: route.loss_pct / 100.0,
        background: None,
        wan_bits: 0,
    }
}
