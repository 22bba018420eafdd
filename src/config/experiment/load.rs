//! Reading an experiment file: parse it, check the run settings every kind shares, tell
//! its kind once and hand it to that kind's loader.

use super::file::{ExperimentConfig, ExperimentKind};
use super::loaded::LoadedExperiment;
use super::{capacity_plan, comparison, provisioning, sessions, streaming};
use crate::config::check::Checker;
use crate::config::error::ConfigError;
use crate::config::source::Source;
use std::path::Path;

/// Reads, parses and validates an experiment file and the topologies it references.
pub fn load_experiment(path: &Path) -> Result<LoadedExperiment, ConfigError> {
    load_experiment_with(path, &[])
}

/// [`load_experiment`] with `--set KEY=VALUE` overrides applied to the file's text first
/// ([`crate::config::overrides`]), so they are checked like the file's own values.
pub fn load_experiment_with(path: &Path, sets: &[String]) -> Result<LoadedExperiment, ConfigError> {
    let src = Source::read(path)?;
    if sets.is_empty() {
        return load_source(&src, path);
    }
    let text = crate::config::overrides::apply_overrides(path, src.text(), sets)?;
    load_source(&Source::from_text(path, text.clone()), path)
        .map_err(|e| crate::config::overrides::locate(e, path, src.text(), &text, sets))
}

fn load_source(src: &Source, path: &Path) -> Result<LoadedExperiment, ConfigError> {
    crate::config::expect_kind(src, crate::config::FileKind::Experiment, "this command")?;
    let config: ExperimentConfig = src.parse()?;
    load_parsed(src, path, config)
}

/// Checks a parsed experiment of `src` and loads what it references, by its kind's loader.
fn load_parsed(
    src: &Source,
    path: &Path,
    config: ExperimentConfig,
) -> Result<LoadedExperiment, ConfigError> {
    validate_run_settings(&Checker { src }, &config)?;
    match config.kind() {
        ExperimentKind::Streaming => streaming::load(src, path, config),
        ExperimentKind::Provisioning => provisioning::load(src, path, config),
        ExperimentKind::Sessions => sessions::load(src, path, config),
        ExperimentKind::CapacityPlan => capacity_plan::load(src, path, config),
        ExperimentKind::Comparison => comparison::load(src, path, config),
    }
}

/// The run settings' relations and name (their ranges are in the range table,
/// `config::ranges::fields`, checked as the file is parsed).
fn validate_run_settings(c: &Checker, e: &ExperimentConfig) -> Result<(), ConfigError> {
    c.name("name", &e.name)?;
    if e.warmup_s >= e.duration_s {
        return Err(c
            .src
            .error("warmup_s", "expected a warm-up shorter than duration_s"));
    }
    Ok(())
}
