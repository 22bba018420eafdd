//! `xrplace import`: what an estate that runs already says, made into xrplace's inputs.
//! `import k8s` reads the clusters' Kubernetes objects and writes `DIR/topology.toml` and
//! the plan of record `DIR/plan.toml` (docs/import.md); each source of an import is one
//! variant of [`ImportRequest`].

use super::{CommandError, Warn};
use crate::config::estate_sites::EstateSites;
use crate::config::plan_file::{load_plan, PlanFile};
use crate::config::source::Source;
use crate::experiment::estate_import::{
    capacity_drift, import_estate as import_dumps, read_dumps, resolve_dumps, CapacityDrift,
    EstateError, ImportedEstate,
};
use crate::experiment::RuntimeError;
use crate::report::drift::{DriftKind, DriftRow};
use std::path::{Path, PathBuf};

/// What `xrplace import` was asked: one variant per source.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ImportRequest {
    /// `import k8s`.
    K8s(K8sImport),
}

/// `xrplace import k8s --sites SITES.toml PATH... --out DIR [--hub CLUSTER] [--plan PLAN]`.
#[derive(Debug, Clone)]
pub struct K8sImport {
    /// `SITES.toml`: where the clusters stand.
    pub sites: PathBuf,
    /// `CLUSTER=PATH` or plain folders of one sub-folder per cluster.
    pub paths: Vec<String>,
    /// The output folder.
    pub out: PathBuf,
    /// The hub, if the estate leaves it open.
    pub hub: Option<String>,
    /// A plan whose sizes the drift compares the Nodes with.
    pub plan: Option<PathBuf>,
}

/// What an import wrote and found.
#[derive(Debug, Clone)]
pub struct ImportReport {
    /// The folder written.
    pub dir: PathBuf,
    /// What the console shows: the clusters, peerings and hub, and the drift.
    pub summary: String,
    /// Per cluster, allocatable capacity reported against modelled (and planned).
    pub drift: Vec<CapacityDrift>,
}

/// Runs an import; warnings go to `warn`.
pub fn import_estate(req: &ImportRequest, warn: Warn) -> Result<ImportReport, CommandError> {
    match req {
        ImportRequest::K8s(k) => import_k8s(k, warn),
    }
}

fn import_k8s(req: &K8sImport, warn: Warn) -> Result<ImportReport, CommandError> {
    refuse_link(&req.out)?;
    let dumps = read_dumps(&resolve_dumps(&req.paths)?)?;
    let sites = EstateSites::load(&req.sites)?;
    let plan = req.plan.as_deref().map(load_plan).transpose()?;
    let name = topology_name(&req.out);
    let imported =
        import_dumps(&dumps, &sites, &name, req.hub.as_deref()).map_err(|e| match e {
            EstateError::Input(e) => CommandError::Input(e),
            EstateError::Refused(m) => CommandError::Refused(m),
        })?;
    for w in &imported.warnings {
        warn(w);
    }
    let (topology, plan_text) = texts(&imported, &req.out)?;
    let drift = capacity_drift(&imported.facts, plan.as_ref());
    let rows = drift_rows(&drift);
    let table = crate::report::drift::drift_csv(&rows)
        .map_err(|e| CommandError::write(req.out.join("drift.csv").display(), e))?;
    let figure = crate::report::figures::drift::figure(&rows)
        .map_err(|e| CommandError::write(req.out.join("drift.svg").display(), e))?;
    crate::report::atomic::write_set(
        &req.out,
        &[
            ("topology.toml", topology.as_bytes()),
            ("plan.toml", plan_text.as_bytes()),
            ("drift.csv", &table),
            ("drift.svg", figure.svg.as_bytes()),
            ("drift.png", &figure.png),
        ],
    )
    .map_err(|e| CommandError::write_results(&req.out, e))?;
    Ok(ImportReport {
        dir: req.out.clone(),
        summary: summary(&imported, &drift),
        drift,
    })
}

/// The capacity drift as rows of `drift.csv`: per cluster, cores and MiB its schedulable
/// Nodes report (measured) against what the plan given with `--plan` plans for it, or,
/// without one (or for a cluster the plan lacks), what the capacity model gives for the
/// imported nodes and size (modelled).
fn drift_rows(drift: &[CapacityDrift]) -> Vec<DriftRow> {
    let mut rows = Vec::with_capacity(2 * drift.len());
    for d in drift {
        let model = d.planned.unwrap_or(d.modelled);
        for (kind, modelled, measured) in [
            (DriftKind::Cpu, model.cpu_cores, d.reported.cpu_cores),
            (DriftKind::Memory, model.memory_mib, d.reported.memory_mib),
        ] {
            rows.push(DriftRow {
                kind,
                subject: d.cluster.clone(),
                modelled,
                measured,
            });
        }
    }
    rows
}

