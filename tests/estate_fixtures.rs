//! The example estate under `tests/fixtures/estate/` (issue 32): what `kubectl get -o yaml`
//! and `-o json` wrote from three clusters (`mgmt`, `edge-zurich`, `edge-milan`), one folder
//! per cluster, plus `sites.toml`. `SOURCES.md` there cites the upstream file behind each
//! object. These tests hold the fixtures themselves, not an importer: every file parses the
//! way kubectl's outputs come (one object, a `List`, several YAML documents), every object
//! is named, the kinds are exactly the expected ones, and the estate is consistent with
//! itself (virtual nodes have their Liqo objects, every cluster has a site). One more test
//! checks that `.ci/run`, which holds every object to the real upstream schemas with the
//! shared validator, names every namespace the objects live in.

use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The (apiVersion, kind) pairs of the estate. Cluster API core and the bootstrap and
/// control-plane providers at v1beta2 (CAPI v1.14, cluster-api-k3s v0.3); CAPO at v1beta1,
/// the only version its newest stable release (v0.14.7) serves; Liqo v1.2 at v1beta1.
const EXPECTED_KINDS: [(&str, &str); 13] = [
    ("v1", "Node"),
    ("cluster.x-k8s.io/v1beta2", "Cluster"),
    ("cluster.x-k8s.io/v1beta2", "MachineDeployment"),
    (
        "controlplane.cluster.x-k8s.io/v1beta2",
        "KubeadmControlPlane",
    ),
    (
        "controlplane.cluster.x-k8s.io/v1beta2",
        "KThreesControlPlane",
    ),
    (
        "bootstrap.cluster.x-k8s.io/v1beta2",
        "KubeadmConfigTemplate",
    ),
    (
        "bootstrap.cluster.x-k8s.io/v1beta2",
        "KThreesConfigTemplate",
    ),
    (
        "infrastructure.cluster.x-k8s.io/v1beta1",
        "OpenStackCluster",
    ),
    (
        "infrastructure.cluster.x-k8s.io/v1beta1",
        "OpenStackMachineTemplate",
    ),
    ("core.liqo.io/v1beta1", "ForeignCluster"),
    ("authentication.liqo.io/v1beta1", "ResourceSlice"),
    ("offloading.liqo.io/v1beta1", "VirtualNode"),
    ("offloading.liqo.io/v1beta1", "NamespaceOffloading"),
];

/// The cluster folders, named as the kubeconfig contexts, Liqo cluster IDs and Cluster API
/// Cluster names are.
const CLUSTERS: [&str; 3] = ["edge-milan", "edge-zurich", "mgmt"];

/// How a file holds its objects, as kubectl writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Shape {
    /// One object (`kubectl get KIND NAME -o ...`).
    Single,
    /// A `kind: List` with `items` (`kubectl get KIND -o ...`).
    List,
    /// Several YAML documents separated by `---`.
    MultiDocument,
}

/// One Kubernetes object of the estate and where it was read.
struct Object {
    /// Cluster folder the file is in.
    cluster: String,
    /// File, relative to the estate folder, with the document index (from 1).
    place: String,
    /// The object as JSON.
    value: Value,
}

impl Object {
    fn str_at(&self, pointer: &str) -> Option<&str> {
        self.value.pointer(pointer).and_then(Value::as_str)
    }

    fn kind(&self) -> &str {
        self.str_at("/kind").unwrap_or_default()
    }

    fn name(&self) -> &str {
        self.str_at("/metadata/name").unwrap_or_default()
    }

    fn label(&self, key: &str) -> Option<&str> {
        self.value
            .pointer("/metadata/labels")
            .and_then(|l| l.get(key))
            .and_then(Value::as_str)
    }

    fn is_virtual_node(&self) -> bool {
        self.kind() == "Node" && self.label("liqo.io/type") == Some("virtual-node")
    }
}

fn estate_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/estate")
}

