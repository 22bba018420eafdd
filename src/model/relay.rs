//! Relays: the interconnect's servers on the cross-cluster path that sessions share (a
//! Liqo gateway per peering, an east-west gateway per cluster, a node agent per node),
//! each a first-in first-out queue of frames.
//!
//! The session world books every session's frames on the relays of its cross-cluster
//! traversal and of its central round trip. A frame waits at a relay behind the frames
//! of the other sessions there, as it does at its site's egress: at flow fidelity the
//! N·D/D/1 wait of [`crate::model::egress::periodic_wait`] at the relay's load, at frame
//! fidelity a busy-until time per relay. The idle traversal (fixed cost, packets at the
//! slowest hop) stays in the candidate's path cost; the relay adds only the wait. The
//! streaming world queues at the same servers packet by packet (`Scenario::servers`).
//!
//! Per-pod servers (sidecars) are not relays: a session queues there only behind its own
//! frames, one per frame interval.

use super::ids::ClusterId;
use super::interconnects::Sharing;
use super::path::PathModel;
use super::session::SessionApp;
use super::topology::{LinkLoad, Route, Topology};
use crate::config::kinds::PathKind;
use crate::config::topology::PathsConfig;
use std::collections::HashMap;

/// Most shared relays on one traversal of the cross-cluster path (Istio ambient has
/// three: two ztunnels and an east-west gateway).
pub const MAX_RELAYS: usize = 4;

/// Most relays one session's frames use: its cross-cluster traversal and its central
/// round trip.
pub const MAX_SESSION_RELAYS: usize = 2 * MAX_RELAYS;

/// No relay.
pub const NO_RELAY: u32 = u32::MAX;

/// Most queues of one per-node agent: beyond, each node carries under 0.4 % of the
/// cluster's relayed frames and more queues would cost memory only (frame fidelity keeps a
/// busy-until time per queue).
pub const MAX_NODE_QUEUES: u32 = 256;

/// Relay instances of one traversal in path order; unused entries are [`NO_RELAY`].
pub type RelaySet = [u32; MAX_RELAYS];

/// A traversal without shared relays (same cluster, or only per-pod servers).
pub const NO_RELAYS: RelaySet = [NO_RELAY; MAX_RELAYS];

/// A session's frames at one relay: the instance (or [`NO_RELAY`]) and the time its
/// frames of one frame interval keep the relay busy, ns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RelayUse {
    /// The instance.
    pub relay: u32,
    /// Service per frame interval, ns.
    pub service_ns: f64,
}

/// No use.
pub const NO_USE: RelayUse = RelayUse {
    relay: NO_RELAY,
    service_ns: 0.0,
};

/// One shared server of the cross-cluster path, as the path model builds it.
#[derive(Debug, Clone, PartialEq)]
pub struct RelayHop {
    /// The server's name (`liqo-gateway`, `east-west-gateway`, ...).
    pub name: &'static str,
    /// On the sending cluster's side of a traversal (else on the receiving one's).
    pub src_side: bool,
    /// Which traffic one instance carries.
    pub sharing: Sharing,
    /// Service time of one packet, ns.
    pub per_packet_ns: u64,
    /// Busy time per message before its packets (an L7 proxy's request work), ns.
    pub per_frame_ns: u64,
}

impl RelayHop {
    /// Time `messages` messages of `packets` packets each keep the server busy, ns.
    fn service_ns(&self, messages: u32, packets: u32) -> f64 {
        messages as f64 * (self.per_frame_ns as f64 + packets as f64 * self.per_packet_ns as f64)
    }
}

/// One relay instance: which hop of the path it is, on which cluster, and over how many
/// copies (nodes) its traffic spreads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RelayInstance {
    /// Index into [`Relays::hops`].
    pub hop: u16,
    /// The cluster it runs on (for a peering's gateways, the side that first used it).
    pub cluster: ClusterId,
    /// Copies sharing its traffic evenly (the cluster's nodes for a per-node agent, at most
    /// [`MAX_NODE_QUEUES`], else 1).
    pub copies: u32,
    /// Index of its first copy among all copies (frame fidelity keeps a queue per copy).
    pub first_copy: u32,
}

