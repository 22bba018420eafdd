//! Names of exported objects and labels, all DNS labels whatever the plan's site names.

use crate::config::names::dns_label_from;
use crate::config::plan_file::PlannedComponent;

/// Label of a Liqo virtual node naming the remote cluster.
pub const REMOTE_CLUSTER_LABEL: &str = "liqo.io/remote-cluster-id";
/// Label Liqo puts on every virtual node.
pub const NODE_TYPE_LABEL: &str = "liqo.io/type";
/// Namespace label enabling Liqo's pod webhook before offloading is ready.
pub const SCHEDULING_LABEL: &str = "liqo.io/scheduling-enabled";
/// File of the monitoring namespace in the hub's `offloading/` stage (the monitoring
/// export writes it, the application's kustomization lists it).
pub const NAMESPACE_FILE: &str = "monitoring-namespace.yaml";
/// File of the PodMonitor in the hub's `app/` stage (written and listed as above).
pub const POD_MONITOR_FILE: &str = "monitoring.yaml";

/// Label carrying the planned cluster a Cluster, Deployment, pod or Service belongs to.
pub fn cluster_label() -> &'static str {
    "xrplace.io/cluster"
}

/// A site name as a label value (`Genève (CERN)` -> `geneve-cern`); the original is kept
/// in annotations.
pub fn site_label(site: &str) -> String {
    dns_label_from(site, 63)
}

/// Name of component `c`'s Deployment and Service on `cluster`: one of each per cluster,
/// so a user's traffic stays on the replica the plan put near them.
pub fn workload_name(c: &PlannedComponent, cluster: &str) -> String {
    dns_label_from(&format!("{}-{}-{}", c.application, c.name, cluster), 63)
}

/// The tenant namespace for the peering with `peer` (Liqo's own naming, `liqo-tenant-`).
pub fn tenant_namespace(peer: &str) -> String {
    dns_label_from(&format!("liqo-tenant-{peer}"), 63)
}

/// The user name (certificate CN) the consumer `consumer` authenticates as on a provider
/// in a declarative peering; the provider's RoleBinding binds exactly this user.
pub fn peering_user(consumer: &str) -> String {
    format!("xrplace-liqo-{consumer}")
}
