//! The plan file of a chosen candidate: clusters under DNS-safe names with disjoint address
//! ranges and flavors of the planned size, a peering from the hub to every other cluster,
//! the namespace offloading, and component replicas that fit what each cluster can
//! schedule.

use super::plan::evaluation::{rejected_ratio, Evaluation};
use super::plan::price::cents;
use super::sessions::liqo_footprint;
use crate::config::cidr::{free_cluster_ranges, ClusterRanges};
use crate::config::names::dns_label_from;
use crate::config::plan::PlanConfig;
use crate::config::plan_file::{
    ExpectedMetric, Placement, PlanCost, PlanFile, PlanMonitoring, PlannedCluster,
    PlannedComponent, PlannedOffloading, PlannedPeering, ReservedResources,
};
use crate::config::plan_record::record_cidrs;
use crate::config::sessions::{ComponentPlacement, SessionsConfig};
use crate::config::topology::{ClusterConfig, TopologyConfig};
use crate::model::allocatable::Resources;
use crate::model::monitoring_footprint::workload_allocatable;
use std::collections::HashSet;

/// What the plan file is built from.
pub struct PlanBuilder<'a> {
    /// The experiment's sessions.
    pub s: &'a SessionsConfig,
    /// The `[plan]` section.
    pub plan: &'a PlanConfig,
    /// The topology before resizing.
    pub base: &'a TopologyConfig,
    /// Topology indices of the sized clusters.
    pub candidates: &'a [usize],
    /// Length of a simulated run, s (the window the SLO was judged over).
    pub duration_s: f64,
    /// The plan of record this plan extends: its clusters keep their address ranges, new
    /// ones get blocks clear of them, and the peerings it has are up already.
    pub record: Option<&'a PlanFile>,
}

/// What a chosen plan's file reports besides the plan itself.
pub struct Findings<'a> {
    /// The naive plan of the chosen strategy.
    pub naive: &'a Evaluation,
    /// The chosen plan's re-simulation on fresh runs.
    pub holdout: &'a Evaluation,
    /// No plan meeting the SLO costs less, USD per day, and how that was found.
    pub lower_bound: (f64, &'static str),
}

/// A cluster kept in the plan, with its topology index.
struct Kept {
    topology: usize,
    cluster: PlannedCluster,
}

