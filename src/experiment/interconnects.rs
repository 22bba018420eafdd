//! The interconnect comparison: the study's question ("which interconnect for my XR
//! service?") as one experiment. Each option (a kind, or a kind and variant) replaces every
//! cross-cluster path of the file's streaming scenarios and of its session workload; both
//! parts run as they would on their own, and the facts of the option that the runs do not
//! measure (set-up, agents, handshakes) come from [`Interconnect::of`].

use super::runner::{build_scenarios, run_experiment, ExperimentResult, RunOptions};
use super::sessions::{run_sessions, SessionResult};
use crate::config::experiment::{Comparison, Experiment, PathKind, Protocol};
use crate::config::interconnect::{parse_option, KindOption};
use crate::config::{ConfigError, LoadedExperiment};
use crate::model::interconnects::Interconnect;
use crate::model::Application;
use crate::world::streaming_load::bottleneck;

/// What the path model says of an option on one cross-cluster scenario at the stream's
/// mean rate.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PathLoad {
    /// CPU of the gateways, node agents or proxies on both sides, cores.
    pub gateway_cpu_cores: f64,
    /// Highest utilisation of any server or link on the cross-cluster paths, with the
    /// flows that share it and its background load (at or above 1 the queue grows without
    /// bound: overloaded).
    pub bottleneck_util: f64,
    /// Time to the first byte through a new connection: the interconnect's set-up, the
    /// connection's handshakes over the route, then one packet's one-way delay, s.
    pub first_byte_s: f64,
    /// What a mean-sized frame spends in the cross-cluster paths' hops when they are idle
    /// (propagation left out), summed over the chain's cross-cluster flows, ms.
    pub frame_hops_ms: f64,
}

/// An option's agents on a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Agents {
    /// CPU at rest, cores.
    pub cpu_cores: f64,
    /// Memory, MiB.
    pub memory_mib: f64,
}

impl Agents {
    /// The agents of `facts` averaged over clusters of `nodes` nodes each (zero without
    /// clusters).
    pub fn mean_over(facts: &Interconnect, nodes: impl Iterator<Item = u32>) -> Agents {
        let (mut sum, mut n) = (Agents::default(), 0usize);
        for k in nodes {
            sum.cpu_cores += facts.agent_cpu_cores_for(k);
            sum.memory_mib += facts.agent_memory_mib_for(k);
            n += 1;
        }
        if n == 0 {
            return sum;
        }
        Agents {
            cpu_cores: sum.cpu_cores / n as f64,
            memory_mib: sum.memory_mib / n as f64,
        }
    }
}

/// One option's results.
#[derive(Debug, Clone)]
pub struct OptionResult {
    /// The option.
    pub option: KindOption,
    /// Its facts as the session topology resolves them.
    pub facts: Interconnect,
    /// Its agents on a mean cluster of the session topology (the per-cluster share plus
    /// the per-node share times each cluster's nodes, averaged over the clusters).
    pub agents: Agents,
    /// The streaming runs; `None` if a cross-cluster flow of the chain is UDP and the
    /// option refuses UDP.
    pub streaming: Option<ExperimentResult>,
    /// Path-model figures per cross-cluster scenario, in file order (empty if refused).
    pub loads: Vec<PathLoad>,
    /// The session runs.
    pub sessions: SessionResult,
}

/// All options, in the order of `[interconnects].kinds`.
#[derive(Debug, Clone)]
pub struct ComparisonResult {
    /// Experiment name.
    pub name: String,
    /// The one-cluster scenario.
    pub baseline: String,
    /// The scenarios whose components span clusters, in file order.
    pub cross: Vec<String>,
    /// One entry per option.
    pub options: Vec<OptionResult>,
}