/// An output folder that is a symbolic link is refused, not followed.
fn refuse_link(out: &Path) -> Result<(), CommandError> {
    match std::fs::symlink_metadata(out) {
        Ok(m) if m.file_type().is_symlink() => Err(CommandError::Refused(format!(
            "{}: a symbolic link: xrplace does not write through links (give the folder itself)",
            out.display()
        ))),
        Ok(m) if !m.is_dir() => Err(CommandError::Refused(format!(
            "{}: not a folder",
            out.display()
        ))),
        _ => Ok(()),
    }
}

/// The topology's (and the plan's experiment) name: the output folder's, as a DNS label.
fn topology_name(out: &Path) -> String {
    let base = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match crate::config::names::dns_label_from(&base, 63) {
        n if n.is_empty() => "estate".into(),
        n => n,
    }
}

/// The two files' texts, each through every check its kind has, so the import never
/// writes a file `check` refuses.
fn texts(imported: &ImportedEstate, out: &Path) -> Result<(String, String), CommandError> {
    let names: Vec<&str> = imported.facts.iter().map(|f| f.name.as_str()).collect();
    let mut head = format!(
        "# Imported by `xrplace import k8s` from the clusters {} (docs/import.md).\n",
        names.join(", ")
    );
    for w in &imported.warnings {
        head.push_str(&format!("# Warning: {}\n", w.replace('\n', " ")));
    }
    let topology = format!("{head}{}", to_toml(&imported.topology)?);
    let mut plan_head = head.replace("(docs/import.md).", "(docs/import.md): the plan of record.");
    if !imported.placeholders.is_empty() {
        plan_head.push_str(&format!(
            "# Placeholder ranges (not in the estate's objects; set the real ones): {}\n",
            imported.placeholders.join(", ")
        ));
    }
    let plan = format!("{plan_head}{}", to_toml(&imported.plan)?);
    check_topology(&out.join("topology.toml"), &topology, imported)?;
    check_plan(&out.join("plan.toml"), &plan)?;
    Ok((topology, plan))
}

/// A value as TOML text.
fn to_toml<T: serde::Serialize>(v: &T) -> Result<String, CommandError> {
    toml::to_string(v).map_err(|e| RuntimeError::Other(e.to_string()).into())
}

/// A check of an imported file failed: the estate holds what the file kind cannot say.
fn refused(path: &Path, e: crate::config::ConfigError) -> CommandError {
    CommandError::Refused(format!(
        "{}: the imported file would fail the checks of its kind: field `{}` (line {}): {}",
        path.display(),
        e.field,
        e.line,
        e.message
    ))
}

fn check_topology(path: &Path, text: &str, imported: &ImportedEstate) -> Result<(), CommandError> {
    let src = Source::from_text(path, text.to_string());
    crate::config::topology_check::check_ranges(&src, &imported.topology)
        .and_then(|()| crate::config::topology_check::validate_topology(&src, &imported.topology))
        .map_err(|e| refused(path, e))
}

fn check_plan(path: &Path, text: &str) -> Result<(), CommandError> {
    let src = Source::from_text(path, text.to_string());
    let plan: PlanFile = src.parse().map_err(|e| refused(path, e))?;
    let c = crate::config::check::Checker { src: &src };
    crate::config::plan_check::validate_plan_file(&c, &plan).map_err(|e| refused(path, e))
}

/// The console's report.
fn summary(imported: &ImportedEstate, drift: &[CapacityDrift]) -> String {
    let p = &imported.plan;
    let mut s = String::new();
    for k in &p.clusters {
        s.push_str(&format!(
            "cluster {} at {}: {:?} on {:?}, {} x {} vCPU / {} GiB\n",
            k.name,
            k.site,
            k.distribution,
            k.provider,
            k.nodes,
            k.vcpu_per_node,
            k.memory_gib_per_node
        ));
    }
    for x in &p.peerings {
        s.push_str(&format!("peering {} -> {}\n", x.consumer, x.provider));
    }
    s.push_str(&format!(
        "hub {}; namespace {} offloaded to [{}]\n",
        p.hub,
        p.deploy.namespace,
        p.offloading.clusters.join(", ")
    ));
    for d in drift {
        s.push_str(&format!(
            "allocatable of {}: reported {:.3} cores / {:.0} MiB, modelled {:.3} cores / {:.0} MiB{}\n",
            d.cluster,
            d.reported.cpu_cores,
            d.reported.memory_mib,
            d.modelled.cpu_cores,
            d.modelled.memory_mib,
            d.planned.map_or(String::new(), |r| format!(
                ", planned {:.3} cores / {:.0} MiB",
                r.cpu_cores, r.memory_mib
            ))
        ));
    }
    s
}
