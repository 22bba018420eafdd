//! `meta.toml`, written with every output: what made it (xrplace version, command, seed,
//! shard), every input file with its SHA-256 and its text, and the experiment with every
//! default filled in. Inputs are named as the experiment references them, relative to its
//! folder, so the same run gives the same bytes wherever it is started from.
//!
//! `xrplace run --from-meta META` writes the recorded inputs back into a scratch folder in
//! their relative layout and runs them with the recorded seed: the same tables, byte for
//! byte. `timing.toml` holds the run's wall and CPU time; it is the one output file that
//! differs between reruns.

use crate::config::experiment::Experiment;
use crate::config::sessions::SessionsConfig;
use crate::config::{ConfigError, LoadedExperiment};
use sha2::{Digest, Sha256};
use std::path::{Component, Path, PathBuf};

/// What produced an output, besides its inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaContext {
    /// The command: `run` or `plan`.
    pub command: &'static str,
    /// The seed the runs derived their streams from.
    pub seed: u64,
    /// The shard `(k, n)` of a sharded sweep.
    pub shard: Option<(u32, u32)>,
    /// The `--set KEY=VALUE` overrides applied to the experiment, in order.
    pub overrides: Vec<String>,
}

/// What [`restore`] recovered: where the experiment now is, and how it was run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// The experiment's path in the scratch folder.
    pub experiment: PathBuf,
    /// The seed it ran with.
    pub seed: u64,
    /// The `--set` overrides it ran with.
    pub overrides: Vec<String>,
    /// The `meta.toml` they came from.
    pub meta: PathBuf,
    /// The folder the inputs were restored under.
    pub home: PathBuf,
    /// The scratch folder (`home` or an ancestor of it).
    pub scratch: PathBuf,
    /// Each input's recorded path, in `[[inputs]]` order.
    pub inputs: Vec<PathBuf>,
}

impl Restored {
    /// `e` as an error of the `meta.toml` the inputs came from when it names a file under
    /// the scratch folder (which is gone once the command ends): the input, its line and
    /// field.
    pub fn locate(&self, e: ConfigError) -> ConfigError {
        let Some(rel) = under(&e.file, &self.home).or_else(|| under(&e.file, &self.scratch)) else {
            return e;
        };
        if e.message.starts_with("--set ") {
            // A flag's value (recorded or given now), not the recorded text.
            return ConfigError::whole_file(&self.meta, e.message);
        }
        let at = if e.line == 0 {
            "whole file".to_string()
        } else {
            format!("line {}, field `{}`", e.line, e.field)
        };
        let which = match self.inputs.iter().position(|p| plain(p) == rel) {
            Some(i) => format!("inputs[{i}] ({}), as recorded", rel.display()),
            None => format!("{}, which it does not record", rel.display()),
        };
        ConfigError::whole_file(&self.meta, format!("{which}: {at}: {}", e.message))
    }
}

/// `p` relative to `root` when it lies under it, without `.` components.
fn under(p: &Path, root: &Path) -> Option<PathBuf> {
    p.strip_prefix(root).ok().map(plain)
}

/// `p` without `.` components (the spelling of a path, not where it leads).
fn plain(p: &Path) -> PathBuf {
    p.components().filter(|c| *c != Component::CurDir).collect()
}

