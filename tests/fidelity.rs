//! Frame and flow fidelity evaluate the same streaming scenarios and the same session
//! experiments; for chains and sessions that keep up with their frame rate they agree within
//! the stated tolerance: p50 within 5 %, p99 within 10 %, scenario by scenario and strategy
//! by strategy.

use std::path::Path;
use xrplace::config::experiment::Fidelity;
use xrplace::config::{load_experiment, LoadedExperiment};
use xrplace::experiment::{run_experiment, run_sessions, RunOptions};

fn paper() -> LoadedExperiment {
    let mut e = load_experiment(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/paper-streaming.toml"),
    )
    .unwrap();
    e.config.duration_s = 600.0;
    e.config.runs = 2;
    e
}

/// (scenario, p50 ms, p99 ms), averaged over runs, for one fidelity.
fn quantiles(mut e: LoadedExperiment, fidelity: Fidelity) -> Vec<(String, f64, f64)> {
    e.config.fidelity = Some(fidelity);
    let r = run_experiment(&e, RunOptions::default()).unwrap();
    r.scenarios
        .iter()
        .map(|s| {
            let rows = r.rows_of(s);
            let n = rows.len() as f64;
            let p50 = rows.iter().map(|x| x.summary.latency_p50_ms).sum::<f64>() / n;
            let p99 = rows.iter().map(|x| x.summary.latency_p99_ms).sum::<f64>() / n;
            (s.clone(), p50, p99)
        })
        .collect()
}

fn assert_agree(e: LoadedExperiment, what: &str) {
    let frame = quantiles(e.clone(), Fidelity::Frame);
    let flow = quantiles(e, Fidelity::Flow);
    assert_within_tolerance(&frame, &flow, what);
}

/// Flow's p50 within 5 % and p99 within 10 % of frame's, row by row (name, p50, p99).
fn assert_within_tolerance(frame: &[(String, f64, f64)], flow: &[(String, f64, f64)], what: &str) {
    assert_eq!(frame.len(), flow.len());
    for (a, b) in frame.iter().zip(flow) {
        assert!(
            (b.1 - a.1).abs() <= 0.05 * a.1,
            "{what} {}: p50 frame {} flow {}",
            a.0,
            a.1,
            b.1
        );
        assert!(
            (b.2 - a.2).abs() <= 0.10 * a.2,
            "{what} {}: p99 frame {} flow {}",
            a.0,
            a.2,
            b.2
        );
    }
}

#[test]
fn fidelities_agree_on_the_paper_scenarios() {
    assert_agree(paper(), "paper");
}

#[test]
fn fidelities_agree_on_a_heavier_stream() {
    // 60 fps at 60 Mbit/s, 0.5 s segments, a faster renderer (8 ms per frame): twice the
    // packets through every gateway and NAT, and the client decoding bursts twice as long.
    let mut e = paper();
    let app = e.config.application.as_mut().unwrap();
    app.components[0].cpu_ms_per_frame = 8.0;
    app.components[1].segment_ms = 500.0;
    for f in &mut app.flows {
        f.frame_rate_fps = 60.0;
        f.bitrate_mbps = 60.0;
    }
    assert_agree(e, "60 fps");
}

#[test]
fn both_fidelities_flag_an_overloaded_chain() {
    // A renderer needing 20 ms per frame at 60 fps cannot keep up: its queue grows all run.
    let mut e = paper();
    let app = e.config.application.as_mut().unwrap();
    app.components[0].cpu_ms_per_frame = 20.0;
    for f in &mut app.flows {
        f.frame_rate_fps = 60.0;
    }
    for fidelity in [Fidelity::Frame, Fidelity::Flow] {
        for (s, p50, _) in quantiles(e.clone(), fidelity) {
            assert!(
                p50 > 10_000.0,
                "{fidelity:?} {s}: p50 {p50} ms should show the growing queue"
            );
        }
    }
}

/// (strategy, p50 ms, p99 ms), averaged over runs, of a session
/// experiment at one fidelity.
fn session_quantiles(mut e: LoadedExperiment, fidelity: Fidelity) -> Vec<(String, f64, f64)> {
    e.config.fidelity = Some(fidelity);
    let r = run_sessions(&e, RunOptions::default()).unwrap();
    r.strategies
        .iter()
        .map(|name| {
            let rows: Vec<_> = r.rows.iter().filter(|x| &x.strategy == name).collect();
            let n = rows.len() as f64;
            let p50 = rows.iter().map(|x| x.summary.latency_p50_ms).sum::<f64>() / n;
            let p99 = rows.iter().map(|x| x.summary.latency_p99_ms).sum::<f64>() / n;
            (name.clone(), p50, p99)
        })
        .collect()
}

#[test]
fn session_fidelities_agree_on_a_mid_size_scenario() {
    // The shipped frame-fidelity experiment (36 sites, collaborative sessions waiting on a
    // synchroniser in Frankfurt), one run of an hour per strategy.
    let mut e = load_experiment(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/fidelity-eu.toml"),
    )
    .unwrap();
    assert_eq!(
        e.config.fidelity(),
        Fidelity::Frame,
        "the file is a frame-fidelity run"
    );
    e.config.duration_s = 3600.0;
    e.config.runs = 1;
    let frame = session_quantiles(e.clone(), Fidelity::Frame);
    let flow = session_quantiles(e, Fidelity::Flow);
    assert_eq!(frame.len(), 2);
    for a in &frame {
        assert!(
            a.1 > 5.0 && a.2 >= a.1,
            "{}: frame p50 {} p99 {}",
            a.0,
            a.1,
            a.2
        );
    }
    assert_within_tolerance(&frame, &flow, "fidelity-eu");
}
