//! The commands behind the command line, one file per family: simulating (`run`, `plan`,
//! `merge`), files (`export`, `check`, `topology generate`, `topology import`), templates
//! (`init`) and batch engines (`sweep`, `merge --status`). `main.rs` holds the arguments and the dispatch.

pub mod batch;
pub mod files;
pub mod init;
pub mod simulate;

use xrplace::config::ConfigError;

/// Why the command failed, mapped to the exit code.
pub enum Failure {
    /// Bad input: exit 2.
    Input(ConfigError),
    /// Input that is well-formed but refused (an export folder not ours, lint findings).
    Refused(String),
    /// A runtime failure: exit 1.
    Runtime(String),
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure::Input(e)
    }
}
