//! GPUs as a resource (issue 36): a small sourced table of data-centre GPUs, the three
//! ways Kubernetes shares one (whole devices, time-slicing, MIG) and the render time of a
//! frame on a shared device. Pure data and formulas; the world books the slots.
//!
//! **Render throughput proxy (an assumption).** No vendor publishes a render benchmark for
//! all these boards under the same conditions, so a GPU's relative render throughput is its
//! peak FP32 (single-precision, non-tensor) TFLOPS from NVIDIA's datasheet divided by the
//! reference GPU's ([`REFERENCE_GPU`], the A10). Rasterisation also depends on memory
//! bandwidth, RT cores and fixed-function units this ratio ignores (the A100 and H100 have
//! no RT cores and few graphics units), so the ratio is a first-order scale, not a
//! benchmark. Sources per row below; docs/gpu.md gives the table and its limits.

/// One GPU model of [`GPU_TABLE`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GpuModel {
    /// The name written in a topology's `gpu_model` (`a100-80gb`, `l4`...).
    pub name: &'static str,
    /// Device memory, GiB (the datasheet's GB, which NVIDIA states in GiB-sized units).
    pub memory_gib: f64,
    /// Peak FP32 throughput (non-tensor), TFLOPS, from the datasheet: the render proxy.
    pub fp32_tflops: f64,
    /// Board power (TDP / max board power), W, from the datasheet.
    pub board_power_w: f64,
    /// The MIG profiles the GPU offers (empty: no MIG).
    pub mig_profiles: &'static [MigProfile],
}

impl GpuModel {
    /// Render throughput relative to [`REFERENCE_GPU`] (FP32 TFLOPS ratio, see the module
    /// comment): a frame that takes `t` ms on the reference takes `t / ratio` ms here.
    pub fn relative_throughput(&self) -> f64 {
        self.fp32_tflops / REFERENCE_GPU.fp32_tflops
    }

    /// The MIG profile named `name` (`1g.10gb`...), if this GPU offers it.
    pub fn mig_profile(&self, name: &str) -> Option<&'static MigProfile> {
        self.mig_profiles.iter().find(|p| p.name == name)
    }
}

/// A MIG GPU-instance profile: a fixed, isolated slice of a GPU.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MigProfile {
    /// NVIDIA's name, `<compute slices>g.<memory>gb`.
    pub name: &'static str,
    /// Compute slices (the `g` of the name) out of the GPU's [`MIG_COMPUTE_SLICES`].
    pub compute_slices: u32,
    /// Memory of the slice, GiB.
    pub memory_gib: f64,
    /// How many instances of this profile one GPU holds (the guide's "Number of Instances
    /// Available"): the slots a GPU offers when all its instances have this profile.
    pub instances_per_gpu: u32,
}

impl MigProfile {
    /// Share of the GPU's SMs the slice gets: `compute_slices / 7` (the guide's "Fraction
    /// of SMs"). The full GPU has a few SMs no profile uses (A100: 98 of 108 in 7g); the
    /// model neglects them, so 7g renders as fast as the whole GPU (an assumption).
    pub fn compute_fraction(&self) -> f64 {
        f64::from(self.compute_slices) / f64::from(MIG_COMPUTE_SLICES)
    }
}

/// Compute slices of an A100 or H100 in MIG mode (7: the largest profile is `7g`).
pub const MIG_COMPUTE_SLICES: u32 = 7;

/// The MIG profiles of an 80 GB A100 or H100 (without the `+me` media-extension variants):
/// NVIDIA Multi-Instance GPU User Guide, "Supported MIG Profiles"
/// (docs.nvidia.com/datacenter/tesla/mig-user-guide/supported-mig-profiles.html): on
/// A100-SXM4-80GB "the profile names will change according to the memory proportion", 1g.10gb
/// (7 instances), 1g.20gb (4), 2g.20gb (3), 3g.40gb (2), 4g.40gb (1), 7g.80gb (1); the
/// H100 80GB table has the same names and counts.
pub const MIG_PROFILES_80GB: &[MigProfile] = &[
    mig("1g.10gb", 1, 10.0, 7),
    mig("1g.20gb", 1, 20.0, 4),
    mig("2g.20gb", 2, 20.0, 3),
    mig("3g.40gb", 3, 40.0, 2),
    mig("4g.40gb", 4, 40.0, 1),
    mig("7g.80gb", 7, 80.0, 1),
];

