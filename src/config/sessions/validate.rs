//! The checks of a `[sessions]` section that depend on more than one value: lists, names,
//! shares, relations between fields and the bounds that apply under a condition. Each
//! field's own range is in the range table (`config::ranges::fields`), checked as the file
//! is parsed.

use super::apps::{ComponentPlacement, SessionAppConfig};
use super::faults::validate_faults;
use super::load::LoadKind;
use super::section::SessionsConfig;
use crate::config::check::Checker;
use crate::config::error::ConfigError;

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

/// GPU memory is a part of GPU work: `gpu_memory_gib` needs `gpu_render_ms_per_frame`.
fn validate_gpu_demand(c: &Checker, p: &str, a: &SessionAppConfig) -> Result<(), ConfigError> {
    if a.gpu_memory_gib.is_some() && a.gpu_render_ms_per_frame.is_none() {
        return Err(c.src.error(
            &format!("{p}.gpu_memory_gib"),
            "expected gpu_render_ms_per_frame with it (GPU memory without GPU work)",
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
    crate::config::interconnect::check_sessions_path(c, s.cross_cluster_path)?;
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
        validate_components(c, &p, a)?;
        validate_gpu_demand(c, &p, a)?;
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
        LoadKind::Poisson | LoadKind::Diurnal if l.scale != 1.0 => {
            return Err(c.src.error(
                "sessions.load.scale",
                "expected no scale without a trace: set rate_per_s instead",
            ));
        }
        LoadKind::Poisson | LoadKind::Diurnal => {
            c.bounded("sessions.load.rate_per_s", l.rate_per_s)?
        }
        LoadKind::Trace if l.trace.is_empty() => {
            return Err(c.src.error(
                "sessions.load.trace",
                "expected a trace file with kind = \"trace\"",
            ));
        }
        LoadKind::Trace => {}
    }
    validate_faults(c, "sessions", &s.faults)?;
    let k = &s.control;
    // A named rule of the range table: at most scale_out_util.
    c.within(
        "sessions.control.scale_in_util",
        k.scale_in_util,
        0.0,
        k.scale_out_util,
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
        validate_faults(c, &format!("sessions.fault_models[{m}]"), &model.faults)?;
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
            c.bounded("sessions.sweep.rate_per_s", *v)?;
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
