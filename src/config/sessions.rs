//! The `[sessions]` section of an experiment: XR sessions arriving at access sites, placed
//! by a strategy on a topology, at flow fidelity or, if the experiment says so, frame fidelity.

use super::check::Checker;
use super::error::ConfigError;
use super::kinds::{PathKind, Protocol};
use serde::{Deserialize, Serialize};

/// Session workload, strategies and monitoring.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionsConfig {
    /// Topology file, relative to the experiment file.
    pub topology: String,
    /// Strategies compared, by registered name.
    pub strategies: Vec<String>,
    /// End-to-end latency budget of a session, ms (XR: 15).
    #[serde(default = "default_budget_ms")]
    pub slo_latency_ms: f64,
    /// Monitoring scrape interval, s.
    #[serde(default = "default_scrape_s")]
    pub scrape_interval_s: f64,
    /// Delay before a scrape reaches the central view strategies read, s.
    #[serde(default = "default_lag_s")]
    pub aggregation_lag_s: f64,
    /// Path kind between a user's home cluster and another cluster.
    #[serde(default = "default_path")]
    pub cross_cluster_path: PathKind,
    /// Clusters considered per access site, nearest first.
    #[serde(default = "default_candidates")]
    pub candidates_per_site: u32,
    /// What sessions may reserve on a cluster: every node's vCPUs and memory (`nodes`), or
    /// what Kubernetes can schedule there (`allocatable`: kubelet reserves, a kubeadm
    /// control plane's tainted node, a k3s server's reserve and Liqo's footprint left out;
    /// see docs/export.md). `xrplace plan` always sizes clusters on `allocatable`.
    #[serde(default)]
    pub capacity: CapacityModel,
    /// Interruption of a migrated session (state transfer and restart), s; counted as
    /// session time over budget.
    #[serde(default = "default_downtime_s")]
    pub migration_downtime_s: f64,
    /// Applications and their share of arrivals.
    pub applications: Vec<SessionAppConfig>,
    /// Cluster running the applications' `central` components (required if any has one).
    #[serde(default)]
    pub central_cluster: String,
    /// Arrival process.
    pub load: LoadConfig,
    /// Scripted cluster failures (the fault model `default`).
    #[serde(default)]
    pub faults: Vec<ClusterFaultConfig>,
    /// Random faults for every cluster (part of the fault model `default`).
    #[serde(default)]
    pub fault_rates: Vec<FaultRateConfig>,
    /// Further named fault models, for the sweep's `fault_models` axis.
    #[serde(default)]
    pub fault_models: Vec<FaultModelConfig>,
    /// Axes swept besides `strategies` and the runs' seeds.
    #[serde(default)]
    pub sweep: SweepConfig,
    /// The control loop's actions besides placement: autoscaling and peering.
    #[serde(default)]
    pub control: ControlConfig,
}

/// How much of a cluster sessions may reserve.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum CapacityModel {
    /// All vCPUs and memory of every node (the model of the shipped comparison studies).
    #[default]
    Nodes,
    /// What the kubelets report as allocatable, less the control plane and Liqo.
    Allocatable,
}

/// Autoscaling through Cluster API and peering through Liqo, decided on the monitored view.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ControlConfig {
    /// Scale clusters out and in.
    pub autoscale: bool,
    /// Observed share of reserved CPU above which a cluster gets `step_nodes` more nodes.
    pub scale_out_util: f64,
    /// Observed share below which a scaled-out cluster gives `step_nodes` back.
    pub scale_in_util: f64,
    /// Nodes added or removed per decision.
    pub step_nodes: u32,
    /// Nodes a cluster may gain over its size in the topology.
    pub max_extra_nodes: u32,
    /// Time after a scaling action before the cluster is considered again, s.
    pub cooldown_s: f64,
    /// Whether Liqo peerings between a home cluster and other clusters exist from the
    /// start (`established`) or are made the first time a session needs one (`on-demand`).
    pub peering: crate::config::experiment::PeeringMode,
    /// Cluster API timings used for scale-outs and new clusters (the same model as
    /// provisioning experiments).
    pub capi: crate::config::provisioning::CapiConfig,
    /// Clusters of the topology that do not exist at the start: the control loop creates
    /// one through Cluster API (and peers it through Liqo) when sessions it would serve
    /// within budget go unserved, and deletes it when it has stayed empty.
    pub standby_clusters: Vec<String>,
    /// Sessions, rejected or placed over budget within one decision interval, that a
    /// standby cluster would have served within budget, needed to create it.
    pub provision_after_sessions: u32,
    /// Time a created cluster stays without sessions before it is deleted, s.
    pub deprovision_idle_s: f64,
}

