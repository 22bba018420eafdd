//! A lower bound on the price of any plan that meets the SLO, from a relaxation the
//! planner computes without simulating a plan.
//!
//! The relaxation: capacity is bought by the core-hour at each cluster's cheapest price
//! (a candidate at its best size, fully used; an existing cluster at its per-use price),
//! with no contention and no node granularity, and memory free. Every session of a run
//! (the same arrivals as every simulated plan of that run) is served, for the time it runs
//! within the horizon, by the cheapest cluster that could keep it within the latency
//! budget at all: access both ways, RTT to the cluster's site, one frame's processing
//! there and its serialisation at the site's bandwidth ([`least_latency_ms`]; every other
//! latency term only adds), its central components on the central
//! cluster. The SLO's allowances are then spent where they save most: the
//! `max_rejected_ratio` share of arrivals rejected among the costliest sessions, and the
//! `max_violation_ratio` share of session time served for free among the costliest per
//! hour. Any plan meeting the SLO on a run pays at least that run's figure; the bound is the
//! mean over the search's runs (the plan's cost is its mean over runs too).
//!
//! It ignores that capacity must hold the peak, not the mean, and that nodes come whole,
//! so it is loose where load swings over the day; it is exact in none of the planner's
//! choices, which is why an exhaustive search reports its optimum instead.

use super::price::cluster_usd_per_day;
use super::relaxation::{BoundInputs, BoundSession};
use crate::engine::{RngStreams, SimTime};
use crate::experiment::plan_build::schedulable;
use crate::experiment::sessions::arrivals_of;
use crate::model::session::SessionApp;
use crate::model::session_platform::SessionPlatform;
use crate::model::topology::Cluster;
use crate::world::sessions::arrivals::ArrivalSource;

/// The bound, USD per day, and how it was found: the largest of the two relaxations (the
/// mean one here, the peak-covering one in [`super::cover`], each the mean over the
/// search's runs; `relaxation`) and the mixed-integer model over all runs
/// ([`super::milp`]; `milp` when proved optimal, `milp-node-limit` when branch and bound
/// stopped at its budget with the best bound it proved).
pub fn lower_bound_usd_per_day(x: &BoundInputs) -> (f64, &'static str) {
    let prices = core_hour_prices(x);
    let eligible = within_budget(x);
    let cheapest: Vec<Vec<f64>> = eligible
        .iter()
        .map(|per_site| {
            per_site
                .iter()
                .map(|cs| cs.iter().map(|&c| prices[c]).fold(f64::INFINITY, f64::min))
                .collect()
        })
        .collect();
    let day_factor = 86_400.0 / x.exp.config.duration_s;
    let (mut mean, mut peak) = (0.0, 0.0);
    let runs: Vec<Vec<BoundSession>> = (0..x.runs).map(|r| sessions_of_run(x, r)).collect();
    for sessions in &runs {
        mean += run_bound_usd(x, sessions, &cheapest, &prices) * day_factor;
        peak += super::cover::run_cover_usd_per_day(x, sessions, &eligible, &prices);
    }
    let relaxed = mean.max(peak) / x.runs.max(1) as f64;
    match super::milp::milp_bound_usd_per_day(x, &runs, &eligible) {
        Some((m, optimal)) if m > relaxed => (m, if optimal { "milp" } else { "milp-node-limit" }),
        _ => (relaxed, "relaxation"),
    }
}

/// Cheapest price of a reserved core for an hour on each topology cluster, USD: a
/// candidate at its best size used fully, an existing cluster at its per-use price.
pub fn core_hour_prices(x: &BoundInputs) -> Vec<f64> {
    x.base
        .clusters
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let Some(c) = x.candidates.iter().position(|&j| j == i) else {
                return k.cost_per_vcpu_hour_usd;
            };
            x.sizes[c]
                .iter()
                .filter(|&&n| n > 0)
                .filter_map(|&n| {
                    let cores = schedulable(x.base, k, n).cpu_cores;
                    (cores > 0.0).then(|| cluster_usd_per_day(k, n) / 24.0 / cores)
                })
                .fold(f64::INFINITY, f64::min)
        })
        .collect()
}

