//! Where the best-first search starts: each candidate at the smallest size holding the
//! peak demand the naive plan saw there, grown while the plan misses the SLO.

use super::evaluation::Evaluation;
use super::moves::Space;
use crate::config::topology::TopologyConfig;
use crate::experiment::plan_build::schedulable;
use crate::model::allocatable::Resources;

/// Share of a cluster's cores reserved at the peak above which it counts as full.
const FULL_SHARE: f64 = 0.9;

/// The candidates and their sizes, read against a plan's peak demand.
pub struct Demand<'a> {
    /// The topology before resizing.
    pub base: &'a TopologyConfig,
    /// Topology indices of the sized clusters.
    pub candidates: &'a [usize],
    /// Their allowed sizes.
    pub space: &'a Space,
}

impl Demand<'_> {
    /// What sessions may reserve on topology cluster `i` at `nodes` nodes.
    pub fn allocatable(&self, i: usize, nodes: u32) -> Resources {
        schedulable(self.base, &self.base.clusters[i], nodes)
    }

    /// Smallest sizes holding the peak reservations seen under `naive`.
    pub fn warm_start(&self, naive: &Evaluation) -> Vec<u32> {
        self.candidates
            .iter()
            .enumerate()
            .map(|(c, &i)| {
                let need = naive.peak_cpu_cores[i];
                self.space
                    .sizes(c)
                    .iter()
                    .copied()
                    .find(|&n| self.allocatable(i, n).cpu_cores >= need - 1e-9)
                    .unwrap_or(self.space.biggest(c))
            })
            .collect()
    }

    /// `cur` with its full clusters one size bigger (or, if none ran full, every cluster
    /// that saw demand under `naive`).
    pub fn grow(&self, cur: &Evaluation, naive: &Evaluation) -> Vec<u32> {
        let full: Vec<usize> = (0..self.candidates.len())
            .filter(|&c| {
                let i = self.candidates[c];
                let cores = self.allocatable(i, cur.nodes[c]).cpu_cores;
                cores > 0.0 && cur.peak_cpu_cores[i] >= FULL_SHARE * cores
            })
            .collect();
        let pick: Vec<usize> = if full
            .iter()
            .any(|&c| self.space.bigger(c, cur.nodes[c]).is_some())
        {
            full
        } else {
            (0..self.candidates.len())
                .filter(|&c| naive.peak_cpu_cores[self.candidates[c]] > 0.0)
                .collect()
        };
        let mut x = cur.nodes.clone();
        for c in pick {
            if let Some(n) = self.space.bigger(c, x[c]) {
                x[c] = n;
            }
        }
        x
    }
}