impl Default for ControlConfig {
    fn default() -> Self {
        ControlConfig {
            autoscale: false,
            scale_out_util: 0.8,
            scale_in_util: 0.3,
            step_nodes: 1,
            max_extra_nodes: 4,
            cooldown_s: 300.0,
            peering: crate::config::experiment::PeeringMode::Established,
            capi: crate::config::provisioning::CapiConfig::default(),
            standby_clusters: Vec::new(),
            provision_after_sessions: 3,
            deprovision_idle_s: 1800.0,
        }
    }
}

/// A named set of cluster failures.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultModelConfig {
    /// Name used in `sweep.fault_models` and in the outputs.
    pub name: String,
    /// The failures.
    #[serde(default)]
    pub faults: Vec<ClusterFaultConfig>,
    /// Random failures.
    #[serde(default)]
    pub fault_rates: Vec<FaultRateConfig>,
}

/// Sweep axes. Every combination of topology x load rate x fault model x strategy is a
/// sweep point, run `runs` times with successive seeds.
#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SweepConfig {
    /// Topology files, relative to the experiment (default: `sessions.topology`).
    #[serde(default)]
    pub topologies: Vec<String>,
    /// Mean arrival rates, sessions/s (default: `sessions.load.rate_per_s`).
    #[serde(default)]
    pub rate_per_s: Option<Axis>,
    /// Fault model names: `none`, `default` (`sessions.faults`) or a `fault_models` name.
    #[serde(default)]
    pub fault_models: Vec<String>,
}

/// A numeric axis: one value, a list, or a range.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Axis {
    /// One value.
    Value(f64),
    /// These values, in order.
    List(Vec<f64>),
    /// `from`, `from + step`, ... up to and including `to`.
    Range {
        /// First value.
        from: f64,
        /// Last value (included if reached).
        to: f64,
        /// Increment, > 0.
        step: f64,
    },
}

impl Axis {
    /// The values, in order; `None` if the axis is empty or its range is malformed.
    pub fn values(&self) -> Option<Vec<f64>> {
        let v = match self {
            Axis::Value(x) => vec![*x],
            Axis::List(v) => v.clone(),
            Axis::Range { from, to, step } => {
                if !(step.is_finite()
                    && *step > 0.0
                    && from.is_finite()
                    && to.is_finite()
                    && to >= from)
                {
                    return None;
                }
                let n = ((to - from) / step + 1e-9).floor() as usize;
                if n > 10_000 {
                    return None;
                }
                (0..=n).map(|i| from + i as f64 * step).collect()
            }
        };
        (!v.is_empty()).then_some(v)
    }
}

fn default_budget_ms() -> f64 {
    15.0
}
fn default_scrape_s() -> f64 {
    15.0
}
fn default_lag_s() -> f64 {
    5.0
}
fn default_path() -> PathKind {
    PathKind::Liqo
}
fn default_candidates() -> u32 {
    24
}
fn default_downtime_s() -> f64 {
    2.0
}