/// Per application and access site, the clusters (topology indices) that could keep a
/// session within the budget at all: those whose [`least_latency_ms`] is within it.
pub fn within_budget(x: &BoundInputs) -> Vec<Vec<Vec<usize>>> {
    let p = x.platform;
    let slo = x.s.slo_latency_ms;
    p.apps
        .iter()
        .map(|app| {
            (0..p.topology.sites.len() as u32)
                .map(|site| {
                    p.topology
                        .clusters
                        .iter()
                        .enumerate()
                        .filter(|(_, k)| least_latency_ms(p, app, site, k) <= slo)
                        .map(|(i, _)| i)
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// The least latency a session of `app` from access site `site` can have on cluster `k` in
/// any plan, ms: the terms of the flow latency formula
/// (`crate::model::session::session_latency_ms`) that no plan changes, at their least:
/// the access latency both ways, the RTT to the cluster's site, one frame's processing at
/// no contention (stretch 1) and its serialisation at the cluster site's full bandwidth
/// (frame bits / bandwidth; a fault only takes bandwidth away). Every other term only adds:
/// the contention stretch is at least 1, egress and relay waits at least 0, a shared
/// session's slower users and a fault's extra RTT at least 0. The cross-cluster hop costs
/// are left out although they add too, because they are 0 on the home cluster, and which
/// cluster is home (the nearest one present) depends on the plan.
pub fn least_latency_ms(p: &SessionPlatform, app: &SessionApp, site: u32, k: &Cluster) -> f64 {
    let access = p.topology.sites[site as usize].access_latency_ms;
    let bandwidth_gbps = p.topology.sites[k.site.0 as usize].intra_site_bandwidth_gbps;
    let serialise_ms = app.frame_bits / (bandwidth_gbps * 1e9) * 1e3;
    2.0 * access
        + p.site_rtt_ms(site, k.site.0)
        + app.ms_per_frame / k.cpu_speed_ratio
        + serialise_ms
}

/// The sessions of search run `run`: the same arrivals every simulated plan sees in it.
pub fn sessions_of_run(x: &BoundInputs, run: u32) -> Vec<BoundSession> {
    let p = x.platform;
    let horizon_s = x.exp.config.duration_s;
    let arrivals = arrivals_of(x.exp, x.s.load.rate_per_s);
    let streams = RngStreams::new(x.seed, run as u64);
    let mut source = ArrivalSource::new(
        p,
        &arrivals,
        streams.stream("session-arrivals"),
        streams.stream("session-attributes"),
    );
    let mut others = Vec::new();
    let mut out = Vec::new();
    let mut next = source.next_time(SimTime::ZERO);
    while let Some(t) = next.filter(|t| (t.0 as f64 / 1e9) < horizon_s) {
        let a = source.draw(p);
        next = source.next_time(t);
        source.draw_others(p, a, &mut others);
        let start_s = t.0 as f64 / 1e9;
        out.push(BoundSession {
            site: a.site,
            app: a.app,
            start_h: start_s / 3600.0,
            hours: a.duration_s.min(horizon_s - start_s) / 3600.0,
        });
    }
    out
}

/// The mean relaxation on one run, USD: each session at its cheapest cluster within the
/// budget, less the allowances spent on the costliest sessions.
fn run_bound_usd(
    x: &BoundInputs,
    sessions: &[BoundSession],
    cheapest: &[Vec<f64>],
    prices: &[f64],
) -> f64 {
    let p = x.platform;
    let central_price = p.central.map_or(0.0, |c| prices[c.0 as usize]);
    let priced: Vec<(f64, f64)> = sessions
        .iter()
        .map(|s| {
            let app = &p.apps[s.app as usize];
            let (local_cores, _) = app.local_resources();
            let local = cheapest[s.app as usize][s.site as usize];
            // A session no cluster could serve within budget violates wherever it runs;
            // it costs at least nothing.
            let local_usd = if local.is_finite() {
                local_cores * local
            } else {
                0.0
            };
            (
                (local_usd + app.central_cpu_cores * central_price) * s.hours,
                s.hours,
            )
        })
        .collect();
    after_allowances(priced, x.slo.max_rejected_ratio, x.slo.max_violation_ratio)
}

/// What `sessions` (USD, hours) cost at least once `rejected` (a share of them, the
/// costliest) pay nothing and `violation` (a share of all session time, the costliest per
/// hour) is served for free.
pub fn after_allowances(mut sessions: Vec<(f64, f64)>, rejected: f64, violation: f64) -> f64 {
    let total_hours: f64 = sessions.iter().map(|s| s.1).sum();
    let drop = (rejected * sessions.len() as f64).floor() as usize;
    sessions.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut rest: Vec<(f64, f64)> = sessions.split_off(drop.min(sessions.len()));
    rest.sort_by(|a, b| (b.0 / b.1.max(1e-12)).total_cmp(&(a.0 / a.1.max(1e-12))));
    let mut free_hours = violation * total_hours;
    let mut usd = 0.0;
    for (cost, hours) in rest {
        let freed = free_hours.min(hours);
        free_hours -= freed;
        if hours > 0.0 {
            usd += cost * (1.0 - freed / hours);
        }
    }
    usd
}

#[cfg(test)]
mod tests {
    use super::after_allowances;

    #[test]
    fn allowances_go_to_the_costliest_sessions() {
        // Four sessions of 1 h at 1, 2, 3, 4 USD: a quarter rejected drops the 4 USD one;
        // a quarter of the 4 h served for free takes the 3 USD one.
        let s = vec![(1.0, 1.0), (2.0, 1.0), (3.0, 1.0), (4.0, 1.0)];
        assert!((after_allowances(s.clone(), 0.0, 0.0) - 10.0).abs() < 1e-12);
        assert!((after_allowances(s.clone(), 0.25, 0.0) - 6.0).abs() < 1e-12);
        assert!((after_allowances(s.clone(), 0.25, 0.25) - 3.0).abs() < 1e-12);
        // Half an hour free: half of the 4 USD session's cost.
        assert!((after_allowances(s, 0.0, 0.125) - 8.0).abs() < 1e-12);
    }
}
