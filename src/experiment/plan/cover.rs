//! The peak-covering relaxation of the lower bound: capacity must hold each site's demand at
//! its peak, not its mean.
//!
//! A site whose sessions can keep within the budget only on candidate clusters (its set
//! N(s) of clusters within reach holds no existing one) needs, at every instant, capacity
//! on N(s) for the sessions it serves within budget: sum over c in N(s) of cap_c >= the
//! level of demand it serves. Dropping that clusters are shared between sites relaxes the
//! plan; by LP duality any prices y_s >= 0 with sum over s with c in N(s) of y_s <= p_c
//! (p_c: candidate c's cheapest price per allocatable core and day) then give
//! cost >= sum_s y_s L_s, where L_s is the level site s must hold. The prices come from a
//! greedy dual ascent, sites with the highest peak first.
//!
//! The SLO's allowances lower the levels: sessions over the budget (at most
//! `max_violation_ratio` of all session time, each at most the biggest session's cores) and
//! rejected sessions (at most `max_rejected_ratio` of arrivals, counted at the biggest core
//! hours of any sessions) free an area of core-hours, spent where it lowers the bound most:
//! lowering site s's level from L costs the time its demand spends above L per core, so a
//! greedy on y_s over that time is optimal (the cost is convex in the level).

use super::relaxation::{BoundInputs, BoundSession};

/// The covering relaxation's bound on one run, USD per day of candidate capacity.
pub fn run_cover_usd_per_day(
    x: &BoundInputs,
    sessions: &[BoundSession],
    eligible: &[Vec<Vec<usize>>],
    prices_per_core_hour: &[f64],
) -> f64 {
    let p = x.platform;
    let sites = p.topology.sites.len();
    let near = reach(eligible, sites);
    let covered: Vec<bool> = near
        .iter()
        .map(|cs| !cs.is_empty() && cs.iter().all(|c| x.candidates.contains(c)))
        .collect();
    let cores = |s: &BoundSession| p.apps[s.app as usize].local_resources().0;
    let mut events: Vec<Vec<(f64, i64)>> = vec![Vec::new(); sites];
    for s in sessions {
        let k = s.site as usize;
        if covered[k] && !eligible[s.app as usize][k].is_empty() {
            let mc = (cores(s) * 1000.0).round() as i64;
            events[k].push((s.start_h, mc));
            events[k].push((s.start_h + s.hours, -mc));
        }
    }
    let profiles: Vec<Vec<Segment>> = events.into_iter().map(segments).collect();
    let y = dual_prices(&near, &covered, &profiles, x, prices_per_core_hour);
    let allowance_core_hours = allowance(x, sessions, &cores);
    spend(&profiles, &y, allowance_core_hours)
}

/// Per site, the clusters within reach for any application, sorted.
fn reach(eligible: &[Vec<Vec<usize>>], sites: usize) -> Vec<Vec<usize>> {
    (0..sites)
        .map(|k| {
            let mut cs: Vec<usize> = eligible.iter().flat_map(|app| app[k].clone()).collect();
            cs.sort_unstable();
            cs.dedup();
            cs
        })
        .collect()
}

/// A step of lowering a site's level: from `high` to `low` cores, over which the demand is
/// above the level for `hours_above` hours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Segment {
    /// Level the step starts at, cores.
    pub high: f64,
    /// Level it ends at, cores.
    pub low: f64,
    /// Hours the demand spends above any level of the step.
    pub hours_above: f64,
}

/// The demand profile of one site from its (time h, +-millicores) events, as segments from
/// its peak down to 0.
pub(super) fn segments(mut events: Vec<(f64, i64)>) -> Vec<Segment> {
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut time_at: std::collections::BTreeMap<i64, f64> = Default::default();
    let mut level = 0i64;
    for w in events.windows(2) {
        level += w[0].1;
        let dt = w[1].0 - w[0].0;
        if level > 0 && dt > 0.0 {
            *time_at.entry(level).or_default() += dt;
        }
    }
    let levels: Vec<(i64, f64)> = time_at.into_iter().rev().collect();
    let mut out = Vec::with_capacity(levels.len());
    let mut above = 0.0;
    for (i, &(l, t)) in levels.iter().enumerate() {
        above += t;
        let next = levels.get(i + 1).map_or(0, |n| n.0);
        out.push(Segment {
            high: l as f64 / 1000.0,
            low: next as f64 / 1000.0,
            hours_above: above,
        });
    }
    out
}

