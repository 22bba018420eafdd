//! Expands an experiment into runs (scenario x repetition), runs them in parallel and
//! returns the results in a fixed order, whatever the thread count.

use super::progress::{Progress, RunProgress};
use super::workers::worker_pool;
use crate::config::experiment::{Experiment, Fidelity, Streaming};
use crate::config::{ConfigError, LoadedExperiment};
use crate::engine::{RadixQueue, RngStreams, SimDuration, SimTime};
use crate::metrics::{RunRecorder, RunSummary};
use crate::model::{Application, Scenario, Topology};
use crate::world::streaming_flow::run_flow;
use crate::world::streaming_load::{bottleneck, Bottleneck};
use crate::world::{ClusterSample, RunCounts, RunObserver, RunSettings, StreamingWorld};
use rayon::prelude::*;

/// Command-line overrides of an experiment.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Replaces the experiment's seed.
    pub seed: Option<u64>,
    /// Worker threads (0: rayon's default, one per core).
    pub threads: usize,
    /// Run only shard `k` (1-based) of `n` of a sweep: the jobs
    /// [`super::shard::holds`] gives it.
    pub shard: Option<(u32, u32)>,
    /// Show a progress bar with ETA (only drawn when stderr is a terminal).
    pub progress: bool,
    /// Keep every scrape's monitoring samples of session runs ([`crate::metrics::timeseries`]).
    pub series: bool,
}

/// One run's identity and figures.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    /// Scenario name.
    pub scenario: String,
    /// Repetition index, from 0.
    pub run: u32,
    /// The seed of the whole experiment (the file's `seed`, or `--seed`), the same in
    /// every run: run `run`'s random streams derive from this and `run` together.
    pub experiment_seed: u64,
    /// Events the engine handled.
    pub events: u64,
    /// The run's figures.
    pub summary: RunSummary,
    /// Monitoring scrapes: (time in s, cluster name, CPU %, memory %), in scrape order.
    pub scrapes: Vec<ScrapeRow>,
    /// Named moments (peering steps, link failures, first byte): (time in s, event).
    pub trace: Vec<(f64, &'static str)>,
}

/// One cluster's monitoring sample in one run.
#[derive(Debug, Clone, PartialEq)]
pub struct ScrapeRow {
    /// Scrape time, s since the start of the run.
    pub time_s: f64,
    /// Cluster name.
    pub cluster: String,
    /// CPU over the scrape window, percent.
    pub cpu_pct: f64,
    /// Memory in use, percent.
    pub mem_pct: f64,
}

/// All runs of an experiment, scenario-major, in file order.
#[derive(Debug, Clone)]
pub struct ExperimentResult {
    /// Experiment name.
    pub name: String,
    /// Scenario names in file order.
    pub scenarios: Vec<String>,
    /// Each scenario's `description` (free text, possibly empty), one per entry of
    /// `scenarios` in the same order: what the figures write under its name.
    pub descriptions: Vec<String>,
    /// Each scenario's busiest part at steady load, in file order.
    pub bottlenecks: Vec<Bottleneck>,
    /// One row per run.
    pub rows: Vec<RunRow>,
}

impl ExperimentResult {
    /// The runs of one scenario, in run order.
    pub fn rows_of(&self, scenario: &str) -> Vec<&RunRow> {
        self.rows
            .iter()
            .filter(|r| r.scenario == scenario)
            .collect()
    }
}

/// A prepared scenario: the model every run of it shares.
struct Prepared {
    scenario: Scenario,
}

