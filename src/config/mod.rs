//! Configuration layer: serde structs for topology and experiment files, validation of
//! meaning, and errors that name file, line, column and field.

pub mod check;
pub mod cidr;
pub mod deploy;
pub mod error;
pub mod experiment;
pub mod names;
pub mod plan;
pub mod plan_check;
pub mod plan_file;
pub mod provisioning;
pub mod sessions;
pub mod source;
pub mod topology;
pub mod trace;

pub use error::ConfigError;
pub use experiment::{load_experiment, ExperimentConfig, LoadedExperiment};
pub use topology::{load_topology, TopologyConfig};

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
}

/// Validates one file without running anything; the kind is told by its top-level tables.
pub fn check_file(path: &Path) -> Result<FileKind, ConfigError> {
    let src = source::Source::read(path)?;
    let table: toml::Table = src.parse()?;
    if ["scenarios", "provisioning", "sessions"]
        .iter()
        .any(|k| table.contains_key(*k))
    {
        load_experiment(path).map(|_| FileKind::Experiment)
    } else if table.contains_key("hub") && table.contains_key("clusters") {
        plan_file::load_plan(path).map(|_| FileKind::Plan)
    } else if table.contains_key("sites") {
        load_topology(path).map(|_| FileKind::Topology)
    } else {
        Err(src.error(
            "(document)",
            "expected a topology (with [[sites]]), an experiment (with [[scenarios]], [provisioning] or [sessions]) or a plan (with hub and [[clusters]])",
        ))
    }
}
