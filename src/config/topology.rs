//! The topology file: sites, clusters, links and path parameters.
//!
//! Every number carries its unit in its name. Defaults cite their source; see
//! `docs/calibration.md` for the parameters calibrated against the seed study.

use super::check::Checker;
use super::error::ConfigError;
use super::interconnect::{validate_interconnect, InterconnectConfig};
use super::kinds::PathKind;
use super::measured_rtt::{
    apply_measured_rtts, load_measured_rtts, measured_rtt_path, MeasuredRtts,
};
use super::source::Source;
use serde::{Deserialize, Serialize};
use std::path::Path;

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

/// Parameters of each path kind.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PathsConfig {
    /// Same-cluster pod-to-pod path.
    pub local: LocalPathConfig,
    /// Liqo WireGuard tunnel between cluster gateways.
    pub liqo: LiqoPathConfig,
    /// Service exposed on a node port.
    pub nodeport: NodePortPathConfig,
    /// L7 sidecar mesh (for contrast; refuses UDP).
    pub mesh: MeshPathConfig,
    /// Submariner (variant: cable driver `ipsec`, `wireguard` or `vxlan`).
    pub submariner: InterconnectConfig,
    /// Skupper (no variants).
    pub skupper: InterconnectConfig,
    /// Istio multi-cluster (variant: data plane `sidecar` or `ambient`).
    pub istio: InterconnectConfig,
    /// Linkerd multi-cluster (variant: `gateway` or `flat`).
    pub linkerd: InterconnectConfig,
    /// Consul mesh gateways (no variants).
    pub consul: InterconnectConfig,
    /// Cilium ClusterMesh (variant: `tunnel`, `native`, `wireguard` or `ipsec`).
    pub cilium_clustermesh: InterconnectConfig,
    /// Network Service Mesh (variant: vWire `wireguard`, `vxlan` or `ipsec`).
    pub nsm: InterconnectConfig,
}

impl PathsConfig {
    /// The settings of a named interconnect kind with its table name, or `None` for the
    /// kinds with their own tables (`local`, `liqo`, `nodeport`, `mesh`).
    pub fn interconnect(&self, kind: PathKind) -> Option<(&'static str, &InterconnectConfig)> {
        Some(match kind {
            PathKind::Submariner => ("submariner", &self.submariner),
            PathKind::Skupper => ("skupper", &self.skupper),
            PathKind::Istio => ("istio", &self.istio),
            PathKind::Linkerd => ("linkerd", &self.linkerd),
            PathKind::Consul => ("consul", &self.consul),
            PathKind::CiliumClustermesh => ("cilium_clustermesh", &self.cilium_clustermesh),
            PathKind::Nsm => ("nsm", &self.nsm),
            PathKind::Local | PathKind::Liqo | PathKind::Nodeport | PathKind::Mesh => return None,
        })
    }

    /// Mutable access to a named kind's settings (for comparisons that set a variant).
    pub fn interconnect_mut(&mut self, kind: PathKind) -> Option<&mut InterconnectConfig> {
        Some(match kind {
            PathKind::Submariner => &mut self.submariner,
            PathKind::Skupper => &mut self.skupper,
            PathKind::Istio => &mut self.istio,
            PathKind::Linkerd => &mut self.linkerd,
            PathKind::Consul => &mut self.consul,
            PathKind::CiliumClustermesh => &mut self.cilium_clustermesh,
            PathKind::Nsm => &mut self.nsm,
            PathKind::Local | PathKind::Liqo | PathKind::Nodeport | PathKind::Mesh => return None,
        })
    }
}

