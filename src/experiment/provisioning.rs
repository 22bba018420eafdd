//! Runs a provisioning experiment: every distribution x cluster size x repetition is one
//! independent Cluster API job, run in parallel and reported in a fixed order.

use super::progress::{Progress, RunProgress};
use super::runner::RunOptions;
use super::workers::worker_pool;
use crate::base::units::ms_from_s;
use crate::config::experiment::Experiment;
use crate::config::provisioning::{ActionKind, ProvisioningConfig};
use crate::config::topology::Distribution;
use crate::config::{ConfigError, LoadedExperiment};
use crate::engine::{RadixQueue, RngStreams, SimDuration, SimTime};
use crate::model::provisioning::{CapiModel, ClusterSpec};
use crate::world::provisioning::{Action, ProvisioningReport, ProvisioningWorld};
use rayon::prelude::*;

/// One provisioning run.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvisioningRow {
    /// kubeadm or k3s.
    pub distribution: Distribution,
    /// Nodes in total.
    pub nodes: u32,
    /// Repetition, from 0.
    pub run: u32,
    /// The seed of the whole experiment (the file's `seed`, or `--seed`), the same in
    /// every run: run `run`'s random streams derive from this and `run` together.
    pub experiment_seed: u64,
    /// What happened.
    pub report: ProvisioningReport,
}

/// All runs, distribution-major, then size, then repetition.
#[derive(Debug, Clone)]
pub struct ProvisioningResult {
    /// Experiment name.
    pub name: String,
    /// The runs.
    pub rows: Vec<ProvisioningRow>,
}

/// The name of a distribution in files.
pub fn distribution_name(d: Distribution) -> &'static str {
    match d {
        Distribution::Kubeadm => "kubeadm",
        Distribution::K3s => "k3s",
    }
}

/// Runs every (distribution, size, repetition) of the experiment's `[provisioning]`.
pub fn run_provisioning(
    exp: &LoadedExperiment,
    opts: RunOptions,
) -> Result<ProvisioningResult, ConfigError> {
    let cfg = &exp.config;
    let Experiment::Provisioning(p) = exp.experiment() else {
        return Err(ConfigError::whole_file(
            &exp.path,
            "not a provisioning experiment: no [provisioning]",
        ));
    };
    let seed = opts.seed.unwrap_or(cfg.seed);
    let horizon = SimDuration::from_secs_f64(cfg.duration_s);
    let jobs: Vec<(Distribution, u32, u32)> = p
        .distributions
        .iter()
        .flat_map(|&d| {
            p.nodes
                .iter()
                .flat_map(move |&n| (0..cfg.runs).map(move |r| (d, n, r)))
        })
        .collect();
    let horizon_ms = ms_from_s(cfg.duration_s);
    let progress = Progress::new(opts.progress, jobs.len() as u64, horizon_ms);
    let run_one = |&(distribution, nodes, run): &(Distribution, u32, u32)| {
        let spec = ClusterSpec {
            distribution,
            provider: p.provider,
            control_plane_nodes: p.control_plane_nodes,
            workers: nodes - p.control_plane_nodes,
            vcpu_per_node: p.vcpu_per_node,
        };
        let model = CapiModel::new(&p.capi, p.provider, distribution);
        let world = ProvisioningWorld::new(
            spec,
            model,
            actions(p),
            horizon,
            RngStreams::new(seed, run as u64),
            RadixQueue::new(),
        );
        let mut reached = RunProgress::new(&progress);
        let report = world.run_with_progress(&mut |ns| reached.reached(ns));
        reached.done(horizon_ms);
        ProvisioningRow {
            distribution,
            nodes,
            run,
            experiment_seed: seed,
            report,
        }
    };
    let pool = worker_pool(exp, opts.threads)?;
    let rows = pool.install(|| jobs.par_iter().map(run_one).collect());
    progress.finish();
    Ok(ProvisioningResult {
        name: cfg.name.clone(),
        rows,
    })
}

fn actions(p: &ProvisioningConfig) -> Vec<(SimTime, Action)> {
    p.actions
        .iter()
        .map(|a| {
            let at = SimTime::ZERO + SimDuration::from_secs_f64(a.at_s);
            match a.action {
                ActionKind::Scale => (at, Action::Scale(a.workers.unwrap_or(0))),
                ActionKind::Delete => (at, Action::Delete),
            }
        })
        .collect()
}
