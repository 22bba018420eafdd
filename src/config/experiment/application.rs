//! The streaming experiment's sections as written: the application (a chain of components
//! joined by flows) and the scenarios it is streamed in.

use crate::config::kinds::{PathKind, PeeringMode, Protocol};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An application: a chain of components joined by flows.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationConfig {
    /// Name used in reports.
    pub name: String,
    /// Standard deviation of the source's capture instants around the frame clock, ms.
    #[serde(default = "default_capture_jitter_ms")]
    pub capture_jitter_ms: f64,
    /// Truncation of the capture jitter, ms (3GPP: 2 ms truncated at 4 ms).
    #[serde(default = "default_capture_jitter_max_ms")]
    pub capture_jitter_max_ms: f64,
    /// Components in stream order, source first.
    pub components: Vec<ComponentConfig>,
    /// Flows between consecutive components.
    pub flows: Vec<FlowConfig>,
}

fn default_capture_jitter_ms() -> f64 {
    2.0
}
fn default_capture_jitter_max_ms() -> f64 {
    4.0
}

/// One component (a pod) of the application.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentConfig {
    /// Unique name.
    pub name: String,
    /// CPU work per frame on a reference core with no contention, ms.
    pub cpu_ms_per_frame: f64,
    /// CPU used independently of frames (event loop, runtime), reference cores.
    #[serde(default)]
    pub idle_cpu_cores: f64,
    /// Resident memory, MiB.
    pub memory_mib: f64,
    /// If > 0, frames are held and forwarded in whole segments of this length (GOP or
    /// segment muxing), ms.
    #[serde(default)]
    pub segment_ms: f64,
    /// If > 0, the component presents frames this long after decoding them (player
    /// buffer), ms. Only meaningful for the last component.
    #[serde(default)]
    pub playout_buffer_ms: f64,
}

/// A media flow from one component to the next.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowConfig {
    /// Sending component.
    pub from: String,
    /// Receiving component.
    pub to: String,
    /// tcp or udp.
    pub protocol: Protocol,
    /// Mean bitrate, Mbit/s.
    pub bitrate_mbps: f64,
    /// Frames per second.
    pub frame_rate_fps: f64,
    /// Standard deviation of frame size, percent of the mean (3GPP: 10.5).
    #[serde(default = "default_frame_size_sd_pct")]
    pub frame_size_sd_pct: f64,
    /// Smallest frame, percent of the mean.
    #[serde(default = "default_frame_size_min_pct")]
    pub frame_size_min_pct: f64,
    /// Largest frame, percent of the mean.
    #[serde(default = "default_frame_size_max_pct")]
    pub frame_size_max_pct: f64,
}

fn default_frame_size_sd_pct() -> f64 {
    10.5
}
fn default_frame_size_min_pct() -> f64 {
    50.0
}
fn default_frame_size_max_pct() -> f64 {
    150.0
}

/// One setup: a topology, a placement and the path kind between clusters.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioConfig {
    /// Unique name (the `scenario` column of the outputs).
    pub name: String,
    /// Free text for humans.
    #[serde(default)]
    pub description: String,
    /// Topology file, relative to the experiment file.
    pub topology: String,
    /// Path kind for flows between components in different clusters.
    #[serde(default = "default_cross_cluster_path")]
    pub cross_cluster_path: PathKind,
    /// Component name -> cluster name.
    pub placement: BTreeMap<String, String>,
    /// Whether Liqo peerings exist at the start or are established when the run starts.
    #[serde(default)]
    pub peering: PeeringMode,
    /// Link failures between the scenario's clusters.
    #[serde(default)]
    pub faults: Vec<FaultConfig>,
}

impl ScenarioConfig {
    /// Whether its components run on more than one cluster (so some flow crosses).
    pub fn spans_clusters(&self) -> bool {
        let mut clusters = self.placement.values();
        let first = clusters.next();
        clusters.any(|c| Some(c) != first)
    }
}

/// A failure of the link between the scenario's clusters.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultConfig {
    /// What fails.
    pub kind: FaultKind,
    /// When, s after the run starts.
    pub at_s: f64,
    /// How long the link stays down, s.
    pub duration_s: f64,
}

/// Kinds of scripted fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// Every cross-cluster path of the scenario loses its link.
    LinkDown,
}

fn default_cross_cluster_path() -> PathKind {
    PathKind::Liqo
}
