//! The experiment file: application, scenarios (topology, placement, path kind), duration,
//! runs and seed.

use super::check::{at_reference, index_by_name, Checker};
use super::error::ConfigError;
use super::interconnect::{parse_option, ComparisonConfig};
pub use super::kinds::{Fidelity, PathKind, PeeringMode, Protocol};
use super::plan::{validate_plan, PlanConfig};
use super::provisioning::{validate_provisioning, ProvisioningConfig};
use super::sessions::{validate_sessions, LoadKind, SessionFaultKind, SessionsConfig};
use super::source::Source;
use super::topology::{ClusterConfig, TopologyConfig};
use super::topology_load::load_topology;
use super::trace::{load_trace, TraceArrival};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

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

impl ExperimentConfig {
    /// The level of detail of the runs: as written, else `flow` for session experiments
    /// (millions of sessions) and `frame` for the others.
    pub fn fidelity(&self) -> Fidelity {
        self.fidelity.unwrap_or(if self.sessions.is_some() {
            Fidelity::Flow
        } else {
            Fidelity::Frame
        })
    }
}

fn default_scrape_interval_s() -> f64 {
    15.0
}

/// An application: a chain of components joined by flows.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationConfig {
    /// Name used in reports.
    pub name: String,
    /// Standard deviation of the source's capture instants around the frame clock, ms.
    #[serde(default = "default_capture_jitter_ms")]
    pub capture_jitter_ms: f64,
    /// Truncation of the capture jitter, ms (3GPP: 2 ms truncated at 4 ms).
    #[serde(default = "default_capture_jitter_max_ms")]
    pub capture_jitter_max_ms: f64,
    /// Components in stream order, source first.
    pub components: Vec<ComponentConfig>,
    /// Flows between consecutive components.
    pub flows: Vec<FlowConfig>,
}

fn default_capture_jitter_ms() -> f64 {
    2.0
}
fn default_capture_jitter_max_ms() -> f64 {
    4.0
}

/// One component (a pod) of the application.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentConfig {
    /// Unique name.
    pub name: String,
    /// CPU work per frame on a reference core with no contention, ms.
    pub cpu_ms_per_frame: f64,
    /// CPU used independently of frames (event loop, runtime), reference cores.
    #[serde(default)]
    pub idle_cpu_cores: f64,
    /// Resident memory, MiB.
    pub memory_mib: f64,
    /// If > 0, frames are held and forwarded in whole segments of this length (GOP or
    /// segment muxing), ms.
    #[serde(default)]
    pub segment_ms: f64,
    /// If > 0, the component presents frames this long after decoding them (player
    /// buffer), ms. Only meaningful for the last component.
    #[serde(default)]
    pub playout_buffer_ms: f64,
}

/// A media flow from one component to the next.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowConfig {
    /// Sending component.
    pub from: String,
    /// Receiving component.
    pub to: String,
    /// tcp or udp.
    pub protocol: Protocol,
    /// Mean bitrate, Mbit/s.
    pub bitrate_mbps: f64,
    /// Frames per second.
    pub frame_rate_fps: f64,
    /// Standard deviation of frame size, percent of the mean (3GPP: 10.5).
    #[serde(default = "default_frame_size_sd_pct")]
    pub frame_size_sd_pct: f64,
    /// Smallest frame, percent of the mean.
    #[serde(default = "default_frame_size_min_pct")]
    pub frame_size_min_pct: f64,
    /// Largest frame, percent of the mean.
    #[serde(default = "default_frame_size_max_pct")]
    pub frame_size_max_pct: f64,
}

fn default_frame_size_sd_pct() -> f64 {
    10.5
}
fn default_frame_size_min_pct() -> f64 {
    50.0
}
fn default_frame_size_max_pct() -> f64 {
    150.0
}