/// Pod-to-pod through the CNI (veth, bridge or overlay).
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LocalPathConfig {
    /// Link MTU, bytes.
    pub mtu_bytes: u32,
    /// CNI forwarding cost per packet, microseconds.
    pub cni_us_per_packet: f64,
    /// Node network link between a pod's node and an interconnect's gateway node, Gbit/s:
    /// the in-cluster legs (Liqo's Geneve tunnels to its gateway pod, Submariner's VXLAN
    /// legs to the active gateway) serialise their encapsulated packets on it. Estimate:
    /// a 10 GbE node NIC (the measured testbeds of docs/interconnect-sources.md use 25 and
    /// 100 GbE).
    pub node_link_gbps: f64,
}

impl Default for LocalPathConfig {
    fn default() -> Self {
        LocalPathConfig {
            mtu_bytes: 1450,
            cni_us_per_packet: 1.0,
            node_link_gbps: 10.0,
        }
    }
}

/// Liqo: pod -> Geneve to the local gateway -> WireGuard tunnel -> remote gateway -> pod.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LiqoPathConfig {
    /// Gateway (tunnel) MTU, bytes; Liqo's default is 1340.
    pub mtu_bytes: u32,
    /// WireGuard encapsulation per packet, bytes (60 IPv4, 80 IPv6).
    pub wireguard_overhead_bytes: u32,
    /// Geneve encapsulation on the pod-to-gateway leg, bytes (its packets are this much
    /// longer on the node link, `paths.local.node_link_gbps`).
    pub geneve_overhead_bytes: u32,
    /// CNI forwarding cost per packet on each in-cluster leg, microseconds.
    pub cni_us_per_packet: f64,
    /// Gateway CPU to encrypt or decrypt one Gbit, core-seconds per Gbit.
    pub gateway_cpu_per_gbit: f64,
    /// Cores the gateway pod can use for the tunnel.
    pub gateway_cores: f64,
    /// Fixed forwarding delay per gateway, microseconds.
    pub gateway_processing_us: f64,
    /// Liqo control plane CPU per peered cluster (controller manager, virtual kubelet,
    /// CRD replicator), cores.
    pub control_plane_cpu_cores: f64,
    /// Liqo control plane memory per peered cluster, MiB.
    pub control_plane_memory_mib: f64,
    /// Gateway pod memory per peered cluster, MiB.
    pub gateway_memory_mib: f64,
    /// New peering: authentication (identity and tenant exchange), s.
    pub peering_auth_s: f64,
    /// New peering: networking (gateway server/client, WireGuard handshake, routes), s.
    pub peering_network_s: f64,
    /// New peering: resource slice accepted and virtual node ready, s.
    pub virtual_node_s: f64,
    /// Namespace offloading: the twin namespace exists in the provider, s.
    pub offloading_s: f64,
    /// An offloaded pod scheduled on the virtual node runs in the provider, s.
    pub remote_pod_start_s: f64,
    /// Tunnel liveness check period, s (Liqo: 2 s).
    pub liveness_interval_s: f64,
    /// Missed checks before the tunnel is declared down (Liqo: 5).
    pub liveness_misses: u32,
    /// After a tunnel declared down gets its link back, time to re-handshake, s.
    pub tunnel_reconnect_s: f64,
}

impl LiqoPathConfig {
    /// A new peering until pods can be offloaded: authentication, networking, virtual
    /// node and namespace offloading, s.
    pub fn peering_s(&self) -> f64 {
        self.peering_auth_s + self.peering_network_s + self.virtual_node_s + self.offloading_s
    }

    /// Time from a lost link to the tunnel declared down: the liveness checks it misses, s.
    pub fn detection_s(&self) -> f64 {
        self.liveness_interval_s * self.liveness_misses as f64
    }
}

