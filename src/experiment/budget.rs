//! Budgets on the whole work of a command, checked before anything runs (and by `check`):
//! how many jobs (simulated runs) the sweep expands to, how many sessions they simulate,
//! how many frame events at frame fidelity, and a memory estimate. Each setting alone can be
//! in range while their product means hours, billions of sessions or an allocation abort;
//! the budget says so with the numbers and the flag that raises it.

use super::sessions::sweep_points;
use crate::config::experiment::{CapacityPlan, Experiment, Fidelity, Sessions};
use crate::config::sessions::{LoadKind, SessionAppConfig};
use crate::config::{ConfigError, LoadedExperiment};

/// Limits on the whole work; the defaults are documented in docs/input.md.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    /// Most jobs (sweep points x runs, or candidate plans x runs).
    pub max_jobs: u64,
    /// Most sessions simulated, all jobs together.
    pub max_sessions: u64,
    /// Most frame events at frame fidelity, all jobs together.
    pub max_frame_events: u64,
    /// Most memory the estimate may reach, GiB.
    pub max_memory_gib: f64,
    /// Most nodes provisioned, all provisioning jobs together (a job's events grow with
    /// its cluster's nodes).
    pub max_nodes: u64,
    /// Most cluster samples `--metrics` writes, all runs together (about 500 bytes of
    /// OpenMetrics and CSV each).
    pub max_metric_samples: u64,
}

impl Default for Budget {
    /// About an hour of CPU at the measured rates (500 k sessions/s at flow, 10 M frame
    /// events/s at frame fidelity), and two thirds of a 24 GiB machine.
    fn default() -> Self {
        Budget {
            max_jobs: 1_000_000,
            max_sessions: 1_000_000_000,
            max_frame_events: 20_000_000_000,
            max_memory_gib: 16.0,
            max_nodes: MAX_NODES,
            max_metric_samples: MAX_METRIC_SAMPLES,
        }
    }
}

/// Default budget of provisioned nodes: under an hour of CPU at the measured rate of about
/// 130,000 nodes per second per core (20 runs x 2 distributions of one 10,000-node cluster
/// in 3.1 s; docs/input.md).
pub const MAX_NODES: u64 = 400_000_000;

/// The estimated work of an experiment.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Work {
    /// Jobs.
    pub jobs: u64,
    /// Sessions, all jobs together.
    pub sessions: f64,
    /// Frame events, all jobs together.
    pub frame_events: f64,
    /// Peak memory, bytes (the largest platform, which grows with sites x candidates, plus
    /// concurrent sessions per thread).
    pub memory_bytes: f64,
    /// Nodes provisioned, all provisioning jobs together.
    pub nodes: f64,
}

/// Bytes per candidate of a session platform (the candidate, its per-application path
/// and central costs, its relays and their index entries), estimate.
const BYTES_PER_CANDIDATE: f64 = 176.0;
/// Bytes per application per candidate (two per-application costs).
const BYTES_PER_CANDIDATE_APP: f64 = 16.0;
/// Bytes per site besides its candidates (site, cluster, nearest-site search scratch per
/// thread, monitoring and ledger rows), estimate.
const BYTES_PER_SITE: f64 = 1024.0;
/// Bytes per concurrent session (slot, reservation, latency group share), estimate.
const BYTES_PER_SESSION: f64 = 256.0;

