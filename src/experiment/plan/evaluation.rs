//! One simulated candidate plan: what each of its runs showed, and whether it meets the SLO.

use crate::config::plan::PlanSlo;
use crate::metrics::sessions::SessionSummary;
use crate::metrics::stats::{mean_ci95, quantile_mean_ci95};

/// What one run of a plan showed, per topology cluster (clusters dropped at 0 nodes read 0).
#[derive(Debug, Clone)]
pub struct RunFigures {
    /// The run's session figures.
    pub summary: SessionSummary,
    /// Use of existing (non-candidate) clusters, USD over the run.
    pub existing_usd: f64,
    /// Peak reserved cores per topology cluster.
    pub peak_cpu_cores: Vec<f64>,
    /// Peak concurrent sessions per application and topology cluster.
    pub peak_sessions: Vec<Vec<u32>>,
    /// Peak concurrent sessions per application on all clusters together.
    pub peak_total_sessions: Vec<u32>,
    /// Sessions per application and topology cluster at that cluster's peak.
    pub sessions_at_peak: Vec<Vec<u32>>,
}

/// One simulated candidate plan.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// Position in the order tried.
    pub id: u32,
    /// Search phase that proposed it: naive, exhaustive, warm-start, repair, search,
    /// holdout.
    pub phase: &'static str,
    /// The plan it was derived from, if any (its `id`).
    pub parent: Option<u32>,
    /// The move from the parent that produced it (`shrink k8s-lyon 4->3`, ...).
    pub step: String,
    /// Strategy placing the sessions.
    pub strategy: String,
    /// Nodes per candidate cluster (in the planner's candidate order).
    pub nodes: Vec<u32>,
    /// Price of the plan, USD per day: the candidate clusters' capacity plus the sessions'
    /// use of existing clusters (paid per use).
    pub cost_usd_per_day: f64,
    /// Of which: use of existing clusters (mean over runs), USD per day.
    pub existing_usd_per_day: f64,
    /// Of which: the price of its carbon (mean over runs, at the plan's
    /// `carbon_usd_per_kg`), USD per day.
    pub carbon_usd_per_day: f64,
    /// Figures of each run (in run order; the sequential rule may have added runs).
    pub runs: Vec<SessionSummary>,
    /// Whether the figures over its runs meet the SLO.
    pub meets: bool,
    /// Peak concurrent sessions per application and topology cluster (max over runs).
    pub peak_sessions: Vec<Vec<u32>>,
    /// Peak concurrent sessions per application on all clusters together (max over runs).
    pub peak_total_sessions: Vec<u32>,
    /// Peak reserved cores per topology cluster (max over runs).
    pub peak_cpu_cores: Vec<f64>,
    /// Sessions per application and topology cluster at that cluster's peak (from the run
    /// with the highest peak).
    pub sessions_at_peak: Vec<Vec<u32>>,
}

impl Evaluation {
    /// Mean over runs and 95 % CI half-width of a figure.
    pub fn stat(&self, f: impl Fn(&SessionSummary) -> f64) -> (f64, f64) {
        let v: Vec<f64> = self.runs.iter().map(f).collect();
        mean_ci95(&v)
    }

    /// [`Self::stat`] of a latency quantile read from each run's histogram, ms: its
    /// half-width is at least the histogram's resolution ([`quantile_mean_ci95`]).
    pub fn quantile_stat(&self, f: impl Fn(&SessionSummary) -> f64) -> (f64, f64) {
        let v: Vec<f64> = self.runs.iter().map(f).collect();
        quantile_mean_ci95(&v)
    }

