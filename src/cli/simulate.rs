//! `xrplace run`, `plan` and `merge`.

use super::Failure;
use std::path::PathBuf;
use std::time::Instant;
use xrplace::config::experiment::{Experiment, Sessions};
use xrplace::config::{load_experiment_with, ConfigError};
use xrplace::experiment::budget::{self, Budget};
use xrplace::experiment::meta::{meta_toml, process_cpu_s, timing_toml, MetaContext};
use xrplace::experiment::plan::PlanSearch;
use xrplace::experiment::{run_experiment, run_provisioning, run_sessions, RunOptions};
use xrplace::report;
use xrplace::report::monitoring::Epoch;
use xrplace::strategy::Registry;

pub fn merge(shards: &[PathBuf], out: &std::path::Path) -> Result<(), Failure> {
    let started = Instant::now();
    refuse_output_over_inputs(shards, out)?;
    let infos = shards
        .iter()
        .map(|d| report::shard::read(d).map(|i| (d.clone(), i)))
        .collect::<Result<Vec<_>, _>>()?;
    report::shard::check_set(&infos)?;
    let files: Vec<PathBuf> = shards.iter().map(|d| d.join("runs.csv")).collect();
    // The shards were cut from one sweep (checked above): its meta.toml without the shard.
    let first = shards
        .first()
        .ok_or_else(|| Failure::Refused("merge needs at least one shard folder".into()))?
        .join("meta.toml");
    let meta = xrplace::config::input::read_text(
        &first,
        "shard's meta.toml",
        xrplace::config::input::MAX_TOML_BYTES,
    )?;
    let meta = xrplace::experiment::meta::merged_meta(&meta)
        .map_err(|m| Failure::Input(ConfigError::whole_file(&first, m)))?;
    let failure = |e| match e {
        report::session_merge::MergeError::Input(c) => Failure::Input(c),
        report::session_merge::MergeError::Io(msg) => Failure::Runtime(msg),
    };
    let mut extra = described(&meta, started, 1);
    if let Some((om, csv)) = report::session_metrics::merge(shards).map_err(failure)? {
        extra.push(("metrics.om", om));
        extra.push(("timeseries.csv", csv));
    }
    report::session_merge::merge_shards(&files, out, &extra).map_err(failure)
}

/// How `run` behaves beyond the simulation's options.
pub struct RunFlags {
    /// Print nothing but errors.
    pub quiet: bool,
    /// Limits on the whole work.
    pub limits: Budget,
    /// Skip the jobs an interrupted run into the same folder finished.
    pub resume: bool,
    /// Write the monitoring samples (`--metrics`), with simulated time 0 at this instant.
    pub metrics_epoch: Option<Epoch>,
}

/// Most cluster samples `--metrics` may write in all runs together (about 500 bytes of
/// OpenMetrics and CSV each).
const MAX_METRIC_SAMPLES: f64 = 2e6;

pub fn run(
    path: PathBuf,
    sets: &[String],
    opts: RunOptions,
    out: Option<PathBuf>,
    flags: RunFlags,
) -> Result<(), Failure> {
    let RunFlags {
        quiet,
        limits,
        resume,
        metrics_epoch,
    } = flags;
    let started = Instant::now();
    let exp = load_experiment_with(&path, sets)?;
    budget::check(&exp, &budget::estimate(&exp, 0, opts.threads), &limits)?;
    if (opts.shard.is_some() || resume) && exp.session_sweep().is_none() {
        let msg = "--shard and --resume apply to session sweeps ([sessions]) only";
        return Err(Failure::Input(ConfigError::whole_file(&path, msg)));
    }
    if metrics_epoch.is_some() {
        check_metrics(&path, &exp, opts)?;
    }
    // A shard never writes over a full run: by default it has its own folder.
    let dir = out.unwrap_or_else(|| {
        let base = PathBuf::from("output").join(&exp.config.name);
        match opts.shard {
            Some((k, n)) => base.join(format!("shard-{k}-of-{n}")),
            None => base,
        }
    });
    let write_error = |e: std::io::Error| {
        Failure::Runtime(format!("cannot write results to {}: {e}", dir.display()))
    };
    let meta = meta_toml(
        &exp,
        &MetaContext {
            command: "run",
            seed: opts.seed.unwrap_or(exp.config.seed),
            shard: opts.shard,
            overrides: sets.to_vec(),
        },
    )?;
    let extra = || described(&meta, started, opts.threads);
    let kind_without_metrics = match exp.experiment() {
        Experiment::Comparison(_) | Experiment::Provisioning(_) => true,
        Experiment::Streaming(_) | Experiment::Sessions(_) | Experiment::CapacityPlan(_) => false,
    };
    if metrics_epoch.is_some() && kind_without_metrics {
        let msg = "--metrics applies to session and streaming experiments";
        return Err(Failure::Input(ConfigError::whole_file(&path, msg)));
    }
    let (table, runs) = match exp.experiment() {
        Experiment::Comparison(_) => {
            let result = xrplace::experiment::interconnects::run_comparison(&exp, opts)?;
            report::interconnects::write_results(&dir, &result, &extra()).map_err(write_error)?;
            (
                report::interconnects::console_table(&result),
                result.options.len(),
            )
        }
        Experiment::Sessions(_) | Experiment::CapacityPlan(_) => {
            let sweep = Sweep {
                path: &path,
                exp: &exp,
                dir: &dir,
                resume,
                metrics_epoch,
            };
            let result = run_sweep(&sweep, opts, &extra)?;
            (report::sessions::console_table(&result), result.rows.len())
        }
        Experiment::Provisioning(_) => {
            let result = run_provisioning(&exp, opts)?;
            report::write_provisioning_results(&dir, &result, &extra()).map_err(write_error)?;
            (
                report::provisioning::console_table(&result),
                result.rows.len(),
            )
        }
        Experiment::Streaming(_) => {
            let result = run_experiment(&exp, opts)?;
            let mut files = extra();
            if let Some(epoch) = metrics_epoch {
                let om = report::monitoring::streaming_openmetrics(&result, epoch);
                files.push(("metrics.om", om.into_bytes()));
            }
            report::write_results(&dir, &result, &files).map_err(write_error)?;
            (report::console_table(&result), result.rows.len())
        }
    };
    if !quiet {
        print!("{table}");
        println!(
            "{runs} runs in {:.2} s; results in {}",
            started.elapsed().as_secs_f64(),
            dir.display()
        );
    }
    Ok(())
}