/// One setup: a topology, a placement and the path kind between clusters.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioConfig {
    /// Unique name (the `scenario` column of the outputs).
    pub name: String,
    /// Free text for humans.
    #[serde(default)]
    pub description: String,
    /// Topology file, relative to the experiment file.
    pub topology: String,
    /// Path kind for flows between components in different clusters.
    #[serde(default = "default_cross_cluster_path")]
    pub cross_cluster_path: PathKind,
    /// Component name -> cluster name.
    pub placement: BTreeMap<String, String>,
    /// Whether Liqo peerings exist at the start or are established when the run starts.
    #[serde(default)]
    pub peering: PeeringMode,
    /// Link failures between the scenario's clusters.
    #[serde(default)]
    pub faults: Vec<FaultConfig>,
}

impl ScenarioConfig {
    /// Whether its components run on more than one cluster (so some flow crosses).
    pub fn spans_clusters(&self) -> bool {
        let mut clusters = self.placement.values();
        let first = clusters.next();
        clusters.any(|c| Some(c) != first)
    }
}

/// A failure of the link between the scenario's clusters.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultConfig {
    /// What fails.
    pub kind: FaultKind,
    /// When, s after the run starts.
    pub at_s: f64,
    /// How long the link stays down, s.
    pub duration_s: f64,
}

/// Kinds of scripted fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// Every cross-cluster path of the scenario loses its link.
    LinkDown,
}

fn default_cross_cluster_path() -> PathKind {
    PathKind::Liqo
}

/// A validated experiment with its topologies loaded.
#[derive(Debug, Clone)]
pub struct LoadedExperiment {
    /// The experiment file's path.
    pub path: PathBuf,
    /// The experiment as written.
    pub config: ExperimentConfig,
    /// One topology per scenario, in scenario order (the session topology for session
    /// experiments).
    pub topologies: Vec<TopologyConfig>,
    /// Arrivals of a `trace` load, in time order.
    pub trace: Vec<TraceArrival>,
    /// An interconnect comparison's streaming part and session part, each loaded and
    /// checked as an experiment of its own (empty for other experiments).
    pub parts: Vec<LoadedExperiment>,
}

/// Reads, parses and validates an experiment file and the topologies it references.
pub fn load_experiment(path: &Path) -> Result<LoadedExperiment, ConfigError> {
    load_experiment_with(path, &[])
}

/// [`load_experiment`] with `--set KEY=VALUE` overrides applied to the file's text first
/// ([`super::overrides`]), so they are checked like the file's own values.
pub fn load_experiment_with(path: &Path, sets: &[String]) -> Result<LoadedExperiment, ConfigError> {
    let src = Source::read(path)?;
    if sets.is_empty() {
        return load_source(&src, path);
    }
    let text = super::overrides::apply_overrides(path, src.text(), sets)?;
    load_source(&Source::from_text(path, text.clone()), path)
        .map_err(|e| super::overrides::locate(e, path, src.text(), &text, sets))
}

fn load_source(src: &Source, path: &Path) -> Result<LoadedExperiment, ConfigError> {
    super::expect_kind(src, super::FileKind::Experiment, "this command")?;
    let config: ExperimentConfig = src.parse()?;
    load_parsed(src, path, config)
}

