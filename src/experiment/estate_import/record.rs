//! The topology and the plan of record of an estate: each cluster at the site
//! `SITES.toml` maps it to (by its name, else by its machines' region), existing, with the
//! size, distribution and provider its objects say; the plan records the hub, every
//! peering seen (`existing = true`) and the offloaded namespace.

use super::dumps::{DumpedCluster, EstateError};
use super::facts::ClusterFacts;
use super::links::{self, Offloaded};
use super::ranges::{plan_ranges, Ranges};
use super::workloads;
use crate::config::deploy::DeploySettings;
use crate::config::estate_sites::EstateSites;
use crate::config::plan_file::{PlanFile, PlannedCluster, PlannedOffloading, PlannedPeering};
use crate::config::topology::{ClusterConfig, SiteConfig, TopologyConfig};
use crate::config::ConfigError;
use std::collections::BTreeSet;

/// What `import k8s` writes, and what it guessed.
#[derive(Debug, Clone)]
pub struct ImportedEstate {
    /// `DIR/topology.toml`.
    pub topology: TopologyConfig,
    /// `DIR/plan.toml`, the plan of record.
    pub plan: PlanFile,
    /// Each cluster's facts, in topology order (for the drift report).
    pub facts: Vec<ClusterFacts>,
    /// Plan fields holding placeholder ranges, as `cluster.field`.
    pub placeholders: Vec<String>,
    /// What the import guessed or left out, one line each.
    pub warnings: Vec<String>,
}

/// The site index each cluster stands at, by the rules of `SITES.toml`; every name and
/// region the file maps must be of a cluster of `facts`.
pub fn map_sites(facts: &[ClusterFacts], sites: &EstateSites) -> Result<Vec<usize>, ConfigError> {
    check_names(facts, sites)?;
    facts.iter().map(|f| site_of(f, sites)).collect()
}

