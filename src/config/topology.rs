//! The topology file: sites, clusters, links and path parameters (the path tables are in
//! [`super::paths`] and [`super::path_kinds`]; loading in [`super::topology_load`],
//! checks in [`super::topology_check`]).
//!
//! Every number carries its unit in its name. Defaults cite their source; see
//! `docs/calibration.md` for the parameters calibrated against the seed study.

pub use super::path_kinds::PathsConfig;
pub use super::paths::{LiqoPathConfig, LocalPathConfig, MeshPathConfig, NodePortPathConfig};
use serde::{Deserialize, Serialize};

/// A whole topology file, as written.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TopologyConfig {
    /// Name used in reports.
    pub name: String,
    /// How routes and missing links are derived.
    #[serde(default)]
    pub routing: RoutingConfig,
    /// Places with a location and a tier.
    pub sites: Vec<SiteConfig>,
    /// Kubernetes clusters, each at one site.
    pub clusters: Vec<ClusterConfig>,
    /// Measured links between sites; pairs without one may be derived from distance.
    #[serde(default)]
    pub links: Vec<LinkConfig>,
    /// Parameters of the path kinds between components.
    #[serde(default)]
    pub paths: PathsConfig,
}

impl TopologyConfig {
    /// Each site's index in `sites`, by name.
    pub fn site_indices(&self) -> std::collections::HashMap<&str, u32> {
        self.sites
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.as_str(), i as u32))
            .collect()
    }
}

/// Route derivation between sites.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RoutingConfig {
    /// Derive an RTT from distance for site pairs that no chain of links joins.
    pub derive_missing_rtt: bool,
    /// Fixed part of a derived RTT (equipment, last mile), ms.
    pub base_rtt_ms: f64,
    /// Fiber route length over great-circle distance.
    pub route_inflation: f64,
    /// One-way distance light covers in fiber per millisecond, km.
    pub fiber_km_per_ms: f64,
    /// Jitter of a derived link, ms (standard deviation).
    pub derived_jitter_ms: f64,
    /// Bandwidth of a derived link, Gbit/s.
    pub derived_bandwidth_gbps: f64,
    /// Measured RTTs of site pairs: a CSV (`site_a,site_b,rtt_ms,rtt_sd_ms`, optionally
    /// `bandwidth_gbps`) relative to this file. Each row overrides the distance model link
    /// by link: it replaces the RTT and jitter of its pair's `[[links]]` entry, or adds a
    /// link (docs/topologies.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measured_rtt_csv: Option<String>,
}

impl Default for RoutingConfig {
    /// RTT ~ 1 + 2.5 * 2 * d_km / 200 ms, fit to European city pairs (design.md).
    fn default() -> Self {
        RoutingConfig {
            derive_missing_rtt: true,
            base_rtt_ms: 1.0,
            route_inflation: 2.5,
            fiber_km_per_ms: 200.0,
            derived_jitter_ms: 0.5,
            derived_bandwidth_gbps: 10.0,
            measured_rtt_csv: None,
        }
    }
}

/// Tier of a site in the continuum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// A public or private cloud region.
    Cloud,
    /// A metro edge site.
    Edge,
    /// An on-premises or base-station site next to users.
    FarEdge,
}

impl Tier {
    /// The name as written in files (`cloud`, `edge`, `far-edge`), for labels.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Cloud => "cloud",
            Tier::Edge => "edge",
            Tier::FarEdge => "far-edge",
        }
    }
}

/// A site: a location hosting clusters.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Unique name.
    pub name: String,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Cloud, edge or far-edge.
    pub tier: Tier,
    /// RTT between two clusters at this site (same data-centre network), ms.
    #[serde(default = "default_intra_site_rtt_ms")]
    pub intra_site_rtt_ms: f64,
    /// Bandwidth between clusters at this site, Gbit/s.
    #[serde(default = "default_intra_site_bandwidth_gbps")]
    pub intra_site_bandwidth_gbps: f64,
    /// Latency from a user's device to this site, ms (one way).
    #[serde(default = "default_access_latency_ms")]
    pub access_latency_ms: f64,
    /// Power usage effectiveness of the site's facility (total facility energy over the
    /// IT equipment's, at least 1). Unset: the default of its tier
    /// ([`crate::model::energy::default_pue`], docs/energy.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pue: Option<f64>,
    /// ISO 3166-1 alpha-2 code of the country whose grid feeds the site (`DE`, `FR`...):
    /// picks its grid carbon intensity from the default table
    /// ([`crate::model::energy::country_grid_gco2e_per_kwh`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Carbon intensity of the electricity the site draws, gCO2e per kWh; overrides the
    /// country's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid_gco2e_per_kwh: Option<f64>,
}

fn default_intra_site_rtt_ms() -> f64 {
    0.3
}
fn default_intra_site_bandwidth_gbps() -> f64 {
    10.0
}
fn default_access_latency_ms() -> f64 {
    2.0
}

/// Kubernetes distribution used to bootstrap a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Distribution {
    /// Upstream kubeadm.
    Kubeadm,
    /// Rancher k3s.
    K3s,
}

/// Cluster API infrastructure provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Provider {
    /// Cluster API Provider OpenStack.
    Openstack,
    /// Docker (local test clusters).
    Docker,
}

