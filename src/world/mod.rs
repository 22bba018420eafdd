//! World layer: the state that evolves during a run and its event handlers.

pub mod cross_traffic;
pub mod observer;
pub mod policy;
pub mod provisioning;
pub mod sessions;
pub mod streaming;
pub mod streaming_flow;
pub mod streaming_load;

pub use observer::{ClusterSample, RunObserver};
pub use streaming::{Event, RunCounts, RunSettings, StreamingWorld};
