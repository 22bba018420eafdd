//! XR applications: a chain of components joined by media flows.

use super::ids::ComponentId;
use crate::base::units::{ns_from_ms, round_to_u64};
use crate::config::experiment::{ApplicationConfig, Protocol};

/// One component of the chain, with its demands in reference-core units.
#[derive(Debug, Clone)]
pub struct Component {
    /// Name from the experiment file.
    pub name: String,
    /// CPU work per frame on an idle reference core, ns.
    pub cpu_ns_per_frame: u64,
    /// CPU used regardless of frames, reference cores.
    pub idle_cpu_cores: f64,
    /// Resident memory, MiB.
    pub memory_mib: f64,
    /// Segment length when the component holds frames and forwards whole segments, ns
    /// (0: forward every frame at once).
    pub segment_ns: u64,
    /// Player buffer between decoding and presenting, ns.
    pub playout_ns: u64,
}

/// A media flow between consecutive components.
#[derive(Debug, Clone)]
pub struct Flow {
    /// tcp or udp.
    pub protocol: Protocol,
    /// Mean frame size, bytes (bitrate / frame rate).
    pub mean_frame_bytes: f64,
    /// Frame size standard deviation, as a fraction of the mean.
    pub size_sd_ratio: f64,
    /// Smallest and largest frame as fractions of the mean.
    pub size_bounds_ratio: (f64, f64),
    /// Mean bitrate, bit/s.
    pub bitrate_bps: f64,
}

/// An application: components in stream order, flow `i` from component `i` to `i + 1`.
#[derive(Debug, Clone)]
pub struct Application {
    /// Name from the experiment file.
    pub name: String,
    /// Components, source first.
    pub components: Vec<Component>,
    /// Flows, `components.len() - 1` of them.
    pub flows: Vec<Flow>,
    /// Time between two captured frames, ns.
    pub frame_interval_ns: u64,
    /// Standard deviation of capture instants around the frame clock, ns.
    pub capture_jitter_sd_ns: u64,
    /// Truncation of the capture jitter, ns.
    pub capture_jitter_max_ns: u64,
}

impl Application {
    /// Builds the model from a validated application table.
    pub fn from_config(a: &ApplicationConfig) -> Application {
        let components = a
            .components
            .iter()
            .map(|c| Component {
                name: c.name.clone(),
                cpu_ns_per_frame: ns_from_ms(c.cpu_ms_per_frame),
                idle_cpu_cores: c.idle_cpu_cores,
                memory_mib: c.memory_mib,
                segment_ns: ns_from_ms(c.segment_ms),
                playout_ns: ns_from_ms(c.playout_buffer_ms),
            })
            .collect();
        let flows = a
            .flows
            .iter()
            .map(|f| Flow {
                protocol: f.protocol,
                mean_frame_bytes: f.bitrate_mbps * 1e6 / 8.0 / f.frame_rate_fps,
                size_sd_ratio: f.frame_size_sd_pct / 100.0,
                size_bounds_ratio: (f.frame_size_min_pct / 100.0, f.frame_size_max_pct / 100.0),
                bitrate_bps: f.bitrate_mbps * 1e6,
            })
            .collect();
        Application {
            name: a.name.clone(),
            components,
            flows,
            frame_interval_ns: round_to_u64(1e9 / a.flows[0].frame_rate_fps),
            capture_jitter_sd_ns: ns_from_ms(a.capture_jitter_ms),
            capture_jitter_max_ns: ns_from_ms(a.capture_jitter_max_ms),
        }
    }

    /// Id of the last component (the sink that presents frames).
    pub fn sink(&self) -> ComponentId {
        ComponentId(self.components.len() as u32 - 1)
    }

    /// Frames per segment of component `c` (1 when it forwards every frame).
    pub fn frames_per_segment(&self, c: ComponentId) -> u32 {
        let seg = self.components[c.ix()].segment_ns;
        ((seg as f64 / self.frame_interval_ns as f64).round() as u32).max(1)
    }
}
