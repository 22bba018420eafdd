//! One object of a document, not yet typed: its place, its `apiVersion`, and the whole
//! value (typed reads of its fields are in `fields`).

use super::location::Location;
use serde_json::Value;

/// One object of a document, not yet typed.
#[derive(Debug, Clone)]
pub struct RawObject {
    /// Where it is; `kind` and `name` are filled in from the object.
    pub at: Location,
    /// Its `apiVersion` (`group/version`, or `v1` for the core group); empty if absent.
    pub api_version: String,
    /// The whole object.
    pub value: Value,
}

impl RawObject {
    /// The API group of `apiVersion` (empty for the core group).
    pub fn group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }
}
