//! A scenario: a topology, where each component runs, and the path each flow takes.

use super::app::Application;
use super::ids::ClusterId;
use super::path::{PathModel, WAN_HOP};
use super::topology::Topology;
use crate::base::units::ns_from_s;
use crate::config::experiment::{FaultKind, PathKind, PeeringMode, ScenarioConfig};
use crate::config::topology::{LiqoPathConfig, PathsConfig};

/// Liqo footprint charged to each peered cluster.
#[derive(Debug, Clone, Copy, Default)]
pub struct PeeringFootprint {
    /// Control plane CPU, reference cores.
    pub cpu_cores: f64,
    /// Control plane and gateway memory, MiB.
    pub memory_mib: f64,
}

/// Everything a run needs to know about one setup.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Name from the experiment file.
    pub name: String,
    /// The platform.
    pub topology: Topology,
    /// Cluster of each component, by component index.
    pub placement: Vec<ClusterId>,
    /// Path of each flow, by flow index.
    pub paths: Vec<PathModel>,
    /// For each flow and hop of its path, the packet server it queues at: flows that cross
    /// the same gateway, node agent or proxy of a cluster, or the same inter-site route in
    /// the same direction, share one server and queue behind each other.
    pub servers: Vec<Vec<u32>>,
    /// Number of distinct servers.
    pub server_count: u32,
    /// Clusters that host a component, ascending.
    pub clusters: Vec<ClusterId>,
    /// Clusters that take part in a Liqo peering, ascending.
    pub peered: Vec<ClusterId>,
    /// Liqo footprint per peered cluster.
    pub peering: PeeringFootprint,
    /// When the stream can start: 0, or the end of a new peering and offloading, ns.
    pub start_ns: u64,
    /// Named moments of the control plane and faults, in time order, ns.
    pub milestones: Vec<(u64, &'static str)>,
    /// Windows in which cross-cluster paths carry nothing.
    pub outages: Vec<Outage>,
}

/// A time during which cross-cluster paths are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outage {
    /// The link goes down, ns.
    pub down_ns: u64,
    /// Traffic flows again (link back, and the tunnel re-established if Liqo had
    /// declared it down), ns.
    pub restore_ns: u64,
}

/// The steps of a new peering and offloading, each after the previous, from time zero.
fn peering_timeline(l: &LiqoPathConfig) -> Vec<(u64, &'static str)> {
    let steps = [
        (0.0, "peering-requested"),
        (l.peering_auth_s, "peering-authenticated"),
        (l.peering_network_s, "tunnel-established"),
        (l.virtual_node_s, "virtual-node-ready"),
        (l.offloading_s, "namespace-offloaded"),
        (l.remote_pod_start_s, "remote-pods-running"),
    ];
    let mut t = 0;
    steps
        .iter()
        .map(|&(d, what)| {
            t += ns_from_s(d);
            (t, what)
        })
        .collect()
}

