//! Shard provenance: `shard.toml` beside a shard's tables says which sweep it is a slice
//! of (xrplace version, a hash of the resolved sweep with every topology and trace it
//! reads, the seed, K and N), so `merge` can refuse shards that do not belong together.

use crate::config::ConfigError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Name of the provenance file in a shard's output folder.
pub const FILE: &str = "shard.toml";

/// What a shard is a slice of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardInfo {
    /// Version of xrplace that ran it.
    pub xrplace_version: String,
    /// The experiment file, as given on the command line (for the resubmit command).
    pub experiment: String,
    /// FNV-1a 64 of the resolved sweep (configuration with defaults, topologies, trace), hex.
    pub sweep_hash: String,
    /// Seed the runs used.
    pub seed: u64,
    /// This shard, 1-based.
    pub shard: u32,
    /// Number of shards.
    pub shards: u32,
}

impl ShardInfo {
    /// The file's text.
    pub fn to_text(&self) -> String {
        format!(
            "# Written by `xrplace run --shard`: which sweep this shard belongs to (`merge` checks it).\n{}",
            toml::to_string(self).expect("shard info serialises")
        )
    }

    /// The command that (re)runs shard `k` of this sweep into `dir`.
    pub fn rerun(&self, k: u32, dir: &Path) -> String {
        format!(
            "xrplace run {} --seed {} --shard {k}/{} --out {}",
            self.experiment,
            self.seed,
            self.shards,
            dir.display()
        )
    }
}

/// Reads the provenance of the shard folder `dir`.
pub fn read(dir: &Path) -> Result<ShardInfo, ConfigError> {
    let path = dir.join(FILE);
    let src = crate::config::source::Source::read(&path).map_err(|e| {
        if e.line == 0 {
            ConfigError::whole_file(
                &path,
                format!(
                    "not the output of a shard ({}); run the sweep with --shard K/N",
                    e.message
                ),
            )
        } else {
            e
        }
    })?;
    let info: ShardInfo = src.parse()?;
    check_info(&src, &info)?;
    Ok(info)
}

/// The values a shard's provenance may hold: a shard count `xrplace run --shards` takes,
/// this shard within it, the hash as `run` writes it. A tampered file is named at its
/// field, so an intact shard is never blamed for it.
fn check_info(src: &crate::config::source::Source, info: &ShardInfo) -> Result<(), ConfigError> {
    let max = crate::experiment::shard::MAX_SHARDS;
    let again = "; run this shard again to rewrite the file";
    if !(1..=max).contains(&info.shards) {
        return Err(src.error(
            "shards",
            format!("expected 1 to {max} shards, found {}{again}", info.shards),
        ));
    }
    if !(1..=info.shards).contains(&info.shard) {
        return Err(src.error(
            "shard",
            format!(
                "expected a shard from 1 to {}, found {}{again}",
                info.shards, info.shard
            ),
        ));
    }
    if info.sweep_hash.len() != 16 || !info.sweep_hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(src.error(
            "sweep_hash",
            format!(
                "expected 16 hexadecimal digits, found {:?}{again}",
                info.sweep_hash
            ),
        ));
    }
    Ok(())
}

/// Checks that `shards` (folder, provenance) are the N slices of one sweep, each once.
pub fn check_set(shards: &[(PathBuf, ShardInfo)]) -> Result<(), ConfigError> {
    let Some((first_dir, first)) = shards.first() else {
        return Err(ConfigError::whole_file(Path::new("."), "no shard to merge"));
    };
    for (dir, s) in &shards[1..] {
        let path = dir.join(FILE);
        for (field, mine, theirs) in [
            (
                "xrplace_version",
                s.xrplace_version.clone(),
                first.xrplace_version.clone(),
            ),
            ("sweep_hash", s.sweep_hash.clone(), first.sweep_hash.clone()),
            ("seed", s.seed.to_string(), first.seed.to_string()),
            ("shards", s.shards.to_string(), first.shards.to_string()),
        ] {
            if mine != theirs {
                let why = match field {
                    "sweep_hash" => "the sweep file, a topology or a trace differs",
                    "seed" => "the shards ran with different seeds",
                    _ => "the shards come from different runs",
                };
                return Err(ConfigError::whole_file(
                    &path,
                    format!("{field} is {mine} here but {theirs} in {}: {why}; rerun this shard with `{}`", first_dir.join(FILE).display(), first.rerun(s.shard, dir)),
                ));
            }
        }
    }
    let n = first.shards;
    for k in 1..=n {
        let with_k: Vec<&PathBuf> = shards
            .iter()
            .filter(|(_, s)| s.shard == k)
            .map(|(d, _)| d)
            .collect();
        match with_k.as_slice() {
            [] => {
                let dir = first_dir.with_file_name(format!("shard-{k}-of-{n}"));
                return Err(ConfigError::whole_file(
                    &first_dir.join(FILE),
                    format!(
                        "shard {k} of {n} is missing; run it with `{}` and merge again",
                        first.rerun(k, &dir)
                    ),
                ));
            }
            [_] => {}
            [a, b, ..] => {
                return Err(ConfigError::whole_file(
                    &b.join(FILE),
                    format!(
                        "shard {k} of {n} is given twice ({} and {}); merge each shard once",
                        a.display(),
                        b.display()
                    ),
                ));
            }
        }
    }
    if let Some((dir, s)) = shards.iter().find(|(_, s)| s.shard == 0 || s.shard > n) {
        return Err(ConfigError::whole_file(
            &dir.join(FILE),
            format!("shard {} is outside 1..{n}", s.shard),
        ));
    }
    Ok(())
}
