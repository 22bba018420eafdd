//! Derives a [`SessionPlatform`] from a topology and the session settings, in time and
//! memory that grow with sites x candidates, not sites squared: each site's candidates
//! come from a nearest-site search that stops once it has them ([`NearestSites`]), and
//! sites are derived in parallel (each site's facts depend on nothing but the topology, so
//! the result is the same for any thread count).

use super::{Candidate, SessionPlatform};
use crate::config::kinds::{PathKind, Protocol};
use crate::config::sessions::{CapacityModel, SessionsConfig};
use crate::config::topology::{Tier, TopologyConfig};
use crate::model::allocatable::Resources;
use crate::model::interconnects::kind_of;
use crate::model::nearest::{NearestSites, Scratch};
use crate::model::relay::{Relays, NO_RELAYS};
use crate::model::session::SessionApp;
use crate::model::{ClusterId, PathModel, Route, SiteId, Topology};
use rayon::prelude::*;

/// Access sites among which the other users of a shared session are drawn.
pub const NEAR_ACCESS_SITES: usize = 4;

/// Nearest cloud clusters always offered as candidates (for `cloud-only` and fallbacks).
pub const CLOUD_CANDIDATES: usize = 4;

/// CPU and memory a cluster keeps free for Liqo: its control plane and one gateway.
pub fn liqo_footprint(t: &TopologyConfig) -> Resources {
    let l = &t.paths.liqo;
    Resources {
        cpu_cores: l.control_plane_cpu_cores,
        memory_mib: l.control_plane_memory_mib + l.gateway_memory_mib,
    }
}

/// What every site's derivation shares.
struct Inputs<'a> {
    t: &'a Topology,
    cfg: &'a TopologyConfig,
    apps: &'a [SessionApp],
    cross: PathKind,
    k: usize,
    standby: &'a [ClusterId],
    /// Clusters at each site, by id.
    at_site: Vec<Vec<ClusterId>>,
    access: Vec<bool>,
    access_sites: &'a [u32],
    /// Whether any application has several users (only then are the other users' RTTs
    /// needed).
    shared: bool,
    /// Per cluster, its round trips to the central components (empty without any).
    central_ms: Vec<Vec<f64>>,
    search: NearestSites<'a>,
}

/// Builds the static platform: candidate clusters per site with their path costs and their
/// routes' jitter, and the capacity sessions may reserve.
pub fn build_platform(
    s: &SessionsConfig,
    topo_cfg: &TopologyConfig,
    capacity: CapacityModel,
) -> SessionPlatform {
    let mut topology = Topology::from_config(topo_cfg);
    if capacity == CapacityModel::Allocatable {
        topology.use_allocatable(liqo_footprint(topo_cfg));
    }
    let apps: Vec<SessionApp> = s.applications.iter().map(SessionApp::from_config).collect();
    let central = topology.cluster_id(&s.central_cluster);
    let standby: Vec<ClusterId> = s
        .control
        .standby_clusters
        .iter()
        .filter_map(|n| topology.cluster_id(n))
        .collect();
    let mut access_sites: Vec<u32> = (0..topology.sites.len() as u32)
        .filter(|&i| topology.sites[i as usize].tier != Tier::Cloud)
        .collect();
    if access_sites.is_empty() {
        access_sites = (0..topology.sites.len() as u32).collect();
    }
    let (mut candidates, near_access): (Vec<Vec<Candidate>>, Vec<Vec<u32>>) = {
        let inputs = Inputs::new(
            &topology,
            topo_cfg,
            &apps,
            s,
            &standby,
            &access_sites,
            central,
        );
        let per_site: Vec<(Vec<Candidate>, Vec<u32>)> = (0..topology.sites.len() as u32)
            .into_par_iter()
            .map_init(|| inputs.search.scratch(), |sc, site| inputs.site(sc, site))
            .collect();
        per_site.into_iter().unzip()
    };
    let relays = relays_of(&topology, topo_cfg, s, &apps, central, &mut candidates);
    let site_bandwidth_gbps = topology
        .sites
        .iter()
        .map(|x| x.intra_site_bandwidth_gbps)
        .collect();
    let access_ms = topology.sites.iter().map(|x| x.access_latency_ms).collect();
    let refuses_udp = s.cross_cluster_path.udp_refusal().is_some();
    let cross_refused = apps
        .iter()
        .map(|a| refuses_udp && a.protocol == Protocol::Udp)
        .collect();
    let central_refused = apps.iter().map(|a| refuses_udp && a.central_udp).collect();
    SessionPlatform {
        topology,
        apps,
        access_ms,
        cross_refused,
        central_refused,
        candidates,
        access_sites,
        near_access,
        site_bandwidth_gbps,
        cross_kind: s.cross_cluster_path,
        slo_latency_ms: s.slo_latency_ms,
        central,
        standby,
        relays,
    }
}