/// An XR application run per session: components on one cluster, one media flow to the user.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionAppConfig {
    /// Name as used in traces.
    pub name: String,
    /// Share of generated arrivals (relative weight).
    #[serde(default = "one")]
    pub share: f64,
    /// Mean session length for generated arrivals, s.
    pub mean_duration_s: f64,
    /// CPU reserved per session, cores.
    pub cpu_cores: f64,
    /// Memory reserved per session, MiB.
    pub memory_mib: f64,
    /// Processing per frame on a reference core (render + encode), ms.
    pub ms_per_frame: f64,
    /// Frames per second.
    pub frame_rate_fps: f64,
    /// Downlink bitrate, Mbit/s.
    pub bitrate_mbps: f64,
    /// tcp or udp.
    pub protocol: Protocol,
    /// Users sharing one session (collaborative sessions synchronise through it).
    #[serde(default = "one_u32")]
    pub users: u32,
    /// Session state copied to the new cluster when a running session is migrated, MiB
    /// (its transfer adds to the migration's downtime; 0: stateless).
    #[serde(default)]
    pub state_mib: f64,
    /// The containers a session runs, for `xrplace plan` and `export` (default: one
    /// component named after the application, with a placeholder image).
    #[serde(default)]
    pub components: Vec<ComponentConfig>,
}

/// One container of an application: what a planned Deployment runs.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentConfig {
    /// Name (a DNS-1123 label: it names the Deployment and the Service).
    pub name: String,
    /// Container image reference.
    pub image: String,
    /// Share of the application's CPU and memory this component requests, 0..1; the
    /// shares of an application's components add up to 1.
    pub share: f64,
    /// Port the component serves its media or API on.
    #[serde(default = "default_port")]
    pub port: u16,
    /// Where it runs: with the rest of the session (`with-session`, on the cluster the
    /// strategy picks) or on the experiment's `central_cluster` (`central`: a shared
    /// service such as the collaborative sessions' synchronisation service).
    #[serde(default)]
    pub placement: ComponentPlacement,
    /// Transport of its port (default: the application's).
    #[serde(default)]
    pub protocol: Option<Protocol>,
    /// For a central component: whether each frame waits for it (the round trip from the
    /// session's cluster to the central cluster adds to the session's latency).
    #[serde(default = "yes")]
    pub in_frame_path: bool,
}

/// Where a component of a session runs.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentPlacement {
    /// On the cluster the strategy chose for the session.
    #[default]
    WithSession,
    /// On the central cluster.
    Central,
}

fn yes() -> bool {
    true
}

fn default_port() -> u16 {
    5004
}

impl SessionAppConfig {
    /// The components, or the default single one when none are listed.
    pub fn components_or_default(&self) -> Vec<ComponentConfig> {
        if !self.components.is_empty() {
            return self.components.clone();
        }
        vec![ComponentConfig {
            name: self.name.to_ascii_lowercase().replace('_', "-"),
            image: format!(
                "registry.example.org/xr/{}:1.0.0",
                self.name.to_ascii_lowercase()
            ),
            share: 1.0,
            port: default_port(),
            placement: ComponentPlacement::WithSession,
            in_frame_path: true,
            protocol: None,
        }]
    }
}

fn one() -> f64 {
    1.0
}
fn one_u32() -> u32 {
    1
}

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

/// Kinds of fault in session experiments.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum SessionFaultKind {
    /// The whole cluster is down.
    #[default]
    ClusterFailure,
    /// The cluster loses `nodes` nodes (their cores and memory).
    NodeLoss,
    /// Links at `site` slow down: `extra_rtt_ms` more RTT, bandwidth times `bandwidth_factor`.
    LinkDegradation,
    /// `site` is cut off from every other site.
    Partition,
}

/// A fault at a given time.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterFaultConfig {
    /// What fails (default: the whole cluster).
    #[serde(default)]
    pub kind: SessionFaultKind,
    /// Cluster name (cluster-failure, node-loss).
    #[serde(default)]
    pub cluster: String,
    /// Site name (link-degradation, partition).
    #[serde(default)]
    pub site: String,
    /// Nodes lost (node-loss).
    #[serde(default = "one_u32")]
    pub nodes: u32,
    /// Added round-trip time (link-degradation), ms.
    #[serde(default)]
    pub extra_rtt_ms: f64,
    /// Remaining share of bandwidth (link-degradation), 0..1.
    #[serde(default = "one")]
    pub bandwidth_factor: f64,
    /// When, s.
    pub at_s: f64,
    /// For how long, s.
    pub duration_s: f64,
}

