//! The loader of capacity-planning experiments (`[sessions]` with `[plan]`): a session
//! experiment whose plan is checked against each of its topologies.

use super::file::ExperimentConfig;
use super::loaded::{LoadedExperiment, Parts};
use super::sessions::{load_files, ClusterIndex};
use crate::config::check::Checker;
use crate::config::error::ConfigError;
use crate::config::plan::{validate_plan, PlanConfig};
use crate::config::plan_record::{apply_record_defaults, check_record_clusters, load_record};
use crate::config::source::Source;
use crate::config::topology::{ClusterConfig, TopologyConfig};
use std::path::Path;

/// Checks a capacity-planning experiment and loads its session topologies and trace.
pub(super) fn load(
    src: &Source,
    path: &Path,
    mut config: ExperimentConfig,
) -> Result<LoadedExperiment, ConfigError> {
    if config.sessions.is_none() {
        return Err(src.error(
            "plan",
            "expected a [sessions] section: plans are searched by simulating sessions",
        ));
    }
    let record = match config.plan.as_mut() {
        Some(plan) => {
            let record = load_record(path, plan)?;
            if let Some(r) = &record {
                apply_record_defaults(src, plan, r);
            }
            record
        }
        None => None,
    };
    let p = config
        .plan
        .as_ref()
        .expect("a capacity-planning experiment");
    let standby = &config
        .sessions
        .as_ref()
        .expect("checked")
        .control
        .standby_clusters;
    let check = |c: &Checker, topo: &TopologyConfig, clusters: &ClusterIndex| {
        if let Some(r) = &record {
            check_record_clusters(path, p, r, topo)?;
        }
        check_plan(c, p, standby, topo, clusters)
    };
    let (topologies, trace) = load_files(src, path, &config, &check)?;
    Ok(LoadedExperiment {
        path: path.to_path_buf(),
        config,
        topologies,
        trace,
        parts: Parts::default(),
    })
}

/// The plan against one topology: its hub exists from the start (so it is no standby
/// cluster), and its candidate clusters are those of its tiers besides the hub.
fn check_plan(
    c: &Checker,
    p: &PlanConfig,
    standby: &[String],
    topo: &TopologyConfig,
    clusters: &ClusterIndex,
) -> Result<(), ConfigError> {
    // The hub runs the management cluster's peerings and the monitoring from the start; a
    // standby cluster does not exist until the loop creates it.
    if let Some(i) = standby.iter().position(|n| *n == p.hub) {
        return Err(c.src.error(
            &format!("sessions.control.standby_clusters[{i}]"),
            format!(
                "{:?} is the plan's hub (plan.hub), which must exist from the start; a standby cluster is only created on demand",
                p.hub
            ),
        ));
    }
    let tier_of = |site: &str| topo.sites.iter().find(|x| x.name == site).map(|x| x.tier);
    let candidates: Vec<(&str, &ClusterConfig)> = topo
        .clusters
        .iter()
        .filter(|k| k.name != p.hub)
        .filter(|k| tier_of(&k.site).is_some_and(|t| p.candidate_tiers.contains(&t)))
        .map(|k| (k.name.as_str(), k))
        .collect();
    validate_plan(c, p, clusters, &candidates)
}