/// The cross-cluster path's relay instances, numbered in site and candidate order (then
/// the central round trips), each candidate's traversal from its home cluster filled in.
fn relays_of(
    t: &Topology,
    cfg: &TopologyConfig,
    s: &SessionsConfig,
    apps: &[SessionApp],
    central: Option<ClusterId>,
    candidates: &mut [Vec<Candidate>],
) -> Relays {
    let mut relays = Relays::new(&cfg.paths, s.cross_cluster_path, apps);
    if relays.hops().is_empty() {
        return relays;
    }
    for cands in candidates.iter_mut() {
        let Some(home) = cands.first().map(|c| c.cluster) else {
            continue;
        };
        for c in cands.iter_mut().filter(|c| c.cross_cluster) {
            c.relays = relays.traversal(t, home, c.cluster);
        }
    }
    if let Some(k) = central.filter(|_| apps.iter().any(|a| a.has_central && a.central_in_path)) {
        relays.add_central(t, k);
    }
    relays
}

impl<'a> Inputs<'a> {
    #[allow(clippy::too_many_arguments)]
    fn new(
        t: &'a Topology,
        cfg: &'a TopologyConfig,
        apps: &'a [SessionApp],
        s: &SessionsConfig,
        standby: &'a [ClusterId],
        access_sites: &'a [u32],
        central: Option<ClusterId>,
    ) -> Self {
        let mut at_site = vec![Vec::new(); t.sites.len()];
        for (i, c) in t.clusters.iter().enumerate() {
            at_site[c.site.ix()].push(ClusterId(i as u32));
        }
        let mut access = vec![false; t.sites.len()];
        for &a in access_sites {
            access[a as usize] = true;
        }
        let search = NearestSites::new(t);
        let central_ms = central_round_trips(t, cfg, apps, s.cross_cluster_path, central, &search);
        Inputs {
            t,
            cfg,
            apps,
            cross: s.cross_cluster_path,
            k: s.candidates_per_site as usize,
            standby,
            at_site,
            access,
            access_sites,
            shared: apps.iter().any(|a| a.users > 1),
            central_ms,
            search,
        }
    }

    /// One site's candidates and nearest access sites.
    fn site(&self, sc: &mut Scratch, site: u32) -> (Vec<Candidate>, Vec<u32>) {
        let reached = self.nearest(sc, site);
        let near = self.near_access(&reached);
        let mut cands = self.candidates(sc, site, &reached);
        if self.shared {
            self.fill_near_rtt(sc, &near, &mut cands);
        }
        (cands, near)
    }

    /// Sites in (RTT, site) order from `site`, up to the RTT that covers its `k` nearest
    /// clusters, its nearest clouds and its nearest access sites (ties included).
    fn nearest(&self, sc: &mut Scratch, site: u32) -> Vec<(f64, u32)> {
        let is_cloud = |s: u32| self.t.sites[s as usize].tier == Tier::Cloud;
        let (mut clusters, mut clouds, mut access) = (0, 0, 0);
        let mut enough_at = None;
        let mut reached = Vec::new();
        self.search.visit(sc, SiteId(site), |s, rtt| {
            if let Some(limit) = enough_at {
                if rtt > limit {
                    return false;
                }
            }
            let here = self.at_site[s.ix()].len();
            clusters += here;
            if is_cloud(s.0) {
                clouds += here;
            }
            access += self.access[s.ix()] as usize;
            reached.push((rtt, s.0));
            if enough_at.is_none()
                && clusters >= self.k
                && clouds >= CLOUD_CANDIDATES
                && access >= NEAR_ACCESS_SITES
            {
                enough_at = Some(rtt);
            }
            true
        });
        reached.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        reached
    }

    /// The nearest access sites (by RTT, then site); unreachable ones by site order if
    /// fewer are reachable.
    fn near_access(&self, reached: &[(f64, u32)]) -> Vec<u32> {
        let mut near: Vec<u32> = reached
            .iter()
            .filter(|x| self.access[x.1 as usize])
            .map(|x| x.1)
            .take(NEAR_ACCESS_SITES)
            .collect();
        for &a in self.access_sites {
            if near.len() >= NEAR_ACCESS_SITES {
                break;
            }
            if !near.contains(&a) {
                near.push(a);
            }
        }
        near
    }

