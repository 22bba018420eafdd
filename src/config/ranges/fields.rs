//! Bounds of single fields, by their path in the file: the ranges a field's unit does not
//! give (a share between 0 and 1, at least one user, a scrape at most hourly), written once
//! here. The file's numbers are checked against them as it is parsed; the JSON Schema
//! (`xrplace schema`) and the table in docs/input.md are made from them.

/// How a field's value is bounded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    /// A real number in `[lo, hi]`.
    Real {
        /// Smallest value allowed.
        lo: f64,
        /// Largest value allowed.
        hi: f64,
    },
    /// A number at least 0.
    NonNegative,
    /// A number above 0.
    Positive,
    /// A whole count in `[lo, hi]`; `refusal` is the message for a count outside it, with
    /// `{found}` standing for the count. A value its integer type cannot hold is left to
    /// the parser, which says so.
    Count {
        /// Smallest value allowed.
        lo: u64,
        /// Largest value allowed.
        hi: u64,
        /// The largest value the field's integer type holds.
        type_max: u64,
        /// The message for a count outside `[lo, hi]`.
        refusal: &'static str,
    },
}

/// When a bound applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Always: checked as the file is parsed, before any validator.
    Always,
    /// Under a condition a validator applies, named here for the documentation (a rate only
    /// matters for generated arrivals; an axis's values are known once it is expanded).
    Rule(&'static str),
}

/// One bounded field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldRange {
    /// The field's path: `.` between keys, `[]` for any entry of a list, and `**.` for any
    /// number of tables (`sessions.**.faults[].at_s`: the faults of `[sessions]` and of
    /// each of its fault models).
    pub path: &'static str,
    /// The bound.
    pub bound: Bound,
    /// When it applies.
    pub when: When,
}

pub(super) const fn real(path: &'static str, lo: f64, hi: f64) -> FieldRange {
    FieldRange {
        path,
        bound: Bound::Real { lo, hi },
        when: When::Always,
    }
}

pub(super) const fn count(
    path: &'static str,
    lo: u64,
    hi: u64,
    refusal: &'static str,
) -> FieldRange {
    FieldRange {
        path,
        bound: Bound::Count {
            lo,
            hi,
            type_max: u32::MAX as u64,
            refusal,
        },
        when: When::Always,
    }
}

const fn under(rule: &'static str, range: FieldRange) -> FieldRange {
    FieldRange {
        when: When::Rule(rule),
        ..range
    }
}

pub(super) const fn non_negative(path: &'static str) -> FieldRange {
    FieldRange {
        path,
        bound: Bound::NonNegative,
        when: When::Always,
    }
}

pub(super) const fn positive(path: &'static str) -> FieldRange {
    FieldRange {
        path,
        bound: Bound::Positive,
        when: When::Always,
    }
}

