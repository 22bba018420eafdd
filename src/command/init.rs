//! `xrplace init KIND DIR`: a commented starting point of each file kind, made from the
//! shipped examples (so a template is always a file the test suite runs), with every
//! topology and trace it references copied beside it and the references rewritten, so
//! `xrplace run DIR/experiment.toml` works at once.

use super::CommandError;
use std::path::{Path, PathBuf};

/// The kinds `init` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// A streaming experiment: the study's video chain in five placements.
    Streaming,
    /// A session experiment: placement strategies under a day of diurnal load.
    Sessions,
    /// A session experiment that replays a recorded trace.
    Trace,
    /// A Cluster API provisioning experiment.
    Provisioning,
    /// A capacity plan search (`xrplace plan`).
    Plan,
    /// The interconnect comparison.
    Interconnects,
    /// A topology ready for planning: six sites (two cloud regions, two edge and two
    /// far-edge sites) with the tiers, access latencies and prices `plan` needs (the one the
    /// `plan` template uses).
    Topology,
}

/// A shipped file: its name as experiments reference it, and its text.
type Shipped = (&'static str, &'static str);

const TOPOLOGIES: [Shipped; 4] = [
    (
        "paper-local.toml",
        include_str!("../../topologies/paper-local.toml"),
    ),
    (
        "fra-gva.toml",
        include_str!("../../topologies/fra-gva.toml"),
    ),
    (
        "eu-continuum.toml",
        include_str!("../../topologies/eu-continuum.toml"),
    ),
    (
        "eu-slice.toml",
        include_str!("../../topologies/eu-slice.toml"),
    ),
];
const TRACES: [Shipped; 1] = [(
    "eu-evening.csv",
    include_str!("../../traces/eu-evening.csv"),
)];

/// The main file of `kind`: its name in DIR and its text.
fn template(kind: Kind) -> Shipped {
    match kind {
        Kind::Streaming => (
            "experiment.toml",
            include_str!("../../experiments/paper-streaming.toml"),
        ),
        Kind::Sessions => (
            "experiment.toml",
            include_str!("../../experiments/strategies-eu.toml"),
        ),
        Kind::Trace => (
            "experiment.toml",
            include_str!("../../experiments/trace-eu-evening.toml"),
        ),
        Kind::Provisioning => (
            "experiment.toml",
            include_str!("../../experiments/paper-capi.toml"),
        ),
        Kind::Plan => (
            "experiment.toml",
            include_str!("../../experiments/capacity-slice.toml"),
        ),
        Kind::Interconnects => (
            "experiment.toml",
            include_str!("../../experiments/interconnects.toml"),
        ),
        Kind::Topology => (
            "topology.toml",
            include_str!("../../topologies/eu-slice.toml"),
        ),
    }
}

/// What `init` wrote.
#[derive(Debug, Clone)]
pub struct Initialised {
    /// Every file written, the template first.
    pub written: Vec<PathBuf>,
    /// The experiment to run, when the template is one.
    pub experiment: Option<PathBuf>,
    /// The command that runs it: `plan` for a capacity plan search, else `run`.
    pub command: &'static str,
}

/// Writes the template of `kind` and what it references into `dir`; refuses to replace a
/// file that is already there.
pub fn init(kind: Kind, dir: &Path) -> Result<Initialised, CommandError> {
    let (name, text) = template(kind);
    let mut files = vec![(name.to_string(), rewrite(text))];
    for (file, body) in TOPOLOGIES.iter().chain(&TRACES) {
        if text.contains(&reference(file)) {
            files.push((file.to_string(), body.to_string()));
        }
    }
    for (file, _) in &files {
        let p = dir.join(file);
        if p.exists() {
            return Err(CommandError::Refused(format!(
                "{} exists: init writes only new files (choose another folder)",
                p.display()
            )));
        }
    }
    let set: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_bytes()))
        .collect();
    crate::report::atomic::write_set(dir, &set)
        .map_err(|e| CommandError::write(dir.display(), e))?;
    Ok(Initialised {
        written: files.iter().map(|(file, _)| dir.join(file)).collect(),
        experiment: (name == "experiment.toml").then(|| dir.join(name)),
        command: if kind == Kind::Plan { "plan" } else { "run" },
    })
}

/// How the shipped experiments reference a shipped topology or trace.
fn reference(file: &str) -> String {
    let folder = if file.ends_with(".csv") {
        "traces"
    } else {
        "topologies"
    };
    format!("\"../{folder}/{file}\"")
}

/// The experiment's references pointed at the copies beside it.
fn rewrite(text: &str) -> String {
    let mut out = text.to_string();
    for (file, _) in TOPOLOGIES.iter().chain(&TRACES) {
        out = out.replace(&reference(file), &format!("\"{file}\""));
    }
    out
}
