use super::*;

/// The facts of `kind` with its table naming `variant` (empty: none named).
fn of(kind: PathKind, variant: &str) -> Interconnect {
    let mut paths = PathsConfig::default();
    if let Some(cfg) = paths.interconnect_mut(kind) {
        cfg.variant = variant.to_string();
    }
    Interconnect::of(kind, &paths)
}

/// One way added over host to host from ICPE'25's uperf TCP_RR at 64 B, one thread
/// (`results/ICPE 25 - TCP performance.csv`): RTT = 2 / op/s, host to host between
/// the clusters 62,948 op/s.
fn icpe_one_way_us(op_s: f64) -> f64 {
    (2.0 / op_s - 2.0 / 62_948.0) / 2.0 * 1e6
}

#[test]
fn low_load_latency_reproduces_the_measurements() {
    // Submariner 8,678 op/s: 99.3 µs; its gateways do no per-frame work.
    let sub = of(PathKind::Submariner, "ipsec");
    assert!((sub.added_latency_us - icpe_one_way_us(8_678.0)).abs() < 0.5);
    assert_eq!(sub.request_us, 0.0);
    // Istio 7,707 op/s: 113.9 µs over TCP (no HTTP work in it).
    let istio = of(PathKind::Istio, "sidecar");
    assert!((istio.added_latency_us - icpe_one_way_us(7_707.0)).abs() < 0.5);
    // Skupper 3,885 op/s: 241.5 µs with the routers' per-message work inside, so the
    // fixed part and the two routers' busy time add up to it, not more.
    let sk = of(PathKind::Skupper, "");
    let idle = sk.added_latency_us + sk.servers.len() as f64 * sk.request_us;
    assert!((idle - icpe_one_way_us(3_885.0)).abs() < 0.6, "{idle}");
    // Istio's ambient test: +0.13 ms per request (a round trip) on warm connections.
    assert_eq!(
        of(PathKind::Istio, "ambient").added_latency_us,
        0.13e3 / 2.0
    );
}

#[test]
fn cpu_over_a_traversal_is_icpe_total_at_the_single_connection_point() {
    // Sender + receiver CPU overhead / Gbit/s at 8 KiB, one thread: Submariner 2.22 at
    // 2.73, Istio 3.57 at 8.56, Skupper 4.90 at 4.19. The path model bills
    // cpu_per_gbit at every server.
    for (kind, variant, total, gbps) in [
        (PathKind::Submariner, "ipsec", 2.22, 2.73),
        (PathKind::Istio, "sidecar", 3.57, 8.56),
        (PathKind::Skupper, "", 4.90, 4.19),
    ] {
        let ic = of(kind, variant);
        let billed = ic.servers.len() as f64 * ic.cpu_per_gbit;
        let want = total / gbps;
        assert!(
            (billed / want - 1.0).abs() < 0.02,
            "{kind:?}: {billed} against {want}"
        );
    }
}

#[test]
fn submariner_wireguard_costs_2_6_times_ipsec_per_gbit() {
    // submariner#1509: 2.1 x the CPU for 0.8 against 1.0 Gbit/s.
    let ratio = of(PathKind::Submariner, "wireguard").cpu_per_gbit
        / of(PathKind::Submariner, "ipsec").cpu_per_gbit;
    assert!((ratio - 2.1 / 0.8).abs() < 0.01, "{ratio}");
}

#[test]
fn proxy_work_follows_istio_1_24_per_direction() {
    // 0.20 vCPU (sidecar) and 0.06 vCPU (ztunnel) per 1,000 requests/s: 200 and 60 µs
    // of CPU per request and its response; a frame is one direction.
    assert_eq!(of(PathKind::Istio, "sidecar").request_us, 200.0 / 2.0);
    assert_eq!(of(PathKind::Istio, "ambient").request_us, 60.0 / 2.0);
    assert_eq!(of(PathKind::Consul, "").request_us, 200.0 / 2.0);
}

