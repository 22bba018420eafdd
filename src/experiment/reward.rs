//! What a learning agent's decisions are charged ([`super::episode`]): the measures of the
//! experiment's SLO and cost, attributed to the decision that caused them.
//!
//! At a decision, a placed session is charged its expected time over the latency budget
//! (its expected duration times the flow model's share of its frames over budget on the
//! chosen cluster, by the view the decision was made on:
//! [`PlacementRequest::share_over_budget`]) and the cost of its expected duration there
//! ([`stay_cost`]); a rejected session is charged its whole expected duration as time
//! over budget, kept apart (`rejected_s`): runs.csv counts it in `rejected_ratio`, not in
//! `slo_violation_ratio`, and a rejected session is a violating one for the agent. The
//! expected duration is the application's mean duration, cut at the end of the run.
//!
//! The world then differs from the estimate (the view is stale, queues form, faults
//! strike, sessions end early or late), so the episode's last step also carries the
//! correction: what the run actually recorded minus every estimate. The episode's totals
//! of `over_budget_s` and `usd` are therefore exactly the run's own session time over
//! budget (the numerator of `slo_violation_ratio`) and `usage_cost_usd`.

use crate::metrics::sessions::SessionRecorder;
use crate::model::ClusterId;
use crate::world::policy::{ObservedView, PlacementRequest};
use crate::world::sessions::booking::stay_cost;
use crate::world::sessions::{PendingSession, SessionPlatform};

/// What one step (or an episode) is charged, in the units of the run's own figures.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Accounted {
    /// Session time over the latency budget, s: expected at decisions, corrected at the
    /// episode's end.
    pub over_budget_s: f64,
    /// Usage cost, USD: expected at decisions, corrected at the episode's end.
    pub usd: f64,
    /// Expected duration of the sessions rejected, s.
    pub rejected_s: f64,
    /// Sessions rejected.
    pub rejected: u64,
}

impl Accounted {
    /// Adds `o` to this.
    pub fn add(&mut self, o: &Accounted) {
        self.over_budget_s += o.over_budget_s;
        self.usd += o.usd;
        self.rejected_s += o.rejected_s;
        self.rejected += o.rejected;
    }
}

/// The weights of the reward: minus a weighted sum of what a step is charged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RewardWeights {
    /// Per minute of session time over the latency budget.
    pub over_budget_per_min: f64,
    /// Per minute of expected duration of a rejected session.
    pub rejected_per_min: f64,
    /// Per USD of usage cost.
    pub per_usd: f64,
}

impl Default for RewardWeights {
    /// A minute over budget costs 1, whether the session ran late or was rejected, and a
    /// USD costs 1.
    fn default() -> Self {
        RewardWeights {
            over_budget_per_min: 1.0,
            rejected_per_min: 1.0,
            per_usd: 1.0,
        }
    }
}

impl RewardWeights {
    /// The reward of a step charged `a`.
    pub fn reward(&self, a: &Accounted) -> f64 {
        -(self.over_budget_per_min * a.over_budget_s / 60.0
            + self.rejected_per_min * a.rejected_s / 60.0
            + self.per_usd * a.usd)
    }
}

/// The estimates charged so far in an episode.
#[derive(Debug, Clone, Copy, Default)]
pub struct Estimates {
    total: Accounted,
}

impl Estimates {
    /// Expected duration of the pending session, s: its application's mean, cut at the
    /// `left_s` left of the run.
    fn expected_s(p: &SessionPlatform, pending: PendingSession, left_s: f64) -> f64 {
        p.apps[pending.app as usize].mean_duration_s.min(left_s)
    }

    /// What placing `pending` on `c` is expected to cost, `left_s` before the run ends.
    pub fn of_placement(
        p: &SessionPlatform,
        req: &PlacementRequest,
        view: &ObservedView,
        pending: PendingSession,
        c: ClusterId,
        left_s: f64,
    ) -> Accounted {
        let expected_s = Self::expected_s(p, pending, left_s);
        let share = req
            .candidates
            .iter()
            .find(|k| k.cluster == c)
            .map_or(0.0, |k| req.share_over_budget(k, view));
        Accounted {
            over_budget_s: share * expected_s,
            usd: stay_cost(p, pending.app, pending.site, c, expected_s / 3600.0).usd,
            rejected_s: 0.0,
            rejected: 0,
        }
    }

    /// What rejecting `pending` costs, `left_s` before the run ends.
    pub fn of_rejection(p: &SessionPlatform, pending: PendingSession, left_s: f64) -> Accounted {
        Accounted {
            rejected_s: Self::expected_s(p, pending, left_s),
            rejected: 1,
            ..Accounted::default()
        }
    }

    /// Adds a step's charge.
    pub fn add(&mut self, a: &Accounted) {
        self.total.add(a);
    }

    /// What the run recorded beyond the estimates: the correction that makes the
    /// episode's totals the run's.
    pub fn correction(&self, rec: &SessionRecorder) -> Accounted {
        Accounted {
            over_budget_s: rec.over_budget_s() - self.total.over_budget_s,
            usd: rec.usage_cost_usd() - self.total.usd,
            rejected_s: 0.0,
            rejected: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejected_minute_weighs_like_a_minute_over_budget_by_default() {
        let w = RewardWeights::default();
        let late = Accounted {
            over_budget_s: 120.0,
            ..Accounted::default()
        };
        let rejected = Accounted {
            rejected_s: 120.0,
            rejected: 1,
            ..Accounted::default()
        };
        // 120 s = 2 minutes, weight 1 each.
        assert_eq!(w.reward(&late), -2.0);
        assert_eq!(w.reward(&rejected), -2.0);
        let paid = Accounted {
            usd: 0.5,
            ..Accounted::default()
        };
        assert_eq!(w.reward(&paid), -0.5);
    }

    #[test]
    fn charges_add_up() {
        let mut a = Accounted {
            over_budget_s: 1.0,
            usd: 2.0,
            rejected_s: 3.0,
            rejected: 1,
        };
        a.add(&a.clone());
        assert_eq!(
            (a.over_budget_s, a.usd, a.rejected_s, a.rejected),
            (2.0, 4.0, 6.0, 2)
        );
    }
}