/// Every bounded field of every input but a topology's own.
pub const FIELDS: &[FieldRange] = &[
    real("duration_s", 0.001, 30.0 * 86_400.0),
    non_negative("warmup_s"),
    count("runs", 1, 10_000, "expected 1 to 10000 runs, found {found}"),
    real("scrape_interval_s", 0.1, 3600.0),
    non_negative("application.capture_jitter_ms"),
    non_negative("application.capture_jitter_max_ms"),
    real("application.components[].cpu_ms_per_frame", 0.0, 10_000.0),
    non_negative("application.components[].idle_cpu_cores"),
    non_negative("application.components[].memory_mib"),
    real("application.components[].segment_ms", 0.0, 60_000.0),
    real("application.components[].playout_buffer_ms", 0.0, 60_000.0),
    real("application.flows[].bitrate_mbps", 0.001, 100_000.0),
    real("application.flows[].frame_rate_fps", 0.1, 1_000.0),
    real("application.flows[].frame_size_sd_pct", 0.0, 100.0),
    real("application.flows[].frame_size_min_pct", 1.0, 100.0),
    real("application.flows[].frame_size_max_pct", 100.0, 1_000.0),
    real("scenarios[].faults[].at_s", 0.0, 1e9),
    real("scenarios[].faults[].duration_s", 0.0, 1e9),
    count(
        "provisioning.control_plane_nodes",
        1,
        9,
        "expected 1 to 9 control-plane nodes",
    ),
    positive("provisioning.vcpu_per_node"),
    positive("provisioning.memory_gib_per_node"),
    real("provisioning.actions[].at_s", 0.0, 1e7),
    non_negative("**.capi.reconcile_delay_s"),
    non_negative("**.capi.cluster_infra_s"),
    count(
        "**.capi.controller_concurrency",
        1,
        1000,
        "expected 1 to 1000 machines at once, found {found}",
    ),
    positive("**.capi.machine_start_timeout_s"),
    positive("**.capi.node_join_timeout_s"),
    count(
        "**.capi.max_retries",
        0,
        100,
        "expected at most 100 retries",
    ),
    real("**.capi.machine_failure_prob", 0.0, 1.0),
    real("**.capi.join_failure_prob", 0.0, 1.0),
    real("**.capi.timing_sigma", 0.0, 2.0),
    non_negative("**.capi.openstack.machine_create_s"),
    non_negative("**.capi.openstack.create_contention_s"),
    non_negative("**.capi.openstack.os_boot_s"),
    non_negative("**.capi.docker.machine_create_s"),
    non_negative("**.capi.docker.create_contention_s"),
    non_negative("**.capi.docker.os_boot_s"),
    non_negative("**.capi.kubeadm.control_plane_init_s"),
    non_negative("**.capi.kubeadm.node_join_s"),
    non_negative("**.capi.kubeadm.join_contention_s"),
    non_negative("**.capi.kubeadm.cni_ready_s"),
    non_negative("**.capi.k3s.control_plane_init_s"),
    non_negative("**.capi.k3s.node_join_s"),
    non_negative("**.capi.k3s.join_contention_s"),
    non_negative("**.capi.k3s.cni_ready_s"),
    real("plan.slo.max_violation_ratio", 0.0, 1.0),
    real("plan.slo.max_p95_latency_ms", 0.001, 1e6),
    real("plan.slo.max_rejected_ratio", 0.0, 1.0),
    real("plan.carbon_usd_per_kg", 0.0, 1e4),
    count(
        "plan.max_candidates",
        1,
        100_000,
        "expected 1 to 100000 candidates",
    ),
    count("plan.beam_width", 1, 64, "expected 1 to 64 plans"),
    count("plan.max_runs", 1, 1000, "expected 1 to 1000 runs"),
    count("plan.fresh_sets", 0, 100, "expected 0 to 100 sets"),
    count(
        "plan.exhaustive_max_plans",
        0,
        100_000,
        "expected at most 100000 plans",
    ),
    count(
        "plan.holdout_restarts",
        0,
        16,
        "expected at most 16 restarts",
    ),
    real("sessions.slo_latency_ms", 0.001, 1e6),
    real("sessions.scrape_interval_s", 0.1, 3600.0),
    real("sessions.aggregation_lag_s", 0.0, 3600.0),
    real("sessions.migration_downtime_s", 0.0, 3600.0),
    count(
        "sessions.candidates_per_site",
        1,
        10_000,
        "expected 1 to 10000 clusters",
    ),
    real("sessions.applications[].share", 0.0, 1e6),
    real("sessions.applications[].mean_duration_s", 0.001, 1e7),
    real("sessions.applications[].cpu_cores", 0.0, 1e4),
    real("sessions.applications[].memory_mib", 0.0, 1e7),
    real("sessions.applications[].ms_per_frame", 0.0, 1e4),
    real("sessions.applications[].frame_rate_fps", 0.1, 1000.0),
    real("sessions.applications[].bitrate_mbps", 0.001, 1e5),
    count(
        "sessions.applications[].users",
        1,
        1000,
        "expected 1 to 1000 users",
    ),
    real("sessions.applications[].state_mib", 0.0, 1e7),
    real(
        "sessions.applications[].gpu_render_ms_per_frame",
        0.001,
        1e4,
    ),
    real("sessions.applications[].gpu_memory_gib", 0.0, 1e4),
    real("sessions.applications[].components[].share", 0.0, 1.0),
    FieldRange {
        path: "sessions.applications[].components[].port",
        bound: Bound::Count {
            lo: 1,
            hi: 65_535,
            type_max: u16::MAX as u64,
            refusal: "expected a port from 1 to 65535",
        },
        when: When::Always,
    },
    under(
        "when load.kind is poisson or diurnal",
        real("sessions.load.rate_per_s", 1e-9, 1e6),
    ),
    real("sessions.load.amplitude", 0.0, 1.0),
    real("sessions.load.scale", 0.0, 100.0),
    real("sessions.load.scale_spread_s", 0.0, 86_400.0),
    real("sessions.**.faults[].at_s", 0.0, 1e9),
    real("sessions.**.faults[].duration_s", 0.0, 1e9),
    count(
        "sessions.**.faults[].nodes",
        1,
        u32::MAX as u64,
        "expected at least 1 node",
    ),
    real("sessions.**.faults[].extra_rtt_ms", 0.0, 1e6),
    real("sessions.**.faults[].bandwidth_factor", 0.001, 1.0),
    real("sessions.**.fault_rates[].mtbf_h", 0.001, 1e9),
    real("sessions.**.fault_rates[].extra_rtt_ms", 0.0, 1e6),
    real("sessions.**.fault_rates[].bandwidth_factor", 0.001, 1.0),
    real("sessions.**.fault_rates[].mttr_h", 0.0, 1e9),
    real("sessions.control.scale_out_util", 0.01, 1.0),
    under(
        "at most scale_out_util",
        real("sessions.control.scale_in_util", 0.0, 1.0),
    ),
    count(
        "sessions.control.step_nodes",
        1,
        1000,
        "expected 1 to 1000 nodes",
    ),
    count(
        "sessions.control.max_extra_nodes",
        0,
        10_000,
        "expected at most 10000 nodes",
    ),
    real("sessions.control.cooldown_s", 0.0, 1e7),
    count(
        "sessions.control.provision_after_sessions",
        1,
        1_000_000,
        "expected 1 to 1000000 sessions",
    ),
    real("sessions.control.deprovision_idle_s", 0.0, 1e7),
    under(
        "every value of the axis",
        real("sessions.sweep.rate_per_s", 1e-9, 1e6),
    ),
];

