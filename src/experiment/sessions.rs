//! Runs a session experiment: every strategy x repetition on the same topology, load and
//! faults, in parallel, reported in a fixed order.

use super::progress::{Progress, RunProgress};
use super::runner::RunOptions;
use super::trace_scale::scale_trace;
use super::workers::worker_pool;
use crate::base::units::ms_from_s;
use crate::config::experiment::{Fidelity, PeeringMode, Sessions};
use crate::config::sessions::SessionFaultKind;
use crate::config::sessions::{LoadKind, SessionsConfig};
use crate::config::source::Source;
use crate::config::topology::TopologyConfig;
use crate::config::{ConfigError, LoadedExperiment};
use crate::engine::{CalendarQueue, RadixQueue, RngStreams, SimDuration, SimTime};
use crate::metrics::sessions::{SessionRecorder, SessionSummary};
use crate::metrics::timeseries::RunSeries;
pub use crate::model::session_platform::{build_platform, liqo_footprint};
use crate::model::{ClusterId, Topology};
use crate::strategy::{Registry, StrategyContext};
use crate::world::sessions::{
    Arrivals, ControlSettings, Fault, FaultEffect, SessionObserver, SessionPlatform,
    SessionSettings, SessionWorld,
};
use rand_distr::{Distribution, Exp};
use rayon::prelude::*;

/// One sweep point: where the strategies are compared.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPoint {
    /// Strategy name.
    pub strategy: String,
    /// Index into the experiment's topologies.
    pub topology: usize,
    /// Topology name.
    pub topology_name: String,
    /// Mean arrival rate, sessions/s (0 for a trace).
    pub rate_per_s: f64,
    /// Fault model name.
    pub fault_model: String,
}

/// One run of one strategy.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    /// The sweep point.
    pub point: SweepPoint,
    /// Position of this run in the whole sweep (point-major, then run).
    pub job: u64,
    /// Strategy name.
    pub strategy: String,
    /// Repetition.
    pub run: u32,
    /// The seed of the whole experiment (the file's `seed`, or `--seed`), the same in
    /// every run: run `run`'s random streams derive from this and `run` together.
    pub experiment_seed: u64,
    /// Events handled.
    pub events: u64,
    /// Latency budget of the SLO the run's `slo_violation_ratio` is measured against, ms.
    pub slo_latency_ms: f64,
    /// Figures.
    pub summary: SessionSummary,
    /// Monitoring samples of every scrape, if the run was asked to keep them.
    pub series: Option<RunSeries>,
}

/// All runs of the sweep (or of one shard of it), in job order.
#[derive(Debug, Clone)]
pub struct SessionResult {
    /// Experiment name.
    pub name: String,
    /// Strategies in file order.
    pub strategies: Vec<String>,
    /// Application names in file order (their index is the one in per-application
    /// figures).
    pub apps: Vec<String>,
    /// Runs.
    pub rows: Vec<SessionRow>,
    /// Jobs in the whole sweep (all shards).
    pub jobs_total: u64,
}

/// The sweep's points, in output order: topology, then load rate, then fault model, then
/// strategy (file order on every axis).
pub fn sweep_points(exp: &LoadedExperiment, s: &SessionsConfig) -> Vec<SweepPoint> {
    let rates = match (&s.sweep.rate_per_s, s.load.kind) {
        (_, LoadKind::Trace) => vec![0.0],
        (Some(axis), _) => axis.values().unwrap_or_default(),
        (None, _) => vec![s.load.rate_per_s],
    };
    let models = if s.sweep.fault_models.is_empty() {
        vec![String::from("default")]
    } else {
        s.sweep.fault_models.clone()
    };
    let mut points = Vec::new();
    for (t, topo) in exp.topologies.iter().enumerate() {
        for &rate in &rates {
            for model in &models {
                for strategy in &s.strategies {
                    points.push(SweepPoint {
                        strategy: strategy.clone(),
                        topology: t,
                        topology_name: topo.name.clone(),
                        rate_per_s: rate,
                        fault_model: model.clone(),
                    });
                }
            }
        }
    }
    points
}