/// Faults drawn at random for every cluster: exponential times between failures and
/// exponential repair times, from the run's `fault-rates` stream.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultRateConfig {
    /// cluster-failure or node-loss (drawn per cluster), link-degradation or partition
    /// (drawn per site).
    pub kind: SessionFaultKind,
    /// Mean time between failures of one cluster (or site), hours.
    pub mtbf_h: f64,
    /// Mean time to repair, hours.
    pub mttr_h: f64,
    /// Link degradation: RTT added at the site, ms.
    #[serde(default = "default_extra_rtt_ms")]
    pub extra_rtt_ms: f64,
    /// Link degradation: share of bandwidth left, 0..1.
    #[serde(default = "default_bandwidth_factor")]
    pub bandwidth_factor: f64,
}

fn default_extra_rtt_ms() -> f64 {
    20.0
}
fn default_bandwidth_factor() -> f64 {
    0.5
}

/// Component names are DNS-1123 labels, unique in the application; shares add up to 1.
fn validate_components(c: &Checker, p: &str, a: &SessionAppConfig) -> Result<(), ConfigError> {
    let mut seen = std::collections::HashSet::new();
    for (j, k) in a.components.iter().enumerate() {
        let f = format!("{p}.components[{j}]");
        c.dns_label(&format!("{f}.name"), &k.name)?;
        if !seen.insert(k.name.as_str()) {
            return Err(c.src.error(
                &format!("{f}.name"),
                format!(
                    "duplicate component name {:?}; names must be unique",
                    k.name
                ),
            ));
        }
        if k.image.trim().is_empty() || k.image.contains(char::is_whitespace) {
            return Err(c.src.error(
                &format!("{f}.image"),
                format!("expected a container image reference, found {:?}", k.image),
            ));
        }
        c.within(&format!("{f}.share"), k.share, 0.0, 1.0)?;
        if k.port == 0 {
            return Err(c
                .src
                .error(&format!("{f}.port"), "expected a port from 1 to 65535"));
        }
    }
    let total: f64 = a.components.iter().map(|k| k.share).sum();
    if !a.components.is_empty() && (total - 1.0).abs() > 1e-6 {
        return Err(c.src.error(
            &format!("{p}.components"),
            format!("expected component shares adding up to 1, found {total}"),
        ));
    }
    Ok(())
}

