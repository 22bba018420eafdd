//! `xrplace run`: an experiment file (or the inputs a `meta.toml` recorded) run to its
//! output folder, whatever its kind.

use super::sessions::{run_sweep, Described, Sweep};
use super::{provenance, CommandError, Warn};
use crate::config::experiment::Experiment;
use crate::config::{load_experiment_with, ConfigError, LoadedExperiment};
use crate::experiment::budget::{self, Budget};
use crate::experiment::meta::{meta_toml, MetaContext};
use crate::experiment::replay::Replay;
use crate::experiment::{run_experiment, run_provisioning, shard, RunOptions};
use crate::report::monitoring::Epoch;
use crate::report::samples_file::{self, Compression};
use crate::report::{self, Figures};
use crate::strategy::Registry;
use std::path::PathBuf;
use std::time::Instant;

/// Where the experiment comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// An experiment file.
    File(PathBuf),
    /// The inputs, seed and overrides a `meta.toml` recorded (`--from-meta`): the same
    /// tables, byte for byte.
    FromMeta(PathBuf),
}

/// What `xrplace run` was asked; [`RunRequest::new`] gives the command line's defaults.
pub struct RunRequest<'a> {
    /// The experiment.
    pub source: Source,
    /// `--set KEY=VALUE` overrides, applied after those a `meta.toml` recorded.
    pub sets: Vec<String>,
    /// Output folder, `{shard}` and `{shards}` filled in (default: `output/<name>`).
    pub out: Option<PathBuf>,
    /// Seed replacing the experiment's (and a `meta.toml`'s).
    pub seed: Option<u64>,
    /// Worker threads (0: one per core); results do not depend on it.
    pub threads: usize,
    /// Run only shard `(k, n)` of a session sweep.
    pub shard: Option<(u32, u32)>,
    /// Draw progress bars (when stderr is a terminal).
    pub progress: bool,
    /// Keep every finished job of a session sweep, and skip those kept before.
    pub resume: bool,
    /// Write the monitoring samples, simulated time 0 at this Unix time.
    pub metrics: Option<Epoch>,
    /// The form of the monitoring samples file: `metrics.om`, or `metrics.om.gz`.
    pub metrics_compression: Compression,
    /// Draw the experiment's figures into `plots/`, or write only the tables.
    pub figures: Figures,
    /// Limits on the whole work.
    pub limits: Budget,
    /// The strategies session experiments may name.
    pub registry: &'a Registry,
    /// Write `meta.toml` and `timing.toml` with the results.
    pub provenance: bool,
    /// Where warnings go.
    pub warn: Warn<'a>,
}

impl<'a> RunRequest<'a> {
    /// A run of `source` as `xrplace run SOURCE` makes it: default budget, built-in
    /// strategies (`registry`), provenance written, warnings to `warn`.
    pub fn new(source: Source, registry: &'a Registry, warn: Warn<'a>) -> Self {
        RunRequest {
            source,
            sets: Vec::new(),
            out: None,
            seed: None,
            threads: 0,
            shard: None,
            progress: false,
            resume: false,
            metrics: None,
            metrics_compression: Compression::None,
            figures: Figures::Render,
            limits: Budget::default(),
            registry,
            provenance: true,
            warn,
        }
    }
}

/// What a run wrote, for the console.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// The experiment's kind: `streaming`, `sessions`, `provisioning` or `interconnects`.
    pub kind: &'static str,
    /// The console table of the results.
    pub table: String,
    /// Rows in the results (runs, or options compared).
    pub runs: usize,
    /// The output folder.
    pub dir: PathBuf,
}

/// Runs an experiment and writes its output folder (`runs.csv`, `summary.csv` and what
/// its kind adds); the entry point of `xrplace run` and of the Python package's `run`.
pub fn run(req: RunRequest) -> Result<RunReport, CommandError> {
    let meta = match &req.source {
        Source::File(path) => return run_file(path, &req.sets, req.seed, &req),
        Source::FromMeta(meta) => meta,
    };
    let replay = Replay::restore(meta)?;
    let r = replay.restored();
    let sets: Vec<String> = r.overrides.iter().chain(&req.sets).cloned().collect();
    // The restored copies go with the replay: an error in one names the meta.toml.
    run_file(&r.experiment, &sets, req.seed.or(Some(r.seed)), &req).map_err(|e| match e {
        CommandError::Input(e) => CommandError::Input(r.locate(e)),
        other => other,
    })
}

