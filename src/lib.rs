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
//!           strategy    placement plug-ins: rank candidate clusters from a monitored view
//!              |
//!            metrics    histograms, running statistics, run summaries
//!              |
//!          experiment   scenarios x runs in parallel, fixed output order
//!              |
//!            report     runs.csv / summary.csv / plan.toml (atomic), console table
//!              |
//!            export     plan.toml -> Cluster API, Liqo and application manifests
//!              |
//!           command     one entry point per command (run, plan, export, merge, ...)
//!              |
//!             cli       the binary: arguments, progress, exit codes (src/cli, main.rs)
//!
//!   under them all: base   checked float -> integer units (ns, millicores), FNV-1a
//! ```
//!
//! `tests/layers.rs` holds the code to this picture: a file imports only its own layer and
//! the layers drawn above it (and `base`), no files import each other in a circle, and no
//! file is over 500 lines. `docs/architecture.md` says where each kind of change goes.
//!
//! Time is [`engine::SimTime`] in integer nanoseconds; events at equal times run in
//! insertion order; every random draw comes from a stream derived from (seed, run,
//! stream name), so results are byte-identical whatever the thread count.
//!
//! ## Where to start
//!
//! - Do what a command does, from code: [`command::run()`], [`command::plan()`],
//!   [`command::export()`], [`command::merge()`] and the others in [`command`], one
//!   entry point per `xrplace` command (the command line only parses, prints and exits).
//! - Load an experiment with [`config::load_experiment`] (every check the command line
//!   makes, errors located at file, line and field), then run it:
//!   [`experiment::run_sessions`] for session experiments, [`experiment::run_experiment`]
//!   for streaming chains; [`report`] writes what `xrplace run` writes.
//! - Strategies are plug-ins: implement [`strategy::Strategy`] and register it in a
//!   [`strategy::Registry`] (`docs/strategies.md`).
//! - The models are plain functions and data in [`model`]: paths, interconnects, queues.
//!   Each interconnect kind is a file of [`model::interconnects`] implementing
//!   [`model::interconnects::InterconnectKind`]; each experiment kind is a variant of
//!   [`config::experiment::Experiment`] with its own loader; exported objects are
//!   [`export::BUILDERS`]. `docs/architecture.md` counts what adding each one takes.
//!
//! A session experiment run from code, shortened to ten seconds:
//!
//! ```
//! use std::path::Path;
//! use xrplace::config::load_experiment;
//! use xrplace::experiment::{run_sessions, RunOptions};
//!
//! let mut exp = load_experiment(Path::new("experiments/few-streams.toml")).unwrap();
//! exp.config.duration_s = 10.0;
//! exp.config.runs = 1;
//! let result = run_sessions(&exp, RunOptions::default()).unwrap();
//! let row = &result.rows[0];
//! assert_eq!(row.strategy, "latency-greedy");
//! // Twenty cloud-VR sessions in Zurich: well over the 8.6 ms round trip to Frankfurt
//! // would mean they left their edge cluster.
//! assert!(row.summary.latency_mean_ms > 4.0 && row.summary.latency_mean_ms < 15.0);
//! ```
//!
//! A strategy of your own, registered beside the built-ins and run by name:
//!
//! ```
//! use std::path::Path;
//! use xrplace::config::load_experiment;
//! use xrplace::experiment::{run_sessions_with, RunOptions};
//! use xrplace::model::ClusterId;
//! use xrplace::strategy::{ObservedView, PlacementRequest, Registry, Strategy};
//!
//! /// The farthest candidate first: a strategy no one should use, to see it matter.
//! struct Farthest;
//!
//! impl Strategy for Farthest {
//!     fn place(&mut self, req: &PlacementRequest, _: &ObservedView, ranked: &mut Vec<ClusterId>) {
//!         ranked.extend(req.candidates.iter().rev().map(|c| c.cluster));
//!     }
//! }
//!
//! let mut registry = Registry::builtin();
//! registry.register("farthest", |_| Box::new(Farthest));
//! let mut exp = load_experiment(Path::new("experiments/few-streams.toml")).unwrap();
//! exp.config.duration_s = 10.0;
//! exp.config.runs = 1;
//! exp.config.sessions.as_mut().unwrap().strategies = vec!["farthest".into()];
//! let result = run_sessions_with(&exp, RunOptions::default(), &registry).unwrap();
//! assert_eq!(result.rows[0].strategy, "farthest");
//! // Rendered in Frankfurt: the round trip from Zurich and back is in every frame.
//! assert!(result.rows[0].summary.latency_mean_ms > 15.0);
//! ```
//!
//! A model on its own: the wait of a frame behind nineteen other periodic streams at 90 %
//! load, in service times (the N·D/D/1 queue of every site's egress and every shared
//! gateway; Poisson arrivals, M/D/1, would give 4.5):
//!
//! ```
//! let w = xrplace::model::egress::periodic_wait(20, 0.9, 1.0);
//! assert!(w.mean > 1.2 && w.mean < 2.0, "{}", w.mean);
//! ```

#![warn(missing_docs)]

pub mod base;
pub mod command;
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
