//! The generic L7 sidecar mesh (Istio-like, two proxies per hop), from the topology's
//! `[paths.mesh]`; kept for contrast with the named meshes. TCP only.

use super::facts::{base, DataPath, Interconnect, Side};
use super::interconnect_kind::{Across, InterconnectKind};
use crate::base::units::{ns_from_ms, round_to_u64};
use crate::config::kinds::PathKind;
use crate::config::topology::PathsConfig;
use crate::model::path::parts::{over, wan_hop, ETHERNET_FRAMING_BYTES};
use crate::model::path::{Hop, PathModel};

/// A sidecar on each side of the inter-site link.
pub struct Mesh;

impl InterconnectKind for Mesh {
    fn id(&self) -> PathKind {
        PathKind::Mesh
    }

    fn facts(&self, paths: &PathsConfig) -> Interconnect {
        Interconnect {
            pod_mtu_bytes: paths.local.mtu_bytes,
            servers: vec![("sidecar", Side::Src), ("sidecar", Side::Dst)],
            added_latency_us: paths.mesh.sidecar_ms_per_hop * 1000.0,
            cpu_per_gbit: paths.mesh.sidecar_cpu_per_gbit,
            handshake_rtts: 2,
            ..base(
                PathKind::Mesh,
                "",
                DataPath::L7,
                "generic mesh (topology [paths.mesh])",
            )
        }
    }

    fn path(&self, paths: &PathsConfig, headers: u32, across: Across<'_>) -> Option<PathModel> {
        Some(sidecars(paths, headers, across))
    }

    fn cross_cluster_scheduling(&self) -> bool {
        false
    }
}

/// Pod -> sidecar -> route -> sidecar -> pod (TCP only; validation refuses UDP).
fn sidecars(params: &PathsConfig, headers: u32, across: Across<'_>) -> PathModel {
    let Across { route, src, dst } = across;
    let m = &params.mesh;
    let mtu = params.local.mtu_bytes;
    let wire_bits = 8 * (mtu + ETHERNET_FRAMING_BYTES) as u64;
    let proxy_ns = round_to_u64(wire_bits as f64 * m.sidecar_cpu_per_gbit);
    let sidecar = |cluster| Hop {
        name: "sidecar",
        per_packet_ns: proxy_ns,
        fixed_ns: ns_from_ms(m.sidecar_ms_per_hop / 2.0),
        per_frame_ns: 0,
        cpu_ns_per_packet: proxy_ns,
        cpu_cluster: Some(cluster),
    };
    PathModel {
        payload_bytes_per_packet: mtu - headers,
        hops: vec![sidecar(src), wan_hop(route, wire_bits), sidecar(dst)],
        wan_bits: wire_bits,
        ..over(PathKind::Mesh, route)
    }
}
