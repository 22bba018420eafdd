//! The loader of interconnect comparisons (`[interconnects]`): the options and baseline
//! checked, then the file's streaming part and session part each loaded by its own kind's
//! loader (errors point into this file).

use super::file::ExperimentConfig;
use super::loaded::{ComparisonParts, LoadedExperiment, Parts};
use super::{sessions, streaming};
use crate::config::error::ConfigError;
use crate::config::interconnect::parse_option;
use crate::config::source::Source;
use std::path::Path;

/// Checks an interconnect comparison and loads its two parts.
pub(super) fn load(
    src: &Source,
    path: &Path,
    config: ExperimentConfig,
) -> Result<LoadedExperiment, ConfigError> {
    let cmp = config.interconnects.as_ref().expect("a comparison");
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
    let streaming_part = ExperimentConfig {
        sessions: None,
        interconnects: None,
        ..config.clone()
    };
    let session_part = ExperimentConfig {
        application: None,
        scenarios: Vec::new(),
        interconnects: None,
        ..config.clone()
    };
    let parts = ComparisonParts {
        streaming: streaming::load(src, path, streaming_part)?,
        sessions: sessions::load(src, path, session_part)?,
    };
    Ok(LoadedExperiment {
        path: path.to_path_buf(),
        config,
        topologies: Vec::new(),
        trace: Vec::new(),
        parts: Parts::of(parts),
    })
}
