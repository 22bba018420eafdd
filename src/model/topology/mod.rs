//! Sites, clusters and the inter-site graph with its routes.

use super::allocatable::Resources;
use super::energy::{ClusterPower, SitePowerInput};
use super::gpu::ClusterGpu;
use super::ids::{ClusterId, SiteId};
use super::monitoring_footprint::workload_allocatable;
use crate::config::topology::{Distribution, Provider, RoutingConfig, Tier, TopologyConfig};
use petgraph::graph::{NodeIndex, UnGraph};
use std::collections::HashMap;

/// Mean Earth radius, km.
const EARTH_RADIUS_KM: f64 = 6371.0;

/// A site with its location.
#[derive(Debug, Clone)]
pub struct Site {
    /// Name from the topology file.
    pub name: String,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Cloud, edge or far-edge.
    pub tier: Tier,
    /// RTT between clusters at this site, ms.
    pub intra_site_rtt_ms: f64,
    /// Bandwidth between clusters at this site, Gbit/s.
    pub intra_site_bandwidth_gbps: f64,
    /// User device to this site, one way, ms.
    pub access_latency_ms: f64,
}

/// A cluster's capacity and footprints.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// Name from the topology file.
    pub name: String,
    /// Where it runs.
    pub site: SiteId,
    /// Node count.
    pub nodes: u32,
    /// Total vCPUs.
    pub cpu_cores: f64,
    /// Total memory, MiB.
    pub memory_mib: f64,
    /// Cores sessions may reserve: all of them, or what Kubernetes can schedule
    /// ([`Topology::use_allocatable`]).
    pub schedulable_cpu_cores: f64,
    /// Memory sessions may reserve, MiB.
    pub schedulable_memory_mib: f64,
    /// Cores per node.
    pub vcpu_per_node: f64,
    /// Memory per node, GiB.
    pub memory_gib_per_node: f64,
    /// vCPU speed relative to the reference core.
    pub cpu_speed_ratio: f64,
    /// Idle CPU (OS, Kubernetes, monitoring), reference cores.
    pub baseline_cpu_cores: f64,
    /// Idle memory, MiB.
    pub baseline_memory_mib: f64,
    /// kubeadm or k3s.
    pub distribution: Distribution,
    /// openstack or docker.
    pub provider: Provider,
    /// Price of a vCPU-hour, USD.
    pub cost_per_vcpu_hour_usd: f64,
    /// Price of a GiB-hour, USD.
    pub cost_per_gib_hour_usd: f64,
    /// Its nodes' power, its site's PUE and grid carbon intensity.
    pub power: ClusterPower,
    /// Its nodes' GPUs, if any.
    pub gpu: Option<ClusterGpu>,
}

/// Network properties between two sites.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Route {
    /// Round-trip time, ms.
    pub rtt_ms: f64,
    /// Standard deviation of the one-way delay, ms (variances add along the path).
    pub jitter_ms: f64,
    /// Bottleneck bandwidth, Gbit/s.
    pub bandwidth_gbps: f64,
    /// Loss along the route, percent.
    pub loss_pct: f64,
    /// True if the RTT came from distance, not from measured links.
    pub derived: bool,
    /// Background traffic on the route's busiest link (by its share of capacity).
    pub background: LinkLoad,
}

/// Other traffic on a link: a Poisson stream of packets of one size.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LinkLoad {
    /// Share of the link's capacity it uses, 0..1.
    pub util: f64,
    /// Its packets, bytes.
    pub packet_bytes: u32,
    /// Capacity of the loaded link itself, Gbit/s (its packets' service time).
    pub link_gbps: f64,
    /// Narrowest link before the loaded one on a route, in the route's direction, Gbit/s;
    /// infinite when the loaded link is the first. A frame reaches the loaded link with its
    /// packets spaced by that link's serialisation, not as one burst.
    pub upstream_gbps: f64,
}

