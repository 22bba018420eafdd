//! The Liqo side of an estate: its peerings (consumer -> provider, as Liqo's roles say),
//! the hub, and the namespace it offloads.
//!
//! A peering is seen in any of (liqotech/liqo v1.2.0, `apis/` and `docs/usage/peer.md`):
//! a `ForeignCluster` in cluster X with `status.role` `Provider` (the peer provides to X:
//! X -> peer), `Consumer` (peer -> X) or `ConsumerAndProvider` (both); a `ResourceSlice`
//! (consumer -> provider, from its `spec`; on the consumer `consumerClusterID` may be left
//! out, and then it is X); a `VirtualNode` or a virtual Node in X (X consumes the cluster it
//! stands for). Each peering counts once, however many objects show it.
//!
//! The hub is `--hub`, else the one cluster that holds an offloaded namespace and, among
//! those, consumes the most peerings; a tie is an error asking for `--hub`.

use super::dumps::{DumpedCluster, EstateError};
use crate::config::k8s::liqo::{ClusterSelection, NamespaceOffloading, PeeringRole, PodOffloading};
use crate::config::ConfigError;
use std::collections::BTreeSet;

/// Peerings as (consumer, provider), sorted, each once.
pub fn peerings(dumps: &[DumpedCluster]) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for d in dumps {
        let me = d.name.as_str();
        let inv = &d.estate.inventory;
        let mut add = |c: &str, p: &str| {
            if c != p {
                out.insert((c.to_string(), p.to_string()));
            }
        };
        for f in &inv.foreign_clusters {
            let peer = f.cluster_id.as_str();
            match f.role {
                PeeringRole::Provider => add(me, peer),
                PeeringRole::Consumer => add(peer, me),
                PeeringRole::ConsumerAndProvider => {
                    add(me, peer);
                    add(peer, me);
                }
                PeeringRole::Unknown => {}
            }
        }
        for s in &inv.resource_slices {
            if let Some(p) = s.provider.as_deref() {
                add(s.consumer.as_deref().unwrap_or(me), p);
            }
        }
        for v in &inv.virtual_nodes {
            add(me, &v.cluster_id);
        }
        for n in &inv.nodes {
            if let Some(p) = &n.liqo_remote_cluster {
                add(me, p);
            }
        }
    }
    out
}

/// The hub, by the module's rule; `hub` is `--hub`, checked to be one of `clusters`.
pub fn choose_hub(
    hub: Option<&str>,
    clusters: &[String],
    dumps: &[DumpedCluster],
    peerings: &BTreeSet<(String, String)>,
) -> Result<String, EstateError> {
    if let Some(h) = hub {
        if clusters.iter().any(|c| c == h) {
            return Ok(h.to_string());
        }
        return Err(EstateError::Refused(format!(
            "--hub {h:?} is no cluster of the estate with machines (clusters: {})",
            clusters.join(", ")
        )));
    }
    let offloads = |c: &str| {
        dumps
            .iter()
            .any(|d| d.name == c && !d.estate.inventory.namespace_offloadings.is_empty())
    };
    let consumed = |c: &str| peerings.iter().filter(|(x, _)| x == c).count();
    let score = |c: &String| (offloads(c), consumed(c));
    let best = clusters.iter().map(score).max().unwrap_or((false, 0));
    let top: Vec<&String> = clusters.iter().filter(|c| score(c) == best).collect();
    match top.as_slice() {
        [one] => Ok((*one).clone()),
        _ => Err(EstateError::Refused(format!(
            "which cluster is the hub is ambiguous: {} each {} and consume {} peering(s); pass --hub CLUSTER",
            top.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "),
            if best.0 { "hold an offloaded namespace" } else { "hold no offloaded namespace" },
            best.1
        ))),
    }
}

/// The namespace the hub offloads and where to, as the plan's `offloading` says it.
#[derive(Debug, Clone, PartialEq)]
pub struct Offloaded {
    /// The namespace (the plan's `deploy.namespace`).
    pub namespace: String,
    /// Clusters it is offloaded to, sorted.
    pub clusters: Vec<String>,
    /// `LocalAndRemote` or `Remote`.
    pub pod_offloading_strategy: String,
}

/// The offloading of the hub's application namespace: its one `NamespaceOffloading`
/// besides the export's monitoring namespace `monitoring_ns` (the first by name if there
/// are several, with a warning), to the clusters of `peerings` the hub consumes (others
/// left out with a warning); `None` if it has none.
pub fn offloading(
    hub: &DumpedCluster,
    monitoring_ns: &str,
    peerings: &BTreeSet<(String, String)>,
    warnings: &mut Vec<String>,
) -> Result<Option<Offloaded>, ConfigError> {
    let mut found: Vec<&NamespaceOffloading> = hub
        .estate
        .inventory
        .namespace_offloadings
        .iter()
        .filter(|n| n.namespace != monitoring_ns)
        .collect();
    found.sort_by(|a, b| a.namespace.cmp(&b.namespace));
    let Some(n) = found.first() else {
        return Ok(None);
    };
    if found.len() > 1 {
        let names: Vec<&str> = found.iter().map(|n| n.namespace.as_str()).collect();
        warnings.push(format!(
            "the hub {:?} offloads {} namespaces ({}): the plan records {:?} as the application's",
            hub.name,
            names.len(),
            names.join(", "),
            n.namespace
        ));
    }
    let provided: Vec<&str> = peerings
        .iter()
        .filter(|(c, _)| *c == hub.name)
        .map(|(_, p)| p.as_str())
        .collect();
    let clusters: Vec<String> = match &n.selects {
        _ if !n.offloaded_to.is_empty() => n.offloaded_to.clone(),
        ClusterSelection::Clusters(ids) => ids.clone(),
        ClusterSelection::AllPeers => provided.iter().map(|p| p.to_string()).collect(),
        ClusterSelection::ByLabels => {
            return Err(n.at.error(
                "spec.clusterSelector",
                "selects peers by labels other than liqo.io/remote-cluster-id, and has no status naming them: the import cannot tell where the namespace is offloaded",
            ))
        }
    };
    let (clusters, unpeered): (Vec<String>, Vec<String>) = clusters
        .into_iter()
        .partition(|c| provided.contains(&c.as_str()));
    if !unpeered.is_empty() {
        warnings.push(format!(
            "namespace {:?} of the hub {:?} is offloaded to [{}], which the plan has no peering with (their Nodes were not given, or the hub does not consume them): left out of the plan's offloading",
            n.namespace,
            hub.name,
            unpeered.join(", ")
        ));
    }
    let pod_offloading_strategy = match n.pods {
        PodOffloading::LocalAndRemote => "LocalAndRemote",
        PodOffloading::Remote => "Remote",
        PodOffloading::Local => {
            return Err(n.at.error(
                "spec.podOffloadingStrategy",
                "Local keeps every pod on the hub: no offloading for a plan to record (expected LocalAndRemote or Remote)",
            ))
        }
    };
    Ok(Some(Offloaded {
        namespace: n.namespace.clone(),
        clusters,
        pod_offloading_strategy: pod_offloading_strategy.into(),
    }))
}
