//! What every interconnect kind must say of itself: the [`InterconnectKind`] trait. Each
//! kind implements it in its own file of this folder and is registered once in
//! [`super::kind_of`]. No method has a default, so the compiler refuses a kind that leaves
//! one out.

use super::facts::Interconnect;
use crate::config::interconnect::{variant_of, InterconnectConfig};
use crate::config::kinds::PathKind;
use crate::config::topology::PathsConfig;
use crate::model::ids::ClusterId;
use crate::model::path::PathModel;
use crate::model::topology::Route;

/// The two ends of a path between different clusters and the route between their sites.
#[derive(Debug, Clone, Copy)]
pub struct Across<'a> {
    /// The route between the clusters' sites.
    pub route: &'a Route,
    /// The sending cluster.
    pub src: ClusterId,
    /// The receiving cluster.
    pub dst: ClusterId,
}

/// One interconnect kind: its facts with their sources, its path between two clusters and
/// its control-plane semantics. Its name, its `[paths.<table>]` table, its variants and
/// its UDP refusal are its entry in `config::path_kinds`, which files are parsed and
/// checked against before any model exists; [`Self::id`] ties the two.
pub trait InterconnectKind: Sync {
    /// The id files name this kind by (`cross_cluster_path = "..."`).
    fn id(&self) -> PathKind;

    /// What the kind is made of and costs under a topology's `paths`: the sourced defaults
    /// of the variant its table names with the values the table replaces (named kinds),
    /// or the figures of its own table (`local`, `liqo`, `nodeport`, `mesh`).
    fn facts(&self, paths: &PathsConfig) -> Interconnect;

    /// The path a flow with `headers` bytes of headers per packet takes between two
    /// different clusters, without the route's background traffic (the caller adds it);
    /// `None` for a kind that cannot join two clusters.
    fn path(&self, paths: &PathsConfig, headers: u32, across: Across<'_>) -> Option<PathModel>;

    /// Whether a component can be placed or moved onto another cluster at run time through
    /// this kind (one scheduling surface across clusters), rather than only connecting
    /// workloads deployed in each cluster beforehand.
    fn cross_cluster_scheduling(&self) -> bool;
}

/// The facts of a named kind under `paths`: `defaults` of the variant its table names (or
/// of its default variant), with the values the table replaces.
pub fn named_facts(
    kind: PathKind,
    paths: &PathsConfig,
    defaults: fn(&str) -> Interconnect,
) -> Interconnect {
    let none = InterconnectConfig::default();
    let cfg = paths.interconnect(kind).map_or(&none, |(_, cfg)| cfg);
    defaults(variant_of(kind, cfg)).tuned(cfg)
}