impl PlanBuilder<'_> {
    /// `p` (the plan file of `e`) with its costs, the bound and the gap to it, and the
    /// metrics expected in the search and on fresh runs.
    pub fn finish(&self, mut p: PlanFile, e: &Evaluation, f: Findings) -> PlanFile {
        let (bound, how) = f.lower_bound;
        let bound = bound.min(e.cost_usd_per_day);
        p.cost = PlanCost {
            plan_usd_per_day: cents(e.cost_usd_per_day),
            capacity_usd_per_day: cents(e.cost_usd_per_day - e.existing_usd_per_day),
            existing_usage_usd_per_day: cents(e.existing_usd_per_day),
            naive_usd_per_day: cents(f.naive.cost_usd_per_day),
            naive_meets_slo: f.naive.meets,
            lower_bound_usd_per_day: cents(bound),
            lower_bound: how.to_string(),
            gap_ratio: ((e.cost_usd_per_day - bound) / e.cost_usd_per_day * 1e4).round() / 1e4,
        };
        p.expected = expected_metrics(e);
        p.holdout_meets_slo = f.holdout.meets;
        p.holdout = expected_metrics(f.holdout);
        p
    }

    /// The plan of evaluation `e`, without costs and metrics (the caller fills them).
    pub fn plan_file(&self, experiment: &str, e: &Evaluation) -> PlanFile {
        let kept = self.kept_clusters(e);
        let hub = self.planned_name(&kept, &self.plan.hub);
        let remote: Vec<String> = kept
            .iter()
            .map(|k| k.cluster.name.clone())
            .filter(|n| *n != hub)
            .collect();
        let liqo = liqo_footprint(self.base);
        PlanFile {
            experiment: experiment.to_string(),
            strategy: e.strategy.clone(),
            hub: hub.clone(),
            method: String::new(),
            deploy: self.plan.deploy.clone(),
            liqo_reserve: ReservedResources {
                cpu_cores: liqo.cpu_cores,
                memory_mib: liqo.memory_mib,
            },
            cost: Default::default(),
            fresh_runs: Default::default(),
            slo: self.plan.slo,
            monitoring: PlanMonitoring {
                scrape_interval_s: self.s.scrape_interval_s,
                aggregation_lag_s: self.s.aggregation_lag_s,
                slo_latency_ms: self.s.slo_latency_ms,
                slo_window_s: self.duration_s,
            },
            expected: Vec::new(),
            holdout_meets_slo: false,
            holdout: Vec::new(),
            components: self.components(e, &kept),
            peerings: self.peerings(&hub, &remote, &kept),
            offloading: PlannedOffloading {
                clusters: remote,
                pod_offloading_strategy: "LocalAndRemote".into(),
            },
            clusters: kept.into_iter().map(|k| k.cluster).collect(),
        }
    }

    /// The hub's peering with every remote cluster (`existing` when the record has it),
    /// then the record's other peerings between clusters the plan keeps: they are up, and
    /// the export must know so (Liqo runs at both ends, nothing to peer).
    fn peerings(&self, hub: &str, remote: &[String], kept: &[Kept]) -> Vec<PlannedPeering> {
        let recorded = |consumer: &str, provider: &str| {
            self.record.is_some_and(|r| {
                r.peerings
                    .iter()
                    .any(|x| x.consumer == consumer && x.provider == provider)
            })
        };
        let mut out: Vec<PlannedPeering> = remote
            .iter()
            .map(|k| PlannedPeering {
                consumer: hub.to_string(),
                provider: k.clone(),
                declarative: false,
                existing: recorded(hub, k),
            })
            .collect();
        let planned = |name: &str| kept.iter().any(|k| k.cluster.name == name);
        for x in self.record.map_or(&[][..], |r| &r.peerings[..]) {
            let known = out
                .iter()
                .any(|p| p.consumer == x.consumer && p.provider == x.provider);
            if !known && planned(&x.consumer) && planned(&x.provider) {
                out.push(PlannedPeering {
                    existing: true,
                    ..x.clone()
                });
            }
        }
        out
    }

    /// The hub, the candidate clusters with nodes, and existing clusters that hosted
    /// sessions, in topology order, each with the next block of the address plan (a
    /// cluster of the record keeps its ranges; new ones skip blocks touching them). A
    /// cluster the topology marks `existing` is never provisioned: it keeps
    /// `provision = false`, says its current size in `existing_nodes` when the plan resizes
    /// it, and carries its MachineDeployment for the export's scale step.
    fn kept_clusters(&self, e: &Evaluation) -> Vec<Kept> {
        let hosted = |i: usize| {
            e.peak_sessions.iter().any(|row| row[i] > 0)
                || self.base.clusters[i].name == self.s.central_cluster
        };
        let mut names = HashSet::new();
        let mut out = Vec::new();
        let taken = self.record.map(record_cidrs).unwrap_or_default();
        let mut free = free_cluster_ranges(&taken);
        for (i, k) in self.base.clusters.iter().enumerate() {
            let cand = self.candidates.iter().position(|&x| x == i);
            let nodes = cand.map_or(k.nodes, |c| e.nodes[c]);
            let keep = match cand {
                Some(_) => nodes > 0,
                None => k.name == self.plan.hub || hosted(i),
            };
            if !keep {
                continue;
            }
            let recorded = self.record.and_then(|r| r.cluster(&k.name));
            let name = match recorded {
                Some(r) if names.insert(r.name.clone()) => r.name.clone(),
                _ => unique_name(&k.name, &mut names),
            };
            let ranges = match recorded {
                Some(r) => ClusterRanges {
                    node: r.node_cidr.clone(),
                    pod: r.pod_cidr.clone(),
                    service: r.service_cidr.clone(),
                    external: r.external_cidr.clone(),
                    internal: r.internal_cidr.clone(),
                },
                None => free
                    .next()
                    .expect("the record leaves a block per new cluster (checked at load)"),
            };
            let tier = self
                .base
                .sites
                .iter()
                .find(|x| x.name == k.site)
                .map(|x| x.tier)
                .expect("validated site");
            let flavor = self
                .plan
                .deploy
                .openstack
                .flavor_of(k.vcpu_per_node, k.memory_gib_per_node)
                .map_or_else(String::new, |f| f.name.clone());
            let provision = cand.is_some() && !k.existing;
            out.push(Kept {
                topology: i,
                cluster: PlannedCluster {
                    name,
                    site: k.site.clone(),
                    tier,
                    nodes,
                    vcpu_per_node: k.vcpu_per_node,
                    memory_gib_per_node: k.memory_gib_per_node,
                    distribution: k.distribution,
                    provider: k.provider,
                    provision,
                    existing_nodes: (k.existing && nodes != k.nodes).then_some(k.nodes),
                    machine_deployment: if k.existing {
                        k.machine_deployment.clone()
                    } else {
                        String::new()
                    },
                    worker_flavor: if provision { flavor } else { String::new() },
                    node_cidr: ranges.node,
                    pod_cidr: ranges.pod,
                    service_cidr: ranges.service,
                    external_cidr: ranges.external,
                    internal_cidr: ranges.internal,
                },
            });
        }
        out
    }

    /// Each application's components, with replicas per cluster from [`Self::replicas`];
    /// central components on the central cluster, one per concurrent session at the peak.
    fn components(&self, e: &Evaluation, kept: &[Kept]) -> Vec<PlannedComponent> {
        let replicas: Vec<Vec<u32>> = kept.iter().map(|k| self.replicas(e, k)).collect();
        let central = self.planned_name(kept, &self.s.central_cluster);
        let mut out = Vec::new();
        for (a, app) in self.s.applications.iter().enumerate() {
            let placements: Vec<Placement> = kept
                .iter()
                .zip(&replicas)
                .filter(|(_, r)| r[a] > 0)
                .map(|(k, r)| Placement {
                    cluster: k.cluster.name.clone(),
                    replicas: r[a],
                })
                .collect();
            if placements.is_empty() {
                continue;
            }
            for comp in app.components_or_default() {
                let placements = if comp.placement == ComponentPlacement::Central {
                    vec![Placement {
                        cluster: central.clone(),
                        replicas: e.peak_total_sessions[a].max(1),
                    }]
                } else {
                    placements.clone()
                };
                out.push(PlannedComponent {
                    application: app.name.clone(),
                    name: comp.name.clone(),
                    image: comp.image.clone(),
                    port: comp.port,
                    protocol: comp.protocol.unwrap_or(app.protocol),
                    cpu_cores: (app.cpu_cores * comp.share * 1000.0).round() / 1000.0,
                    memory_mib: (app.memory_mib * comp.share).round(),
                    expose: Default::default(),
                    placements,
                });
            }
        }
        out
    }

    /// Replicas per application on cluster `k`: the sessions it held at its busiest scrape
    /// (they fit together, the simulation admitted them), then one more replica at a time
    /// for each application below its own peak while the cluster can still schedule it.
    /// Per-application peaks alone can exceed the cluster: they fall at different times.
    fn replicas(&self, e: &Evaluation, k: &Kept) -> Vec<u32> {
        let i = k.topology;
        let apps = &self.s.applications;
        let per_session: Vec<Resources> = apps.iter().map(local_requests).collect();
        let mut r: Vec<u32> = (0..apps.len()).map(|a| e.sessions_at_peak[a][i]).collect();
        let cfg = &self.base.clusters[i];
        let mut free = schedulable(self.base, cfg, k.cluster.nodes);
        if cfg.name == self.s.central_cluster {
            for (a, app) in apps.iter().enumerate() {
                let c = central_requests(app);
                let n = e.peak_total_sessions[a].max(1) as f64;
                free.cpu_cores -= n * c.cpu_cores;
                free.memory_mib -= n * c.memory_mib;
            }
        }
        for (a, need) in per_session.iter().enumerate() {
            free.cpu_cores -= r[a] as f64 * need.cpu_cores;
            free.memory_mib -= r[a] as f64 * need.memory_mib;
        }
        loop {
            let mut grew = false;
            for (a, need) in per_session.iter().enumerate() {
                let fits = need.cpu_cores <= free.cpu_cores + 1e-9
                    && need.memory_mib <= free.memory_mib + 1e-9;
                if r[a] < e.peak_sessions[a][i] && fits {
                    r[a] += 1;
                    free.cpu_cores -= need.cpu_cores;
                    free.memory_mib -= need.memory_mib;
                    grew = true;
                }
            }
            if !grew {
                return r;
            }
        }
    }

    /// The plan's name of topology cluster `name`.
    fn planned_name(&self, kept: &[Kept], name: &str) -> String {
        kept.iter()
            .find(|k| self.base.clusters[k.topology].name == name)
            .map_or_else(|| dns_label_from(name, 60), |k| k.cluster.name.clone())
    }
}

