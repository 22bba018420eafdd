//! No silent cap at flow fidelity: a site egress queue at or above utilisation 1 is
//! reported as overloaded, and its sessions' time counts as over budget.

use std::path::Path;
use xrplace::config::{load_experiment, LoadedExperiment};
use xrplace::experiment::{run_sessions, RunOptions};
use xrplace::metrics::sessions::SessionSummary;

/// strategies-eu for two hours with latency-greedy, every site's egress at `gbps`.
fn eu(gbps: Option<f64>) -> LoadedExperiment {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/strategies-eu.toml");
    let mut e = load_experiment(&path).unwrap();
    e.config.duration_s = 7200.0;
    e.config.runs = 1;
    let s = e.config.sessions.as_mut().unwrap();
    s.strategies = vec!["latency-greedy".into()];
    s.faults.clear();
    if let Some(g) = gbps {
        for site in &mut e.topologies[0].sites {
            site.intra_site_bandwidth_gbps = g;
        }
    }
    e
}

fn summary(e: &LoadedExperiment) -> SessionSummary {
    run_sessions(e, RunOptions::default()).unwrap().rows[0]
        .summary
        .clone()
}

#[test]
fn an_egress_queue_past_capacity_is_overloaded_and_over_budget() {
    let fine = summary(&eu(None));
    assert_eq!(
        fine.overloaded_session_hours, 0.0,
        "10 Gbit/s egress keeps up"
    );
    // 120 Mbit/s per site: two 50 Mbit/s cloud-VR sessions fit, a third overloads it.
    let tight = summary(&eu(Some(0.12)));
    assert!(tight.overloaded_session_hours > 0.0);
    let hours: f64 = tight.per_app.iter().map(|a| a.session_hours).sum();
    let share = tight.overloaded_session_hours / hours;
    assert!(
        tight.slo_violation_ratio >= share,
        "overloaded share {share} of the time, violation ratio {}",
        tight.slo_violation_ratio
    );
    eprintln!(
        "overloaded {:.1} of {hours:.1} session-hours; violation {:.3} (10 Gbit/s: {:.3})",
        tight.overloaded_session_hours, tight.slo_violation_ratio, fine.slo_violation_ratio
    );
    assert!(tight.slo_violation_ratio > fine.slo_violation_ratio);
    // The latency figures describe the stable queues only: finite.
    assert!(tight.latency_p99_ms.is_finite() && tight.latency_mean_ms.is_finite());
}

#[test]
fn cores_kept_busy_past_capacity_are_overloaded_and_reported() {
    // Contention is taken at the busy share (baseline plus the sessions' work), not at the
    // reservations: first-fit fills clusters to their last reserved core, and with the
    // shipped work per frame (cloud VR: 4 ms at 72 fps, 0.29 of its 2 cores) no cluster's
    // cores are overloaded.
    let mut e = eu(None);
    e.config.sessions.as_mut().unwrap().strategies = vec!["first-fit".into()];
    for c in &mut e.topologies[0].clusters {
        c.vcpu_per_node /= 4.0;
    }
    let packed = summary(&e);
    assert_eq!(packed.cpu_saturated_session_hours, 0.0);
    // Applications whose work fills their reservation: a fully booked cluster's busy share
    // is its baseline plus all its cores, past 1.
    for a in &mut e.config.sessions.as_mut().unwrap().applications {
        a.ms_per_frame = 1e3 * a.cpu_cores / a.frame_rate_fps;
    }
    let busy = summary(&e);
    let hours: f64 = busy.per_app.iter().map(|a| a.session_hours).sum();
    assert!(
        busy.cpu_saturated_session_hours > 0.0
            && busy.cpu_saturated_session_hours <= busy.overloaded_session_hours + 1e-9
            && busy.overloaded_session_hours <= hours + busy.overloaded_session_hours,
        "{} h overloaded cores, {} h overloaded, {hours} h hosted",
        busy.cpu_saturated_session_hours,
        busy.overloaded_session_hours
    );
    assert!(busy.slo_violation_ratio > packed.slo_violation_ratio);
    eprintln!(
        "overloaded cores: {:.1} session-hours with work filling the requests; none with the shipped work",
        busy.cpu_saturated_session_hours
    );
}