/// Every file the experiment read, as referenced from its folder: the experiment itself
/// first, then topologies (each followed by the measured RTT CSV it names, if any) and the
/// trace, each once, in the order the file names them.
pub fn input_files(exp: &LoadedExperiment) -> Vec<String> {
    let own = exp.path.file_name().map_or_else(
        || String::from("experiment.toml"),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut refs = vec![own];
    refs.extend(topology_refs(exp).into_iter().cloned());
    if let Some(s) = sessions_of(exp) {
        if !s.load.trace.is_empty() {
            refs.push(s.load.trace.clone());
        }
    }
    let csv = measured_rtt_refs(exp);
    let refs = refs.into_iter().flat_map(|r| {
        let beside = csv.get(r.as_str()).cloned();
        std::iter::once(r).chain(beside)
    });
    let mut seen = std::collections::HashSet::new();
    refs.filter(|r| !r.is_empty() && seen.insert(r.clone()))
        .collect()
}

/// The topology references of `exp` as written, in the order its topologies are loaded: a
/// streaming experiment's scenarios', a session experiment's sweep's (the swept ones, else
/// the one); a comparison's streaming part's, then its session part's.
fn topology_refs(exp: &LoadedExperiment) -> Vec<&String> {
    match exp.experiment() {
        Experiment::Streaming(s) => s.scenarios.iter().map(|s| &s.topology).collect(),
        Experiment::Provisioning(_) => Vec::new(),
        Experiment::Sessions(s) => session_topology_refs(s.sessions),
        Experiment::CapacityPlan(p) => session_topology_refs(p.sessions.sessions),
        Experiment::Comparison(c) => {
            let mut refs = topology_refs(c.streaming);
            refs.extend(topology_refs(c.sessions));
            refs
        }
    }
}

/// The topologies a `[sessions]` section references: the swept ones, else the one.
fn session_topology_refs(s: &SessionsConfig) -> Vec<&String> {
    if s.sweep.topologies.is_empty() {
        vec![&s.topology]
    } else {
        s.sweep.topologies.iter().collect()
    }
}

/// The `[sessions]` section of `exp`: its own, or its session part's.
fn sessions_of(exp: &LoadedExperiment) -> Option<&SessionsConfig> {
    match exp.experiment() {
        Experiment::Sessions(s) => Some(s.sessions),
        Experiment::CapacityPlan(p) => Some(p.sessions.sessions),
        Experiment::Comparison(c) => sessions_of(c.sessions),
        Experiment::Streaming(_) | Experiment::Provisioning(_) => None,
    }
}

/// The measured RTT CSV of each topology reference of `exp` (and of its parts) that names
/// one, as referenced from the experiment's folder: the topology's folder joined with the
/// CSV's path, which is relative to the topology.
fn measured_rtt_refs(exp: &LoadedExperiment) -> std::collections::HashMap<&str, String> {
    let mut out = std::collections::HashMap::new();
    for e in loaded_with_topologies(exp) {
        for (r, t) in topology_refs(e).into_iter().zip(&e.topologies) {
            if let Some(csv) = &t.routing.measured_rtt_csv {
                let p = crate::config::measured_rtt::measured_rtt_path(Path::new(r), csv);
                out.insert(
                    r.as_str(),
                    lexically_normal(&p).to_string_lossy().into_owned(),
                );
            }
        }
    }
    out
}

/// The experiments that hold `exp`'s loaded topologies: itself, or a comparison's parts.
fn loaded_with_topologies(exp: &LoadedExperiment) -> Vec<&LoadedExperiment> {
    match exp.experiment() {
        Experiment::Comparison(c) => vec![c.streaming, c.sessions],
        Experiment::Streaming(_)
        | Experiment::Provisioning(_)
        | Experiment::Sessions(_)
        | Experiment::CapacityPlan(_) => vec![exp],
    }
}

/// `p` with each `..` that follows a folder name taken out with that name
/// (`../topologies/../data/rtt.csv` is `../data/rtt.csv`), so a recorded reference names a
/// file once.
fn lexically_normal(p: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in p.components() {
        match (c, out.last()) {
            (Component::CurDir, _) => {}
            (Component::ParentDir, Some(Component::Normal(_))) => {
                out.pop();
            }
            _ => out.push(c),
        }
    }
    out.iter().collect()
}

/// The text of `meta.toml` for an output of `exp`; `Err` if an input can no longer be
/// read (it was read a moment ago to run).
pub fn meta_toml(exp: &LoadedExperiment, ctx: &MetaContext) -> Result<String, ConfigError> {
    let base = exp.path.parent().unwrap_or(Path::new("."));
    let mut inputs = toml::value::Array::new();
    for (i, r) in input_files(exp).iter().enumerate() {
        let file = if i == 0 {
            exp.path.clone()
        } else {
            base.join(r)
        };
        // Read again as it was read (regular, within the largest input's limit).
        let bytes = crate::config::input::read_bytes(
            &file,
            "an input, again for meta.toml,",
            crate::config::input::MAX_TRACE_BYTES,
        )?;
        let mut t = toml::Table::new();
        t.insert("path".into(), r.clone().into());
        t.insert("sha256".into(), sha256_hex(&bytes).into());
        t.insert(
            "text".into(),
            String::from_utf8_lossy(&bytes).into_owned().into(),
        );
        inputs.push(t.into());
    }
    let mut meta = toml::Table::new();
    meta.insert("xrplace_version".into(), env!("CARGO_PKG_VERSION").into());
    meta.insert("command".into(), ctx.command.into());
    meta.insert("experiment".into(), input_files(exp)[0].clone().into());
    meta.insert("seed".into(), toml::Value::Integer(ctx.seed as i64));
    if let Some((k, n)) = ctx.shard {
        meta.insert("shard".into(), format!("{k}/{n}").into());
    }
    if !ctx.overrides.is_empty() {
        let sets: Vec<toml::Value> = ctx.overrides.iter().map(|s| s.clone().into()).collect();
        meta.insert("overrides".into(), sets.into());
    }
    let mut resolved = exp.config.clone();
    resolved.seed = ctx.seed;
    let resolved = toml::Value::try_from(&resolved)
        .map_err(|e| ConfigError::whole_file(&exp.path, format!("cannot record it: {e}")))?;
    meta.insert("resolved".into(), resolved);
    meta.insert("inputs".into(), inputs.into());
    render(&meta).map_err(|e| ConfigError::whole_file(&exp.path, format!("cannot record it: {e}")))
}

/// The `meta.toml` of shards merged into one output: the shards' own with the shard left
/// out, which is the `meta.toml` of the unsharded sweep (whose tables the merge equals).
/// `Err` if the shard's file is not one xrplace wrote.
pub fn merged_meta(shard_meta: &str) -> Result<String, String> {
    let mut meta: toml::Table =
        toml::from_str(shard_meta).map_err(|e| format!("meta.toml is not TOML: {e}"))?;
    if !meta.contains_key("inputs") || !meta.contains_key("resolved") {
        return Err("meta.toml lacks [resolved] or [[inputs]]".into());
    }
    meta.remove("shard");
    render(&meta).map_err(|e| e.to_string())
}

/// `meta` as TOML under the comment that says what the file is.
fn render(meta: &toml::Table) -> Result<String, toml::ser::Error> {
    let command = meta
        .get("command")
        .and_then(toml::Value::as_str)
        .unwrap_or("run");
    Ok(format!(
        "# What made this output: `xrplace {command}` of version {}. [resolved] is the\n\
         # experiment with every default filled in; [[inputs]] are the files it read, with their\n\
         # SHA-256. `xrplace run --from-meta meta.toml` reruns it; timing.toml has the times.\n{}",
        env!("CARGO_PKG_VERSION"),
        toml::to_string(meta)?
    ))
}

/// The text of `timing.toml`: wall and CPU seconds of the whole command and its threads.
pub fn timing_toml(wall_s: f64, cpu_s: Option<f64>, threads: usize) -> String {
    let cpu = cpu_s.map_or_else(
        || String::from("# cpu_s: not available here\n"),
        |c| format!("cpu_s = {c:.3}\n"),
    );
    format!(
        "# Times of the command that wrote this output; the one file that differs between\n\
         # reruns, thread counts and shards.\nwall_s = {wall_s:.3}\n{cpu}threads = {threads}\n"
    )
}

/// Writes the inputs recorded in the `meta.toml` at `meta_path` into `scratch` in their
/// relative layout; returns the experiment's path there, the recorded seed and overrides.
pub fn restore(meta_path: &Path, scratch: &Path) -> Result<Restored, ConfigError> {
    let text = crate::config::input::read_text(
        meta_path,
        "meta.toml",
        crate::config::input::MAX_TOML_BYTES,
    )?;
    let bad = |m: String| ConfigError::whole_file(meta_path, m);
    let meta: toml::Table = toml::from_str(&text).map_err(|e| bad(format!("not TOML: {e}")))?;
    let seed = meta
        .get("seed")
        .and_then(toml::Value::as_integer)
        .filter(|s| *s >= 0)
        .ok_or_else(|| bad("expected a non-negative integer `seed`".into()))? as u64;
    let inputs = meta
        .get("inputs")
        .and_then(toml::Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| bad("expected [[inputs]], the experiment first".into()))?;
    let mut files = Vec::new();
    for (i, x) in inputs.iter().enumerate() {
        let get = |k: &str| x.get(k).and_then(toml::Value::as_str);
        let (Some(rel), Some(body), Some(sum)) = (get("path"), get("text"), get("sha256")) else {
            return Err(bad(format!("inputs[{i}]: expected path, sha256 and text")));
        };
        if sha256_hex(body.as_bytes()) != sum {
            return Err(bad(format!(
                "inputs[{i}] ({rel}): its text does not match its sha256 (edited, or not UTF-8 when recorded)"
            )));
        }
        let p = Path::new(rel);
        if p.components()
            .any(|c| matches!(c, Component::RootDir | Component::Prefix(_)))
        {
            return Err(bad(format!(
                "inputs[{i}] ({rel}): an absolute reference cannot be replayed; reference it relative to the experiment"
            )));
        }
        files.push((p.to_path_buf(), body.to_string()));
    }
    // Deep enough that no `..` of any reference leaves the scratch folder.
    let ups = files
        .iter()
        .map(|(p, _)| {
            p.components()
                .filter(|c| *c == Component::ParentDir)
                .count()
        })
        .sum::<usize>();
    let mut home = scratch.to_path_buf();
    for d in 0..ups {
        home.push(format!("d{d}"));
    }
    for (rel, body) in &files {
        let target = home.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| bad(format!("cannot restore: {e}")))?;
        }
        std::fs::write(&target, body).map_err(|e| bad(format!("cannot restore: {e}")))?;
    }
    let overrides = match meta.get("overrides") {
        None => Vec::new(),
        Some(v) => v
            .as_array()
            .and_then(|a| a.iter().map(|x| x.as_str().map(String::from)).collect())
            .ok_or_else(|| bad("expected `overrides` to be a list of KEY=VALUE strings".into()))?,
    };
    Ok(Restored {
        experiment: home.join(&files[0].0),
        seed,
        overrides,
        meta: meta_path.to_path_buf(),
        inputs: files.iter().map(|(p, _)| p.clone()).collect(),
        home,
        scratch: scratch.to_path_buf(),
    })
}

