//! The arrival process of a session experiment.

use serde::{Deserialize, Serialize};

/// Where arrivals come from.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoadConfig {
    /// `poisson`, `diurnal` or `trace`.
    pub kind: LoadKind,
    /// Mean arrival rate over the run, sessions/s (generators).
    #[serde(default)]
    pub rate_per_s: f64,
    /// Diurnal swing: rate(t) = mean * (1 + amplitude * sin(2 pi (t / 1 day - 1/4))),
    /// lowest at midnight, highest at noon.
    #[serde(default = "default_amplitude")]
    pub amplitude: f64,
    /// CSV of arrivals (`time_s,access_site,application,duration_s`), relative to the
    /// experiment file, for `trace`.
    #[serde(default)]
    pub trace: String,
    /// Replays a trace at this multiple of its arrivals (`trace` only): each listed session
    /// comes ⌊scale⌋ times, and once more with probability scale − ⌊scale⌋, so that a
    /// measured day can be planned for at 3 × today's load with its shape kept.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub scale: f64,
    /// The copies a `scale` above 1 adds arrive this much later at most, s (uniform): they
    /// keep the trace's rate over time at this resolution instead of arriving together.
    /// 60 s is an estimate: a minute is finer than a Prometheus range query's usual step,
    /// and so than the resolution an imported trace has.
    #[serde(
        default = "default_scale_spread_s",
        skip_serializing_if = "is_default_spread"
    )]
    pub scale_spread_s: f64,
}

fn one() -> f64 {
    1.0
}

fn is_one(x: &f64) -> bool {
    *x == 1.0
}

fn default_scale_spread_s() -> f64 {
    60.0
}

fn is_default_spread(x: &f64) -> bool {
    *x == default_scale_spread_s()
}

fn default_amplitude() -> f64 {
    0.8
}

/// Arrival process kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LoadKind {
    /// Constant-rate Poisson arrivals.
    Poisson,
    /// Poisson arrivals with a daily sine swing.
    Diurnal,
    /// Arrivals read from a CSV trace.
    Trace,
}