    /// The `k` nearest clusters plus the nearest clouds, the home cluster (nearest that
    /// exists from the start) first; a standby cluster is reached from it through the
    /// cross-cluster path (it is peered once created).
    fn candidates(&self, sc: &Scratch, site: u32, reached: &[(f64, u32)]) -> Vec<Candidate> {
        let t = self.t;
        let mut order: Vec<(f64, ClusterId)> = reached
            .iter()
            .flat_map(|&(rtt, s)| self.at_site[s as usize].iter().map(move |&c| (rtt, c)))
            .collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let is_cloud = |c: ClusterId| t.sites[t.cluster(c).site.ix()].tier == Tier::Cloud;
        let mut chosen: Vec<(f64, ClusterId)> = order.iter().take(self.k).copied().collect();
        let extra: Vec<(f64, ClusterId)> = order
            .iter()
            .filter(|x| is_cloud(x.1))
            .take(CLOUD_CANDIDATES)
            .filter(|x| !chosen.iter().any(|y| y.1 == x.1))
            .copied()
            .collect();
        chosen.extend(extra);
        if let Some(h) = chosen.iter().position(|x| !self.standby.contains(&x.1)) {
            let home = chosen.remove(h);
            chosen.insert(0, home);
        }
        let Some(&(_, home)) = chosen.first() else {
            return Vec::new();
        };
        if !kind_of(self.cross).cross_cluster_scheduling() {
            // Without one scheduling surface a session's pods, created at run time, can
            // only go to the cluster its users reach first.
            chosen.truncate(1);
        }
        let home_site = t.cluster(home).site;
        chosen
            .iter()
            .map(|&(rtt_ms, c)| {
                let k = t.cluster(c);
                // The home-to-candidate route: from this search when home is at this site.
                let route = if home_site.0 == site {
                    self.search.route_to(sc, k.site)
                } else {
                    t.route(home_site, k.site)
                };
                Candidate {
                    cluster: c,
                    rtt_ms,
                    cross_cluster: c != home,
                    path_ms: self.path_ms(home, c, route.as_ref()),
                    central_ms: self.central_ms.get(c.ix()).cloned().unwrap_or_default(),
                    bandwidth_gbps: t.sites[k.site.ix()].intra_site_bandwidth_gbps,
                    cpu_speed: k.cpu_speed_ratio,
                    site: k.site.0,
                    jitter_ms: self
                        .search
                        .route_to(sc, k.site)
                        .map_or(0.0, |r| r.jitter_ms),
                    near_rtt_ms: [f32::INFINITY; super::NEAR_ACCESS_SITES],
                    relays: NO_RELAYS,
                }
            })
            .collect()
    }

    /// Cross-cluster path cost of one frame of each application from `home` to `c` over
    /// `route`, ms (0 at home or without a route).
    fn path_ms(&self, home: ClusterId, c: ClusterId, route: Option<&Route>) -> Vec<f64> {
        self.apps
            .iter()
            .map(|a| {
                route
                    .and_then(|r| {
                        PathModel::on_route(&self.cfg.paths, a.protocol, home, c, self.cross, r)
                    })
                    .map_or(0.0, |p| {
                        let packets = p.packets((a.frame_bits / 8.0).ceil() as u32);
                        p.idle_delay_ns(packets).saturating_sub(p.propagation_ns) as f64 / 1e6
                    })
            })
            .collect()
    }

    /// RTTs from each nearby access site to every candidate's site (one bounded search
    /// from each), for the other users of shared sessions.
    fn fill_near_rtt(&self, sc: &mut Scratch, near: &[u32], cands: &mut [Candidate]) {
        for (j, &u) in near.iter().enumerate() {
            let mut left: Vec<u32> = cands.iter().map(|c| c.site).collect();
            left.sort_unstable();
            left.dedup();
            let mut found: Vec<(u32, f64)> = Vec::with_capacity(left.len());
            self.search.visit(sc, SiteId(u), |s, rtt| {
                if let Ok(i) = left.binary_search(&s.0) {
                    left.remove(i);
                    found.push((s.0, rtt));
                }
                !left.is_empty()
            });
            for c in cands.iter_mut() {
                c.near_rtt_ms[j] = found
                    .iter()
                    .find(|x| x.0 == c.site)
                    .map_or(f32::INFINITY, |x| x.1 as f32);
            }
        }
    }
}

