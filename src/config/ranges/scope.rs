//! Which of the field tables bind a file: every file's ([`FIELDS`]) or those and a
//! topology's own ([`TOPOLOGY_FIELDS`]).

use super::fields::{matches, normalized, FieldRange, FIELDS};
use super::topology_fields::TOPOLOGY_FIELDS;

/// Which input files a bound applies to: the table of every file (the experiment's
/// fields) or that and the topology's ([`TOPOLOGY_FIELDS`]), kept apart because a
/// plan file's `[[clusters]]` are bounded otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Any input file but a topology.
    Every,
    /// A topology file: every file's bounds and the topology's.
    Topology,
}

impl Scope {
    /// The scope of a parsed file: a topology is the file with `[[sites]]`
    /// (as [`crate::config::FileKind::of`] tells it).
    pub fn of(table: &toml::Table) -> Scope {
        if table.contains_key("sites") {
            Scope::Topology
        } else {
            Scope::Every
        }
    }

    /// Every bound of the scope.
    pub fn fields(self) -> impl Iterator<Item = &'static FieldRange> {
        let topology: &'static [FieldRange] = match self {
            Scope::Every => &[],
            Scope::Topology => TOPOLOGY_FIELDS,
        };
        FIELDS.iter().chain(topology)
    }
}

/// The bound on the field at `field` (a path with indices) of a file of `scope`.
pub fn range_in(scope: Scope, field: &str) -> Option<&'static FieldRange> {
    let field = normalized(field);
    scope.fields().find(|r| matches(r.path, &field))
}