    /// The evaluation of a plan from its runs' figures; `capacity_usd_per_day` is the
    /// price of its candidate clusters and `day_factor` turns a run's USD into USD per day.
    pub fn from_runs(
        proposal: Proposal,
        figures: &[RunFigures],
        capacity_usd_per_day: f64,
        day_factor: f64,
        slo: &PlanSlo,
    ) -> Evaluation {
        let n = figures[0].peak_cpu_cores.len();
        let apps = figures[0].peak_total_sessions.len();
        let mut peak_cpu_cores = vec![0.0f64; n];
        let mut peak_sessions = vec![vec![0u32; n]; apps];
        let mut sessions_at_peak = vec![vec![0u32; n]; apps];
        for f in figures {
            for i in 0..n {
                if f.peak_cpu_cores[i] > peak_cpu_cores[i] {
                    peak_cpu_cores[i] = f.peak_cpu_cores[i];
                    for (a, row) in sessions_at_peak.iter_mut().enumerate() {
                        row[i] = f.sessions_at_peak[a][i];
                    }
                }
                for (a, row) in peak_sessions.iter_mut().enumerate() {
                    row[i] = row[i].max(f.peak_sessions[a][i]);
                }
            }
        }
        let peak_total_sessions = (0..apps)
            .map(|a| {
                figures
                    .iter()
                    .map(|f| f.peak_total_sessions[a])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let existing: f64 = figures.iter().map(|f| f.existing_usd).sum::<f64>();
        let existing_usd_per_day = existing / figures.len() as f64 * day_factor;
        let runs: Vec<SessionSummary> = figures.iter().map(|f| f.summary.clone()).collect();
        let mut e = Evaluation {
            id: 0,
            phase: proposal.phase,
            parent: proposal.parent,
            step: proposal.step,
            strategy: proposal.strategy,
            nodes: proposal.nodes,
            cost_usd_per_day: capacity_usd_per_day + existing_usd_per_day,
            existing_usd_per_day,
            carbon_usd_per_day: 0.0,
            runs,
            meets: false,
            peak_sessions,
            peak_total_sessions,
            peak_cpu_cores,
            sessions_at_peak,
        };
        e.meets = verdict(&e, slo) == Verdict::Meets;
        e
    }
}

impl Evaluation {
    /// Adds the price of the plan's carbon to its cost: the mean `carbon_kg` of its runs,
    /// times `day_factor` (run to day) and `usd_per_kg`. A price of 0 leaves the cost as
    /// it was, bit for bit.
    pub fn price_carbon(&mut self, usd_per_kg: f64, day_factor: f64) {
        if usd_per_kg == 0.0 || self.runs.is_empty() {
            return;
        }
        let (kg_per_run, _) = self.stat(|s| s.energy.carbon_kg);
        self.carbon_usd_per_day = kg_per_run * day_factor * usd_per_kg;
        self.cost_usd_per_day += self.carbon_usd_per_day;
    }
}

/// Phase name of a plan's re-simulation on fresh runs.
pub const HOLDOUT: &str = "holdout";

/// Order of preference between two plans: cheaper, then lower violation ratio, then tried
/// earlier.
pub fn rank(x: &Evaluation, y: &Evaluation) -> std::cmp::Ordering {
    x.cost_usd_per_day
        .total_cmp(&y.cost_usd_per_day)
        .then(
            x.stat(|s| s.slo_violation_ratio)
                .0
                .total_cmp(&y.stat(|s| s.slo_violation_ratio).0),
        )
        .then(x.id.cmp(&y.id))
}

/// A plan to simulate, with where it came from.
#[derive(Debug, Clone)]
pub struct Proposal {
    /// Nodes per candidate cluster.
    pub nodes: Vec<u32>,
    /// Strategy placing the sessions.
    pub strategy: String,
    /// Search phase proposing it.
    pub phase: &'static str,
    /// The plan it was derived from.
    pub parent: Option<u32>,
    /// The move that produced it.
    pub step: String,
}

impl Proposal {
    /// `nodes` with `strategy`, proposed in `phase` from `parent` by the move `step`.
    pub fn new(
        nodes: Vec<u32>,
        strategy: &str,
        phase: &'static str,
        parent: Option<u32>,
        step: &str,
    ) -> Proposal {
        Proposal {
            nodes,
            strategy: strategy.to_string(),
            phase,
            parent,
            step: step.to_string(),
        }
    }
}

/// Share of arrivals rejected in a run.
pub fn rejected_ratio(s: &SessionSummary) -> f64 {
    if s.arrivals == 0 {
        0.0
    } else {
        s.rejected as f64 / s.arrivals as f64
    }
}

/// How far the mean of a figure over a plan's first `runs` runs may exceed its target, as
/// a multiple of the target, in a plan the planner accepts: judged on `m` runs (`runs`, then
/// `runs` more at a time up to `max_runs`), its mean over them is within the target, or its
/// mean plus the 95 % half-width ([`mean_ci95`]) is with `upper_ci95`. Figures are >= 0.
///
/// Over `m` runs, the first `n` and the other `m - n` differ in mean by D; the sum of
/// squares holds at least n (m - n) / m D^2, so sd >= D sqrt(n (m - n) / (m (m - 1))), and
/// the first runs' mean exceeds the whole mean by (m - n) / m D <= g sd with
/// g = sqrt((m - n)(m - 1) / (m n)). With the half-width c sd (c = t(0.975, m - 1) /
/// sqrt(m)) the whole mean is at most T - c sd, so the first runs' mean is at most
/// T + (g - c) sd, and sd <= T / c: at most max(1, g / c) T. Always at most m / n T (all
/// of the excess in the first runs), which is also the only limit when the mean alone is
/// judged. The factor is the largest over the run counts the sequential rule reaches.
pub fn first_runs_excess(runs: u32, max_runs: u32, upper_ci95: bool) -> f64 {
    let n = runs.max(1);
    let mut factor = 1.0f64;
    let mut m = n;
    while m < max_runs {
        m = (m + n).min(max_runs);
        let (nf, mf) = (n as f64, m as f64);
        let all_in_first = mf / nf;
        let f = if upper_ci95 {
            let g = ((mf - nf) * (mf - 1.0) / (mf * nf)).sqrt();
            let t = statrs::distribution::StudentsT::new(0.0, 1.0, mf - 1.0)
                .map(|d| statrs::distribution::ContinuousCDF::inverse_cdf(&d, 0.975))
                .unwrap_or(f64::INFINITY);
            (g / (t / mf.sqrt())).clamp(1.0, all_in_first)
        } else {
            all_in_first
        };
        factor = factor.max(f);
    }
    factor
}

/// What a plan's runs say about the SLO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every figure is within its target as the SLO judges it.
    Meets,
    /// Some figure misses its target.
    Misses,
    /// Some figure's 95 % interval straddles its target while the others are within
    /// theirs: more runs could decide (the sequential rule).
    Undecided,
}

/// A figure the SLO bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SloFigure {
    /// `slo_violation_ratio`, bounded by `max_violation_ratio`.
    Violation,
    /// `latency_p95_ms`, bounded by `max_p95_latency_ms`.
    P95Latency,
    /// [`rejected_ratio`], bounded by `max_rejected_ratio`.
    Rejected,
}