/// Checks the section's values (names are resolved against the topology later).
pub fn validate_sessions(c: &Checker, s: &SessionsConfig) -> Result<(), ConfigError> {
    if s.strategies.is_empty() {
        return Err(c
            .src
            .error("sessions.strategies", "expected at least one strategy name"));
    }
    c.distinct(
        "strategy",
        s.strategies
            .iter()
            .enumerate()
            .map(|(i, x)| (format!("sessions.strategies[{i}]"), x.as_str())),
    )?;
    c.distinct(
        "topology",
        s.sweep
            .topologies
            .iter()
            .enumerate()
            .map(|(i, x)| (format!("sessions.sweep.topologies[{i}]"), x.as_str())),
    )?;
    c.distinct(
        "fault model",
        s.sweep
            .fault_models
            .iter()
            .enumerate()
            .map(|(i, x)| (format!("sessions.sweep.fault_models[{i}]"), x.as_str())),
    )?;
    super::interconnect::check_sessions_path(c, s.cross_cluster_path)?;
    c.within("sessions.slo_latency_ms", s.slo_latency_ms, 0.001, 1e6)?;
    c.within(
        "sessions.scrape_interval_s",
        s.scrape_interval_s,
        0.1,
        3600.0,
    )?;
    c.within(
        "sessions.aggregation_lag_s",
        s.aggregation_lag_s,
        0.0,
        3600.0,
    )?;
    c.within(
        "sessions.migration_downtime_s",
        s.migration_downtime_s,
        0.0,
        3600.0,
    )?;
    if !(1..=10_000).contains(&s.candidates_per_site) {
        return Err(c.src.error(
            "sessions.candidates_per_site",
            "expected 1 to 10000 clusters",
        ));
    }
    if s.applications.is_empty() {
        return Err(c
            .src
            .error("sessions.applications", "expected at least one application"));
    }
    c.unique(
        "application",
        s.applications
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("sessions.applications[{i}].name"), a.name.as_str())),
    )?;
    for (i, a) in s.applications.iter().enumerate() {
        let p = format!("sessions.applications[{i}]");
        c.within(&format!("{p}.share"), a.share, 0.0, 1e6)?;
        c.within(
            &format!("{p}.mean_duration_s"),
            a.mean_duration_s,
            0.001,
            1e7,
        )?;
        c.within(&format!("{p}.cpu_cores"), a.cpu_cores, 0.0, 1e4)?;
        c.within(&format!("{p}.memory_mib"), a.memory_mib, 0.0, 1e7)?;
        c.within(&format!("{p}.ms_per_frame"), a.ms_per_frame, 0.0, 1e4)?;
        c.within(
            &format!("{p}.frame_rate_fps"),
            a.frame_rate_fps,
            0.1,
            1000.0,
        )?;
        c.within(&format!("{p}.bitrate_mbps"), a.bitrate_mbps, 0.001, 1e5)?;
        if !(1..=1000).contains(&a.users) {
            return Err(c
                .src
                .error(&format!("{p}.users"), "expected 1 to 1000 users"));
        }
        c.within(&format!("{p}.state_mib"), a.state_mib, 0.0, 1e7)?;
        validate_components(c, &p, a)?;
    }
    let central = s.applications.iter().enumerate().find_map(|(i, a)| {
        a.components
            .iter()
            .position(|k| k.placement == ComponentPlacement::Central)
            .map(|j| (i, j))
    });
    if let (Some((i, j)), true) = (central, s.central_cluster.is_empty()) {
        return Err(c.src.error(
            &format!("sessions.applications[{i}].components[{j}].placement"),
            "a central component needs sessions.central_cluster, the cluster that runs it",
        ));
    }
    if s.applications.iter().all(|a| a.share == 0.0) {
        return Err(c.src.error(
            "sessions.applications",
            "expected a positive share for some application",
        ));
    }
    let l = &s.load;
    match l.kind {
        LoadKind::Poisson | LoadKind::Diurnal => {
            c.within("sessions.load.rate_per_s", l.rate_per_s, 1e-9, 1e6)?
        }
        LoadKind::Trace if l.trace.is_empty() => {
            return Err(c.src.error(
                "sessions.load.trace",
                "expected a trace file with kind = \"trace\"",
            ));
        }
        LoadKind::Trace => {}
    }
    c.within("sessions.load.amplitude", l.amplitude, 0.0, 1.0)?;
    validate_faults(c, "sessions", &s.faults, &s.fault_rates)?;
    let k = &s.control;
    c.within(
        "sessions.control.scale_out_util",
        k.scale_out_util,
        0.01,
        1.0,
    )?;
    c.within(
        "sessions.control.scale_in_util",
        k.scale_in_util,
        0.0,
        k.scale_out_util,
    )?;
    if !(1..=1000).contains(&k.step_nodes) {
        return Err(c
            .src
            .error("sessions.control.step_nodes", "expected 1 to 1000 nodes"));
    }
    if k.max_extra_nodes > 10_000 {
        return Err(c.src.error(
            "sessions.control.max_extra_nodes",
            "expected at most 10000 nodes",
        ));
    }
    c.within("sessions.control.cooldown_s", k.cooldown_s, 0.0, 1e7)?;
    crate::config::provisioning::validate_capi(c, "sessions.control.capi", &k.capi)?;
    if !(1..=1_000_000).contains(&k.provision_after_sessions) {
        return Err(c.src.error(
            "sessions.control.provision_after_sessions",
            "expected 1 to 1000000 sessions",
        ));
    }
    c.within(
        "sessions.control.deprovision_idle_s",
        k.deprovision_idle_s,
        0.0,
        1e7,
    )?;
    c.unique(
        "standby cluster",
        k.standby_clusters.iter().enumerate().map(|(i, n)| {
            (
                format!("sessions.control.standby_clusters[{i}]"),
                n.as_str(),
            )
        }),
    )?;
    if let Some(i) = k
        .standby_clusters
        .iter()
        .position(|n| !s.central_cluster.is_empty() && n == &s.central_cluster)
    {
        return Err(c.src.error(
            &format!("sessions.control.standby_clusters[{i}]"),
            "the central cluster runs shared components from the start; it cannot be a standby cluster",
        ));
    }
    for (m, model) in s.fault_models.iter().enumerate() {
        let field = format!("sessions.fault_models[{m}].name");
        c.name(&field, &model.name)?;
        if model.name == "none" || model.name == "default" {
            return Err(c.src.error(
                &field,
                "`none` and `default` are reserved fault model names",
            ));
        }
        validate_faults(
            c,
            &format!("sessions.fault_models[{m}]"),
            &model.faults,
            &model.fault_rates,
        )?;
    }
    for (i, name) in s.sweep.fault_models.iter().enumerate() {
        let known =
            name == "none" || name == "default" || s.fault_models.iter().any(|m| &m.name == name);
        if !known {
            return Err(c.src.error(
                &format!("sessions.sweep.fault_models[{i}]"),
                format!("unknown fault model {name:?}; expected none, default or a [[sessions.fault_models]] name"),
            ));
        }
    }
    if let Some(axis) = &s.sweep.rate_per_s {
        let values = axis.values().ok_or_else(|| {
            c.src.error(
                "sessions.sweep.rate_per_s",
                "expected a value, a non-empty list or {from, to, step} with step > 0",
            )
        })?;
        for v in &values {
            c.within("sessions.sweep.rate_per_s", *v, 1e-9, 1e6)?;
        }
        c.distinct(
            "rate",
            values
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("sessions.sweep.rate_per_s[{i}]"), v.to_string())),
        )?;
    }
    Ok(())
}

