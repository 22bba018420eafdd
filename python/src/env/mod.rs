//! The Gymnasium environments' Rust side (`python/xrplace/gym.py`): [`EnvCore`] steps one
//! [`xrplace::experiment::episode::Episode`] in place, [`VecEnvCore`] steps `N` of them in
//! one call. No thread, no channel, no rayon global pool on this path (the platform is
//! built once per environment on a pool of its own), so a process forked after an
//! environment stepped (Gymnasium's `AsyncVectorEnv`) still works. Arrays cross as bytes
//! (`numpy.frombuffer` on the Python side): one copy, no per-element objects.
//!
//! The view, observation and mask are described in [`view`]; the reward in
//! `xrplace::experiment::reward`.

mod core;
mod view;

use self::core::{derived_seed, stats, Config, Env, Stats, Step};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::sync::{Arc, Mutex};
use xrplace::experiment::episode::EpisodeSetup;
use xrplace::experiment::reward::RewardWeights;

/// The parts of a step's reward: time over budget (s), usage cost (USD), rejected
/// session's expected duration (s), whether the session was placed.
type Parts = (f64, f64, f64, bool);

fn parts(s: &Step) -> Parts {
    (
        s.charged.over_budget_s,
        s.charged.usd,
        s.charged.rejected_s,
        s.placed,
    )
}

fn f32_bytes<'py>(py: Python<'py>, v: &[f32]) -> Bound<'py, PyBytes> {
    let b: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
    PyBytes::new(py, &b)
}

fn bool_bytes<'py>(py: Python<'py>, v: &[bool]) -> Bound<'py, PyBytes> {
    let b: Vec<u8> = v.iter().map(|&x| u8::from(x)).collect();
    PyBytes::new(py, &b)
}

/// The configuration of an environment of the experiment at `path` (see [`EnvCore::new`]).
fn config(
    py: Python<'_>,
    (path, sets, sweep_point): (&str, &[String], usize),
    k: Option<usize>,
    try_others: bool,
    weights: (f64, f64, f64),
) -> PyResult<Config> {
    let exp = crate::load_for_env(py, path, sets)?;
    let setup = py
        .allow_threads(|| EpisodeSetup::new(exp, sweep_point))
        .map_err(|e| crate::config_error(py, &e))?;
    let k = k.unwrap_or_else(|| setup.candidates_per_site());
    if k == 0 {
        return Err(PyValueError::new_err(
            "k (candidate slots) must be at least 1",
        ));
    }
    Ok(Config {
        setup: Arc::new(setup),
        k,
        try_others,
        weights: RewardWeights {
            over_budget_per_min: weights.0,
            rejected_per_min: weights.1,
            per_usd: weights.2,
        },
    })
}

/// How many sweep points (topology x load x fault model) the experiment at `path` offers.
#[pyfunction]
#[pyo3(signature = (path, sets))]
pub fn env_sweep_points(py: Python<'_>, path: &str, sets: Vec<String>) -> PyResult<usize> {
    let exp = crate::load_for_env(py, path, &sets)?;
    EpisodeSetup::points(&exp).map_err(|e| crate::config_error(py, &e))
}

/// One environment: an episode stepped in place.
#[pyclass(module = "xrplace")]
pub struct EnvCore {
    /// In a mutex because a Python class must be `Sync` (the world's strategy is only
    /// `Send`); `&mut self` methods reach it without locking.
    env: Mutex<Env>,
}

impl EnvCore {
    fn env(&self) -> std::sync::MutexGuard<'_, Env> {
        self.env.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn env_mut(&mut self) -> &mut Env {
        self.env.get_mut().unwrap_or_else(|e| e.into_inner())
    }
}