/// Checks a parsed experiment of `src` and loads what it references.
fn load_parsed(
    src: &Source,
    path: &Path,
    config: ExperimentConfig,
) -> Result<LoadedExperiment, ConfigError> {
    let c = Checker { src };
    validate_run_settings(&c, &config)?;
    if config.interconnects.is_some() {
        return load_comparison(src, path, config);
    }
    if let Some(p) = &config.provisioning {
        if config.application.is_some() || !config.scenarios.is_empty() {
            return Err(src.error(
                "provisioning",
                "expected either [provisioning] or [application] with [[scenarios]], not both",
            ));
        }
        validate_provisioning(&c, p)?;
        return Ok(LoadedExperiment {
            path: path.to_path_buf(),
            config,
            topologies: Vec::new(),
            trace: Vec::new(),
            parts: Vec::new(),
        });
    }
    if config.plan.is_some() && config.sessions.is_none() {
        return Err(src.error(
            "plan",
            "expected a [sessions] section: plans are searched by simulating sessions",
        ));
    }
    if let Some(s) = &config.sessions {
        if config.application.is_some() || !config.scenarios.is_empty() {
            return Err(src.error(
                "sessions",
                "expected either [sessions] or [application] with [[scenarios]], not both",
            ));
        }
        validate_sessions(&c, s)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let files: Vec<(String, &String)> = if s.sweep.topologies.is_empty() {
            vec![(String::from("sessions.topology"), &s.topology)]
        } else {
            s.sweep
                .topologies
                .iter()
                .enumerate()
                .map(|(i, t)| (format!("sessions.sweep.topologies[{i}]"), t))
                .collect()
        };
        let mut topologies = Vec::with_capacity(files.len());
        for (field, file) in files {
            let topo = load_topology(&base.join(file)).map_err(at_reference(src, &field))?;
            let clusters: HashMap<&str, u32> = index_by_name(&topo.clusters, |x| &x.name);
            let sites: HashMap<&str, u32> = index_by_name(&topo.sites, |x| &x.name);
            let lists = std::iter::once((String::from("sessions"), &s.faults)).chain(
                s.fault_models
                    .iter()
                    .enumerate()
                    .map(|(m, model)| (format!("sessions.fault_models[{m}]"), &model.faults)),
            );
            for (base, faults) in lists {
                for (i, f) in faults.iter().enumerate() {
                    if f.cluster.is_empty() {
                        c.resolve(&format!("{base}.faults[{i}].site"), "site", &f.site, &sites)?;
                    } else {
                        let k = c.resolve(
                            &format!("{base}.faults[{i}].cluster"),
                            "cluster",
                            &f.cluster,
                            &clusters,
                        )?;
                        let have = topo.clusters[k as usize].nodes;
                        if f.kind == SessionFaultKind::NodeLoss && f.nodes >= have {
                            return Err(src.error(
                                &format!("{base}.faults[{i}].nodes"),
                                format!(
                                    "loses {} of the {have} nodes of {:?}; a node loss leaves at least one (use kind = \"cluster-failure\" for all)",
                                    f.nodes, f.cluster
                                ),
                            ));
                        }
                    }
                }
            }
            for (i, name) in s.control.standby_clusters.iter().enumerate() {
                c.resolve(
                    &format!("sessions.control.standby_clusters[{i}]"),
                    "cluster",
                    name,
                    &clusters,
                )?;
            }
            if !s.central_cluster.is_empty() {
                c.resolve(
                    "sessions.central_cluster",
                    "cluster",
                    &s.central_cluster,
                    &clusters,
                )?;
            }
            if let Some(p) = &config.plan {
                // The hub runs the management cluster's peerings and the monitoring from
                // the start; a standby cluster does not exist until the loop creates it.
                if let Some(i) = s.control.standby_clusters.iter().position(|n| *n == p.hub) {
                    return Err(src.error(
                        &format!("sessions.control.standby_clusters[{i}]"),
                        format!(
                            "{:?} is the plan's hub (plan.hub), which must exist from the start; a standby cluster is only created on demand",
                            p.hub
                        ),
                    ));
                }
                let tier_of =
                    |site: &str| topo.sites.iter().find(|x| x.name == site).map(|x| x.tier);
                let candidates: Vec<(&str, &ClusterConfig)> = topo
                    .clusters
                    .iter()
                    .filter(|k| k.name != p.hub)
                    .filter(|k| tier_of(&k.site).is_some_and(|t| p.candidate_tiers.contains(&t)))
                    .map(|k| (k.name.as_str(), k))
                    .collect();
                validate_plan(&c, p, &clusters, &candidates)?;
            }
            topologies.push(topo);
        }
        let topo = &topologies[0];
        let trace = if s.load.kind == LoadKind::Trace {
            let sites: HashMap<&str, u32> = index_by_name(&topo.sites, |x| &x.name);
            let apps: HashMap<&str, u32> = index_by_name(&s.applications, |x| &x.name);
            let file = base.join(&s.load.trace);
            let trace = load_trace(&file, &sites, &apps)
                .map_err(at_reference(src, "sessions.load.trace"))?;
            match trace.first() {
                Some(a) if a.time_s >= config.duration_s => {
                    return Err(src.error(
                        "sessions.load.trace",
                        format!(
                            "no arrival of {} falls inside the run: the first is at {} s, the run lasts duration_s = {} s (are the times in milliseconds?)",
                            file.display(),
                            a.time_s,
                            config.duration_s
                        ),
                    ));
                }
                None => {
                    return Err(src.error(
                        "sessions.load.trace",
                        format!("{} has no arrivals", file.display()),
                    ))
                }
                _ => trace,
            }
        } else {
            Vec::new()
        };
        return Ok(LoadedExperiment {
            path: path.to_path_buf(),
            config,
            topologies,
            trace,
            parts: Vec::new(),
        });
    }
    let Some(application) = &config.application else {
        return Err(src.error(
            "application",
            "expected an [application] table with [[scenarios]], a [provisioning] or a [sessions] table",
        ));
    };
    let components = validate_application(&c, application)?;
    if config.scenarios.is_empty() {
        return Err(src.error("scenarios", "expected at least one [[scenarios]] table"));
    }
    if config.fidelity() == Fidelity::Flow
        && application
            .components
            .iter()
            .filter(|k| k.segment_ms > 0.0)
            .count()
            > 1
    {
        return Err(src.error(
            "fidelity",
            "flow fidelity supports at most one segmenting component",
        ));
    }
    c.unique(
        "scenario",
        config
            .scenarios
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("scenarios[{i}].name"), s.name.as_str())),
    )?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut topologies = Vec::with_capacity(config.scenarios.len());
    for (i, s) in config.scenarios.iter().enumerate() {
        let topo = load_topology(&base.join(&s.topology))
            .map_err(at_reference(src, &format!("scenarios[{i}].topology")))?;
        validate_scenario(&c, i, s, application, &components, &topo)?;
        topologies.push(topo);
    }
    Ok(LoadedExperiment {
        path: path.to_path_buf(),
        config,
        topologies,
        trace: Vec::new(),
        parts: Vec::new(),
    })
}

