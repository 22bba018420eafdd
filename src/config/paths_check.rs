//! The checks of every `[paths.*]` table: MTUs, overheads, costs and durations in range,
//! and the named kinds' variants and values.

use super::check::Checker;
use super::error::ConfigError;
use super::interconnect::validate_interconnect;
use super::path_kinds::{PathKind, PathsConfig};

/// Checks every `[paths.*]` table: MTUs, overheads, costs and durations in range, and the
/// named kinds' variants and values.
pub fn validate_paths(c: &Checker, p: &PathsConfig) -> Result<(), ConfigError> {
    check_mtu(c, "paths.local.mtu_bytes", p.local.mtu_bytes, 0)?;
    c.non_negative("paths.local.cni_us_per_packet", p.local.cni_us_per_packet)?;
    c.within(
        "paths.local.node_link_gbps",
        p.local.node_link_gbps,
        1e-3,
        1e4,
    )?;
    let l = &p.liqo;
    check_mtu(
        c,
        "paths.liqo.mtu_bytes",
        l.mtu_bytes,
        l.wireguard_overhead_bytes,
    )?;
    if l.wireguard_overhead_bytes > 200 || l.geneve_overhead_bytes > 200 {
        return Err(c.src.error(
            "paths.liqo.wireguard_overhead_bytes",
            "expected encapsulation overheads of at most 200 bytes",
        ));
    }
    c.non_negative("paths.liqo.cni_us_per_packet", l.cni_us_per_packet)?;
    c.non_negative("paths.liqo.gateway_cpu_per_gbit", l.gateway_cpu_per_gbit)?;
    c.positive("paths.liqo.gateway_cores", l.gateway_cores)?;
    c.non_negative("paths.liqo.gateway_processing_us", l.gateway_processing_us)?;
    c.non_negative(
        "paths.liqo.control_plane_cpu_cores",
        l.control_plane_cpu_cores,
    )?;
    c.non_negative(
        "paths.liqo.control_plane_memory_mib",
        l.control_plane_memory_mib,
    )?;
    c.non_negative("paths.liqo.gateway_memory_mib", l.gateway_memory_mib)?;
    for (name, v) in [
        ("peering_auth_s", l.peering_auth_s),
        ("peering_network_s", l.peering_network_s),
        ("virtual_node_s", l.virtual_node_s),
        ("offloading_s", l.offloading_s),
        ("remote_pod_start_s", l.remote_pod_start_s),
        ("tunnel_reconnect_s", l.tunnel_reconnect_s),
    ] {
        c.within(&format!("paths.liqo.{name}"), v, 0.0, 86_400.0)?;
    }
    c.within(
        "paths.liqo.liveness_interval_s",
        l.liveness_interval_s,
        0.01,
        3600.0,
    )?;
    if !(1..=1000).contains(&l.liveness_misses) {
        return Err(c.src.error(
            "paths.liqo.liveness_misses",
            "expected 1 to 1000 missed checks",
        ));
    }
    let n = &p.nodeport;
    check_mtu(c, "paths.nodeport.mtu_bytes", n.mtu_bytes, 0)?;
    c.non_negative("paths.nodeport.dnat_us_per_packet", n.dnat_us_per_packet)?;
    c.non_negative(
        "paths.nodeport.extra_hop_us_per_packet",
        n.extra_hop_us_per_packet,
    )?;
    c.non_negative("paths.nodeport.cpu_us_per_packet", n.cpu_us_per_packet)?;
    c.non_negative("paths.mesh.sidecar_ms_per_hop", p.mesh.sidecar_ms_per_hop)?;
    c.non_negative(
        "paths.mesh.sidecar_cpu_per_gbit",
        p.mesh.sidecar_cpu_per_gbit,
    )?;
    for kind in PathKind::ALL {
        if let Some((table, cfg)) = p.interconnect(kind) {
            validate_interconnect(c, table, kind, cfg)?;
        }
    }
    Ok(())
}

/// An MTU must leave room for IP/transport headers (52 bytes) after `overhead`.
fn check_mtu(c: &Checker, field: &str, mtu: u32, overhead: u32) -> Result<(), ConfigError> {
    if (576..=9000).contains(&mtu) && mtu > overhead + 52 + 64 {
        Ok(())
    } else {
        Err(c.src.error(
            field,
            format!("expected an MTU between 576 and 9000 bytes, found {mtu}"),
        ))
    }
}
