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
pub mod estate;
pub mod folder;
pub mod handover;
pub mod lint;
pub mod liqo;
pub mod monitoring;
pub mod names;
pub mod peering;
pub mod prom;
pub mod readme;
pub mod schemas;
pub mod stack_values;

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

/// What every group of exported objects is built from.
pub struct Inputs<'a> {
    /// The plan, with the options' changes made.
    pub plan: &'a PlanFile,
    /// Choices that do not belong in the plan.
    pub opts: &'a ExportOptions,
    /// The NodePort Services the plan exposes.
    pub exposed: &'a [app::NodePortService],
}

/// A group of exported objects: its files.
pub type Builder = fn(&Inputs) -> Result<Vec<OutFile>, ExportError>;

/// Every group of exported objects, in order; the files under `management/` are listed in
/// its kustomization in this order. A new kind of object is its module and an entry here
/// (docs/outputs.md).
pub const BUILDERS: &[Builder] = &[
    |x| capi::files(x.plan, x.opts, |c| open_ports(x.exposed, c)),
    |x| addons::files(x.plan),
    |x| monitoring::files(x.plan),
    |x| Ok(liqo::files(x.plan)),
    |x| peering::files(x.plan),
    |x| app::files(x.plan, x.exposed),
    |x| {
        Ok(vec![
            apply::clusterctl_config(x.plan),
            apply::apply_script(x.plan),
        ])
    },
    |x| {
        Ok(vec![OutFile {
            path: "README.md".into(),
            text: readme::text(x.plan, x.opts, x.exposed),
            executable: false,
        }])
    },
];

/// The NodePorts the plan opens on `cluster`.
fn open_ports(exposed: &[app::NodePortService], cluster: &str) -> Vec<capi::OpenPort> {
    exposed
        .iter()
        .filter(|x| x.cluster == cluster)
        .map(|x| (x.port, x.protocol))
        .collect()
}

/// Every file of the export (the plan file itself and the ownership marker are added by
/// [`folder::write_export`]).
pub fn manifests(plan: &PlanFile, opts: &ExportOptions) -> Result<Vec<OutFile>, ExportError> {
    manifests_with(plan, opts, BUILDERS)
}

/// The files of `builders`, after the management cluster's namespace and its
/// kustomization (listing every file under `management/`) when there are any: the export
/// with a group of objects of one's own ([`BUILDERS`] and one more, in a test).
pub fn manifests_with(
    plan: &PlanFile,
    opts: &ExportOptions,
    builders: &[Builder],
) -> Result<Vec<OutFile>, ExportError> {
    let mut plan = plan.clone();
    if opts.openstack_v1beta2 {
        apply::require_v1beta2_provider(&mut plan)?;
    }
    let exposed = app::node_port_services(&plan)?;
    let inputs = Inputs {
        plan: &plan,
        opts,
        exposed: &exposed,
    };
    let mut built = Vec::new();
    for b in builders {
        built.extend(b(&inputs)?);
    }
    let management: Vec<String> = built
        .iter()
        .filter(|f| f.path.starts_with("management"))
        .map(|f| file_name(&f.path))
        .collect();
    let mut files = Vec::new();
    if !management.is_empty() {
        files.push(yaml_file(
            "management/00-namespace.yaml",
            "Namespace of the Cluster API objects (management cluster).",
            &[json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": plan.deploy.management_namespace}})],
        )?);
        let refs: Vec<&str> = std::iter::once("00-namespace.yaml")
            .chain(management.iter().map(String::as_str))
            .collect();
        files.push(kustomization("management", &refs));
    }
    files.extend(built);
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
