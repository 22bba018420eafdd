//! XR session applications and the flow-fidelity latency formula.
//!
//! A session's motion-to-photon latency is: the user's access latency both ways, the RTT
//! from the access site to the cluster's site, processing one frame on the cluster's CPU
//! stretched by contention at its utilisation (the same formula as frame fidelity,
//! [`crate::model::platform::contention_stretch`]), rendering it on the cluster's GPU when
//! the application has GPU work ([`gpu_render_ms`], docs/gpu.md; frame fidelity adds the
//! same term), serialising the frame at the site's bandwidth
//! after its wait behind the other sessions' frames there ([`crate::model::egress`]), and, when the cluster is not the user's
//! home cluster, the cross-cluster path's hop costs (Liqo gateways, NodePort NAT, sidecars)
//! from [`crate::model::PathModel`]. Components placed on the central cluster hold their
//! share of CPU and memory there; if a frame waits for them, the round trip to the central
//! cluster (RTT plus the path's hop costs) adds to the latency.

use crate::base::units::round_to_u64;
use crate::config::experiment::Protocol;
use crate::config::sessions::{ComponentPlacement, SessionAppConfig};
use crate::model::egress::EgressWait;
use crate::model::frame_spread::{FrameSpread, FRAME_SIZE_SD};
use crate::model::gpu::{render_ms, ClusterGpu};
#[cfg(doc)]
use crate::model::platform::contention_stretch;

/// An application run per session.
#[derive(Debug, Clone)]
pub struct SessionApp {
    /// Name.
    pub name: String,
    /// CPU reserved, cores.
    pub cpu_cores: f64,
    /// Memory reserved, MiB.
    pub memory_mib: f64,
    /// Processing per frame on a reference core, ms.
    pub ms_per_frame: f64,
    /// Frame size, bits.
    pub frame_bits: f64,
    /// Downlink bitrate (all users), Mbit/s.
    pub bitrate_mbps: f64,
    /// tcp or udp.
    pub protocol: Protocol,
    /// Users per session.
    pub users: u32,
    /// Mean length, s.
    pub mean_duration_s: f64,
    /// Relative share of arrivals.
    pub share: f64,
    /// CPU of the components on the central cluster, cores (part of `cpu_cores`).
    pub central_cpu_cores: f64,
    /// Memory of the components on the central cluster, MiB (part of `memory_mib`).
    pub central_memory_mib: f64,
    /// Whether it has central components.
    pub has_central: bool,
    /// Whether a frame waits for a central component (its round trip adds to latency).
    pub central_in_path: bool,
    /// Whether a central component speaks UDP (its port's protocol, else the
    /// application's), so a path that cannot carry UDP cannot reach it from elsewhere.
    pub central_udp: bool,
    /// State copied on a live migration, MiB.
    pub state_mib: f64,
    /// Time between two frames, ns (frame fidelity sends one frame per user this often).
    pub frame_interval_ns: u64,
    /// Cores a session keeps busy on average, reference cores: its work per frame times
    /// its frame rate, at most its reservation (a session that cannot keep up skips
    /// frames, it does not use more cores than it holds).
    pub busy_cpu_cores: f64,
    /// Rendering one frame on the reference GPU alone ([`crate::model::gpu::REFERENCE_GPU`]),
    /// ms; 0: the application renders on no GPU (docs/gpu.md).
    pub gpu_render_ms_per_frame: f64,
    /// GPU memory a session needs, GiB (0 without GPU work).
    pub gpu_memory_gib: f64,
}

impl SessionApp {
    /// Builds the model from its validated table.
    pub fn from_config(a: &SessionAppConfig) -> SessionApp {
        let central = a
            .components
            .iter()
            .filter(|k| k.placement == ComponentPlacement::Central);
        let central_share: f64 = central.clone().map(|k| k.share).sum();
        SessionApp {
            name: a.name.clone(),
            cpu_cores: a.cpu_cores,
            memory_mib: a.memory_mib,
            ms_per_frame: a.ms_per_frame,
            frame_bits: a.bitrate_mbps * 1e6 / a.frame_rate_fps,
            bitrate_mbps: a.bitrate_mbps * a.users as f64,
            protocol: a.protocol,
            users: a.users,
            mean_duration_s: a.mean_duration_s,
            share: a.share,
            central_cpu_cores: a.cpu_cores * central_share,
            central_memory_mib: a.memory_mib * central_share,
            has_central: central.clone().next().is_some(),
            central_in_path: central.clone().any(|k| k.in_frame_path),
            central_udp: central
                .clone()
                .any(|k| k.protocol.unwrap_or(a.protocol) == Protocol::Udp),
            state_mib: a.state_mib,
            frame_interval_ns: round_to_u64(1e9 / a.frame_rate_fps),
            busy_cpu_cores: (a.ms_per_frame * a.frame_rate_fps / 1e3).min(a.cpu_cores),
            gpu_render_ms_per_frame: a.gpu_render_ms_per_frame.unwrap_or(0.0),
            gpu_memory_gib: a.gpu_memory_gib.unwrap_or(0.0),
        }
    }

