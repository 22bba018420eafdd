//! `xrplace schema KIND`: the JSON Schema of an input file kind, for editors, derived from
//! the serde definitions the parser uses, with each field's bounds from the range table.

use super::CommandError;
use crate::experiment::RuntimeError;

/// Input file kinds with a JSON Schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaKind {
    /// Experiment files (`experiments/*.toml`).
    Experiment,
    /// Topology files (`topologies/*.toml`).
    Topology,
    /// Plan files written by `xrplace plan`.
    Plan,
}

/// The JSON Schema of `kind`, pretty-printed (the shipped copies are in docs/schemas/).
pub fn schema(kind: SchemaKind) -> Result<String, CommandError> {
    use crate::config::ranges::Scope;
    let scope = match kind {
        SchemaKind::Topology => Scope::Topology,
        SchemaKind::Experiment | SchemaKind::Plan => Scope::Every,
    };
    let schema = match kind {
        SchemaKind::Experiment => schemars::schema_for!(crate::config::ExperimentConfig),
        SchemaKind::Topology => schemars::schema_for!(crate::config::TopologyConfig),
        SchemaKind::Plan => schemars::schema_for!(crate::config::plan_file::PlanFile),
    };
    serde_json::to_value(&schema)
        .map(|s| crate::config::ranges::schema::with_ranges(s, scope))
        .and_then(|schema| serde_json::to_string_pretty(&schema))
        .map_err(|e| RuntimeError::Other(e.to_string()).into())
}
