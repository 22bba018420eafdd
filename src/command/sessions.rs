//! A session sweep run into its folder: whole, or one shard of it, or resumed, keeping
//! every finished job as it ends so a killed run loses none.

use super::{CommandError, Warn};
use crate::config::LoadedExperiment;
use crate::experiment::sessions::{run_session_jobs, SessionRow};
use crate::experiment::{shard, RunOptions, SessionResult};
use crate::report;
use crate::report::monitoring::Epoch;
use crate::strategy::Registry;

/// Files written with every output (`meta.toml`, `timing.toml`), made when it is written.
pub(crate) type Described<'a> = dyn Fn() -> Vec<(&'static str, Vec<u8>)> + Sync + 'a;

/// What a session sweep runs and where it writes.
pub(crate) struct Sweep<'a> {
    /// The experiment file, as given.
    pub path: &'a std::path::Path,
    /// The loaded experiment.
    pub exp: &'a LoadedExperiment,
    /// Output folder.
    pub dir: &'a std::path::Path,
    /// Skip the jobs an interrupted run finished.
    pub resume: bool,
    /// Write the monitoring samples, with simulated time 0 at this instant.
    pub metrics_epoch: Option<Epoch>,
    /// The strategies the sweep may name.
    pub registry: &'a Registry,
    /// Where warnings go.
    pub warn: Warn<'a>,
}

/// Runs a session sweep (or one shard of it) into `sweep.dir`. Shards and resumed runs
/// keep every finished job as it ends, skip the ones kept before, and write `shard.toml`.
pub(crate) fn run_sweep(
    sweep: &Sweep,
    opts: RunOptions,
    extra: &Described,
) -> Result<SessionResult, CommandError> {
    let Sweep {
        path,
        exp,
        dir,
        resume,
        metrics_epoch,
        registry,
        warn,
    } = *sweep;
    let write_error = |e: std::io::Error| CommandError::write_results(dir, e);
    let (k, n) = opts.shard.unwrap_or((1, 1));
    let info = report::shard::ShardInfo {
        xrplace_version: env!("CARGO_PKG_VERSION").into(),
        experiment: path.display().to_string(),
        sweep_hash: crate::experiment::provenance::sweep_hash(exp),
        seed: opts.seed.unwrap_or(exp.config.seed),
        shard: k,
        shards: n,
    };
    let provenance = || -> Vec<(&str, Vec<u8>)> {
        let shard = opts
            .shard
            .map(|_| (report::shard::FILE, info.to_text().into_bytes()));
        shard.into_iter().chain(extra()).collect()
    };
    if opts.shard.is_none() && !resume {
        let result = run_session_jobs(exp, opts, registry, &|_| false, &|_| {})?;
        let mut files = provenance();
        if let Some(epoch) = metrics_epoch {
            files.extend(
                report::monitoring::session_files(&result, &exp.topologies, epoch, Vec::new())
                    .map_err(write_error)?,
            );
        }
        report::write_session_results(dir, &result, &files).map_err(write_error)?;
        return Ok(result);
    }
    let s = exp.config.sessions.as_ref().expect("checked");
    let total =
        crate::experiment::sessions::sweep_points(exp, s).len() as u64 * exp.config.runs as u64;
    let in_run = shard::jobs_held(opts.shard, total);
    // Jobs kept with monitoring samples (and their epoch) are not those of a run without.
    let metrics = metrics_epoch.map_or(String::new(), |e| {
        format!("metrics_start_unix_s = {}\n", e.0)
    });
    let identity = format!("{}jobs_in_run = {in_run}\n{metrics}", info.to_text());
    let apps = s.applications.iter().map(|a| a.name.clone()).collect();
    let cache = crate::experiment::job_cache::JobCache::open(dir, &identity, total, apps)
        .map_err(CommandError::Refused)?;
    let finished = if resume {
        cache
            .finished(|j| shard::holds(opts.shard, j))
            .map_err(CommandError::Refused)?
    } else {
        Default::default()
    };
    let names = report::monitoring::ClusterNames::of_topologies(&exp.topologies);
    let keep = |row: &SessionRow| {
        // The samples first: a job whose rows are kept has its samples kept too.
        let samples = metrics_epoch
            .and_then(|e| report::session_metrics::of_row(row, &names, e))
            .map_or(Ok(()), |m| cache.record_metrics(&m));
        if let Err(e) = samples.and_then(|_| cache.record(row)) {
            warn(&format!("cannot keep job {} for --resume: {e}", row.job));
        }
    };
    let kept_metrics = match metrics_epoch {
        Some(_) => cache
            .kept_metrics(finished.keys().copied())
            .map_err(CommandError::Refused)?,
        None => Vec::new(),
    };
    let result = run_session_jobs(exp, opts, registry, &|j| finished.contains_key(&j), &keep)?;
    let mut files = provenance();
    if let Some(epoch) = metrics_epoch {
        files.extend(
            report::monitoring::session_files(&result, &exp.topologies, epoch, kept_metrics)
                .map_err(write_error)?,
        );
    }
    report::sessions::write_resumed(dir, &result, finished.into_values().collect(), &files)
        .map_err(write_error)?;
    Ok(result)
}
