//! Capacity planning: the `[plan]` section of a session experiment (what `xrplace plan` may
//! choose and the SLO it must meet) and the plan file it writes, which `xrplace export`
//! reads back and checks before turning it into manifests.

use super::check::Checker;
use super::error::ConfigError;
use super::experiment::Protocol;
use super::source::Source;
use super::topology::{Distribution, Provider, Tier};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// What the planner may choose: which candidate clusters get how many nodes, and which
/// strategy (`sessions.strategies`) places the sessions.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlanConfig {
    /// The cluster that hosts the application namespace and peers with every other cluster
    /// (the Liqo consumer); it exists already and keeps its size.
    pub hub: String,
    /// Tiers whose clusters are sized by the planner; other clusters keep their size and
    /// are taken as existing.
    #[serde(default = "default_tiers")]
    pub candidate_tiers: Vec<Tier>,
    /// Node counts a candidate cluster may get, increasing; 0 means no cluster at that site.
    pub sizes_nodes: Vec<u32>,
    /// The service level a plan must meet.
    #[serde(default)]
    pub slo: PlanSlo,
    /// Most candidate plans simulated (each with all runs), shared evenly by the strategies.
    #[serde(default = "default_max_candidates")]
    pub max_candidates: u32,
    /// Settings copied into the plan for the exporter.
    #[serde(default)]
    pub deploy: DeploySettings,
}

fn default_tiers() -> Vec<Tier> {
    vec![Tier::Edge, Tier::FarEdge]
}
fn default_max_candidates() -> u32 {
    600
}

/// Targets a plan must meet, on the mean over runs.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PlanSlo {
    /// Share of session time over the latency budget.
    pub max_violation_ratio: f64,
    /// 95th percentile of sampled session latency, ms.
    pub max_p95_latency_ms: f64,
    /// Share of arrivals rejected.
    pub max_rejected_ratio: f64,
    /// Judge each figure by the upper end of its 95 % confidence interval over runs
    /// (`true`, conservative) rather than by its mean.
    pub upper_ci95: bool,
}

impl Default for PlanSlo {
    fn default() -> Self {
        PlanSlo {
            max_violation_ratio: 0.01,
            max_p95_latency_ms: 15.0,
            max_rejected_ratio: 0.005,
            upper_ci95: true,
        }
    }
}

/// Where and how the exported manifests deploy: names, versions, OpenStack settings. No
/// credentials: the cloud credentials Secret is referenced by name only.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DeploySettings {
    /// Namespace of the XR application (offloaded to the planned clusters).
    pub namespace: String,
    /// Namespace of the Cluster API objects on the management cluster.
    pub management_namespace: String,
    /// Kubernetes version of new clusters (`v1.33.4`; k3s clusters get `+k3s1`).
    pub kubernetes_version: String,
    /// OpenStack settings of new clusters.
    pub openstack: OpenStackSettings,
}

impl Default for DeploySettings {
    fn default() -> Self {
        DeploySettings {
            namespace: "xr-apps".into(),
            management_namespace: "xr-clusters".into(),
            kubernetes_version: "v1.33.4".into(),
            openstack: OpenStackSettings::default(),
        }
    }
}

/// OpenStack settings for Cluster API Provider OpenStack.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct OpenStackSettings {
    /// Name of the Secret (in the management namespace) holding `clouds.yaml`; created by
    /// the operator, never exported.
    pub identity_secret: String,
    /// Cloud name inside `clouds.yaml`.
    pub cloud_name: String,
    /// ID of the external network for floating IPs and the API server.
    pub external_network_id: String,
    /// Glance image name of the nodes.
    pub image: String,
    /// Nova keypair name.
    pub ssh_key_name: String,
    /// Flavor of control-plane machines.
    pub control_plane_flavor: String,
    /// Nova availability zone of the workers.
    pub failure_domain: String,
}