/// Dual prices per site (USD per core and day) by greedy ascent: each covered site, highest
/// peak first, takes the least slack left among its clusters.
fn dual_prices(
    near: &[Vec<usize>],
    covered: &[bool],
    profiles: &[Vec<Segment>],
    x: &BoundInputs,
    prices_per_core_hour: &[f64],
) -> Vec<f64> {
    let mut slack: Vec<f64> = prices_per_core_hour.iter().map(|p| p * 24.0).collect();
    let peak = |k: usize| profiles[k].first().map_or(0.0, |s| s.high);
    let mut order: Vec<usize> = (0..near.len())
        .filter(|&k| covered[k] && peak(k) > 0.0)
        .collect();
    order.sort_by(|&a, &b| peak(b).total_cmp(&peak(a)).then(a.cmp(&b)));
    let mut y = vec![0.0; near.len()];
    for k in order {
        let take = near[k]
            .iter()
            .map(|&c| slack[c])
            .fold(f64::INFINITY, f64::min)
            .max(0.0);
        if !take.is_finite() {
            continue;
        }
        y[k] = take;
        for &c in &near[k] {
            debug_assert!(x.candidates.contains(&c));
            slack[c] -= take;
        }
    }
    y
}

/// Core-hours of demand a plan meeting the SLO may leave unserved within budget.
fn allowance(
    x: &BoundInputs,
    sessions: &[BoundSession],
    cores: &dyn Fn(&BoundSession) -> f64,
) -> f64 {
    let biggest = x.biggest_session_cores();
    let hours: f64 = sessions.iter().map(|s| s.hours).sum();
    let mut core_hours: Vec<f64> = sessions.iter().map(|s| cores(s) * s.hours).collect();
    core_hours.sort_by(|a, b| b.total_cmp(a));
    let rejected = (x.slo.max_rejected_ratio * sessions.len() as f64).floor() as usize;
    let rejected_area: f64 = core_hours.iter().take(rejected).sum();
    x.slo.max_violation_ratio * hours * biggest + rejected_area
}

/// Sum of y_s times each site's level once `area` core-hours are spent lowering the levels
/// where a core-hour lowers the sum most.
fn spend(profiles: &[Vec<Segment>], y: &[f64], mut area: f64) -> f64 {
    let mut at = vec![0usize; profiles.len()];
    let mut level: Vec<f64> = profiles
        .iter()
        .map(|p| p.first().map_or(0.0, |s| s.high))
        .collect();
    while area > 0.0 {
        let best = (0..profiles.len())
            .filter(|&k| y[k] > 0.0 && at[k] < profiles[k].len())
            .max_by(|&a, &b| {
                let r = |k: usize| y[k] / profiles[k][at[k]].hours_above;
                r(a).total_cmp(&r(b)).then(b.cmp(&a))
            });
        let Some(k) = best else {
            break;
        };
        let seg = profiles[k][at[k]];
        let room = level[k] - seg.low;
        let down = room.min(area / seg.hours_above);
        level[k] -= down;
        area -= down * seg.hours_above;
        if down >= room {
            at[k] += 1;
        }
    }
    (0..profiles.len()).map(|k| y[k] * level[k]).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_steps_down_from_its_peak() {
        // 2 cores for 1 h, then 4 cores for 0.5 h, then 2 cores for 1 h.
        let e = vec![(0.0, 2000), (1.0, 2000), (1.5, -2000), (2.5, -2000)];
        let s = segments(e);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].high, s[0].low, s[0].hours_above), (4.0, 2.0, 0.5));
        assert_eq!((s[1].high, s[1].low, s[1].hours_above), (2.0, 0.0, 2.5));
    }

    #[test]
    fn the_allowance_lowers_the_cheapest_levels_to_lower_first() {
        let s = segments(vec![(0.0, 2000), (1.0, 2000), (1.5, -2000), (2.5, -2000)]);
        let profiles = vec![s.clone(), s];
        // Site 0 pays 1 per core, site 1 pays 3: without allowance 4 + 12.
        assert!((spend(&profiles, &[1.0, 3.0], 0.0) - 16.0).abs() < 1e-12);
        // 0.5 core-hours lower site 1's peak by 1 core (0.5 h above it): 4 + 9.
        assert!((spend(&profiles, &[1.0, 3.0], 0.5) - 13.0).abs() < 1e-12);
        // 1 core-hour takes site 1 down to 2 cores: 4 + 6; then site 0.
        assert!((spend(&profiles, &[1.0, 3.0], 1.0) - 10.0).abs() < 1e-12);
        assert!((spend(&profiles, &[1.0, 3.0], 1.5) - 9.0).abs() < 1e-12);
    }
}
