//! Strategies written in Python behind the simulator's `Strategy` trait: the session world
//! calls them exactly as it calls a built-in (same stale view, same admission of the
//! first ranked cluster with real room, same metrics). Each call takes the GIL; a run
//! of built-in strategies never does.

use crate::ErrorSlot;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use rand::RngCore;
use xrplace::model::ClusterId;
use xrplace::strategy::{Registry, StrategyContext};
use xrplace::world::policy::{Move, ObservedView, PlacementRequest, RebalanceContext, Strategy};

/// A session to place, as a Python strategy sees it. Per-candidate lists are in the
/// candidates' order (nearest first): `clusters[i]` is candidate `i`'s cluster id.
#[pyclass(frozen, get_all, module = "xrplace")]
pub struct Request {
    /// Application name.
    pub app: String,
    /// Application index (in the experiment's `[[sessions.applications]]` order).
    pub app_index: usize,
    /// The first user's access site index.
    pub site: u32,
    /// Its name in the topology file.
    pub site_name: String,
    /// User to access site, one way, ms.
    pub access_ms: f64,
    /// Latency budget, ms.
    pub slo_latency_ms: f64,
    /// Cores and MiB the session reserves where it runs.
    pub cpu_cores: f64,
    /// See `cpu_cores`.
    pub memory_mib: f64,
    /// Candidate cluster ids, nearest first.
    pub clusters: Vec<u32>,
    /// Round trip from the access site to each candidate, ms.
    pub rtt_ms: Vec<f64>,
    /// Latency the session would see on each candidate by the view, ms (what
    /// `latency-greedy` ranks by).
    pub estimate_ms: Vec<f64>,
    /// Whether the view says each candidate has room and is up.
    pub fits: Vec<bool>,
    /// Whether the path to each candidate can carry the application (UDP over an L7 mesh
    /// cannot).
    pub allowed: Vec<bool>,
}

/// The monitored view: every cluster as the last scrape saw it, after the aggregation
/// lag. Lists are indexed by cluster id.
#[pyclass(frozen, get_all, module = "xrplace")]
pub struct View {
    /// When the scrape behind the view was taken, simulated s.
    pub scraped_at_s: f64,
    /// Cores not reserved by sessions.
    pub free_cpu_cores: Vec<f64>,
    /// Memory not reserved, MiB.
    pub free_memory_mib: Vec<f64>,
    /// Reserved share of the CPU, 0..1.
    pub cpu_util: Vec<f64>,
    /// Processing slowdown at that share.
    pub cpu_stretch: Vec<f64>,
    /// Whether the cluster answered the scrape.
    pub up: Vec<bool>,
    /// Tier of its site: `cloud`, `edge` or `far-edge`.
    pub tier: Vec<String>,
    /// Price of a vCPU-hour there, USD.
    pub cost_per_vcpu_hour_usd: Vec<f64>,
    /// The cluster's name in the topology file (as `timeseries.csv` and the exports name it).
    pub cluster_name: Vec<String>,
    /// The name of the cluster's site.
    pub site_name: Vec<String>,
}

/// The running sessions offered to `rebalance`, one entry per session in each list.
#[pyclass(frozen, get_all, module = "xrplace")]
pub struct Plan {
    /// Session ids (for the moves).
    pub session_id: Vec<u64>,
    /// Application index of each.
    pub app: Vec<u32>,
    /// Access site of each.
    pub site: Vec<u32>,
    /// Cluster each runs on.
    pub cluster: Vec<u32>,
    /// Candidate cluster ids of every access site, nearest first.
    pub candidates: Vec<Vec<u32>>,
}

fn view_object(view: &ObservedView) -> View {
    let c = view.clusters;
    View {
        scraped_at_s: view.scraped_at_s,
        free_cpu_cores: c.iter().map(|o| o.free_cpu_cores).collect(),
        free_memory_mib: c.iter().map(|o| o.free_memory_mib).collect(),
        cpu_util: c.iter().map(|o| o.cpu_util).collect(),
        cpu_stretch: c.iter().map(|o| o.cpu_stretch).collect(),
        up: c.iter().map(|o| o.up).collect(),
        tier: c.iter().map(|o| o.tier.name().to_string()).collect(),
        cost_per_vcpu_hour_usd: c.iter().map(|o| o.cost_per_vcpu_hour_usd).collect(),
        cluster_name: c.iter().map(|o| cluster_name(view, o.id)).collect(),
        site_name: c.iter().map(|o| site_name(view, o.id)).collect(),
    }
}

/// The name of cluster `c` (empty without a topology).
fn cluster_name(view: &ObservedView, c: ClusterId) -> String {
    view.topology
        .map_or_else(String::new, |t| t.clusters[c.ix()].name.clone())
}

/// The name of cluster `c`'s site (empty without a topology).
fn site_name(view: &ObservedView, c: ClusterId) -> String {
    view.topology.map_or_else(String::new, |t| {
        t.sites[t.clusters[c.ix()].site.ix()].name.clone()
    })
}

/// The request `req` as the Python object, with every per-candidate figure filled.
pub fn request_object(req: &PlacementRequest, view: &ObservedView) -> Request {
    let c = req.candidates;
    Request {
        app: req.app.name.clone(),
        app_index: req.app_index,
        site: req.users.first,
        site_name: view.topology.map_or_else(String::new, |t| {
            t.sites[req.users.first as usize].name.clone()
        }),
        access_ms: req.access_ms,
        slo_latency_ms: req.slo_latency_ms,
        cpu_cores: req.app.cpu_cores,
        memory_mib: req.app.memory_mib,
        clusters: c.iter().map(|x| x.cluster.0).collect(),
        rtt_ms: c.iter().map(|x| x.rtt_ms).collect(),
        estimate_ms: c.iter().map(|x| req.estimate_ms(x, view)).collect(),
        fits: c.iter().map(|x| req.fits(x, view)).collect(),
        allowed: c.iter().map(|x| req.allowed(x)).collect(),
    }
}

