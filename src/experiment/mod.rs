//! Experiment layer: expands experiments into runs, runs them in parallel with rayon and
//! orders the results; generates topologies for scale tests.

pub mod budget;
pub mod episode;
pub mod estate_import;
pub mod generate;
pub mod interconnects;
pub mod job_cache;
pub mod meta;
pub mod plan;
pub mod plan_build;
pub mod progress;
pub mod provenance;
pub mod provisioning;
pub mod replay;
pub mod reward;
pub mod rows;
pub mod runner;
pub mod sessions;
pub mod shard;
pub mod trace_scale;
pub mod workers;
pub mod zoo_import;

pub use generate::generate_topology;
pub use provisioning::{run_provisioning, ProvisioningResult};
pub use runner::{run_experiment, ExperimentResult, RunOptions, RunRow, ScrapeRow};
pub use sessions::{run_sessions, run_sessions_with, SessionResult};
pub use workers::RuntimeError;
