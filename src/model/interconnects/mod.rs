//! The interconnect kinds the study weighs, one file each: its facts with their sources
//! (what its data path is made of, what it costs and offers; [`facts::Interconnect`]), the
//! path it builds between two clusters and its control-plane semantics, through the
//! [`InterconnectKind`] trait. None of the named kinds' defaults is calibrated against the
//! study; `liqo`, `nodeport`, `local` and the generic `mesh` read their calibrated figures
//! from their own `[paths.*]` tables.
//!
//! This file is the registry: a new kind is its own file here, a `pub mod` line and an arm
//! of [`kind_of`] below, and its entry in `config::path_kinds` (its name, table, variants
//! and UDP refusal, which files are checked against before any model exists).

pub mod cilium_clustermesh;
pub mod consul;
pub mod facts;
pub mod interconnect_kind;
pub mod istio;
pub mod linkerd;
pub mod liqo;
pub mod local;
pub mod mesh;
pub mod nodeport;
pub mod nsm;
pub mod skupper;
mod sources;
pub mod submariner;

pub use facts::{DataPath, Interconnect, Sharing, Side};
pub use interconnect_kind::{Across, InterconnectKind};

use crate::config::kinds::PathKind;
use crate::config::topology::PathsConfig;

/// The kind a config id names: every [`PathKind`] has exactly one (the match has no
/// fallback, so a kind declared in `config::path_kinds` without a file here does not
/// compile).
pub fn kind_of(id: PathKind) -> &'static dyn InterconnectKind {
    match id {
        PathKind::Local => &local::Local,
        PathKind::Liqo => &liqo::Liqo,
        PathKind::Nodeport => &nodeport::Nodeport,
        PathKind::Mesh => &mesh::Mesh,
        PathKind::Submariner => &submariner::Submariner,
        PathKind::Skupper => &skupper::Skupper,
        PathKind::Istio => &istio::Istio,
        PathKind::Linkerd => &linkerd::Linkerd,
        PathKind::Consul => &consul::Consul,
        PathKind::CiliumClustermesh => &cilium_clustermesh::CiliumClustermesh,
        PathKind::Nsm => &nsm::Nsm,
    }
}

// Here rather than in `facts` because they consult the registry.
impl Interconnect {
    /// The facts of `kind` under `paths` ([`InterconnectKind::facts`]).
    pub fn of(kind: PathKind, paths: &PathsConfig) -> Interconnect {
        kind_of(kind).facts(paths)
    }

    /// Whether components can be placed on other clusters at run time through it.
    pub fn cross_cluster_scheduling(&self) -> bool {
        kind_of(self.kind).cross_cluster_scheduling()
    }
}

#[cfg(test)]
mod tests;