/// A Kubernetes cluster at a site.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterConfig {
    /// Unique name.
    pub name: String,
    /// Name of the site hosting it.
    pub site: String,
    /// Number of nodes.
    pub nodes: u32,
    /// vCPUs per node.
    pub vcpu_per_node: f64,
    /// Memory per node, GiB.
    pub memory_gib_per_node: f64,
    /// kubeadm or k3s.
    pub distribution: Distribution,
    /// openstack or docker.
    pub provider: Provider,
    /// Speed of this cluster's vCPUs relative to the reference vCPU of the application's
    /// per-frame costs (1.0 = same; 0.9 = work takes 1/0.9 as long).
    #[serde(default = "one")]
    pub cpu_speed_ratio: f64,
    /// CPU used with no application: OS, Kubernetes control plane, kubelet, CNI and the
    /// per-cluster Prometheus, in reference cores.
    #[serde(default = "default_baseline_cpu_cores")]
    pub baseline_cpu_cores: f64,
    /// Memory used with no application, MiB.
    #[serde(default = "default_baseline_memory_mib")]
    pub baseline_memory_mib: f64,
    /// Price of one vCPU-hour, USD.
    #[serde(default = "default_cost_per_vcpu_hour_usd")]
    pub cost_per_vcpu_hour_usd: f64,
    /// Price of one GiB-hour of memory, USD.
    #[serde(default = "default_cost_per_gib_hour_usd")]
    pub cost_per_gib_hour_usd: f64,
    /// Electric power of one node with its CPUs idle, W. Unset: `vcpu_per_node` times the
    /// per-vCPU idle power of the SPECpower reference server
    /// ([`crate::model::energy::IDLE_WATTS_PER_VCPU`], docs/energy.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_watts_per_node: Option<f64>,
    /// Electric power of one node with its CPUs fully busy, W (at least the idle power).
    /// Unset: `vcpu_per_node` times [`crate::model::energy::PEAK_WATTS_PER_VCPU`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_watts_per_node: Option<f64>,
    /// The GPUs of each node and how pods share them (docs/gpu.md). Unset: no GPUs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gpu: Option<ClusterGpuConfig>,
    /// The cluster runs already (imported from a live estate, `xrplace import k8s`): `plan`
    /// may resize it but never provisions it anew, and `export` emits only its changes.
    #[serde(default, skip_serializing_if = "is_false")]
    pub existing: bool,
    /// `namespace/name` of the Cluster API MachineDeployment of its workers on the
    /// management cluster, when Cluster API manages this existing cluster: the export
    /// resizes the cluster by scaling it. Empty: not managed by Cluster API.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub machine_deployment: String,
}

/// The GPUs of a cluster's nodes, as written (`gpu = { model = "l4", per_node = 2 }`).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterGpuConfig {
    /// The GPU model, a name of the table [`super::gpu_table::GPU_TABLE`] (`t4`, `a10`,
    /// `l4`, `l40s`, `a100-80gb`, `h100-80gb`).
    pub model: String,
    /// GPUs per node.
    pub per_node: u32,
    /// How pods share a GPU: `whole` (default), `time-slicing` or `mig`.
    #[serde(default)]
    pub sharing: GpuSharingMode,
    /// Replicas per GPU under `time-slicing`: the NVIDIA device plugin's
    /// `sharing.timeSlicing.resources[].replicas`. Required with it, refused otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    /// The MIG profile every GPU is split into under `mig` (`1g.10gb`...; the GPU must
    /// offer it). Required with it, refused otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mig_profile: Option<String>,
}

/// How Kubernetes shares a node's GPUs among pods.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum GpuSharingMode {
    /// One pod per GPU (`nvidia.com/gpu: 1`).
    #[default]
    Whole,
    /// The device plugin advertises each GPU `replicas` times; pods take turns on it.
    TimeSlicing,
    /// Each GPU is split into isolated MIG instances of one profile.
    Mig,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn one() -> f64 {
    1.0
}
fn default_baseline_cpu_cores() -> f64 {
    0.25
}
fn default_baseline_memory_mib() -> f64 {
    2048.0
}
fn default_cost_per_vcpu_hour_usd() -> f64 {
    0.0405
}
fn default_cost_per_gib_hour_usd() -> f64 {
    0.0044
}

/// A measured link between two sites.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkConfig {
    /// One end (site name).
    pub a: String,
    /// Other end (site name).
    pub b: String,
    /// Round-trip time, ms.
    pub rtt_ms: f64,
    /// Jitter (standard deviation of one-way delay), ms.
    #[serde(default)]
    pub jitter_ms: f64,
    /// Bandwidth, Gbit/s.
    pub bandwidth_gbps: f64,
    /// Packet loss, percent.
    #[serde(default)]
    pub loss_pct: f64,
    /// Share of the link's capacity other traffic uses (a Poisson stream of
    /// `background_packet_bytes` packets), 0..0.99; the link's own flows queue behind it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub background_util: f64,
    /// Size of the background traffic's packets, bytes (1500: a full Ethernet payload, the
    /// larger mode of measured Internet packet sizes, CAIDA; estimate).
    #[serde(
        default = "default_background_packet_bytes",
        skip_serializing_if = "is_default_background_packet"
    )]
    pub background_packet_bytes: u32,
}

fn default_background_packet_bytes() -> u32 {
    1500
}

fn is_default_background_packet(v: &u32) -> bool {
    *v == default_background_packet_bytes()
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}