/// The process's CPU time so far (every thread, user and system), s.
#[cfg(unix)]
pub fn process_cpu_s() -> Option<f64> {
    // SAFETY: getrusage writes one rusage struct, which we own, and reads nothing else.
    let mut u = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, u.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: getrusage returned 0, so it filled the struct.
    let u = unsafe { u.assume_init() };
    let s = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    Some(s(u.ru_utime) + s(u.ru_stime))
}

/// The process's CPU time: not measured on this platform.
#[cfg(not(unix))]
pub fn process_cpu_s() -> Option<f64> {
    None
}

/// SHA-256 of `bytes` as 64 hex digits (what `sha256sum` prints).
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_its_reference_value() {
        // FIPS 180-2, appendix B.1: SHA-256("abc").
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn csv_references_are_recorded_without_detours() {
        let n = |p: &str| lexically_normal(Path::new(p));
        assert_eq!(
            n("../topologies/../data/rtt.csv"),
            Path::new("../data/rtt.csv")
        );
        assert_eq!(n("topologies/./rtt.csv"), Path::new("topologies/rtt.csv"));
        assert_eq!(n("../../t/rtt.csv"), Path::new("../../t/rtt.csv"));
        assert_eq!(n("rtt.csv"), Path::new("rtt.csv"));
    }

    #[test]
    fn a_tampered_or_escaping_meta_is_refused() {
        let dir = std::env::temp_dir().join(format!("xrplace-meta-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let ok = format!(
            "seed = 3\n[[inputs]]\npath = \"e.toml\"\nsha256 = \"{}\"\ntext = \"x\"\n",
            sha256_hex(b"x")
        );
        let scratch = dir.join("s");
        let r = restore(&write("ok.toml", &ok), &scratch).unwrap();
        assert_eq!(std::fs::read_to_string(&r.experiment).unwrap(), "x");
        assert_eq!((r.seed, r.overrides.len()), (3, 0));
        let edited = ok.replace("text = \"x\"", "text = \"y\"");
        assert!(restore(&write("edited.toml", &edited), &scratch).is_err());
        let absolute = ok.replace("path = \"e.toml\"", "path = \"/etc/e.toml\"");
        assert!(restore(&write("abs.toml", &absolute), &scratch).is_err());
        let up = format!(
            "{ok}[[inputs]]\npath = \"../../t.toml\"\nsha256 = \"{}\"\ntext = \"t\"\n",
            sha256_hex(b"t")
        );
        let p = restore(&write("up.toml", &up), &scratch)
            .unwrap()
            .experiment;
        assert!(p.starts_with(&scratch));
        assert!(scratch.join("t.toml").exists(), "two levels up from d0/d1");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