/// Every `.json`, `.yaml` and `.yml` file of the estate, sorted, relative to its folder.
fn manifest_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for cluster in CLUSTERS {
        let dir = estate_dir().join(cluster);
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if matches!(ext, "json" | "yaml" | "yml") {
                files.push(path.strip_prefix(estate_dir()).unwrap().to_path_buf());
            }
        }
    }
    files.sort();
    files
}

/// The documents of one file: one for JSON, one per `---` document for YAML.
fn documents(rel: &Path) -> Vec<Value> {
    let path = estate_dir().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if rel.extension().and_then(|e| e.to_str()) == Some("json") {
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", rel.display()));
        return vec![value];
    }
    serde_yaml_ng::Deserializer::from_str(&text)
        .enumerate()
        .map(|(i, doc)| {
            Value::deserialize(doc)
                .unwrap_or_else(|e| panic!("{} document {}: not YAML: {e}", rel.display(), i + 1))
        })
        .collect()
}

/// The shape of a file, from its documents.
fn shape(docs: &[Value]) -> Shape {
    match docs {
        [one] if one["kind"] == "List" => Shape::List,
        [_] => Shape::Single,
        _ => Shape::MultiDocument,
    }
}

/// Every object of every file, `List`s opened, in file and document order.
fn objects() -> Vec<Object> {
    let mut out = Vec::new();
    for rel in manifest_files() {
        let cluster = rel.iter().next().unwrap().to_string_lossy().into_owned();
        for (i, doc) in documents(&rel).into_iter().enumerate() {
            let place = format!("{} document {}", rel.display(), i + 1);
            let items = if doc["kind"] == "List" {
                let items = doc["items"].as_array();
                items
                    .unwrap_or_else(|| panic!("{place}: a List without items"))
                    .clone()
            } else {
                vec![doc]
            };
            out.extend(items.into_iter().map(|value| Object {
                cluster: cluster.clone(),
                place: place.clone(),
                value,
            }));
        }
    }
    out
}

#[test]
fn every_file_parses_in_one_of_the_shapes_kubectl_writes_and_all_shapes_occur() {
    let mut shapes = BTreeMap::new();
    for rel in manifest_files() {
        let docs = documents(&rel);
        assert!(!docs.is_empty(), "{}: no document", rel.display());
        shapes.insert(shape(&docs), rel);
    }
    let found: BTreeSet<Shape> = shapes.keys().copied().collect();
    let all = BTreeSet::from([Shape::Single, Shape::List, Shape::MultiDocument]);
    assert_eq!(found, all, "files by shape: {shapes:?}");
    let json = manifest_files()
        .into_iter()
        .filter(|f| f.extension().and_then(|e| e.to_str()) == Some("json"))
        .count();
    assert!(
        json > 0 && json < manifest_files().len(),
        "both JSON and YAML files"
    );
}

#[test]
fn every_object_has_an_api_version_a_kind_and_a_name() {
    let all = objects();
    // Nodes: 5 on mgmt, 3 on edge-zurich, 5 on edge-milan (each count with its virtual
    // node, if any); 8 Cluster API and 6 OpenStack objects on mgmt; 6 + 2 + 3 Liqo objects.
    assert_eq!(all.len(), 13 + 8 + 6 + 11);
    for o in &all {
        for field in ["/apiVersion", "/kind", "/metadata/name"] {
            let value = o.str_at(field).unwrap_or_default();
            assert!(!value.is_empty(), "{}: {field} missing or empty", o.place);
        }
    }
}

#[test]
fn the_kinds_are_exactly_the_expected_ones() {
    let found: BTreeSet<(String, String)> = objects()
        .iter()
        .map(|o| (o.str_at("/apiVersion").unwrap().into(), o.kind().into()))
        .collect();
    let expected: BTreeSet<(String, String)> = EXPECTED_KINDS
        .iter()
        .map(|(v, k)| (v.to_string(), k.to_string()))
        .collect();
    let missing: Vec<_> = expected.difference(&found).collect();
    let unexpected: Vec<_> = found.difference(&expected).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "missing {missing:?}, unexpected {unexpected:?}"
    );
}

