//! Building the path between two placed components: `local` inside one cluster, otherwise
//! the path the cross-cluster kind's own file builds (looked up in the registry,
//! [`crate::model::interconnects::kind_of`]), with the route's background traffic at its
//! inter-site hop.

use super::parts::{header_bytes, serialization_ns, ETHERNET_FRAMING_BYTES};
use super::{Background, PathModel, WAN_HOP};
use crate::config::experiment::{PathKind, Protocol};
use crate::config::topology::PathsConfig;
use crate::model::ids::ClusterId;
use crate::model::interconnects::interconnect_kind::{Across, InterconnectKind};
use crate::model::interconnects::kind_of;
use crate::model::interconnects::local::same_cluster;
use crate::model::topology::{Route, Topology};

impl PathModel {
    /// The path a flow of `protocol` takes from cluster `src` to cluster `dst` when flows
    /// between different clusters use `cross_kind`. Same-cluster flows are always `local`.
    /// `None` if the clusters' sites are unreachable, or if they differ and `cross_kind`
    /// cannot join two clusters (`local`).
    pub fn build(
        topo: &Topology,
        params: &PathsConfig,
        protocol: Protocol,
        src: ClusterId,
        dst: ClusterId,
        cross_kind: PathKind,
    ) -> Option<PathModel> {
        if src == dst {
            return Some(same_cluster(params, header_bytes(protocol)));
        }
        let route = topo.cluster_route(src, dst)?;
        Self::on_route(params, protocol, src, dst, cross_kind, &route)
    }

    /// As [`Self::build`], on a `route` between the clusters' sites the caller has already
    /// found (a nearest-site search finds many at once).
    pub fn on_route(
        params: &PathsConfig,
        protocol: Protocol,
        src: ClusterId,
        dst: ClusterId,
        cross_kind: PathKind,
        route: &Route,
    ) -> Option<PathModel> {
        Self::through(kind_of(cross_kind), params, protocol, src, dst, route)
    }

    /// As [`Self::on_route`], through `kind` itself rather than the registered kind of an
    /// id (a kind being written, before it has one).
    pub fn through(
        kind: &dyn InterconnectKind,
        params: &PathsConfig,
        protocol: Protocol,
        src: ClusterId,
        dst: ClusterId,
        route: &Route,
    ) -> Option<PathModel> {
        let headers = header_bytes(protocol);
        if src == dst {
            return Some(same_cluster(params, headers));
        }
        let across = Across { route, src, dst };
        let mut path = kind.path(params, headers, across)?;
        path.background = background_on(&path, route);
        Some(path)
    }
}

/// The route's background traffic at the path's inter-site hop, if any.
fn background_on(path: &PathModel, route: &Route) -> Option<Background> {
    let load = route.background;
    if load.util <= 0.0 {
        return None;
    }
    let hop = path.hops.iter().position(|h| h.name == WAN_HOP)?;
    let wire_bits = path.wan_bits;
    let arrival_spacing_ns = if load.upstream_gbps.is_finite() {
        serialization_ns(wire_bits, load.upstream_gbps)
    } else {
        0
    };
    Some(Background {
        hop,
        util: load.util,
        packet_ns: serialization_ns(
            8 * (load.packet_bytes + ETHERNET_FRAMING_BYTES) as u64,
            load.link_gbps,
        )
        .max(1),
        frame_packet_ns: serialization_ns(wire_bits, load.link_gbps).max(1),
        arrival_spacing_ns,
    })
}
