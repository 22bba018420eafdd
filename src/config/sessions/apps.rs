//! The applications of a session experiment: what a session runs, reserves and streams.

use crate::config::kinds::Protocol;
use serde::{Deserialize, Serialize};

/// An XR application run per session: components on one cluster, one media flow to the user.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionAppConfig {
    /// Name as used in traces.
    pub name: String,
    /// Share of generated arrivals (relative weight).
    #[serde(default = "one")]
    pub share: f64,
    /// Mean session length for generated arrivals, s.
    pub mean_duration_s: f64,
    /// CPU reserved per session, cores.
    pub cpu_cores: f64,
    /// Memory reserved per session, MiB.
    pub memory_mib: f64,
    /// Processing per frame on a reference core (render + encode), ms.
    pub ms_per_frame: f64,
    /// Frames per second.
    pub frame_rate_fps: f64,
    /// Downlink bitrate, Mbit/s.
    pub bitrate_mbps: f64,
    /// tcp or udp.
    pub protocol: Protocol,
    /// Users sharing one session (collaborative sessions synchronise through it).
    #[serde(default = "one_u32")]
    pub users: u32,
    /// Session state copied to the new cluster when a running session is migrated, MiB
    /// (its transfer adds to the migration's downtime; 0: stateless).
    #[serde(default)]
    pub state_mib: f64,
    /// Rendering one frame on the reference GPU (NVIDIA A10) alone, ms: the session then
    /// holds a GPU slot on its cluster and its latency adds the render time on that
    /// cluster's GPU (docs/gpu.md). Unset: no GPU work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_render_ms_per_frame: Option<f64>,
    /// GPU memory a session needs, GiB: only clusters whose GPU slot has that much host it
    /// (the GPU's memory, a MIG profile's, or the GPU's over its time-slicing replicas).
    /// Requires `gpu_render_ms_per_frame`. Unset: 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu_memory_gib: Option<f64>,
    /// The containers a session runs, for `xrplace plan` and `export` (default: one
    /// component named after the application, with a placeholder image).
    #[serde(default)]
    pub components: Vec<ComponentConfig>,
}

/// One container of an application: what a planned Deployment runs.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentConfig {
    /// Name (a DNS-1123 label: it names the Deployment and the Service).
    pub name: String,
    /// Container image reference.
    pub image: String,
    /// Share of the application's CPU and memory this component requests, 0..1; the
    /// shares of an application's components add up to 1.
    pub share: f64,
    /// Port the component serves its media or API on.
    #[serde(default = "default_port")]
    pub port: u16,
    /// Where it runs: with the rest of the session (`with-session`, on the cluster the
    /// strategy picks) or on the experiment's `central_cluster` (`central`: a shared
    /// service such as the collaborative sessions' synchronisation service).
    #[serde(default)]
    pub placement: ComponentPlacement,
    /// Transport of its port (default: the application's).
    #[serde(default)]
    pub protocol: Option<Protocol>,
    /// For a central component: whether each frame waits for it (the round trip from the
    /// session's cluster to the central cluster adds to the session's latency).
    #[serde(default = "yes")]
    pub in_frame_path: bool,
}

/// Where a component of a session runs.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentPlacement {
    /// On the cluster the strategy chose for the session.
    #[default]
    WithSession,
    /// On the central cluster.
    Central,
}

fn yes() -> bool {
    true
}

fn default_port() -> u16 {
    5004
}

impl SessionAppConfig {
    /// The components, or the default single one when none are listed.
    pub fn components_or_default(&self) -> Vec<ComponentConfig> {
        if !self.components.is_empty() {
            return self.components.clone();
        }
        vec![ComponentConfig {
            name: self.name.to_ascii_lowercase().replace('_', "-"),
            image: format!(
                "registry.example.org/xr/{}:1.0.0",
                self.name.to_ascii_lowercase()
            ),
            share: 1.0,
            port: default_port(),
            placement: ComponentPlacement::WithSession,
            in_frame_path: true,
            protocol: None,
        }]
    }
}

fn one() -> f64 {
    1.0
}
fn one_u32() -> u32 {
    1
}
