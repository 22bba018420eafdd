use super::*;
use crate::config::experiment::Protocol;
use crate::config::topology::{Distribution, PathsConfig, Provider, TopologyConfig};
use crate::model::ids::ClusterId;
use crate::model::topology::Topology;

fn two_sites(rtt_ms: f64) -> Topology {
    let text = format!(
        r#"
name = "t"
[[sites]]
name = "a"
lat = 50.0
lon = 8.0
tier = "cloud"
[[sites]]
name = "b"
lat = 46.0
lon = 6.0
tier = "edge"
[[clusters]]
name = "ca"
site = "a"
nodes = 1
vcpu_per_node = 2
memory_gib_per_node = 4
distribution = "kubeadm"
provider = "openstack"
[[clusters]]
name = "cb"
site = "b"
nodes = 1
vcpu_per_node = 2
memory_gib_per_node = 4
distribution = "kubeadm"
provider = "openstack"
[[links]]
a = "a"
b = "b"
rtt_ms = {rtt_ms}
bandwidth_gbps = 10
"#
    );
    let cfg: TopologyConfig = toml::from_str(&text).unwrap();
    assert_eq!(cfg.clusters[0].distribution, Distribution::Kubeadm);
    assert_eq!(cfg.clusters[0].provider, Provider::Openstack);
    Topology::from_config(&cfg)
}

fn path(rtt_ms: f64, kind: PathKind) -> PathModel {
    let t = two_sites(rtt_ms);
    PathModel::build(
        &t,
        &PathsConfig::default(),
        Protocol::Tcp,
        ClusterId(0),
        ClusterId(1),
        kind,
    )
    .unwrap()
}

#[test]
fn same_cluster_is_always_local() {
    let t = two_sites(10.0);
    let p = PathModel::build(
        &t,
        &PathsConfig::default(),
        Protocol::Udp,
        ClusterId(1),
        ClusterId(1),
        PathKind::Liqo,
    )
    .unwrap();
    assert_eq!(p.kind, PathKind::Local);
    assert_eq!(p.propagation_ns, 0);
}

#[test]
fn liqo_mtu_means_more_packets_than_nodeport() {
    // 100 kB over 1340 - 52 = 1288 B payloads is 78 packets, over 1448 B it is 70.
    assert_eq!(path(1.0, PathKind::Liqo).packets(100_000), 78);
    assert_eq!(path(1.0, PathKind::Nodeport).packets(100_000), 70);
}

#[test]
fn delay_grows_with_rtt_by_half_the_rtt_difference() {
    let near = path(1.0, PathKind::Liqo).idle_delay_ns(50);
    let far = path(21.0, PathKind::Liqo).idle_delay_ns(50);
    assert_eq!(far - near, 10_000_000);
}

#[test]
fn gateway_crypto_sets_liqo_bottleneck() {
    let p = path(1.0, PathKind::Liqo);
    // (1340 + 60 + 38) B * 8 = 11504 bits at 0.4 ns per bit on one core = 4602 ns.
    let gw = p.hops.iter().find(|h| h.name == "liqo-gateway").unwrap();
    assert_eq!(gw.per_packet_ns, 4602);
    let slowest = p.hops.iter().map(|h| h.per_packet_ns).max().unwrap();
    assert_eq!(slowest, 4602);
    // The Geneve legs: CNI 1 µs + (1340 + 50 + 38) B * 8 = 11424 bits on the 10 Gbit/s
    // node link = 1142 ns.
    let legs: Vec<u64> = p
        .hops
        .iter()
        .filter(|h| h.name == "geneve-leg")
        .map(|h| h.per_packet_ns)
        .collect();
    assert_eq!(legs, [2142, 2142]);
}
/// One-way delay of a 10-packet TCP frame through an idle path on a 10 ms, 10 Gbit/s
/// route, by hand from the sourced defaults (`docs/interconnects.md`): a server
/// serves a packet of (pod MTU + overhead + 38 B Ethernet framing) x 8 bits in
/// bits / max_gbps ns, adds added_latency_us / servers once and, for L7 proxies,
/// request_us per frame; the delay is every hop's first packet and fixed costs, nine
/// more packets at the slowest hop, and 5 ms of propagation.
#[test]
fn named_kinds_match_hand_computed_one_way_delays() {
    let cases = [
        // legs to the gateway nodes: CNI 1000 + VXLAN packet (1438 + 50 + 38) x 8 =
        // 12208 bits on the 10 Gbit/s node link = 1221, so 2221 each; 2221 + 2 x
        // (12304 / 2.6 = 4732 + 49500) + wan 12304 / 10 = 1230 + 2221 = 114136;
        // + 9 x 4732 = 42588; + 5e6.
        (PathKind::Submariner, 5_156_724),
        // 3 x (11904 / 8.6 = 1384 + 114 / 3 = 38000) + 100000 at each sidecar (the
        // east-west gateway passes through) + wan 1190 = 319342; + 9 x 1384 = 12456;
        // + 5e6.
        (PathKind::Istio, 5_331_798),
        // 2 x (12304 / 30 = 410 + 1500) + 1230 = 5050; the link is slowest: + 9 x
        // 1230 = 11070; + 5e6.
        (PathKind::CiliumClustermesh, 5_016_120),
        // 2 x (11904 / 4.2 = 2834 + 142 / 2 = 71000 + 50000) + 1190 = 248858; + 9 x
        // 2834 = 25506; + 5e6.
        (PathKind::Skupper, 5_274_364),
        // 3 x (11904 / 5 = 2381 + 114 / 3 = 38000 + 100 x 36 / 67 = 53731) + 1190 =
        // 283526; + 9 x 2381 = 21429; + 5e6.
        (PathKind::Linkerd, 5_304_955),
        // 4 x (1384 + 152 / 4 = 38000) + 2 sidecars x 100000 + 1190 = 358726; + 12456;
        // + 5e6.
        (PathKind::Consul, 5_371_182),
        // 2 x (12304 / 3 = 4101 + 25000) + 1230 = 59432; + 9 x 4101 = 36909; + 5e6.
        (PathKind::Nsm, 5_096_341),
    ];
    for (kind, want) in cases {
        let p = path(10.0, kind);
        assert_eq!(p.kind, kind);
        assert_eq!(p.idle_delay_ns(10), want, "{kind:?}");
    }
}

#[test]
fn a_variant_and_an_override_change_the_servers() {
    let t = two_sites(10.0);
    let mut params = PathsConfig::default();
    params.submariner.variant = "vxlan".into();
    let build = |params: &PathsConfig| {
        PathModel::build(
            &t,
            params,
            Protocol::Tcp,
            ClusterId(0),
            ClusterId(1),
            PathKind::Submariner,
        )
        .unwrap()
    };
    let gw = |p: &PathModel| {
        p.hops
            .iter()
            .find(|h| h.name == "submariner-gateway")
            .cloned()
    };
    // VXLAN: 1450 + 50 + 38 B = 12304 bits at 9.9 Gbit/s = 1243 ns; 90 / 2 µs fixed.
    let vxlan = gw(&build(&params)).unwrap();
    assert_eq!((vxlan.per_packet_ns, vxlan.fixed_ns), (1243, 45_000));
    params.submariner.max_gbps = Some(1.0);
    assert_eq!(gw(&build(&params)).unwrap().per_packet_ns, 12_304);
    // Gateways bill the side they sit on.
    let p = build(&params);
    let billed: Vec<_> = p.hops.iter().filter_map(|h| h.cpu_cluster).collect();
    assert_eq!(billed, vec![ClusterId(0), ClusterId(1)]);
}