#[test]
fn linkerd_proxies_are_no_slower_and_no_costlier_than_envoy() {
    // Both Linkerd-vs-Istio benchmarks measure less added latency and less proxy CPU
    // for Linkerd; per proxy, the model must not say otherwise.
    let istio = of(PathKind::Istio, "sidecar");
    for variant in ["gateway", "flat"] {
        let l = of(PathKind::Linkerd, variant);
        let per = |ic: &Interconnect| ic.added_latency_us / ic.servers.len() as f64;
        assert!(per(&l) <= per(&istio) + 1e-9, "{variant}");
        assert!(l.request_us < istio.request_us, "{variant}");
        assert!(l.cpu_per_gbit < istio.cpu_per_gbit, "{variant}");
        // One frame through the idle proxies: Linkerd's below Istio's.
        let idle =
            |ic: &Interconnect| ic.added_latency_us + ic.request_servers() as f64 * ic.request_us;
        assert!(idle(&l) < idle(&istio), "{variant}");
    }
}

#[test]
fn daemonsets_are_paid_per_node_and_deployments_per_cluster() {
    // NSM (deployments-k8s, interdomain suite): forwarder-vpp 150m / 350 Mi, nsmgr
    // 200m / 100 Mi and its exclude-prefixes sidecar 75m / 40 Mi on every node.
    let nsm = of(PathKind::Nsm, "wireguard");
    let grow_mem = nsm.agent_memory_mib_for(20) - nsm.agent_memory_mib_for(1);
    let grow_cpu = nsm.agent_cpu_cores_for(20) - nsm.agent_cpu_cores_for(1);
    assert!((grow_mem - 19.0 * (350.0 + 100.0 + 40.0)).abs() < 1e-9);
    assert!((grow_cpu - 19.0 * (0.150 + 0.200 + 0.075)).abs() < 1e-9);
    // A one-node cluster pays its Deployments once: nsmgr-proxy 200m + map-ip-k8s 50m
    // + registry-k8s 100m + registry-proxy-dns 100m, plus one node.
    assert!((nsm.agent_cpu_cores_for(1) - (0.45 + 0.425)).abs() < 1e-9);
    // Consul's mesh gateway is a Deployment: the same on any cluster size.
    let consul = of(PathKind::Consul, "");
    assert_eq!(
        consul.agent_memory_mib_for(1),
        consul.agent_memory_mib_for(20)
    );
    // Cilium: the ClusterMesh share per node stays below the whole agent at rest
    // (0.15 % of 2 vCPU) and the 438 MiB agent at 50 k pods.
    let c = of(PathKind::CiliumClustermesh, "tunnel");
    assert!(c.agent_cpu_cores_per_node <= 0.0015 * 2.0);
    assert!(c.agent_memory_mib_for(1) < 438.0);
}

#[test]
fn every_server_of_every_kind_says_how_it_is_shared() {
    let paths = PathsConfig::default();
    for kind in PathKind::ALL {
        let mut vs: Vec<&str> = kind.variants().to_vec();
        if vs.is_empty() {
            vs.push("");
        }
        for v in vs {
            let ic = if v.is_empty() {
                Interconnect::of(kind, &paths)
            } else {
                of(kind, v)
            };
            for (name, _) in &ic.servers {
                assert!(Sharing::of_server(name).is_some(), "{kind:?}/{v}: {name}");
            }
        }
    }
    // A Liqo gateway is one per peering; Submariner's one per cluster.
    assert_eq!(Sharing::of_server("liqo-gateway"), Some(Sharing::Peering));
    assert_eq!(
        Sharing::of_server("submariner-gateway"),
        Some(Sharing::Cluster)
    );
}

#[test]
fn a_topology_agent_figure_replaces_the_per_node_share() {
    let mut paths = PathsConfig::default();
    paths.nsm.agent_memory_mib = Some(500.0);
    let ic = Interconnect::of(PathKind::Nsm, &paths);
    assert_eq!(ic.agent_memory_mib_for(10), 500.0);
    // CPU, not set, keeps its sourced per-node share.
    assert!(ic.agent_cpu_cores_for(10) > ic.agent_cpu_cores_for(1));
}
