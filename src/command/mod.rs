//! Command layer: one library entry point per `xrplace` command, called alike by the
//! command line, the Python package and the tests. Each takes a typed request, does the
//! whole work (load, check the budget, run, write the output folder) and returns what the
//! console shows, or a [`CommandError`] whose [`exit_code`](CommandError::exit_code) is 2
//! for bad input and 1 for a runtime failure. The command line (`src/main.rs`,
//! `src/cli/`) only parses arguments, prints and exits.
//!
//! | command | entry point |
//! |---|---|
//! | `run` | [`run()`] with a [`RunRequest`] |
//! | `plan` | [`plan()`] with a [`PlanRequest`] |
//! | `export` | [`export()`] with an [`ExportRequest`]; `--verify` is [`lint`] |
//! | `merge`, `merge --status` | [`merge()`], [`merge_status`] |
//! | `sweep slurm\|k8s` | [`sweep()`] with a [`SweepRequest`], then [`submit`] |
//! | `check` | [`check()`], one path at a time |
//! | `init` | [`init()`] |
//! | `schema` | [`schema()`] |
//! | `topology generate`, `topology import` | [`generate`], [`import`], [`write_text`] |
//! | `import k8s` | [`import_estate`] with an [`ImportRequest`] |
//! | `import prometheus` | [`import_prometheus()`] with an [`ImportPrometheusRequest`] |
//!
//! A new command is a file here with its request, its entry point and its report, a line
//! in this module, and its arguments in `src/cli/args.rs` with one arm in `src/main.rs`.

mod check;
mod error;
mod export;
mod import;
mod import_prometheus;
mod init;
mod merge;
mod plan;
mod run;
mod schema;
mod sessions;
mod sweep;
mod topology;

pub use check::{check, Checked};
pub use error::CommandError;
pub use export::{export, lint, ExportRequest, LintReport};
pub use import::{import_estate, ImportReport, ImportRequest, K8sImport};
pub use import_prometheus::{import_prometheus, ImportPrometheusReport, ImportPrometheusRequest};
pub use init::{init, Initialised, Kind};
pub use merge::{merge, merge_status, SweepStatus};
pub use plan::{plan, PlanReport, PlanRequest};
pub use run::{run, RunReport, RunRequest, Source};
pub use schema::{schema, SchemaKind};
pub use sweep::{submit, sweep, Engine, Submission, SweepFiles, SweepRequest};
pub use topology::{generate, import, write_text};

use std::time::Instant;

/// Where a command's warnings go, one message at a time, from any thread (the command
/// line prints each as `warning: MESSAGE` on stderr).
pub type Warn<'a> = &'a (dyn Fn(&str) + Sync);

/// `meta.toml` and a `timing.toml` of the command started at `started` on `threads`
/// workers (0: one per core), for an output; nothing when `wanted` is false.
fn provenance(
    wanted: bool,
    meta: &str,
    started: Instant,
    threads: usize,
) -> Vec<(&'static str, Vec<u8>)> {
    if !wanted {
        return Vec::new();
    }
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let timing = crate::experiment::meta::timing_toml(
        started.elapsed().as_secs_f64(),
        crate::experiment::meta::process_cpu_s(),
        threads,
    );
    vec![
        ("meta.toml", meta.as_bytes().to_vec()),
        ("timing.toml", timing.into_bytes()),
    ]
}
