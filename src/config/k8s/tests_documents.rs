//! The reader's located errors (a bad field of a known kind, a document that is no
//! object, YAML and JSON syntax), skipped kinds and documents, and folders.

use super::tests::{error, inventory, CAPI, K3S_NODES, LIQO};
use super::*;
use std::path::{Path, PathBuf};

#[test]
fn a_bad_field_of_a_known_kind_is_located() {
    let bad = K3S_NODES.replace("memory: 16374556Ki", "memory: 16374556KB");
    assert_eq!(
        error("nodes.yaml", &bad),
        "nodes.yaml:1:1: field `items[0].status.allocatable.memory`: document 1, Node edge-fra-1-cp: \
         expected a Kubernetes quantity (a number with a suffix such as 3920m, 16374556Ki, 15Gi or 1e3), \
         found \"16374556KB\" (unknown suffix (expected n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3))"
    );
    let bad = K3S_NODES.replace("effect: NoExecute", "effect: Evict");
    let e = error("nodes.yaml", &bad);
    assert!(e.contains("field `items[1].spec.taints[0].effect`: document 1, Node edge-gva-1: expected NoSchedule, PreferNoSchedule or NoExecute, found \"Evict\""), "{e}");
    let bad = CAPI.replace("  clusterName: edge-fra-1\n  replicas", "  replicas");
    let e = error("m.yaml", &bad);
    assert!(e.contains(":85:1: field `spec.clusterName`: document 6, MachineDeployment xr-clusters/edge-fra-1-md-0: expected the Cluster's name, found nothing"), "{e}");
    let bad = LIQO.replace(
        "podOffloadingStrategy: Remote",
        "podOffloadingStrategy: Elsewhere",
    );
    let e = error("l.yaml", &bad);
    assert!(
        e.contains("expected one of LocalAndRemote, Remote, Local, found \"Elsewhere\""),
        "{e}"
    );
    let bad = K3S_NODES.replace("      liqo.io/remote-cluster-id: edge-gva-1\n", "");
    let e = error("n.yaml", &bad);
    assert!(
        e.contains("field `items[1].metadata.labels[\"liqo.io/remote-cluster-id\"]`"),
        "{e}"
    );
    let bad = K3S_NODES.replace("pods: \"110\"\n    capacity", "pods: -1\n    capacity");
    assert!(error("n.yaml", &bad).contains("found -1 (negative)"));
}

#[test]
fn documents_that_are_no_objects_are_located() {
    let e = error("x.yaml", "kind: Node\n---\n- a\n- b\n");
    assert_eq!(e, "x.yaml:3:1: field `(object)`: document 2: expected a Kubernetes object (a mapping with apiVersion and kind), found a list");
    let e = error("x.yaml", "apiVersion: v1\nkind: List\nitems: 3\n");
    assert!(
        e.contains("field `items`: document 1, List: expected a list of objects"),
        "{e}"
    );
    let e = error("x.yaml", "apiVersion: v1\nmetadata: {}\n");
    assert!(
        e.contains("field `kind`: document 1: expected the object's kind"),
        "{e}"
    );
    let e = error("x.yaml", "kind: A\n---\nkind: [\n");
    assert!(
        e.starts_with("x.yaml:5:1: field `(yaml)`: document 2: ") && !e.contains("at line"),
        "{e}"
    );
    let e = error("x.json", "{\"kind\": \"A\"}\n{\"kind\": }");
    assert!(
        e.starts_with("x.json:2:10: field `(json)`: document 2: "),
        "{e}"
    );
}

#[test]
fn unknown_kinds_and_empty_documents_are_skipped() {
    let text = "---\n# nothing\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: a}\n---\n---\napiVersion: example.com/v1\nkind: Cluster\nmetadata: {name: b}\n";
    let inv = inventory("all.yaml", text).unwrap();
    assert_eq!(inv.skipped_count(), 2);
    assert!(
        inv.clusters.is_empty(),
        "a Cluster of another group is not CAPI's"
    );
    assert_eq!(inv.skipped["example.com/v1 Cluster"], 1);
    let json = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}} {"apiVersion":"v1","kind":"Service"}"#;
    assert_eq!(inventory("s.json", json).unwrap().skipped_count(), 2);
}

/// A fresh scratch folder.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("xrplace-k8s-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("sub")).unwrap();
    d
}

#[test]
fn a_folder_is_its_manifests_in_order_and_links_are_refused() {
    let d = scratch("folder");
    std::fs::write(d.join("b.yaml"), LIQO).unwrap();
    std::fs::write(d.join("a.json"), r#"{"apiVersion":"v1","kind":"Pod"}"#).unwrap();
    std::fs::write(d.join("sub/c.YML"), K3S_NODES).unwrap();
    std::fs::write(d.join("notes.txt"), "not read").unwrap();
    let estate = read_estate(std::slice::from_ref(&d)).unwrap();
    let names: Vec<_> = estate
        .files
        .iter()
        .map(|f| f.strip_prefix(&d).unwrap())
        .collect();
    assert_eq!(
        names,
        [
            Path::new("a.json"),
            Path::new("b.yaml"),
            Path::new("sub/c.YML")
        ]
    );
    assert_eq!(estate.inventory.nodes.len(), 2);
    let summary = estate.summary().to_string();
    assert!(
        summary.contains(
            "1 machines (4.000 cores, 15991 MiB, 0 GPUs), virtual nodes for [edge-gva-1]"
        ),
        "{summary}"
    );
    std::os::unix::fs::symlink("/etc/passwd", d.join("sub/passwd.yaml")).unwrap();
    let e = read_estate(std::slice::from_ref(&d))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("passwd.yaml") && e.contains("symbolic link"),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn special_and_huge_files_are_refused_unread() {
    let e = read_estate(&[PathBuf::from("/dev/zero")]).unwrap_err();
    assert!(e.message.contains("regular file"), "{e}");
    let e = read_estate(&[PathBuf::from("/nonexistent/x.yaml")]).unwrap_err();
    assert!(e.message.contains("cannot read"), "{e}");
}

#[test]
fn a_key_given_twice_is_refused() {
    let e = error(
        "d.yaml",
        "kind: A\n---\napiVersion: v1\nkind: Node\nkind: Pod\n",
    );
    assert!(
        e.starts_with("d.yaml:") && e.contains("document 2: ") && e.contains("duplicate"),
        "{e}"
    );
}
