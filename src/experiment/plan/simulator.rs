//! Simulating candidate plans: each on a copy of the topology resized to it, every run in
//! parallel, reduced to what the planner reads ([`RunFigures`]).

use super::evaluation::RunFigures;
use crate::config::sessions::{CapacityModel, LoadKind, SessionsConfig};
use crate::config::topology::TopologyConfig;
use crate::config::LoadedExperiment;
use crate::experiment::sessions::{build_platform, simulate, SweepPoint};
use crate::metrics::placement::{AppFootprint, PlacementRecorder};
use crate::model::ClusterId;
use crate::strategy::Registry;
use rayon::prelude::*;
use std::ops::Range;

/// What simulating a plan needs besides the plan.
pub struct Simulator<'a> {
    /// The capacity experiment.
    pub exp: &'a LoadedExperiment,
    /// Its sessions.
    pub s: &'a SessionsConfig,
    /// The topology before resizing.
    pub base: &'a TopologyConfig,
    /// Topology indices of the sized clusters.
    pub candidates: Vec<usize>,
    /// The strategies.
    pub registry: &'a Registry,
    /// Seed of the runs (run `r` of every plan draws the same arrivals: common random
    /// numbers).
    pub seed: u64,
}

impl Simulator<'_> {
    /// Runs `runs` of every (nodes, strategy) of `batch`, all in parallel; the figures per
    /// plan, in run order.
    pub fn simulate(&self, batch: &[(&[u32], &str)], runs: Range<u32>) -> Vec<Vec<RunFigures>> {
        let setups: Vec<_> = batch
            .par_iter()
            .map(|(nodes, _)| {
                let (t, kept) = self.resized(nodes);
                let platform = build_platform(self.s, &t, CapacityModel::Allocatable);
                (t, kept, platform)
            })
            .collect();
        let jobs: Vec<(usize, u32)> = (0..batch.len())
            .flat_map(|b| runs.clone().map(move |r| (b, r)))
            .collect();
        let figures: Vec<RunFigures> = jobs
            .par_iter()
            .map(|&(b, r)| {
                let (t, kept, platform) = &setups[b];
                let point = SweepPoint {
                    strategy: batch[b].1.to_string(),
                    topology: 0,
                    topology_name: t.name.clone(),
                    rate_per_s: match self.s.load.kind {
                        LoadKind::Trace => 0.0,
                        _ => self.s.load.rate_per_s,
                    },
                    fault_model: "default".into(),
                };
                let footprints = platform.apps.iter().map(AppFootprint::of).collect();
                let mut rec = PlacementRecorder::new(
                    footprints,
                    platform.central,
                    t.clusters.len(),
                    self.s.scrape_interval_s,
                );
                simulate(
                    self.exp,
                    platform,
                    t,
                    &point,
                    (self.seed, r),
                    self.registry,
                    &mut rec,
                );
                self.figures(&rec, kept)
            })
            .collect();
        let per = runs.len();
        let mut out: Vec<Vec<RunFigures>> = Vec::with_capacity(batch.len());
        let mut it = figures.into_iter();
        for _ in 0..batch.len() {
            out.push(it.by_ref().take(per).collect());
        }
        out
    }

    /// The topology with the candidate clusters resized to `nodes` (dropped at 0 nodes),
    /// and the topology index of each cluster kept.
    pub fn resized(&self, nodes: &[u32]) -> (TopologyConfig, Vec<usize>) {
        let mut t = self.base.clone();
        let mut keep = vec![true; t.clusters.len()];
        for (c, &i) in self.candidates.iter().enumerate() {
            t.clusters[i].nodes = nodes[c];
            keep[i] = nodes[c] > 0;
        }
        let kept: Vec<usize> = (0..keep.len()).filter(|&i| keep[i]).collect();
        t.clusters = kept.iter().map(|&i| t.clusters[i].clone()).collect();
        (t, kept)
    }

    /// One run's figures in topology cluster indices.
    fn figures(&self, rec: &PlacementRecorder, kept: &[usize]) -> RunFigures {
        let n = self.base.clusters.len();
        let apps = self.s.applications.len();
        let mut f = RunFigures {
            summary: rec.sessions.summary(),
            existing_usd: 0.0,
            peak_cpu_cores: vec![0.0; n],
            peak_sessions: vec![vec![0; n]; apps],
            peak_total_sessions: (0..apps).map(|a| rec.peak_total_sessions(a)).collect(),
            sessions_at_peak: vec![vec![0; n]; apps],
        };
        for (k, &i) in kept.iter().enumerate() {
            let id = ClusterId(k as u32);
            f.peak_cpu_cores[i] = rec.peak_cpu_cores(id);
            for a in 0..apps {
                f.peak_sessions[a][i] = rec.peak_sessions(a, id);
                f.sessions_at_peak[a][i] = rec.sessions_at_peak(a, id);
            }
            if !self.candidates.contains(&i) {
                let c = &self.base.clusters[i];
                let (cpu_h, gib_h) = rec.reserved_hours(id);
                f.existing_usd +=
                    cpu_h * c.cost_per_vcpu_hour_usd + gib_h * c.cost_per_gib_hour_usd;
            }
        }
        f
    }
}
