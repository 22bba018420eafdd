//! The loader of provisioning experiments (`[provisioning]`).

use super::file::ExperimentConfig;
use super::loaded::{LoadedExperiment, Parts};
use crate::config::check::Checker;
use crate::config::error::ConfigError;
use crate::config::provisioning::validate_provisioning;
use crate::config::source::Source;
use std::path::Path;

/// Checks a provisioning experiment; it references no other file.
pub(super) fn load(
    src: &Source,
    path: &Path,
    config: ExperimentConfig,
) -> Result<LoadedExperiment, ConfigError> {
    if config.application.is_some() || !config.scenarios.is_empty() {
        return Err(src.error(
            "provisioning",
            "expected either [provisioning] or [application] with [[scenarios]], not both",
        ));
    }
    let p = config
        .provisioning
        .as_ref()
        .expect("a provisioning experiment");
    validate_provisioning(&Checker { src }, p)?;
    Ok(LoadedExperiment {
        path: path.to_path_buf(),
        config,
        topologies: Vec::new(),
        trace: Vec::new(),
        parts: Parts::default(),
    })
}