/// An instance of a Python strategy class, for one run.
struct PyStrategy {
    name: String,
    obj: Option<Py<PyAny>>,
    wants_rebalance: bool,
    errors: ErrorSlot,
    /// The view object of the last scrape seen (views change only at scrapes).
    view: Option<(u64, Py<View>)>,
}

impl PyStrategy {
    fn new(py: Python<'_>, name: &str, cls: &Py<PyAny>, seed: u64, errors: ErrorSlot) -> Self {
        let made = cls.call1(py, (seed,));
        let (obj, wants_rebalance) = match made {
            Ok(o) => {
                let wants = o.bind(py).getattr("rebalance").is_ok_and(|m| !m.is_none());
                (Some(o), wants)
            }
            Err(e) => {
                record(&errors, e);
                (None, false)
            }
        };
        PyStrategy {
            name: name.to_string(),
            obj,
            wants_rebalance,
            errors,
            view: None,
        }
    }

    fn failed(&self) -> bool {
        self.obj.is_none() || self.errors.lock().expect("error slot").is_some()
    }

    fn view<'py>(&mut self, py: Python<'py>, view: &ObservedView) -> PyResult<Bound<'py, View>> {
        let key = view.scraped_at_s.to_bits();
        if let Some((k, v)) = &self.view {
            if *k == key {
                return Ok(v.bind(py).clone());
            }
        }
        let v = Py::new(py, view_object(view))?;
        self.view = Some((key, v.clone_ref(py)));
        Ok(v.into_bound(py))
    }

    /// Cluster `id` a Python strategy returned, checked against the topology.
    fn cluster(&self, id: i64, n: usize) -> PyResult<ClusterId> {
        if id < 0 || id as usize >= n {
            return Err(PyValueError::new_err(format!(
                "strategy {:?} returned cluster id {id}; the topology's ids are 0 to {}",
                self.name,
                n.saturating_sub(1)
            )));
        }
        Ok(ClusterId(id as u32))
    }
}

fn record(errors: &ErrorSlot, e: PyErr) {
    let mut slot = errors.lock().expect("error slot");
    if slot.is_none() {
        *slot = Some(e);
    }
}

impl Strategy for PyStrategy {
    fn place(&mut self, req: &PlacementRequest, view: &ObservedView, ranked: &mut Vec<ClusterId>) {
        if self.failed() {
            return;
        }
        let n = view.clusters.len();
        let out = Python::with_gil(|py| -> PyResult<Vec<ClusterId>> {
            let v = self.view(py, view)?;
            let r = Py::new(py, request_object(req, view))?;
            let obj = self.obj.as_ref().expect("not failed");
            let answer = obj.call_method1(py, "place", (r, v))?;
            let ids: Vec<i64> = answer.extract(py).map_err(|_| {
                PyValueError::new_err(format!(
                    "strategy {:?}: place() must return a list of cluster ids (ints)",
                    self.name
                ))
            })?;
            ids.into_iter().map(|id| self.cluster(id, n)).collect()
        });
        match out {
            Ok(ids) => ranked.extend(ids),
            Err(e) => record(&self.errors, e),
        }
    }

    fn wants_rebalance(&self) -> bool {
        self.wants_rebalance
    }

    fn rebalance(&mut self, plan: &RebalanceContext, view: &ObservedView, moves: &mut Vec<Move>) {
        if self.failed() {
            return;
        }
        let n = view.clusters.len();
        let out = Python::with_gil(|py| -> PyResult<Vec<Move>> {
            let v = self.view(py, view)?;
            let s = plan.sessions;
            let p = Py::new(
                py,
                Plan {
                    session_id: s.iter().map(|x| x.id).collect(),
                    app: s.iter().map(|x| x.app).collect(),
                    site: s.iter().map(|x| x.site).collect(),
                    cluster: s.iter().map(|x| x.cluster.0).collect(),
                    candidates: plan
                        .candidates
                        .iter()
                        .map(|cs| cs.iter().map(|c| c.cluster.0).collect())
                        .collect(),
                },
            )?;
            let obj = self.obj.as_ref().expect("not failed");
            let answer = obj.call_method1(py, "rebalance", (p, v))?;
            if answer.is_none(py) {
                return Ok(Vec::new());
            }
            let pairs: Vec<(u64, i64)> = answer.extract(py).map_err(|_| {
                PyValueError::new_err(format!(
                    "strategy {:?}: rebalance() must return a list of (session_id, cluster_id) pairs",
                    self.name
                ))
            })?;
            pairs
                .into_iter()
                .map(|(session, to)| {
                    Ok(Move {
                        session,
                        to: self.cluster(to, n)?,
                    })
                })
                .collect()
        });
        match out {
            Ok(m) => moves.extend(m),
            Err(e) => record(&self.errors, e),
        }
    }
}

/// Registers Python class `cls` under `name`: every run makes its own instance,
/// `cls(seed)`, the seed drawn from the run's `strategy` stream.
pub fn register(_py: Python<'_>, r: &mut Registry, name: &str, cls: Py<PyAny>, errors: ErrorSlot) {
    let name_owned = name.to_string();
    r.register(name, move |mut ctx: StrategyContext| {
        let seed = ctx.rng.next_u64();
        Python::with_gil(|py| {
            Box::new(PyStrategy::new(py, &name_owned, &cls, seed, errors.clone()))
                as Box<dyn Strategy>
        })
    });
}