/// Runs the experiment at `path` with `sets` applied and `seed` (if any) replacing its own.
fn run_file(
    path: &std::path::Path,
    sets: &[String],
    seed: Option<u64>,
    req: &RunRequest,
) -> Result<RunReport, CommandError> {
    let started = Instant::now();
    let opts = RunOptions {
        seed,
        threads: req.threads,
        shard: req.shard,
        progress: req.progress,
        series: req.metrics.is_some(),
    };
    let exp = load_experiment_with(path, sets)?;
    budget::check(&exp, &budget::estimate(&exp, 0, opts.threads), &req.limits)?;
    if (opts.shard.is_some() || req.resume) && exp.session_sweep().is_none() {
        let msg = "--shard and --resume apply to session sweeps ([sessions]) only";
        return Err(ConfigError::whole_file(path, msg).into());
    }
    if req.metrics.is_some() {
        budget::check_metric_samples(&exp, opts.shard, req.limits.max_metric_samples)?;
    }
    let dir = shard::output_dir(req.out.as_deref(), &exp.config.name, opts.shard);
    let meta = meta_toml(
        &exp,
        &MetaContext {
            command: "run",
            seed: opts.seed.unwrap_or(exp.config.seed),
            shard: opts.shard,
            overrides: sets.to_vec(),
        },
    )?;
    let extra = || provenance(req.provenance, &meta, started, opts.threads);
    let kind_without_metrics = match exp.experiment() {
        Experiment::Comparison(_) | Experiment::Provisioning(_) => true,
        Experiment::Streaming(_) | Experiment::Sessions(_) | Experiment::CapacityPlan(_) => false,
    };
    if req.metrics.is_some() && kind_without_metrics {
        let msg = "--metrics applies to session and streaming experiments";
        return Err(ConfigError::whole_file(path, msg).into());
    }
    let workers = crate::experiment::workers::start_workers(opts.threads)?;
    let ran = Ran {
        path,
        exp: &exp,
        dir,
        opts,
        req,
    };
    workers.install(|| ran.dispatch(&extra))
}

/// A loaded experiment about to run, and where it writes.
struct Ran<'a> {
    path: &'a std::path::Path,
    exp: &'a LoadedExperiment,
    dir: PathBuf,
    opts: RunOptions,
    req: &'a RunRequest<'a>,
}

impl Ran<'_> {
    /// Runs the experiment as its kind and writes its results.
    fn dispatch(&self, extra: &Described) -> Result<RunReport, CommandError> {
        let (exp, dir, opts) = (self.exp, &self.dir, self.opts);
        let write_error = |e: std::io::Error| CommandError::write_results(dir, e);
        let kind = exp.kind().name();
        let (table, runs) = match exp.experiment() {
            Experiment::Comparison(_) => {
                let result = crate::experiment::interconnects::run_comparison(exp, opts)?;
                report::interconnects::write_results(dir, &result, &extra())
                    .map_err(write_error)?;
                (
                    report::interconnects::console_table(&result),
                    result.options.len(),
                )
            }
            Experiment::Sessions(_) | Experiment::CapacityPlan(_) => {
                let sweep = Sweep {
                    path: self.path,
                    exp,
                    dir,
                    resume: self.req.resume,
                    metrics_epoch: self.req.metrics,
                    metrics_compression: self.req.metrics_compression,
                    figures: self.req.figures,
                    registry: self.req.registry,
                    warn: self.req.warn,
                };
                let result = run_sweep(&sweep, opts, extra)?;
                (report::sessions::console_table(&result), result.rows.len())
            }
            Experiment::Provisioning(_) => {
                let result = run_provisioning(exp, opts)?;
                report::write_provisioning_results(dir, &result, &extra(), self.req.figures)
                    .map_err(write_error)?;
                (
                    report::provisioning::console_table(&result),
                    result.rows.len(),
                )
            }
            Experiment::Streaming(_) => {
                let result = run_experiment(exp, opts)?;
                let mut files = extra();
                let form = self.req.metrics_compression;
                if let Some(epoch) = self.req.metrics {
                    let om = report::monitoring::streaming_openmetrics(&result, epoch);
                    let bytes = form.encode(om.as_bytes()).map_err(write_error)?;
                    files.push((form.file_name(), bytes));
                }
                report::write_results(dir, &result, &files, self.req.figures)
                    .map_err(write_error)?;
                if self.req.metrics.is_some() {
                    samples_file::remove_other_form(dir, form).map_err(write_error)?;
                }
                (report::console_table(&result), result.rows.len())
            }
        };
        Ok(RunReport {
            kind,
            table,
            runs,
            dir: dir.clone(),
        })
    }
}
