//! Reading a plan file: parsed, then checked for clusters that could run it
//! ([`crate::config::plan_check`]).

use super::file::PlanFile;
use crate::config::check::Checker;
use crate::config::error::ConfigError;
use crate::config::plan_check::validate_plan_file;
use crate::config::source::Source;
use std::path::Path;

/// Reads a plan file and checks that it can be exported to clusters that would run it.
pub fn load_plan(path: &Path) -> Result<PlanFile, ConfigError> {
    let src = Source::read(path)?;
    crate::config::expect_kind(&src, crate::config::FileKind::Plan, "`xrplace export`")?;
    let plan: PlanFile = src.parse()?;
    let c = Checker { src: &src };
    validate_plan_file(&c, &plan)?;
    Ok(plan)
}