/// Checks a list of faults and fault rates under the table `base`; names are resolved
/// against the topology when it is loaded.
fn validate_faults(
    c: &Checker,
    base: &str,
    faults: &[ClusterFaultConfig],
    rates: &[FaultRateConfig],
) -> Result<(), ConfigError> {
    for (i, f) in faults.iter().enumerate() {
        let p = format!("{base}.faults[{i}]");
        c.within(&format!("{p}.at_s"), f.at_s, 0.0, 1e9)?;
        c.within(&format!("{p}.duration_s"), f.duration_s, 0.0, 1e9)?;
        let (needs, given) = match f.kind {
            SessionFaultKind::ClusterFailure | SessionFaultKind::NodeLoss => {
                ("cluster", &f.cluster)
            }
            SessionFaultKind::LinkDegradation | SessionFaultKind::Partition => ("site", &f.site),
        };
        if given.is_empty() {
            return Err(c
                .src
                .error(&p, format!("expected `{needs}` for this kind of fault")));
        }
        if f.nodes == 0 {
            return Err(c
                .src
                .error(&format!("{p}.nodes"), "expected at least 1 node"));
        }
        c.within(&format!("{p}.extra_rtt_ms"), f.extra_rtt_ms, 0.0, 1e6)?;
        c.within(
            &format!("{p}.bandwidth_factor"),
            f.bandwidth_factor,
            0.001,
            1.0,
        )?;
    }
    for (i, r) in rates.iter().enumerate() {
        let p = format!("{base}.fault_rates[{i}]");
        c.within(&format!("{p}.mtbf_h"), r.mtbf_h, 0.001, 1e9)?;
        c.within(&format!("{p}.extra_rtt_ms"), r.extra_rtt_ms, 0.0, 1e6)?;
        c.within(
            &format!("{p}.bandwidth_factor"),
            r.bandwidth_factor,
            0.001,
            1.0,
        )?;
        c.within(&format!("{p}.mttr_h"), r.mttr_h, 0.0, 1e9)?;
    }
    Ok(())
}