/// The relays of a session platform: the path's shared servers, their instances on the
/// clusters, and what one frame of each application costs them.
#[derive(Debug, Clone, Default)]
pub struct Relays {
    hops: Vec<RelayHop>,
    /// Packets of one user's frame of each application on the cross-cluster path.
    frame_packets: Vec<u32>,
    instances: Vec<RelayInstance>,
    copies: u32,
    /// The central round trip's relays from each cluster (empty without one in any
    /// application's frame path).
    central: Vec<RelaySet>,
    /// Instance of each (hop name, cluster, peer for per-peering servers).
    index: HashMap<(&'static str, u32, u32), u32>,
}

impl Relays {
    /// The shared servers of `cross` and the packets of each application's frame on it;
    /// no instances yet ([`Self::traversal`] adds them).
    pub fn new(paths: &PathsConfig, cross: PathKind, apps: &[SessionApp]) -> Relays {
        let probe = Route {
            rtt_ms: 0.0,
            jitter_ms: 0.0,
            bandwidth_gbps: 1.0,
            loss_pct: 0.0,
            derived: false,
            background: LinkLoad::default(),
        };
        let (src, dst) = (ClusterId(0), ClusterId(1));
        let path = |a: &SessionApp| PathModel::on_route(paths, a.protocol, src, dst, cross, &probe);
        // A kind that joins no clusters (`local`) has no path and so no relays.
        let hops = apps.first().and_then(path).map_or_else(Vec::new, |p| {
            p.hops
                .iter()
                .filter_map(|h| match (Sharing::of_server(h.name), h.cpu_cluster) {
                    (Some(sharing), Some(k)) if sharing != Sharing::Pod => Some(RelayHop {
                        name: h.name,
                        src_side: k == src,
                        sharing,
                        per_packet_ns: h.per_packet_ns,
                        per_frame_ns: h.per_frame_ns,
                    }),
                    _ => None,
                })
                .take(MAX_RELAYS)
                .collect()
        });
        let frame_packets = apps
            .iter()
            .map(|a| {
                let bytes = (a.frame_bits / 8.0).ceil().min(u32::MAX as f64) as u32;
                path(a).map_or(0, |p| p.packets(bytes))
            })
            .collect();
        Relays {
            hops,
            frame_packets,
            ..Relays::default()
        }
    }

    /// The relay instances a traversal from cluster `src` to cluster `dst` crosses, in
    /// path order, created on first use. A server on both sides (a Liqo gateway, a node
    /// agent) is the same instance for both directions; a one-sided one (Istio's east-west
    /// gateway) is the receiving cluster's. A peering's two gateways are one queue: they
    /// carry the same frames, and of two equal deterministic servers in tandem the second
    /// serves each frame as the first releases it, so only the first one waits.
    pub fn traversal(&mut self, t: &Topology, src: ClusterId, dst: ClusterId) -> RelaySet {
        let mut set = NO_RELAYS;
        let mut n = 0;
        for (i, hop) in self.hops.iter().enumerate() {
            let at = if hop.src_side { src } else { dst };
            let key = match hop.sharing {
                Sharing::Peering => (hop.name, src.0.min(dst.0), src.0.max(dst.0)),
                _ => (hop.name, at.0, NO_RELAY),
            };
            let next = self.instances.len() as u32;
            let id = *self.index.entry(key).or_insert(next);
            if id == next {
                let copies = if hop.sharing == Sharing::Node {
                    t.cluster(at).nodes.clamp(1, MAX_NODE_QUEUES)
                } else {
                    1
                };
                self.instances.push(RelayInstance {
                    hop: i as u16,
                    cluster: at,
                    copies,
                    first_copy: self.copies,
                });
                self.copies = self.copies.saturating_add(copies);
            }
            if !set[..n].contains(&id) {
                set[n] = id;
                n += 1;
            }
        }
        set
    }

    /// Records the central round trip's relays from every cluster to `central`.
    pub fn add_central(&mut self, t: &Topology, central: ClusterId) {
        self.central = (0..t.clusters.len() as u32)
            .map(|c| {
                let c = ClusterId(c);
                if c == central {
                    NO_RELAYS
                } else {
                    self.traversal(t, c, central)
                }
            })
            .collect();
    }

    /// Number of relay instances.
    pub fn len(&self) -> usize {
        self.instances.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.instances.is_empty()
    }

    /// Copies of all instances together (frame fidelity's queues).
    pub fn copies(&self) -> u32 {
        self.copies
    }

    /// Instance `r`.
    pub fn instance(&self, r: u32) -> &RelayInstance {
        &self.instances[r as usize]
    }

    /// Packets of one user's frame of application `a` on the cross-cluster path.
    pub fn frame_packets(&self, a: usize) -> u32 {
        self.frame_packets[a]
    }

    /// The path's shared servers, in path order.
    pub fn hops(&self) -> &[RelayHop] {
        &self.hops
    }

