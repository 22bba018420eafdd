//! The plan file written by `xrplace plan` (or by hand) and read by `xrplace export`;
//! [`crate::config::plan_check`] refuses a plan real clusters could not run.

use crate::base::units::{millicores, round_to_u64};
use crate::config::deploy::DeploySettings;
use crate::config::kinds::Protocol;
use crate::config::plan::PlanSlo;
use crate::config::topology::{Distribution, Provider, Tier};
use serde::{Deserialize, Serialize};

/// A plan as written by `xrplace plan` and read by `xrplace export`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
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
    /// Namespaces, versions, gateway and OpenStack settings.
    #[serde(default)]
    pub deploy: DeploySettings,
    /// What each new cluster keeps free for Liqo (control plane and gateway).
    #[serde(default = "default_liqo_reserve")]
    pub liqo_reserve: ReservedResources,
    /// Costs of this plan and of the naive one.
    #[serde(default)]
    pub cost: PlanCost,
    /// How often the plan met the SLO on further sets of fresh runs.
    #[serde(default, skip_serializing_if = "FreshRuns::is_empty")]
    pub fresh_runs: FreshRuns,
    /// The SLO the plan was searched for.
    #[serde(default)]
    pub slo: PlanSlo,
    /// The monitoring the plan was simulated under, deployed as it was simulated.
    #[serde(default)]
    pub monitoring: PlanMonitoring,
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

/// CPU and memory kept free on a cluster.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReservedResources {
    /// Cores.
    pub cpu_cores: f64,
    /// MiB.
    pub memory_mib: f64,
}

/// The topology default of `paths.liqo` (control plane 0.05 cores and 150 MiB, gateway
/// 40 MiB).
fn default_liqo_reserve() -> ReservedResources {
    ReservedResources {
        cpu_cores: 0.05,
        memory_mib: 190.0,
    }
}

/// Costs per day of cluster capacity, USD.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
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
    /// No plan meeting the SLO costs less than this, USD per day: the cheapest plan meeting
    /// it when every plan was simulated, else a relaxation's bound (docs/planning.md).
    pub lower_bound_usd_per_day: f64,
    /// How the bound was found: `exhaustive` or `relaxation`.
    pub lower_bound: String,
    /// How much cheaper than this plan an optimal one could be, as a share of this plan's
    /// price: (plan - bound) / plan.
    pub gap_ratio: f64,
}

/// The chosen plan re-simulated on `sets` further sets of fresh runs (`[plan] fresh_sets`),
/// each judged as the hold-out is: the share that met the SLO estimates the probability that
/// the plan meets it on runs it was not chosen on, with a Wilson 95 % interval.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FreshRuns {
    /// Sets simulated.
    pub sets: u32,
    /// Sets on which the plan met the SLO.
    pub sets_meeting: u32,
    /// `sets_meeting / sets`.
    pub meets_probability: f64,
    /// Lower end of its Wilson 95 % interval.
    pub ci95_low: f64,
    /// Upper end of its Wilson 95 % interval.
    pub ci95_high: f64,
}

impl FreshRuns {
    /// The figures of `meeting` sets out of `sets`, rounded to 4 decimals.
    pub fn new(sets: u32, meeting: u32) -> FreshRuns {
        let (low, high) = wilson95(meeting, sets);
        let r4 = |x: f64| (x * 1e4).round() / 1e4;
        FreshRuns {
            sets,
            sets_meeting: meeting,
            meets_probability: r4(if sets == 0 {
                0.0
            } else {
                meeting as f64 / sets as f64
            }),
            ci95_low: r4(low),
            ci95_high: r4(high),
        }
    }

    /// Whether no set was simulated (the table is then left out).
    pub fn is_empty(&self) -> bool {
        self.sets == 0
    }
}

/// Wilson's 95 % score interval for `k` successes in `n` trials (Wilson 1927, JASA 22:209):
/// unlike the normal one it stays within [0, 1] and is not empty at k = 0 or k = n.
pub fn wilson95(k: u32, n: u32) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let z = 1.959_963_984_540_054_f64;
    let (n, p) = (n as f64, k as f64 / n as f64);
    let centre = p + z * z / (2.0 * n);
    let spread = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    let d = 1.0 + z * z / n;
    (
        ((centre - spread) / d).max(0.0),
        ((centre + spread) / d).min(1.0),
    )
}

/// The monitoring the plan was simulated under: the export deploys the same scrape
/// interval and delay, and SLO rules over the same budget and window.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PlanMonitoring {
    /// Scrape (and rule evaluation) interval, s (`sessions.scrape_interval_s`).
    pub scrape_interval_s: f64,
    /// Delay before a scrape reaches the central view, s (`sessions.aggregation_lag_s`):
    /// the longest a sample waits in a cluster's remote-write queue.
    pub aggregation_lag_s: f64,
    /// Latency budget of a frame, ms (`sessions.slo_latency_ms`).
    pub slo_latency_ms: f64,
    /// Window the SLO is judged over, s: the simulated run's length (`duration_s`).
    pub slo_window_s: f64,
}

impl Default for PlanMonitoring {
    /// The session defaults (15 s scrapes, 5 s lag, 15 ms budget; docs/control.md) and a
    /// run of an hour.
    fn default() -> Self {
        PlanMonitoring {
            scrape_interval_s: 15.0,
            aggregation_lag_s: 5.0,
            slo_latency_ms: 15.0,
            slo_window_s: 3600.0,
        }
    }
}

