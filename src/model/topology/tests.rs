use super::*;
use crate::config::source::Source;
use crate::config::topology_check::validate_topology;
use std::path::Path;

fn topo(text: &str) -> Topology {
    let src = Source::from_text(Path::new("t.toml"), text.to_string());
    let cfg: TopologyConfig = src.parse().expect("parses");
    validate_topology(&src, &cfg).expect("valid");
    Topology::from_config(&cfg)
}

const THREE_SITES: &str = r#"
name = "t"
[[sites]]
name = "fra"
lat = 50.11
lon = 8.68
tier = "cloud"
[[sites]]
name = "gva"
lat = 46.20
lon = 6.14
tier = "edge"
[[sites]]
name = "mil"
lat = 45.46
lon = 9.19
tier = "edge"
[[clusters]]
name = "c"
site = "fra"
nodes = 1
vcpu_per_node = 2
memory_gib_per_node = 4
distribution = "k3s"
provider = "openstack"
[[links]]
a = "fra"
b = "gva"
rtt_ms = 13.7
jitter_ms = 1.5
bandwidth_gbps = 10
[[links]]
a = "gva"
b = "mil"
rtt_ms = 6.0
jitter_ms = 2.0
bandwidth_gbps = 1
"#;

#[test]
fn frankfurt_geneva_distance_is_about_476_km() {
    let t = topo(THREE_SITES);
    let d = t.distance_km(SiteId(0), SiteId(1));
    assert!((d - 476.0).abs() < 15.0, "haversine gave {d} km");
}

#[test]
fn routes_add_rtt_and_variance_and_take_the_bottleneck() {
    let t = topo(THREE_SITES);
    let r = t.route(SiteId(0), SiteId(2)).unwrap();
    // 13.7 + 6.0 ms; sqrt(1.5^2 + 2^2) = 2.5 ms; min(10, 1) Gbit/s.
    assert!((r.rtt_ms - 19.7).abs() < 1e-9);
    assert!((r.jitter_ms - 2.5).abs() < 1e-9);
    assert_eq!(r.bandwidth_gbps, 1.0);
    assert!(!r.derived);
}

#[test]
fn a_loaded_link_knows_the_links_before_it_in_the_route_direction() {
    let text = THREE_SITES.replace(
        "bandwidth_gbps = 1\n",
        "bandwidth_gbps = 1\nbackground_util = 0.4\n",
    );
    let t = topo(&text);
    // fra -> mil: the 10 Gbit/s fra-gva link comes before the loaded gva-mil link.
    let down = t.route(SiteId(0), SiteId(2)).unwrap().background;
    assert_eq!((down.util, down.link_gbps), (0.4, 1.0));
    assert_eq!(down.upstream_gbps, 10.0);
    // mil -> fra: the loaded link is the first one.
    let up = t.route(SiteId(2), SiteId(0)).unwrap().background;
    assert_eq!(up.upstream_gbps, f64::INFINITY);
}

#[test]
fn missing_links_are_derived_from_distance() {
    let t = topo(&THREE_SITES.replace("[[links]]\na = \"gva\"", "[[links]]\na = \"fra\""));
    // fra-mil links now: fra-gva and fra-mil; gva-mil goes through fra (13.7 + 6 ms).
    let r = t.route(SiteId(1), SiteId(2)).unwrap();
    assert!((r.rtt_ms - 19.7).abs() < 1e-9);
    let lone = topo(THREE_SITES.split("[[links]]").next().unwrap());
    let r = lone.route(SiteId(0), SiteId(1)).unwrap();
    // 1 + 2.5 * 2 * 476 / 200 = 12.9 ms, close to the measured 13.7 ms.
    assert!(
        r.derived && (r.rtt_ms - 12.9).abs() < 0.5,
        "derived {}",
        r.rtt_ms
    );
}

#[test]
fn allocatable_capacity_leaves_reserves_out_and_keeps_raw_cores_for_contention() {
    let mut t = topo(THREE_SITES);
    let k = &t.clusters[0];
    assert_eq!(k.schedulable_cpu_cores, k.cpu_cores);
    let liqo = Resources {
        cpu_cores: 0.05,
        memory_mib: 190.0,
    };
    t.use_allocatable(liqo);
    let k = &t.clusters[0];
    // One 2 vCPU / 4 GiB k3s server: 2 - (0.06 + 0.01) - 0.05 (server) - 0.05 (Liqo)
    // - 0.546 (the monitoring stack on one node: 0.444 + one node-exporter's 0.102)
    // = 1.284 cores; 4096 - 1024 (25 % of 4 GiB) - 100 (eviction) - 1331 - 190
    // - 1320 (monitoring: 1140 + 180) = 131 MiB.
    assert!(
        (k.schedulable_cpu_cores - 1.284).abs() < 1e-9,
        "{}",
        k.schedulable_cpu_cores
    );
    assert!((k.schedulable_memory_mib - 131.0).abs() < 1e-9);
    assert_eq!(k.cpu_cores, 2.0);
}