/// For each cluster and application, the time a frame waits for its central components
/// when the session runs on that cluster: the RTT to the central cluster plus the
/// cross-cluster path's hop costs for a request and its reply (one packet each), ms; 0 for
/// applications without a central component in the frame path, or on the central cluster
/// itself. Empty when no application waits for one. One search from the central site.
fn central_round_trips(
    t: &Topology,
    cfg: &TopologyConfig,
    apps: &[SessionApp],
    cross: PathKind,
    central: Option<ClusterId>,
    search: &NearestSites,
) -> Vec<Vec<f64>> {
    let Some(k) = central else {
        return Vec::new();
    };
    if !apps.iter().any(|a| a.has_central && a.central_in_path) {
        return Vec::new();
    }
    let mut sc = search.scratch();
    let mut rtt = vec![f64::INFINITY; t.sites.len()];
    search.visit(&mut sc, t.cluster(k).site, |s, r| {
        rtt[s.ix()] = r;
        true
    });
    (0..t.clusters.len())
        .map(|i| {
            let c = ClusterId(i as u32);
            let site = t.cluster(c).site;
            let route = search.route_to(&sc, site);
            apps.iter()
                .map(|a| {
                    if !(a.has_central && a.central_in_path && k != c) {
                        return 0.0;
                    }
                    let path = route
                        .as_ref()
                        .and_then(|r| PathModel::on_route(&cfg.paths, a.protocol, c, k, cross, r));
                    let hops = path.map_or(0.0, |p| {
                        p.idle_delay_ns(p.packets(1))
                            .saturating_sub(p.propagation_ns) as f64
                            / 1e6
                    });
                    rtt[site.ix()] + 2.0 * hops
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::nearest::tests::random_topology;
    use proptest::prelude::*;

    fn sessions(k: u32, users: u32) -> SessionsConfig {
        toml::from_str(&format!(
            r#"
topology = "t.toml"
strategies = ["latency-greedy"]
candidates_per_site = {k}
[load]
kind = "poisson"
rate_per_s = 1.0
[[applications]]
name = "a"
share = 1.0
mean_duration_s = 60
cpu_cores = 1.0
memory_mib = 512
ms_per_frame = 2.0
frame_rate_fps = 60
bitrate_mbps = 10
protocol = "udp"
users = {users}
"#
        ))
        .expect("a sessions table")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// The bounded search picks what sorting every cluster by its all-pairs RTT row
        /// picks: the `k` nearest (ties by id), the nearest clouds, the home first; the
        /// nearest access sites likewise, and the other users' RTTs are the rows' values.
        #[test]
        fn candidates_are_those_of_the_all_pairs_rows(
            n in 3usize..30,
            k in 1u32..8,
            coords in prop::collection::vec((-60.0f64..60.0, -150.0f64..150.0), 30),
            links in prop::collection::vec((0usize..30, 0usize..30, 0.2f64..30.0), 0..50),
            derive in any::<bool>(),
        ) {
            let cfg = random_topology(n, &coords, &links, derive);
            let s = sessions(k, 3);
            let p = build_platform(&s, &cfg, CapacityModel::Nodes);
            let t = &p.topology;
            for site in 0..n {
                let row = t.rtt_from(SiteId(site as u32));
                let mut order: Vec<(f64, ClusterId)> = (0..t.clusters.len())
                    .map(|i| (row[t.clusters[i].site.ix()], ClusterId(i as u32)))
                    .filter(|x| x.0.is_finite())
                    .collect();
                order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                let mut want: Vec<ClusterId> = order.iter().take(k as usize).map(|x| x.1).collect();
                let clouds: Vec<ClusterId> = order
                    .iter()
                    .filter(|x| t.sites[t.cluster(x.1).site.ix()].tier == Tier::Cloud)
                    .take(CLOUD_CANDIDATES)
                    .map(|x| x.1)
                    .filter(|c| !want.contains(c))
                    .collect();
                want.extend(clouds);
                let got: Vec<ClusterId> = p.candidates[site].iter().map(|c| c.cluster).collect();
                prop_assert_eq!(&got, &want, "site {}", site);
                let mut near = p.access_sites.clone();
                near.sort_by(|&a, &b| row[a as usize].total_cmp(&row[b as usize]).then(a.cmp(&b)));
                near.truncate(NEAR_ACCESS_SITES);
                prop_assert_eq!(&p.near_access[site], &near);
                for c in &p.candidates[site] {
                    for (j, &u) in p.near_access[site].iter().enumerate() {
                        let r = t.rtt_from(SiteId(u))[c.site as usize] as f32;
                        prop_assert_eq!(c.near_rtt_ms[j], r);
                    }
                }
            }
        }
    }
}
