//! Enums shared by the experiment, session and plan settings (fidelity, transport, path
//! kind, peering mode), in one place so those files need not import each other. The path
//! kinds are declared in [`super::path_kinds`].

pub use super::path_kinds::PathKind;
use serde::{Deserialize, Serialize};

/// Level of detail of a run.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Fidelity {
    /// Every frame is an event chain through components and links.
    #[default]
    Frame,
    /// Closed-form latency of each frame position at the steady load (same path and
    /// contention formulas, no event per frame).
    Flow,
}

/// Transport protocol of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Protocol {
    /// TCP (RTMP, HTTP, RTSP interleaved).
    Tcp,
    /// UDP (RTP, SRT, WebRTC media).
    Udp,
}

/// When the scenario's Liqo peerings come to exist.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum PeeringMode {
    /// Already peered and offloaded: the stream starts at time zero.
    #[default]
    Established,
    /// Peer, offload the namespace and start the remote pods first; the stream starts
    /// when they run.
    OnDemand,
}