/// Loads an interconnect comparison: its options and baseline checked, then its streaming
/// part and its session part each checked as an experiment (errors point into this file).
fn load_comparison(
    src: &Source,
    path: &Path,
    config: ExperimentConfig,
) -> Result<LoadedExperiment, ConfigError> {
    let cmp = config
        .interconnects
        .as_ref()
        .expect("checked by the caller");
    if config.provisioning.is_some() || config.plan.is_some() {
        return Err(src.error(
            "interconnects",
            "expected [interconnects] with [application], [[scenarios]] and [sessions], without [provisioning] or [plan]",
        ));
    }
    if config.application.is_none() || config.sessions.is_none() {
        return Err(src.error(
            "interconnects",
            "expected an [application] with [[scenarios]] (the streaming chain) and a [sessions] table (the session workload) to compare the interconnects on",
        ));
    }
    if cmp.kinds.is_empty() {
        return Err(src.error("interconnects.kinds", "expected at least one interconnect"));
    }
    let mut seen = Vec::new();
    for (i, k) in cmp.kinds.iter().enumerate() {
        let field = format!("interconnects.kinds[{i}]");
        parse_option(k).map_err(|e| src.error(&field, e))?;
        if seen.contains(&k) {
            return Err(src.error(&field, format!("{k:?} is listed twice")));
        }
        seen.push(k);
    }
    let Some(base) = config.scenarios.iter().find(|s| s.name == cmp.baseline) else {
        return Err(src.error(
            "interconnects.baseline",
            format!("expected the name of a scenario, found {:?}", cmp.baseline),
        ));
    };
    if base.spans_clusters() {
        return Err(src.error(
            "interconnects.baseline",
            format!(
                "scenario {:?} spreads its components over clusters; the baseline keeps them in one",
                cmp.baseline
            ),
        ));
    }
    let s = config.sessions.as_ref().expect("checked");
    let swept = !s.sweep.topologies.is_empty()
        || s.sweep.rate_per_s.is_some()
        || !s.sweep.fault_models.is_empty();
    if s.strategies.len() != 1 || swept {
        return Err(src.error(
            "sessions.strategies",
            "expected one strategy and no [sessions.sweep]: the comparison's sweep is over the interconnects",
        ));
    }
    let streaming = ExperimentConfig {
        sessions: None,
        interconnects: None,
        ..config.clone()
    };
    let sessions = ExperimentConfig {
        application: None,
        scenarios: Vec::new(),
        interconnects: None,
        ..config.clone()
    };
    let parts = vec![
        load_parsed(src, path, streaming)?,
        load_parsed(src, path, sessions)?,
    ];
    Ok(LoadedExperiment {
        path: path.to_path_buf(),
        config,
        topologies: Vec::new(),
        trace: Vec::new(),
        parts,
    })
}