/// Refuses `--metrics` past [`MAX_METRIC_SAMPLES`] (of this shard's jobs, with `--shard`).
fn check_metrics(
    path: &std::path::Path,
    exp: &xrplace::config::LoadedExperiment,
    opts: RunOptions,
) -> Result<(), Failure> {
    let refuse = |msg: String| Err(Failure::Input(ConfigError::whole_file(path, msg)));
    let Some(Sessions { sessions: s, .. }) = exp.session_sweep() else {
        return Ok(());
    };
    let shards = opts.shard.map_or(1.0, |(_, n)| n as f64);
    let jobs = (xrplace::experiment::sessions::sweep_points(exp, s).len() as f64
        * exp.config.runs as f64
        / shards)
        .ceil();
    let clusters = exp
        .topologies
        .iter()
        .map(|t| t.clusters.len())
        .max()
        .unwrap_or(0) as f64;
    let scrapes = (exp.config.duration_s / s.scrape_interval_s).floor() + 1.0;
    let samples = jobs * clusters * scrapes;
    if samples > MAX_METRIC_SAMPLES {
        return refuse(format!(
            "--metrics would write about {samples:.0} cluster samples ({jobs} runs x {clusters} clusters x {scrapes} scrapes), more than {MAX_METRIC_SAMPLES:.0}: shorten the run with --set duration_s=..., or run fewer runs, points or clusters"
        ));
    }
    Ok(())
}

/// `meta.toml` and a `timing.toml` of the command started at `started`, for an output.
fn described(meta: &str, started: Instant, threads: usize) -> Vec<(&'static str, Vec<u8>)> {
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let timing = timing_toml(started.elapsed().as_secs_f64(), process_cpu_s(), threads);
    vec![
        ("meta.toml", meta.as_bytes().to_vec()),
        ("timing.toml", timing.into_bytes()),
    ]
}

/// Files written with every output (`meta.toml`, `timing.toml`), made when it is written.
type Described<'a> = dyn Fn() -> Vec<(&'static str, Vec<u8>)> + 'a;

/// Runs a session sweep (or one shard of it) into `dir`. Shards and resumed runs keep every
/// finished job as it ends, skip the ones kept before, and write `shard.toml`.
/// What a session sweep runs and where it writes.
pub struct Sweep<'a> {
    /// The experiment file, as given.
    pub path: &'a std::path::Path,
    /// The loaded experiment.
    pub exp: &'a xrplace::config::LoadedExperiment,
    /// Output folder.
    pub dir: &'a std::path::Path,
    /// Skip the jobs an interrupted run finished.
    pub resume: bool,
    /// Write the monitoring samples, with simulated time 0 at this instant.
    pub metrics_epoch: Option<Epoch>,
}

