//! What a run reports while it runs. The metrics layer implements this; the world
//! only calls it, so the world never depends on how results are aggregated.

use crate::engine::{SimDuration, SimTime};
use crate::model::ClusterId;

/// One cluster's state at a monitoring scrape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterSample {
    /// Which cluster.
    pub cluster: ClusterId,
    /// CPU used over the scrape window, percent of the cluster's cores.
    pub cpu_pct: f64,
    /// Memory in use at the scrape, percent of the cluster's memory.
    pub mem_pct: f64,
}

/// Receives a run's observations as they happen.
pub trait RunObserver {
    /// A frame was presented to the user `latency` after it was captured.
    fn frame_presented(&mut self, at: SimTime, latency: SimDuration);
    /// A frame never reached the user (UDP loss, buffer overflow).
    fn frame_lost(&mut self, at: SimTime);
    /// A monitoring scrape of every cluster the scenario uses.
    fn scrape(&mut self, at: SimTime, samples: &[ClusterSample]);
    /// A named moment: peering steps, link failures, the first byte through a new path.
    fn milestone(&mut self, at: SimTime, what: &'static str);
}
