//! A loaded experiment and its kind as a closed enum: [`LoadedExperiment::experiment`]
//! gives the sections and loaded files of its kind, typed, to be matched exhaustively.

use super::application::{ApplicationConfig, ScenarioConfig};
use super::file::{ExperimentConfig, ExperimentKind};
use crate::config::interconnect::ComparisonConfig;
use crate::config::plan::PlanConfig;
use crate::config::provisioning::ProvisioningConfig;
use crate::config::sessions::SessionsConfig;
use crate::config::topology::TopologyConfig;
use crate::config::trace::TraceArrival;
use std::path::PathBuf;

/// A validated experiment with its topologies loaded.
#[derive(Debug, Clone)]
pub struct LoadedExperiment {
    /// The experiment file's path.
    pub path: PathBuf,
    /// The experiment as written.
    pub config: ExperimentConfig,
    /// One topology per scenario, in scenario order (the session topology, or the swept
    /// ones, for session experiments; none for provisioning experiments and comparisons).
    pub topologies: Vec<TopologyConfig>,
    /// Arrivals of a `trace` load, in time order.
    pub trace: Vec<TraceArrival>,
    /// An interconnect comparison's streaming part and session part (empty for other
    /// kinds).
    pub parts: Parts,
}

/// An experiment by kind, borrowed from a [`LoadedExperiment`]: what each kind has, typed,
/// so code that depends on the kind matches this whole and a new kind is a compile error
/// wherever it is not handled.
#[derive(Debug, Clone, Copy)]
pub enum Experiment<'a> {
    /// An XR stream per scenario.
    Streaming(Streaming<'a>),
    /// Cluster API provisioning.
    Provisioning(&'a ProvisioningConfig),
    /// XR sessions placed by strategies.
    Sessions(Sessions<'a>),
    /// A session experiment with a capacity plan to search.
    CapacityPlan(CapacityPlan<'a>),
    /// Interconnect options compared on a streaming part and a session part.
    Comparison(Comparison<'a>),
}

/// A streaming experiment's sections and topologies.
#[derive(Debug, Clone, Copy)]
pub struct Streaming<'a> {
    /// The application streamed.
    pub application: &'a ApplicationConfig,
    /// The scenarios, in file order.
    pub scenarios: &'a [ScenarioConfig],
    /// One topology per scenario.
    pub topologies: &'a [TopologyConfig],
}

/// A session experiment's section, topologies and trace.
#[derive(Debug, Clone, Copy)]
pub struct Sessions<'a> {
    /// The `[sessions]` section.
    pub sessions: &'a SessionsConfig,
    /// The session topology, or the swept ones in sweep order.
    pub topologies: &'a [TopologyConfig],
    /// Arrivals of a `trace` load, in time order (empty for generated loads).
    pub trace: &'a [crate::config::trace::TraceArrival],
}

/// A capacity-planning experiment: a session experiment and its `[plan]`.
#[derive(Debug, Clone, Copy)]
pub struct CapacityPlan<'a> {
    /// The session experiment planned over.
    pub sessions: Sessions<'a>,
    /// The `[plan]` section.
    pub plan: &'a PlanConfig,
}

/// An interconnect comparison: its options and its two parts, each an experiment of its
/// own kind.
#[derive(Debug, Clone, Copy)]
pub struct Comparison<'a> {
    /// The `[interconnects]` section.
    pub options: &'a ComparisonConfig,
    /// The streaming part (a [`Experiment::Streaming`]).
    pub streaming: &'a LoadedExperiment,
    /// The session part (a [`Experiment::Sessions`]).
    pub sessions: &'a LoadedExperiment,
}

/// The loaded parts of an interconnect comparison, if the experiment is one.
#[derive(Debug, Clone, Default)]
pub struct Parts(Option<Box<ComparisonParts>>);

/// An interconnect comparison's streaming part and session part, by name.
#[derive(Debug, Clone)]
pub struct ComparisonParts {
    /// The file's streaming chain and scenarios, loaded as a streaming experiment.
    pub streaming: LoadedExperiment,
    /// The file's session workload, loaded as a session experiment.
    pub sessions: LoadedExperiment,
}

