//! A scenario: a topology, where each component runs, and the path each flow takes.

use super::app::Application;
use super::ids::ClusterId;
use super::path::PathModel;
use super::topology::Topology;
use crate::config::experiment::{PathKind, ScenarioConfig};
use crate::config::topology::PathsConfig;

/// Liqo footprint charged to each peered cluster.
#[derive(Debug, Clone, Copy, Default)]
pub struct PeeringFootprint {
    /// Control plane CPU, reference cores.
    pub cpu_cores: f64,
    /// Control plane and gateway memory, MiB.
    pub memory_mib: f64,
}

/// Everything a run needs to know about one setup.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Name from the experiment file.
    pub name: String,
    /// The platform.
    pub topology: Topology,
    /// Cluster of each component, by component index.
    pub placement: Vec<ClusterId>,
    /// Path of each flow, by flow index.
    pub paths: Vec<PathModel>,
    /// Clusters that host a component, ascending.
    pub clusters: Vec<ClusterId>,
    /// Clusters that take part in a Liqo peering, ascending.
    pub peered: Vec<ClusterId>,
    /// Liqo footprint per peered cluster.
    pub peering: PeeringFootprint,
}

impl Scenario {
    /// Builds a scenario from its validated table; `None` if a flow's clusters cannot
    /// reach each other.
    pub fn build(
        s: &ScenarioConfig,
        topology: Topology,
        paths_cfg: &PathsConfig,
        app: &Application,
    ) -> Option<Scenario> {
        let placement: Vec<ClusterId> = app
            .components
            .iter()
            .map(|c| topology.cluster_id(&s.placement[&c.name]))
            .collect::<Option<_>>()?;
        let mut paths = Vec::with_capacity(app.flows.len());
        for (i, f) in app.flows.iter().enumerate() {
            let (src, dst) = (placement[i], placement[i + 1]);
            paths.push(PathModel::build(
                &topology,
                paths_cfg,
                f.protocol,
                src,
                dst,
                s.cross_cluster_path,
            )?);
        }
        let mut clusters = placement.clone();
        clusters.sort();
        clusters.dedup();
        let mut peered: Vec<ClusterId> = paths
            .iter()
            .enumerate()
            .filter(|(_, p)| p.kind == PathKind::Liqo)
            .flat_map(|(i, _)| [placement[i], placement[i + 1]])
            .collect();
        peered.sort();
        peered.dedup();
        let peering = PeeringFootprint {
            cpu_cores: paths_cfg.liqo.control_plane_cpu_cores,
            memory_mib: paths_cfg.liqo.control_plane_memory_mib + paths_cfg.liqo.gateway_memory_mib,
        };
        Some(Scenario {
            name: s.name.clone(),
            topology,
            placement,
            paths,
            clusters,
            peered,
            peering,
        })
    }
}