fn validate_run_settings(c: &Checker, e: &ExperimentConfig) -> Result<(), ConfigError> {
    c.name("name", &e.name)?;
    c.within("duration_s", e.duration_s, 0.001, 30.0 * 86_400.0)?;
    c.non_negative("warmup_s", e.warmup_s)?;
    if e.warmup_s >= e.duration_s {
        return Err(c
            .src
            .error("warmup_s", "expected a warm-up shorter than duration_s"));
    }
    if !(1..=10_000).contains(&e.runs) {
        return Err(c.src.error(
            "runs",
            format!("expected 1 to 10000 runs, found {}", e.runs),
        ));
    }
    c.within("scrape_interval_s", e.scrape_interval_s, 0.1, 3600.0)
}

/// Checks the application is a chain: flow `i` goes from component `i` to `i + 1`.
fn validate_application<'a>(
    c: &Checker,
    a: &'a ApplicationConfig,
) -> Result<HashMap<&'a str, u32>, ConfigError> {
    c.name("application.name", &a.name)?;
    c.non_negative("application.capture_jitter_ms", a.capture_jitter_ms)?;
    c.non_negative("application.capture_jitter_max_ms", a.capture_jitter_max_ms)?;
    if a.components.len() < 2 {
        return Err(c
            .src
            .error("application.components", "expected at least two components"));
    }
    let names = c.unique(
        "component",
        a.components
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("application.components[{i}].name"), k.name.as_str())),
    )?;
    for (i, k) in a.components.iter().enumerate() {
        let p = format!("application.components[{i}]");
        c.within(
            &format!("{p}.cpu_ms_per_frame"),
            k.cpu_ms_per_frame,
            0.0,
            10_000.0,
        )?;
        c.non_negative(&format!("{p}.idle_cpu_cores"), k.idle_cpu_cores)?;
        c.non_negative(&format!("{p}.memory_mib"), k.memory_mib)?;
        c.within(&format!("{p}.segment_ms"), k.segment_ms, 0.0, 60_000.0)?;
        c.within(
            &format!("{p}.playout_buffer_ms"),
            k.playout_buffer_ms,
            0.0,
            60_000.0,
        )?;
    }
    if a.flows.len() != a.components.len() - 1 {
        return Err(c.src.error(
            "application.flows",
            format!(
                "expected {} flows joining the {} components in order",
                a.components.len() - 1,
                a.components.len()
            ),
        ));
    }
    for (i, f) in a.flows.iter().enumerate() {
        let p = format!("application.flows[{i}]");
        let from = c.resolve(&format!("{p}.from"), "component", &f.from, &names)?;
        let to = c.resolve(&format!("{p}.to"), "component", &f.to, &names)?;
        if from as usize != i || to as usize != i + 1 {
            return Err(c.src.error(
                &format!("{p}.to"),
                format!(
                    "expected flow {i} to go from {:?} to {:?} (components form a chain in the order listed)",
                    a.components[i].name,
                    a.components[i + 1].name
                ),
            ));
        }
        validate_flow(c, &p, f, &a.flows[0])?;
    }
    Ok(names)
}