impl Parts {
    /// The parts of a comparison.
    pub fn of(parts: ComparisonParts) -> Parts {
        Parts(Some(Box::new(parts)))
    }

    /// The comparison's parts; `None` for other kinds.
    pub fn comparison(&self) -> Option<&ComparisonParts> {
        self.0.as_deref()
    }

    /// Every part, streaming first (none for other kinds).
    pub fn iter(&self) -> std::vec::IntoIter<&LoadedExperiment> {
        let both = self.0.iter().flat_map(|p| [&p.streaming, &p.sessions]);
        both.collect::<Vec<_>>().into_iter()
    }

    /// Every part, mutably, streaming first (none for other kinds).
    pub fn iter_mut(&mut self) -> std::vec::IntoIter<&mut LoadedExperiment> {
        let both = self.0.iter_mut().flat_map(|p| {
            let ComparisonParts {
                streaming,
                sessions,
            } = &mut **p;
            [streaming, sessions]
        });
        both.collect::<Vec<_>>().into_iter()
    }
}

/// The parts in the order [`Parts::iter`] lists them (0: streaming, 1: sessions), for
/// callers that index them; the library reads them by name.
impl std::ops::Index<usize> for Parts {
    type Output = LoadedExperiment;

    fn index(&self, i: usize) -> &LoadedExperiment {
        self.iter()
            .nth(i)
            .unwrap_or_else(|| panic!("no part {i}: a comparison has 2, other kinds none"))
    }
}

impl<'a> IntoIterator for &'a Parts {
    type Item = &'a LoadedExperiment;
    type IntoIter = std::vec::IntoIter<&'a LoadedExperiment>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Parts {
    type Item = &'a mut LoadedExperiment;
    type IntoIter = std::vec::IntoIter<&'a mut LoadedExperiment>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

/// What the loader guarantees of a kind's sections.
const LOADED: &str = "the loader checked the kind's sections";

impl LoadedExperiment {
    /// The kind of experiment this is ([`ExperimentConfig::kind`]).
    pub fn kind(&self) -> ExperimentKind {
        self.config.kind()
    }

    /// The experiment by kind, with the sections its loader checked.
    pub fn experiment(&self) -> Experiment<'_> {
        let c = &self.config;
        match self.kind() {
            ExperimentKind::Streaming => Experiment::Streaming(Streaming {
                application: c.application.as_ref().expect(LOADED),
                scenarios: &c.scenarios,
                topologies: &self.topologies,
            }),
            ExperimentKind::Provisioning => {
                Experiment::Provisioning(c.provisioning.as_ref().expect(LOADED))
            }
            ExperimentKind::Sessions => Experiment::Sessions(self.sessions()),
            ExperimentKind::CapacityPlan => Experiment::CapacityPlan(CapacityPlan {
                sessions: self.sessions(),
                plan: c.plan.as_ref().expect(LOADED),
            }),
            ExperimentKind::Comparison => {
                let parts = self.parts.comparison().expect(LOADED);
                Experiment::Comparison(Comparison {
                    options: c.interconnects.as_ref().expect(LOADED),
                    streaming: &parts.streaming,
                    sessions: &parts.sessions,
                })
            }
        }
    }

    /// The session sections of a session or capacity-plan experiment.
    fn sessions(&self) -> Sessions<'_> {
        Sessions {
            sessions: self.config.sessions.as_ref().expect(LOADED),
            topologies: &self.topologies,
            trace: &self.trace,
        }
    }

    /// The session experiment a session sweep runs: the experiment itself for
    /// [`Experiment::Sessions`] and [`Experiment::CapacityPlan`] (whose `run` ignores the
    /// plan), `None` for the other kinds.
    pub fn session_sweep(&self) -> Option<Sessions<'_>> {
        match self.experiment() {
            Experiment::Sessions(s) => Some(s),
            Experiment::CapacityPlan(p) => Some(p.sessions),
            Experiment::Streaming(_) | Experiment::Provisioning(_) | Experiment::Comparison(_) => {
                None
            }
        }
    }
}
