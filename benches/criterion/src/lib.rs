//! Criterion benchmarks of xrplace, a package of their own so that `cargo test` on the
//! simulator does not compile criterion (a package's dev-dependencies are built for every
//! test target). The benchmarks are in `benches/`: `engine` (hold-model throughput of the
//! event queues) and `sessions` (a day of the 1,000-cluster session world).
//!
//! ```text
//! cargo bench -p xrplace-benches --bench engine
//! cargo bench -p xrplace-benches --bench sessions
//! ```