/// Edge weight: a measured link.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LinkAttrs {
    /// Round trip, ms.
    pub(crate) rtt_ms: f64,
    /// Standard deviation of the delay, ms.
    pub(crate) jitter_ms: f64,
    /// Capacity, Gbit/s.
    pub(crate) bandwidth_gbps: f64,
    /// Loss, percent.
    pub(crate) loss_pct: f64,
    /// Background traffic.
    pub(crate) background: LinkLoad,
}

/// The route along a chain of links, in order: RTTs and variances add, the narrowest link
/// sets the bandwidth, losses compound.
pub(crate) fn chain_route(links: impl Iterator<Item = LinkAttrs>) -> Route {
    let mut route = Route {
        rtt_ms: 0.0,
        jitter_ms: 0.0,
        bandwidth_gbps: f64::INFINITY,
        loss_pct: 0.0,
        derived: false,
        background: LinkLoad::default(),
    };
    let (mut variance, mut delivered) = (0.0, 1.0);
    for link in links {
        if link.background.util > route.background.util {
            route.background = LinkLoad {
                upstream_gbps: route.bandwidth_gbps,
                ..link.background
            };
        }
        route.rtt_ms += link.rtt_ms;
        variance += link.jitter_ms * link.jitter_ms;
        route.bandwidth_gbps = route.bandwidth_gbps.min(link.bandwidth_gbps);
        delivered *= 1.0 - link.loss_pct / 100.0;
    }
    route.jitter_ms = variance.sqrt();
    route.loss_pct = (1.0 - delivered) * 100.0;
    route
}

/// Cluster `k`'s power settings, its site (`site`) giving PUE and grid intensity.
fn cluster_power(
    t: &TopologyConfig,
    site: usize,
    k: &crate::config::topology::ClusterConfig,
) -> ClusterPower {
    let s = &t.sites[site];
    ClusterPower::resolve(
        k.vcpu_per_node,
        (k.idle_watts_per_node, k.peak_watts_per_node),
        SitePowerInput {
            tier: s.tier,
            pue: s.pue,
            country: s.country.as_deref(),
            grid_gco2e_per_kwh: s.grid_gco2e_per_kwh,
        },
    )
}

/// The platform: sites, clusters, and the graph of measured links.
#[derive(Debug, Clone)]
pub struct Topology {
    /// Name from the file.
    pub name: String,
    /// Sites, indexed by [`SiteId`].
    pub sites: Vec<Site>,
    /// Clusters, indexed by [`ClusterId`].
    pub clusters: Vec<Cluster>,
    routing: RoutingConfig,
    graph: UnGraph<(), LinkAttrs>,
    cluster_by_name: HashMap<String, ClusterId>,
}

impl Topology {
    /// Limits what sessions may reserve on each cluster to what Kubernetes can schedule
    /// there once the exported monitoring has its requests
    /// ([`super::monitoring_footprint::workload_allocatable`]), keeping `liqo` free for Liqo's own
    /// pods. Raw cores still set utilisation and contention.
    pub fn use_allocatable(&mut self, liqo: Resources) {
        for k in &mut self.clusters {
            let a = workload_allocatable(
                k.nodes,
                k.vcpu_per_node,
                k.memory_gib_per_node,
                k.distribution,
                liqo,
            );
            k.schedulable_cpu_cores = a.cpu_cores;
            k.schedulable_memory_mib = a.memory_mib;
        }
    }

