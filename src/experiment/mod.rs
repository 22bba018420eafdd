//! Experiment layer: expands experiments into runs, runs them in parallel with rayon and
//! orders the results; generates topologies for scale tests.

pub mod generate;
pub mod runner;

pub use generate::generate_topology;
pub use runner::{run_experiment, ExperimentResult, RunOptions, RunRow, ScrapeRow};