/// Each figure the SLO bounds: which, its (mean, 95 % half-width) over `e`'s runs and its
/// target, in the order violation, p95, rejections.
fn bounded(e: &Evaluation, slo: &PlanSlo) -> [(SloFigure, (f64, f64), f64); 3] {
    [
        (
            SloFigure::Violation,
            e.stat(|s| s.slo_violation_ratio),
            slo.max_violation_ratio,
        ),
        (
            SloFigure::P95Latency,
            e.quantile_stat(|s| s.latency_p95_ms),
            slo.max_p95_latency_ms,
        ),
        (
            SloFigure::Rejected,
            e.stat(rejected_ratio),
            slo.max_rejected_ratio,
        ),
    ]
}

/// Whether a figure's (mean, half-width) is within `target` as the SLO judges it: by its
/// mean, or by the upper end of its 95 % interval if `slo.upper_ci95` (NaN never is).
fn within((mean, ci): (f64, f64), target: f64, slo: &PlanSlo) -> bool {
    let judged = if slo.upper_ci95 { mean + ci } else { mean };
    judged <= target
}

/// The figures of `e` whose judged value is over their target, in the order violation,
/// p95, rejections: empty exactly when `e` meets the SLO, and otherwise what keeps it from
/// meeting it (missed, or undecided after the runs it got). The plan figure marks them.
pub fn over_target(e: &Evaluation, slo: &PlanSlo) -> Vec<SloFigure> {
    bounded(e, slo)
        .into_iter()
        .filter(|&(_, stat, target)| !within(stat, target, slo))
        .map(|(figure, _, _)| figure)
        .collect()
}