/// One expected metric: mean over runs and the half-width of its 95 % confidence interval.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
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
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedCluster {
    /// Name: the Cluster API Cluster and the Liqo cluster ID (a DNS label).
    pub name: String,
    /// Site it runs at (free text; labels use a DNS-safe form of it).
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
    /// For an existing cluster the plan resizes: the nodes (control plane included) it
    /// runs with now; absent, it keeps `nodes`. The export scales it by the difference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing_nodes: Option<u32>,
    /// `namespace/name` of the Cluster API MachineDeployment of an existing cluster's
    /// workers on the management cluster; empty when Cluster API does not manage it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub machine_deployment: String,
    /// Nova flavor of the nodes: a name of `deploy.openstack.flavors` of exactly
    /// `vcpu_per_node` and `memory_gib_per_node` (new clusters).
    #[serde(default)]
    pub worker_flavor: String,
    /// Subnet of the nodes (new clusters' OpenStack subnet).
    pub node_cidr: String,
    /// Pod CIDR. For an existing cluster, the one it runs with.
    pub pod_cidr: String,
    /// Service CIDR.
    pub service_cidr: String,
    /// Liqo external CIDR (remote pods are remapped into it).
    pub external_cidr: String,
    /// Liqo internal CIDR.
    pub internal_cidr: String,
}

/// A Liqo peering: `consumer` offloads to `provider`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedPeering {
    /// The cluster that sees the other as a virtual node (the hub).
    pub consumer: String,
    /// The cluster that lends its resources.
    pub provider: String,
    /// Peer with declarative resources (Liqo's peering via CRs) instead of `liqoctl peer`.
    #[serde(default)]
    pub declarative: bool,
    /// The peering is up already (a plan of record, or a plan built on one): the export
    /// leaves it alone.
    #[serde(default, skip_serializing_if = "is_false")]
    pub existing: bool,
}

/// Liqo namespace offloading of the application namespace.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedOffloading {
    /// Clusters the namespace is offloaded to.
    pub clusters: Vec<String>,
    /// `LocalAndRemote` or `Remote`.
    #[serde(default = "default_pod_offloading")]
    pub pod_offloading_strategy: String,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn default_pod_offloading() -> String {
    "LocalAndRemote".into()
}

/// How a component's Services are exposed.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Exposure {
    /// Inside the clusters (and across Liqo peerings) only.
    #[default]
    ClusterIp,
    /// On a node port of every node: reachable from outside, insecure for production.
    NodePort,
}

/// A component and where its replicas run.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
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

impl PlannedComponent {
    /// CPU request of one replica as exported, millicores (at least 1).
    pub fn cpu_millicores(&self) -> u64 {
        millicores(self.cpu_cores).max(1)
    }

    /// Memory request of one replica as exported, MiB (at least 1).
    pub fn memory_request_mib(&self) -> u64 {
        round_to_u64(self.memory_mib).max(1)
    }
}

/// Replicas of a component on one cluster.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Placement {
    /// Cluster name.
    pub cluster: String,
    /// Replicas.
    pub replicas: u32,
}

/// What the plan's pods request on one cluster.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Demand {
    /// CPU, millicores.
    pub cpu_millicores: u64,
    /// Memory, MiB.
    pub memory_mib: u64,
    /// Pods.
    pub pods: u64,
}

impl PlanFile {
    /// The cluster named `name`.
    pub fn cluster(&self, name: &str) -> Option<&PlannedCluster> {
        self.clusters.iter().find(|k| k.name == name)
    }

    /// The clusters created through Cluster API, in plan order.
    pub fn new_clusters(&self) -> impl Iterator<Item = &PlannedCluster> {
        self.clusters.iter().filter(|k| k.provision)
    }

    /// Names of the clusters created through Cluster API, in plan order.
    pub fn new_cluster_names(&self) -> Vec<&str> {
        self.new_clusters().map(|k| k.name.as_str()).collect()
    }

    /// Sum of the requests of every replica placed on `cluster`.
    pub fn demand(&self, cluster: &str) -> Demand {
        let mut d = Demand::default();
        for c in &self.components {
            for p in c.placements.iter().filter(|p| p.cluster == cluster) {
                let n = p.replicas as u64;
                d.cpu_millicores += n * c.cpu_millicores();
                d.memory_mib += n * c.memory_request_mib();
                d.pods += n;
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_intervals_match_newcombes_table() {
        // Newcombe (1998), Statistics in Medicine 17:857-872, Table II, method 3 (score
        // interval without continuity correction), to the 4 decimals printed there.
        let cases = [
            ((81, 263), (0.2553, 0.3662)),
            ((15, 148), (0.0624, 0.1605)),
            ((0, 20), (0.0, 0.1611)),
            ((1, 29), (0.0061, 0.1718)),
        ];
        for ((k, n), (lo, hi)) in cases {
            let (l, h) = wilson95(k, n);
            assert!(
                (l - lo).abs() < 5e-5 && (h - hi).abs() < 5e-5,
                "{k}/{n}: {l} {h}"
            );
        }
        let f = FreshRuns::new(10, 10);
        assert_eq!(f.meets_probability, 1.0);
        assert!(f.ci95_low > 0.69 && f.ci95_low < 0.73 && f.ci95_high == 1.0);
        assert!(FreshRuns::new(0, 0).is_empty());
    }
}