impl Default for OpenStackSettings {
    fn default() -> Self {
        OpenStackSettings {
            identity_secret: "xr-openstack-credentials".into(),
            cloud_name: "openstack".into(),
            external_network_id: "00000000-0000-0000-0000-000000000000".into(),
            image: "ubuntu-2404-kube-v1.33.4".into(),
            ssh_key_name: "xr-ops".into(),
            control_plane_flavor: "m1.medium".into(),
            failure_domain: "nova".into(),
        }
    }
}

/// Checks the `[plan]` section against the session topology's clusters.
pub fn validate_plan(
    c: &Checker,
    p: &PlanConfig,
    clusters: &HashMap<&str, u32>,
) -> Result<(), ConfigError> {
    c.resolve("plan.hub", "cluster", &p.hub, clusters)?;
    c.dns_label("plan.hub", &p.hub)?;
    if p.candidate_tiers.is_empty() {
        return Err(c
            .src
            .error("plan.candidate_tiers", "expected at least one tier"));
    }
    if p.sizes_nodes.is_empty() || p.sizes_nodes.iter().all(|&n| n == 0) {
        return Err(c.src.error(
            "plan.sizes_nodes",
            "expected at least one positive node count",
        ));
    }
    if p.sizes_nodes.windows(2).any(|w| w[0] >= w[1]) || p.sizes_nodes.iter().any(|&n| n > 1000) {
        return Err(c.src.error(
            "plan.sizes_nodes",
            "expected strictly increasing node counts of at most 1000",
        ));
    }
    let s = &p.slo;
    c.within(
        "plan.slo.max_violation_ratio",
        s.max_violation_ratio,
        0.0,
        1.0,
    )?;
    c.within(
        "plan.slo.max_p95_latency_ms",
        s.max_p95_latency_ms,
        0.001,
        1e6,
    )?;
    c.within(
        "plan.slo.max_rejected_ratio",
        s.max_rejected_ratio,
        0.0,
        1.0,
    )?;
    if !(1..=100_000).contains(&p.max_candidates) {
        return Err(c
            .src
            .error("plan.max_candidates", "expected 1 to 100000 candidates"));
    }
    validate_deploy(c, "plan.deploy", &p.deploy)
}

fn validate_deploy(c: &Checker, p: &str, d: &DeploySettings) -> Result<(), ConfigError> {
    c.dns_label(&format!("{p}.namespace"), &d.namespace)?;
    c.dns_label(
        &format!("{p}.management_namespace"),
        &d.management_namespace,
    )?;
    let v = &d.kubernetes_version;
    let ok = v.strip_prefix('v').is_some_and(|rest| {
        let parts: Vec<&str> = rest.split('.').collect();
        parts.len() == 3
            && parts
                .iter()
                .all(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()))
    });
    if !ok {
        return Err(c.src.error(
            &format!("{p}.kubernetes_version"),
            format!("expected a version like \"v1.33.4\", found {v:?}"),
        ));
    }
    let o = &d.openstack;
    for (f, v) in [
        ("identity_secret", &o.identity_secret),
        ("cloud_name", &o.cloud_name),
        ("image", &o.image),
        ("ssh_key_name", &o.ssh_key_name),
        ("control_plane_flavor", &o.control_plane_flavor),
        ("external_network_id", &o.external_network_id),
    ] {
        if v.trim().is_empty() {
            return Err(c
                .src
                .error(&format!("{p}.openstack.{f}"), "expected a non-empty value"));
        }
    }
    c.dns_label(
        &format!("{p}.openstack.identity_secret"),
        &o.identity_secret,
    )
}

