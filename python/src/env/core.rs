//! One environment's state, shared by [`super::EnvCore`] and [`super::VecEnvCore`]: an
//! [`Episode`] of the library stepped in place (no thread), its fixed-size view and the
//! reward of each step.

use super::view::{observe, ranking, Scale, F, G};
use std::sync::Arc;
use xrplace::experiment::episode::{Episode, EpisodeSetup};
use xrplace::experiment::reward::{Accounted, RewardWeights};
use xrplace::model::ClusterId;

/// How an environment is configured (the same for every episode).
#[derive(Clone)]
pub struct Config {
    /// What every episode shares (parsed experiment, built platform).
    pub setup: Arc<EpisodeSetup>,
    /// Nearest-candidate slots (cloud slots come on top).
    pub k: usize,
    /// Whether an action falls back to the other allowed slots (see [`ranking`]).
    pub try_others: bool,
    /// The reward's weights.
    pub weights: RewardWeights,
}

impl Config {
    /// Slots of the view (the `K` nearest plus the cloud slots).
    pub fn slots(&self) -> usize {
        self.k + super::view::CLOUDS
    }

    /// Length of an observation.
    pub fn obs_len(&self) -> usize {
        self.slots() * F + G
    }
}

/// What a step did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Step {
    /// Its reward.
    pub reward: f64,
    /// What it was charged (the reward's parts).
    pub charged: Accounted,
    /// Whether the session was placed.
    pub placed: bool,
    /// Whether the episode ended with it.
    pub done: bool,
}

/// One environment.
pub struct Env {
    cfg: Config,
    scale: Scale,
    episode: Episode,
    slots: Vec<Option<u32>>,
    ranked: Vec<ClusterId>,
    /// The current observation and mask.
    pub obs: Vec<f32>,
    /// See `obs`.
    pub mask: Vec<bool>,
    /// Reward summed over the episode so far.
    pub episode_reward: f64,
}

impl Env {
    /// An environment at the first decision of the episode with seed `seed`.
    pub fn new(cfg: Config, seed: u64) -> Env {
        let exp = cfg.setup.experiment();
        let scale = Scale {
            apps: exp
                .config
                .sessions
                .as_ref()
                .map_or(1, |s| s.applications.len()),
            duration_s: exp.config.duration_s,
        };
        let episode = Episode::new(cfg.setup.clone(), seed);
        let mut e = Env {
            obs: vec![0.0; cfg.obs_len()],
            mask: vec![false; cfg.slots() + 1],
            cfg,
            scale,
            episode,
            slots: Vec::new(),
            ranked: Vec::new(),
            episode_reward: 0.0,
        };
        e.observe();
        e
    }

    /// Starts the episode with seed `seed` (the setup is reused).
    pub fn reset(&mut self, seed: u64) {
        self.episode = Episode::new(self.cfg.setup.clone(), seed);
        self.episode_reward = 0.0;
        self.observe();
    }

    /// Fills the observation and mask of the pending decision (zeros and only the reject
    /// action once the episode has ended).
    fn observe(&mut self) {
        let (k, scale) = (self.cfg.k, &self.scale);
        let (slots, obs, mask) = (&mut self.slots, &mut self.obs, &mut self.mask);
        let seen = self.episode.with_request(|req, view| {
            super::view::slots(req, view, k, slots);
            observe(req, view, slots, scale, (obs, mask));
        });
        if seen.is_none() {
            obs.fill(0.0);
            mask.fill(false);
            slots.clear();
            if let Some(last) = mask.last_mut() {
                *last = true;
            }
        }
    }

    /// Answers the pending decision with action `a` (a slot, or [`Config::slots`] to
    /// reject; a slot with no candidate rejects) and runs to the next decision.
    pub fn step(&mut self, a: usize) -> Step {
        if self.episode.is_done() {
            return Step {
                done: true,
                ..Step::default()
            };
        }
        let (sl, ranked, try_others) = (&self.slots, &mut self.ranked, self.cfg.try_others);
        self.episode.with_request(|req, view| {
            ranking(req, view, sl, (a, try_others), ranked);
        });
        let (placed, charged) = self.episode.decide(&self.ranked);
        let reward = self.cfg.weights.reward(&charged);
        self.episode_reward += reward;
        self.observe();
        Step {
            reward,
            charged,
            placed: placed.is_some(),
            done: self.episode.is_done(),
        }
    }

    /// The episode.
    pub fn episode(&self) -> &Episode {
        &self.episode
    }

    /// Which candidate each slot of the pending decision shows.
    pub fn slot_candidates(&self) -> &[Option<u32>] {
        &self.slots
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }
}

/// Episode statistics: SLO violation ratio, rejected ratio, usage cost (USD), sessions
/// arrived, admitted, rejected, decisions made, episode reward.
pub type Stats = (f64, f64, f64, u64, u64, u64, u64, f64);

/// The statistics of `env`'s episode so far (final once it has ended).
pub fn stats(env: &Env) -> Stats {
    let s = env.episode().summary();
    let rejected_ratio = if s.arrivals == 0 {
        0.0
    } else {
        s.rejected as f64 / s.arrivals as f64
    };
    (
        s.slo_violation_ratio,
        rejected_ratio,
        s.usage_cost_usd,
        s.arrivals,
        s.admitted,
        s.rejected,
        env.episode().decisions(),
        env.episode_reward,
    )
}

/// Seed of episode `n` of an environment whose episodes derive from `base` (splitmix64:
/// distinct, reproducible seeds without a generator's state).
pub fn derived_seed(base: u64, n: u64) -> u64 {
    let mut z = base.wrapping_add(n.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
