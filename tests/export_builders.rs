//! Exported objects are plug-ins: a group of objects of one's own, defined here only, is one
//! more builder beside `export::BUILDERS`; its file under `management/` is listed in that
//! folder's kustomization with nothing else changed.

use std::path::Path;
use xrplace::export::{self, yaml_file, ExportError, ExportOptions, Inputs, OutFile};

/// A ConfigMap on the management cluster naming the plan's new clusters.
fn new_cluster_list(x: &Inputs) -> Result<Vec<OutFile>, ExportError> {
    let names: Vec<String> = x.plan.new_clusters().map(|k| k.name.clone()).collect();
    let doc = serde_json::json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "xr-new-clusters", "namespace": x.plan.deploy.management_namespace},
        "data": {"clusters": names.join(",")},
    });
    Ok(vec![yaml_file(
        "management/new-clusters.yaml",
        "The plan's new clusters.",
        &[doc],
    )?])
}

#[test]
fn a_builder_of_ones_own_joins_the_export_and_its_kustomization() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let plan =
        xrplace::config::plan_file::load_plan(&root.join("experiments/plans/study-fra-gva.toml"))
            .unwrap();
    let opts = ExportOptions::default();
    let shipped = export::manifests(&plan, &opts).unwrap();
    let mut builders = export::BUILDERS.to_vec();
    builders.push(new_cluster_list);
    let files = export::manifests_with(&plan, &opts, &builders).unwrap();
    assert_eq!(files.len(), shipped.len() + 1);
    let own = files
        .iter()
        .find(|f| f.path == Path::new("management/new-clusters.yaml"))
        .expect("the builder's file is exported");
    assert!(own.text.contains("kind: ConfigMap"), "{}", own.text);
    let kustomization = |fs: &[OutFile]| {
        fs.iter()
            .find(|f| f.path == Path::new("management/kustomization.yaml"))
            .unwrap()
            .text
            .clone()
    };
    let listed = kustomization(&files);
    assert!(listed.contains("- new-clusters.yaml"), "{listed}");
    // Every other file is the shipped export's, byte for byte.
    let before = kustomization(&shipped);
    assert_eq!(listed.replace("- new-clusters.yaml\n", ""), before);
    for f in &shipped {
        if f.path != Path::new("management/kustomization.yaml") {
            assert!(files.contains(f), "{} changed", f.path.display());
        }
    }
}