/// A plan as written by `xrplace plan` and read by `xrplace export`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    /// Experiment the plan came from.
    pub experiment: String,
    /// Strategy that places sessions under this plan.
    pub strategy: String,
    /// The hub cluster (Liqo consumer, hosts the application namespace).
    pub hub: String,
    /// How the plan was found.
    #[serde(default)]
    pub method: String,
    /// Namespaces, versions and OpenStack settings.
    #[serde(default)]
    pub deploy: DeploySettings,
    /// Costs of this plan and of the naive one.
    #[serde(default)]
    pub cost: PlanCost,
    /// The SLO the plan was searched for.
    #[serde(default)]
    pub slo: PlanSlo,
    /// Metrics the simulation expects under this plan.
    #[serde(default)]
    pub expected: Vec<ExpectedMetric>,
    /// Whether the plan still met the SLO when re-simulated on fresh runs.
    #[serde(default)]
    pub holdout_meets_slo: bool,
    /// The same metrics on those fresh runs.
    #[serde(default)]
    pub holdout: Vec<ExpectedMetric>,
    /// Clusters: the hub, the planned new ones and existing ones that host sessions.
    pub clusters: Vec<PlannedCluster>,
    /// Liqo peerings (consumer -> provider).
    #[serde(default)]
    pub peerings: Vec<PlannedPeering>,
    /// Offloading of the application namespace.
    pub offloading: PlannedOffloading,
    /// Where each application component runs.
    #[serde(default)]
    pub components: Vec<PlannedComponent>,
}

/// Costs per day of cluster capacity, USD.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PlanCost {
    /// The plan: capacity of the planned clusters plus use of existing ones.
    pub plan_usd_per_day: f64,
    /// The planned clusters' capacity (nodes x per-node vCPU and memory prices, 24 h).
    pub capacity_usd_per_day: f64,
    /// Sessions' reservations on existing clusters (the hub and others), paid per use.
    pub existing_usage_usd_per_day: f64,
    /// Every candidate site with the biggest size (same cost terms).
    pub naive_usd_per_day: f64,
    /// Whether the naive plan meets the SLO.
    pub naive_meets_slo: bool,
}

/// One expected metric: mean over runs and the half-width of its 95 % confidence interval.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExpectedMetric {
    /// Metric name (as in `summary.csv`).
    pub metric: String,
    /// Mean over runs.
    pub mean: f64,
    /// Half-width of the 95 % confidence interval (Student t).
    pub ci95: f64,
}

/// A cluster of the plan.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PlannedCluster {
    /// Name: the Cluster API Cluster and the Liqo cluster ID.
    pub name: String,
    /// Site it runs at.
    pub site: String,
    /// Tier of the site.
    pub tier: Tier,
    /// Nodes, control plane included.
    pub nodes: u32,
    /// vCPUs per node.
    pub vcpu_per_node: f64,
    /// Memory per node, GiB.
    pub memory_gib_per_node: f64,
    /// kubeadm or k3s.
    pub distribution: Distribution,
    /// openstack or docker.
    pub provider: Provider,
    /// Created through Cluster API (false: it exists already).
    pub provision: bool,
    /// Nova flavor of the workers.
    #[serde(default)]
    pub worker_flavor: String,
    /// Pod CIDR (distinct per cluster, as Liqo needs).
    pub pod_cidr: String,
    /// Service CIDR.
    pub service_cidr: String,
    /// Address the Liqo gateway is reached at, for declarative peerings.
    #[serde(default)]
    pub gateway_address: String,
}

/// A Liqo peering: `consumer` offloads to `provider`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PlannedPeering {
    /// The cluster that sees the other as a virtual node.
    pub consumer: String,
    /// The cluster that lends its resources.
    pub provider: String,
    /// Also emit the declarative peering resources (not only the `liqoctl peer` command).
    #[serde(default)]
    pub declarative: bool,
}

/// Liqo namespace offloading of the application namespace.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PlannedOffloading {
    /// Clusters the namespace is offloaded to.
    pub clusters: Vec<String>,
    /// `LocalAndRemote` or `Remote`.
    #[serde(default = "default_pod_offloading")]
    pub pod_offloading_strategy: String,
}

fn default_pod_offloading() -> String {
    "LocalAndRemote".into()
}

/// How a component's Service is exposed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exposure {
    /// Inside the cluster (and across Liqo peerings) only.
    #[default]
    ClusterIp,
    /// On every node's port: reachable from outside, insecure for production.
    NodePort,
}

