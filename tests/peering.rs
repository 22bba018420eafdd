//! Liqo peering as a process: the stream needs the peering, offloading and remote pod
//! first; a lost link stops traffic, Liqo declares the tunnel down after its liveness
//! checks, and traffic resumes when the link (and tunnel) are back.

use std::path::Path;
use xrplace::config::experiment::Protocol;
use xrplace::config::{load_experiment, LoadedExperiment};
use xrplace::experiment::{run_experiment, RunOptions, RunRow};

fn peering() -> LoadedExperiment {
    load_experiment(&Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/liqo-peering.toml"))
        .unwrap()
}

fn run0<'a>(rows: &'a [RunRow], scenario: &str) -> &'a RunRow {
    rows.iter()
        .find(|r| r.scenario == scenario && r.run == 0)
        .unwrap()
}

fn at(row: &RunRow, what: &str) -> Option<f64> {
    row.trace.iter().find(|t| t.1 == what).map(|t| t.0)
}

#[test]
fn a_new_peering_delays_the_first_byte_by_its_steps() {
    let e = peering();
    let l = &e.topologies[1].paths.liqo;
    let steps = l.peering_auth_s
        + l.peering_network_s
        + l.virtual_node_s
        + l.offloading_s
        + l.remote_pod_start_s;
    let r = run_experiment(&e, RunOptions::default()).unwrap();
    let (old, new) = (
        run0(&r.rows, "established-local"),
        run0(&r.rows, "new-peering-local"),
    );
    let order = [
        "peering-requested",
        "peering-authenticated",
        "tunnel-established",
        "virtual-node-ready",
        "namespace-offloaded",
        "remote-pods-running",
        "first-byte",
    ];
    let times: Vec<f64> = order
        .iter()
        .map(|w| at(new, w).unwrap_or_else(|| panic!("no {w}")))
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] < w[1]),
        "steps out of order: {times:?}"
    );
    let extra = new.summary.first_byte_s - old.summary.first_byte_s;
    assert!(
        (extra - steps).abs() < 0.05,
        "first byte {extra} s later, steps take {steps} s"
    );
}

#[test]
fn a_lost_link_is_detected_after_the_liveness_checks_and_stops_traffic() {
    let e = peering();
    let l = &e.topologies[4].paths.liqo;
    let detect = l.liveness_interval_s * l.liveness_misses as f64;
    let r = run_experiment(&e, RunOptions::default()).unwrap();
    let outage = run0(&r.rows, "tunnel-outage-30s");
    let lost = at(outage, "link-lost").unwrap();
    assert!((at(outage, "tunnel-down-detected").unwrap() - lost - detect).abs() < 1e-6);
    let up = at(outage, "tunnel-up").unwrap();
    assert!((up - at(outage, "link-restored").unwrap() - l.tunnel_reconnect_s).abs() < 1e-6);
    // TCP holds the frames of the outage: the oldest waits until the tunnel is back.
    assert!(outage.summary.latency_max_ms >= (up - lost) * 1000.0);

    let blip = run0(&r.rows, "tunnel-blip-4s");
    assert!(
        at(&blip.clone(), "tunnel-down-detected").is_none(),
        "4 s is shorter than {detect} s"
    );
    assert!(
        blip.summary.latency_max_ms >= 4000.0
            && blip.summary.latency_max_ms < outage.summary.latency_max_ms
    );

    let np = run0(&r.rows, "nodeport-outage-30s");
    assert!(
        at(np, "tunnel-down-detected").is_none(),
        "NodePort has no tunnel to declare down"
    );
    assert!(
        np.summary.latency_max_ms < outage.summary.latency_max_ms,
        "no re-handshake to wait for"
    );
}

#[test]
fn udp_frames_sent_into_a_cut_tunnel_are_lost() {
    let mut e = peering();
    let app = e.config.application.as_mut().unwrap();
    for f in &mut app.flows {
        f.protocol = Protocol::Udp;
    }
    let r = run_experiment(&e, RunOptions::default()).unwrap();
    let row = run0(&r.rows, "tunnel-outage-30s");
    // Cut from 60 s to 91 s (30 s down + 1 s reconnect): about 31 s x 30 fps frames lost,
    // give or take the segment (23 frames) in flight at either edge.
    let lost = row.summary.frames_lost as f64;
    assert!(
        (31.0 * 30.0 - 46.0..=31.0 * 30.0 + 46.0).contains(&lost),
        "{lost} frames lost"
    );
    assert_eq!(run0(&r.rows, "established-local").summary.frames_lost, 0);
}