fn validate_flow(
    c: &Checker,
    p: &str,
    f: &FlowConfig,
    first: &FlowConfig,
) -> Result<(), ConfigError> {
    c.within(
        &format!("{p}.bitrate_mbps"),
        f.bitrate_mbps,
        0.001,
        100_000.0,
    )?;
    c.within(
        &format!("{p}.frame_rate_fps"),
        f.frame_rate_fps,
        0.1,
        1_000.0,
    )?;
    if f.frame_rate_fps != first.frame_rate_fps {
        return Err(c.src.error(
            &format!("{p}.frame_rate_fps"),
            format!(
                "expected the chain's frame rate {} fps on every flow",
                first.frame_rate_fps
            ),
        ));
    }
    c.within(
        &format!("{p}.frame_size_sd_pct"),
        f.frame_size_sd_pct,
        0.0,
        100.0,
    )?;
    c.within(
        &format!("{p}.frame_size_min_pct"),
        f.frame_size_min_pct,
        1.0,
        100.0,
    )?;
    c.within(
        &format!("{p}.frame_size_max_pct"),
        f.frame_size_max_pct,
        100.0,
        1_000.0,
    )
}

fn validate_scenario(
    c: &Checker,
    i: usize,
    s: &ScenarioConfig,
    app: &ApplicationConfig,
    components: &HashMap<&str, u32>,
    topo: &TopologyConfig,
) -> Result<(), ConfigError> {
    let p = format!("scenarios[{i}]");
    let clusters: HashMap<&str, u32> = index_by_name(&topo.clusters, |x| &x.name);
    for (component, cluster) in &s.placement {
        let field = format!("{p}.placement.{component}");
        c.resolve(&field, "component", component, components)?;
        c.resolve(&field, "cluster", cluster, &clusters)?;
    }
    for k in &app.components {
        if !s.placement.contains_key(&k.name) {
            return Err(c.src.error(
                &format!("{p}.placement"),
                format!("expected a cluster for component {:?}", k.name),
            ));
        }
    }
    for (j, f) in s.faults.iter().enumerate() {
        c.within(&format!("{p}.faults[{j}].at_s"), f.at_s, 0.0, 1e9)?;
        c.within(
            &format!("{p}.faults[{j}].duration_s"),
            f.duration_s,
            0.0,
            1e9,
        )?;
    }
    for (j, f) in app.flows.iter().enumerate() {
        let crosses = s.placement[&f.from] != s.placement[&f.to];
        if crosses && s.cross_cluster_path == PathKind::Local {
            return Err(c.src.error(
                &format!("{p}.cross_cluster_path"),
                format!(
                    "flow {j} ({} -> {}) crosses clusters; expected one of {}",
                    f.from,
                    f.to,
                    PathKind::cross_names()
                ),
            ));
        }
        let refusal = s.cross_cluster_path.udp_refusal();
        if let (true, Protocol::Udp, Some(why)) = (crosses, f.protocol, refusal) {
            return Err(c.src.error(
                &format!("{p}.cross_cluster_path"),
                format!(
                    "flow {j} ({} -> {}) is UDP, which {} cannot carry: {why}; expected an L3 kind (liqo, nodeport, submariner, cilium-clustermesh, nsm)",
                    f.from,
                    f.to,
                    s.cross_cluster_path.name()
                ),
            ));
        }
    }
    Ok(())
}