    /// Builds the model from a validated topology file.
    pub fn from_config(t: &TopologyConfig) -> Topology {
        let site_ix = t.site_indices();
        let sites = t
            .sites
            .iter()
            .map(|s| Site {
                name: s.name.clone(),
                lat: s.lat,
                lon: s.lon,
                tier: s.tier,
                intra_site_rtt_ms: s.intra_site_rtt_ms,
                intra_site_bandwidth_gbps: s.intra_site_bandwidth_gbps,
                access_latency_ms: s.access_latency_ms,
            })
            .collect();
        let clusters: Vec<Cluster> = t
            .clusters
            .iter()
            .map(|k| Cluster {
                name: k.name.clone(),
                site: SiteId(site_ix[k.site.as_str()]),
                nodes: k.nodes,
                cpu_cores: k.nodes as f64 * k.vcpu_per_node,
                memory_mib: k.nodes as f64 * k.memory_gib_per_node * 1024.0,
                schedulable_cpu_cores: k.nodes as f64 * k.vcpu_per_node,
                schedulable_memory_mib: k.nodes as f64 * k.memory_gib_per_node * 1024.0,
                vcpu_per_node: k.vcpu_per_node,
                memory_gib_per_node: k.memory_gib_per_node,
                cpu_speed_ratio: k.cpu_speed_ratio,
                baseline_cpu_cores: k.baseline_cpu_cores,
                baseline_memory_mib: k.baseline_memory_mib,
                distribution: k.distribution,
                provider: k.provider,
                cost_per_vcpu_hour_usd: k.cost_per_vcpu_hour_usd,
                cost_per_gib_hour_usd: k.cost_per_gib_hour_usd,
                power: cluster_power(t, site_ix[k.site.as_str()] as usize, k),
                gpu: k.gpu.as_ref().map(ClusterGpu::from_config),
            })
            .collect();
        let mut graph = UnGraph::with_capacity(t.sites.len(), t.links.len());
        for _ in &t.sites {
            graph.add_node(());
        }
        for l in &t.links {
            let attrs = LinkAttrs {
                rtt_ms: l.rtt_ms,
                jitter_ms: l.jitter_ms,
                bandwidth_gbps: l.bandwidth_gbps,
                loss_pct: l.loss_pct,
                background: LinkLoad {
                    util: l.background_util,
                    packet_bytes: l.background_packet_bytes,
                    link_gbps: l.bandwidth_gbps,
                    upstream_gbps: f64::INFINITY,
                },
            };
            let (a, b) = (site_ix[l.a.as_str()], site_ix[l.b.as_str()]);
            graph.add_edge(
                NodeIndex::new(a as usize),
                NodeIndex::new(b as usize),
                attrs,
            );
        }
        let cluster_by_name = clusters
            .iter()
            .enumerate()
            .map(|(i, k)| (k.name.clone(), ClusterId(i as u32)))
            .collect();
        Topology {
            name: t.name.clone(),
            sites,
            clusters,
            routing: t.routing.clone(),
            graph,
            cluster_by_name,
        }
    }

    /// The cluster called `name`, if any.
    pub fn cluster_id(&self, name: &str) -> Option<ClusterId> {
        self.cluster_by_name.get(name).copied()
    }

    /// The cluster with id `id`.
    pub fn cluster(&self, id: ClusterId) -> &Cluster {
        &self.clusters[id.ix()]
    }

    /// Great-circle distance between two sites, km (haversine).
    pub fn distance_km(&self, a: SiteId, b: SiteId) -> f64 {
        let (p, q) = (&self.sites[a.ix()], &self.sites[b.ix()]);
        let (la1, la2) = (p.lat.to_radians(), q.lat.to_radians());
        let dlat = la2 - la1;
        let dlon = (q.lon - p.lon).to_radians();
        let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlon / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
    }

    /// RTT estimated from distance: base + inflation * 2 * d / (km per ms), ms.
    pub fn derived_rtt_ms(&self, a: SiteId, b: SiteId) -> f64 {
        let r = &self.routing;
        r.base_rtt_ms + r.route_inflation * 2.0 * self.distance_km(a, b) / r.fiber_km_per_ms
    }

