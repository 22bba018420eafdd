//! Tests of the capacity ledger ([`super`]): reservations, fits, GPU slots, relays.

use super::*;
use crate::config::load_experiment;
use crate::model::session_platform::build_platform;

/// The platform of `experiments/few-streams.toml` (Zurich's edge cluster first,
/// Frankfurt's cloud cluster second from Zurich) with its Liqo gateways slowed down
/// `gateway_slowdown` times.
fn platform(gateway_slowdown: f64) -> SessionPlatform {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/few-streams.toml");
    let mut e = load_experiment(&path).unwrap();
    let s = e.config.sessions.take().unwrap();
    let t = &mut e.topologies[0];
    t.paths.liqo.gateway_cores /= gateway_slowdown;
    build_platform(&s, t, s.capacity)
}

fn zurich(p: &SessionPlatform) -> u32 {
    p.topology
        .sites
        .iter()
        .position(|s| s.name == "zurich")
        .unwrap() as u32
}

#[test]
fn holding_and_releasing_returns_every_figure_to_where_it_was() {
    let p = platform(1.0);
    let mut l = Ledger::new(&p);
    let site = zurich(&p);
    let before: Vec<(f64, f64, f64)> = (0..l.len())
        .map(|i| (l.load(i).used_cpu, l.busy_share(i), l.stretch(i)))
        .collect();
    for cand in 0..p.candidates[site as usize].len() as u32 {
        let c = p.candidates[site as usize][cand as usize].cluster;
        for _ in 0..3 {
            l.hold(0, (site, cand), c);
        }
        assert_eq!(l.hosted(0, c.ix()), 3);
        assert!(l.load(c.ix()).used_cpu > 0.0 && l.stretch(c.ix()) >= 1.0);
        for _ in 0..3 {
            l.release(0, (site, cand), c);
        }
    }
    let after: Vec<(f64, f64, f64)> = (0..l.len())
        .map(|i| (l.load(i).used_cpu, l.busy_share(i), l.stretch(i)))
        .collect();
    for (b, a) in before.iter().zip(&after) {
        assert!((b.0 - a.0).abs() < 1e-9 && (b.1 - a.1).abs() < 1e-12 && b.2 == a.2);
    }
    assert_eq!(l.site_load_mbps(site as usize), 0.0);
}

#[test]
fn admission_refuses_a_gpu_session_when_the_slots_are_full_though_cpu_is_free() {
    let mut p = platform(1.0);
    let site = zurich(&p);
    let home = p.candidates[site as usize][0].cluster;
    // Each node with one L4 time-sliced 2 ways: nodes x 1 x 2 slots.
    p.topology.clusters[home.ix()].gpu = Some(crate::model::gpu::ClusterGpu {
        model: crate::model::gpu::gpu_model("l4").unwrap(),
        gpus_per_node: 1,
        sharing: crate::model::gpu::GpuSharing::TimeSlicing { replicas: 2 },
    });
    let nodes = p.topology.clusters[home.ix()].nodes;
    p.apps[0].gpu_render_ms_per_frame = 4.0;
    let mut l = Ledger::new(&p);
    assert_eq!(l.gpu_slots(home.ix()), 2 * nodes);
    let app = p.apps[0].clone();
    for _ in 0..2 * nodes {
        assert!(l.fits(home, &app));
        l.hold(0, (site, 0), home);
    }
    // Every slot held: refused, though the cluster's cores still have room for it.
    let (cpu, _) = l.capacity(home.ix());
    assert!(
        l.load(home.ix()).used_cpu + app.cpu_cores <= cpu,
        "CPU is free"
    );
    assert!(!l.fits(home, &app));
    // Two sessions on each GPU; releasing one frees its slot.
    assert_eq!(l.gpu_sessions_per_device(home.ix()), 2);
    l.release(0, (site, 0), home);
    assert!(l.fits(home, &app));
    // An application without GPU work ignores the GPU slots.
    let mut cpu_only = app.clone();
    cpu_only.gpu_render_ms_per_frame = 0.0;
    l.hold(0, (site, 0), home);
    assert!(l.fits(home, &cpu_only));
    // A 2-way time-sliced L4 slot has 24 / 2 = 12 GiB: 12 GiB fits, 12.5 GiB does not.
    l.release(0, (site, 0), home);
    let mut big = app.clone();
    big.gpu_memory_gib = 12.0;
    assert!(l.fits(home, &big));
    big.gpu_memory_gib = 12.5;
    assert!(!l.fits(home, &big));
    // A cluster without GPUs offers no slot to a GPU session.
    let other = p.candidates[site as usize][1].cluster;
    assert_eq!(l.gpu_slots(other.ix()), 0);
    assert!(!l.fits(other, &app));
}

#[test]
fn fits_refuses_what_the_cluster_cannot_hold() {
    let p = platform(1.0);
    let mut l = Ledger::new(&p);
    let site = zurich(&p);
    let home = p.candidates[site as usize][0].cluster;
    let app = &p.apps[0];
    let (cpu, _) = l.capacity(home.ix());
    let room = ((cpu - l.load(home.ix()).used_cpu) / app.cpu_cores).floor() as usize;
    for _ in 0..room {
        assert!(l.fits(home, app));
        l.hold(0, (site, 0), home);
    }
    assert!(!l.fits(home, app), "{room} sessions fill {cpu} cores");
    // A cluster that is down offers nothing.
    l.load_mut(home.ix()).down = 1;
    assert_eq!(l.capacity(home.ix()), (0.0, 0.0));
}

#[test]
fn a_remote_sessions_frames_load_its_peerings_gateway_and_wait_there() {
    // Slowed 40-fold, one 50 Mbit/s session keeps a 2.5 Gbit/s-per-core gateway
    // 80 % busy: the second one overloads it.
    let p = platform(40.0);
    let mut l = Ledger::new(&p);
    let site = zurich(&p);
    let cand = p.candidates[site as usize]
        .iter()
        .position(|c| c.cross_cluster)
        .unwrap() as u32;
    let c = p.candidates[site as usize][cand as usize].cluster;
    let gateway = p.candidates[site as usize][cand as usize].relays[0];
    assert_ne!(gateway, crate::model::relay::NO_RELAY);
    assert_eq!(l.relay_wait_ms(gateway), Some(EgressWait::NONE));
    l.hold(0, (site, cand), c);
    let one = l.relay_wait_ms(gateway).unwrap();
    assert_eq!(one.mean, 0.0, "a session does not wait behind itself");
    assert!(l.changed_relays().list().contains(&gateway));
    l.hold(0, (site, cand), c);
    assert_eq!(l.relay_wait_ms(gateway), None, "two sessions overload it");
    l.release(0, (site, cand), c);
    l.release(0, (site, cand), c);
    assert_eq!(l.relay_wait_ms(gateway), Some(EgressWait::NONE));
    // The home cluster's own sessions cross no gateway.
    assert!(p.candidates[site as usize][0]
        .relays
        .iter()
        .all(|&r| r == crate::model::relay::NO_RELAY));
}