/// The faults of fault model `name` on a platform for one run: the listed ones, and the
/// random ones its rates draw from the run's `fault-rates` stream (the same for every
/// strategy of that run).
fn faults_of(
    s: &SessionsConfig,
    name: &str,
    t: &Topology,
    streams: &RngStreams,
    horizon_s: f64,
) -> Vec<Fault> {
    let (list, rates) = match name {
        "none" => (&[][..], &[][..]),
        "default" => (&s.faults[..], &s.fault_rates[..]),
        other => s
            .fault_models
            .iter()
            .find(|m| m.name == other)
            .map_or((&[][..], &[][..]), |m| (&m.faults[..], &m.fault_rates[..])),
    };
    let at = |x: f64| SimTime::ZERO + SimDuration::from_secs_f64(x);
    let mut faults: Vec<Fault> = list
        .iter()
        .filter_map(|f| {
            let site = || {
                t.sites
                    .iter()
                    .position(|x| x.name == f.site)
                    .map(|i| i as u32)
            };
            let effect = match f.kind {
                SessionFaultKind::ClusterFailure => {
                    FaultEffect::ClusterDown(t.cluster_id(&f.cluster)?)
                }
                SessionFaultKind::NodeLoss => {
                    FaultEffect::NodeLoss(t.cluster_id(&f.cluster)?, f.nodes)
                }
                SessionFaultKind::LinkDegradation => {
                    FaultEffect::LinkDegradation(site()?, f.extra_rtt_ms, f.bandwidth_factor)
                }
                SessionFaultKind::Partition => FaultEffect::Partition(site()?),
            };
            Some(Fault {
                effect,
                at: at(f.at_s),
                duration: SimDuration::from_secs_f64(f.duration_s),
            })
        })
        .collect();
    let mut rng = streams.stream("fault-rates");
    for r in rates {
        let up = Exp::new(1.0 / (r.mtbf_h * 3600.0)).expect("validated positive MTBF");
        let per_site = matches!(
            r.kind,
            SessionFaultKind::LinkDegradation | SessionFaultKind::Partition
        );
        let targets = if per_site {
            t.sites.len()
        } else {
            t.clusters.len()
        };
        for i in 0..targets {
            let mut time = up.sample(&mut rng);
            while time < horizon_s {
                let repair = if r.mttr_h > 0.0 {
                    Exp::new(1.0 / (r.mttr_h * 3600.0))
                        .expect("validated")
                        .sample(&mut rng)
                } else {
                    0.0
                };
                let effect = match r.kind {
                    SessionFaultKind::NodeLoss if t.clusters[i].nodes > 1 => {
                        FaultEffect::NodeLoss(ClusterId(i as u32), 1)
                    }
                    SessionFaultKind::ClusterFailure | SessionFaultKind::NodeLoss => {
                        FaultEffect::ClusterDown(ClusterId(i as u32))
                    }
                    SessionFaultKind::LinkDegradation => {
                        FaultEffect::LinkDegradation(i as u32, r.extra_rtt_ms, r.bandwidth_factor)
                    }
                    SessionFaultKind::Partition => FaultEffect::Partition(i as u32),
                };
                faults.push(Fault {
                    effect,
                    at: at(time),
                    duration: SimDuration::from_secs_f64(repair),
                });
                time += repair + up.sample(&mut rng);
            }
        }
    }
    faults
}

/// The control loop's settings; the peering delay is the Liqo steps before a pod can run
/// remotely (authentication, network, virtual node, offloading) from the topology.
fn control_settings(s: &SessionsConfig, t: &TopologyConfig) -> ControlSettings {
    let c = &s.control;
    let l = &t.paths.liqo;
    ControlSettings {
        autoscale: c.autoscale,
        scale_out_util: c.scale_out_util,
        scale_in_util: c.scale_in_util,
        step_nodes: c.step_nodes,
        max_extra_nodes: c.max_extra_nodes,
        cooldown: SimDuration::from_secs_f64(c.cooldown_s),
        on_demand_peering: c.peering == PeeringMode::OnDemand,
        peering_delay: SimDuration::from_secs_f64(l.peering_s()),
        capi: c.capi.clone(),
        provision_after_sessions: c.provision_after_sessions,
        deprovision_idle: SimDuration::from_secs_f64(c.deprovision_idle_s),
    }
}

