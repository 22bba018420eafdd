//! Frame and flow fidelity evaluate the same streaming scenarios and the same session
//! experiments; for chains and sessions that keep up with their frame rate they agree within
//! the stated tolerance: p50 within 5 %, p99 within 10 %, scenario by scenario and strategy
//! by strategy.

use std::path::Path;
use xrplace::config::experiment::Fidelity;
use xrplace::config::{load_experiment, LoadedExperiment};
use xrplace::experiment::{run_experiment, run_sessions, RunOptions};
use xrplace::metrics::histogram::quantile_levels;

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
    // The summary says why: 20 ms of work per 16.7 ms frame, at least 1.2 of the renderer.
    let r = run_experiment(&e, RunOptions::default()).unwrap();
    for (s, neck) in r.scenarios.iter().zip(&r.bottlenecks) {
        assert!(
            neck.overloaded() && neck.util >= 1.2 && neck.at == "component:renderer",
            "{s}: {neck:?}"
        );
    }
}

/// One strategy's figures of a session experiment, averaged over runs.
#[derive(Debug, Clone, Copy)]
struct Figures {
    p50: f64,
    p99: f64,
    mean: f64,
    slo: f64,
}

/// Per strategy (in file order): its name and figures at one fidelity.
fn session_figures(mut e: LoadedExperiment, fidelity: Fidelity) -> Vec<(String, Figures)> {
    e.config.fidelity = Some(fidelity);
    let r = run_sessions(&e, RunOptions::default()).unwrap();
    r.strategies
        .iter()
        .map(|name| {
            let rows: Vec<_> = r.rows.iter().filter(|x| &x.strategy == name).collect();
            let n = rows.len() as f64;
            let avg = |f: &dyn Fn(&xrplace::metrics::sessions::SessionSummary) -> f64| {
                rows.iter().map(|x| f(&x.summary)).sum::<f64>() / n
            };
            let figures = Figures {
                p50: avg(&|s| s.latency_p50_ms),
                p99: avg(&|s| s.latency_p99_ms),
                mean: avg(&|s| s.latency_mean_ms),
                slo: avg(&|s| s.slo_violation_ratio),
            };
            (name.clone(), figures)
        })
        .collect()
}

/// (strategy, p50 ms, p99 ms) of each strategy, as [`assert_within_tolerance`] takes them.
fn quantiles_of(figures: &[(String, Figures)]) -> Vec<(String, f64, f64)> {
    figures
        .iter()
        .map(|(n, f)| (n.clone(), f.p50, f.p99))
        .collect()
}

