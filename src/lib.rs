//! # xrplace
//!
//! A discrete-event simulator of XR services placed across Kubernetes clusters at cloud
//! and edge sites, connected by Liqo tunnels or exposed through NodePorts.
//!
//! Data flows through the layers in one direction; a module imports only the layers
//! above it:
//!
//! ```text
//!  topologies/*.toml  experiments/*.toml
//!           \               /
//!            config     serde structs, validation, located errors
//!              |
//!            model      topology graph and routes, path kinds, applications (no time)
//!              |
//!            engine     integer-ns clock, (time, seq) event queue, named seeded streams
//!              |
//!            world      the evolving state of one run and its event handlers
//!              |
//!            metrics    histograms, running statistics, run summaries
//!              |
//!          experiment   scenarios x runs in parallel, fixed output order
//!              |
//!            report     runs.csv / summary.csv / plan.toml (atomic), console table
//!              |
//!            export     plan.toml -> Cluster API, Liqo and application manifests
//! ```
//!
//! Time is [`engine::SimTime`] in integer nanoseconds; events at equal times run in
//! insertion order; every random draw comes from a stream derived from (seed, run,
//! stream name), so results are byte-identical whatever the thread count.

#![warn(missing_docs)]

pub mod config;
pub mod engine;
pub mod experiment;
pub mod export;
#[doc(hidden)]
pub mod fuzzing;
pub mod metrics;
pub mod model;
pub mod report;
pub mod strategy;
pub mod world;