    /// The route between two sites: intra-site if equal, else the lowest-RTT chain of
    /// measured links, else (if allowed) one derived from distance. `None` if unreachable.
    pub fn route(&self, a: SiteId, b: SiteId) -> Option<Route> {
        if a == b {
            let s = &self.sites[a.ix()];
            return Some(Route {
                rtt_ms: s.intra_site_rtt_ms,
                jitter_ms: 0.0,
                bandwidth_gbps: s.intra_site_bandwidth_gbps,
                loss_pct: 0.0,
                derived: false,
                background: LinkLoad::default(),
            });
        }
        self.measured_route(a, b)
            .or_else(|| self.derived_route(a, b))
    }

    fn measured_route(&self, a: SiteId, b: SiteId) -> Option<Route> {
        let (from, to) = (NodeIndex::new(a.ix()), NodeIndex::new(b.ix()));
        let (_, nodes) = petgraph::algo::astar(
            &self.graph,
            from,
            |n| n == to,
            |e| e.weight().rtt_ms,
            |_| 0.0,
        )?;
        let links: Option<Vec<LinkAttrs>> = nodes
            .windows(2)
            .map(|w| {
                self.graph
                    .edges_connecting(w[0], w[1])
                    .map(|e| *e.weight())
                    .min_by(|x, y| x.rtt_ms.total_cmp(&y.rtt_ms))
            })
            .collect();
        Some(chain_route(links?.into_iter()))
    }

    fn derived_route(&self, a: SiteId, b: SiteId) -> Option<Route> {
        self.routing.derive_missing_rtt.then(|| Route {
            rtt_ms: self.derived_rtt_ms(a, b),
            jitter_ms: self.routing.derived_jitter_ms,
            bandwidth_gbps: self.routing.derived_bandwidth_gbps,
            loss_pct: 0.0,
            derived: true,
            background: LinkLoad::default(),
        })
    }

    /// RTT from `a` to every site, ms: lowest-RTT chains of measured links (one Dijkstra),
    /// derived from distance where no chain exists, infinite if that is not allowed.
    pub fn rtt_from(&self, a: SiteId) -> Vec<f64> {
        let dist = petgraph::algo::dijkstra(&self.graph, NodeIndex::new(a.ix()), None, |e| {
            e.weight().rtt_ms
        });
        (0..self.sites.len())
            .map(|b| {
                let to = SiteId(b as u32);
                if to == a {
                    self.sites[b].intra_site_rtt_ms
                } else if let Some(&d) = dist.get(&NodeIndex::new(b)) {
                    d
                } else if self.routing.derive_missing_rtt {
                    self.derived_rtt_ms(a, to)
                } else {
                    f64::INFINITY
                }
            })
            .collect()
    }

    /// Measured links out of site `a`, with each link's index for [`Self::link`]: (other
    /// end, RTT ms, link index).
    pub(crate) fn links_from_indexed(
        &self,
        a: SiteId,
    ) -> impl Iterator<Item = (SiteId, f64, u32)> + '_ {
        use petgraph::visit::EdgeRef;
        let from = NodeIndex::new(a.ix());
        self.graph.edges(from).map(move |e| {
            let other = if e.source() == from {
                e.target()
            } else {
                e.source()
            };
            (
                SiteId(other.index() as u32),
                e.weight().rtt_ms,
                e.id().index() as u32,
            )
        })
    }

    /// The measured link with index `i` (from [`Self::links_from_indexed`]).
    pub(crate) fn link(&self, i: u32) -> LinkAttrs {
        self.graph[petgraph::graph::EdgeIndex::new(i as usize)]
    }

    /// Whether RTTs between sites no chain of links joins are derived from distance.
    pub fn derives_missing_rtt(&self) -> bool {
        self.routing.derive_missing_rtt
    }

    /// The route between the sites of two clusters.
    pub fn cluster_route(&self, a: ClusterId, b: ClusterId) -> Option<Route> {
        self.route(self.cluster(a).site, self.cluster(b).site)
    }
}

#[cfg(test)]
mod tests;