/// (mean, p99, SLO violation ratio) of each strategy.
fn session_moments(e: LoadedExperiment, fidelity: Fidelity) -> Vec<(f64, f64, f64)> {
    session_figures(e, fidelity)
        .into_iter()
        .map(|(_, f)| (f.mean, f.p99, f.slo))
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
    let frame_figures = session_figures(e.clone(), Fidelity::Frame);
    let flow_figures = session_figures(e, Fidelity::Flow);
    // Mean and the share of session time over budget, strategy by strategy.
    for ((_, a), (_, b)) in frame_figures.iter().zip(&flow_figures) {
        eprintln!("fidelity-eu: frame {a:?} flow {b:?}");
        assert!(within(b.mean, a.mean, 0.10), "mean: frame {a:?} flow {b:?}");
        assert!(
            within(b.slo, a.slo, 0.10),
            "SLO violation: frame {a:?} flow {b:?}"
        );
    }
    let (frame, flow) = (quantiles_of(&frame_figures), quantiles_of(&flow_figures));
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

fn within(flow: f64, frame: f64, tolerance: f64) -> bool {
    (flow - frame).abs() <= tolerance * frame.abs()
}

#[test]
fn few_periodic_streams_at_high_load_agree() {
    // Twenty 72 fps sessions load one edge egress (1.1111 Gbit/s) to 90 %.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/few-streams.toml");
    let loaded = load_experiment(&path).unwrap();
    // The same sessions with a link 100 times faster: no wait, a hundredth of the
    // serialisation. A frame of 50 Mbit/s / 72 fps = 694,444 bits takes 0.625 ms at
    // 1.1111 Gbit/s and 0.00625 ms at 111.11 Gbit/s.
    let mut idle = loaded.clone();
    for s in &mut idle.topologies[0].sites {
        s.intra_site_bandwidth_gbps *= 100.0;
    }
    let serialisation_ms = 694_444.44 / 1.1111e9 * 1e3;
    let extra_ms = serialisation_ms * (1.0 - 0.01);
    let (idle_mean, _, _) = session_moments(idle, Fidelity::Frame)[0];
    let frame = session_moments(loaded.clone(), Fidelity::Frame)[0];
    let flow = session_moments(loaded, Fidelity::Flow)[0];
    let frame_wait = frame.0 - idle_mean - extra_ms;
    let flow_wait = flow.0 - idle_mean - extra_ms;
    eprintln!(
        "mean wait frame {frame_wait:.4} flow {flow_wait:.4} ms; p99 {:.3} / {:.3} ms; \
         SLO violation {:.4} / {:.4}",
        frame.1, flow.1, frame.2, flow.2
    );
    // Poisson arrivals (M/D/1) would wait 0.9 x 0.625 / (2 x 0.1) = 2.81 ms on average.
    let md1_ms = 0.9 * serialisation_ms / (2.0 * 0.1);
    assert!(
        frame_wait > 0.1 && frame_wait < 0.5 * md1_ms,
        "{frame_wait}"
    );
    assert!(within(flow_wait, frame_wait, 0.10), "mean wait");
    assert!(within(flow.1, frame.1, 0.10), "p99");
    assert!(
        frame.2 > 0.05 && within(flow.2, frame.2, 0.10),
        "SLO violation ratio"
    );
}

/// Quantiles of all frames of all runs at `levels`: the runs' distributions (each given at
/// [`quantile_levels`]) mixed with equal weight, ms.
fn pooled_quantiles(
    rows: &[&xrplace::experiment::sessions::SessionRow],
    levels: &[f64],
) -> Vec<f64> {
    let at: Vec<f64> = quantile_levels().collect();
    // The mixture's CDF at x: the mean of each run's CDF, interpolated in its quantiles.
    let cdf = |x: f64| {
        rows.iter()
            .map(|r| {
                let q = &r.summary.latency_quantiles_ms;
                match q.iter().position(|&v| v >= x) {
                    None => 1.0,
                    Some(0) => 0.0,
                    Some(i) => at[i - 1] + (at[i] - at[i - 1]) * (x - q[i - 1]) / (q[i] - q[i - 1]),
                }
            })
            .sum::<f64>()
            / rows.len() as f64
    };
    levels
        .iter()
        .map(|&u| {
            let (mut lo, mut hi) = (0.0, 1e4);
            for _ in 0..80 {
                let mid = 0.5 * (lo + hi);
                if cdf(mid) < u {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            0.5 * (lo + hi)
        })
        .collect()
}

/// (mean, pooled p50, pooled p99) of every frame of every run of `e` at `fidelity`, ms.
fn pooled_figures(mut e: LoadedExperiment, fidelity: Fidelity) -> (f64, f64, f64) {
    e.config.fidelity = Some(fidelity);
    let r = run_sessions(&e, RunOptions::default()).unwrap();
    let rows: Vec<_> = r.rows.iter().collect();
    let mean = rows.iter().map(|x| x.summary.latency_mean_ms).sum::<f64>() / rows.len() as f64;
    let q = pooled_quantiles(&rows, &[0.5, 0.99]);
    (mean, q[0], q[1])
}

#[test]
fn few_periodic_streams_have_the_frame_worlds_tail_at_60_and_90_percent() {
    // Twenty 50 fps sessions on a 1 Gbit/s egress: 30 Mbit/s each is 60 % of it, 45 Mbit/s
    // is 90 %. One frame run is one draw of the twenty phases (its p99 varies from run to
    // run by a third), so the figures are those of all frames of the 100 runs together,
    // the distribution flow fidelity describes (docs/fidelity.md).
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/few-streams.toml");
    for (load, mbps) in [(0.6, 30.0), (0.9, 45.0)] {
        let mut e = load_experiment(&path).unwrap();
        let app = &mut e.config.sessions.as_mut().unwrap().applications[0];
        app.frame_rate_fps = 50.0;
        app.bitrate_mbps = mbps;
        for s in &mut e.topologies[0].sites {
            s.intra_site_bandwidth_gbps = 1.0;
        }
        let mut idle = e.clone();
        for s in &mut idle.topologies[0].sites {
            s.intra_site_bandwidth_gbps = 100.0;
        }
        let (_, _, idle_p99) = pooled_figures(idle, Fidelity::Frame);
        let frame = pooled_figures(e.clone(), Fidelity::Frame);
        let flow = pooled_figures(e, Fidelity::Flow);
        // What the egress adds to the tail: the p99 over the same sessions' p99 with a
        // link 100 times faster.
        let (frame_tail, flow_tail) = (frame.2 - idle_p99, flow.2 - idle_p99);
        eprintln!(
            "load {load}: mean frame {:.3} flow {:.3}; p50 {:.3} / {:.3}; p99 {:.3} / {:.3}; \
             the egress adds {frame_tail:.3} / {flow_tail:.3} ms to the p99",
            frame.0, flow.0, frame.1, flow.1, frame.2, flow.2
        );
        assert!(within(flow.0, frame.0, 0.10), "load {load}: mean");
        assert!(within(flow.1, frame.1, 0.05), "load {load}: p50");
        assert!(within(flow.2, frame.2, 0.10), "load {load}: p99");
        assert!(frame_tail > 1.0, "load {load}: the egress must matter");
        assert!(
            within(flow_tail, frame_tail, 0.10),
            "load {load}: the egress's p99"
        );
    }
}

#[test]
fn a_loaded_liqo_gateway_queues_alike_at_both_fidelities() {
    // The twenty sessions of few-streams at 50 fps, all rendered in Frankfurt (cloud-only)
    // for users whose home cluster is Zurich: every frame crosses the Zurich-Frankfurt
    // peering's gateways, made slow enough that the frames keep them 60 % and 90 % busy.
    // Links are fast, so the gateways are the only queue. Frame fidelity queues frames
    // at the gateways one by one; flow fidelity takes the N·D/D/1 wait at their load.
    use xrplace::config::kinds::PathKind;
    use xrplace::model::relay::Relays;
    use xrplace::model::session::SessionApp;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/few-streams.toml");
    for load in [0.6, 0.9] {
        let mut e = load_experiment(&path).unwrap();
        let sessions = e.config.sessions.as_mut().unwrap();
        sessions.strategies = vec!["cloud-only".into()];
        sessions.slo_latency_ms = 30.0;
        let app = &mut sessions.applications[0];
        app.frame_rate_fps = 50.0;
        app.bitrate_mbps = 30.0;
        let apps = [SessionApp::from_config(app)];
        let topo = &mut e.topologies[0];
        for s in &mut topo.sites {
            s.intra_site_bandwidth_gbps = 100.0;
        }
        // One gateway core serves a frame in `one_core_ns`; twenty per 20 ms at `load`.
        let relays = Relays::new(&topo.paths, PathKind::Liqo, &apps);
        let one_core_ns = relays.frame_packets(0) as f64 * relays.hops()[0].per_packet_ns as f64;
        let busy = |cores: f64| 20.0 * (one_core_ns / cores).round() / 20e6;
        topo.paths.liqo.gateway_cores = 20.0 * one_core_ns / (load * 20e6);
        assert!((busy(topo.paths.liqo.gateway_cores) / load - 1.0).abs() < 0.01);
        let mut idle = e.clone();
        idle.topologies[0].paths.liqo.gateway_cores = 1e3;
        let (idle_mean, _, _) = pooled_figures(idle, Fidelity::Frame);
        let frame = pooled_figures(e.clone(), Fidelity::Frame);
        let flow = pooled_figures(e, Fidelity::Flow);
        // What the gateways add to the mean: their own service of the frame (in the path
        // cost at both fidelities, `load` x 1 ms) and the wait behind the other frames.
        let (frame_adds, flow_adds) = (frame.0 - idle_mean, flow.0 - idle_mean);
        let own_ms = load * 20.0 / 20.0;
        let (frame_wait, flow_wait) = (frame_adds - own_ms, flow_adds - own_ms);
        eprintln!(
            "gateway at {load}: mean frame {:.3} flow {:.3} (the gateway adds {frame_adds:.3} / \
             {flow_adds:.3}, of which the wait {frame_wait:.3} / {flow_wait:.3}); \
             p50 {:.3} / {:.3}; p99 {:.3} / {:.3}",
            frame.0, flow.0, frame.1, flow.1, frame.2, flow.2
        );
        assert!(
            frame_wait > 0.1 * own_ms,
            "load {load}: the gateway's queue must matter"
        );
        assert!(
            within(flow_adds, frame_adds, 0.10),
            "load {load}: the gateway's mean"
        );
        // The wait alone: 100 runs give it to about 4 %, and frame fidelity's arrivals at
        // the gateway carry the route's and processing's jitter, which the periodic
        // streams of N·D/D/1 do not (a little more queueing).
        assert!(
            within(flow_wait, frame_wait, 0.15),
            "load {load}: mean wait"
        );
        assert!(within(flow.1, frame.1, 0.05), "load {load}: p50");
        assert!(within(flow.2, frame.2, 0.10), "load {load}: p99");
    }
}
