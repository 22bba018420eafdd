//! Where a streaming scenario's steady load sits against capacity: each cluster's CPU,
//! each component's processing and each packet server's (gateway, node agent, proxy,
//! inter-site link) share of time busy at the stream's mean frame rate and size.
//!
//! At or above 1 a queue grows without bound. The frame world then shows latency growing
//! run after run and the flow world adds the growth per frame; neither hides it behind a
//! cap, and [`bottleneck`] names the part so that reports can say "overloaded" instead of
//! "slow".

use crate::config::experiment::PathKind;
use crate::model::platform::contention_stretch;
use crate::model::{Application, Scenario};

/// The busiest part of a scenario at steady load.
#[derive(Debug, Clone, PartialEq)]
pub struct Bottleneck {
    /// What it is: `cpu:<cluster>`, `component:<name>` or `<hop>:<flow index>`.
    pub at: String,
    /// Its utilisation (share of time busy; 1 or more is overloaded).
    pub util: f64,
}

impl Bottleneck {
    /// Whether its queue grows without bound.
    pub fn overloaded(&self) -> bool {
        self.util >= 1.0
    }
}

/// Steady CPU demand of each cluster against its capacity, indexed by cluster id: the
/// baseline, the Liqo footprint, the components' idle and per-frame work and the per-packet
/// work of the path hops the cluster runs, at the mean frame rate. Not capped: above 1
/// the cluster cannot keep up.
pub fn cpu_demand(app: &Application, scn: &Scenario) -> Vec<f64> {
    let fps = frames_per_s(app);
    let mut cores = vec![0.0; scn.topology.clusters.len()];
    for &c in &scn.clusters {
        cores[c.ix()] += scn.topology.cluster(c).baseline_cpu_cores;
    }
    for &c in &scn.peered {
        cores[c.ix()] += scn.peering.cpu_cores;
    }
    for (i, comp) in app.components.iter().enumerate() {
        let c = scn.placement[i].ix();
        cores[c] += comp.idle_cpu_cores + comp.cpu_ns_per_frame as f64 * 1e-9 * fps;
    }
    for (f, path) in scn.paths.iter().enumerate() {
        let packets = mean_packets(app, scn, f);
        for hop in &path.hops {
            if let Some(k) = hop.cpu_cluster {
                cores[k.ix()] += hop.cpu_ns_per_packet as f64 * 1e-9 * packets * fps;
            }
        }
    }
    scn.topology
        .clusters
        .iter()
        .enumerate()
        .map(|(i, k)| cores[i] / k.cpu_speed_ratio / k.cpu_cores)
        .collect()
}

/// Share of time each packet server of [`Scenario::servers`] is busy, by server id: the
/// frames of every flow that queues at it (per frame overhead plus its packets), plus the
/// background load of the hop that carries one.
pub fn server_utilisation(app: &Application, scn: &Scenario) -> Vec<f64> {
    let fps = frames_per_s(app);
    let mut util = vec![0.0; scn.server_count as usize];
    for (f, path) in scn.paths.iter().enumerate() {
        let packets = mean_packets(app, scn, f);
        for (h, hop) in path.hops.iter().enumerate() {
            let busy_ns = hop.per_frame_ns as f64 + packets * hop.per_packet_ns as f64;
            let s = scn.servers[f][h] as usize;
            util[s] += fps * busy_ns / 1e9;
            if let Some(b) = path.background.filter(|b| b.hop == h) {
                util[s] += b.util;
            }
        }
    }
    util
}