/// Simulates run `run` (with experiment seed `seed`) of one sweep point on `platform`
/// (built from `topo_cfg`), reporting to `obs`; returns the events handled. The strategy
/// must be registered (checked by the callers).
pub fn simulate(
    exp: &LoadedExperiment,
    platform: &SessionPlatform,
    topo_cfg: &TopologyConfig,
    point: &SweepPoint,
    seed_run: (u64, u32),
    registry: &Registry,
    obs: &mut impl SessionObserver,
) -> u64 {
    let job = (exp, platform, topo_cfg, point);
    simulate_with_progress(job, seed_run, registry, obs, &mut |_| {})
}

/// One job of a sweep: the experiment, the platform and topology it runs on, its point.
pub type Job<'a> = (
    &'a LoadedExperiment,
    &'a SessionPlatform,
    &'a TopologyConfig,
    &'a SweepPoint,
);

/// The settings of one run of a job, its faults drawn from `streams` (those of the run).
pub fn session_settings(
    (exp, platform, topo_cfg, point): Job,
    streams: &RngStreams,
) -> SessionSettings {
    let cfg = &exp.config;
    let s = cfg.sessions.as_ref().expect("a session experiment");
    SessionSettings {
        duration: SimDuration::from_secs_f64(cfg.duration_s),
        scrape: SimDuration::from_secs_f64(s.scrape_interval_s),
        lag: SimDuration::from_secs_f64(s.aggregation_lag_s),
        faults: faults_of(
            s,
            &point.fault_model,
            &platform.topology,
            streams,
            cfg.duration_s,
        ),
        migration_downtime_s: s.migration_downtime_s,
        control: control_settings(s, topo_cfg),
        frames: cfg.fidelity() == Fidelity::Frame,
    }
}

/// [`simulate`], telling `progressed` the simulated time at every scrape.
pub fn simulate_with_progress(
    (exp, platform, topo_cfg, point): Job,
    (seed, run): (u64, u32),
    registry: &Registry,
    obs: &mut impl SessionObserver,
    progressed: &mut dyn FnMut(SimTime),
) -> u64 {
    let streams = RngStreams::new(seed, run as u64);
    let settings = session_settings((exp, platform, topo_cfg, point), &streams);
    let arrivals = arrivals_of(exp, point.rate_per_s);
    let mut strategy = registry
        .create(
            &point.strategy,
            StrategyContext {
                rng: streams.stream("strategy"),
            },
        )
        .expect("strategy checked by the caller");
    if settings.frames {
        // Every frame of every session: a dense near future, where a calendar queue beats
        // the heaps. Every queue orders events the same way, so results do not change.
        SessionWorld::new(
            platform,
            &settings,
            &arrivals,
            streams,
            CalendarQueue::for_frames(),
        )
        .run_with_progress(strategy.as_mut(), obs, progressed)
    } else {
        SessionWorld::new(platform, &settings, &arrivals, streams, RadixQueue::new())
            .run_with_progress(strategy.as_mut(), obs, progressed)
    }
}

/// The arrival process of a session experiment at `rate_per_s` (ignored for a trace,
/// which is replayed at its `scale`).
pub fn arrivals_of(exp: &LoadedExperiment, rate_per_s: f64) -> Arrivals {
    let s = exp.config.sessions.as_ref().expect("a session experiment");
    match s.load.kind {
        LoadKind::Trace => {
            let listed: Vec<_> = exp
                .trace
                .iter()
                .map(|a| (a.time_s, a.site, a.app, a.duration_s))
                .collect();
            Arrivals::Trace(scale_trace(
                &listed,
                s.load.scale,
                s.load.scale_spread_s,
                exp.config.seed,
            ))
        }
        LoadKind::Poisson => Arrivals::Generated {
            rate_per_s,
            amplitude: 0.0,
        },
        LoadKind::Diurnal => Arrivals::Generated {
            rate_per_s,
            amplitude: s.load.amplitude,
        },
    }
}

