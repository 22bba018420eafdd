//! Configuration errors that point at file, line, column and field.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem in an input file: where it is and what was expected there.
///
/// Every input error the user can cause is one of these; the command line prints it and
/// exits with code 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file the problem is in, as given on the command line or referenced.
    pub file: PathBuf,
    /// 1-based line of the offending value (0 when the file could not be read).
    pub line: usize,
    /// 1-based column of the offending value.
    pub column: usize,
    /// Dotted path of the offending field, for example `clusters[1].nodes`.
    pub field: String,
    /// What is wrong and what was expected.
    pub message: String,
}

impl ConfigError {
    /// An error that concerns the file as a whole (unreadable, wrong kind).
    pub fn whole_file(file: &Path, message: impl Into<String>) -> Self {
        ConfigError {
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            field: String::from("(file)"),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            return write!(f, "{}: whole file: {}", self.file.display(), self.message);
        }
        // A field is a dotted path; one read out of garbage (a "key" of megabytes) is cut.
        const MAX_FIELD_CHARS: usize = 200;
        let field = match self.field.char_indices().nth(MAX_FIELD_CHARS) {
            Some((at, _)) => format!("{}...", &self.field[..at]),
            None => self.field.clone(),
        };
        write!(
            f,
            "{}:{}:{}: field `{}`: {}",
            self.file.display(),
            self.line,
            self.column,
            field,
            self.message
        )
    }
}

impl std::error::Error for ConfigError {}
