//! A steppable episode of a session experiment, for learning agents (the Gymnasium
//! environment of `python/xrplace/gym.py`): control is inverted, so the caller advances the
//! world to the next placement decision, reads the request and the monitored view, and
//! answers with a ranking of clusters; no thread, no channel.
//!
//! ```text
//! EpisodeSetup (Arc: parsed experiment, built platform, arrivals; built once)
//!    └─ Episode::new(setup, seed) ── world at t = 0, advanced to the first arrival
//!         loop: request() ─ decide(ranked) ─ (advances to the next arrival or the end)
//! ```
//!
//! Every other event (departures, scrapes, faults, autoscaling) runs exactly as in a
//! normal run. The re-placements a fault forces, and rebalancing, are answered by the
//! built-in `latency-greedy` strategy (given the run's `strategy` random stream, as a run
//! gives its strategy): an agent decides arrivals only. Deciding every arrival with
//! latency-greedy's own ranking therefore replays a `latency-greedy` run of the same seed
//! exactly (`tests/episode.rs`).
//!
//! The world borrows its platform and settings; [`Episode`] owns both beside it through
//! `self_cell` (the platform through an [`Arc`] shared by every episode of a setup), so a
//! new episode re-parses and rebuilds nothing.

use super::reward::{Accounted, Estimates};
use super::sessions::{arrivals_of, session_settings, sweep_points, SweepPoint};
use super::workers::worker_pool;
use crate::config::experiment::Sessions;
use crate::config::{ConfigError, LoadedExperiment};
use crate::engine::{RadixQueue, RngStreams};
use crate::metrics::sessions::{SessionRecorder, SessionSummary};
use crate::model::session_platform::build_platform;
use crate::model::ClusterId;
use crate::strategy::{Registry, StrategyContext};
use crate::world::policy::{ObservedView, PlacementRequest, Strategy};
use crate::world::sessions::{
    Arrivals, PendingSession, SEvent, SessionPlatform, SessionSettings, SessionWorld,
};
use self_cell::self_cell;
use std::sync::Arc;

/// The strategy that answers a fault's re-placements and rebalancing in an episode.
pub const FALLBACK_STRATEGY: &str = "latency-greedy";

/// What every episode of one sweep point shares: the parsed experiment, the built
/// platform and the arrival process. Build it once, share it in an [`Arc`].
pub struct EpisodeSetup {
    exp: LoadedExperiment,
    point: SweepPoint,
    platform: SessionPlatform,
    arrivals: Arrivals,
}

impl EpisodeSetup {
    /// The setup of sweep point `sweep_point` of `exp`, counted over the sweep's
    /// topology x load x fault-model points (strategies are not an axis here: the agent is
    /// the strategy; see [`Self::points`]). The platform is built on a thread pool of its
    /// own, never rayon's global pool, so a process forked after this still works.
    pub fn new(exp: LoadedExperiment, sweep_point: usize) -> Result<EpisodeSetup, ConfigError> {
        let points = Self::all_points(&exp)?;
        let Some(point) = points.get(sweep_point).cloned() else {
            return Err(ConfigError::whole_file(
                &exp.path,
                format!(
                    "sweep point {sweep_point} does not exist: expected 0..{} (topology x load x fault model)",
                    points.len()
                ),
            ));
        };
        let s = exp.config.sessions.as_ref().expect("a session experiment");
        let topo = &exp.topologies[point.topology];
        let platform = worker_pool(&exp, 0)?.install(|| build_platform(s, topo, s.capacity));
        let arrivals = arrivals_of(&exp, point.rate_per_s);
        Ok(EpisodeSetup {
            exp,
            point,
            platform,
            arrivals,
        })
    }

    /// How many sweep points `exp` offers an episode (topology x load x fault model).
    pub fn points(exp: &LoadedExperiment) -> Result<usize, ConfigError> {
        Self::all_points(exp).map(|p| p.len())
    }

    /// The sweep's points of its first strategy (one per topology, load and fault model).
    fn all_points(exp: &LoadedExperiment) -> Result<Vec<SweepPoint>, ConfigError> {
        let Some(Sessions { sessions: s, .. }) = exp.session_sweep() else {
            return Err(ConfigError::whole_file(
                &exp.path,
                "not a session experiment: no [sessions]",
            ));
        };
        let per_point = s.strategies.len().max(1);
        Ok(sweep_points(exp, s)
            .into_iter()
            .step_by(per_point)
            .collect())
    }

    /// The experiment.
    pub fn experiment(&self) -> &LoadedExperiment {
        &self.exp
    }

    /// The platform every episode runs on.
    pub fn platform(&self) -> &SessionPlatform {
        &self.platform
    }

    /// The sweep point.
    pub fn point(&self) -> &SweepPoint {
        &self.point
    }

    /// The experiment's `candidates_per_site`.
    pub fn candidates_per_site(&self) -> usize {
        self.exp
            .config
            .sessions
            .as_ref()
            .map_or(0, |s| s.candidates_per_site as usize)
    }

    /// The settings of the episode with seed `seed` (its faults drawn from it).
    fn settings(&self, streams: &RngStreams) -> SessionSettings {
        let topo = &self.exp.topologies[self.point.topology];
        session_settings((&self.exp, &self.platform, topo, &self.point), streams)
    }
}