/// The work of `exp` run as is (`candidates` > 0: as a capacity plan of that many candidate
/// plans, each with every run, plus as many hold-out re-simulations).
pub fn estimate(exp: &LoadedExperiment, candidates: u64, threads: usize) -> Work {
    let cfg = &exp.config;
    let runs = cfg.runs as u64;
    match exp.experiment() {
        Experiment::Comparison(c) => {
            let options = c.options.kinds.len() as f64;
            let parts = [c.streaming, c.sessions].map(|p| estimate(p, 0, threads));
            parts.into_iter().fold(Work::default(), |all, w| Work {
                jobs: all.jobs + w.jobs * options as u64,
                sessions: all.sessions + w.sessions * options,
                frame_events: all.frame_events + w.frame_events * options,
                memory_bytes: all.memory_bytes.max(w.memory_bytes),
                nodes: all.nodes + w.nodes * options,
            })
        }
        Experiment::Sessions(s) => session_work(exp, s, candidates, threads),
        Experiment::CapacityPlan(p) => session_work(exp, p.sessions, candidates, threads),
        Experiment::Provisioning(p) => {
            let sizes: f64 = p.nodes.iter().map(|&n| n as f64).sum();
            Work {
                jobs: (p.distributions.len() * p.nodes.len()) as u64 * runs,
                nodes: p.distributions.len() as f64 * sizes * runs as f64,
                ..Work::default()
            }
        }
        Experiment::Streaming(s) => {
            let jobs = s.scenarios.len() as u64 * runs;
            let fps = s
                .application
                .flows
                .first()
                .map_or(0.0, |f| f.frame_rate_fps);
            let hops = s.application.components.len() as f64;
            Work {
                jobs,
                sessions: 0.0,
                frame_events: jobs as f64 * cfg.duration_s * fps * (2.0 * hops + 2.0),
                memory_bytes: 0.0,
                nodes: 0.0,
            }
        }
    }
}

/// The work of a session experiment (see [`estimate`]).
fn session_work(exp: &LoadedExperiment, view: Sessions, candidates: u64, threads: usize) -> Work {
    let cfg = &exp.config;
    let s = view.sessions;
    let runs = cfg.runs as u64;
    let points = if candidates > 0 {
        2 * candidates
    } else {
        sweep_points(exp, s).len() as u64
    };
    let jobs = points * runs;
    // Sessions per job at each swept rate (a trace: its arrivals), averaged over the
    // rates: every rate is run by the same number of jobs.
    let rates: Vec<f64> = match s.load.kind {
        LoadKind::Trace => {
            vec![view.trace.len() as f64 * s.load.scale.ceil() / cfg.duration_s.max(1e-9)]
        }
        _ => s
            .sweep
            .rate_per_s
            .as_ref()
            .and_then(|a| a.values())
            .unwrap_or_else(|| vec![s.load.rate_per_s]),
    };
    let mean_rate = rates.iter().sum::<f64>() / rates.len().max(1) as f64;
    let peak_rate = rates.iter().cloned().fold(0.0, f64::max);
    let per_job = mean_rate * cfg.duration_s;
    let sessions = per_job * jobs as f64;
    // A session shows frames only while the run lasts: a long session in a short run
    // costs the run's length, not its own.
    let within_run = |a: &SessionAppConfig| a.mean_duration_s.min(cfg.duration_s);
    let frames_per_session: f64 = s
        .applications
        .iter()
        .map(|a| a.share * within_run(a) * a.frame_rate_fps)
        .sum::<f64>()
        / s.applications
            .iter()
            .map(|a| a.share)
            .sum::<f64>()
            .max(1e-9);
    let frame_events = if cfg.fidelity() == Fidelity::Frame {
        2.0 * sessions * frames_per_session
    } else {
        0.0
    };
    let sites = view
        .topologies
        .iter()
        .map(|t| t.sites.len().max(t.clusters.len()))
        .max()
        .unwrap_or(0) as f64;
    let candidates = (s.candidates_per_site as f64 + 4.0).min(sites);
    let per_site = BYTES_PER_SITE
        + candidates
            * (BYTES_PER_CANDIDATE + BYTES_PER_CANDIDATE_APP * s.applications.len() as f64);
    let concurrent = peak_rate * s.applications.iter().map(within_run).fold(0.0, f64::max);
    let parallel = (threads.max(1) as u64).min(jobs.max(1)) as f64;
    Work {
        jobs,
        sessions,
        frame_events,
        memory_bytes: sites * per_site + parallel * concurrent * BYTES_PER_SESSION,
        nodes: 0.0,
    }
}

/// Candidate plans `xrplace plan` may simulate for `exp`, counted in plans of `runs` runs
/// (a plan the sequential rule gives up to `max_runs` counts that many times over); 0
/// for other kinds than a capacity plan.
pub fn plan_candidates(exp: &LoadedExperiment) -> u64 {
    let runs = exp.config.runs.max(1);
    match exp.experiment() {
        Experiment::CapacityPlan(CapacityPlan { plan: p, .. }) => {
            p.max_candidates as u64 * p.max_runs(runs).div_ceil(runs) as u64
        }
        Experiment::Streaming(_)
        | Experiment::Provisioning(_)
        | Experiment::Sessions(_)
        | Experiment::Comparison(_) => 0,
    }
}