/// Checks that every strategy of the experiment is registered.
pub fn check_strategies(exp: &LoadedExperiment, registry: &Registry) -> Result<(), ConfigError> {
    let Some(Sessions { sessions: s, .. }) = exp.session_sweep() else {
        return Err(ConfigError::whole_file(
            &exp.path,
            "not a session experiment: no [sessions]",
        ));
    };
    for (i, name) in s.strategies.iter().enumerate() {
        if registry
            .create(
                name,
                StrategyContext {
                    rng: RngStreams::new(0, 0).stream("check"),
                },
            )
            .is_none()
        {
            let src = Source::read(&exp.path)?;
            return Err(src.error(
                &format!("sessions.strategies[{i}]"),
                format!(
                    "unknown strategy {name:?}; expected one of: {}",
                    registry.names().join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Runs every strategy `runs` times on the experiment's `[sessions]`.
pub fn run_sessions(
    exp: &LoadedExperiment,
    opts: RunOptions,
) -> Result<SessionResult, ConfigError> {
    run_sessions_with(exp, opts, &Registry::builtin())
}

/// As [`run_sessions`], with strategies from `registry` (built-ins plus your own).
pub fn run_sessions_with(
    exp: &LoadedExperiment,
    opts: RunOptions,
    registry: &Registry,
) -> Result<SessionResult, ConfigError> {
    run_session_jobs(exp, opts, registry, &|_| false, &|_| {})
}

/// As [`run_sessions_with`], skipping the jobs `skip` names (a resumed shard has them
/// already) and handing every finished job to `done` as it ends (from worker threads), so a
/// killed run keeps what it finished. `done` may take what it alone needs out of the row
/// (its monitoring samples, written as jobs end). The result holds the jobs run here.
pub fn run_session_jobs(
    exp: &LoadedExperiment,
    opts: RunOptions,
    registry: &Registry,
    skip: &(dyn Fn(u64) -> bool + Sync),
    done: &(dyn Fn(&mut SessionRow) + Sync),
) -> Result<SessionResult, ConfigError> {
    check_strategies(exp, registry)?;
    let cfg = &exp.config;
    let s = cfg.sessions.as_ref().expect("checked");
    let platforms: Vec<SessionPlatform> = exp
        .topologies
        .iter()
        .map(|t| build_platform(s, t, s.capacity))
        .collect();
    let points = sweep_points(exp, s);
    let seed = opts.seed.unwrap_or(cfg.seed);
    let runs = cfg.runs as u64;
    let jobs_total = points.len() as u64 * runs;
    let jobs: Vec<u64> = (0..jobs_total)
        .filter(|&j| super::shard::holds(opts.shard, j))
        .filter(|&j| !skip(j))
        .collect();
    let run_ms = ms_from_s(exp.config.duration_s);
    let progress = Progress::new(opts.progress, jobs.len() as u64, run_ms);
    let run_one = |&job: &u64| {
        let point = &points[(job / runs) as usize];
        let r = (job % runs) as u32;
        let mut rec = if opts.series {
            SessionRecorder::with_series()
        } else {
            SessionRecorder::default()
        };
        let mut reached = RunProgress::new(&progress);
        let events = simulate_with_progress(
            (
                exp,
                &platforms[point.topology],
                &exp.topologies[point.topology],
                point,
            ),
            (seed, r),
            registry,
            &mut rec,
            &mut |t| reached.reached(t.0),
        );
        reached.done(run_ms);
        let mut row = SessionRow {
            point: point.clone(),
            job,
            strategy: point.strategy.clone(),
            run: r,
            experiment_seed: seed,
            events,
            slo_latency_ms: s.slo_latency_ms,
            summary: rec.summary(),
            series: rec.take_series(),
        };
        done(&mut row);
        row
    };
    let pool = worker_pool(exp, opts.threads)?;
    let rows = pool.install(|| jobs.par_iter().map(run_one).collect());
    progress.finish();
    Ok(SessionResult {
        name: cfg.name.clone(),
        strategies: s.strategies.clone(),
        apps: s.applications.iter().map(|a| a.name.clone()).collect(),
        rows,
        jobs_total,
    })
}