    /// Busy cores (reference cores) on the session's own cluster and on the central one:
    /// [`Self::busy_cpu_cores`] split as the reservation is.
    pub fn busy_cores(&self) -> (f64, f64) {
        let central = if self.cpu_cores > 0.0 {
            self.busy_cpu_cores * self.central_cpu_cores / self.cpu_cores
        } else {
            0.0
        };
        (self.busy_cpu_cores - central, central)
    }

    /// Whether a session needs a GPU slot on its cluster (it has GPU work per frame).
    pub fn needs_gpu(&self) -> bool {
        self.gpu_render_ms_per_frame > 0.0
    }

    /// CPU and memory (cores, MiB) on the session's own cluster.
    pub fn local_resources(&self) -> (f64, f64) {
        (
            self.cpu_cores - self.central_cpu_cores,
            self.memory_mib - self.central_memory_mib,
        )
    }
}

/// What a session's latency depends on besides the application.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatencyInputs {
    /// User to access site, one way, ms.
    pub access_ms: f64,
    /// Access site to the cluster's site, round trip, ms.
    pub rtt_ms: f64,
    /// Cross-cluster path hop costs for one frame (0 on the home cluster), ms.
    pub path_ms: f64,
    /// Processing slowdown from CPU contention on the cluster, >= 1
    /// ([`contention_stretch`] of its utilisation and cores).
    pub cpu_stretch: f64,
    /// Cluster vCPU speed relative to the reference.
    pub cpu_speed: f64,
    /// Bottleneck bandwidth towards the user, Gbit/s.
    pub bandwidth_gbps: f64,
    /// Mean wait there behind other sessions' frames, ms ([`crate::model::egress`]).
    pub egress_wait_ms: f64,
    /// Mean wait at the shared relays of the cross-cluster path (gateways, node agents)
    /// behind other sessions' frames, ms ([`crate::model::relay`]).
    pub relay_wait_ms: f64,
    /// Standard deviation of that wait, ms.
    pub relay_sd_ms: f64,
    /// Rendering one frame on the cluster's GPU, contention included, ms
    /// ([`gpu_render_ms`]; 0 for an application without GPU work).
    pub gpu_render_ms: f64,
}

/// Rendering one of `app`'s frames on `gpu` (the cluster's GPUs, if any), ms, with
/// `sessions_on_device` sessions rendering on the same physical GPU (this one included;
/// matters under time-slicing only): [`crate::model::gpu::render_ms`] of the application's
/// reference render time at its frame interval. 0 when the application renders on no GPU.
/// `None` when it needs a GPU and the cluster has none: the session cannot run there.
pub fn gpu_render_ms(
    app: &SessionApp,
    gpu: Option<&ClusterGpu>,
    sessions_on_device: u32,
) -> Option<f64> {
    if app.gpu_render_ms_per_frame <= 0.0 {
        return Some(0.0);
    }
    let g = gpu?;
    let interval_ms = app.frame_interval_ns as f64 / 1e6;
    Some(render_ms(
        g.model,
        g.sharing,
        app.gpu_render_ms_per_frame,
        sessions_on_device,
        interval_ms,
    ))
}

/// Motion-to-photon latency of a session, ms.
pub fn session_latency_ms(app: &SessionApp, x: &LatencyInputs) -> f64 {
    2.0 * x.access_ms
        + x.rtt_ms
        + x.path_ms
        + size_scaled_ms(app, x)
        + x.gpu_render_ms
        + x.egress_wait_ms
        + x.relay_wait_ms
}

/// The part of a frame's latency that scales with its size: processing (stretched by
/// contention) and serialisation at the bottleneck, ms.
fn size_scaled_ms(app: &SessionApp, x: &LatencyInputs) -> f64 {
    let proc = app.ms_per_frame / x.cpu_speed;
    let ser = app.frame_bits / (x.bandwidth_gbps * 1e9) * 1e3;
    proc * x.cpu_stretch + ser
}

/// How a session's frames spread around [`session_latency_ms`]: route jitter of sd
/// `jitter_sd_ms` each way, frame size (it scales processing and serialisation), the
/// relays' waits (taken as normal) and the egress `wait` (ms).
pub fn frame_spread(
    app: &SessionApp,
    x: &LatencyInputs,
    jitter_sd_ms: f64,
    wait: EgressWait,
) -> FrameSpread {
    FrameSpread {
        jitter_sd_ms,
        normal_sd_ms: (FRAME_SIZE_SD * size_scaled_ms(app, x)).hypot(x.relay_sd_ms),
        wait,
    }
}