/// Refuses work over `budget`, naming the numbers and the flag that raises the limit.
pub fn check(exp: &LoadedExperiment, work: &Work, budget: &Budget) -> Result<(), ConfigError> {
    let over = |what: &str, value: String, limit: String, flag: &str| {
        Err(ConfigError::whole_file(
            &exp.path,
            format!("the experiment expands to {value} {what}, over the budget of {limit}; make it smaller, or raise the budget with {flag} (docs/input.md)"),
        ))
    };
    if work.jobs > budget.max_jobs {
        return over(
            "jobs (sweep points x runs)",
            work.jobs.to_string(),
            budget.max_jobs.to_string(),
            "--max-jobs",
        );
    }
    if work.sessions > budget.max_sessions as f64 {
        return over(
            "sessions (rate x duration x jobs)",
            format!("{:.3e}", work.sessions),
            budget.max_sessions.to_string(),
            "--max-sessions",
        );
    }
    if work.frame_events > budget.max_frame_events as f64 {
        return over(
            "frame events (sessions x frames x 2)",
            format!("{:.3e}", work.frame_events),
            budget.max_frame_events.to_string(),
            "--max-frame-events",
        );
    }
    if work.nodes > budget.max_nodes as f64 {
        return over(
            "provisioned nodes (cluster sizes x distributions x runs)",
            format!("{:.3e}", work.nodes),
            budget.max_nodes.to_string(),
            "--max-nodes",
        );
    }
    let gib = work.memory_bytes / (1u64 << 30) as f64;
    if gib > budget.max_memory_gib {
        return over(
            "GiB of memory (candidates of the largest topology's sites, concurrent sessions per thread)",
            format!("{gib:.1}"),
            format!("{} GiB", budget.max_memory_gib),
            "--max-memory-gib",
        );
    }
    Ok(())
}

/// One line describing the work, for `check`.
pub fn describe(w: &Work) -> String {
    let nodes = if w.nodes > 0.0 {
        format!(", {:.3e} nodes provisioned", w.nodes)
    } else {
        String::new()
    };
    format!(
        "{} jobs, {:.3e} sessions, {:.3e} frame events{nodes}, about {:.2} GiB",
        w.jobs,
        w.sessions,
        w.frame_events,
        w.memory_bytes / (1u64 << 30) as f64
    )
}

/// Default of [`Budget::max_metric_samples`]: about 1 GB of output at 500 bytes a sample.
pub const MAX_METRIC_SAMPLES: u64 = 2_000_000;

/// Refuses monitoring samples (`--metrics`) past `limit` for the jobs of `shard` (all of
/// them without one); a session sweep's jobs only, as other kinds keep few samples.
pub fn check_metric_samples(
    exp: &LoadedExperiment,
    shard: Option<(u32, u32)>,
    limit: u64,
) -> Result<(), ConfigError> {
    let Some(Sessions { sessions: s, .. }) = exp.session_sweep() else {
        return Ok(());
    };
    let shards = shard.map_or(1.0, |(_, n)| n as f64);
    let jobs = (sweep_points(exp, s).len() as f64 * exp.config.runs as f64 / shards).ceil();
    let clusters = exp
        .topologies
        .iter()
        .map(|t| t.clusters.len())
        .max()
        .unwrap_or(0) as f64;
    let scrapes = (exp.config.duration_s / s.scrape_interval_s).floor() + 1.0;
    let samples = jobs * clusters * scrapes;
    if samples > limit as f64 {
        return Err(ConfigError::whole_file(&exp.path, format!(
            "--metrics would write about {samples:.0} cluster samples ({jobs} runs x {clusters} clusters x {scrapes} scrapes), more than {limit} (--max-metric-samples): shorten the run with --set duration_s=..., run fewer runs, points or clusters, or raise the budget"
        )));
    }
    Ok(())
}
