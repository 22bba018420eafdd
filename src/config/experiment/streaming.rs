//! The loader of streaming experiments (`[application]` with `[[scenarios]]`): the
//! application checked as a chain, each scenario's topology loaded and its placement and
//! paths checked against it.

use super::application::{ApplicationConfig, FlowConfig, ScenarioConfig};
use super::file::ExperimentConfig;
use super::loaded::{LoadedExperiment, Parts};
use crate::config::check::{at_reference, index_by_name, Checker};
use crate::config::error::ConfigError;
use crate::config::kinds::{Fidelity, PathKind, Protocol};
use crate::config::source::Source;
use crate::config::topology::TopologyConfig;
use crate::config::topology_load::load_topology;
use std::collections::HashMap;
use std::path::Path;

/// Checks a streaming experiment and loads one topology per scenario.
pub(super) fn load(
    src: &Source,
    path: &Path,
    config: ExperimentConfig,
) -> Result<LoadedExperiment, ConfigError> {
    let c = Checker { src };
    let Some(application) = &config.application else {
        return Err(src.error(
            "application",
            "expected an [application] table with [[scenarios]], a [provisioning] or a [sessions] table",
        ));
    };
    let components = validate_application(&c, application)?;
    if config.scenarios.is_empty() {
        return Err(src.error("scenarios", "expected at least one [[scenarios]] table"));
    }
    if config.fidelity() == Fidelity::Flow
        && application
            .components
            .iter()
            .filter(|k| k.segment_ms > 0.0)
            .count()
            > 1
    {
        return Err(src.error(
            "fidelity",
            "flow fidelity supports at most one segmenting component",
        ));
    }
    c.unique(
        "scenario",
        config
            .scenarios
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("scenarios[{i}].name"), s.name.as_str())),
    )?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut topologies = Vec::with_capacity(config.scenarios.len());
    for (i, s) in config.scenarios.iter().enumerate() {
        let topo = load_topology(&base.join(&s.topology))
            .map_err(at_reference(src, &format!("scenarios[{i}].topology")))?;
        validate_scenario(&c, i, s, application, &components, &topo)?;
        topologies.push(topo);
    }
    Ok(LoadedExperiment {
        path: path.to_path_buf(),
        config,
        topologies,
        trace: Vec::new(),
        parts: Parts::default(),
    })
}

/// Checks the application is a chain: flow `i` goes from component `i` to `i + 1`.
fn validate_application<'a>(
    c: &Checker,
    a: &'a ApplicationConfig,
) -> Result<HashMap<&'a str, u32>, ConfigError> {
    c.name("application.name", &a.name)?;
    if a.components.len() < 2 {
        return Err(c
            .src
            .error("application.components", "expected at least two components"));
    }
    let names = c.unique(
        "component",
        a.components
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("application.components[{i}].name"), k.name.as_str())),
    )?;
    if a.flows.len() != a.components.len() - 1 {
        return Err(c.src.error(
            "application.flows",
            format!(
                "expected {} flows joining the {} components in order",
                a.components.len() - 1,
                a.components.len()
            ),
        ));
    }
    for (i, f) in a.flows.iter().enumerate() {
        let p = format!("application.flows[{i}]");
        let from = c.resolve(&format!("{p}.from"), "component", &f.from, &names)?;
        let to = c.resolve(&format!("{p}.to"), "component", &f.to, &names)?;
        if from as usize != i || to as usize != i + 1 {
            return Err(c.src.error(
                &format!("{p}.to"),
                format!(
                    "expected flow {i} to go from {:?} to {:?} (components form a chain in the order listed)",
                    a.components[i].name,
                    a.components[i + 1].name
                ),
            ));
        }
        validate_flow(c, &p, f, &a.flows[0])?;
    }
    Ok(names)
}

/// Every flow of the chain runs at the first flow's frame rate (the ranges of its numbers
/// are in the range table, checked as the file is parsed).
fn validate_flow(
    c: &Checker,
    p: &str,
    f: &FlowConfig,
    first: &FlowConfig,
) -> Result<(), ConfigError> {
    if f.frame_rate_fps != first.frame_rate_fps {
        return Err(c.src.error(
            &format!("{p}.frame_rate_fps"),
            format!(
                "expected the chain's frame rate {} fps on every flow",
                first.frame_rate_fps
            ),
        ));
    }
    Ok(())
}

fn validate_scenario(
    c: &Checker,
    i: usize,
    s: &ScenarioConfig,
    app: &ApplicationConfig,
    components: &HashMap<&str, u32>,
    topo: &TopologyConfig,
) -> Result<(), ConfigError> {
    let p = format!("scenarios[{i}]");
    let clusters: HashMap<&str, u32> = index_by_name(&topo.clusters, |x| &x.name);
    for (component, cluster) in &s.placement {
        let field = format!("{p}.placement.{component}");
        c.resolve(&field, "component", component, components)?;
        c.resolve(&field, "cluster", cluster, &clusters)?;
    }
    for k in &app.components {
        if !s.placement.contains_key(&k.name) {
            return Err(c.src.error(
                &format!("{p}.placement"),
                format!("expected a cluster for component {:?}", k.name),
            ));
        }
    }
    for (j, f) in app.flows.iter().enumerate() {
        let crosses = s.placement[&f.from] != s.placement[&f.to];
        if crosses && s.cross_cluster_path == PathKind::Local {
            return Err(c.src.error(
                &format!("{p}.cross_cluster_path"),
                format!(
                    "flow {j} ({} -> {}) crosses clusters; expected one of {}",
                    f.from,
                    f.to,
                    PathKind::cross_names()
                ),
            ));
        }
        let refusal = s.cross_cluster_path.udp_refusal();
        if let (true, Protocol::Udp, Some(why)) = (crosses, f.protocol, refusal) {
            return Err(c.src.error(
                &format!("{p}.cross_cluster_path"),
                format!(
                    "flow {j} ({} -> {}) is UDP, which {} cannot carry: {why}; expected an L3 kind (liqo, nodeport, submariner, cilium-clustermesh, nsm)",
                    f.from,
                    f.to,
                    s.cross_cluster_path.name()
                ),
            ));
        }
    }
    Ok(())
}
