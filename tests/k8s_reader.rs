//! The estate reader on what `xrplace export` writes for the shipped plan: the Cluster
//! API objects give back each provisioned cluster's distribution and node count, the
//! declarative peering's ResourceSlice its provider, and the NamespaceOffloading the
//! clusters the plan offloads to (the first half of the round trip of issue 32; the Node
//! lists a running cluster would add are the import command's test).

use std::path::{Path, PathBuf};
use std::process::Command;
use xrplace::config::k8s::liqo::ClusterSelection;
use xrplace::config::k8s::read_estate;
use xrplace::config::plan_file::load_plan;

const SHIPPED_PLAN: &str = "experiments/plans/study-fra-gva.toml";

fn exported(name: &str) -> PathBuf {
    let out =
        std::env::temp_dir().join(format!("xrplace-k8s-reader-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join(SHIPPED_PLAN);
    let o = Command::new(env!("CARGO_BIN_EXE_xrplace"))
        .args([
            "export",
            plan.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out
}

#[test]
fn an_export_of_the_shipped_plan_reads_back_as_its_clusters_and_peerings() {
    let plan = load_plan(&Path::new(env!("CARGO_MANIFEST_DIR")).join(SHIPPED_PLAN)).unwrap();
    let out = exported("shipped");
    // The cluster folders; clusterctl.yaml at the top is clusterctl's settings, no object
    // (the reader refuses it as foreign input, a located error).
    let folders: Vec<PathBuf> = ["management", "cluster-fra", "edge-gva-2"]
        .iter()
        .map(|d| out.join(d))
        .collect();
    let e = read_estate(std::slice::from_ref(&out))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("clusterctl.yaml:") && e.contains("expected the object's kind"),
        "{e}"
    );
    let estate = read_estate(&folders).unwrap();
    let summary = estate.summary();
    let provisioned: Vec<_> = plan.clusters.iter().filter(|k| k.provision).collect();
    assert_eq!(summary.clusters.len(), provisioned.len(), "{summary}");
    for k in provisioned {
        let c = summary
            .clusters
            .iter()
            .find(|c| c.name.ends_with(&format!("/{}", k.name)))
            .unwrap_or_else(|| panic!("{} not read back: {summary}", k.name));
        assert_eq!(c.distribution, Some(k.distribution), "{}", k.name);
        assert_eq!(
            c.control_plane_nodes + c.worker_nodes,
            k.nodes,
            "{}",
            k.name
        );
        assert_eq!(
            c.worker_flavors,
            std::slice::from_ref(&k.worker_flavor),
            "{}",
            k.name
        );
    }
    for p in plan.peerings.iter().filter(|p| p.declarative) {
        assert!(
            estate
                .inventory
                .resource_slices
                .iter()
                .any(|s| s.provider.as_deref() == Some(p.provider.as_str())),
            "no ResourceSlice for {}: {summary}",
            p.provider
        );
    }
    let mut wanted = plan.offloading.clusters.clone();
    wanted.sort();
    let offloading = &estate.inventory.namespace_offloadings;
    assert!(
        offloading
            .iter()
            .any(|n| n.selects == ClusterSelection::Clusters(wanted.clone())),
        "{offloading:?}"
    );
    assert!(
        summary.skipped > 0,
        "an export holds kinds the reader skips"
    );
    let _ = std::fs::remove_dir_all(&out);
}