/// The busiest cluster CPU, component or packet server of the scenario. Components count
/// their service time (stretched by their cluster's contention) against the frame
/// interval: one frame at a time, so a component slower than the frame clock falls behind
/// even on an idle cluster. `cross_only` limits the servers to cross-cluster paths (the
/// interconnect comparison's question) and leaves CPU and components out.
pub fn bottleneck(app: &Application, scn: &Scenario, cross_only: bool) -> Bottleneck {
    let mut worst = Bottleneck {
        at: String::new(),
        util: 0.0,
    };
    let mut consider = |util: f64, at: &dyn Fn() -> String| {
        if util > worst.util {
            worst = Bottleneck { at: at(), util };
        }
    };
    let util = server_utilisation(app, scn);
    let mut seen = vec![false; util.len()];
    for (f, path) in scn.paths.iter().enumerate() {
        if cross_only && path.kind == PathKind::Local {
            continue;
        }
        for (h, hop) in path.hops.iter().enumerate() {
            let s = scn.servers[f][h] as usize;
            if !std::mem::replace(&mut seen[s], true) {
                consider(util[s], &|| format!("{}:{f}", hop.name));
            }
        }
    }
    if cross_only {
        return worst;
    }
    let demand = cpu_demand(app, scn);
    for &c in &scn.clusters {
        let name = &scn.topology.cluster(c).name;
        consider(demand[c.ix()], &|| format!("cpu:{name}"));
    }
    let interval = app.frame_interval_ns.max(1) as f64;
    for (i, comp) in app.components.iter().enumerate() {
        let k = scn.topology.cluster(scn.placement[i]);
        let stretch = contention_stretch(demand[scn.placement[i].ix()], k.cpu_cores);
        let service = comp.cpu_ns_per_frame as f64 / k.cpu_speed_ratio * stretch;
        consider(service / interval, &|| format!("component:{}", comp.name));
    }
    worst
}

fn frames_per_s(app: &Application) -> f64 {
    1e9 / app.frame_interval_ns.max(1) as f64
}

/// Packets of a mean-sized frame on flow `f`.
fn mean_packets(app: &Application, scn: &Scenario, f: usize) -> f64 {
    scn.paths[f].packets(app.flows[f].mean_frame_bytes.ceil() as u32) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{load_experiment, LoadedExperiment};
    use crate::model::Topology;
    use std::path::Path;

    /// Every scenario of the experiment, as the runner builds them.
    fn build_scenarios(e: &LoadedExperiment, app: &Application) -> Option<Vec<Scenario>> {
        e.config
            .scenarios
            .iter()
            .zip(&e.topologies)
            .map(|(s, t)| Scenario::build(s, Topology::from_config(t), &t.paths, app))
            .collect()
    }

    fn paper() -> (LoadedExperiment, Application) {
        let e = load_experiment(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/paper-streaming.toml"),
        )
        .unwrap();
        let app = Application::from_config(e.config.application.as_ref().unwrap());
        (e, app)
    }

    #[test]
    fn a_component_slower_than_the_frame_clock_is_the_overloaded_bottleneck() {
        let (e, mut app) = paper();
        let scn = &build_scenarios(&e, &app).unwrap()[0];
        let calm = bottleneck(&app, scn, false);
        assert!(!calm.overloaded(), "{calm:?}");
        // Twice the frame interval of work per frame: utilisation 2 (the cluster has
        // cores to spare, so contention adds little).
        app.components[0].cpu_ns_per_frame = 2 * app.frame_interval_ns;
        let slow = bottleneck(&app, scn, false);
        assert_eq!(slow.at, format!("component:{}", app.components[0].name));
        assert!(slow.overloaded() && slow.util >= 2.0, "{slow:?}");
    }

    #[test]
    fn cross_only_leaves_cpu_and_components_out() {
        let (e, mut app) = paper();
        app.components[0].cpu_ns_per_frame = 2 * app.frame_interval_ns;
        for scn in build_scenarios(&e, &app).unwrap() {
            let cross = bottleneck(&app, &scn, true);
            assert!(!cross.at.starts_with("component:"), "{cross:?}");
            assert!(cross.util < 1.0, "{cross:?}");
        }
    }

    #[test]
    fn the_cpu_demand_is_not_capped() {
        let (e, mut app) = paper();
        let scn = &build_scenarios(&e, &app).unwrap()[0];
        let before = cpu_demand(&app, scn)[scn.placement[0].ix()];
        let cores = scn.topology.cluster(scn.placement[0]).cpu_cores;
        // Adds idle CPU worth twice the cluster's cores.
        app.components[0].idle_cpu_cores += 2.0 * cores;
        let after = cpu_demand(&app, scn)[scn.placement[0].ix()];
        let speed = scn.topology.cluster(scn.placement[0]).cpu_speed_ratio;
        assert!(
            (after - before - 2.0 / speed).abs() < 1e-9,
            "{before} -> {after}"
        );
    }
}
