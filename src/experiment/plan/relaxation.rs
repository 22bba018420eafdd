//! What both relaxations of the lower bound read ([`super::bound`], the mean one, and
//! [`super::cover`], the peak-covering one): the search's experiment and platform, and the
//! sessions of a run as the bound sees them.

use crate::config::plan::PlanSlo;
use crate::config::sessions::SessionsConfig;
use crate::config::topology::TopologyConfig;
use crate::config::LoadedExperiment;
use crate::model::session_platform::SessionPlatform;

/// The inputs of the bound.
pub struct BoundInputs<'a> {
    /// The capacity experiment.
    pub exp: &'a LoadedExperiment,
    /// Its sessions.
    pub s: &'a SessionsConfig,
    /// The topology before resizing.
    pub base: &'a TopologyConfig,
    /// The platform with every candidate at the biggest size (every cluster present, in
    /// topology order).
    pub platform: &'a SessionPlatform,
    /// Topology indices of the sized clusters.
    pub candidates: &'a [usize],
    /// Per candidate (in `candidates` order), the sizes it may get.
    pub sizes: &'a [Vec<u32>],
    /// Seed and runs of the search.
    pub seed: u64,
    /// Runs averaged.
    pub runs: u32,
    /// The SLO, whose allowances the bound spends, each scaled by how far the mean over the
    /// search's first `runs` runs may exceed it in a plan that meets the SLO
    /// ([`super::evaluation::first_runs_excess`]).
    pub slo: PlanSlo,
}

impl BoundInputs<'_> {
    /// Cores the biggest session reserves where it runs (its central components aside).
    pub fn biggest_session_cores(&self) -> f64 {
        self.platform
            .apps
            .iter()
            .map(|a| a.local_resources().0)
            .fold(0.0, f64::max)
    }
}

/// One session of a run, as the bound sees it.
#[derive(Debug, Clone, Copy)]
pub struct BoundSession {
    /// First user's access site.
    pub site: u32,
    /// Application.
    pub app: u32,
    /// Start, hours from the run's start.
    pub start_h: f64,
    /// Time it runs within the horizon, hours.
    pub hours: f64,
}
