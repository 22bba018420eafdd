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

/// Refuses a value that would reach a generated script with a control character in it: a
/// newline ends an `#SBATCH` comment line (or any line), so the rest of the value would
/// run as a command when the script is submitted; quoting protects one line only. `what`
/// names the value (a flag, a file) in the message.
pub fn script_safe(what: &str, value: &str) -> Result<(), String> {
    match value.char_indices().find(|(_, c)| c.is_control()) {
        None => Ok(()),
        Some((at, c)) => Err(format!(
            "{what}: {value:?} has the control character U+{:04X} at byte {at}; a value written into a generated script cannot hold a newline or control character",
            c as u32
        )),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_that_could_end_a_script_line_are_refused() {
        assert!(script_safe("--partition", "gpu-a100").is_ok());
        assert!(script_safe("--out", "/tmp/sweep dir/ü").is_ok());
        for bad in ["a\nrm -rf x", "a\rb", "x\u{0}y", "tab\tbed", "esc\u{1b}[0m"] {
            let e = script_safe("--time", bad).unwrap_err();
            assert!(e.starts_with("--time: ") && e.contains("U+"), "{e}");
        }
    }
}
