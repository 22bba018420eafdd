//! A session sweep run into its folder: whole, or one shard of it, or resumed, keeping
//! every finished job as it ends so a killed run loses none.

use super::{CommandError, Warn};
use crate::config::LoadedExperiment;
use crate::experiment::sessions::{run_session_jobs, SessionRow};
use crate::experiment::{shard, RunOptions, SessionResult};
use crate::report::monitoring::{ClusterNames, Epoch};
use crate::report::samples_file::{self, Compression};
use crate::report::session_metrics::{self, SampleSpool};
use crate::report::{self, Figures};
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
    /// The form of the monitoring samples file.
    pub metrics_compression: Compression,
    /// Draw the sweep's figures, or write only the tables.
    pub figures: Figures,
    /// The strategies the sweep may name.
    pub registry: &'a Registry,
    /// Where warnings go.
    pub warn: Warn<'a>,
}

/// The monitoring samples of a sweep being run: each job's, spooled as it ends.
struct Samples<'a> {
    epoch: Epoch,
    compression: Compression,
    names: ClusterNames,
    spool: SampleSpool,
    dir: &'a std::path::Path,
}

impl<'a> Samples<'a> {
    /// The samples of `sweep` if it writes them (`--metrics`), spooled in its folder.
    fn of(sweep: &Sweep<'a>) -> Option<Self> {
        Some(Samples {
            epoch: sweep.metrics_epoch?,
            compression: sweep.metrics_compression,
            names: ClusterNames::of_topologies(&sweep.exp.topologies),
            spool: SampleSpool::new(sweep.dir),
            dir: sweep.dir,
        })
    }

    /// Job `row`'s samples, taken out of it (it is kept to the end of the sweep, they
    /// need not be) and rendered.
    fn take(&self, row: &mut SessionRow) -> Option<session_metrics::JobMetrics> {
        let m = session_metrics::of_row(row, &self.names, self.epoch);
        row.series = None;
        m
    }

    /// Spools job `row`'s samples (taken out of it).
    fn spool_job(&self, row: &mut SessionRow) {
        if let Some(m) = self.take(row) {
            self.spool.add(&m);
        }
    }

    /// Calls `write` with the samples' files (none without `--metrics`), then removes a
    /// samples file of the other form an earlier run left in the folder.
    fn write(
        samples: Option<&Self>,
        write: impl FnOnce(&[report::atomic::Streamed]) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let Some(s) = samples else {
            return write(&[]);
        };
        s.spool.as_files(s.compression, write)?;
        samples_file::remove_other_form(s.dir, s.compression)
    }
}

/// Runs a session sweep (or one shard of it) into `sweep.dir`. Shards and resumed runs
/// keep every finished job as it ends, skip the ones kept before, and write `shard.toml`.
/// With `--metrics`, each job's samples are spooled to disk as it ends.
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
        figures,
        registry,
        warn,
        ..
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
    let samples = Samples::of(sweep);
    if opts.shard.is_none() && !resume {
        let done = |row: &mut SessionRow| {
            if let Some(s) = &samples {
                s.spool_job(row);
            }
        };
        let result = run_session_jobs(exp, opts, registry, &|_| false, &done)?;
        let files = provenance();
        Samples::write(samples.as_ref(), |streamed| {
            report::write_session_results(dir, &result, &files, streamed, figures)
        })
        .map_err(write_error)?;
        return Ok(result);
    }
    let s = exp.config.sessions.as_ref().expect("checked");
    let total =
        crate::experiment::sessions::sweep_points(exp, s).len() as u64 * exp.config.runs as u64;
    let in_run = shard::jobs_held(opts.shard, total);
    // Jobs kept with monitoring samples (and their epoch) are not those of a run without.
    let metrics = samples.as_ref().map_or(String::new(), |s| {
        format!("metrics_start_unix_s = {}\n", s.epoch.0)
    });
    // Rows kept by a build that read quantiles another way must not join this one's.
    let identity = format!(
        "{}jobs_in_run = {in_run}\nquantiles = \"{}\"\n{metrics}",
        info.to_text(),
        crate::metrics::histogram::QUANTILE_ESTIMATOR
    );
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
    let keep = |row: &mut SessionRow| {
        // The samples first: a job whose rows are kept has its samples kept too.
        let m = samples.as_ref().and_then(|s| s.take(row));
        let kept = m.as_ref().map_or(Ok(()), |m| cache.record_metrics(m));
        if let Err(e) = kept.and_then(|_| cache.record(row)) {
            warn(&format!("cannot keep job {} for --resume: {e}", row.job));
        }
        if let (Some(s), Some(m)) = (&samples, &m) {
            s.spool.add(m);
        }
    };
    if let Some(s) = &samples {
        cache
            .kept_metrics(finished.keys().copied(), |m| s.spool.add(&m))
            .map_err(CommandError::Refused)?;
    }
    let result = run_session_jobs(exp, opts, registry, &|j| finished.contains_key(&j), &keep)?;
    let files = provenance();
    let cached = finished.into_values().collect();
    Samples::write(samples.as_ref(), |streamed| {
        report::sessions::write_resumed(dir, &result, cached, &files, streamed, figures)
    })
    .map_err(write_error)?;
    Ok(result)
}