#[pymethods]
impl EnvCore {
    /// An environment of sweep point `sweep_point` of the experiment at `path` (overrides
    /// `sets`) with `k` nearest-candidate slots (default `candidates_per_site`), falling
    /// back to the other allowed slots if `try_others`, rewarded with `weights` (per
    /// minute over budget, per minute of a rejected session, per USD), at the first
    /// decision of the episode with seed `seed`.
    #[new]
    #[pyo3(signature = (path, sets, sweep_point, k, try_others, weights, seed))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        path: &str,
        sets: Vec<String>,
        sweep_point: usize,
        k: Option<usize>,
        try_others: bool,
        weights: (f64, f64, f64),
        seed: u64,
    ) -> PyResult<Self> {
        let cfg = config(py, (path, &sets, sweep_point), k, try_others, weights)?;
        Ok(EnvCore {
            env: Mutex::new(Env::new(cfg, seed)),
        })
    }

    /// `(slots, F, G)`: slots of the view, figures per slot, figures of the request.
    fn shape(&self) -> (usize, usize, usize) {
        (self.env().config().slots(), view::F, view::G)
    }

    /// Starts the episode with seed `seed`: (observation bytes, mask bytes, done).
    fn reset<'py>(
        &mut self,
        py: Python<'py>,
        seed: u64,
    ) -> (Bound<'py, PyBytes>, Bound<'py, PyBytes>, bool) {
        let env = self.env_mut();
        env.reset(seed);
        (
            f32_bytes(py, &env.obs),
            bool_bytes(py, &env.mask),
            env.episode().is_done(),
        )
    }

    /// Answers the pending decision with `action`: (observation bytes, mask bytes, reward,
    /// done, parts of the reward).
    #[allow(clippy::type_complexity)]
    fn step<'py>(
        &mut self,
        py: Python<'py>,
        action: usize,
    ) -> (Bound<'py, PyBytes>, Bound<'py, PyBytes>, f64, bool, Parts) {
        let env = self.env_mut();
        let s = env.step(action);
        (
            f32_bytes(py, &env.obs),
            bool_bytes(py, &env.mask),
            s.reward,
            s.done,
            parts(&s),
        )
    }

    /// The episode's statistics so far (see `core::Stats`).
    fn stats(&self) -> Stats {
        stats(&self.env())
    }

    /// A text picture of the pending decision.
    fn render(&self) -> String {
        render(&self.env())
    }
}

/// The pending decision as text: time, the session, each slot's cluster and figures.
fn render(env: &Env) -> String {
    use std::fmt::Write;
    let e = env.episode();
    let s = stats(env);
    let mut out = format!(
        "t = {:.0} s of {:.0}  decisions {}  admitted {}  rejected {}  reward {:.2}\n",
        e.now_s(),
        e.duration_s(),
        s.6,
        s.4,
        s.5,
        s.7
    );
    let slots = env.slot_candidates();
    let shown = e.with_request(|req, view| {
        let _ = writeln!(out, "session: {} at site {}", req.app.name, req.users.first);
        for (i, slot) in slots.iter().enumerate() {
            let Some(c) = slot else { continue };
            let cand = &req.candidates[*c as usize];
            let name = &env
                .config()
                .setup
                .platform()
                .topology
                .cluster(cand.cluster)
                .name;
            let _ = writeln!(
                out,
                "  [{i:2}] {name:<24} est {:7.2} ms  rtt {:6.2} ms  free {:6.1} cores  {}",
                req.estimate_ms(cand, view),
                cand.rtt_ms,
                view.clusters[cand.cluster.ix()].free_cpu_cores,
                if env.mask[i] { "allowed" } else { "masked" }
            );
        }
    });
    if shown.is_none() {
        out.push_str("episode ended\n");
    }
    out
}

/// `N` environments stepped in one call, each resetting itself at the step after its
/// episode ended (Gymnasium's next-step autoreset).
#[pyclass(module = "xrplace")]
pub struct VecEnvCore {
    /// In a mutex for `Sync` (see [`EnvCore`]); reached through `get_mut`.
    envs: Mutex<Vec<Env>>,
    /// Base seed of each environment and how many episodes it started.
    seeds: Vec<(u64, u64)>,
    /// Whether each environment's episode ended at the last step.
    ended: Vec<bool>,
}

impl VecEnvCore {
    fn obs_mask<'py>(&self, py: Python<'py>) -> (Bound<'py, PyBytes>, Bound<'py, PyBytes>) {
        let envs = self.envs.lock().unwrap_or_else(|e| e.into_inner());
        let obs: Vec<f32> = envs.iter().flat_map(|e| e.obs.iter().copied()).collect();
        let mask: Vec<bool> = envs.iter().flat_map(|e| e.mask.iter().copied()).collect();
        (f32_bytes(py, &obs), bool_bytes(py, &mask))
    }

    fn envs_mut(&mut self) -> &mut Vec<Env> {
        self.envs.get_mut().unwrap_or_else(|e| e.into_inner())
    }

    fn next_seed(&mut self, i: usize) -> u64 {
        let (base, n) = self.seeds[i];
        self.seeds[i].1 += 1;
        derived_seed(base, n)
    }
}