impl Default for LiqoPathConfig {
    /// WireGuard and Liqo docs; throughput figures are bare-metal benchmarks.
    fn default() -> Self {
        LiqoPathConfig {
            mtu_bytes: 1340,
            wireguard_overhead_bytes: 60,
            geneve_overhead_bytes: 50,
            cni_us_per_packet: 1.0,
            gateway_cpu_per_gbit: 0.4,
            gateway_cores: 1.0,
            gateway_processing_us: 20.0,
            control_plane_cpu_cores: 0.05,
            control_plane_memory_mib: 150.0,
            gateway_memory_mib: 40.0,
            peering_auth_s: 3.0,
            peering_network_s: 6.0,
            virtual_node_s: 4.0,
            offloading_s: 2.0,
            remote_pod_start_s: 8.0,
            liveness_interval_s: 2.0,
            liveness_misses: 5,
            tunnel_reconnect_s: 1.0,
        }
    }
}

/// NodePort: client -> node IP:port -> kube-proxy DNAT (-> second node with SNAT) -> pod.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NodePortPathConfig {
    /// Node network MTU, bytes.
    pub mtu_bytes: u32,
    /// Netfilter DNAT and conntrack per packet on the ingress node, microseconds.
    pub dnat_us_per_packet: f64,
    /// The service's pod is on another node than the one addressed
    /// (externalTrafficPolicy=Cluster), so packets take one more node hop and SNAT.
    pub extra_node_hop: bool,
    /// Cost per packet of the extra node hop (SNAT, re-encapsulation and the second pass
    /// through the tenant network), microseconds.
    pub extra_hop_us_per_packet: f64,
    /// CPU of the ingress node per packet (softirq), core-microseconds.
    pub cpu_us_per_packet: f64,
}

impl Default for NodePortPathConfig {
    fn default() -> Self {
        NodePortPathConfig {
            mtu_bytes: 1500,
            dnat_us_per_packet: 2.0,
            extra_node_hop: true,
            extra_hop_us_per_packet: 10.0,
            cpu_us_per_packet: 5.0,
        }
    }
}

/// L7 sidecar mesh (Istio-like): two proxies per hop.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct MeshPathConfig {
    /// Added latency per proxied hop, ms (Istio benchmarks: about 2.7-2.9 ms at p90).
    pub sidecar_ms_per_hop: f64,
    /// Proxy CPU per Gbit, core-seconds per Gbit.
    pub sidecar_cpu_per_gbit: f64,
}

impl Default for MeshPathConfig {
    fn default() -> Self {
        MeshPathConfig {
            sidecar_ms_per_hop: 2.8,
            sidecar_cpu_per_gbit: 1.0,
        }
    }
}

/// Reads, parses and validates a topology file, with the measured RTTs of its
/// `routing.measured_rtt_csv` folded into its links.
pub fn load_topology(path: &Path) -> Result<TopologyConfig, ConfigError> {
    load_topology_measured(path).map(|(t, _)| t)
}

/// [`load_topology`], also giving the measured RTTs it folded into the links (`None` when the
/// topology names no CSV). A CSV that cannot be read is reported at
/// `routing.measured_rtt_csv`; a bad row at its own file, line and column.
pub fn load_topology_measured(
    path: &Path,
) -> Result<(TopologyConfig, Option<MeasuredRtts>), ConfigError> {
    let src = Source::read_at_most(path, super::input::MAX_TOPOLOGY_BYTES)?;
    load_topology_from(&src, path)
}

/// [`load_topology_measured`] on the text of `path` already read (`check` reads a file
/// before it knows its kind).
pub fn load_topology_from(
    src: &Source,
    path: &Path,
) -> Result<(TopologyConfig, Option<MeasuredRtts>), ConfigError> {
    super::expect_kind(src, super::FileKind::Topology, "a `topology` reference")?;
    let mut topo: TopologyConfig = src.parse()?;
    validate_topology(src, &topo)?;
    let Some(rel) = topo.routing.measured_rtt_csv.clone() else {
        return Ok((topo, None));
    };
    let file = measured_rtt_path(path, &rel);
    let sites = super::check::index_by_name(&topo.sites, |s| &s.name);
    let rows = load_measured_rtts(&file, &sites).map_err(|e| {
        if e.line == 0 {
            src.error(
                "routing.measured_rtt_csv",
                format!("{}: {}", e.file.display(), e.message),
            )
        } else {
            e
        }
    })?;
    apply_measured_rtts(&mut topo, &rows);
    check_reachable(src, &topo, true)?;
    Ok((topo, Some(MeasuredRtts { path: file, rows })))
}

