//! Generates valid topologies of any size for scale tests.
//!
//! Sites are scattered over Europe's bounding box; one in ten is a cloud region (at
//! least one), the rest are edge and far-edge sites. Each non-cloud site gets one measured
//! link to its nearest cloud, clouds are linked in a chain, and the rest of the pairs
//! are derived from distance, so every site is reachable.

use crate::config::topology::{
    ClusterConfig, Distribution, LinkConfig, PathsConfig, Provider, RoutingConfig, SiteConfig,
    Tier, TopologyConfig,
};
use crate::engine::RngStreams;
use rand::Rng;

/// A topology of `sites` sites, one cluster each, drawn from `seed`.
pub fn generate_topology(sites: usize, seed: u64) -> TopologyConfig {
    let streams = RngStreams::new(seed, 0);
    let mut rng = streams.stream("topology-generator");
    let clouds = (sites / 10).max(1);
    let site_list: Vec<SiteConfig> = (0..sites)
        .map(|i| {
            let tier = if i < clouds {
                Tier::Cloud
            } else if rng.random_bool(0.6) {
                Tier::Edge
            } else {
                Tier::FarEdge
            };
            site_with_defaults(
                format!("site-{i:05}"),
                round3(rng.random_range(36.0..60.0)),
                round3(rng.random_range(-9.0..25.0)),
                tier,
            )
        })
        .collect();
    let clusters = site_list
        .iter()
        .map(|s| {
            let (nodes, vcpu) = match s.tier {
                Tier::Cloud => (rng.random_range(10..=50), 8.0),
                Tier::Edge => (rng.random_range(3..=10), 4.0),
                Tier::FarEdge => (rng.random_range(1..=3), 4.0),
            };
            cluster_with_defaults(s, nodes, vcpu)
        })
        .collect();
    let mut topo = TopologyConfig {
        name: format!("generated-{sites}-{seed}"),
        routing: RoutingConfig::default(),
        sites: site_list,
        clusters,
        links: Vec::new(),
        paths: PathsConfig::default(),
    };
    topo.links = generated_links(&topo, clouds);
    topo
}

/// A site with the defaults of its tier: 0.3 ms and 10 Gbit/s inside the site; access
/// latency 10 ms to a cloud region, 3 ms to a metro edge site, 1 ms to a far-edge site
/// (`topologies/eu-continuum.toml`'s tiers, its 8 ms cloud access rounded up for regions
/// farther from their users; estimates).
pub fn site_with_defaults(name: String, lat: f64, lon: f64, tier: Tier) -> SiteConfig {
    SiteConfig {
        name,
        lat,
        lon,
        tier,
        intra_site_rtt_ms: 0.3,
        intra_site_bandwidth_gbps: 10.0,
        access_latency_ms: match tier {
            Tier::Cloud => 10.0,
            Tier::Edge => 3.0,
            Tier::FarEdge => 1.0,
        },
        pue: None,
        country: None,
        grid_gco2e_per_kwh: None,
    }
}

/// One cluster `k8s-<site>` of `nodes` nodes of `vcpu` vCPU and 4 GiB per vCPU at
/// `site`: kubeadm in a cloud region and k3s elsewhere, on OpenStack, with a baseline of
/// 0.25 core and 1 GiB per node and the tier's prices (public list prices, edge x1.3, as
/// in `topologies/eu-continuum.toml` and design.md; an estimate).
pub fn cluster_with_defaults(site: &SiteConfig, nodes: u32, vcpu: f64) -> ClusterConfig {
    let cloud = site.tier == Tier::Cloud;
    ClusterConfig {
        name: format!("k8s-{}", site.name),
        site: site.name.clone(),
        nodes,
        vcpu_per_node: vcpu,
        memory_gib_per_node: vcpu * 4.0,
        distribution: if cloud {
            Distribution::Kubeadm
        } else {
            Distribution::K3s
        },
        provider: Provider::Openstack,
        cpu_speed_ratio: 1.0,
        baseline_cpu_cores: 0.25 * nodes as f64,
        baseline_memory_mib: 1024.0 * nodes as f64,
        cost_per_vcpu_hour_usd: if cloud { 0.0405 } else { 0.0527 },
        cost_per_gib_hour_usd: if cloud { 0.0044 } else { 0.0057 },
        idle_watts_per_node: None,
        peak_watts_per_node: None,
        gpu: None,
        existing: false,
        machine_deployment: String::new(),
    }
}

fn generated_links(t: &TopologyConfig, clouds: usize) -> Vec<LinkConfig> {
    let r = &t.routing;
    let rtt = |a: &SiteConfig, b: &SiteConfig| {
        round3(r.base_rtt_ms + r.route_inflation * 2.0 * haversine_km(a, b) / r.fiber_km_per_ms)
    };
    let link = |a: &SiteConfig, b: &SiteConfig, gbps: f64| LinkConfig {
        a: a.name.clone(),
        b: b.name.clone(),
        rtt_ms: rtt(a, b),
        jitter_ms: 0.5,
        bandwidth_gbps: gbps,
        loss_pct: 0.0,
        background_util: 0.0,
        background_packet_bytes: 1500,
    };
    let mut links: Vec<LinkConfig> = t.sites[..clouds]
        .windows(2)
        .map(|w| link(&w[0], &w[1], 100.0))
        .collect();
    for s in &t.sites[clouds..] {
        let nearest = t.sites[..clouds]
            .iter()
            .min_by(|a, b| haversine_km(s, a).total_cmp(&haversine_km(s, b)))
            .expect("at least one cloud");
        links.push(link(s, nearest, 10.0));
    }
    links
}

/// `x` rounded to three decimals.
pub(crate) fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Great-circle distance between two sites, km (mean Earth radius 6,371 km).
pub(crate) fn haversine_km(a: &SiteConfig, b: &SiteConfig) -> f64 {
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((b.lon - a.lon).to_radians() / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::source::Source;
    use crate::config::topology_check::validate_topology;
    use std::path::Path;

    #[test]
    fn generated_topologies_validate_and_are_reproducible() {
        for (n, seed) in [(1, 1), (12, 2), (200, 3)] {
            let text = toml::to_string(&generate_topology(n, seed)).unwrap();
            let src = Source::from_text(Path::new("gen.toml"), text.clone());
            let cfg: TopologyConfig = src.parse().unwrap();
            validate_topology(&src, &cfg).unwrap();
            assert_eq!(cfg.sites.len(), n);
            assert_eq!(text, toml::to_string(&generate_topology(n, seed)).unwrap());
        }
    }
}