#[pymethods]
impl VecEnvCore {
    /// `num_envs` environments as [`EnvCore::new`] makes one (sharing the parsed
    /// experiment and built platform), environment `i`'s episodes seeded from `seed + i`.
    #[new]
    #[pyo3(signature = (path, sets, sweep_point, k, try_others, weights, num_envs, seed))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        path: &str,
        sets: Vec<String>,
        sweep_point: usize,
        k: Option<usize>,
        try_others: bool,
        weights: (f64, f64, f64),
        num_envs: usize,
        seed: u64,
    ) -> PyResult<Self> {
        if num_envs == 0 {
            return Err(PyValueError::new_err("num_envs must be at least 1"));
        }
        let cfg = config(py, (path, &sets, sweep_point), k, try_others, weights)?;
        let mut v = VecEnvCore {
            envs: Mutex::new(Vec::with_capacity(num_envs)),
            seeds: (0..num_envs as u64)
                .map(|i| (seed.wrapping_add(i), 0))
                .collect(),
            ended: vec![false; num_envs],
        };
        for i in 0..num_envs {
            let s = v.next_seed(i);
            v.envs_mut().push(Env::new(cfg.clone(), s));
        }
        Ok(v)
    }

    /// `(num_envs, slots, F, G)`.
    fn shape(&self) -> (usize, usize, usize, usize) {
        let envs = self.envs.lock().unwrap_or_else(|e| e.into_inner());
        (envs.len(), envs[0].config().slots(), view::F, view::G)
    }

    /// Restarts every environment, environment `i`'s episodes now seeded from
    /// `seed + i` (or continuing its own seeds if `seed` is None): (observations bytes,
    /// masks bytes).
    #[pyo3(signature = (seed=None))]
    fn reset<'py>(
        &mut self,
        py: Python<'py>,
        seed: Option<u64>,
    ) -> (Bound<'py, PyBytes>, Bound<'py, PyBytes>) {
        if let Some(seed) = seed {
            for (i, s) in self.seeds.iter_mut().enumerate() {
                *s = (seed.wrapping_add(i as u64), 0);
            }
        }
        for i in 0..self.seeds.len() {
            let s = self.next_seed(i);
            self.envs_mut()[i].reset(s);
            self.ended[i] = false;
        }
        self.obs_mask(py)
    }

    /// Steps every environment with its action (`actions`: little-endian int64 bytes, one
    /// per environment); an environment whose episode ended at the previous step resets
    /// instead (reward 0). Returns (observations, masks, rewards as float64, terminated,
    /// reset, episode statistics of those that ended here as `(index, stats)`).
    #[allow(clippy::type_complexity)]
    fn step<'py>(
        &mut self,
        py: Python<'py>,
        actions: &[u8],
    ) -> PyResult<(
        Bound<'py, PyBytes>,
        Bound<'py, PyBytes>,
        Bound<'py, PyBytes>,
        Bound<'py, PyBytes>,
        Bound<'py, PyBytes>,
        Vec<(usize, Stats)>,
    )> {
        let n = self.seeds.len();
        if actions.len() != n * 8 {
            return Err(PyValueError::new_err(format!(
                "expected {n} int64 actions, got {} bytes",
                actions.len()
            )));
        }
        let mut rewards = Vec::with_capacity(n * 8);
        let (mut done, mut reset) = (vec![false; n], vec![false; n]);
        let mut finished = Vec::new();
        for i in 0..n {
            let raw = i64::from_le_bytes(actions[i * 8..i * 8 + 8].try_into().expect("8 bytes"));
            let r = if self.ended[i] {
                let s = self.next_seed(i);
                self.envs_mut()[i].reset(s);
                self.ended[i] = false;
                reset[i] = true;
                0.0
            } else {
                let a = usize::try_from(raw).unwrap_or(usize::MAX);
                let s = self.envs_mut()[i].step(a);
                if s.done {
                    self.ended[i] = true;
                    done[i] = true;
                    finished.push((i, stats(&self.envs_mut()[i])));
                }
                s.reward
            };
            rewards.extend_from_slice(&r.to_le_bytes());
        }
        let (obs, mask) = self.obs_mask(py);
        Ok((
            obs,
            mask,
            PyBytes::new(py, &rewards),
            bool_bytes(py, &done),
            bool_bytes(py, &reset),
            finished,
        ))
    }
}