/// Runs every scenario `runs` times; `Err` only if a scenario cannot be built.
pub fn run_experiment(
    exp: &LoadedExperiment,
    opts: RunOptions,
) -> Result<ExperimentResult, ConfigError> {
    let cfg = &exp.config;
    let Experiment::Streaming(Streaming {
        application: app_cfg,
        ..
    }) = exp.experiment()
    else {
        return Err(ConfigError::whole_file(
            &exp.path,
            "not a streaming experiment: no [application]",
        ));
    };
    let app = Application::from_config(app_cfg);
    let prepared = prepare(exp, &app)?;
    let seed = opts.seed.unwrap_or(cfg.seed);
    let settings = RunSettings {
        duration: SimDuration::from_secs_f64(cfg.duration_s),
        warmup: SimDuration::from_secs_f64(cfg.warmup_s),
        scrape_interval: SimDuration::from_secs_f64(cfg.scrape_interval_s),
    };
    let jobs: Vec<(usize, u32)> = (0..prepared.len())
        .flat_map(|s| (0..cfg.runs).map(move |r| (s, r)))
        .collect();
    let run_ms = settings.duration.0 / 1_000_000;
    let progress = Progress::new(opts.progress, jobs.len() as u64, run_ms);
    let run_one = |&(s, r): &(usize, u32)| {
        let scn = &prepared[s].scenario;
        let streams = RngStreams::new(seed, r as u64);
        let mut rec = RunRecorder::default();
        let mut obs = Reporting {
            rec: &mut rec,
            progress: RunProgress::new(&progress),
        };
        let counts = match cfg.fidelity() {
            Fidelity::Frame => {
                StreamingWorld::new(&app, scn, settings, streams, RadixQueue::new()).run(&mut obs)
            }
            Fidelity::Flow => {
                run_flow(
                    &app,
                    scn,
                    settings.duration,
                    settings.scrape_interval,
                    &mut obs,
                );
                RunCounts::default()
            }
        };
        obs.progress.done(run_ms);
        RunRow {
            scenario: scn.name.clone(),
            run: r,
            experiment_seed: seed,
            events: counts.events,
            summary: rec.summary(),
            scrapes: scrape_rows(&rec, scn),
            trace: rec
                .milestones
                .iter()
                .map(|(t, what)| (t.0 as f64 / 1e9, *what))
                .collect(),
        }
    };
    let pool = worker_pool(exp, opts.threads)?;
    let rows = pool.install(|| jobs.par_iter().map(run_one).collect());
    progress.finish();
    Ok(ExperimentResult {
        name: cfg.name.clone(),
        scenarios: prepared.iter().map(|p| p.scenario.name.clone()).collect(),
        descriptions: cfg
            .scenarios
            .iter()
            .map(|s| s.description.clone())
            .collect(),
        bottlenecks: prepared
            .iter()
            .map(|p| bottleneck(&app, &p.scenario, false))
            .collect(),
        rows,
    })
}

/// A run's recorder that also tells the progress display the simulated time it reached
/// at each scrape.
struct Reporting<'a, 'p> {
    rec: &'a mut RunRecorder,
    progress: RunProgress<'p>,
}

impl RunObserver for Reporting<'_, '_> {
    fn frame_presented(&mut self, at: SimTime, latency: SimDuration) {
        self.rec.frame_presented(at, latency);
    }
    fn frame_lost(&mut self, at: SimTime) {
        self.rec.frame_lost(at);
    }
    fn scrape(&mut self, at: SimTime, samples: &[ClusterSample]) {
        self.rec.scrape(at, samples);
        self.progress.reached(at.0);
    }
    fn milestone(&mut self, at: SimTime, what: &'static str) {
        self.rec.milestone(at, what);
    }
}

fn scrape_rows(rec: &RunRecorder, scn: &Scenario) -> Vec<ScrapeRow> {
    let per_scrape = scn.clusters.len().max(1);
    rec.series
        .per_cluster
        .iter()
        .enumerate()
        .map(|(i, s)| ScrapeRow {
            time_s: rec.series.times[i / per_scrape].0 as f64 / 1e9,
            cluster: scn.topology.cluster(s.cluster).name.clone(),
            cpu_pct: s.cpu_pct,
            mem_pct: s.mem_pct,
        })
        .collect()
}

fn prepare(exp: &LoadedExperiment, app: &Application) -> Result<Vec<Prepared>, ConfigError> {
    Ok(build_scenarios(exp, app)?
        .into_iter()
        .map(|scenario| Prepared { scenario })
        .collect())
}

/// The model of every scenario of a streaming experiment, in file order; `Err` names the
/// first whose placed components cannot reach each other.
pub fn build_scenarios(
    exp: &LoadedExperiment,
    app: &Application,
) -> Result<Vec<Scenario>, ConfigError> {
    exp.config
        .scenarios
        .iter()
        .zip(&exp.topologies)
        .map(|(s, t)| {
            Scenario::build(s, Topology::from_config(t), &t.paths, app).ok_or_else(|| {
                ConfigError::whole_file(
                    &exp.path,
                    format!(
                        "scenario {:?}: placed components cannot reach each other",
                        s.name
                    ),
                )
            })
        })
        .collect()
}