const fn mig(name: &'static str, slices: u32, gib: f64, instances: u32) -> MigProfile {
    MigProfile {
        name,
        compute_slices: slices,
        memory_gib: gib,
        instances_per_gpu: instances,
    }
}

/// The GPU a session application's `gpu_render_ms_per_frame` is measured on: the NVIDIA A10
/// (24 GB, 31.2 FP32 TFLOPS, 150 W; NVIDIA A10 Tensor Core GPU datasheet), a common cloud
/// render GPU (AWS G5, Azure NVadsA10 v5).
pub const REFERENCE_GPU: GpuModel = GpuModel {
    name: "a10",
    memory_gib: 24.0,
    fp32_tflops: 31.2,
    board_power_w: 150.0,
    mig_profiles: &[],
};

/// Common data-centre GPUs. Each row: NVIDIA's datasheet for the board (nvidia.com
/// data-center product pages, datasheet PDFs as of 2024):
/// - `t4`: Tesla T4 datasheet: 16 GB GDDR6, 8.1 TFLOPS FP32, 70 W.
/// - `a10`: A10 datasheet: 24 GB GDDR6, 31.2 TFLOPS FP32, 150 W.
/// - `l4`: L4 datasheet: 24 GB GDDR6, 30.3 TFLOPS FP32, 72 W.
/// - `l40s`: L40S datasheet: 48 GB GDDR6, 91.6 TFLOPS FP32, 350 W.
/// - `a100-80gb`: A100 datasheet, A100 80GB PCIe: 80 GB HBM2e, 19.5 TFLOPS FP32, 300 W
///   (the SXM4 board: 400 W); MIG up to 7 instances.
/// - `h100-80gb`: H100 datasheet, H100 SXM: 80 GB HBM3, 67 TFLOPS FP32, up to 700 W; MIG
///   up to 7 instances.
///
/// MIG support: the MIG User Guide's "Supported GPUs" (A100 and H100 yes; T4, A10, L4 and
/// L40S are not listed).
pub const GPU_TABLE: &[GpuModel] = &[
    GpuModel {
        name: "t4",
        memory_gib: 16.0,
        fp32_tflops: 8.1,
        board_power_w: 70.0,
        mig_profiles: &[],
    },
    REFERENCE_GPU,
    GpuModel {
        name: "l4",
        memory_gib: 24.0,
        fp32_tflops: 30.3,
        board_power_w: 72.0,
        mig_profiles: &[],
    },
    GpuModel {
        name: "l40s",
        memory_gib: 48.0,
        fp32_tflops: 91.6,
        board_power_w: 350.0,
        mig_profiles: &[],
    },
    GpuModel {
        name: "a100-80gb",
        memory_gib: 80.0,
        fp32_tflops: 19.5,
        board_power_w: 300.0,
        mig_profiles: MIG_PROFILES_80GB,
    },
    GpuModel {
        name: "h100-80gb",
        memory_gib: 80.0,
        fp32_tflops: 67.0,
        board_power_w: 700.0,
        mig_profiles: MIG_PROFILES_80GB,
    },
];

/// The GPU model named `name` in [`GPU_TABLE`].
pub fn gpu_model(name: &str) -> Option<&'static GpuModel> {
    GPU_TABLE.iter().find(|g| g.name == name)
}

/// The names of [`GPU_TABLE`], for error messages.
pub fn gpu_model_names() -> Vec<&'static str> {
    GPU_TABLE.iter().map(|g| g.name).collect()
}

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
