//! The schemas of every kind the export writes, vendored and embedded in the binary, and the
//! validator that holds a manifest document to them (`xrplace check DIR`, rules XR19 and
//! XR20 of [`crate::export::lint`]).
//!
//! - Custom resources (Cluster API, the k3s and OpenStack providers, CAAPH, Liqo, the
//!   Prometheus Operator): each CRD's `openAPIV3Schema` of the versions the export writes,
//!   under `crds/`.
//! - Core kinds (Namespace, Service, Deployment, RoleBinding, Job, PersistentVolumeClaim):
//!   the strict JSON Schemas of Kubernetes 1.33 that the PyPI package `kubernetes-validate`
//!   1.37.0 bundles, with the definitions they reach, under `core/`.
//!
//! `SOURCES.toml` records each file's repository, ref, commit, path, sha256 and licence
//! (Apache-2.0; `LICENSE-Apache-2.0` and `NOTICE` beside it); `vendor.py` rebuilds the JSON
//! from the originals, dropping only the API versions not written and the `description`
//! texts. Nothing is read from disk or the network at run time.
//!
//! The validator is written for the structural-schema subset the API server accepts in a
//! CRD (Kubernetes docs, "Specifying a structural schema",
//! k8s.io/apiextensions-apiserver/pkg/apiserver/schema): `type`, `properties`,
//! `additionalProperties`, `items`, `required`, `enum`, `format`, bounds, `pattern`,
//! `allOf`/`anyOf`/`oneOf`/`not` as value validations, `nullable`, `default` and the
//! `x-kubernetes-*` extensions; the core schemas add `$ref` and `oneOf`. It rules as
//! `shared/tools/validate-manifests` (the Python validator CI ran) does: unknown fields are
//! errors (the API server would prune them silently), nulls of non-nullable fields are
//! pruned and defaults applied first, as the API server does. The API server's metadata
//! rules (names, label keys and values) follow the schema (`meta.rs`). Not evaluated: the
//! CEL rules (`x-kubernetes-validations`); see docs/export.md.

mod formats;
mod meta;
mod prune;
mod walk;

use regex::Regex;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// The CRD files, each `{"group", "kind", "scope", "versions": {name: {"deprecated",
/// "schema"}}}` as `vendor.py` writes them (names as in `SOURCES.toml`).
const CRD_FILES: &[(&str, &str)] = &[
    (
        "crds/addons.cluster.x-k8s.io_clusterresourcesets.json",
        include_str!("crds/addons.cluster.x-k8s.io_clusterresourcesets.json"),
    ),
    (
        "crds/addons.cluster.x-k8s.io_helmchartproxies.json",
        include_str!("crds/addons.cluster.x-k8s.io_helmchartproxies.json"),
    ),
    (
        "crds/authentication.liqo.io_resourceslices.json",
        include_str!("crds/authentication.liqo.io_resourceslices.json"),
    ),
    (
        "crds/authentication.liqo.io_tenants.json",
        include_str!("crds/authentication.liqo.io_tenants.json"),
    ),
    (
        "crds/bootstrap.cluster.x-k8s.io_kthreesconfigtemplates.json",
        include_str!("crds/bootstrap.cluster.x-k8s.io_kthreesconfigtemplates.json"),
    ),
    (
        "crds/bootstrap.cluster.x-k8s.io_kubeadmconfigtemplates.json",
        include_str!("crds/bootstrap.cluster.x-k8s.io_kubeadmconfigtemplates.json"),
    ),
    (
        "crds/cluster.x-k8s.io_clusters.json",
        include_str!("crds/cluster.x-k8s.io_clusters.json"),
    ),
    (
        "crds/cluster.x-k8s.io_machinedeployments.json",
        include_str!("crds/cluster.x-k8s.io_machinedeployments.json"),
    ),
    (
        "crds/controlplane.cluster.x-k8s.io_kthreescontrolplanes.json",
        include_str!("crds/controlplane.cluster.x-k8s.io_kthreescontrolplanes.json"),
    ),
    (
        "crds/controlplane.cluster.x-k8s.io_kubeadmcontrolplanes.json",
        include_str!("crds/controlplane.cluster.x-k8s.io_kubeadmcontrolplanes.json"),
    ),
    (
        "crds/infrastructure.cluster.x-k8s.io_openstackclusters.json",
        include_str!("crds/infrastructure.cluster.x-k8s.io_openstackclusters.json"),
    ),
    (
        "crds/infrastructure.cluster.x-k8s.io_openstackmachinetemplates.json",
        include_str!("crds/infrastructure.cluster.x-k8s.io_openstackmachinetemplates.json"),
    ),
    (
        "crds/monitoring.coreos.com_podmonitors.json",
        include_str!("crds/monitoring.coreos.com_podmonitors.json"),
    ),
    (
        "crds/monitoring.coreos.com_prometheusrules.json",
        include_str!("crds/monitoring.coreos.com_prometheusrules.json"),
    ),
    (
        "crds/networking.liqo.io_configurations.json",
        include_str!("crds/networking.liqo.io_configurations.json"),
    ),
    (
        "crds/networking.liqo.io_gatewayclients.json",
        include_str!("crds/networking.liqo.io_gatewayclients.json"),
    ),
    (
        "crds/networking.liqo.io_gatewayservers.json",
        include_str!("crds/networking.liqo.io_gatewayservers.json"),
    ),
    (
        "crds/offloading.liqo.io_namespaceoffloadings.json",
        include_str!("crds/offloading.liqo.io_namespaceoffloadings.json"),
    ),
];

