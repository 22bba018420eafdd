//! `xrplace check`: input files validated without running anything (the kind of each told
//! by its tables), and export folders linted.

use super::export::{lint, LintReport};
use super::CommandError;
use crate::config::plan_file::load_plan;
use crate::config::{check_file, load_experiment, FileKind};
use crate::experiment::budget::{self, Budget};
use std::path::Path;

/// What checking one path found.
#[derive(Debug)]
pub enum Checked {
    /// An export folder and its lint.
    Folder(LintReport),
    /// A valid input file: its kind, and what it holds or would cost, in words (empty, or
    /// starting with a space and in parentheses).
    File {
        /// The file's kind.
        kind: FileKind,
        /// The work an experiment expands to, a trace's counts, a topology's measured RTTs.
        detail: String,
    },
}

/// Checks one file (every check `run`, `plan` or `export` would make, the budget
/// included) or lints one export folder.
pub fn check(path: &Path, limits: &Budget) -> Result<Checked, CommandError> {
    if path.is_dir() {
        return Ok(Checked::Folder(lint(path)?));
    }
    let kind = check_file(path)?;
    let detail = match kind {
        FileKind::Plan => {
            crate::export::capacity::check(path, &load_plan(path)?)?;
            String::new()
        }
        FileKind::Experiment => {
            let exp = load_experiment(path)?;
            let candidates = budget::plan_candidates(&exp);
            let w = budget::estimate(&exp, candidates, 0);
            budget::check(&exp, &w, limits)?;
            format!(" ({})", budget::describe(&w))
        }
        FileKind::Topology => measured_rtt_report(path)?,
        FileKind::Trace => {
            let t = crate::config::trace::check_trace(path)?;
            format!(
                " ({} arrivals, {} access sites, {} applications; names are resolved by the experiment that uses it)",
                t.arrivals, t.sites, t.apps
            )
        }
    };
    Ok(Checked::File { kind, detail })
}

/// For a topology with a measured RTT CSV: its pairs and the distance model's error
/// against them (empty otherwise).
fn measured_rtt_report(f: &Path) -> Result<String, CommandError> {
    let (t, measured) = crate::config::topology_load::load_topology_measured(f)?;
    let Some(m) = measured else {
        return Ok(String::new());
    };
    let topo = crate::model::Topology::from_config(&t);
    let Some(e) = crate::model::rtt_error::distance_model_error(&topo, &m.rows) else {
        return Ok(String::new());
    };
    let s = if e.pairs == 1 { "" } else { "s" };
    Ok(format!(
        " (measured RTTs of {} site pair{s} from {}; the distance model against them: median error {:.1} %, p90 {:.1} %, below the measured RTT on {} of {} pairs)",
        e.pairs,
        m.path.display(),
        e.median_error_pct,
        e.p90_error_pct,
        e.below,
        e.pairs
    ))
}
