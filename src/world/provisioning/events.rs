//! What a provisioning run is made of and reports: its scripted actions, its events, the
//! roles and phases of its machines, and how the job ended with its trace.

use crate::engine::SimTime;

/// A scripted change at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Set the worker count.
    Scale(u32),
    /// Delete the cluster.
    Delete,
}

/// Provisioning events; `attempt` lets a recreated machine ignore its predecessor's events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PEvent {
    /// Cluster infrastructure is ready.
    InfraReady,
    /// A machine's server is ACTIVE.
    Created(u32, u32),
    /// A machine's OS is up and its bootstrap starts.
    Booted(u32, u32),
    /// The first control-plane node serves the API.
    ControlPlaneUp(u32, u32),
    /// A node registered with the API server.
    Joined(u32, u32),
    /// A node is Ready.
    NodeReady(u32, u32),
    /// Machine start deadline.
    StartTimeout(u32, u32),
    /// Node join deadline.
    JoinTimeout(u32, u32),
    /// Scripted action number `.0`.
    Act(u32),
}

/// Whether a machine runs the control plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Control-plane node.
    ControlPlane,
    /// Worker node.
    Worker,
}

/// Where a machine is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for bootstrap data (the control plane) or its turn.
    Waiting,
    /// Waiting for a creation slot.
    Queued,
    /// Server being created.
    Creating,
    /// OS booting, then bootstrapping or joining.
    Bootstrapping,
    /// Registered; waiting for CNI.
    Registered,
    /// Ready: counts as capacity.
    Ready,
    /// Deleted by scale-down or cluster deletion.
    Deleted,
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// All desired nodes Ready, at this time.
    Ready(SimTime),
    /// Gave up, with the reason.
    Failed(String),
    /// Deleted at this time.
    Deleted(SimTime),
}

/// One line of a run's trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TraceEvent {
    /// When.
    pub at: SimTime,
    /// What happened (a fixed word, for example `node-ready`).
    pub what: &'static str,
    /// The machine concerned, if any.
    pub machine: Option<u32>,
    /// Its attempt number (0 first).
    pub attempt: u32,
    /// Ready nodes after the event.
    pub ready_nodes: u32,
    /// Ready capacity after the event, vCPUs.
    pub ready_cpu_cores: f64,
}

/// The result of one provisioning run.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvisioningReport {
    /// How the job ended.
    pub outcome: Outcome,
    /// When the first control-plane node became Ready.
    pub control_plane_ready: Option<SimTime>,
    /// When all desired nodes were first Ready.
    pub first_ready: Option<SimTime>,
    /// Machines recreated after a failure.
    pub retries: u32,
    /// Events handled.
    pub events: u64,
    /// Everything that happened, in order.
    pub trace: Vec<TraceEvent>,
}