/// The core kinds and the definitions they reach: `{"kinds": {"<apiVersion> <Kind>":
/// schema}, "$defs": {...}}`.
const CORE_FILE: &str = include_str!("core/kubernetes-1.33.json");

/// The Kubernetes minor version of the core schemas.
pub const CORE_KUBERNETES_VERSION: &str = "1.33";

/// The definition every object's `metadata` is held to (custom resources too: the API
/// server validates it apart from the CRD's schema).
const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/// Kustomize's own kinds: read by `kubectl apply -k`, never sent to the API server, so no
/// schema holds them (XR12 checks the files they list).
const KUSTOMIZE_GROUP: &str = "kustomize.config.k8s.io";

/// One served version of a CRD.
struct CrdVersion {
    /// Its `openAPIV3Schema`.
    schema: Value,
}

/// Every vendored schema, parsed once.
struct Registry {
    /// (group, version, kind) of a custom resource to its schema.
    crds: BTreeMap<(String, String, String), CrdVersion>,
    /// `"<apiVersion> <Kind>"` of a core kind to its schema.
    core: Map<String, Value>,
    /// The core definitions (`$ref` targets).
    defs: Map<String, Value>,
}

/// The registry, parsed from the embedded files at first use. The files are this crate's
/// own data, checked by the unit tests, so a parse failure is a build defect.
fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut crds = BTreeMap::new();
        for (name, text) in CRD_FILES {
            let v: Value = serde_json::from_str(text)
                .unwrap_or_else(|e| panic!("embedded schema {name}: {e}"));
            let group = v["group"].as_str().unwrap_or_default().to_string();
            let kind = v["kind"].as_str().unwrap_or_default().to_string();
            for (version, body) in v["versions"].as_object().into_iter().flatten() {
                crds.insert(
                    (group.clone(), version.clone(), kind.clone()),
                    CrdVersion {
                        schema: body["schema"].clone(),
                    },
                );
            }
        }
        let mut core: Value = serde_json::from_str(CORE_FILE)
            .unwrap_or_else(|e| panic!("embedded core schemas: {e}"));
        let take = |v: &mut Value, k: &str| match v[k].take() {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        Registry {
            crds,
            core: take(&mut core, "kinds"),
            defs: take(&mut core, "$defs"),
        }
    })
}

/// Every `apiVersion Kind` the vendored schemas cover, sorted.
pub fn known_kinds() -> Vec<String> {
    let r = registry();
    let mut out: Vec<String> = r
        .crds
        .keys()
        .map(|(g, v, k)| format!("{g}/{v} {k}"))
        .chain(r.core.keys().cloned())
        .collect();
    out.sort();
    out
}

/// One way a document breaks its schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// Where, as a JSON path from the document's root (`.spec.replicas`, `.` for the root).
    pub path: String,
    /// What was expected, and what was found.
    pub message: String,
}

/// Why a document was not validated: no schema holds its `apiVersion`/`kind`.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownKind(pub String);