/// What cluster `k` of topology `base` can schedule for sessions at `nodes` nodes: the
/// capacity every candidate plan is simulated with.
pub fn schedulable(base: &TopologyConfig, k: &ClusterConfig, nodes: u32) -> Resources {
    workload_allocatable(
        nodes,
        k.vcpu_per_node,
        k.memory_gib_per_node,
        k.distribution,
        liqo_footprint(base),
    )
}

/// Requests of one session's components that run with the session, as exported
/// (millicores and MiB per component, rounded the way the manifests round them).
fn local_requests(app: &crate::config::sessions::SessionAppConfig) -> Resources {
    requests(app, ComponentPlacement::WithSession)
}

/// Requests of one session's central components.
fn central_requests(app: &crate::config::sessions::SessionAppConfig) -> Resources {
    requests(app, ComponentPlacement::Central)
}

fn requests(
    app: &crate::config::sessions::SessionAppConfig,
    placement: ComponentPlacement,
) -> Resources {
    let mut r = Resources::default();
    for comp in app.components_or_default() {
        if comp.placement == placement {
            let cpu = (app.cpu_cores * comp.share * 1000.0).round() / 1000.0;
            r.cpu_cores += ((cpu * 1000.0).round()).max(1.0) / 1000.0;
            r.memory_mib += (app.memory_mib * comp.share).round().max(1.0);
        }
    }
    r
}

