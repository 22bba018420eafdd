//! `xrplace export`: Kubernetes manifests for a plan, written into a folder the export
//! owns; and the lint `export --verify` and `check DIR` run on such a folder.

use super::{CommandError, Warn};
use crate::config::plan_file::load_plan;
use crate::export::{self, ExportOptions};
use std::path::{Path, PathBuf};

/// What `xrplace export` was asked.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    /// The plan file written by `xrplace plan`.
    pub plan: PathBuf,
    /// The output folder, owned by the export.
    pub out: PathBuf,
    /// API versions to emit.
    pub options: ExportOptions,
    /// Export into a folder that holds files no earlier export wrote (they are kept).
    pub force: bool,
}

/// Writes the manifests of a plan into its folder; returns how many files it wrote (the
/// plan's copy included). NodePort services are named through `warn`.
pub fn export(req: &ExportRequest, warn: Warn) -> Result<usize, CommandError> {
    let (plan_path, out) = (req.plan.as_path(), req.out.as_path());
    let p = load_plan(plan_path)?;
    export::capacity::check(plan_path, &p)?;
    let mut files =
        export::manifests(&p, &req.options).map_err(|e| CommandError::Refused(e.to_string()))?;
    let plan_text =
        crate::config::input::read_text(plan_path, "plan", crate::config::input::MAX_TOML_BYTES)?;
    files.push(export::OutFile {
        path: "plan.toml".into(),
        text: plan_text,
        executable: false,
    });
    for x in export::handover::placeholders(&p) {
        warn(&format!(
            "{}: deploy.{} is a placeholder ({:?}): the export carries it as it is; replace it before applying (README.md, \"Replace before applying\")",
            plan_path.display(),
            x.field,
            x.value
        ));
    }
    if p.deploy.monitoring.alert_receiver.is_none() {
        warn(&format!(
            "{}: no deploy.monitoring.alert_receiver: the SLO alerts will reach nobody (README.md, \"Alerts\")",
            plan_path.display()
        ));
    }
    for s in export::app::node_port_services(&p).unwrap_or_default() {
        warn(&format!(
            "{}: Service {:?} is a NodePort on port {}: reachable from outside the cluster (a benchmark path, insecure for production)",
            plan_path.display(),
            s.name,
            s.port
        ));
    }
    export::folder::write_export(out, &p.experiment, &files, req.force).map_err(|e| match e {
        // A link in the folder: refused, not a failure to write.
        export::folder::FolderError::Io(e) if e.kind() == std::io::ErrorKind::InvalidInput => {
            CommandError::Refused(format!("{}: {e}", out.display()))
        }
        export::folder::FolderError::Io(e) => {
            CommandError::write(format!("to {}", out.display()), e)
        }
        other => CommandError::Refused(format!("{}: {other}", out.display())),
    })?;
    Ok(files.len() + 1)
}

/// The findings of the lint of an export folder.
#[derive(Debug)]
pub struct LintReport {
    /// The folder linted.
    pub dir: PathBuf,
    /// The findings; each displays as `file: object: rule: message`.
    pub findings: Vec<export::lint::Finding>,
}

impl LintReport {
    /// How many findings are errors and how many warnings.
    pub fn counts(&self) -> (usize, usize) {
        let errors = self
            .findings
            .iter()
            .filter(|f| f.severity == export::lint::Severity::Error)
            .count();
        (errors, self.findings.len() - errors)
    }

    /// The line that sums the lint up.
    pub fn summary(&self) -> String {
        let dir = self.dir.display();
        match self.counts() {
            (0, 0) => format!("{dir}: export lint: 0 findings"),
            (0, w) => format!(
                "{dir}: export lint: 0 errors, {w} warning(s) (warnings do not fail the check)"
            ),
            (e, w) => format!("{dir}: export lint: {e} error(s), {w} warning(s)"),
        }
    }

    /// Any error fails (exit 2), reported after the findings; warnings alone pass.
    pub fn verdict(&self) -> Result<(), CommandError> {
        match self.counts() {
            (0, _) => Ok(()),
            _ => Err(CommandError::Refused(self.summary())),
        }
    }
}

/// Lints an export folder for apply-time defects.
pub fn lint(dir: &Path) -> Result<LintReport, CommandError> {
    let findings = export::lint::lint(dir).map_err(CommandError::Refused)?;
    Ok(LintReport {
        dir: dir.to_path_buf(),
        findings,
    })
}
