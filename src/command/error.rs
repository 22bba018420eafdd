//! Why a command failed, and the exit code that says so.

use crate::config::ConfigError;
use crate::experiment::RuntimeError;

/// Why a command failed. Bad input (exit 2) is the user's to fix; a runtime failure
/// (exit 1) is not caused by the input.
#[derive(Debug)]
#[non_exhaustive]
pub enum CommandError {
    /// Bad input, located at its file, line and field: exit 2.
    Input(ConfigError),
    /// Well-formed input the command refuses (an export folder it did not write, lint
    /// findings, a merge over its own input, a `--shard` it cannot resolve): exit 2.
    Refused(String),
    /// A failure the input did not cause (worker threads, writing outputs, a goal not
    /// reached): exit 1.
    Runtime(RuntimeError),
}

impl CommandError {
    /// The process exit code of this failure: 2 for bad input, 1 for a runtime failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            CommandError::Input(_) | CommandError::Refused(_) => 2,
            CommandError::Runtime(_) => 1,
        }
    }

    /// An output that could not be written: `what` names it (a path, or `results to DIR`).
    pub fn write(what: impl std::fmt::Display, e: impl std::fmt::Display) -> Self {
        CommandError::Runtime(RuntimeError::Write(format!("cannot write {what}: {e}")))
    }

    /// A run's results that could not be written into the folder `dir`.
    pub fn write_results(dir: &std::path::Path, e: impl std::fmt::Display) -> Self {
        Self::write(format!("results to {}", dir.display()), e)
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CommandError::Input(e) => e.fmt(f),
            CommandError::Refused(m) => f.write_str(m),
            CommandError::Runtime(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for CommandError {}

impl From<ConfigError> for CommandError {
    fn from(e: ConfigError) -> Self {
        CommandError::Input(e)
    }
}

impl From<RuntimeError> for CommandError {
    fn from(e: RuntimeError) -> Self {
        CommandError::Runtime(e)
    }
}
