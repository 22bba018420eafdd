//! `xrplace merge --status DIR`: which shards of a sweep folder are done (their output and
//! `shard.toml` are there), running (only their kept jobs are), or missing, and the command
//! that reruns the ones that are not done.

use super::{shard_dir, SweepFolder, FILE};
use crate::config::names::sh_quote;
use crate::experiment::shard::MAX_SHARDS;
use std::path::Path;

/// A shard's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardState {
    /// Output complete.
    Done,
    /// Jobs finished so far, of how many.
    Running(u64, u64),
    /// Nothing there.
    Missing,
}

/// The state of every shard of the sweep folder `dir`, and its description.
pub fn states(dir: &Path) -> Result<(SweepFolder, Vec<ShardState>), String> {
    let path = dir.join(FILE);
    let text = crate::config::input::read_text(
        &path,
        "sweep folder description",
        crate::config::input::MAX_TOML_BYTES,
    )
    .map_err(|e| format!("{e} (not a folder written by `xrplace sweep`)"))?;
    let folder: SweepFolder =
        toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.message()))?;
    if !(1..=MAX_SHARDS).contains(&folder.shards) {
        return Err(format!(
            "{}: field `shards`: expected 1 to {MAX_SHARDS} shards (as `xrplace sweep --shards` takes), found {}; write the folder again with `xrplace sweep`",
            path.display(),
            folder.shards
        ));
    }
    let n = folder.shards;
    let states = (1..=n)
        .map(|k| {
            let d = shard_dir(dir, k, n);
            if d.join(crate::report::shard::FILE).is_file() && d.join("runs.csv").is_file() {
                ShardState::Done
            } else if let Some((done, of)) = crate::experiment::job_cache::progress(&d) {
                ShardState::Running(done, of)
            } else {
                ShardState::Missing
            }
        })
        .collect();
    Ok((folder, states))
}

/// The status report: one line per shard, then what to run.
pub fn report(dir: &Path) -> Result<(String, bool), String> {
    let (folder, states) = states(dir)?;
    let n = folder.shards;
    let mut s = String::new();
    let mut todo = Vec::new();
    for (i, st) in states.iter().enumerate() {
        let k = i as u32 + 1;
        let line = match st {
            ShardState::Done => "done".to_string(),
            ShardState::Running(d, of) => format!("running or interrupted: {d} of {of} jobs kept"),
            ShardState::Missing => "missing".to_string(),
        };
        if *st != ShardState::Done {
            todo.push(k);
        }
        s += &format!("shard {k} of {n}: {line}\n");
    }
    let complete = todo.is_empty();
    if complete {
        s += &format!(
            "all {n} shards are done; merge them with `xrplace merge {}/shards/*-of-{n} --out {}/merged`\n",
            dir.display(),
            dir.display()
        );
    } else {
        let list: Vec<String> = todo.iter().map(|k| k.to_string()).collect();
        s += &match folder.engine.as_str() {
            "slurm" => format!(
                "resubmit (kept jobs are skipped): sbatch --array={} {}\n",
                list.join(","),
                sh_quote(&dir.join("array.sbatch").to_string_lossy())
            ),
            _ => format!(
                "rerun (kept jobs are skipped): {}\n",
                todo.iter()
                    .map(|k| format!(
                        "xrplace run {} --shard {k}/{n} --resume --out {}",
                        sh_quote(&folder.experiment),
                        sh_quote(&shard_dir(dir, *k, n).to_string_lossy())
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        };
    }
    Ok((s, complete))
}
