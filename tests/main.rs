//! The end-to-end tests, one binary: each file below drives the real `xrplace` binary (or
//! the library) on `experiments/` and shared fixtures. One test binary instead of one per
//! file links the library once, not 36 times, which is most of a cold `cargo test`'s build
//! (the layout of cargo's own `tests/testsuite`). Tests that need Debian's prometheus
//! package are `#[ignore]`d with that reason; `.ci/run` runs them with `--include-ignored`.

mod common;
// Helpers of the Prometheus tests (import_prometheus, estate_e2e, prometheus), loaded once.
#[path = "import_prometheus/estate.rs"]
mod estate;
#[path = "import_prometheus/server.rs"]
mod server;

mod cli;
mod cluster;
mod command;
mod containerfile;
mod cross_traffic;
mod cross_traffic_reference;
mod energy;
mod episode;
mod estate_e2e;
mod estate_fixtures;
mod experiment_kinds;
mod export;
mod export_builders;
mod export_existing;
mod export_handover;
mod export_schemas;
mod fidelity;
mod figures;
mod gpu;
mod import_k8s;
mod import_prometheus;
mod input;
mod interconnect_plugin;
mod interconnects;
mod k8s_reader;
mod layers;
mod malformed_shards;
mod measured_rtt;
mod metrics_gzip;
mod no_panic;
mod overload;
mod peering;
mod physics;
mod plan;
mod plan_existing;
mod planner;
mod planner_optimum;
mod prometheus;
mod provisioning;
mod sessions;
mod trace_scale;
mod zoo;
