//! One episode of the Gymnasium environment: run 0 of the experiment's first sweep point,
//! simulated on a thread of its own. At every placement decision the episode's strategy
//! sends the observation to Python and waits for the action; the world then admits the
//! session on the chosen cluster if it really has room, exactly as it does a built-in's
//! first choice.
//!
//! Observation (`float32`, every entry clipped to 0..10): for each of `K` candidate slots
//! (`K` = clusters of the topology; slots past a site's candidates are 0), `F` = 9 figures:
//! present, fits (by the view), allowed (path can carry it), estimated latency / budget,
//! RTT / budget, free cores / the session's cores, CPU share, up, USD per vCPU-hour; then
//! the application index / applications and simulated time / duration.
//! Action: candidate slot `0..K-1`, or `K` to reject (so is a slot past the candidates).
//! Reward of a step: minus the minutes of session time over budget, minus the sessions
//! rejected, minus the usage cost (USD), accounted since the previous decision.

use crate::strategy::request_object;
use pyo3::prelude::*;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use xrplace::config::topology::Tier;
use xrplace::model::ClusterId;
use xrplace::world::policy::{ObservedView, PlacementRequest, Strategy};
use xrplace::world::sessions::SessionObserver;

/// Figures per candidate slot.
const F: usize = 9;
/// Figures of the request itself.
const G: usize = 2;
/// Every figure is clipped to `0..CLIP`.
const CLIP: f32 = 10.0;

/// What the episode has cost so far.
#[derive(Debug, Clone, Copy, Default)]
struct Totals {
    over_budget_s: f64,
    rejected: u64,
    usd: f64,
}

impl Totals {
    /// The reward of going from `self` to `now`.
    fn reward_to(&self, now: &Totals) -> f64 {
        -(now.over_budget_s - self.over_budget_s) / 60.0
            - (now.rejected - self.rejected) as f64
            - (now.usd - self.usd)
    }
}

/// From the episode thread to Python.
enum Msg {
    Decision(Vec<f32>, Totals),
    Done(Totals),
}

/// Counts what the reward needs.
struct Counter(Arc<Mutex<Totals>>);