    /// The relays a session of application `a` uses when its traversal crosses `cross`
    /// and it runs on `cluster`, with the time its frames of one interval keep each busy:
    /// every user's frame on the traversal and, for an application whose frames wait for
    /// their central components, one request and one reply packet through the central
    /// round trip's relays.
    pub fn session_uses(
        &self,
        app: &SessionApp,
        a: usize,
        cross: &RelaySet,
        cluster: ClusterId,
    ) -> [RelayUse; MAX_SESSION_RELAYS] {
        let mut uses = [NO_USE; MAX_SESSION_RELAYS];
        let packets = self.frame_packets.get(a).copied().unwrap_or(1);
        let central = match self.central.get(cluster.ix()) {
            Some(set) if app.central_in_path => set,
            _ => &NO_RELAYS,
        };
        let sets = [(cross, app.users, packets), (central, 2, 1)];
        let mut n = 0;
        for (set, messages, packets) in sets {
            for &r in set.iter().filter(|&&r| r != NO_RELAY) {
                let hop = &self.hops[self.instances[r as usize].hop as usize];
                let service_ns = hop.service_ns(messages, packets);
                // A relay on both traversals (the home cluster is the central one) is one
                // queue that serves the session's frames and its central messages.
                match uses[..n].iter_mut().find(|u| u.relay == r) {
                    Some(u) => u.service_ns += service_ns,
                    None => {
                        uses[n] = RelayUse {
                            relay: r,
                            service_ns,
                        };
                        n += 1;
                    }
                }
            }
        }
        uses
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::topology::TopologyConfig;

    fn topo(clusters: usize, nodes: u32) -> Topology {
        let mut text = String::from("name = \"t\"\n");
        for i in 0..clusters {
            text += &format!(
                "[[sites]]\nname = \"s{i}\"\nlat = {}\nlon = 8.0\ntier = \"edge\"\n\
                 [[clusters]]\nname = \"k{i}\"\nsite = \"s{i}\"\nnodes = {nodes}\n\
                 vcpu_per_node = 2\nmemory_gib_per_node = 4\n\
                 distribution = \"k3s\"\nprovider = \"openstack\"\n",
                45 + i
            );
        }
        let cfg: TopologyConfig = toml::from_str(&text).unwrap();
        Topology::from_config(&cfg)
    }

    fn app() -> SessionApp {
        SessionApp::for_tests()
    }

    #[test]
    fn a_liqo_peering_is_one_queue_for_both_directions() {
        let t = topo(3, 2);
        let mut r = Relays::new(&PathsConfig::default(), PathKind::Liqo, &[app()]);
        assert_eq!(r.hops().len(), 2, "a gateway on each side");
        let (a, b, c) = (ClusterId(0), ClusterId(1), ClusterId(2));
        let ab = r.traversal(&t, a, b);
        assert_eq!(ab[1..], NO_RELAYS[1..]);
        assert_eq!(r.traversal(&t, b, a), ab, "the reverse direction");
        // Another peering of `a` has its own gateways.
        let ac = r.traversal(&t, a, c);
        assert_ne!(ac[0], ab[0]);
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn a_cluster_gateway_is_shared_by_all_peers_and_node_agents_spread_over_nodes() {
        let t = topo(3, 5);
        let mut paths = PathsConfig::default();
        paths.submariner.variant = "ipsec".into();
        let mut r = Relays::new(&paths, PathKind::Submariner, &[app()]);
        let ab = r.traversal(&t, ClusterId(0), ClusterId(1));
        let ac = r.traversal(&t, ClusterId(0), ClusterId(2));
        assert_eq!(ab[0], ac[0], "one Submariner gateway on cluster 0");
        assert_eq!(r.instance(ab[0]).copies, 1);
        paths.istio.variant = "ambient".into();
        let mut r = Relays::new(&paths, PathKind::Istio, &[app()]);
        let set = r.traversal(&t, ClusterId(0), ClusterId(1));
        let names: Vec<&str> = set
            .iter()
            .filter(|&&x| x != NO_RELAY)
            .map(|&x| r.hops()[r.instance(x).hop as usize].name)
            .collect();
        assert_eq!(names, ["ztunnel", "east-west-gateway", "ztunnel"]);
        assert_eq!(r.instance(set[0]).copies, 5, "a ztunnel on every node");
        assert_eq!(r.copies(), 5 + 1 + 5);
    }

    #[test]
    fn sidecars_are_no_relays_and_a_session_pays_its_users_frames() {
        let t = topo(2, 1);
        let mut r = Relays::new(&PathsConfig::default(), PathKind::Mesh, &[app()]);
        assert_eq!(r.traversal(&t, ClusterId(0), ClusterId(1)), NO_RELAYS);
        let mut shared = app();
        shared.users = 3;
        let mut r = Relays::new(&PathsConfig::default(), PathKind::Liqo, &[shared.clone()]);
        let set = r.traversal(&t, ClusterId(0), ClusterId(1));
        let uses = r.session_uses(&shared, 0, &set, ClusterId(1));
        let hop = &r.hops()[0];
        let packets = (shared.frame_bits / 8.0 / 1360.0).ceil();
        let one = hop.per_packet_ns as f64 * packets;
        assert!(uses[0].service_ns >= 3.0 * one * 0.95 && uses[0].service_ns <= 3.0 * one * 1.1);
        assert_eq!(uses[2], NO_USE);
    }
}