/// The outage and its milestones for a link failure of `duration_s` at `at_s`. Liqo
/// declares the tunnel down after `liveness_interval_s * liveness_misses`; a tunnel
/// declared down needs `tunnel_reconnect_s` after the link returns.
fn link_outage(
    at_s: f64,
    duration_s: f64,
    liqo: Option<&LiqoPathConfig>,
) -> (Outage, Vec<(u64, &'static str)>) {
    let (down, up) = (ns_from_s(at_s), ns_from_s(at_s + duration_s));
    let mut marks = vec![(down, "link-lost")];
    let mut restore = up;
    if let Some(l) = liqo {
        let detect = ns_from_s(l.detection_s());
        if duration_s > 0.0 && up - down >= detect {
            marks.push((down + detect, "tunnel-down-detected"));
            restore = up + ns_from_s(l.tunnel_reconnect_s);
        }
    }
    marks.push((up, "link-restored"));
    if restore > up {
        marks.push((restore, "tunnel-up"));
    }
    (
        Outage {
            down_ns: down,
            restore_ns: restore,
        },
        marks,
    )
}

impl Scenario {
    /// Builds a scenario from its validated table; `None` if a flow's clusters cannot
    /// reach each other.
    pub fn build(
        s: &ScenarioConfig,
        topology: Topology,
        paths_cfg: &PathsConfig,
        app: &Application,
    ) -> Option<Scenario> {
        let placement: Vec<ClusterId> = app
            .components
            .iter()
            .map(|c| topology.cluster_id(&s.placement[&c.name]))
            .collect::<Option<_>>()?;
        let mut paths = Vec::with_capacity(app.flows.len());
        for (i, f) in app.flows.iter().enumerate() {
            let (src, dst) = (placement[i], placement[i + 1]);
            paths.push(PathModel::build(
                &topology,
                paths_cfg,
                f.protocol,
                src,
                dst,
                s.cross_cluster_path,
            )?);
        }
        let mut clusters = placement.clone();
        clusters.sort();
        clusters.dedup();
        let mut peered: Vec<ClusterId> = paths
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == PathKind::Liqo)
            .flat_map(|(i, _)| [placement[i], placement[i + 1]])
            .collect();
        peered.sort();
        peered.dedup();
        let peering = PeeringFootprint {
            cpu_cores: paths_cfg.liqo.control_plane_cpu_cores,
            memory_mib: paths_cfg.liqo.control_plane_memory_mib + paths_cfg.liqo.gateway_memory_mib,
        };
        let liqo = (!peered.is_empty()).then_some(&paths_cfg.liqo);
        let mut milestones = match (s.peering, liqo) {
            (PeeringMode::OnDemand, Some(l)) => peering_timeline(l),
            _ => Vec::new(),
        };
        let start_ns = milestones.last().map_or(0, |m| m.0);
        let mut outages = Vec::new();
        for f in &s.faults {
            match f.kind {
                FaultKind::LinkDown => {
                    let (o, marks) = link_outage(f.at_s, f.duration_s, liqo);
                    outages.push(o);
                    milestones.extend(marks);
                }
            }
        }
        milestones.sort_by_key(|m| m.0);
        let (servers, server_count) = shared_servers(&topology, &placement, &paths);
        Some(Scenario {
            name: s.name.clone(),
            topology,
            placement,
            paths,
            servers,
            server_count,
            clusters,
            peered,
            peering,
            start_ns,
            milestones,
            outages,
        })
    }
}

/// What makes two hops one server: a named server of a cluster, or the inter-site route
/// between two sites in one direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ServerKey {
    Node(&'static str, ClusterId),
    Route(u32, u32),
    Own(usize, usize),
}

/// Assigns every hop of every cross-cluster path its server (same-cluster hops keep their
/// own: each flow has its own pods and veths).
fn shared_servers(
    topology: &Topology,
    placement: &[ClusterId],
    paths: &[PathModel],
) -> (Vec<Vec<u32>>, u32) {
    let mut ids: std::collections::HashMap<ServerKey, u32> = std::collections::HashMap::new();
    let servers = paths
        .iter()
        .enumerate()
        .map(|(f, p)| {
            p.hops
                .iter()
                .enumerate()
                .map(|(h, hop)| {
                    let site = |c: ClusterId| topology.cluster(c).site.0;
                    let key = match (p.kind, hop.cpu_cluster) {
                        (PathKind::Local, _) => ServerKey::Own(f, h),
                        _ if hop.name == WAN_HOP => {
                            ServerKey::Route(site(placement[f]), site(placement[f + 1]))
                        }
                        (_, Some(k)) => ServerKey::Node(hop.name, k),
                        (_, None) => ServerKey::Own(f, h),
                    };
                    let next = ids.len() as u32;
                    *ids.entry(key).or_insert(next)
                })
                .collect()
        })
        .collect();
    (servers, ids.len() as u32)
}