pub fn run_sweep(
    sweep: &Sweep,
    opts: RunOptions,
    extra: &Described,
) -> Result<xrplace::experiment::SessionResult, Failure> {
    let Sweep {
        path,
        exp,
        dir,
        resume,
        metrics_epoch,
    } = *sweep;
    let write_error = |e: std::io::Error| {
        Failure::Runtime(format!("cannot write results to {}: {e}", dir.display()))
    };
    let (k, n) = opts.shard.unwrap_or((1, 1));
    let info = report::shard::ShardInfo {
        xrplace_version: env!("CARGO_PKG_VERSION").into(),
        experiment: path.display().to_string(),
        sweep_hash: xrplace::experiment::provenance::sweep_hash(exp),
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
        let result = run_sessions(exp, opts)?;
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
        xrplace::experiment::sessions::sweep_points(exp, s).len() as u64 * exp.config.runs as u64;
    let in_run = (0..total)
        .filter(|j| j % n as u64 == (k - 1) as u64)
        .count();
    // Jobs kept with monitoring samples (and their epoch) are not those of a run without.
    let metrics = metrics_epoch.map_or(String::new(), |e| {
        format!("metrics_start_unix_s = {}\n", e.0)
    });
    let identity = format!("{}jobs_in_run = {in_run}\n{metrics}", info.to_text());
    let apps = s.applications.iter().map(|a| a.name.clone()).collect();
    let cache =
        report::jobs::JobCache::open(dir, &identity, total, apps).map_err(Failure::Refused)?;
    let finished = if resume {
        cache
            .finished(|j| j % n as u64 == (k - 1) as u64)
            .map_err(Failure::Refused)?
    } else {
        Default::default()
    };
    let names = report::monitoring::ClusterNames::of_topologies(&exp.topologies);
    let keep = |row: &xrplace::experiment::sessions::SessionRow| {
        // The samples first: a job whose rows are kept has its samples kept too.
        let samples = metrics_epoch
            .and_then(|e| report::session_metrics::of_row(row, &names, e))
            .map_or(Ok(()), |m| cache.record_metrics(&m));
        if let Err(e) = samples.and_then(|_| cache.record(row)) {
            eprintln!("warning: cannot keep job {} for --resume: {e}", row.job);
        }
    };
    let kept_metrics = match metrics_epoch {
        Some(_) => cache
            .kept_metrics(finished.keys().copied())
            .map_err(Failure::Refused)?,
        None => Vec::new(),
    };
    let result = xrplace::experiment::sessions::run_session_jobs(
        exp,
        opts,
        &Registry::builtin(),
        &|j| finished.contains_key(&j),
        &keep,
    )?;
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

pub fn plan(
    path: PathBuf,
    sets: &[String],
    opts: RunOptions,
    out: Option<PathBuf>,
    quiet: bool,
    limits: Budget,
) -> Result<(), Failure> {
    let started = Instant::now();
    let exp = load_experiment_with(&path, sets)?;
    let candidates = budget::plan_candidates(&exp);
    budget::check(
        &exp,
        &budget::estimate(&exp, candidates, opts.threads),
        &limits,
    )?;
    let registry = Registry::builtin();
    let search = PlanSearch::new(&exp, &registry, opts.seed)?;
    let names = search.candidate_names();
    let meta = meta_toml(
        &exp,
        &MetaContext {
            command: "plan",
            seed: opts.seed.unwrap_or(exp.config.seed),
            shard: None,
            overrides: sets.to_vec(),
        },
    )?;
    let outcome = search.run(opts)?;
    let dir = out.unwrap_or_else(|| PathBuf::from("output").join(&exp.config.name));
    report::plan::write_plan(
        &dir,
        &outcome,
        &names,
        &described(&meta, started, opts.threads),
    )
    .map_err(|e| Failure::Runtime(format!("cannot write to {}: {e}", dir.display())))?;
    if !quiet {
        print!("{}", report::plan::console_summary(&outcome));
        println!(
            "planned in {:.2} s; results in {}",
            started.elapsed().as_secs_f64(),
            dir.display()
        );
    }
    if outcome.best.is_none() {
        return Err(Failure::Runtime(format!(
            "no candidate plan meets the SLO of [plan.slo]; see {}",
            dir.join("candidates.csv").display()
        )));
    }
    Ok(())
}

/// Refuses a merge whose output is one of its shard folders, or holds or lies in one: the
/// output replaces its folder whole, so an input would be overwritten while (or before) it
/// is read.
fn refuse_output_over_inputs(shards: &[PathBuf], out: &std::path::Path) -> Result<(), Failure> {
    let out_full = resolved(out);
    for s in shards {
        let s_full = resolved(s);
        if out_full.starts_with(&s_full) || s_full.starts_with(&out_full) {
            return Err(Failure::Refused(format!(
                "--out {} is the shard folder {} or overlaps it: the merge would overwrite its own input; give another --out",
                out.display(),
                s.display()
            )));
        }
    }
    Ok(())
}

/// `p` with links and `..` resolved as far as it exists: an output and its parents need
/// not exist yet, so the nearest existing ancestor is resolved and the rest appended.
fn resolved(p: &std::path::Path) -> PathBuf {
    if let Ok(full) = std::fs::canonicalize(p) {
        return full;
    }
    match (p.parent(), p.file_name()) {
        (Some(parent), Some(name)) if parent.as_os_str().is_empty() => {
            resolved(std::path::Path::new(".")).join(name)
        }
        (Some(parent), Some(name)) => resolved(parent).join(name),
        _ => p.to_path_buf(),
    }
}
