//! Sweeps on real cluster engines: the files that run every shard of a session sweep as a
//! Slurm job array ([`slurm`]) or a Kubernetes Indexed Job ([`k8s`]), each shard with
//! `--shard auto --resume` (so a rerun of a killed shard keeps its finished jobs), and the
//! merge after them. The layout of a sweep folder:
//!
//! ```text
//! DIR/sweep.toml          what the folder is (experiment, shards, engine); `merge --status` reads it
//! DIR/shards/K-of-N/      shard outputs (runs.csv, ..., shard.toml, .xrplace-jobs/)
//! DIR/logs/               batch logs (Slurm)
//! DIR/merged/             the merged sweep, byte-identical to an unsharded run
//! ```

pub mod k8s;
pub mod slurm;
pub mod status;

use serde::{Deserialize, Serialize};
use std::path::Path;

/// `sweep.toml`: what a sweep folder holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepFolder {
    /// The sweep file, as the shards are given it.
    pub experiment: String,
    /// Number of shards.
    pub shards: u32,
    /// `slurm` or `k8s`.
    pub engine: String,
}

/// Name of the folder description.
pub const FILE: &str = "sweep.toml";

/// The folder of shard `k` of `n` under the sweep folder `dir`.
pub fn shard_dir(dir: &Path, k: u32, n: u32) -> std::path::PathBuf {
    dir.join("shards").join(format!("{k}-of-{n}"))
}

impl SweepFolder {
    /// The file's text.
    pub fn to_text(&self) -> String {
        format!(
            "# Written by `xrplace sweep`: read by `xrplace merge --status`.\n{}",
            toml::to_string(self).expect("serialises")
        )
    }
}