#[cfg(test)]
impl SessionApp {
    /// A single-user UDP application at 60 fps, 5 ms per frame, for tests.
    pub fn for_tests() -> SessionApp {
        SessionApp {
            name: "vr".into(),
            cpu_cores: 2.0,
            memory_mib: 2048.0,
            ms_per_frame: 5.0,
            frame_bits: 500_000.0,
            bitrate_mbps: 30.0,
            protocol: Protocol::Udp,
            users: 1,
            mean_duration_s: 600.0,
            share: 1.0,
            central_cpu_cores: 0.0,
            central_memory_mib: 0.0,
            has_central: false,
            central_in_path: false,
            central_udp: false,
            state_mib: 0.0,
            frame_interval_ns: 16_666_667,
            // 5 ms at 60 fps.
            busy_cpu_cores: 0.3,
            gpu_render_ms_per_frame: 0.0,
            gpu_memory_gib: 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> SessionApp {
        SessionApp::for_tests()
    }

    #[test]
    fn latency_adds_the_parts() {
        let x = LatencyInputs {
            access_ms: 2.0,
            rtt_ms: 4.0,
            path_ms: 0.5,
            cpu_stretch: 1.0,
            cpu_speed: 1.0,
            bandwidth_gbps: 10.0,
            egress_wait_ms: 0.0,
            relay_wait_ms: 0.0,
            relay_sd_ms: 0.0,
            gpu_render_ms: 0.0,
        };
        // 2 * 2 + 4 + 0.5 + 5 + 0.5 Mbit / 10 Gbit/s = 0.05 ms.
        assert!((session_latency_ms(&app(), &x) - 13.55).abs() < 1e-9);
        // At 50 % of 2 cores processing stretches by 1 / (1 - 0.5^2) = 4/3: +5/3 ms.
        let busy = LatencyInputs {
            cpu_stretch: crate::model::platform::contention_stretch(0.5, 2.0),
            ..x
        };
        assert!((session_latency_ms(&app(), &busy) - (13.55 + 5.0 / 3.0)).abs() < 1e-9);
        // A loaded link adds its wait.
        let link = LatencyInputs {
            egress_wait_ms: 0.025,
            ..x
        };
        assert!((session_latency_ms(&app(), &link) - 13.575).abs() < 1e-9);
        // Frames spread by 10.5 % of processing and serialisation: 0.105 * 5.05 ms.
        let s = frame_spread(&app(), &x, 0.3, EgressWait::NONE);
        assert!((s.normal_sd_ms - 0.53025).abs() < 1e-9);
        // A relay's wait adds to the mean and, as a normal part, to the spread.
        let relayed = LatencyInputs {
            relay_wait_ms: 0.1,
            relay_sd_ms: 0.4,
            ..x
        };
        assert!((session_latency_ms(&app(), &relayed) - 13.65).abs() < 1e-9);
        let s = frame_spread(&app(), &relayed, 0.3, EgressWait::NONE);
        assert!((s.normal_sd_ms - 0.53025f64.hypot(0.4)).abs() < 1e-9);
    }

    #[test]
    fn gpu_render_time_adds_to_latency_and_stretches_under_time_slicing() {
        let x = LatencyInputs {
            access_ms: 2.0,
            rtt_ms: 4.0,
            path_ms: 0.5,
            cpu_stretch: 1.0,
            cpu_speed: 1.0,
            bandwidth_gbps: 10.0,
            egress_wait_ms: 0.0,
            relay_wait_ms: 0.0,
            relay_sd_ms: 0.0,
            gpu_render_ms: 0.0,
        };
        let mut a = app();
        // No GPU work: 0 ms anywhere, even on a cluster without GPUs.
        assert_eq!(gpu_render_ms(&a, None, 1), Some(0.0));
        // 6 ms per frame on the A10 at 60 fps (T = 16.667 ms), on two L4s time-sliced 4
        // ways: alone 6 * 31.2 / 30.3 = 6.17822 ms. Two sessions on a device: rho =
        // 12.356 / 16.667 = 0.74, no stretch; three: rho = 1.11, saturated: 3 x 6.17822
        // = 18.53465 ms.
        a.gpu_render_ms_per_frame = 6.0;
        let l4 = ClusterGpu {
            model: crate::model::gpu::gpu_model("l4").unwrap(),
            gpus_per_node: 2,
            sharing: crate::model::gpu::GpuSharing::TimeSlicing { replicas: 4 },
        };
        let alone = 6.0 * 31.2 / 30.3;
        assert!((gpu_render_ms(&a, Some(&l4), 2).unwrap() - alone).abs() < 1e-9);
        let three = gpu_render_ms(&a, Some(&l4), 3).unwrap();
        assert!((three - 3.0 * alone).abs() < 1e-9);
        // A GPU application on a cluster without GPUs cannot run there.
        assert_eq!(gpu_render_ms(&a, None, 1), None);
        // The render time adds to the latency as it is: 13.55 ms (above) + 18.53465 ms.
        let rendered = LatencyInputs {
            gpu_render_ms: three,
            ..x
        };
        assert!((session_latency_ms(&app(), &rendered) - (13.55 + three)).abs() < 1e-9);
    }
}
