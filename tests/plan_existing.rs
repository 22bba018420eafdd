//! `xrplace plan` over a topology with an existing cluster among the candidates (issue 32):
//! the planner resizes it but never removes it and never provisions it anew; the plan
//! keeps it `provision = false`, says its current size when it changes it, and carries its
//! Cluster API MachineDeployment for the export's scale step.

use crate::common;

use common::{fresh_dir, xrplace_ok};
use std::path::{Path, PathBuf};

const SLICE: &str = "experiments/capacity-slice.toml";
const VIENNA_MD: &str = "xr-clusters/k8s-vienna-md-0";

/// `topologies/eu-slice.toml` with k8s-vienna (edge, a candidate) marked existing at 3
/// nodes, a size `sizes_nodes` (0/2/4/8) does not offer, managed by a MachineDeployment.
fn topology_with_existing_vienna(dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("topologies/eu-slice.toml")).unwrap();
    let from = "name = \"k8s-vienna\"\nsite = \"vienna\"\nnodes = 3\n";
    assert!(
        text.contains(from),
        "eu-slice.toml changed: {from:?} not found"
    );
    let text = text.replace(
        from,
        &format!("{from}existing = true\nmachine_deployment = \"{VIENNA_MD}\"\n"),
    );
    let path = dir.join("slice-existing.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The slice experiment over `topology`, one hour and two runs so it runs in seconds,
/// with `extra` appended to its `[plan]` section.
fn experiment(dir: &Path, topology: &Path, extra: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join(SLICE))
        .unwrap()
        .replace(
            "topology = \"../topologies/eu-slice.toml\"",
            &format!("topology = {:?}", topology.to_str().unwrap()),
        )
        .replace("duration_s = 21600", "duration_s = 3600")
        .replace("runs = 3", "runs = 2")
        .replace(
            "sizes_nodes = [0, 2, 4, 8]",
            &format!("sizes_nodes = [0, 2, 4, 8]\n{extra}"),
        );
    let path = dir.join("slice-existing-plan.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn plan(exp: &Path, out: &Path) -> toml::Table {
    xrplace_ok(&[
        "plan",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let text = std::fs::read_to_string(out.join("plan.toml")).unwrap();
    toml::from_str(&text).unwrap()
}

fn cluster<'a>(p: &'a toml::Table, name: &str) -> Option<&'a toml::Table> {
    p["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_table().unwrap())
        .find(|k| k["name"].as_str() == Some(name))
}

/// Every value of column `name` of `candidates.csv`.
fn candidate_column(out: &Path, name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(out.join("candidates.csv")).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let i = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in candidates.csv"));
    r.records().map(|x| x.unwrap()[i].to_string()).collect()
}

#[test]
fn an_existing_candidate_is_resized_never_dropped_nor_provisioned() {
    let dir = fresh_dir("plan-existing");
    std::fs::create_dir_all(&dir).unwrap();
    let topo = topology_with_existing_vienna(&dir);
    let exp = experiment(&dir, &topo, "");
    let out = dir.join("out");
    let p = plan(&exp, &out);
    // Every plan the search simulated kept Vienna, at a size of {2, 3, 4, 8}.
    let sizes = candidate_column(&out, "nodes_k8s-vienna");
    assert!(!sizes.is_empty());
    for n in &sizes {
        assert!(
            ["2", "3", "4", "8"].contains(&n.as_str()),
            "a plan gave the existing k8s-vienna {n} nodes"
        );
    }
    // The chosen plan keeps it, existing.
    let v = cluster(&p, "k8s-vienna").expect("the existing cluster is in the plan");
    assert_eq!(v["provision"].as_bool(), Some(false));
    assert_eq!(v["machine_deployment"].as_str(), Some(VIENNA_MD));
    let nodes = v["nodes"].as_integer().unwrap();
    match v.get("existing_nodes") {
        Some(e) => {
            assert_eq!(e.as_integer(), Some(3));
            assert_ne!(
                nodes, 3,
                "existing_nodes is only written when the size changes"
            );
        }
        None => assert_eq!(nodes, 3),
    }
    // The other candidates are new clusters, provisioned when kept.
    for name in ["k8s-geneva", "k8s-turin", "k8s-zagreb"] {
        if let Some(k) = cluster(&p, name) {
            assert_eq!(k["provision"].as_bool(), Some(true), "{name}");
            assert!(k.get("existing_nodes").is_none(), "{name}");
        }
    }
}

/// The plan of record of `tests/fixtures/plan-of-record/slice-record.toml`: k8s-frankfurt
/// (hub) and k8s-vienna, peered, with the estate's own ranges.
const RECORD: &str = "tests/fixtures/plan-of-record/slice-record.toml";

fn cidrs(k: &toml::Table) -> Vec<xrplace::config::cidr::Cidr> {
    [
        "node_cidr",
        "pod_cidr",
        "service_cidr",
        "external_cidr",
        "internal_cidr",
    ]
    .iter()
    .map(|f| xrplace::config::cidr::Cidr::parse(k[*f].as_str().unwrap()).unwrap())
    .collect()
}

#[test]
fn a_plan_on_a_record_keeps_its_ranges_and_hub_and_marks_its_peerings_existing() {
    let dir = fresh_dir("plan-record");
    std::fs::create_dir_all(&dir).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(root.join(RECORD), dir.join("record.toml")).unwrap();
    let topo = topology_with_existing_vienna(&dir);
    // No hub: the record's (k8s-frankfurt) is the default.
    let exp = experiment(&dir, &topo, "record = \"record.toml\"");
    let text = std::fs::read_to_string(&exp).unwrap();
    std::fs::write(&exp, text.replace("hub = \"k8s-frankfurt\"\n", "")).unwrap();
    let out = dir.join("out");
    let p = plan(&exp, &out);
    assert_eq!(p["hub"].as_str(), Some("k8s-frankfurt"));
    let record: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join(RECORD)).unwrap()).unwrap();
    let recorded: Vec<&toml::Table> = record["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_table().unwrap())
        .collect();
    let taken: Vec<_> = recorded.iter().flat_map(|k| cidrs(k)).collect();
    for k in p["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_table().unwrap())
    {
        let name = k["name"].as_str().unwrap();
        match recorded.iter().find(|r| r["name"].as_str() == Some(name)) {
            // A cluster of the record keeps every range it has.
            Some(r) => assert_eq!(cidrs(k), cidrs(r), "{name}"),
            // A new one overlaps none of the record's.
            None => {
                for c in cidrs(k) {
                    assert!(
                        !taken.iter().any(|t| t.overlaps(&c)),
                        "{name}: {c} overlaps the record"
                    );
                }
            }
        }
    }
    // The peering the record has is up; every other one is new.
    for x in p["peerings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_table().unwrap())
    {
        let existing = x.get("existing").and_then(|v| v.as_bool()).unwrap_or(false);
        assert_eq!(
            existing,
            x["provider"].as_str() == Some("k8s-vienna"),
            "{x:?}"
        );
    }
    assert!(cluster(&p, "k8s-vienna").is_some());
    // The plan is one `export` takes, and its lint passes.
    let manifests = dir.join("manifests");
    xrplace_ok(&[
        "export",
        out.join("plan.toml").to_str().unwrap(),
        "--out",
        manifests.to_str().unwrap(),
        "--verify",
    ]);
    let apply = std::fs::read_to_string(manifests.join("apply.sh")).unwrap();
    assert!(!apply.contains("remote-cluster-id=k8s-vienna"), "{apply}");
    assert!(!manifests.join("k8s-vienna/liqo-install.sh").exists());
}

#[test]
fn a_record_with_a_cluster_the_topology_lacks_is_a_located_error() {
    let dir = fresh_dir("plan-record-bad");
    std::fs::create_dir_all(&dir).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join(RECORD)).unwrap();
    std::fs::write(
        dir.join("record.toml"),
        text.replace("name = \"k8s-vienna\"", "name = \"k8s-wien\"")
            .replace("provider = \"k8s-vienna\"", "provider = \"k8s-wien\"")
            .replace("clusters = [\"k8s-vienna\"]", "clusters = [\"k8s-wien\"]"),
    )
    .unwrap();
    let topo = topology_with_existing_vienna(&dir);
    let exp = experiment(&dir, &topo, "record = \"record.toml\"");
    let o = common::xrplace(&["check", exp.to_str().unwrap()]);
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("record.toml"), "{err}");
    assert!(err.contains("clusters[1].name"), "{err}");
    assert!(err.contains("k8s-wien"), "{err}");
    let exp = experiment(&dir, &topo, "record = \"missing.toml\"");
    let o = common::xrplace(&["check", exp.to_str().unwrap()]);
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("plan.record"), "{err}");
}
