//! Address ranges: every range of every cluster disjoint, the same wherever it is set, and
//! each peer's `Configuration` holding the peer's real ranges.

use super::cluster_rules::{first_str, new_clusters};
use super::{flag, str_at, ExportSet, Findings};
use crate::config::cidr::Cidr;
use serde_json::Value;

/// Address ranges of one cluster's role (node, pod, service, external, internal).
struct Range {
    cluster: String,
    role: &'static str,
    cidr: Cidr,
    file: String,
}

fn push(
    out: &mut Vec<Range>,
    f: &mut Findings,
    cluster: &str,
    role: &'static str,
    v: Option<&str>,
    file: &str,
) {
    let Some(v) = v else { return };
    match Cidr::parse(v) {
        Some(cidr) => out.push(Range {
            cluster: cluster.into(),
            role,
            cidr,
            file: file.into(),
        }),
        None => f.add(
            file,
            cluster,
            format!("{role} range {v:?} is not an IPv4 CIDR"),
        ),
    }
}

/// Every address range the export sets, by cluster and role.
fn ranges(set: &ExportSet, f: &mut Findings) -> Vec<Range> {
    let mut out = Vec::new();
    for k in new_clusters(set) {
        let v = &k.cluster.value;
        let file = &k.cluster.file;
        push(
            &mut out,
            f,
            k.name(),
            "pod",
            first_str(v, "spec.clusterNetwork.pods.cidrBlocks"),
            file,
        );
        push(
            &mut out,
            f,
            k.name(),
            "service",
            first_str(v, "spec.clusterNetwork.services.cidrBlocks"),
            file,
        );
        let infra = str_at(v, "spec.infrastructureRef.name").unwrap_or("");
        if let Some(o) = set.of_kind("OpenStackCluster").find(|d| d.name() == infra) {
            let node = o.value["spec"]["managedSubnets"][0]["cidr"].as_str();
            push(&mut out, f, k.name(), "node", node, &o.file);
        }
    }
    for p in set
        .of_kind("HelmChartProxy")
        .filter(|d| str_at(&d.value, "spec.chartName") == Some("liqo"))
    {
        let Some(values) = str_at(&p.value, "spec.valuesTemplate") else {
            continue;
        };
        let Ok(v) = serde_yaml_ng::from_str::<Value>(values) else {
            f.add(&p.file, &p.object(), "Liqo values are not YAML");
            continue;
        };
        let id = str_at(&v, "discovery.config.clusterID")
            .unwrap_or("")
            .to_string();
        push(
            &mut out,
            f,
            &id,
            "pod",
            first_str(&v, "ipam.podCIDRs"),
            &p.file,
        );
        push(
            &mut out,
            f,
            &id,
            "service",
            str_at(&v, "ipam.serviceCIDR"),
            &p.file,
        );
        push(
            &mut out,
            f,
            &id,
            "external",
            str_at(&v, "ipam.externalCIDR"),
            &p.file,
        );
        push(
            &mut out,
            f,
            &id,
            "internal",
            str_at(&v, "ipam.internalCIDR"),
            &p.file,
        );
    }
    for k in set.plan.iter().flat_map(|p| &p.clusters) {
        for (role, v) in [
            ("node", &k.node_cidr),
            ("pod", &k.pod_cidr),
            ("service", &k.service_cidr),
            ("external", &k.external_cidr),
            ("internal", &k.internal_cidr),
        ] {
            push(&mut out, f, &k.name, role, Some(v), "plan.toml");
        }
    }
    for (file, cmd) in set.commands("liqoctl install") {
        let id = flag(cmd, "--cluster-id").unwrap_or("").to_string();
        push(&mut out, f, &id, "pod", flag(cmd, "--pod-cidr"), file);
        push(
            &mut out,
            f,
            &id,
            "service",
            flag(cmd, "--service-cidr"),
            file,
        );
        let sets: Vec<&str> = cmd
            .split("--set ")
            .skip(1)
            .filter_map(|r| r.split_whitespace().next())
            .map(|w| w.trim_matches('\''))
            .collect();
        push(
            &mut out,
            f,
            &id,
            "external",
            sets.iter()
                .find_map(|s| s.strip_prefix("ipam.externalCIDR=")),
            file,
        );
        push(
            &mut out,
            f,
            &id,
            "internal",
            sets.iter()
                .find_map(|s| s.strip_prefix("ipam.internalCIDR=")),
            file,
        );
    }
    out
}

pub(super) fn cidrs_disjoint(set: &ExportSet, f: &mut Findings) {
    let all = ranges(set, f);
    for (i, a) in all.iter().enumerate() {
        for b in &all[..i] {
            let same = a.cluster == b.cluster && a.role == b.role;
            if same && a.cidr != b.cidr {
                f.add(
                    &a.file,
                    &a.cluster,
                    format!(
                        "{} range {} disagrees with {} in {}",
                        a.role, a.cidr, b.cidr, b.file
                    ),
                );
            } else if !same && a.cidr.overlaps(&b.cidr) {
                f.add(
                    &a.file,
                    &a.cluster,
                    format!(
                        "{} range {} overlaps the {} range {} of {} ({})",
                        a.role, a.cidr, b.role, b.cidr, b.cluster, b.file
                    ),
                );
            }
        }
    }
    let plan_ranges = |id: &str| {
        set.plan
            .as_ref()
            .and_then(|p| p.cluster(id))
            .map(|k| (k.pod_cidr.clone(), k.external_cidr.clone()))
    };
    for c in set.of_kind("Configuration") {
        let peer = c.value["metadata"]["labels"]["liqo.io/remote-cluster-id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let from_set = |role: &str| {
            all.iter()
                .find(|r| r.cluster == peer && r.role == role)
                .map(|r| r.cidr.to_string())
        };
        let known = plan_ranges(&peer);
        let want_pod = from_set("pod").or_else(|| known.as_ref().map(|k| k.0.clone()));
        let want_ext = from_set("external").or_else(|| known.as_ref().map(|k| k.1.clone()));
        let got_pod = first_str(&c.value, "spec.remote.cidr.pod").map(str::to_string);
        let got_ext = first_str(&c.value, "spec.remote.cidr.external").map(str::to_string);
        if got_pod != want_pod || got_ext != want_ext {
            f.add(&c.file, &c.object(), format!(
                "holds pod {got_pod:?} and external {got_ext:?} for {peer:?}, whose ranges are {want_pod:?} and {want_ext:?}"));
        }
    }
}