/// Runs the comparison of a loaded `[interconnects]` experiment.
pub fn run_comparison(
    exp: &LoadedExperiment,
    opts: RunOptions,
) -> Result<ComparisonResult, ConfigError> {
    let Experiment::Comparison(Comparison {
        options: cmp,
        streaming,
        sessions,
    }) = exp.experiment()
    else {
        return Err(ConfigError::whole_file(
            &exp.path,
            "not an interconnect comparison: no [interconnects]",
        ));
    };
    let cross: Vec<String> = streaming
        .config
        .scenarios
        .iter()
        .filter(|s| s.spans_clusters())
        .map(|s| s.name.clone())
        .collect();
    let mut options = Vec::with_capacity(cmp.kinds.len());
    for text in &cmp.kinds {
        let option = parse_option(text).map_err(|e| ConfigError::whole_file(&exp.path, e))?;
        let s_part = with_option(streaming, &option);
        let k_part = with_option(sessions, &option);
        let session_topology = &k_part.topologies[0];
        let facts = Interconnect::of(option.kind, &session_topology.paths);
        let agents = Agents::mean_over(&facts, session_topology.clusters.iter().map(|c| c.nodes));
        let refused = refuses_chain(&s_part, option.kind);
        let (result, loads) = if refused {
            (None, Vec::new())
        } else {
            (Some(run_experiment(&s_part, opts)?), path_loads(&s_part)?)
        };
        options.push(OptionResult {
            option,
            facts,
            agents,
            streaming: result,
            loads,
            sessions: run_sessions(&k_part, opts)?,
        });
    }
    Ok(ComparisonResult {
        name: exp.config.name.clone(),
        baseline: cmp.baseline.clone(),
        cross,
        options,
    })
}

/// `part` with every cross-cluster path set to `o` (and its variant, if named, in every
/// topology).
pub fn with_option(part: &LoadedExperiment, o: &KindOption) -> LoadedExperiment {
    let mut e = part.clone();
    for s in &mut e.config.scenarios {
        s.cross_cluster_path = o.kind;
    }
    if let Some(s) = &mut e.config.sessions {
        s.cross_cluster_path = o.kind;
    }
    if !o.variant.is_empty() {
        for t in &mut e.topologies {
            if let Some(c) = t.paths.interconnect_mut(o.kind) {
                c.variant = o.variant.clone();
            }
        }
    }
    e
}

/// Whether a flow of the streaming chain that crosses clusters is UDP and `kind` cannot
/// carry it.
fn refuses_chain(part: &LoadedExperiment, kind: PathKind) -> bool {
    let Experiment::Streaming(chain) = part.experiment() else {
        return false;
    };
    kind.udp_refusal().is_some()
        && chain.scenarios.iter().any(|s| {
            chain
                .application
                .flows
                .iter()
                .any(|f| f.protocol == Protocol::Udp && s.placement[&f.from] != s.placement[&f.to])
        })
}

/// The path-model figures of every cross-cluster scenario of `part` (all but the
/// one-cluster ones).
fn path_loads(part: &LoadedExperiment) -> Result<Vec<PathLoad>, ConfigError> {
    let Experiment::Streaming(chain) = part.experiment() else {
        return Ok(Vec::new());
    };
    let app = Application::from_config(chain.application);
    let fps = 1e9 / app.frame_interval_ns.max(1) as f64;
    let scenarios = build_scenarios(part, &app)?;
    let mut loads = Vec::new();
    for ((s, t), scn) in chain.scenarios.iter().zip(chain.topologies).zip(&scenarios) {
        if !s.spans_clusters() {
            continue;
        }
        let facts = Interconnect::of(s.cross_cluster_path, &t.paths);
        let mut load = PathLoad {
            bottleneck_util: bottleneck(&app, scn, true).util,
            ..PathLoad::default()
        };
        for (f, p) in scn.paths.iter().enumerate() {
            if p.kind == PathKind::Local {
                continue;
            }
            let packets = p.packets(app.flows[f].mean_frame_bytes.ceil() as u32) as f64;
            for h in &p.hops {
                if h.cpu_cluster.is_some() {
                    load.gateway_cpu_cores += fps * packets * h.cpu_ns_per_packet as f64 / 1e9;
                }
            }
            load.frame_hops_ms += p
                .idle_delay_ns(packets as u32)
                .saturating_sub(p.propagation_ns) as f64
                / 1e6;
            let first_byte = facts.setup_s
                + facts.handshake_rtts as f64 * p.rtt_ns as f64 / 1e9
                + p.idle_delay_ns(1) as f64 / 1e9;
            load.first_byte_s = load.first_byte_s.max(first_byte);
        }
        loads.push(load);
    }
    Ok(loads)
}
