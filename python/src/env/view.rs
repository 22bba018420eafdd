//! The fixed-size candidate view of a decision: `K` slots for the `K` nearest candidate
//! clusters of the session's site (the platform's candidate order, nearest first), then
//! `CLOUDS` slots for the clouds among the rest of its candidates (the platform adds up to
//! that many nearest clouds to every site's candidates: `CLOUD_CANDIDATES` in
//! `src/model/session_platform/derive.rs`). The shape depends on `K` alone, never on the
//! topology.
//!
//! Observation (`float32`, every entry clipped to 0..10): per slot, `F` = 9 figures:
//! present, fits (by the view), allowed (path can carry it), estimated latency / budget,
//! RTT / budget, free cores / the session's cores, CPU share, up, USD per vCPU-hour; then
//! `G` = 3 figures of the request: application index / applications, simulated time /
//! duration, the application's mean duration / 1 h.
//!
//! Mask (sb3-contrib MaskablePPO's convention, `True` = allowed): slot `i` is allowed if it
//! is present and the view says it fits and its path can carry the session; the reject
//! action (the last) always is.

use xrplace::config::topology::Tier;
use xrplace::model::session_platform::CLOUD_CANDIDATES;
use xrplace::model::ClusterId;
use xrplace::world::policy::{ObservedView, PlacementRequest};

/// Figures per candidate slot.
pub const F: usize = 9;
/// Figures of the request itself.
pub const G: usize = 3;
/// Every figure is clipped to `0..CLIP`.
pub const CLIP: f32 = 10.0;
/// Slots for clouds past the `K` nearest candidates.
pub const CLOUDS: usize = CLOUD_CANDIDATES;

/// The slots of one decision: which candidate (index into the request's candidates) each
/// slot shows, if any.
pub fn slots(req: &PlacementRequest, view: &ObservedView, k: usize, out: &mut Vec<Option<u32>>) {
    out.clear();
    out.resize(k + CLOUDS, None);
    let n = req.candidates.len();
    for (i, slot) in out.iter_mut().enumerate().take(k.min(n)) {
        *slot = Some(i as u32);
    }
    let clouds =
        (k..n).filter(|&i| view.clusters[req.candidates[i].cluster.ix()].tier == Tier::Cloud);
    for (j, i) in clouds.take(CLOUDS).enumerate() {
        out[k + j] = Some(i as u32);
    }
}

/// Whether the view allows candidate `i`: it fits by the view and its path carries the
/// session.
pub fn allowed(req: &PlacementRequest, view: &ObservedView, i: u32) -> bool {
    let c = &req.candidates[i as usize];
    req.fits(c, view) && req.allowed(c)
}

fn clip(v: f64) -> f32 {
    if v.is_nan() {
        return 0.0;
    }
    (v as f32).clamp(0.0, CLIP)
}

/// What an observation is scaled by besides the request.
pub struct Scale {
    /// Applications in the experiment.
    pub apps: usize,
    /// The run's duration, s.
    pub duration_s: f64,
}

/// Writes the observation of the decision into `obs` (length `slots.len() * F + G`) and
/// the mask into `mask` (`slots.len() + 1`).
pub fn observe(
    req: &PlacementRequest,
    view: &ObservedView,
    slots: &[Option<u32>],
    scale: &Scale,
    (obs, mask): (&mut [f32], &mut [bool]),
) {
    obs.fill(0.0);
    mask.fill(false);
    let slo = req.slo_latency_ms.max(1e-9);
    let cores = req.app.cpu_cores.max(1e-9);
    for (s, i) in slots.iter().enumerate() {
        let Some(i) = *i else { continue };
        let c = &req.candidates[i as usize];
        let o = &view.clusters[c.cluster.ix()];
        let (fits, ok) = (req.fits(c, view), req.allowed(c));
        let x = [
            1.0,
            f64::from(u8::from(fits)),
            f64::from(u8::from(ok)),
            req.estimate_ms(c, view) / slo,
            c.rtt_ms / slo,
            o.free_cpu_cores / cores,
            o.cpu_util,
            f64::from(u8::from(o.up)),
            o.cost_per_vcpu_hour_usd,
        ];
        for (j, v) in x.into_iter().enumerate() {
            obs[s * F + j] = clip(v);
        }
        mask[s] = fits && ok;
    }
    let g = slots.len() * F;
    obs[g] = clip(req.app_index as f64 / scale.apps.max(1) as f64);
    obs[g + 1] = clip(view.scraped_at_s / scale.duration_s.max(1e-9));
    obs[g + 2] = clip(req.app.mean_duration_s / 3600.0);
    mask[slots.len()] = true;
}

/// The ranking of action `a` (a slot; `slots.len()` rejects): the slot's cluster first,
/// then, if `try_others`, every other allowed slot, lowest estimated latency first (as
/// latency-greedy ranks), so an allowed action is rejected only if no allowed slot can
/// really take the session.
pub fn ranking(
    req: &PlacementRequest,
    view: &ObservedView,
    slots: &[Option<u32>],
    (a, try_others): (usize, bool),
    out: &mut Vec<ClusterId>,
) {
    out.clear();
    let Some(Some(first)) = slots.get(a).copied() else {
        return;
    };
    out.push(req.candidates[first as usize].cluster);
    if !try_others {
        return;
    }
    let mut rest: Vec<(f64, ClusterId)> = slots
        .iter()
        .flatten()
        .filter(|&&i| i != first && allowed(req, view, i))
        .map(|&i| {
            let c = &req.candidates[i as usize];
            (req.estimate_ms(c, view), c.cluster)
        })
        .collect();
    rest.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    out.extend(rest.into_iter().map(|x| x.1));
}
