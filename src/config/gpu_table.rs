//! The sourced table of data-centre GPUs a topology's `gpu.model` names (issue 36): memory,
//! FP32 throughput (the render proxy), board power and MIG profiles. It sits in the config
//! layer because the topology's checks refuse a name or MIG profile it does not hold; the
//! render-time model that uses it is [`crate::model::gpu`] (docs/gpu.md).
//!
//! **Render throughput proxy (an assumption).** No vendor publishes a render benchmark for
//! all these boards under the same conditions, so a GPU's relative render throughput is its
//! peak FP32 (single-precision, non-tensor) TFLOPS from NVIDIA's datasheet divided by the
//! reference GPU's ([`REFERENCE_GPU`], the A10). Rasterisation also depends on memory
//! bandwidth, RT cores and fixed-function units this ratio ignores (the A100 and H100 have
//! no RT cores and few graphics units), so the ratio is a first-order scale, not a
//! benchmark.

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