/// Checks meaning: names, references, ranges and reachability (when a measured RTT CSV
/// is named, reachability is checked by [`load_topology`] once its pairs are links).
pub fn validate_topology(src: &Source, t: &TopologyConfig) -> Result<(), ConfigError> {
    let c = Checker { src };
    c.name("name", &t.name)?;
    validate_routing(&c, &t.routing)?;
    if t.sites.is_empty() {
        return Err(src.error("sites", "expected at least one [[sites]] table"));
    }
    let sites = c.unique(
        "site",
        t.sites
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("sites[{i}].name"), s.name.as_str())),
    )?;
    for (i, s) in t.sites.iter().enumerate() {
        c.within(&format!("sites[{i}].lat"), s.lat, -90.0, 90.0)?;
        c.within(&format!("sites[{i}].lon"), s.lon, -180.0, 180.0)?;
        c.non_negative(
            &format!("sites[{i}].intra_site_rtt_ms"),
            s.intra_site_rtt_ms,
        )?;
        c.positive(
            &format!("sites[{i}].intra_site_bandwidth_gbps"),
            s.intra_site_bandwidth_gbps,
        )?;
        c.non_negative(
            &format!("sites[{i}].access_latency_ms"),
            s.access_latency_ms,
        )?;
    }
    if t.clusters.is_empty() {
        return Err(src.error("clusters", "expected at least one [[clusters]] table"));
    }
    c.unique(
        "cluster",
        t.clusters
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("clusters[{i}].name"), k.name.as_str())),
    )?;
    for (i, k) in t.clusters.iter().enumerate() {
        validate_cluster(&c, &format!("clusters[{i}]"), k, &sites)?;
    }
    c.distinct(
        "link",
        t.links.iter().enumerate().map(|(i, l)| {
            let pair = if l.a <= l.b {
                (l.a.as_str(), l.b.as_str())
            } else {
                (l.b.as_str(), l.a.as_str())
            };
            (format!("links[{i}]"), pair)
        }),
    )?;
    for (i, l) in t.links.iter().enumerate() {
        let p = format!("links[{i}]");
        let a = c.resolve(&format!("{p}.a"), "site", &l.a, &sites)?;
        let b = c.resolve(&format!("{p}.b"), "site", &l.b, &sites)?;
        if a == b {
            return Err(src.error(&format!("{p}.b"), "a link must join two different sites"));
        }
        c.non_negative(&format!("{p}.rtt_ms"), l.rtt_ms)?;
        c.non_negative(&format!("{p}.jitter_ms"), l.jitter_ms)?;
        c.positive(&format!("{p}.bandwidth_gbps"), l.bandwidth_gbps)?;
        c.within(&format!("{p}.loss_pct"), l.loss_pct, 0.0, 100.0)?;
        c.within(
            &format!("{p}.background_util"),
            l.background_util,
            0.0,
            0.99,
        )?;
        if !(40..=9000).contains(&l.background_packet_bytes) {
            return Err(src.error(
                &format!("{p}.background_packet_bytes"),
                format!(
                    "expected 40 to 9000 bytes, found {}",
                    l.background_packet_bytes
                ),
            ));
        }
    }
    if t.routing.measured_rtt_csv.is_none() {
        check_reachable(src, t, false)?;
    }
    validate_paths(&c, &t.paths)
}

