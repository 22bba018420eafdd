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