/// A component and where its replicas run.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PlannedComponent {
    /// Application it belongs to.
    pub application: String,
    /// Component name.
    pub name: String,
    /// Container image.
    pub image: String,
    /// Served port.
    pub port: u16,
    /// tcp or udp.
    pub protocol: Protocol,
    /// CPU requested per replica, cores.
    pub cpu_cores: f64,
    /// Memory requested per replica, MiB.
    pub memory_mib: f64,
    /// Service type.
    #[serde(default)]
    pub expose: Exposure,
    /// Clusters and replica counts.
    #[serde(default)]
    pub placements: Vec<Placement>,
}

/// Replicas of a component on one cluster.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Placement {
    /// Cluster name.
    pub cluster: String,
    /// Replicas (peak concurrent sessions seen there).
    pub replicas: u32,
}

/// Reads a plan file and checks that it can be exported: every reference resolves, every
/// component has a placement, every cluster has nodes.
pub fn load_plan(path: &Path) -> Result<PlanFile, ConfigError> {
    let src = Source::read(path)?;
    let plan: PlanFile = src.parse()?;
    let c = Checker { src: &src };
    validate_plan_file(&c, &plan)?;
    Ok(plan)
}

fn validate_plan_file(c: &Checker, p: &PlanFile) -> Result<(), ConfigError> {
    validate_deploy(c, "deploy", &p.deploy)?;
    if p.clusters.is_empty() {
        return Err(c.src.error("clusters", "expected at least one cluster"));
    }
    for (i, k) in p.clusters.iter().enumerate() {
        let f = format!("clusters[{i}]");
        c.dns_label(&format!("{f}.name"), &k.name)?;
        if k.nodes == 0 {
            return Err(c.src.error(
                &format!("{f}.nodes"),
                format!(
                    "cluster {:?} has zero nodes; expected at least 1 (leave the cluster out instead)",
                    k.name
                ),
            ));
        }
        c.positive(&format!("{f}.vcpu_per_node"), k.vcpu_per_node)?;
        c.positive(&format!("{f}.memory_gib_per_node"), k.memory_gib_per_node)?;
        for (what, v) in [("pod_cidr", &k.pod_cidr), ("service_cidr", &k.service_cidr)] {
            if !is_ipv4_cidr(v) {
                return Err(c.src.error(
                    &format!("{f}.{what}"),
                    format!("expected an IPv4 CIDR like 10.42.0.0/16, found {v:?}"),
                ));
            }
        }
        if k.provision && k.provider != Provider::Openstack {
            return Err(c.src.error(
                &format!("{f}.provider"),
                "expected openstack: the exporter provisions clusters with Cluster API Provider OpenStack",
            ));
        }
    }
    let clusters = c.unique(
        "cluster",
        p.clusters
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("clusters[{i}].name"), k.name.as_str())),
    )?;
    c.resolve("hub", "cluster", &p.hub, &clusters)?;
    for (i, x) in p.peerings.iter().enumerate() {
        c.resolve(
            &format!("peerings[{i}].consumer"),
            "cluster",
            &x.consumer,
            &clusters,
        )?;
        let k = c.resolve(
            &format!("peerings[{i}].provider"),
            "cluster",
            &x.provider,
            &clusters,
        )?;
        if x.declarative && !is_ipv4(&p.clusters[k as usize].gateway_address) {
            return Err(c.src.error(
                &format!("peerings[{i}].declarative"),
                format!(
                    "a declarative peering needs the provider's gateway_address (an IPv4 address); cluster {:?} has {:?}",
                    x.provider, p.clusters[k as usize].gateway_address
                ),
            ));
        }
    }
    for (i, name) in p.offloading.clusters.iter().enumerate() {
        let k = c.resolve(
            &format!("offloading.clusters[{i}]"),
            "cluster",
            name,
            &clusters,
        )?;
        if !peered(p, &p.hub, &p.clusters[k as usize].name) {
            return Err(c.src.error(
                &format!("offloading.clusters[{i}]"),
                format!("the namespace is offloaded to {name:?}, but no peering from the hub {:?} to it is planned", p.hub),
            ));
        }
    }
    if !["LocalAndRemote", "Remote"].contains(&p.offloading.pod_offloading_strategy.as_str()) {
        return Err(c.src.error(
            "offloading.pod_offloading_strategy",
            format!(
                "expected LocalAndRemote or Remote (pods pinned to virtual nodes need one of them), found {:?}",
                p.offloading.pod_offloading_strategy
            ),
        ));
    }
    validate_components(c, p, &clusters)
}

