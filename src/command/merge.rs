//! `xrplace merge`: the shards of a session sweep joined into one output, byte-identical
//! to the unsharded run; and `merge --status`, the state of a sweep folder's shards.

use super::{provenance, CommandError};
use crate::config::ConfigError;
use crate::experiment::RuntimeError;
use crate::export;
use crate::report;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Joins the output folders of a sweep's `shards` into `out` (`runs.csv`, `summary.csv`,
/// `meta.toml` without the shard, and the monitoring samples if the shards have them,
/// gzipped if any shard's were).
pub fn merge(shards: &[PathBuf], out: &Path) -> Result<(), CommandError> {
    let started = Instant::now();
    refuse_output_over_inputs(shards, out)?;
    let infos = shards
        .iter()
        .map(|d| report::shard::read(d).map(|i| (d.clone(), i)))
        .collect::<Result<Vec<_>, _>>()?;
    report::shard::check_set(&infos)?;
    let files: Vec<PathBuf> = shards.iter().map(|d| d.join("runs.csv")).collect();
    // The shards were cut from one sweep (checked above): its meta.toml without the shard.
    let first = shards
        .first()
        .ok_or_else(|| CommandError::Refused("merge needs at least one shard folder".into()))?
        .join("meta.toml");
    let meta = crate::config::input::read_text(
        &first,
        "shard's meta.toml",
        crate::config::input::MAX_TOML_BYTES,
    )?;
    let meta = crate::experiment::meta::merged_meta(&meta)
        .map_err(|m| CommandError::Input(ConfigError::whole_file(&first, m)))?;
    let failure = |e| match e {
        report::session_merge::MergeError::Input(c) => CommandError::Input(c),
        report::session_merge::MergeError::Io(msg) => {
            CommandError::Runtime(RuntimeError::Write(msg))
        }
    };
    let extra = provenance(true, &meta, started, 1);
    let Some(samples) = report::session_metrics::merge(shards, out).map_err(failure)? else {
        return report::session_merge::merge_shards(&files, out, &extra, &[]).map_err(failure);
    };
    let form = samples.compression;
    samples
        .spool
        .as_files(form, |streamed| {
            report::session_merge::merge_shards(&files, out, &extra, streamed)
        })
        .map_err(failure)?;
    report::samples_file::remove_other_form(out, form)
        .map_err(|e| CommandError::write(out.join(form.other().file_name()).display(), e))
}

/// The state of a sweep folder's shards (done, running, missing) and the command that
/// reruns the others.
#[derive(Debug, Clone)]
pub struct SweepStatus {
    /// The sweep folder.
    pub dir: PathBuf,
    /// The report, one line per state.
    pub text: String,
    /// Whether every shard is done.
    pub complete: bool,
}

impl SweepStatus {
    /// Shards not all done is a runtime failure (exit 1), reported after the text.
    pub fn verdict(&self) -> Result<(), CommandError> {
        if self.complete {
            return Ok(());
        }
        Err(RuntimeError::Unmet(format!("{}: shards are not all done", self.dir.display())).into())
    }
}

/// Reads the state of the sweep folder `dir` (written by `xrplace sweep`).
pub fn merge_status(dir: &Path) -> Result<SweepStatus, CommandError> {
    let (text, complete) = export::batch::status::report(dir).map_err(CommandError::Refused)?;
    Ok(SweepStatus {
        dir: dir.to_path_buf(),
        text,
        complete,
    })
}

/// Refuses a merge whose output is one of its shard folders, or holds or lies in one: the
/// output replaces its folder whole, so an input would be overwritten while (or before) it
/// is read.
fn refuse_output_over_inputs(shards: &[PathBuf], out: &Path) -> Result<(), CommandError> {
    let out_full = resolved(out);
    for s in shards {
        let s_full = resolved(s);
        if out_full.starts_with(&s_full) || s_full.starts_with(&out_full) {
            return Err(CommandError::Refused(format!(
                "--out {} is the shard folder {} or overlaps it: the merge would overwrite its own input; give another --out",
                out.display(),
                s.display()
            )));
        }
    }
    Ok(())
}

/// `p` with links and `..` resolved as far as it exists: an output and its parents need
/// not exist yet, so the nearest existing ancestor is resolved and the rest appended.
fn resolved(p: &Path) -> PathBuf {
    if let Ok(full) = std::fs::canonicalize(p) {
        return full;
    }
    match (p.parent(), p.file_name()) {
        (Some(parent), Some(name)) if parent.as_os_str().is_empty() => {
            resolved(Path::new(".")).join(name)
        }
        (Some(parent), Some(name)) => resolved(parent).join(name),
        _ => p.to_path_buf(),
    }
}
