//! Loading a topology file: read, parse, check, and fold in the measured RTTs its
//! `routing.measured_rtt_csv` names (kept apart from the types in [`super::topology`] so
//! that [`super::measured_rtt`], which edits those types, and the types do not import each
//! other).

use super::error::ConfigError;
use super::measured_rtt::{
    apply_measured_rtts, load_measured_rtts, measured_rtt_path, MeasuredRtts,
};
use super::source::Source;
use super::topology::TopologyConfig;
use super::topology_check::{check_reachable, validate_topology};
use std::path::Path;

/// Reads, parses and validates a topology file, with the measured RTTs of its
/// `routing.measured_rtt_csv` folded into its links.
pub fn load_topology(path: &Path) -> Result<TopologyConfig, ConfigError> {
    load_topology_measured(path).map(|(t, _)| t)
}

/// [`load_topology`], also giving the measured RTTs it folded into the links (`None` when the
/// topology names no CSV). A CSV that cannot be read is reported at
/// `routing.measured_rtt_csv`; a bad row at its own file, line and column.
pub fn load_topology_measured(
    path: &Path,
) -> Result<(TopologyConfig, Option<MeasuredRtts>), ConfigError> {
    let src = Source::read_at_most(path, super::input::MAX_TOPOLOGY_BYTES)?;
    load_topology_from(&src, path)
}

/// [`load_topology_measured`] on the text of `path` already read (`check` reads a file
/// before it knows its kind).
pub fn load_topology_from(
    src: &Source,
    path: &Path,
) -> Result<(TopologyConfig, Option<MeasuredRtts>), ConfigError> {
    super::expect_kind(src, super::FileKind::Topology, "a `topology` reference")?;
    let mut topo: TopologyConfig = src.parse()?;
    validate_topology(src, &topo)?;
    let Some(rel) = topo.routing.measured_rtt_csv.clone() else {
        return Ok((topo, None));
    };
    let file = measured_rtt_path(path, &rel);
    let sites = super::check::index_by_name(&topo.sites, |s| &s.name);
    let rows = load_measured_rtts(&file, &sites).map_err(|e| {
        if e.line == 0 {
            src.error(
                "routing.measured_rtt_csv",
                format!("{}: {}", e.file.display(), e.message),
            )
        } else {
            e
        }
    })?;
    apply_measured_rtts(&mut topo, &rows);
    check_reachable(src, &topo, true)?;
    Ok((topo, Some(MeasuredRtts { path: file, rows })))
}