/// Unless RTTs are derived from distance, every site must be reachable from the first by
/// links (`measured`: some of them came from the measured RTT CSV).
fn check_reachable(src: &Source, t: &TopologyConfig, measured: bool) -> Result<(), ConfigError> {
    if t.routing.derive_missing_rtt {
        return Ok(());
    }
    let sites = super::check::index_by_name(&t.sites, |s| &s.name);
    let mut components = UnionFind::new(t.sites.len());
    for l in &t.links {
        if let (Some(&a), Some(&b)) = (sites.get(l.a.as_str()), sites.get(l.b.as_str())) {
            components.join(a as usize, b as usize);
        }
    }
    let hint = if measured {
        "add a link, a row of routing.measured_rtt_csv"
    } else {
        "add a link"
    };
    for (i, s) in t.sites.iter().enumerate().skip(1) {
        if components.find(i) != components.find(0) {
            return Err(src.error(
                &format!("sites[{i}].name"),
                format!(
                    "site {:?} is unreachable from {:?}: {hint} or set routing.derive_missing_rtt = true",
                    s.name, t.sites[0].name
                ),
            ));
        }
    }
    Ok(())
}

fn validate_routing(c: &Checker, r: &RoutingConfig) -> Result<(), ConfigError> {
    if let Some(f) = &r.measured_rtt_csv {
        if f.trim().is_empty() || f.contains('\0') {
            return Err(c.src.error(
                "routing.measured_rtt_csv",
                format!("expected the path of a CSV file, found {f:?}"),
            ));
        }
    }
    c.non_negative("routing.base_rtt_ms", r.base_rtt_ms)?;
    c.within("routing.route_inflation", r.route_inflation, 1.0, 10.0)?;
    c.positive("routing.fiber_km_per_ms", r.fiber_km_per_ms)?;
    c.non_negative("routing.derived_jitter_ms", r.derived_jitter_ms)?;
    c.positive("routing.derived_bandwidth_gbps", r.derived_bandwidth_gbps)
}

fn validate_cluster(
    c: &Checker,
    p: &str,
    k: &ClusterConfig,
    sites: &std::collections::HashMap<&str, u32>,
) -> Result<(), ConfigError> {
    c.resolve(&format!("{p}.site"), "site", &k.site, sites)?;
    if k.nodes == 0 {
        return Err(c
            .src
            .error(&format!("{p}.nodes"), "expected at least 1 node, found 0"));
    }
    c.positive(&format!("{p}.vcpu_per_node"), k.vcpu_per_node)?;
    c.positive(&format!("{p}.memory_gib_per_node"), k.memory_gib_per_node)?;
    c.within(
        &format!("{p}.cpu_speed_ratio"),
        k.cpu_speed_ratio,
        0.01,
        100.0,
    )?;
    c.non_negative(&format!("{p}.baseline_cpu_cores"), k.baseline_cpu_cores)?;
    c.non_negative(&format!("{p}.baseline_memory_mib"), k.baseline_memory_mib)?;
    c.non_negative(
        &format!("{p}.cost_per_vcpu_hour_usd"),
        k.cost_per_vcpu_hour_usd,
    )?;
    c.non_negative(
        &format!("{p}.cost_per_gib_hour_usd"),
        k.cost_per_gib_hour_usd,
    )?;
    let cores = k.nodes as f64 * k.vcpu_per_node;
    if k.baseline_cpu_cores / k.cpu_speed_ratio >= cores {
        return Err(c.src.error(
            &format!("{p}.baseline_cpu_cores"),
            format!("expected less than the cluster's {cores} cores"),
        ));
    }
    if k.baseline_memory_mib >= k.nodes as f64 * k.memory_gib_per_node * 1024.0 {
        return Err(c.src.error(
            &format!("{p}.baseline_memory_mib"),
            "expected less than the cluster's memory",
        ));
    }
    Ok(())
}

