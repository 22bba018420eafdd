//! Which shard a run is: given as `K/N`, or `auto` from the batch system's environment:
//! a Slurm array task (`SLURM_ARRAY_TASK_ID`, 1-based when the array is `1-N`, with
//! `SLURM_ARRAY_TASK_COUNT`) or a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`, 0-based,
//! so index i runs shard i + 1). With none of them set it refuses to guess. Also which jobs a
//! shard holds ([`holds`], the one place that rule is written) and where it writes.

use std::path::{Path, PathBuf};

/// The `--shard` argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardArg {
    /// Shard `K` of `N`.
    Fixed(u32, u32),
    /// From the environment.
    Auto,
}

/// Most shards a sweep may be cut into (`--shards`, `sweep.toml`, `shard.toml`).
pub const MAX_SHARDS: u32 = 100_000;

/// Parses `K/N` (1 <= K <= N) or `auto`.
pub fn parse(s: &str) -> Result<ShardArg, String> {
    if s == "auto" {
        return Ok(ShardArg::Auto);
    }
    let (k, n) = s
        .split_once('/')
        .ok_or("expected K/N (for example 2/4) or auto")?;
    let k: u32 = k.parse().map_err(|_| "K is not a number")?;
    let n: u32 = n.parse().map_err(|_| "N is not a number")?;
    if k == 0 || k > n {
        return Err(format!("expected 1 <= K <= N, found {k}/{n}"));
    }
    Ok(ShardArg::Fixed(k, n))
}

/// The shard `(K, N)` of `arg`, reading the batch environment through `env` for `auto`;
/// `shards` is `--shards N` (required with a Kubernetes index; checked against Slurm's count).
pub fn resolve(
    arg: ShardArg,
    shards: Option<u32>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(u32, u32), String> {
    let number = |name: &str| -> Result<Option<u32>, String> {
        env(name)
            .map(|v| {
                v.trim()
                    .parse::<u32>()
                    .map_err(|_| format!("{name}={v:?} is not a number"))
            })
            .transpose()
    };
    let (k, n) = match arg {
        ShardArg::Fixed(k, n) => (k, n),
        ShardArg::Auto => {
            if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
                let count = number("SLURM_ARRAY_TASK_COUNT")?;
                // --shards wins: a resubmitted subset (`sbatch --array=2,4`) has fewer tasks
                // than the sweep has shards.
                let n = shards.or(count).ok_or(
                    "SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor --shards N",
                )?;
                (id, n)
            } else if let Some(i) = number("JOB_COMPLETION_INDEX")? {
                let n = shards.ok_or(
                    "JOB_COMPLETION_INDEX is set: give the number of shards with --shards N",
                )?;
                (i + 1, n)
            } else {
                return Err("--shard auto found neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX; give --shard K/N".into());
            }
        }
    };
    if k == 0 || k > n {
        return Err(format!(
            "shard {k} of {n} does not exist (expected 1 <= K <= N; a Slurm array must be 1-N)"
        ));
    }
    Ok((k, n))
}

/// `out` with `{shard}` and `{shards}` replaced by `k` and `n`.
pub fn out_path(out: &str, k: u32, n: u32) -> String {
    out.replace("{shard}", &k.to_string())
        .replace("{shards}", &n.to_string())
}

/// Whether job `job` of a sweep is one of shard `(k, n)`'s: jobs are dealt out in turn,
/// job j to shard j % n + 1. Without a shard every job is.
pub fn holds(shard: Option<(u32, u32)>, job: u64) -> bool {
    shard.is_none_or(|(k, n)| job % n as u64 == (k - 1) as u64)
}

/// How many of a sweep's `total` jobs shard `shard` holds.
pub fn jobs_held(shard: Option<(u32, u32)>, total: u64) -> u64 {
    (0..total).filter(|&j| holds(shard, j)).count() as u64
}

/// The folder a run of the experiment `name` writes to: `out` with `{shard}` and
/// `{shards}` filled in, or `output/<name>`, a shard in a folder of its own under it (a
/// shard never writes over a full run).
pub fn output_dir(out: Option<&Path>, name: &str, shard: Option<(u32, u32)>) -> PathBuf {
    match (out, shard) {
        (Some(o), Some((k, n))) => PathBuf::from(out_path(&o.to_string_lossy(), k, n)),
        (Some(o), None) => o.to_path_buf(),
        (None, Some((k, n))) => Path::new("output")
            .join(name)
            .join(format!("shard-{k}-of-{n}")),
        (None, None) => Path::new("output").join(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn kubernetes_index_i_runs_shard_i_plus_one() {
        for i in 0..4 {
            let got = resolve(
                ShardArg::Auto,
                Some(4),
                env(&[("JOB_COMPLETION_INDEX", &i.to_string())]),
            );
            assert_eq!(got, Ok((i + 1, 4)));
        }
        assert!(resolve(
            ShardArg::Auto,
            Some(4),
            env(&[("JOB_COMPLETION_INDEX", "4")])
        )
        .is_err());
        assert!(resolve(ShardArg::Auto, None, env(&[("JOB_COMPLETION_INDEX", "0")])).is_err());
    }

    #[test]
    fn jobs_are_dealt_to_shards_in_turn() {
        // Seven jobs in three shards: 0, 3, 6 | 1, 4 | 2, 5.
        let held: Vec<u64> = (0..7).filter(|&j| holds(Some((1, 3)), j)).collect();
        assert_eq!(held, [0, 3, 6]);
        assert_eq!(jobs_held(Some((2, 3)), 7), 2);
        assert_eq!(jobs_held(None, 7), 7);
        assert_eq!(
            output_dir(None, "e", Some((2, 3))),
            Path::new("output/e/shard-2-of-3")
        );
        assert_eq!(
            output_dir(Some(Path::new("o/{shard}")), "e", Some((2, 3))),
            Path::new("o/2")
        );
    }

    #[test]
    fn slurm_tasks_and_refusals() {
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert_eq!(resolve(ShardArg::Auto, None, &slurm), Ok((3, 4)));
        // A resubmitted task of a 2-task array, in a sweep of 8 shards.
        assert_eq!(resolve(ShardArg::Auto, Some(8), &slurm), Ok((3, 8)));
        let past = env(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert!(resolve(ShardArg::Auto, None, past).is_err());
        assert!(resolve(ShardArg::Auto, Some(4), env(&[]))
            .unwrap_err()
            .contains("neither"));
        assert_eq!(resolve(ShardArg::Fixed(2, 3), None, env(&[])), Ok((2, 3)));
        assert_eq!(parse("auto"), Ok(ShardArg::Auto));
        assert!(parse("2/1").is_err());
        assert_eq!(
            out_path("d/shards/{shard}-of-{shards}", 2, 4),
            "d/shards/2-of-4"
        );
    }
}