/// `field` (a path with indices, `a.b[3].c`) with every index written `[]`.
pub fn normalized(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut in_index = false;
    for ch in field.chars() {
        match ch {
            '[' => {
                in_index = true;
                out.push_str("[]");
            }
            ']' => in_index = false,
            _ if in_index => {}
            _ => out.push(ch),
        }
    }
    out
}

/// Whether the normalized path `field` is one `pattern` names (see [`FieldRange::path`]).
pub fn matches(pattern: &str, field: &str) -> bool {
    match pattern.split_once("**.") {
        None => pattern == field,
        Some((head, tail)) => {
            field.len() >= head.len() + tail.len()
                && field.starts_with(head)
                && field.ends_with(tail)
                && (field.len() == head.len() + tail.len()
                    || field[..field.len() - tail.len()].ends_with('.'))
        }
    }
}

/// The bound on the field at `field` (a path with indices) of any file but a topology, if
/// the table has one.
pub fn range_of(field: &str) -> Option<&'static FieldRange> {
    let field = normalized(field);
    FIELDS.iter().find(|r| matches(r.path, &field))
}

impl Bound {
    /// Why `x` is outside the bound, or `None` if it is inside. A count is judged only when
    /// written as an integer its type holds (`integer`); the parser refuses the others
    /// with their type.
    pub fn refusal(&self, x: f64, integer: bool) -> Option<String> {
        match *self {
            Bound::Real { lo, hi } => (!(x.is_finite() && (lo..=hi).contains(&x)))
                .then(|| format!("expected a number between {lo} and {hi}, found {x}")),
            Bound::NonNegative => {
                (!(x.is_finite() && x >= 0.0)).then(|| format!("expected a number >= 0, found {x}"))
            }
            Bound::Positive => (!(x.is_finite() && x > 0.0))
                .then(|| format!("expected a positive number, found {x}")),
            Bound::Count {
                lo,
                hi,
                type_max,
                refusal,
            } => {
                let whole = integer && (0.0..=type_max as f64).contains(&x);
                (whole && !(lo as f64..=hi as f64).contains(&x))
                    .then(|| refusal.replace("{found}", &x.to_string()))
            }
        }
    }

    /// The bound as JSON Schema keywords (`minimum`, `exclusiveMinimum`, `maximum`).
    pub fn schema_keywords(&self) -> Vec<(&'static str, f64)> {
        match *self {
            Bound::Real { lo, hi } => vec![("minimum", lo), ("maximum", hi)],
            Bound::NonNegative => vec![("minimum", 0.0)],
            Bound::Positive => vec![("exclusiveMinimum", 0.0)],
            Bound::Count { lo, hi, .. } => vec![("minimum", lo as f64), ("maximum", hi as f64)],
        }
    }

    /// The range in words, for the docs.
    pub fn described(&self) -> String {
        match *self {
            Bound::Real { lo, hi } => format!("{lo} to {hi}"),
            Bound::NonNegative => String::from("at least 0"),
            Bound::Positive => String::from("above 0"),
            Bound::Count { lo, hi, .. } => format!("whole, {lo} to {hi}"),
        }
    }
}
