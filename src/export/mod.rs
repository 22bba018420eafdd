//! Export layer: turns a checked plan ([`crate::config::plan_file::PlanFile`]) into a
//! folder a platform team applies as it is:
//!
//! ```text
//! apply.sh, clusterctl.yaml, README.md, plan.toml, xrplace-export.toml
//! management/   Cluster API objects and add-ons of the new clusters (management cluster)
//! <hub>/        offloading/ and app/ stages, liqo-peer.sh, declarative peerings and keys
//! <cluster>/    liqo-install.sh (existing clusters), peering-<hub>/ (declarative)
//! ```
//!
//! Every folder with manifests has a `kustomization.yaml` (`kubectl apply -k`). Manifests
//! are built as JSON values (keys stay in the order written) and serialised to YAML, never
//! from string templates. No Secret and no key is ever written: credentials are referenced
//! by name and key material is made by the scripts at apply time. `docs/export.md` says
//! what grounds each choice; [`lint`] checks an export folder for every defect class.

pub mod addons;
pub mod app;
pub mod apply;
pub mod batch;
pub mod capacity;
pub mod capi;
pub mod folder;
pub mod lint;
pub mod liqo;
pub mod monitoring;
pub mod names;
pub mod peering;
pub mod readme;

use crate::config::plan_file::PlanFile;
use serde_json::{json, Value};
use std::path::PathBuf;

/// Choices that do not belong in the plan.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportOptions {
    /// Emit OpenStack infrastructure kinds as v1beta2 (CAPO v0.15 and later) instead of
    /// v1beta1 (CAPO v0.14, the newest stable release).
    pub openstack_v1beta2: bool,
}

/// One output file: its path relative to the export directory and its content.
#[derive(Debug, Clone, PartialEq)]
pub struct OutFile {
    /// Relative path.
    pub path: PathBuf,
    /// Content.
    pub text: String,
    /// Whether it is a script to mark executable.
    pub executable: bool,
}

/// Why an export failed.
#[derive(Debug)]
pub struct ExportError(pub String);

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Every file of the export, in a fixed order (the plan file itself and the ownership
/// marker are added by [`folder::write_export`]).
pub fn manifests(plan: &PlanFile, opts: &ExportOptions) -> Result<Vec<OutFile>, ExportError> {
    let mut plan = plan.clone();
    if opts.openstack_v1beta2 {
        apply::require_v1beta2_provider(&mut plan)?;
    }
    let plan = &plan;
    let exposed = app::node_port_services(plan)?;
    let open_ports = |cluster: &str| -> Vec<capi::OpenPort> {
        exposed
            .iter()
            .filter(|x| x.cluster == cluster)
            .map(|x| (x.port, x.protocol))
            .collect()
    };
    let mut files = Vec::new();
    let capi_files = capi::files(plan, opts, open_ports)?;
    let mut addon_files = addons::files(plan)?;
    let monitoring_files = monitoring::files(plan)?;
    let (management, elsewhere): (Vec<OutFile>, Vec<OutFile>) = monitoring_files
        .into_iter()
        .partition(|f| f.path.starts_with("management"));
    addon_files.extend(management);
    if !capi_files.is_empty() {
        files.push(yaml_file(
            "management/00-namespace.yaml",
            "Namespace of the Cluster API objects (management cluster).",
            &[json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": plan.deploy.management_namespace}})],
        )?);
        let mut names: Vec<String> = vec!["00-namespace.yaml".into()];
        names.extend(
            capi_files
                .iter()
                .chain(&addon_files)
                .map(|f| file_name(&f.path)),
        );
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        files.push(kustomization("management", &refs));
    }
    files.extend(capi_files);
    files.extend(addon_files);
    files.extend(liqo::files(plan));
    files.extend(peering::files(plan)?);
    files.extend(app::files(plan, &exposed)?);
    files.extend(elsewhere);
    files.push(apply::clusterctl_config(plan));
    files.push(apply::apply_script(plan));
    files.push(OutFile {
        path: "README.md".into(),
        text: readme::text(plan, opts, &exposed),
        executable: false,
    });
    Ok(files)
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A `kustomization.yaml` in `dir` listing `resources`, so `kubectl apply -k dir` applies
/// the folder.
pub fn kustomization(dir: &str, resources: &[&str]) -> OutFile {
    let doc = json!({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": resources,
    });
    yaml_file(
        format!("{dir}/kustomization.yaml"),
        "Apply this folder with `kubectl apply -k`.",
        &[doc],
    )
    .expect("a kustomization serialises")
}

/// A YAML file of several documents.
pub fn yaml_file(
    path: impl Into<PathBuf>,
    header: &str,
    docs: &[Value],
) -> Result<OutFile, ExportError> {
    let mut text = String::new();
    for line in header.lines() {
        text.push_str("# ");
        text.push_str(line);
        text.push('\n');
    }
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            text.push_str("---\n");
        }
        let y = serde_yaml_ng::to_string(d).map_err(|e| ExportError(e.to_string()))?;
        text.push_str(&y);
    }
    Ok(OutFile {
        path: path.into(),
        text,
        executable: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_keeps_key_order_and_separates_documents() {
        let docs = [
            serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}),
            serde_json::json!({"kind": "X", "apiVersion": "v1"}),
        ];
        let f = yaml_file("x.yaml", "hello", &docs).unwrap();
        assert_eq!(
            f.text,
            "# hello\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\nkind: X\napiVersion: v1\n"
        );
    }
}
