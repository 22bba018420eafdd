//! Where an object came from (file, document, item of a `List`, kind and name), and the
//! located errors built from it.

use crate::config::ConfigError;
use std::fmt;
use std::path::PathBuf;

/// The place of one object in the files read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, as found from the command line's arguments.
    pub file: PathBuf,
    /// 1-based index of the document in the file (YAML documents split by `---`, or JSON
    /// values one after another); empty documents are not counted.
    pub document: usize,
    /// 1-based line where the document starts.
    pub line: usize,
    /// 0-based index in the `items` of a `List` document, if the object is one.
    pub item: Option<usize>,
    /// The object's `kind` (empty until read).
    pub kind: String,
    /// `namespace/name`, or `name` for a cluster-scoped object (empty if it has none).
    pub name: String,
}

impl Location {
    /// A located error for `field` of this object (a dotted path inside the object):
    /// the file and the document's line, the `items[i]` prefix of a `List`, and a message
    /// naming the document and the object.
    pub fn error(&self, field: &str, message: impl fmt::Display) -> ConfigError {
        let field = match self.item {
            Some(i) if field.is_empty() => format!("items[{i}]"),
            Some(i) => format!("items[{i}].{field}"),
            None if field.is_empty() => "(object)".to_string(),
            None => field.to_string(),
        };
        ConfigError {
            file: self.file.clone(),
            line: self.line,
            column: 1,
            field,
            message: format!("{self}: {message}"),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "document {}", self.document)?;
        if !self.kind.is_empty() {
            write!(f, ", {}", self.kind)?;
        }
        if !self.name.is_empty() {
            write!(f, " {}", self.name)?;
        }
        Ok(())
    }
}
