//! The experiment file: the run settings every kind shares, the kind its sections make
//! ([`ExperimentKind`]), and one loader per kind, one file each. A loaded experiment is
//! read by kind through [`Experiment`], which code that depends on the kind matches whole.
//!
//! Adding a kind: a variant of [`ExperimentKind`] (and the section that tells it in
//! [`ExperimentConfig::kind`]), a loader file here and its arm in `load.rs`, a variant of
//! [`Experiment`]; the compiler then names every match to extend (budget, meta, the
//! command line). See docs/experiments.md.

mod application;
mod capacity_plan;
mod comparison;
mod file;
mod load;
mod loaded;
mod provisioning;
mod sessions;
mod streaming;

pub use crate::config::kinds::{Fidelity, PathKind, PeeringMode, Protocol};
pub use application::{
    ApplicationConfig, ComponentConfig, FaultConfig, FaultKind, FlowConfig, ScenarioConfig,
};
pub use file::{ExperimentConfig, ExperimentKind, EXPERIMENT_TABLES};
pub use load::{load_experiment, load_experiment_with};
pub use loaded::{
    CapacityPlan, Comparison, ComparisonParts, Experiment, LoadedExperiment, Parts, Sessions,
    Streaming,
};
