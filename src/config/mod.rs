//! Configuration layer: serde structs for topology and experiment files, validation of
//! meaning, and errors that name file, line, column and field.

pub mod check;
pub mod cidr;
pub mod deploy;
pub mod error;
pub mod estate_sites;
pub mod experiment;
pub mod gpu_table;
pub mod graphml;
pub mod input;
pub mod interconnect;
pub mod k8s;
pub mod kinds;
pub mod measured_rtt;
pub mod monitoring_settings;
pub mod names;
pub mod output;
pub mod overrides;
pub mod path_kinds;
pub mod paths;
pub mod paths_check;
pub mod placeholder;
pub mod plan;
pub mod plan_check;
pub mod plan_check_existing;
pub mod plan_file;
pub mod plan_record;
pub mod prometheus;
pub mod provisioning;
pub mod ranges;
pub mod sessions;
pub mod source;
pub mod topology;
pub mod topology_check;
pub mod topology_load;
pub mod trace;

pub use error::ConfigError;
pub use experiment::{load_experiment, load_experiment_with, ExperimentConfig, LoadedExperiment};
pub use topology::TopologyConfig;
pub use topology_load::load_topology;

use std::path::Path;

/// What kind of input a checked file turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A topology file (has `[[sites]]`).
    Topology,
    /// An experiment file (has `[[scenarios]]` or `[provisioning]`).
    Experiment,
    /// A plan written by `xrplace plan` (has `hub` and `[[clusters]]`).
    Plan,
    /// A session trace (`.csv` with the header `time_s,access_site,application,duration_s`).
    Trace,
}

impl FileKind {
    /// The kind a parsed file's top-level keys show, if any.
    pub fn of(table: &toml::Table) -> Option<FileKind> {
        if experiment::EXPERIMENT_TABLES
            .iter()
            .any(|k| table.contains_key(*k))
        {
            Some(FileKind::Experiment)
        } else if table.contains_key("hub") && table.contains_key("clusters") {
            Some(FileKind::Plan)
        } else if table.contains_key("sites") {
            Some(FileKind::Topology)
        } else {
            None
        }
    }

    /// What the kind is and which command takes it.
    fn described(self) -> &'static str {
        match self {
            FileKind::Topology => {
                "a topology (experiments reference it in `topology`; `xrplace check` validates it)"
            }
            FileKind::Experiment => {
                "an experiment (`xrplace run`, or `xrplace plan` if it has [plan])"
            }
            FileKind::Plan => "a plan (`xrplace export`)",
            FileKind::Trace => "a session trace (experiments reference it in `trace`)",
        }
    }
}

/// Refuses a file of another kind than `want` before its fields are read, naming what it
/// is and which command takes it, instead of "unknown field".
pub fn expect_kind(src: &source::Source, want: FileKind, use_: &str) -> Result<(), ConfigError> {
    let Ok(table) = src.parse::<toml::Table>() else {
        return Ok(());
    };
    match FileKind::of(&table) {
        Some(k) if k != want => Err(ConfigError::whole_file(
            &src.path,
            format!(
                "this is {}; {use_} expects {}",
                k.described(),
                want.described()
            ),
        )),
        _ => Ok(()),
    }
}

/// Validates one file without running anything; the kind is told by its top-level tables.
pub fn check_file(path: &Path) -> Result<FileKind, ConfigError> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
    {
        return trace::check_trace(path).map(|_| FileKind::Trace);
    }
    // Only a topology may be larger than other TOML files: one that is must look like one
    // (a `[[sites]]` table) before it is parsed.
    let len = std::fs::metadata(path).map_or(0, |m| m.len());
    if len > input::MAX_TOML_BYTES {
        let src = source::Source::read_at_most(path, input::MAX_TOPOLOGY_BYTES)?;
        let sites_table = |l: &str| {
            let l = l.split('#').next().unwrap_or("").replace([' ', '\t'], "");
            l == "[[sites]]"
        };
        if !src.text().lines().any(sites_table) {
            return Err(ConfigError::whole_file(
                path,
                format!(
                    "the file is {len} bytes and no topology (no [[sites]]); experiments and plans are limited to {} bytes (docs/input.md)",
                    input::MAX_TOML_BYTES
                ),
            ));
        }
        return topology_load::load_topology_from(&src, path).map(|_| FileKind::Topology);
    }
    let src = source::Source::read(path)?;
    let table: toml::Table = src.parse()?;
    match FileKind::of(&table) {
        Some(FileKind::Experiment) => load_experiment(path).map(|_| FileKind::Experiment),
        Some(FileKind::Plan) => plan_file::load_plan(path).map(|_| FileKind::Plan),
        Some(FileKind::Topology) => load_topology(path).map(|_| FileKind::Topology),
        Some(FileKind::Trace) | None => Err(ConfigError::whole_file(
            path,
            "expected a topology (with [[sites]]), an experiment (with [[scenarios]], [provisioning] or [sessions]) or a plan (with hub and [[clusters]]); a trace is checked as one when its name ends in .csv",
        )),
    }
}