/// A DNS-safe form of `name`, made distinct from those already taken with a `-2`, `-3`...
fn unique_name(name: &str, taken: &mut HashSet<String>) -> String {
    let base = dns_label_from(name, 60);
    let mut n = base.clone();
    let mut i = 2;
    while !taken.insert(n.clone()) {
        n = format!("{base}-{i}");
        i += 1;
    }
    n
}

/// The figures reported for a plan: mean and 95 % CI over its runs.
fn expected_metrics(e: &Evaluation) -> Vec<ExpectedMetric> {
    [
        ("slo_violation_ratio", e.stat(|s| s.slo_violation_ratio)),
        ("latency_p50_ms", e.quantile_stat(|s| s.latency_p50_ms)),
        ("latency_p95_ms", e.quantile_stat(|s| s.latency_p95_ms)),
        ("latency_p99_ms", e.quantile_stat(|s| s.latency_p99_ms)),
        ("rejected_ratio", e.stat(rejected_ratio)),
        ("dropped", e.stat(|s| s.dropped as f64)),
        ("admitted", e.stat(|s| s.admitted as f64)),
        ("usage_cost_usd", e.stat(|s| s.usage_cost_usd)),
    ]
    .into_iter()
    .map(|(m, (mean, ci95))| ExpectedMetric {
        metric: m.into(),
        mean,
        ci95,
    })
    .collect()
}
