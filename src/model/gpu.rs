//! GPUs as a resource (issue 36): the three ways Kubernetes shares a GPU (whole devices,
//! time-slicing, MIG) and the render time of a frame on a shared device. Pure formulas;
//! the GPU table they read is [`crate::config::gpu_table`] (re-exported here), the world
//! books the slots. Sources, assumptions and limits: docs/gpu.md.

pub use crate::config::gpu_table::{
    gpu_model, gpu_model_names, GpuModel, MigProfile, GPU_TABLE, MIG_COMPUTE_SLICES,
    MIG_PROFILES_80GB, REFERENCE_GPU,
};
use crate::config::topology::{ClusterGpuConfig, GpuSharingMode};

/// How a node's GPUs are offered to pods.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GpuSharing {
    /// One pod per device (`nvidia.com/gpu: 1`, exclusive).
    Whole,
    /// The device plugin advertises each GPU `replicas` times
    /// (`sharing.timeSlicing.resources[].replicas`, github.com/NVIDIA/k8s-device-plugin
    /// README, "Shared Access to GPUs with CUDA Time-Slicing"): no memory or fault
    /// isolation, the pods on one device take turns.
    TimeSlicing {
        /// Replicas per GPU.
        replicas: u32,
    },
    /// Every GPU is split into instances of one MIG profile (the GPU Operator's `single`
    /// strategy, one profile for all GPUs of a node): isolated fixed slices.
    Mig {
        /// The profile.
        profile: &'static MigProfile,
    },
}

impl GpuSharing {
    /// Slots (pods that can each hold one) one GPU offers: 1, `replicas`, or the profile's
    /// instances per GPU.
    pub fn slots_per_gpu(&self) -> u32 {
        match self {
            GpuSharing::Whole => 1,
            GpuSharing::TimeSlicing { replicas } => *replicas,
            GpuSharing::Mig { profile } => profile.instances_per_gpu,
        }
    }
}

/// A cluster's GPUs: the model, how many per node, and how pods share them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterGpu {
    /// The GPU model.
    pub model: &'static GpuModel,
    /// GPUs per node.
    pub gpus_per_node: u32,
    /// How pods share a GPU.
    pub sharing: GpuSharing,
}

impl ClusterGpu {
    /// The model of a validated `gpu` table (the topology's checks refused unknown models
    /// and profiles, and a mode without its field).
    pub fn from_config(g: &ClusterGpuConfig) -> ClusterGpu {
        let model = gpu_model(&g.model).expect("a validated GPU model");
        let sharing = match g.sharing {
            GpuSharingMode::Whole => GpuSharing::Whole,
            GpuSharingMode::TimeSlicing => GpuSharing::TimeSlicing {
                replicas: g.replicas.expect("validated: time-slicing has replicas"),
            },
            GpuSharingMode::Mig => GpuSharing::Mig {
                profile: g
                    .mig_profile
                    .as_deref()
                    .and_then(|p| model.mig_profile(p))
                    .expect("validated: a MIG profile of the model"),
            },
        };
        ClusterGpu {
            model,
            gpus_per_node: g.per_node,
            sharing,
        }
    }

    /// GPU memory one slot offers a pod, GiB: the GPU's with whole devices, the MIG
    /// profile's, and the GPU's over the replicas under time-slicing (which shares memory
    /// without isolating it; an even share is what a pod can count on).
    pub fn slot_memory_gib(&self) -> f64 {
        match self.sharing {
            GpuSharing::Whole => self.model.memory_gib,
            GpuSharing::TimeSlicing { replicas } => self.model.memory_gib / f64::from(replicas),
            GpuSharing::Mig { profile } => profile.memory_gib,
        }
    }

    /// GPU slots one node offers (pods holding a GPU, a replica or a MIG instance).
    pub fn slots_per_node(&self) -> u32 {
        self.gpus_per_node * self.sharing.slots_per_gpu()
    }
}

/// Render time of one frame on `gpu` shared as `sharing`, ms, for a frame that takes
/// `reference_ms` on [`REFERENCE_GPU`] alone, with `sessions_on_device` sessions (this one
/// included) rendering on the same physical GPU every `frame_interval_ms`.
///
/// - Whole device, or MIG: no contention. MIG renders on its slice's share of the SMs, so
///   `reference_ms / (relative_throughput * compute_fraction)`.
/// - Time-slicing: `t = reference_ms / relative_throughput` alone; see
///   [`time_slicing_stretch`] for the contention of the `n` sessions on the device.
pub fn render_ms(
    gpu: &GpuModel,
    sharing: GpuSharing,
    reference_ms: f64,
    sessions_on_device: u32,
    frame_interval_ms: f64,
) -> f64 {
    let alone_ms = reference_ms / gpu.relative_throughput();
    match sharing {
        GpuSharing::Whole => alone_ms,
        GpuSharing::Mig { profile } => alone_ms / profile.compute_fraction(),
        GpuSharing::TimeSlicing { .. } => {
            alone_ms * time_slicing_stretch(alone_ms, sessions_on_device, frame_interval_ms)
        }
    }
}