fn validate_components(
    c: &Checker,
    p: &PlanFile,
    clusters: &HashMap<&str, u32>,
) -> Result<(), ConfigError> {
    let mut names = HashMap::new();
    for (i, k) in p.components.iter().enumerate() {
        let f = format!("components[{i}]");
        c.dns_label(&format!("{f}.name"), &k.name)?;
        c.dns_label(&format!("{f}.application"), &k.application)?;
        let service = format!("{}-{}", k.application, k.name);
        if service.len() > 63 {
            return Err(c.src.error(
                &format!("{f}.name"),
                format!("the Service name {service:?} (application-component) is longer than 63 characters"),
            ));
        }
        if names.insert((&k.application, &k.name), i).is_some() {
            return Err(c.src.error(
                &format!("{f}.name"),
                format!(
                    "duplicate component {:?} of application {:?}",
                    k.name, k.application
                ),
            ));
        }
        c.non_negative(&format!("{f}.cpu_cores"), k.cpu_cores)?;
        c.non_negative(&format!("{f}.memory_mib"), k.memory_mib)?;
        if k.port == 0 {
            return Err(c
                .src
                .error(&format!("{f}.port"), "expected a port from 1 to 65535"));
        }
        if k.placements.is_empty() {
            return Err(c.src.error(
                &format!("{f}.placements"),
                format!(
                    "component {:?} of {:?} has no placement; expected at least one {{ cluster, replicas }}",
                    k.name, k.application
                ),
            ));
        }
        for (j, x) in k.placements.iter().enumerate() {
            let g = format!("{f}.placements[{j}]");
            c.resolve(&format!("{g}.cluster"), "cluster", &x.cluster, clusters)?;
            if x.replicas == 0 {
                return Err(c
                    .src
                    .error(&format!("{g}.replicas"), "expected at least 1 replica"));
            }
            if x.cluster != p.hub && !p.offloading.clusters.contains(&x.cluster) {
                return Err(c.src.error(
                    &format!("{g}.cluster"),
                    format!(
                        "component {:?} is placed on {:?}, which the namespace is not offloaded to (offloading.clusters)",
                        k.name, x.cluster
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn peered(p: &PlanFile, consumer: &str, provider: &str) -> bool {
    p.peerings
        .iter()
        .any(|x| x.consumer == consumer && x.provider == provider)
}

/// Whether `v` is a dotted-quad IPv4 address.
pub fn is_ipv4(v: &str) -> bool {
    v.parse::<std::net::Ipv4Addr>().is_ok()
}

/// Whether `v` is an IPv4 CIDR (`a.b.c.d/n`, n <= 32).
pub fn is_ipv4_cidr(v: &str) -> bool {
    v.split_once('/')
        .is_some_and(|(ip, n)| is_ipv4(ip) && n.parse::<u8>().is_ok_and(|n| n <= 32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::check::is_dns_label;

    #[test]
    fn cidrs_and_labels() {
        assert!(is_ipv4_cidr("10.64.0.0/18"));
        assert!(!is_ipv4_cidr("10.64.0.0/33"));
        assert!(!is_ipv4_cidr("10.64.0/18"));
        assert!(!is_ipv4_cidr("10.64.0.0"));
        assert!(is_dns_label("edge-fra-1"));
        assert!(!is_dns_label("Edge"));
        assert!(!is_dns_label("edge-"));
        assert!(!is_dns_label("1edge"));
        assert!(!is_dns_label(&"a".repeat(64)));
    }
}
