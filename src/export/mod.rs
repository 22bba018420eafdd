//! Export layer: turns a checked plan ([`crate::config::plan::PlanFile`]) into the files a
//! platform team applies: Cluster API objects for the management cluster, Liqo install and
//! peering scripts (and declarative peering resources where the plan asks), the application
//! namespace with its `NamespaceOffloading`, Deployments pinned to Liqo virtual nodes and
//! Services, plus a README saying what to apply in which order.
//!
//! Manifests are built as JSON values (keys stay in the order written) and serialised to
//! YAML, never from string templates. No Secret is ever written: credentials are referenced
//! by name.

pub mod app;
pub mod capi;
pub mod liqo;
pub mod readme;

use crate::config::plan::PlanFile;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Choices that do not belong in the plan.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportOptions {
    /// Emit OpenStack infrastructure kinds as v1beta1 (CAPO before 0.15).
    pub openstack_v1beta1: bool,
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

/// Every file of the export, in a fixed order.
pub fn manifests(plan: &PlanFile, opts: &ExportOptions) -> Result<Vec<OutFile>, ExportError> {
    let mut files = Vec::new();
    files.extend(capi::files(plan, opts)?);
    files.extend(liqo::files(plan)?);
    files.extend(app::files(plan)?);
    files.push(OutFile {
        path: "README.md".into(),
        text: readme::text(plan, opts),
        executable: false,
    });
    Ok(files)
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

/// Writes the files under `dir`, each atomically; stale files of an earlier export in the
/// folders written are left alone only if they are not YAML (so an export directory never
/// mixes manifests of two plans).
pub fn write_files(dir: &Path, files: &[OutFile]) -> std::io::Result<()> {
    let mut folders: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| f.path.parent().map(|p| dir.join(p)))
        .collect();
    folders.sort();
    folders.dedup();
    for f in &folders {
        std::fs::create_dir_all(f)?;
        for entry in std::fs::read_dir(f)? {
            let p = entry?.path();
            let stale = p.extension().is_some_and(|e| e == "yaml" || e == "sh");
            if stale && !files.iter().any(|x| dir.join(&x.path) == p) {
                std::fs::remove_file(&p)?;
            }
        }
    }
    for f in files {
        let path = dir.join(&f.path);
        crate::report::atomic::write_atomic(&path, f.text.as_bytes())?;
        #[cfg(unix)]
        if f.executable {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
        }
    }
    Ok(())
}

/// CPU quantity from cores: millicores (`1500m`).
pub fn cpu_quantity(cores: f64) -> String {
    format!("{}m", ((cores * 1000.0).round() as u64).max(1))
}

/// Memory quantity from MiB (`3072Mi`).
pub fn memory_quantity(mib: f64) -> String {
    format!("{}Mi", (mib.round() as u64).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_round_and_never_vanish() {
        assert_eq!(cpu_quantity(1.2), "1200m");
        assert_eq!(cpu_quantity(0.0001), "1m");
        assert_eq!(memory_quantity(3072.4), "3072Mi");
    }

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