/// How much time-slicing stretches a frame's render time: the closed form of the model.
///
/// `n` sessions share one GPU round-robin (CUDA time-slicing gives each context with work a
/// time slice in turn), each rendering a frame of `t` ms (alone on the device) every `T` ms.
/// The device's load is `rho = n * t / T`.
/// - `rho <= 1`: the device keeps up. Assuming the sessions' frames arrive evenly phased
///   (independent sessions, no reason to align) and slices short against `t`, a frame rarely
///   meets another one: stretch 1.
/// - `rho > 1`: the device is saturated, every context always has work, and round-robin
///   gives each ~1/n of the device: a frame takes `n * t`, stretch `n` (the session cannot
///   keep its frame rate; the renderer drops frames).
///
/// Neglected: context-switch cost (time slices are milliseconds), the partial overlap of
/// frames below saturation (a random-phase queue would add some wait near `rho = 1`).
pub fn time_slicing_stretch(t_ms: f64, n: u32, frame_interval_ms: f64) -> f64 {
    let n = f64::from(n.max(1));
    if n * t_ms <= frame_interval_ms {
        1.0
    } else {
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found() {
        let names = gpu_model_names();
        for (i, n) in names.iter().enumerate() {
            assert!(!names[..i].contains(n), "{n} twice");
            assert_eq!(gpu_model(n).unwrap().name, *n);
        }
        assert!(gpu_model("rtx-4090").is_none());
    }

    #[test]
    fn only_a100_and_h100_offer_mig_and_their_profiles_fit_the_device() {
        for g in GPU_TABLE {
            let expect_mig = g.name.starts_with("a100") || g.name.starts_with("h100");
            assert_eq!(!g.mig_profiles.is_empty(), expect_mig, "{}", g.name);
            for p in g.mig_profiles {
                // Instances of one profile never exceed the device: 7 compute slices, the
                // board's memory.
                assert!(p.compute_slices * p.instances_per_gpu <= MIG_COMPUTE_SLICES);
                assert!(p.memory_gib * f64::from(p.instances_per_gpu) <= g.memory_gib);
                // The name states the slices and memory: "<g>g.<mem>gb".
                assert_eq!(
                    p.name,
                    format!("{}g.{}gb", p.compute_slices, p.memory_gib as u32)
                );
            }
        }
    }

    #[test]
    fn relative_throughput_is_the_fp32_ratio_to_the_a10() {
        // L40S: 91.6 / 31.2 = 2.9359; T4: 8.1 / 31.2 = 0.2596.
        let l40s = gpu_model("l40s").unwrap();
        assert!((l40s.relative_throughput() - 2.9359).abs() < 1e-3);
        let t4 = gpu_model("t4").unwrap();
        assert!((t4.relative_throughput() - 0.2596).abs() < 1e-3);
        assert_eq!(REFERENCE_GPU.relative_throughput(), 1.0);
    }

    #[test]
    fn slots_per_gpu_follow_the_sharing_mode() {
        let a100 = gpu_model("a100-80gb").unwrap();
        assert_eq!(GpuSharing::Whole.slots_per_gpu(), 1);
        assert_eq!(GpuSharing::TimeSlicing { replicas: 4 }.slots_per_gpu(), 4);
        let p = a100.mig_profile("1g.10gb").unwrap();
        assert_eq!(GpuSharing::Mig { profile: p }.slots_per_gpu(), 7);
        let p = a100.mig_profile("3g.40gb").unwrap();
        assert_eq!(GpuSharing::Mig { profile: p }.slots_per_gpu(), 2);
        assert!(a100.mig_profile("1g.5gb").is_none());
    }

    fn config(model: &str, sharing: GpuSharingMode) -> ClusterGpuConfig {
        ClusterGpuConfig {
            model: model.into(),
            per_node: 2,
            sharing,
            replicas: None,
            mig_profile: None,
        }
    }

    #[test]
    fn a_cluster_gpu_table_gives_its_slots_per_node() {
        // 2 GPUs x 1 = 2; x 4 replicas = 8; x 7 instances of 1g.10gb = 14.
        let whole = ClusterGpu::from_config(&config("l4", GpuSharingMode::Whole));
        assert_eq!(whole.slots_per_node(), 2);
        let mut ts = config("l4", GpuSharingMode::TimeSlicing);
        ts.replicas = Some(4);
        assert_eq!(ClusterGpu::from_config(&ts).slots_per_node(), 8);
        let mut mig = config("h100-80gb", GpuSharingMode::Mig);
        mig.mig_profile = Some("1g.10gb".into());
        let g = ClusterGpu::from_config(&mig);
        assert_eq!(g.slots_per_node(), 14);
        // Slot memory: L4 24 GiB whole, 24 / 4 = 6 GiB a replica; 1g.10gb: 10 GiB.
        assert_eq!(whole.slot_memory_gib(), 24.0);
        assert_eq!(ClusterGpu::from_config(&ts).slot_memory_gib(), 6.0);
        assert_eq!(g.slot_memory_gib(), 10.0);
        assert_eq!(g.model.name, "h100-80gb");
    }

    #[test]
    fn time_slicing_contention_closed_form_by_hand() {
        // Reference GPU (A10), 4 ms per frame alone, 90 fps: T = 1000 / 90 = 11.111 ms.
        let a10 = gpu_model("a10").unwrap();
        let ts = GpuSharing::TimeSlicing { replicas: 4 };
        let t_frame = 1000.0 / 90.0;
        // n = 1: rho = 4 / 11.111 = 0.36 <= 1: 4 ms.
        assert_eq!(render_ms(a10, ts, 4.0, 1, t_frame), 4.0);
        // n = 2: rho = 8 / 11.111 = 0.72 <= 1: still 4 ms.
        assert_eq!(render_ms(a10, ts, 4.0, 2, t_frame), 4.0);
        // n = 3: rho = 12 / 11.111 = 1.08 > 1: saturated, each gets 1/3: 3 x 4 = 12 ms.
        assert_eq!(render_ms(a10, ts, 4.0, 3, t_frame), 12.0);
        // n = 4: 4 x 4 = 16 ms.
        assert_eq!(render_ms(a10, ts, 4.0, 4, t_frame), 16.0);
    }

    #[test]
    fn time_slicing_on_a_faster_gpu_scales_first_then_saturates_later() {
        // L40S: t = 4 / (91.6 / 31.2) = 4 * 31.2 / 91.6 = 1.36245 ms. At 90 fps the
        // device saturates when n * 1.36245 > 11.111, i.e. from n = 9 (8.2 sessions fit).
        let l40s = gpu_model("l40s").unwrap();
        let ts = GpuSharing::TimeSlicing { replicas: 16 };
        let t_frame = 1000.0 / 90.0;
        let alone = 4.0 * 31.2 / 91.6;
        assert!((render_ms(l40s, ts, 4.0, 8, t_frame) - alone).abs() < 1e-9);
        assert!((render_ms(l40s, ts, 4.0, 9, t_frame) - 9.0 * alone).abs() < 1e-9);
    }

    #[test]
    fn mig_renders_on_its_slice_without_contention() {
        // A100 80GB, 1g.10gb: 1/7 of the SMs; the A100 alone renders a 4 ms (A10) frame in
        // 4 * 31.2 / 19.5 = 6.4 ms; on 1/7 of it: 6.4 * 7 = 44.8 ms, whatever the number
        // of sessions on the other slices.
        let a100 = gpu_model("a100-80gb").unwrap();
        let mig = GpuSharing::Mig {
            profile: a100.mig_profile("1g.10gb").unwrap(),
        };
        for n in [1, 7] {
            assert!((render_ms(a100, mig, 4.0, n, 11.111) - 44.8).abs() < 1e-9);
        }
        // 7g.80gb: the whole GPU, 6.4 ms.
        let whole = GpuSharing::Mig {
            profile: a100.mig_profile("7g.80gb").unwrap(),
        };
        assert!((render_ms(a100, whole, 4.0, 1, 11.111) - 6.4).abs() < 1e-9);
    }

    #[test]
    fn a_whole_device_ignores_the_session_count() {
        let l4 = gpu_model("l4").unwrap();
        // 4 ms * 31.2 / 30.3 = 4.11881 ms.
        let r = render_ms(l4, GpuSharing::Whole, 4.0, 5, 11.111);
        assert!((r - 4.0 * 31.2 / 30.3).abs() < 1e-9);
    }
}