/// The verdict on `e`: each figure judged by its mean, or by the upper end of its 95 %
/// interval if `slo.upper_ci95`; a figure is undecided while its interval holds the target
/// and the judged value is over it.
pub fn verdict(e: &Evaluation, slo: &PlanSlo) -> Verdict {
    let mut undecided = false;
    for (_, (mean, ci), target) in bounded(e, slo) {
        if within((mean, ci), target, slo) {
            continue;
        }
        if mean - ci <= target {
            undecided = true;
        } else {
            return Verdict::Misses;
        }
    }
    if undecided {
        Verdict::Undecided
    } else {
        Verdict::Meets
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::sessions::SessionRecorder;

    /// A plan whose runs each saw `arrivals` sessions, `rejected` of them refused, SLO
    /// violation `violation` and p95 `p95_ms`.
    fn plan(runs: &[(u64, u64, f64, f64)]) -> Evaluation {
        let figures: Vec<RunFigures> = runs
            .iter()
            .map(|&(arrivals, rejected, violation, p95_ms)| {
                let mut summary = SessionRecorder::default().summary();
                (summary.arrivals, summary.rejected) = (arrivals, rejected);
                (summary.slo_violation_ratio, summary.latency_p95_ms) = (violation, p95_ms);
                RunFigures {
                    summary,
                    existing_usd: 0.0,
                    peak_cpu_cores: vec![],
                    peak_sessions: vec![],
                    peak_total_sessions: vec![],
                    sessions_at_peak: vec![],
                }
            })
            .collect();
        let proposal = Proposal::new(vec![], "s", "naive", None, "");
        Evaluation::from_runs(proposal, &figures, 1.0, 1.0, &PlanSlo::default())
    }

    #[test]
    fn a_carbon_price_adds_the_mean_carbon_per_day_to_the_cost() {
        // Runs of 1 h (day factor 24) emitting 2 and 4 kg: mean 3 kg a run, 72 kg a day;
        // at 0.1 USD/kg, 7.2 USD a day on top of the capacity's 1 USD.
        let mut e = plan(&[(100, 0, 0.0, 10.0); 2]);
        e.runs[0].energy.carbon_kg = 2.0;
        e.runs[1].energy.carbon_kg = 4.0;
        let unpriced = e.cost_usd_per_day;
        let mut free = e.clone();
        free.price_carbon(0.0, 24.0);
        assert_eq!(free.cost_usd_per_day.to_bits(), unpriced.to_bits());
        e.price_carbon(0.1, 24.0);
        assert!((e.carbon_usd_per_day - 7.2).abs() < 1e-9);
        assert!((e.cost_usd_per_day - (unpriced + 7.2)).abs() < 1e-9);
    }

    #[test]
    fn what_keeps_a_plan_from_the_slo_is_named() {
        let slo = PlanSlo::default();
        // 2 of 100 rejected in every run: 0.02 > 0.005, violation and p95 well within.
        let rejects = plan(&[(100, 2, 0.0, 10.0); 3]);
        assert_eq!(over_target(&rejects, &slo), [SloFigure::Rejected]);
        assert!(!rejects.meets);
        // p95 of 16 ms against 15, and a violation of 0.5 against 0.01.
        let slow = plan(&[(100, 0, 0.5, 16.0); 3]);
        assert_eq!(
            over_target(&slow, &slo),
            [SloFigure::Violation, SloFigure::P95Latency]
        );
        // No sessions, so no p95: not within the bound, as the verdict has it.
        let empty = plan(&[(100, 0, 0.0, f64::NAN); 3]);
        assert_eq!(over_target(&empty, &slo), [SloFigure::P95Latency]);
        assert!(!empty.meets);
        let fine = plan(&[(100, 0, 0.0, 10.0); 3]);
        assert!(over_target(&fine, &slo).is_empty() && fine.meets);
    }

    #[test]
    fn the_first_runs_may_exceed_the_target_only_as_far_as_the_rule_lets_them() {
        // Judged on the mean: plans that got 6 runs may hold all of it in the first 3.
        assert_eq!(first_runs_excess(3, 6, false), 2.0);
        assert_eq!(first_runs_excess(3, 3, true), 1.0);
        // With the upper end of the interval: g = sqrt(3 x 5 / 18) = 0.913 under
        // c = t(0.975, 5) / sqrt(6) = 2.5706 / 2.4495 = 1.049: no excess at all.
        assert_eq!(first_runs_excess(3, 6, true), 1.0);
        // 9 runs: g = sqrt(6 x 8 / 27) = 1.333, c = 2.3060 / 3 = 0.7687: 1.734.
        assert!((first_runs_excess(3, 9, true) - 1.3333 / 0.76867).abs() < 2e-3);
        // Search the claim: random figures a plan would be accepted on never put the
        // first runs' mean above factor x target.
        use rand::{Rng, SeedableRng};
        let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
        for (n, max) in [(3u32, 6u32), (3, 9), (2, 7), (1, 4)] {
            let factor = first_runs_excess(n, max, true);
            let mut m = n;
            let mut accepted = 0;
            let mut worst = 0.0f64;
            while m < max {
                m = (m + n).min(max);
                for _ in 0..20_000 {
                    let x: Vec<f64> = (0..m).map(|_| rng.random::<f64>().powi(3) * 4.0).collect();
                    let (mean, ci) = mean_ci95(&x);
                    if mean + ci <= 1.0 {
                        let first = x[..n as usize].iter().sum::<f64>() / n as f64;
                        assert!(first <= factor + 1e-9, "{n}/{m}: {first} > {factor}");
                        accepted += 1;
                        worst = worst.max(first);
                    }
                }
            }
            // The search met accepted plans, some of them with the first runs over target
            // where the factor allows it.
            assert!(accepted > 100, "{n}/{max}: {accepted}");
            assert!(worst > 0.5, "{n}/{max}: {worst}");
        }
    }
}
