//! Liqo: pod -> Geneve -> gateway (WireGuard) -> route -> gateway -> Geneve -> pod, from
//! the topology's `[paths.liqo]` (calibrated against the study, `docs/calibration.md`).
//! The only kind that gives one scheduling surface across clusters.

use super::facts::{base, gateway_pair, DataPath, Interconnect};
use super::interconnect_kind::{Across, InterconnectKind};
use crate::base::units::{ns_from_us, round_to_u64};
use crate::config::kinds::PathKind;
use crate::config::topology::PathsConfig;
use crate::model::path::parts::{leg_packet_ns, over, wan_hop, ETHERNET_FRAMING_BYTES};
use crate::model::path::{Hop, PathModel};

/// Liqo's WireGuard tunnel between cluster gateways and its offloading.
pub struct Liqo;

impl InterconnectKind for Liqo {
    fn id(&self) -> PathKind {
        PathKind::Liqo
    }

    fn facts(&self, paths: &PathsConfig) -> Interconnect {
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
            ..base(
                PathKind::Liqo,
                "",
                DataPath::L3,
                "Liqo (topology [paths.liqo])",
            )
        }
    }

    fn path(&self, paths: &PathsConfig, headers: u32, across: Across<'_>) -> Option<PathModel> {
        Some(tunnel(paths, headers, across))
    }

    /// The remote cluster is a virtual node (NamespaceOffloading, liqo docs
    /// `features/offloading.md`): components are placed and moved there at run time.
    fn cross_cluster_scheduling(&self) -> bool {
        true
    }
}

/// Pod -> Geneve -> gateway (WireGuard) -> route -> gateway -> Geneve -> pod.
fn tunnel(params: &PathsConfig, headers: u32, across: Across<'_>) -> PathModel {
    let Across { route, src, dst } = across;
    let p = &params.liqo;
    let wire_bits = 8 * (p.mtu_bytes + p.wireguard_overhead_bytes + ETHERNET_FRAMING_BYTES) as u64;
    // core-seconds per Gbit = ns of one core per bit.
    let crypto_ns = round_to_u64(wire_bits as f64 * p.gateway_cpu_per_gbit);
    let gateway = |cluster| Hop {
        name: "liqo-gateway",
        per_packet_ns: round_to_u64(crypto_ns as f64 / p.gateway_cores),
        fixed_ns: ns_from_us(p.gateway_processing_us),
        per_frame_ns: 0,
        cpu_ns_per_packet: crypto_ns,
        cpu_cluster: Some(cluster),
    };
    let geneve = Hop {
        name: "geneve-leg",
        per_packet_ns: leg_packet_ns(
            params,
            p.cni_us_per_packet,
            p.mtu_bytes + p.geneve_overhead_bytes,
        ),
        fixed_ns: 0,
        per_frame_ns: 0,
        cpu_ns_per_packet: 0,
        cpu_cluster: None,
    };
    PathModel {
        payload_bytes_per_packet: p.mtu_bytes - headers,
        hops: vec![
            geneve.clone(),
            gateway(src),
            wan_hop(route, wire_bits),
            gateway(dst),
            geneve,
        ],
        wan_bits: wire_bits,
        ..over(PathKind::Liqo, route)
    }
}