fn check_names(facts: &[ClusterFacts], sites: &EstateSites) -> Result<(), ConfigError> {
    let names: Vec<&str> = facts.iter().map(|f| f.name.as_str()).collect();
    for (i, s) in sites.sites.iter().enumerate() {
        for (j, c) in s.clusters.iter().enumerate() {
            if !names.contains(&c.as_str()) {
                return Err(sites.error(
                    &format!("sites[{i}].clusters[{j}]"),
                    format!(
                        "names no cluster of the estate with machines (clusters: {})",
                        names.join(", ")
                    ),
                ));
            }
        }
        for (j, r) in s.regions.iter().enumerate() {
            if !facts.iter().any(|f| f.regions.contains(r)) {
                let all: std::collections::BTreeSet<&str> = facts
                    .iter()
                    .flat_map(|f| f.regions.iter().map(String::as_str))
                    .collect();
                return Err(sites.error(
                    &format!("sites[{i}].regions[{j}]"),
                    format!(
                        "no machine of the estate is in region {r:?} (regions: {})",
                        all.into_iter().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn site_of(f: &ClusterFacts, sites: &EstateSites) -> Result<usize, ConfigError> {
    let by_name = sites.by_cluster(&f.name);
    let by_region: Vec<(usize, String, &String)> = f
        .regions
        .iter()
        .filter_map(|r| sites.by_region(r).map(|(i, field)| (i, field, r)))
        .collect();
    let first = by_name
        .clone()
        .or_else(|| by_region.first().map(|(i, field, _)| (*i, field.clone())));
    let Some((site, how)) = first else {
        return Err(sites.error(
            "sites",
            format!(
                "cluster {:?} (its machines' regions: [{}]) stands at no site: add it to a site's `clusters`, or one of its regions to a site's `regions`",
                f.name,
                f.regions.join(", ")
            ),
        ));
    };
    if let Some((other, field, r)) = by_region.iter().find(|(i, _, _)| *i != site) {
        return Err(sites.error(
            field,
            format!(
                "cluster {:?} has machines in region {r:?}, which maps it to site {:?}, but {how} maps it to site {:?}",
                f.name, sites.sites[*other].site.name, sites.sites[site].site.name
            ),
        ));
    }
    Ok(site)
}

/// The topology: every site of `SITES.toml`, one existing cluster per fact.
pub fn topology(
    name: &str,
    facts: &[ClusterFacts],
    site_of: &[usize],
    sites: &EstateSites,
) -> TopologyConfig {
    let site_configs: Vec<SiteConfig> = sites.sites.iter().map(|s| s.site.clone()).collect();
    let clusters = facts
        .iter()
        .zip(site_of)
        .map(|(f, &s)| cluster_config(f, &site_configs[s].name))
        .collect();
    let mut t: TopologyConfig = serde_json::from_value(serde_json::json!({
        "name": name,
        "sites": [],
        "clusters": [],
    }))
    .expect("an empty topology with the file's defaults");
    t.sites = site_configs;
    t.clusters = clusters;
    t
}

/// An existing cluster, with a topology file's defaults for what the objects cannot say
/// (speed, baseline use, prices).
fn cluster_config(f: &ClusterFacts, site: &str) -> ClusterConfig {
    serde_json::from_value(serde_json::json!({
        "name": f.name,
        "site": site,
        "nodes": f.nodes,
        "vcpu_per_node": f.vcpu_per_node,
        "memory_gib_per_node": f.memory_gib_per_node,
        "distribution": f.distribution,
        "provider": f.provider,
        "existing": true,
        "machine_deployment": f.machine_deployment,
    }))
    .expect("a cluster with the file's defaults")
}

/// The plan of record.
pub struct PlanInputs<'a> {
    /// The plan's experiment name.
    pub name: &'a str,
    /// `--hub`, if given.
    pub hub: Option<&'a str>,
    /// The dumps read.
    pub dumps: &'a [DumpedCluster],
    /// Each cluster's facts.
    pub facts: &'a [ClusterFacts],
    /// The topology built from them.
    pub topology: &'a TopologyConfig,
}

/// The plan of record of `inputs`, its placeholder fields, and its warnings.
pub fn plan_of_record(
    inputs: &PlanInputs,
    warnings: &mut Vec<String>,
) -> Result<(PlanFile, Vec<String>), EstateError> {
    let names: Vec<String> = inputs.facts.iter().map(|f| f.name.clone()).collect();
    let seen = links::peerings(inputs.dumps);
    let (peerings, dropped): (Vec<_>, Vec<_>) = seen
        .iter()
        .partition(|(c, p)| names.contains(c) && names.contains(p));
    for (c, p) in dropped {
        warnings.push(format!(
            "the peering {c} -> {p} joins a cluster whose Nodes were not given: not in the plan"
        ));
    }
    let hub = links::choose_hub(inputs.hub, &names, inputs.dumps, &seen)?;
    let hub_dump = inputs
        .dumps
        .iter()
        .find(|d| d.name == hub)
        .expect("the hub is a dumped cluster");
    let mut deploy = DeploySettings::default();
    let kept: BTreeSet<(String, String)> = peerings.iter().map(|&x| x.clone()).collect();
    let offloaded = links::offloading(hub_dump, &deploy.monitoring.namespace, &kept, warnings)?;
    if let Some(o) = &offloaded {
        deploy.namespace = o.namespace.clone();
    }
    if let Some(ns) = management_namespace(inputs.facts) {
        deploy.management_namespace = ns;
    }
    let ranges = plan_ranges(inputs.facts, warnings).ok_or_else(|| {
        EstateError::Refused(format!(
            "the estate has {} clusters; a plan's address plan holds at most {}",
            inputs.facts.len(),
            crate::config::cidr::MAX_CLUSTERS
        ))
    })?;
    let mut placeholders = Vec::new();
    let clusters = inputs
        .facts
        .iter()
        .zip(&ranges)
        .zip(&inputs.topology.clusters)
        .map(|((f, r), k)| {
            placeholders.extend(r.placeholders.iter().map(|p| format!("{}.{p}", f.name)));
            planned_cluster(f, r, k, inputs.topology)
        })
        .collect();
    // The application is what runs in the offloaded namespace; without one, nothing says
    // which Deployments are the application's.
    let components = match &offloaded {
        Some(o) => workloads::components(
            hub_dump,
            &o.namespace,
            &o.clusters,
            deploy.monitoring.metrics_port,
            warnings,
        ),
        None => Vec::new(),
    };
    let offloading = planned_offloading(offloaded);
    let plan = PlanFile {
        experiment: inputs.name.to_string(),
        strategy: "none".into(),
        hub,
        method: "import".into(),
        deploy,
        liqo_reserve: default_plan().liqo_reserve,
        cost: Default::default(),
        fresh_runs: Default::default(),
        slo: Default::default(),
        monitoring: Default::default(),
        expected: Vec::new(),
        holdout_meets_slo: false,
        holdout: Vec::new(),
        clusters,
        peerings: peerings
            .into_iter()
            .map(|(c, p)| PlannedPeering {
                consumer: c.clone(),
                provider: p.clone(),
                declarative: false,
                existing: true,
            })
            .collect(),
        offloading,
        components,
    };
    Ok((plan, placeholders))
}

/// A plan with the file's defaults, for the defaults not public elsewhere.
fn default_plan() -> PlanFile {
    serde_json::from_value(serde_json::json!({
        "experiment": "", "strategy": "", "hub": "", "clusters": [],
        "offloading": { "clusters": [] },
    }))
    .expect("an empty plan with the file's defaults")
}

fn planned_offloading(o: Option<Offloaded>) -> PlannedOffloading {
    match o {
        Some(o) => PlannedOffloading {
            clusters: o.clusters,
            pod_offloading_strategy: o.pod_offloading_strategy,
        },
        None => default_plan().offloading,
    }
}

/// The namespace of the estate's Cluster API Clusters, if they share one.
fn management_namespace(facts: &[ClusterFacts]) -> Option<String> {
    let mut spaces: Vec<&str> = facts
        .iter()
        .filter_map(|f| f.capi.as_ref().map(|c| c.namespace.as_str()))
        .collect();
    spaces.sort();
    spaces.dedup();
    match spaces.as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    }
}

fn planned_cluster(
    f: &ClusterFacts,
    r: &Ranges,
    k: &ClusterConfig,
    t: &TopologyConfig,
) -> PlannedCluster {
    let tier = t
        .sites
        .iter()
        .find(|s| s.name == k.site)
        .map(|s| s.tier)
        .expect("the cluster's site is in the topology");
    PlannedCluster {
        name: f.name.clone(),
        site: k.site.clone(),
        tier,
        nodes: f.nodes,
        vcpu_per_node: f.vcpu_per_node,
        memory_gib_per_node: f.memory_gib_per_node,
        distribution: f.distribution,
        provider: f.provider,
        provision: false,
        existing_nodes: None,
        machine_deployment: f.machine_deployment.clone(),
        worker_flavor: String::new(),
        node_cidr: r.ranges.node.clone(),
        pod_cidr: r.ranges.pod.clone(),
        service_cidr: r.ranges.service.clone(),
        external_cidr: r.ranges.external.clone(),
        internal_cidr: r.ranges.internal.clone(),
    }
}
