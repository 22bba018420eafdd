//! What the SLO lets a plan leave unserved within budget, as the mixed-integer bound
//! ([`super::milp`]) reads it: the allowances pooled over the search's runs, the lines below
//! a group's unserved area (convex in how far its level is lowered) and the lines above a
//! run's rejected core-hours (concave in how many sessions it rejects). Each line is valid
//! on its own, so the model may keep any subset.

use super::cover::Segment;
use super::relaxation::{BoundInputs, BoundSession};

/// Most lines bounding a group's unserved area in one run (and a run's rejected
/// core-hours).
pub(super) const MAX_PIECES: usize = 14;

/// Lines (intercept, slope in hours) below the unserved area of holding a profile at
/// `peak - d`: one per piece of the convex piecewise-linear area, those starting within
/// `allowance`, thinned to [`MAX_PIECES`] (each line alone is a valid bound, so any subset
/// is). The thinning keeps the first piece and, for areas of `allowance` halved again and
/// again, the piece where the area reaches it: one group's share of the allowance is a
/// small part of it, and lines picked evenly by index would all lie where the area is
/// far past that share, leaving the first few cores of a shave nearly free.
pub(super) fn area_lines(profile: &[Segment], peak: f64, allowance: f64) -> Vec<(f64, f64)> {
    // (area before the piece, its line)
    let mut pieces: Vec<(f64, (f64, f64))> = Vec::new();
    let mut area = 0.0;
    for s in profile {
        let d0 = peak - s.high;
        if area > allowance {
            break;
        }
        pieces.push((area, (area - s.hours_above * d0, s.hours_above)));
        area += s.hours_above * (s.high - s.low);
    }
    if pieces.len() <= MAX_PIECES {
        return pieces.into_iter().map(|p| p.1).collect();
    }
    let mut keep: Vec<usize> = vec![0];
    let mut level = allowance;
    for _ in 1..MAX_PIECES {
        let at = pieces.partition_point(|p| p.0 <= level).saturating_sub(1);
        keep.push(at);
        level /= 2.0;
    }
    keep.sort_unstable();
    keep.dedup();
    keep.into_iter().map(|i| pieces[i].1).collect()
}

/// The core-hours of the `k` longest sessions of a run (local cores x hours within the
/// horizon), for k = 0 up to the most sessions one run may reject (`share` of its
/// arrivals, the pooled ratio of all runs): what `k` rejections can take off the run's
/// demand at most. Concave in `k` (each next session is no longer).
pub(super) fn top_core_hours(x: &BoundInputs, sessions: &[BoundSession], share: f64) -> Vec<f64> {
    let most = (share * sessions.len() as f64).floor() as usize + 1;
    let mut each: Vec<f64> = sessions
        .iter()
        .map(|s| x.platform.apps[s.app as usize].local_resources().0 * s.hours)
        .collect();
    each.sort_by(|a, b| b.total_cmp(a));
    let mut out = Vec::with_capacity(most + 1);
    let mut sum = 0.0;
    out.push(0.0);
    for v in each.into_iter().take(most) {
        sum += v;
        out.push(sum);
    }
    out
}

/// Lines (intercept, slope per session) above a concave function given at 0, 1, 2, ...
/// (`top[k]`): the line through `top[k]` and `top[k + 1]` for k = 0, 1, 3, 7, ... (at most
/// [`MAX_PIECES`]). By concavity each lies on or above `top` at every whole `k`, and the
/// count of sessions rejected is whole, so `core-hours <= line(k)` holds for every plan.
pub(super) fn count_lines(top: &[f64]) -> Vec<(f64, f64)> {
    let mut lines = Vec::new();
    let mut k = 0usize;
    while k + 1 < top.len() && lines.len() < MAX_PIECES {
        let slope = top[k + 1] - top[k];
        lines.push((top[k] - slope * k as f64, slope));
        k = 2 * k + 1;
    }
    lines
}

/// What the SLO lets all runs together leave unserved within budget.
pub(super) struct Allowance {
    /// Core-hours of sessions over budget: the mean over the search's runs of each run's
    /// share of session time over budget is at most `max_violation_ratio` (as scaled in
    /// [`BoundInputs::slo`]), so those runs together hold at most `runs` x that share of the
    /// longest run's session hours, each session at most the biggest session's cores.
    pub violation_core_hours: f64,
    /// Sum over runs of (sessions rejected / the run's arrivals): `runs` x
    /// `max_rejected_ratio`, as the mean over the search's runs is at most the ratio.
    pub rejected_share: f64,
    /// Cores of the biggest session: what one rejection takes off any instant's demand.
    pub biggest_cores: f64,
}