impl SessionObserver for Counter {
    fn admitted(&mut self, _tier: Tier) {}
    fn rejected(&mut self, _reason: &'static str) {
        self.0.lock().expect("totals").rejected += 1;
    }
    fn dropped(&mut self, _reason: &'static str) {}
    fn completed(&mut self) {}
    fn migrated(&mut self, downtime_s: f64) {
        self.0.lock().expect("totals").over_budget_s += downtime_s;
    }
    fn udp_refused(&mut self) {}
    fn latency(&mut self, _app: u32, _ms: f64, over_budget_us: u64, _weight_us: u64) {
        self.0.lock().expect("totals").over_budget_s += over_budget_us as f64 / 1e6;
    }
    fn overloaded(&mut self, _app: u32, weight_us: u64) {
        self.0.lock().expect("totals").over_budget_s += weight_us as f64 / 1e6;
    }
    fn utilisation(&mut self, _tier: Tier, _mean: f64, _peak: f64) {}
    fn scaled(&mut self, _nodes: i64, _failed: bool) {}
    fn peered(&mut self) {}
    fn added_capacity(&mut self, _vcpu_hours: f64, usd: f64) {
        self.0.lock().expect("totals").usd += usd;
    }
    fn cost(&mut self, _vcpu_hours: f64, _gib_hours: f64, usd: f64, _egress_gb: f64) {
        self.0.lock().expect("totals").usd += usd;
    }
}

/// The episode's strategy: asks Python at every decision.
struct Asking {
    k: usize,
    apps: usize,
    duration_s: f64,
    to_py: Sender<Msg>,
    from_py: Receiver<Option<usize>>,
    totals: Arc<Mutex<Totals>>,
    /// Python went away (the environment was reset or dropped): reject the rest.
    gone: bool,
}

impl Asking {
    fn observation(&self, req: &PlacementRequest, view: &ObservedView) -> Vec<f32> {
        let r = request_object(req, view);
        let mut obs = vec![0.0f32; self.k * F + G];
        let slo = r.slo_latency_ms.max(1e-9);
        for i in 0..r.clusters.len().min(self.k) {
            let o = &view.clusters[r.clusters[i] as usize];
            let x = [
                1.0,
                f64::from(u8::from(r.fits[i])),
                f64::from(u8::from(r.allowed[i])),
                r.estimate_ms[i] / slo,
                r.rtt_ms[i] / slo,
                o.free_cpu_cores / r.cpu_cores.max(1e-9),
                o.cpu_util,
                f64::from(u8::from(o.up)),
                o.cost_per_vcpu_hour_usd,
            ];
            for (j, v) in x.into_iter().enumerate() {
                obs[i * F + j] = clip(v);
            }
        }
        obs[self.k * F] = clip(r.app_index as f64 / self.apps.max(1) as f64);
        obs[self.k * F + 1] = clip(view.scraped_at_s / self.duration_s.max(1e-9));
        obs
    }
}

fn clip(v: f64) -> f32 {
    if v.is_nan() {
        return 0.0;
    }
    (v as f32).clamp(0.0, CLIP)
}

impl Strategy for Asking {
    fn place(&mut self, req: &PlacementRequest, view: &ObservedView, ranked: &mut Vec<ClusterId>) {
        if self.gone {
            return;
        }
        let totals = *self.totals.lock().expect("totals");
        let obs = self.observation(req, view);
        if self.to_py.send(Msg::Decision(obs, totals)).is_err() {
            self.gone = true;
            return;
        }
        match self.from_py.recv() {
            Ok(Some(i)) if i < req.candidates.len().min(self.k) => {
                ranked.push(req.candidates[i].cluster)
            }
            Ok(_) => {}
            Err(_) => self.gone = true,
        }
    }
}

/// `(K, F, G)` of the experiment at `path`: candidate slots, figures per slot, figures of
/// the request.
#[pyfunction]
#[pyo3(signature = (path, sets))]
pub fn env_shape(py: Python<'_>, path: &str, sets: Vec<String>) -> PyResult<(usize, usize, usize)> {
    let exp = crate::load_for_env(py, path, &sets)?;
    Ok((slots(&exp), F, G))
}

fn slots(exp: &xrplace::config::LoadedExperiment) -> usize {
    exp.topologies.first().map_or(0, |t| t.clusters.len())
}

/// A running episode.
#[pyclass(module = "xrplace")]
pub struct EnvCore {
    to_sim: Option<Sender<Option<usize>>>,
    /// In a mutex so a wait can run without the GIL (a receiver is not `Sync`).
    from_sim: Mutex<Receiver<Msg>>,
    thread: Option<JoinHandle<()>>,
    last: Totals,
    done: bool,
    obs_len: usize,
}

impl EnvCore {
    /// Waits (without the GIL) for the next decision or the end: (observation, reward,
    /// done).
    fn advance(&mut self, py: Python<'_>) -> (Vec<f32>, f64, bool) {
        let rx = &self.from_sim;
        let msg = py.allow_threads(|| rx.lock().expect("receiver").recv());
        let (obs, now, done) = match msg {
            Ok(Msg::Decision(obs, t)) => (obs, t, false),
            Ok(Msg::Done(t)) => (vec![0.0; self.obs_len], t, true),
            Err(_) => (vec![0.0; self.obs_len], self.last, true),
        };
        let reward = self.last.reward_to(&now);
        self.last = now;
        self.done = done;
        (obs, reward, done)
    }
}

#[pymethods]
impl EnvCore {
    /// Starts the episode of the experiment at `path` (overrides `sets`) with `seed`.
    #[new]
    #[pyo3(signature = (path, sets, seed))]
    fn new(py: Python<'_>, path: &str, sets: Vec<String>, seed: u64) -> PyResult<Self> {
        let exp = crate::load_for_env(py, path, &sets)?;
        let k = slots(&exp);
        let apps = exp
            .config
            .sessions
            .as_ref()
            .map_or(1, |s| s.applications.len());
        let duration_s = exp.config.duration_s;
        let (to_py, from_sim) = channel();
        let (to_sim, from_py) = channel();
        let from_py = Arc::new(Mutex::new(Some(from_py)));
        let thread = std::thread::spawn(move || {
            let totals = Arc::new(Mutex::new(Totals::default()));
            let mut counter = Counter(totals.clone());
            let done_tx = to_py.clone();
            let strategy_totals = totals.clone();
            let _ = xrplace::experiment::sessions::episode(
                &exp,
                seed,
                move |_ctx| {
                    let rx = from_py
                        .lock()
                        .expect("receiver")
                        .take()
                        .expect("one episode strategy per episode");
                    Box::new(Asking {
                        k,
                        apps,
                        duration_s,
                        to_py: to_py.clone(),
                        from_py: rx,
                        totals: strategy_totals.clone(),
                        gone: false,
                    })
                },
                &mut counter,
            );
            let t = *totals.lock().expect("totals");
            let _ = done_tx.send(Msg::Done(t));
        });
        Ok(EnvCore {
            to_sim: Some(to_sim),
            from_sim: Mutex::new(from_sim),
            thread: Some(thread),
            last: Totals::default(),
            done: false,
            obs_len: k * F + G,
        })
    }

    /// The first decision: (observation, reward 0, done).
    fn first(&mut self, py: Python<'_>) -> (Vec<f32>, f64, bool) {
        self.advance(py)
    }

    /// Answers the pending decision with `action` (a candidate slot, `None` to reject)
    /// and waits for the next: (observation, reward, done).
    #[pyo3(signature = (action))]
    fn step(&mut self, py: Python<'_>, action: Option<usize>) -> (Vec<f32>, f64, bool) {
        if self.done {
            return (vec![0.0; self.obs_len], 0.0, true);
        }
        if let Some(tx) = &self.to_sim {
            let _ = tx.send(action);
        }
        self.advance(py)
    }

    /// Ends the episode: the rest of it is simulated with every session rejected, off the
    /// GIL, and the thread joined.
    fn close(&mut self, py: Python<'_>) {
        self.to_sim = None;
        if let Some(t) = self.thread.take() {
            let rx = &self.from_sim;
            py.allow_threads(|| {
                let rx = rx.lock().expect("receiver");
                while rx.recv().is_ok() {}
                let _ = t.join();
            });
        }
    }
}

impl Drop for EnvCore {
    fn drop(&mut self) {
        self.to_sim = None;
        if let Some(t) = self.thread.take() {
            let rx = self.from_sim.lock().expect("receiver");
            while rx.recv().is_ok() {}
            let _ = t.join();
        }
    }
}