#[test]
fn each_virtual_node_has_its_liqo_virtual_node_and_foreign_cluster_and_taint() {
    let all = objects();
    let virtual_nodes: Vec<&Object> = all.iter().filter(|o| o.is_virtual_node()).collect();
    // mgmt consumes edge-zurich; edge-milan consumes mgmt.
    let pairs: BTreeSet<(&str, &str)> = virtual_nodes
        .iter()
        .map(|n| (n.cluster.as_str(), n.name()))
        .collect();
    assert_eq!(
        pairs,
        BTreeSet::from([("edge-milan", "mgmt"), ("mgmt", "edge-zurich")])
    );
    for node in virtual_nodes {
        let peer = node.label("liqo.io/remote-cluster-id");
        assert_eq!(peer, Some(node.name()), "{}: remote cluster ID", node.place);
        let has = |kind: &str, name: &str| {
            all.iter()
                .any(|o| o.cluster == node.cluster && o.kind() == kind && o.name() == name)
        };
        assert!(
            has("VirtualNode", node.name()),
            "{}: no VirtualNode",
            node.place
        );
        assert!(
            has("ForeignCluster", node.name()),
            "{}: no ForeignCluster",
            node.place
        );
        let taint = node
            .value
            .pointer("/spec/taints/0/key")
            .and_then(Value::as_str);
        assert_eq!(
            taint,
            Some("virtual-node.liqo.io/not-allowed"),
            "{}",
            node.place
        );
    }
}

/// `sites.toml`: each site's `clusters` and `regions` (absent lists are empty).
fn sites() -> Vec<(String, Vec<String>, Vec<String>)> {
    let text = std::fs::read_to_string(estate_dir().join("sites.toml")).unwrap();
    let doc: toml::Table = toml::from_str(&text).unwrap();
    let strings = |site: &toml::Value, key: &str| -> Vec<String> {
        site.get(key)
            .and_then(toml::Value::as_array)
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    };
    doc["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let name = s["name"].as_str().unwrap().to_string();
            (name, strings(s, "clusters"), strings(s, "regions"))
        })
        .collect()
}

#[test]
fn every_cluster_is_placed_by_sites_toml_by_name_or_by_the_region_of_its_machines() {
    let sites = sites();
    assert_eq!(sites.len(), 3);
    let all = objects();
    for cluster in CLUSTERS {
        let regions: BTreeSet<&str> = all
            .iter()
            .filter(|o| o.cluster == cluster && o.kind() == "Node" && !o.is_virtual_node())
            .filter_map(|o| o.label("topology.kubernetes.io/region"))
            .collect();
        let placed: Vec<&str> = sites
            .iter()
            .filter(|(_, clusters, site_regions)| {
                clusters.iter().any(|c| c == cluster)
                    || site_regions.iter().any(|r| regions.contains(r.as_str()))
            })
            .map(|(name, _, _)| name.as_str())
            .collect();
        assert_eq!(placed.len(), 1, "{cluster} is placed at {placed:?}");
    }
}

#[test]
fn ci_validates_the_objects_with_every_namespace_they_live_in() {
    // `.ci/run` holds every object to the real upstream schemas with the shared validator
    // (which cargo test cannot need). The namespaces exist in the clusters, but `kubectl
    // get` of these kinds does not list them, so CI names them: the list must be the
    // objects' own.
    let namespaces: BTreeSet<String> = objects()
        .iter()
        .filter_map(|o| o.str_at("/metadata/namespace").map(String::from))
        .collect();
    let ci = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/run"))
        .expect(".ci/run");
    let line = ci
        .lines()
        .find(|l| l.contains("--known-namespace") && l.contains("tests/fixtures/estate"))
        .expect(".ci/run validates tests/fixtures/estate");
    let named: BTreeSet<String> = line
        .split("--known-namespace ")
        .skip(1)
        .filter_map(|rest| rest.split_whitespace().next())
        .map(String::from)
        .collect();
    assert_eq!(named, namespaces, "the --known-namespace list in .ci/run");
}
