//! NodePort: client -> route -> node IP:port (kube-proxy DNAT) -> optional second node
//! (SNAT) -> pod, from the topology's `[paths.nodeport]` (calibrated against the study,
//! `docs/calibration.md`).

use super::facts::{base, DataPath, Interconnect, Side};
use super::interconnect_kind::{Across, InterconnectKind};
use crate::base::units::ns_from_us;
use crate::config::kinds::PathKind;
use crate::config::topology::PathsConfig;
use crate::model::path::parts::{over, wan_hop, ETHERNET_FRAMING_BYTES};
use crate::model::path::{Hop, PathModel};

/// A Service on a node port of the receiving cluster.
pub struct Nodeport;

impl InterconnectKind for Nodeport {
    fn id(&self) -> PathKind {
        PathKind::Nodeport
    }

    fn facts(&self, paths: &PathsConfig) -> Interconnect {
        Interconnect {
            pod_mtu_bytes: paths.nodeport.mtu_bytes,
            servers: vec![("kube-proxy-dnat", Side::Dst)],
            added_latency_us: paths.nodeport.dnat_us_per_packet,
            max_gbps: 10.0,
            ..base(
                PathKind::Nodeport,
                "",
                DataPath::L3,
                "NodePort (topology [paths.nodeport])",
            )
        }
    }

    fn path(&self, paths: &PathsConfig, headers: u32, across: Across<'_>) -> Option<PathModel> {
        Some(node_port(paths, headers, across))
    }

    fn cross_cluster_scheduling(&self) -> bool {
        false
    }
}

/// Client -> route -> node IP:port (DNAT) -> optional second node (SNAT) -> pod.
fn node_port(params: &PathsConfig, headers: u32, across: Across<'_>) -> PathModel {
    let Across { route, dst, .. } = across;
    let p = &params.nodeport;
    let wire_bits = 8 * (p.mtu_bytes + ETHERNET_FRAMING_BYTES) as u64;
    let mut hops = vec![
        wan_hop(route, wire_bits),
        Hop {
            name: "kube-proxy-dnat",
            per_packet_ns: ns_from_us(p.dnat_us_per_packet),
            fixed_ns: 0,
            per_frame_ns: 0,
            cpu_ns_per_packet: ns_from_us(p.cpu_us_per_packet),
            cpu_cluster: Some(dst),
        },
    ];
    if p.extra_node_hop {
        hops.push(Hop {
            name: "extra-node-hop-snat",
            per_packet_ns: ns_from_us(p.extra_hop_us_per_packet),
            fixed_ns: 0,
            per_frame_ns: 0,
            cpu_ns_per_packet: 0,
            cpu_cluster: None,
        });
    }
    PathModel {
        payload_bytes_per_packet: p.mtu_bytes - headers,
        hops,
        wan_bits: wire_bits,
        ..over(PathKind::Nodeport, route)
    }
}