/// Validates manifest documents against the vendored schemas; keeps the compiled
/// `pattern`s between documents.
#[derive(Default)]
pub struct Validator {
    /// Each pattern met, compiled (None: not expressible here; it is then not checked).
    patterns: HashMap<String, Option<Regex>>,
}

impl Validator {
    /// A validator with nothing compiled yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every violation of `doc` against the schema of its `apiVersion` and `kind`, then of
    /// the API server's metadata rules (names, label and annotation keys, label values);
    /// empty when it is valid; or why it has no schema. Kustomizations are not API objects
    /// and pass unvalidated.
    pub fn validate(&mut self, doc: &Value) -> Result<Vec<Violation>, UnknownKind> {
        let r = registry();
        let mut w = walk::Walker::new(&r.defs, &mut self.patterns);
        let mut out = match schema_of(doc)? {
            Schema::Kustomize => return Ok(Vec::new()),
            Schema::Crd(s) => w.custom_resource(doc, s),
            Schema::Core(s) => w.core_object(doc, s),
        };
        let api_version = doc["apiVersion"].as_str().unwrap_or_default();
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        out.extend(meta::check(
            doc,
            group,
            doc["kind"].as_str().unwrap_or_default(),
        ));
        Ok(out)
    }
}

/// What holds a document.
enum Schema {
    /// Nothing: a kustomization is read by kubectl, not the API server.
    Kustomize,
    /// A CRD version's `openAPIV3Schema`.
    Crd(&'static Value),
    /// A core kind's JSON Schema.
    Core(&'static Value),
}

/// Whether a schema holds `doc` (its `apiVersion` and `kind`), and if not, why.
pub fn check_kind(doc: &Value) -> Result<(), UnknownKind> {
    schema_of(doc).map(|_| ())
}

/// The schema of `doc`'s `apiVersion` and `kind`.
fn schema_of(doc: &Value) -> Result<Schema, UnknownKind> {
    if !doc.is_object() {
        return Err(UnknownKind(format!(
            "the document is not a mapping (got {})",
            formats::json_type(doc)
        )));
    }
    let api_version = doc["apiVersion"].as_str().filter(|a| !a.is_empty());
    let kind = doc["kind"].as_str().filter(|k| !k.is_empty());
    let (Some(api_version), Some(kind)) = (api_version, kind) else {
        let missing = if api_version.is_none() {
            "apiVersion"
        } else {
            "kind"
        };
        return Err(UnknownKind(format!(
            "no {missing} (a string) in the document"
        )));
    };
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    if group == KUSTOMIZE_GROUP {
        return kustomize_kind(version, kind).map(|_| Schema::Kustomize);
    }
    let r = registry();
    if let Some(crd) = r.crds.get(&(group.into(), version.into(), kind.into())) {
        Ok(Schema::Crd(&crd.schema))
    } else if let Some(schema) = r.core.get(&format!("{api_version} {kind}")) {
        Ok(Schema::Core(schema))
    } else {
        Err(unknown(r, group, api_version, kind))
    }
}

/// Kustomize's kinds (`Kustomization` v1beta1, `Component` v1alpha1) pass; others do not.
fn kustomize_kind(version: &str, kind: &str) -> Result<(), UnknownKind> {
    match (version, kind) {
        ("v1beta1", "Kustomization") | ("v1alpha1", "Component") => Ok(()),
        _ => Err(UnknownKind(format!(
            "unknown kustomize kind {KUSTOMIZE_GROUP}/{version} {kind} (known: v1beta1 Kustomization, v1alpha1 Component)"
        ))),
    }
}

/// Says which versions of the kind are vendored, or that the kind is not.
fn unknown(r: &Registry, group: &str, api_version: &str, kind: &str) -> UnknownKind {
    let versions: Vec<String> = r
        .crds
        .keys()
        .filter(|(g, _, k)| g == group && k == kind)
        .map(|(g, v, _)| format!("{g}/{v}"))
        .collect();
    if versions.is_empty() {
        UnknownKind(format!(
            "no schema for {api_version} {kind}: the vendored schemas (src/export/schemas) cover only the {} kinds the export writes, listed in docs/export.md",
            known_kinds().len()
        ))
    } else {
        UnknownKind(format!(
            "no schema for {api_version} {kind}: the export writes {kind} as {} only",
            versions.join(", ")
        ))
    }
}

#[cfg(test)]
mod extension_tests;
#[cfg(test)]
mod tests;
