//! Flow fidelity for streaming scenarios: the latency of every frame position in closed
//! form, with the same formulas as the frame world, so the two can be checked against each
//! other (`tests/fidelity.rs`).
//!
//! At steady load each cluster's CPU utilisation is its baseline plus the per-frame work of
//! its components and path hops times the frame rate; processing stretches by
//! [`contention_stretch`] at that utilisation. A frame crosses a path in its idle delay
//! ([`PathModel::idle_delay_ns`]) plus the mean jitter. With a segmenting component holding
//! `n` frames per segment, frame `j` of a segment waits `(n - 1 - j)` frame intervals for
//! the segment to close; the segment then crosses the next path as one burst through its
//! slowest hop, and the next component serves the frames in order, so frame `j` is done at
//! `max(arrival_j, done_(j-1)) + service`. Capture jitter, frame-size variation and
//! queueing between segments are left out: they are what the frame world adds.

use super::observer::{ClusterSample, RunObserver};
use super::streaming_load::cpu_demand;
use crate::base::units::round_to_u64;
use crate::engine::{SimDuration, SimTime};
use crate::model::platform::contention_stretch;
use crate::model::{Application, ClusterId, ComponentId, Scenario};

/// Mean of a half-normal draw with standard deviation `sd`: sd * sqrt(2 / pi).
fn half_normal_mean(sd: f64) -> f64 {
    sd * (2.0 / std::f64::consts::PI).sqrt()
}

/// Steady CPU utilisation (0..1) of each cluster, indexed by cluster id: the demand of
/// [`cpu_demand`], which a scrape cannot see above 1 (an overloaded cluster is named by
/// [`super::streaming_load::bottleneck`]).
fn steady_utilisation(app: &Application, scn: &Scenario) -> Vec<f64> {
    cpu_demand(app, scn)
        .into_iter()
        .map(|u| u.min(1.0))
        .collect()
}

/// Service time of one frame at component `c`, ns.
fn service_ns(app: &Application, scn: &Scenario, util: &[f64], c: usize) -> f64 {
    let k = scn.topology.cluster(scn.placement[c]);
    app.components[c].cpu_ns_per_frame as f64 / k.cpu_speed_ratio
        * contention_stretch(util[scn.placement[c].ix()], k.cpu_cores)
}

/// One frame's delay over flow `f` when it travels alone, ns.
fn path_ns(app: &Application, scn: &Scenario, f: usize) -> f64 {
    let p = &scn.paths[f];
    let packets = p.packets(app.flows[f].mean_frame_bytes.ceil() as u32);
    p.idle_delay_ns(packets) as f64
        + half_normal_mean(p.jitter_sd_ns as f64)
        + p.background.map_or(0.0, |b| {
            // Packets reach the loaded hop spaced by the slowest hop before it on the path
            // or by the narrowest link before it on the route.
            let before = p.hops[..b.hop].iter().map(|h| h.per_packet_ns).max();
            let spacing = before.unwrap_or(0).max(b.arrival_spacing_ns);
            b.mean_added_ns(packets, b.frame_packet_ns, spacing)
        })
}

/// Latency of each frame position of a segment (one value if nothing segments), ns.
pub fn frame_latencies_ns(app: &Application, scn: &Scenario) -> Vec<f64> {
    let util = steady_utilisation(app, scn);
    let last = app.components.len() - 1;
    let seg = (0..last).find(|&c| app.components[c].segment_ns > 0);
    let n = seg.map_or(1, |c| {
        app.frames_per_segment(ComponentId(c as u32)) as usize
    });
    let interval = app.frame_interval_ns as f64;
    // Up to the segmenting component (or the whole chain): a pipeline, no waiting.
    let upto = seg.unwrap_or(last);
    let mut before = 0.0;
    for c in 0..=upto {
        before += service_ns(app, scn, &util, c);
        if c < upto {
            before += path_ns(app, scn, c);
        }
    }
    let Some(s) = seg else {
        return vec![before + app.components[last].playout_ns as f64];
    };
    // The burst: frame j leaves the segmenting component's next path after j + 1 frames
    // went through its slowest hop; every later component serves frames in order.
    let p = &scn.paths[s];
    let packets = p.packets(app.flows[s].mean_frame_bytes.ceil() as u32) as f64;
    let slowest = p.hops.iter().map(|h| h.per_packet_ns).max().unwrap_or(0) as f64;
    let base = path_ns(app, scn, s) - slowest * (packets - 1.0).max(0.0);
    let mut done: Vec<f64> = (0..n)
        .map(|j| base + slowest * (packets * (j + 1) as f64 - 1.0))
        .collect();
    for c in s + 1..=last {
        let svc = service_ns(app, scn, &util, c);
        let mut prev: f64 = 0.0;
        for d in done.iter_mut() {
            *d = d.max(prev) + svc;
            prev = *d;
        }
        if c < last {
            let hop = path_ns(app, scn, c);
            done.iter_mut().for_each(|d| *d += hop);
        }
    }
    let playout = app.components[last].playout_ns as f64;
    (0..n)
        .map(|j| before + (n - 1 - j) as f64 * interval + done[j] + playout)
        .collect()
}

/// How much later each frame finishes than the previous one beyond the frame interval when
/// the slowest component cannot keep up (0 when every component is faster than the frame
/// rate), ns: its queue then grows by this much per frame.
pub fn overload_growth_ns(app: &Application, scn: &Scenario) -> f64 {
    let util = steady_utilisation(app, scn);
    let slowest = (0..app.components.len())
        .map(|c| service_ns(app, scn, &util, c))
        .fold(0.0, f64::max);
    (slowest - app.frame_interval_ns as f64).max(0.0)
}

/// Reports a flow-fidelity run: every frame of the run at its position's latency (plus the
/// queue growth of an overloaded chain), and steady CPU and memory at each scrape.
pub fn run_flow(
    app: &Application,
    scn: &Scenario,
    duration: SimDuration,
    scrape: SimDuration,
    obs: &mut impl RunObserver,
) {
    let lat = frame_latencies_ns(app, scn);
    let growth = overload_growth_ns(app, scn);
    let frames = (duration.0 / app.frame_interval_ns.max(1)) as usize;
    for i in 0..frames {
        let l = round_to_u64(lat[i % lat.len()] + i as f64 * growth);
        obs.frame_presented(
            SimTime(i as u64 * app.frame_interval_ns + l),
            SimDuration(l),
        );
    }
    let util = steady_utilisation(app, scn);
    let samples: Vec<ClusterSample> = scn
        .clusters
        .iter()
        .map(|&c: &ClusterId| {
            let k = scn.topology.cluster(c);
            let mut mem = k.baseline_memory_mib;
            mem += app
                .components
                .iter()
                .enumerate()
                .filter(|(i, _)| scn.placement[*i] == c)
                .map(|(_, x)| x.memory_mib)
                .sum::<f64>();
            if scn.peered.contains(&c) {
                mem += scn.peering.memory_mib;
            }
            ClusterSample {
                cluster: c,
                cpu_pct: util[c.ix()] * 100.0,
                mem_pct: (mem / k.memory_mib * 100.0).min(100.0),
            }
        })
        .collect();
    let mut t = scrape;
    while t.0 <= duration.0 && scrape.0 > 0 {
        obs.scrape(SimTime(t.0), &samples);
        t += scrape;
    }
}
