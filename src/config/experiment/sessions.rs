//! The loader of session experiments (`[sessions]`): the section checked, its topologies
//! (the swept ones, else the one) and trace loaded, and every name resolved against them.

use super::file::ExperimentConfig;
use super::loaded::{LoadedExperiment, Parts};
use crate::config::check::{at_reference, index_by_name, Checker};
use crate::config::error::ConfigError;
use crate::config::sessions::{validate_sessions, LoadKind, SessionFaultKind, SessionsConfig};
use crate::config::source::Source;
use crate::config::topology::TopologyConfig;
use crate::config::topology_load::load_topology;
use crate::config::trace::{load_trace, TraceArrival};
use std::collections::HashMap;
use std::path::Path;

/// Clusters of a topology by name, for resolving references.
pub(super) type ClusterIndex<'a> = HashMap<&'a str, u32>;

/// A check of each loaded topology besides the section's own (a capacity plan's).
pub(super) type TopologyCheck<'a> =
    dyn Fn(&Checker, &TopologyConfig, &ClusterIndex) -> Result<(), ConfigError> + 'a;

/// Checks a session experiment and loads its topologies and trace.
pub(super) fn load(
    src: &Source,
    path: &Path,
    config: ExperimentConfig,
) -> Result<LoadedExperiment, ConfigError> {
    let (topologies, trace) = load_files(src, path, &config, &|_, _, _| Ok(()))?;
    Ok(LoadedExperiment {
        path: path.to_path_buf(),
        config,
        topologies,
        trace,
        parts: Parts::default(),
    })
}

/// The topologies and trace of a session experiment, each topology checked by
/// `per_topology` too once the section's names are resolved in it.
pub(super) fn load_files(
    src: &Source,
    path: &Path,
    config: &ExperimentConfig,
    per_topology: &TopologyCheck,
) -> Result<(Vec<TopologyConfig>, Vec<TraceArrival>), ConfigError> {
    let s = config.sessions.as_ref().expect("a session experiment");
    if config.application.is_some() || !config.scenarios.is_empty() {
        return Err(src.error(
            "sessions",
            "expected either [sessions] or [application] with [[scenarios]], not both",
        ));
    }
    let c = Checker { src };
    validate_sessions(&c, s)?;
    let base = path.parent().unwrap_or(Path::new("."));
    let files: Vec<(String, &String)> = if s.sweep.topologies.is_empty() {
        vec![(String::from("sessions.topology"), &s.topology)]
    } else {
        s.sweep
            .topologies
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("sessions.sweep.topologies[{i}]"), t))
            .collect()
    };
    let mut topologies = Vec::with_capacity(files.len());
    for (field, file) in files {
        let topo = load_topology(&base.join(file)).map_err(at_reference(src, &field))?;
        let clusters: ClusterIndex = index_by_name(&topo.clusters, |x| &x.name);
        resolve_names(&c, s, &topo, &clusters)?;
        per_topology(&c, &topo, &clusters)?;
        topologies.push(topo);
    }
    let trace = match s.load.kind {
        LoadKind::Trace => load_arrivals(src, base, config, s, &topologies[0])?,
        LoadKind::Poisson | LoadKind::Diurnal => Vec::new(),
    };
    Ok((topologies, trace))
}

/// Resolves the faults' clusters and sites, the standby clusters and the central cluster
/// in `topo`; a node loss must leave a node.
fn resolve_names(
    c: &Checker,
    s: &SessionsConfig,
    topo: &TopologyConfig,
    clusters: &ClusterIndex,
) -> Result<(), ConfigError> {
    let sites: HashMap<&str, u32> = index_by_name(&topo.sites, |x| &x.name);
    let lists = std::iter::once((String::from("sessions"), &s.faults)).chain(
        s.fault_models
            .iter()
            .enumerate()
            .map(|(m, model)| (format!("sessions.fault_models[{m}]"), &model.faults)),
    );
    for (base, faults) in lists {
        for (i, f) in faults.iter().enumerate() {
            if f.cluster.is_empty() {
                c.resolve(&format!("{base}.faults[{i}].site"), "site", &f.site, &sites)?;
                continue;
            }
            let k = c.resolve(
                &format!("{base}.faults[{i}].cluster"),
                "cluster",
                &f.cluster,
                clusters,
            )?;
            let have = topo.clusters[k as usize].nodes;
            if f.kind == SessionFaultKind::NodeLoss && f.nodes >= have {
                return Err(c.src.error(
                    &format!("{base}.faults[{i}].nodes"),
                    format!(
                        "loses {} of the {have} nodes of {:?}; a node loss leaves at least one (use kind = \"cluster-failure\" for all)",
                        f.nodes, f.cluster
                    ),
                ));
            }
        }
    }
    for (i, name) in s.control.standby_clusters.iter().enumerate() {
        c.resolve(
            &format!("sessions.control.standby_clusters[{i}]"),
            "cluster",
            name,
            clusters,
        )?;
    }
    if !s.central_cluster.is_empty() {
        c.resolve(
            "sessions.central_cluster",
            "cluster",
            &s.central_cluster,
            clusters,
        )?;
    }
    Ok(())
}

/// The arrivals of a `trace` load, resolved against the first topology; at least one must
/// fall inside the run.
fn load_arrivals(
    src: &Source,
    base: &Path,
    config: &ExperimentConfig,
    s: &SessionsConfig,
    topo: &TopologyConfig,
) -> Result<Vec<TraceArrival>, ConfigError> {
    let sites: HashMap<&str, u32> = index_by_name(&topo.sites, |x| &x.name);
    let apps: HashMap<&str, u32> = index_by_name(&s.applications, |x| &x.name);
    let file = base.join(&s.load.trace);
    let trace =
        load_trace(&file, &sites, &apps).map_err(at_reference(src, "sessions.load.trace"))?;
    match trace.first() {
        Some(a) if a.time_s >= config.duration_s => Err(src.error(
            "sessions.load.trace",
            format!(
                "no arrival of {} falls inside the run: the first is at {} s, the run lasts duration_s = {} s (are the times in milliseconds?)",
                file.display(),
                a.time_s,
                config.duration_s
            ),
        )),
        None => Err(src.error(
            "sessions.load.trace",
            format!("{} has no arrivals", file.display()),
        )),
        _ => Ok(trace),
    }
}
