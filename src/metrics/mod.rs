//! Metrics layer: histograms, running statistics, per-run recording and summaries.

pub mod app_latency;
pub mod energy;
pub mod families;
pub mod histogram;
pub mod placement;
pub mod recorder;
pub mod sessions;
pub mod stats;
pub mod tables;
pub mod timeseries;

pub use histogram::Histogram;
pub use recorder::{RunRecorder, RunSummary};