/// What the world of an episode borrows.
struct Inputs {
    setup: Arc<EpisodeSetup>,
    settings: SessionSettings,
}

/// The world of an episode (always on the radix queue: every queue orders events the
/// same way, so a frame-fidelity experiment gives the same results, only slower).
type World<'a> = SessionWorld<'a, RadixQueue<SEvent>>;

self_cell!(
    /// An episode's world together with what it borrows.
    struct WorldCell {
        owner: Inputs,
        #[covariant]
        dependent: World,
    }
);

/// One episode: run 0 of the setup's sweep point with seed `seed`, decided one arrival at
/// a time by the caller.
pub struct Episode {
    world: WorldCell,
    fallback: Box<dyn Strategy>,
    recorder: SessionRecorder,
    pending: Option<PendingSession>,
    estimates: Estimates,
    decisions: u64,
}

impl Episode {
    /// A new episode with seed `seed`, advanced to its first decision (or its end, if no
    /// session arrives).
    pub fn new(setup: Arc<EpisodeSetup>, seed: u64) -> Episode {
        let streams = RngStreams::new(seed, 0);
        let settings = setup.settings(&streams);
        let world = WorldCell::new(Inputs { setup, settings }, |i| {
            let (p, s) = (&i.setup.platform, &i.settings);
            SessionWorld::new(p, s, &i.setup.arrivals, streams, RadixQueue::new())
        });
        let fallback = Registry::builtin()
            .create(
                FALLBACK_STRATEGY,
                StrategyContext {
                    rng: streams.stream("strategy"),
                },
            )
            .expect("latency-greedy is built in");
        let mut e = Episode {
            world,
            fallback,
            recorder: SessionRecorder::default(),
            pending: None,
            estimates: Estimates::default(),
            decisions: 0,
        };
        e.world.with_dependent_mut(|_, w| w.start());
        e.advance();
        e
    }

    /// Runs to the next arrival, or to the end (then closes the run).
    fn advance(&mut self) {
        let (fallback, recorder) = (&mut self.fallback, &mut self.recorder);
        self.pending = self.world.with_dependent_mut(|_, w| {
            let next = w.advance_to_decision(fallback.as_mut(), recorder);
            if next.is_none() {
                w.finish(recorder);
            }
            next
        });
    }

    /// The session waiting for a decision; `None` once the episode has ended.
    pub fn pending(&self) -> Option<PendingSession> {
        self.pending
    }

    /// Whether the episode has ended.
    pub fn is_done(&self) -> bool {
        self.pending.is_none()
    }

    /// Calls `f` with the pending session's request and the view it is decided on;
    /// `None` once the episode has ended.
    pub fn with_request<R>(
        &self,
        f: impl FnOnce(&PlacementRequest, &ObservedView) -> R,
    ) -> Option<R> {
        let pending = self.pending?;
        Some(self.world.with_dependent(|_, w| {
            let (req, view) = w.request(pending);
            f(&req, &view)
        }))
    }

    /// Places the pending session on the first of `ranked` that really can take it (an
    /// empty ranking rejects it), then runs to the next decision. Returns where it went
    /// and what the step is charged: the decision's expected consequences, plus, at the
    /// episode's last step, the correction that makes the episode's totals the run's own
    /// (see [`super::reward`]). Does nothing once the episode has ended.
    pub fn decide(&mut self, ranked: &[ClusterId]) -> (Option<ClusterId>, Accounted) {
        let Some(pending) = self.pending else {
            return (None, Accounted::default());
        };
        let recorder = &mut self.recorder;
        let (placed, charged) = self.world.with_dependent_mut(|i, w| {
            let p = &i.setup.platform;
            let left_s = (w.settings().duration.as_secs_f64()
                - w.now().since(crate::engine::SimTime::ZERO).as_secs_f64())
            .max(0.0);
            let placed = w.decide(pending, ranked, recorder);
            // The view is the last scrape's, which booking does not change: the estimate
            // is the one the decision was made on.
            let charged = match placed {
                Some(c) => {
                    let (req, view) = w.request(pending);
                    Estimates::of_placement(p, &req, &view, pending, c, left_s)
                }
                None => Estimates::of_rejection(p, pending, left_s),
            };
            (placed, charged)
        });
        self.decisions += 1;
        self.estimates.add(&charged);
        self.advance();
        let mut step = charged;
        if self.is_done() {
            step.add(&self.estimates.correction(&self.recorder));
        }
        (placed, step)
    }

    /// Decisions made so far.
    pub fn decisions(&self) -> u64 {
        self.decisions
    }

    /// Simulated time now, s.
    pub fn now_s(&self) -> f64 {
        self.world
            .with_dependent(|_, w| w.now().since(crate::engine::SimTime::ZERO).as_secs_f64())
    }

    /// The run's duration, s.
    pub fn duration_s(&self) -> f64 {
        self.world
            .with_dependent(|_, w| w.settings().duration.as_secs_f64())
    }

    /// What the episode recorded (a run's recorder: complete once it has ended).
    pub fn recorder(&self) -> &SessionRecorder {
        &self.recorder
    }

    /// The run's figures so far (final once the episode has ended).
    pub fn summary(&self) -> SessionSummary {
        self.recorder.summary()
    }

    /// The setup the episode runs.
    pub fn setup(&self) -> &Arc<EpisodeSetup> {
        &self.world.borrow_owner().setup
    }
}
