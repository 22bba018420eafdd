//! What a session run is given besides the platform: arrivals, run length, monitoring
//! timings, faults and the control loop's settings. Plain data.

use crate::engine::{SimDuration, SimTime};
use crate::model::ClusterId;

/// Where arrivals come from.
#[derive(Debug, Clone)]
pub enum Arrivals {
    /// Poisson at `rate_per_s`, swung by `amplitude` over a day (0: constant).
    Generated {
        /// Mean rate, sessions/s.
        rate_per_s: f64,
        /// Daily swing, 0..1.
        amplitude: f64,
    },
    /// Listed arrivals: (time s, site, app, duration s).
    Trace(Vec<(f64, u32, u32, f64)>),
}

/// Run settings.
#[derive(Debug, Clone)]
pub struct SessionSettings {
    /// Simulated length.
    pub duration: SimDuration,
    /// Scrape interval.
    pub scrape: SimDuration,
    /// Aggregation lag.
    pub lag: SimDuration,
    /// Faults, in any order.
    pub faults: Vec<Fault>,
    /// Interruption of a migrated session, s.
    pub migration_downtime_s: f64,
    /// Autoscaling and peering.
    pub control: ControlSettings,
    /// Frame fidelity: simulate every frame instead of sampling the formula at scrapes.
    pub frames: bool,
}

/// The control loop's actions besides placement.
#[derive(Debug, Clone)]
pub struct ControlSettings {
    /// Scale clusters out and in.
    pub autoscale: bool,
    /// Observed reserved share above which a cluster scales out.
    pub scale_out_util: f64,
    /// Observed reserved share below which a scaled-out cluster scales in.
    pub scale_in_util: f64,
    /// Nodes per decision.
    pub step_nodes: u32,
    /// Most nodes a cluster may gain.
    pub max_extra_nodes: u32,
    /// Time between two actions on one cluster.
    pub cooldown: SimDuration,
    /// Peerings are made when first needed, taking `peering_delay`.
    pub on_demand_peering: bool,
    /// Time to peer two clusters and offload the namespace.
    pub peering_delay: SimDuration,
    /// Cluster API timings for scale-outs and new clusters.
    pub capi: crate::config::provisioning::CapiConfig,
    /// Unserved sessions a standby cluster would serve within budget, within one decision
    /// interval, that make the control loop create it.
    pub provision_after_sessions: u32,
    /// Time a created cluster stays empty before it is deleted.
    pub deprovision_idle: SimDuration,
}

impl Default for ControlSettings {
    fn default() -> Self {
        ControlSettings {
            autoscale: false,
            scale_out_util: 0.8,
            scale_in_util: 0.3,
            step_nodes: 1,
            max_extra_nodes: 0,
            cooldown: SimDuration::ZERO,
            on_demand_peering: false,
            peering_delay: SimDuration::ZERO,
            capi: crate::config::provisioning::CapiConfig::default(),
            provision_after_sessions: 3,
            deprovision_idle: SimDuration::from_secs_f64(1800.0),
        }
    }
}

/// What a fault does while it lasts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaultEffect {
    /// The cluster is down.
    ClusterDown(ClusterId),
    /// The cluster loses this many nodes.
    NodeLoss(ClusterId, u32),
    /// Links at the site (index) gain RTT (ms) and keep a share of their bandwidth.
    LinkDegradation(u32, f64, f64),
    /// The site (index) is cut off from every other site.
    Partition(u32),
}

/// A fault with its time window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fault {
    /// What it does.
    pub effect: FaultEffect,
    /// When it starts.
    pub at: SimTime,
    /// How long it lasts.
    pub duration: SimDuration,
}
