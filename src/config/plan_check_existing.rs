//! The checks of a plan's existing clusters and peerings (issue 32): a cluster that runs
//! already may be resized only through a Cluster API MachineDeployment the export can
//! scale, and a peering that is up must join clusters that run already.

use super::check::{is_dns_label, Checker};
use super::error::ConfigError;
use super::plan_file::file::{PlanFile, PlannedCluster};

/// Most nodes a cluster has in a plan (as `clusters[].nodes`).
const MAX_NODES: u32 = 1000;

/// Checks `existing_nodes` and `machine_deployment` of every cluster and `existing` of
/// every peering.
pub fn validate_existing(c: &Checker, p: &PlanFile) -> Result<(), ConfigError> {
    for (i, k) in p.clusters.iter().enumerate() {
        validate_cluster(c, i, k)?;
    }
    for (i, x) in p.peerings.iter().enumerate() {
        let new_end = [&x.consumer, &x.provider]
            .into_iter()
            .find(|n| p.cluster(n).is_some_and(|k| k.provision));
        if let (true, Some(n)) = (x.existing, new_end) {
            return Err(c.src.error(
                &format!("peerings[{i}].existing"),
                format!("the peering is up already, but {n:?} is a new cluster (provision = true); a cluster the plan creates has no peering yet"),
            ));
        }
    }
    Ok(())
}

fn validate_cluster(c: &Checker, i: usize, k: &PlannedCluster) -> Result<(), ConfigError> {
    let f = format!("clusters[{i}]");
    if !k.machine_deployment.is_empty() && !is_machine_deployment_ref(&k.machine_deployment) {
        return Err(c.src.error(
            &format!("{f}.machine_deployment"),
            format!(
                "expected namespace/name of a Cluster API MachineDeployment (a DNS label, '/', a DNS subdomain), found {:?}",
                k.machine_deployment
            ),
        ));
    }
    let Some(now) = k.existing_nodes else {
        return Ok(());
    };
    if k.provision {
        return Err(c.src.error(
            &format!("{f}.existing_nodes"),
            format!("cluster {:?} is created by the plan (provision = true), so it runs with no nodes now; existing_nodes is for a cluster that runs already", k.name),
        ));
    }
    if !(1..=MAX_NODES).contains(&now) {
        return Err(c.src.error(
            &format!("{f}.existing_nodes"),
            format!("expected 1 to {MAX_NODES} nodes, found {now}"),
        ));
    }
    if now != k.nodes && k.machine_deployment.is_empty() {
        return Err(c.src.error(
            &format!("{f}.machine_deployment"),
            format!(
                "the plan resizes the existing cluster {:?} from {now} to {} nodes, but it names no Cluster API MachineDeployment to scale; set machine_deployment = \"namespace/name\", or keep its {now} nodes and resize it by hand before planning again",
                k.name, k.nodes
            ),
        ));
    }
    Ok(())
}

/// Whether `v` is `namespace/name`: a namespace is a DNS label and a MachineDeployment's
/// name a DNS subdomain (Kubernetes object names, "Object Names and IDs").
fn is_machine_deployment_ref(v: &str) -> bool {
    let Some((ns, name)) = v.split_once('/') else {
        return false;
    };
    is_dns_label(ns) && is_dns_subdomain(name)
}

/// A DNS-1123 subdomain: at most 253 characters, dot-separated labels of lower-case
/// letters, digits and '-', each starting and ending with a letter or digit.
fn is_dns_subdomain(v: &str) -> bool {
    v.len() <= 253
        && v.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_deployment_references() {
        assert!(is_machine_deployment_ref("xr-clusters/edge-milan-md-0"));
        assert!(is_machine_deployment_ref("default/md.v2"));
        assert!(!is_machine_deployment_ref("edge-milan-md-0"));
        assert!(!is_machine_deployment_ref("xr/clusters/md"));
        assert!(!is_machine_deployment_ref("Default/md"));
        assert!(!is_machine_deployment_ref("ns/-md"));
        assert!(!is_machine_deployment_ref("ns/$(reboot)"));
    }
}
