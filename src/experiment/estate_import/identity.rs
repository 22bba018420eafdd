//! The cluster each dump claims to be, held against what its objects say: the Cluster API
//! annotation of its Nodes, the Liqo cluster IDs of its peers (ForeignCluster,
//! ResourceSlice, VirtualNode and virtual Nodes) and the Cluster API `Cluster` names on a
//! management cluster. A contradiction is a located error at the object that says
//! otherwise; a peer or a managed cluster whose objects were not given is no contradiction
//! (the import leaves it out, with a warning).
//!
//! Sources: `cluster.x-k8s.io/cluster-name` is set on a workload cluster's Nodes by Cluster
//! API's machine controller (`internal/controllers/machine/machine_controller_noderef.go`,
//! `ClusterNameAnnotation` in `api/core/v1beta2/common_types.go`); Liqo names every peer by
//! its cluster ID (`ForeignCluster.spec.clusterID`, `ResourceSlice.spec.consumerClusterID`
//! / `providerClusterID`, `VirtualNode.spec.clusterID`, label `liqo.io/remote-cluster-id`
//! of a virtual Node; liqotech/liqo v1.2.0 `apis/`), and a cluster is never its own peer.

use super::dumps::DumpedCluster;
use crate::config::ConfigError;
use std::collections::BTreeMap;

/// Checks every dump's objects against the dumps' names.
pub fn check_identities(dumps: &[DumpedCluster]) -> Result<(), ConfigError> {
    for d in dumps {
        check_nodes(d)?;
        check_liqo(d)?;
    }
    check_capi_clusters(dumps)
}

fn check_nodes(d: &DumpedCluster) -> Result<(), ConfigError> {
    let annotation = "metadata.annotations.cluster.x-k8s.io/cluster-name";
    for n in &d.estate.inventory.nodes {
        if let Some(c) = n.capi_cluster.as_deref().filter(|c| *c != d.name) {
            return Err(n.at.error(
                annotation,
                format!(
                    "this Node was given as cluster {:?}'s, but Cluster API says it belongs to cluster {c:?}; give its file as {c}=PATH",
                    d.name
                ),
            ));
        }
        if let Some(id) = &n.liqo_remote_cluster {
            let field = "metadata.labels.liqo.io/remote-cluster-id";
            if *id == d.name {
                return Err(n.at.error(field, self_peer(&d.name)));
            }
        }
    }
    Ok(())
}

fn self_peer(name: &str) -> String {
    format!("a Liqo peer with cluster ID {name:?}, in the objects given as cluster {name:?}'s: a cluster is never its own peer (was the file given for the wrong cluster?)")
}

fn check_liqo(d: &DumpedCluster) -> Result<(), ConfigError> {
    let inv = &d.estate.inventory;
    let known = |at: &crate::config::k8s::Location, field: &str, id: &str| {
        if id == d.name {
            Err(at.error(field, self_peer(&d.name)))
        } else {
            Ok(())
        }
    };
    for f in &inv.foreign_clusters {
        known(&f.at, "spec.clusterID", &f.cluster_id)?;
    }
    for v in &inv.virtual_nodes {
        known(&v.at, "spec.clusterID", &v.cluster_id)?;
    }
    for s in &inv.resource_slices {
        let ends = [s.consumer.as_deref(), s.provider.as_deref()];
        let mine = ends.contains(&Some(d.name.as_str()));
        if let (Some(c), Some(p), false) = (s.consumer.as_deref(), s.provider.as_deref(), mine) {
            return Err(s.at.error(
                "spec",
                format!(
                    "a ResourceSlice between {c:?} and {p:?}, in the objects given as cluster {:?}'s: Liqo keeps a slice on its consumer and a replica on its provider only",
                    d.name
                ),
            ));
        }
    }
    Ok(())
}

/// Only one management cluster manages a cluster.
fn check_capi_clusters(dumps: &[DumpedCluster]) -> Result<(), ConfigError> {
    let mut managed_by: BTreeMap<&str, &str> = BTreeMap::new();
    for d in dumps {
        for c in &d.estate.inventory.clusters {
            if let Some(other) = managed_by.insert(&c.name, &d.name).filter(|o| *o != d.name) {
                return Err(c.at.error(
                    "metadata.name",
                    format!(
                        "cluster {:?} has a Cluster API Cluster on {other:?} and on {:?}: one management cluster manages it",
                        c.name, d.name
                    ),
                ));
            }
        }
    }
    Ok(())
}
