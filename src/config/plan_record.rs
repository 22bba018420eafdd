//! `[plan] record`: the plan of record a capacity plan extends (what `xrplace import k8s`
//! writes for an estate that runs already). Its clusters are clusters of the experiment's
//! topology, by name; its hub and deploy settings are the defaults of `[plan]`; the new
//! plan keeps their address ranges and marks the peerings it shares with it as up
//! (`existing`), so the export leaves them alone (issue 32).

use super::cidr::{free_cluster_ranges, Cidr};
use super::error::ConfigError;
use super::plan::PlanConfig;
use super::plan_file::{load_plan, PlanFile};
use super::source::Source;
use super::topology::TopologyConfig;
use std::path::{Path, PathBuf};

/// The record's path: `[plan] record` relative to the experiment file's folder.
pub fn record_path(experiment: &Path, rel: &str) -> PathBuf {
    experiment.parent().unwrap_or(Path::new(".")).join(rel)
}

/// The plan of record of the experiment at `experiment` whose `[plan]` is `plan`, read and
/// checked as `xrplace export` reads a plan; `None` without `record`. A missing file is an
/// error at `plan.record`; a bad one at its own file, line and field.
pub fn load_record(experiment: &Path, plan: &PlanConfig) -> Result<Option<PlanFile>, ConfigError> {
    let Some(rel) = &plan.record else {
        return Ok(None);
    };
    let located = |msg: String| -> ConfigError {
        match Source::read(experiment) {
            Ok(src) => src.error("plan.record", msg),
            Err(e) => e,
        }
    };
    if rel.trim().is_empty() || rel.contains('\0') {
        return Err(located(format!(
            "expected the path of a plan file (a plan of record, as `xrplace import k8s` writes), found {rel:?}"
        )));
    }
    let path = record_path(experiment, rel);
    if !path.is_file() {
        return Err(located(format!(
            "no plan file at {} (the path is relative to the experiment file)",
            path.display()
        )));
    }
    load_plan(&path).map(Some)
}

/// Fills what `[plan]` leaves out from the record: the hub when `hub` is not given, the
/// deploy settings when the experiment has no `[plan.deploy]` table (`src` is the
/// experiment file).
pub fn apply_record_defaults(src: &Source, plan: &mut PlanConfig, record: &PlanFile) {
    if plan.hub.is_empty() {
        plan.hub = record.hub.clone();
    }
    let has_deploy = src
        .document()
        .and_then(|d| d.get("plan"))
        .and_then(|p| p.get("deploy"))
        .is_some();
    if !has_deploy {
        plan.deploy = record.deploy.clone();
    }
}

/// Every address range of the record's clusters (those that do not parse were refused
/// when the record was read).
pub fn record_cidrs(record: &PlanFile) -> Vec<Cidr> {
    record
        .clusters
        .iter()
        .flat_map(|k| {
            [
                &k.node_cidr,
                &k.pod_cidr,
                &k.service_cidr,
                &k.external_cidr,
                &k.internal_cidr,
            ]
        })
        .filter_map(|v| Cidr::parse(v))
        .collect()
}

/// Every cluster of the record must be a cluster of `topology` by name: the new plan
/// extends the record, so a cluster it does not know would be dropped or duplicated. The
/// error is located in the record file. The address plan must also hold a block clear of
/// the record's ranges for every other cluster of the topology (an error at
/// `plan.record`).
pub fn check_record_clusters(
    experiment: &Path,
    plan: &PlanConfig,
    record: &PlanFile,
    topology: &TopologyConfig,
) -> Result<(), ConfigError> {
    let Some((i, k)) = record
        .clusters
        .iter()
        .enumerate()
        .find(|(_, k)| !topology.clusters.iter().any(|t| t.name == k.name))
    else {
        return check_room(experiment, record, topology);
    };
    let path = record_path(experiment, plan.record.as_deref().unwrap_or_default());
    let src = Source::read(&path)?;
    Err(src.error(
        &format!("clusters[{i}].name"),
        format!(
            "cluster {:?} of the plan of record is not a cluster of topology {:?}; the plan extends the record, so every cluster it has must be in the topology under the same name (import the estate again, or add the cluster to the topology)",
            k.name, topology.name
        ),
    ))
}

/// The address plan has a block clear of the record's ranges for each topology cluster
/// the record does not have.
fn check_room(
    experiment: &Path,
    record: &PlanFile,
    topology: &TopologyConfig,
) -> Result<(), ConfigError> {
    let new = topology
        .clusters
        .iter()
        .filter(|t| record.cluster(&t.name).is_none())
        .count();
    let taken = record_cidrs(record);
    let free = free_cluster_ranges(&taken).take(new).count();
    if free >= new {
        return Ok(());
    }
    Err(Source::read(experiment)?.error(
        "plan.record",
        format!(
            "the plan of record's address ranges leave {free} blocks of the address plan (src/config/cidr.rs) for the {new} clusters of the topology it does not have; the new clusters' ranges must overlap none of the record's"
        ),
    ))
}