impl Allowance {
    /// The allowances of the search's `runs` as the SLO of `x` sets them.
    pub fn of(x: &BoundInputs, runs: &[Vec<BoundSession>]) -> Allowance {
        let biggest_cores = x.biggest_session_cores();
        let longest = runs
            .iter()
            .map(|r| r.iter().map(|s| s.hours).sum::<f64>())
            .fold(0.0, f64::max);
        let n = runs.len() as f64;
        Allowance {
            violation_core_hours: n * x.slo.max_violation_ratio * longest * biggest_cores,
            rejected_share: n * x.slo.max_rejected_ratio,
            biggest_cores,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::plan::cover::segments;

    #[test]
    fn the_area_lines_lie_below_the_area_and_touch_it_at_each_piece() {
        // 2 cores for 1 h, 4 cores for 0.5 h, 2 cores for 1 h: peak 4; dropping to 2
        // leaves 2 x 0.5 = 1 core-hour; to 0, 1 + 2 x 2.5 = 6.
        let p = segments(vec![(0.0, 2000), (1.0, 2000), (1.5, -2000), (2.5, -2000)]);
        let lines = area_lines(&p, 4.0, 100.0);
        let area = |d: f64| lines.iter().map(|(b, m)| b + m * d).fold(0.0f64, f64::max);
        assert!((area(0.0) - 0.0).abs() < 1e-12);
        assert!((area(1.0) - 0.5).abs() < 1e-12);
        assert!((area(2.0) - 1.0).abs() < 1e-12);
        assert!((area(4.0) - 6.0).abs() < 1e-12);
        // An allowance of half a core-hour needs only the first piece's line.
        assert_eq!(area_lines(&p, 4.0, 0.5).len(), 1);
    }

    #[test]
    fn thinned_lines_stay_below_the_area_and_exact_for_small_shaves() {
        // 40 sessions of 1 core, session i from 0 h to i h: the demand steps down one core
        // an hour from 40. Lowering the level by d whole cores leaves 1 + 2 + ... + d =
        // d (d + 1) / 2 core-hours. With an allowance of 400 core-hours 28 pieces start
        // within it (the 28th at 378), more than MAX_PIECES, so they are thinned.
        let events: Vec<(f64, i64)> = (1..=40)
            .flat_map(|i| [(0.0, 1000), (i as f64, -1000)])
            .collect();
        let p = segments(events);
        let lines = area_lines(&p, 40.0, 400.0);
        assert!(lines.len() <= MAX_PIECES);
        let area = |d: f64| {
            let w = d.floor();
            w * (w + 1.0) / 2.0 + (w + 1.0) * (d - w)
        };
        let bound = |d: f64| lines.iter().map(|(b, m)| b + m * d).fold(0.0f64, f64::max);
        for k in 0..=400 {
            let d = k as f64 / 10.0;
            assert!(
                bound(d) <= area(d) + 1e-9,
                "d = {d}: {} above {}",
                bound(d),
                area(d)
            );
        }
        // A small shave, where one group's share of the allowance lies, is bounded exactly.
        for d in [1.0, 2.0, 3.0, 4.0, 5.0] {
            assert!((bound(d) - area(d)).abs() < 1e-9, "d = {d}");
        }
    }

    #[test]
    fn the_count_lines_lie_on_or_above_the_top_core_hours_at_every_whole_count() {
        // The longest sessions' core-hours 5, 4, 4, 1, 1, 0.5: prefix sums below.
        let top = [0.0, 5.0, 9.0, 13.0, 14.0, 15.0, 15.5];
        let lines = count_lines(&top);
        // k = 0, 1, 3 (7 is past the end): three lines.
        assert_eq!(lines.len(), 3);
        for (k, &v) in top.iter().enumerate() {
            let least = lines
                .iter()
                .map(|(b, m)| b + m * k as f64)
                .fold(f64::INFINITY, f64::min);
            assert!(least >= v - 1e-12, "k = {k}: {least} below {v}");
        }
        // Each touches the function at its own two points: at k = 1 the first line gives 5.
        assert!((lines[0].0 + lines[0].1 - 5.0).abs() < 1e-12);
        // Through (3, 13) and (4, 14): at k = 4, 14.
        assert!((lines[2].0 + 4.0 * lines[2].1 - 14.0).abs() < 1e-12);
    }
}