fn validate_paths(c: &Checker, p: &PathsConfig) -> Result<(), ConfigError> {
    check_mtu(c, "paths.local.mtu_bytes", p.local.mtu_bytes, 0)?;
    c.non_negative("paths.local.cni_us_per_packet", p.local.cni_us_per_packet)?;
    c.within(
        "paths.local.node_link_gbps",
        p.local.node_link_gbps,
        1e-3,
        1e4,
    )?;
    let l = &p.liqo;
    check_mtu(
        c,
        "paths.liqo.mtu_bytes",
        l.mtu_bytes,
        l.wireguard_overhead_bytes,
    )?;
    if l.wireguard_overhead_bytes > 200 || l.geneve_overhead_bytes > 200 {
        return Err(c.src.error(
            "paths.liqo.wireguard_overhead_bytes",
            "expected encapsulation overheads of at most 200 bytes",
        ));
    }
    c.non_negative("paths.liqo.cni_us_per_packet", l.cni_us_per_packet)?;
    c.non_negative("paths.liqo.gateway_cpu_per_gbit", l.gateway_cpu_per_gbit)?;
    c.positive("paths.liqo.gateway_cores", l.gateway_cores)?;
    c.non_negative("paths.liqo.gateway_processing_us", l.gateway_processing_us)?;
    c.non_negative(
        "paths.liqo.control_plane_cpu_cores",
        l.control_plane_cpu_cores,
    )?;
    c.non_negative(
        "paths.liqo.control_plane_memory_mib",
        l.control_plane_memory_mib,
    )?;
    c.non_negative("paths.liqo.gateway_memory_mib", l.gateway_memory_mib)?;
    for (name, v) in [
        ("peering_auth_s", l.peering_auth_s),
        ("peering_network_s", l.peering_network_s),
        ("virtual_node_s", l.virtual_node_s),
        ("offloading_s", l.offloading_s),
        ("remote_pod_start_s", l.remote_pod_start_s),
        ("tunnel_reconnect_s", l.tunnel_reconnect_s),
    ] {
        c.within(&format!("paths.liqo.{name}"), v, 0.0, 86_400.0)?;
    }
    c.within(
        "paths.liqo.liveness_interval_s",
        l.liveness_interval_s,
        0.01,
        3600.0,
    )?;
    if !(1..=1000).contains(&l.liveness_misses) {
        return Err(c.src.error(
            "paths.liqo.liveness_misses",
            "expected 1 to 1000 missed checks",
        ));
    }
    let n = &p.nodeport;
    check_mtu(c, "paths.nodeport.mtu_bytes", n.mtu_bytes, 0)?;
    c.non_negative("paths.nodeport.dnat_us_per_packet", n.dnat_us_per_packet)?;
    c.non_negative(
        "paths.nodeport.extra_hop_us_per_packet",
        n.extra_hop_us_per_packet,
    )?;
    c.non_negative("paths.nodeport.cpu_us_per_packet", n.cpu_us_per_packet)?;
    c.non_negative("paths.mesh.sidecar_ms_per_hop", p.mesh.sidecar_ms_per_hop)?;
    c.non_negative(
        "paths.mesh.sidecar_cpu_per_gbit",
        p.mesh.sidecar_cpu_per_gbit,
    )?;
    for kind in PathKind::ALL {
        if let Some((table, cfg)) = p.interconnect(kind) {
            validate_interconnect(c, table, kind, cfg)?;
        }
    }
    Ok(())
}

/// An MTU must leave room for IP/transport headers (52 bytes) after `overhead`.
fn check_mtu(c: &Checker, field: &str, mtu: u32, overhead: u32) -> Result<(), ConfigError> {
    if (576..=9000).contains(&mtu) && mtu > overhead + 52 + 64 {
        Ok(())
    } else {
        Err(c.src.error(
            field,
            format!("expected an MTU between 576 and 9000 bytes, found {mtu}"),
        ))
    }
}

/// Disjoint sets over site indices, for the reachability check.
struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind((0..n).collect())
    }
    fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }
    fn join(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        self.0[ra] = rb;
    }
}
