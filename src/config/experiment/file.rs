//! The experiment file's top level, as written, and the one rule that tells its kind from
//! the sections it has ([`ExperimentConfig::kind`]).

use super::application::{ApplicationConfig, ScenarioConfig};
use crate::config::interconnect::ComparisonConfig;
use crate::config::kinds::Fidelity;
use crate::config::plan::PlanConfig;
use crate::config::provisioning::ProvisioningConfig;
use crate::config::sessions::SessionsConfig;
use serde::{Deserialize, Serialize};

/// A whole experiment file, as written.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExperimentConfig {
    /// Name; results go to `output/<name>/`.
    pub name: String,
    /// Free text for humans.
    #[serde(default)]
    pub description: String,
    /// Level of detail: `frame` simulates every frame of every stream, `flow` evaluates
    /// latency in closed form. Unset: `frame` for streaming experiments, `flow` for
    /// session experiments (see [`ExperimentConfig::fidelity`]).
    #[serde(default)]
    pub fidelity: Option<Fidelity>,
    /// Simulated length of one run, s.
    pub duration_s: f64,
    /// Initial part of each run left out of the metrics, s.
    #[serde(default)]
    pub warmup_s: f64,
    /// Independent repetitions per scenario.
    pub runs: u32,
    /// Experiment seed; run `r` of every scenario draws from streams of (seed, r, name), so
    /// scenarios share common random numbers.
    pub seed: u64,
    /// Monitoring scrape interval, s (Prometheus default: 15 s).
    #[serde(default = "default_scrape_interval_s")]
    pub scrape_interval_s: f64,
    /// The XR application streamed in every scenario (streaming experiments).
    #[serde(default)]
    pub application: Option<ApplicationConfig>,
    /// The setups compared (streaming experiments).
    #[serde(default)]
    pub scenarios: Vec<ScenarioConfig>,
    /// Cluster API provisioning compared over distributions and sizes (provisioning
    /// experiments); replaces `application` and `scenarios`.
    #[serde(default)]
    pub provisioning: Option<ProvisioningConfig>,
    /// XR sessions placed by strategies (session experiments; flow fidelity by default).
    #[serde(default)]
    pub sessions: Option<SessionsConfig>,
    /// Capacity planning over the session experiment (`xrplace plan`).
    #[serde(default)]
    pub plan: Option<PlanConfig>,
    /// An interconnect comparison: the streaming scenarios and the session workload of
    /// this file, run once per interconnect option.
    #[serde(default)]
    pub interconnects: Option<ComparisonConfig>,
}

fn default_scrape_interval_s() -> f64 {
    15.0
}

/// The kinds of experiment. A file's kind is told once, by [`ExperimentConfig::kind`];
/// everything after the loader matches on [`super::Experiment`] instead of looking at
/// which sections are present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExperimentKind {
    /// `[application]` with `[[scenarios]]`: one XR stream per scenario, frame by frame.
    Streaming,
    /// `[provisioning]`: Cluster API creating clusters.
    Provisioning,
    /// `[sessions]`: XR sessions placed by strategies.
    Sessions,
    /// `[sessions]` with `[plan]`: a session experiment `xrplace plan` searches capacity
    /// over (`xrplace run` runs it as a session experiment).
    CapacityPlan,
    /// `[interconnects]`: the streaming part and the session part of the file, run once per
    /// interconnect option.
    Comparison,
}

/// Top-level tables at least one of which an experiment file has (a file with none is not
/// an experiment, whatever else it holds).
pub const EXPERIMENT_TABLES: [&str; 3] = ["scenarios", "provisioning", "sessions"];

impl ExperimentKind {
    /// The level of detail a run has when the file does not say: `flow` where sessions are
    /// simulated (millions of them), `frame` for the others.
    pub fn default_fidelity(self) -> Fidelity {
        match self {
            ExperimentKind::Sessions | ExperimentKind::CapacityPlan => Fidelity::Flow,
            ExperimentKind::Comparison => Fidelity::Flow,
            ExperimentKind::Streaming | ExperimentKind::Provisioning => Fidelity::Frame,
        }
    }

    /// The kind's name, as the Python package reports it.
    pub fn name(self) -> &'static str {
        match self {
            ExperimentKind::Streaming => "streaming",
            ExperimentKind::Provisioning => "provisioning",
            ExperimentKind::Sessions | ExperimentKind::CapacityPlan => "sessions",
            ExperimentKind::Comparison => "interconnects",
        }
    }
}

impl ExperimentConfig {
    /// The kind of experiment the file's sections make: the one place the kind is told.
    /// Sections that do not belong with it are refused by its loader.
    pub fn kind(&self) -> ExperimentKind {
        if self.interconnects.is_some() {
            ExperimentKind::Comparison
        } else if self.provisioning.is_some() {
            ExperimentKind::Provisioning
        } else if self.plan.is_some() {
            ExperimentKind::CapacityPlan
        } else if self.sessions.is_some() {
            ExperimentKind::Sessions
        } else {
            ExperimentKind::Streaming
        }
    }

    /// The level of detail of the runs: as written, else the kind's default
    /// ([`ExperimentKind::default_fidelity`]).
    pub fn fidelity(&self) -> Fidelity {
        self.fidelity
            .unwrap_or_else(|| self.kind().default_fidelity())
    }
}
