//! The latency of one application's sessions in a run: samples weighted by session time,
//! summed in integers so the figures do not depend on how samples are grouped.

use super::histogram::Histogram;

/// The latency samples of one application.
#[derive(Debug, Clone, Default)]
pub(super) struct AppLatency {
    pub(super) latency_ns: Histogram,
    /// Sum of latency (ns) times weight (µs) over every sample: exact in integers, so the
    /// mean does not depend on how samples are grouped.
    pub(super) ns_us: u128,
    /// Session time of samples over budget, and in all, µs (integer, so the sums do not
    /// depend on how samples are grouped).
    pub(super) over_budget_us: u64,
    pub(super) observed_us: u64,
    /// Session time whose egress queue was at or above utilisation 1 (latency without
    /// bound: over budget, and outside the latency distribution), µs.
    pub(super) overloaded_us: u64,
}

impl AppLatency {
    pub(super) fn record(&mut self, ns: u64, over_budget_us: u64, weight_us: u64) {
        self.latency_ns.record_weighted(ns, weight_us);
        self.ns_us += ns as u128 * weight_us as u128;
        self.observed_us += weight_us;
        self.over_budget_us += over_budget_us;
    }

    pub(super) fn add(&mut self, o: &AppLatency) {
        self.latency_ns.add(&o.latency_ns);
        self.ns_us += o.ns_us;
        self.over_budget_us += o.over_budget_us;
        self.observed_us += o.observed_us;
        self.overloaded_us += o.overloaded_us;
    }

    /// Percentiles and mean, ms (NaN without samples).
    pub(super) fn figures(&self) -> AppFigures {
        let q = |p| {
            self.latency_ns
                .quantile(p)
                .map_or(f64::NAN, |v| v as f64 / 1e6)
        };
        let (observed, over) = (
            self.observed_us + self.overloaded_us,
            self.over_budget_us + self.overloaded_us,
        );
        AppFigures {
            session_hours: observed as f64 / 3.6e9,
            slo_violation_ratio: if observed == 0 {
                f64::NAN
            } else {
                over as f64 / observed as f64
            },
            latency_p50_ms: q(0.5),
            latency_p95_ms: q(0.95),
            latency_p99_ms: q(0.99),
            latency_mean_ms: if self.observed_us == 0 {
                f64::NAN
            } else {
                (self.ns_us as f64 / self.observed_us as f64) / 1e6
            },
        }
    }
}

/// Latency of one application's sessions in a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AppFigures {
    /// Session time sampled, hours.
    pub session_hours: f64,
    /// Share of that time above the latency budget, overloaded time included (migration
    /// downtime not included).
    pub slo_violation_ratio: f64,
    /// Latency percentiles over session time, ms.
    pub latency_p50_ms: f64,
    /// 95th percentile, ms.
    pub latency_p95_ms: f64,
    /// 99th percentile, ms.
    pub latency_p99_ms: f64,
    /// Mean over session time, ms (overloaded time, whose latency has no bound, left out).
    pub latency_mean_ms: f64,
}
