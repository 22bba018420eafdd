//! The worker threads runs execute on, and the one failure of this layer that no input
//! causes: the threads not starting.

use crate::config::{ConfigError, LoadedExperiment};

/// A failure of a command that its input did not cause (the command line exits 1 on it,
/// not 2): the worker threads not starting, an output that cannot be written, a goal the
/// run did not reach. Each variant holds the whole message the user reads.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeError {
    /// The pool of worker threads could not start (the system refused a thread).
    Threads(String),
    /// An output could not be written: the path and the system's reason.
    Write(String),
    /// The command ran to its end without reaching its goal: no candidate plan met the
    /// SLO, a sweep's shards are not all done, the batch system refused a submission.
    Unmet(String),
    /// Anything else outside the input's control (the binary's own path, serialising).
    Other(String),
}

impl std::fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RuntimeError::Threads(m)
            | RuntimeError::Write(m)
            | RuntimeError::Unmet(m)
            | RuntimeError::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for RuntimeError {}

/// Where a run's jobs execute: the rayon pool the caller is already working in (an entry
/// point of `crate::command` starts one with [`start_workers`]), or a pool of its own.
pub enum Workers {
    /// The pool of the calling thread.
    Current,
    /// A pool started for this run.
    Own(rayon::ThreadPool),
}

impl Workers {
    /// Runs `work` on these workers and returns what it returns.
    pub fn install<R: Send>(&self, work: impl FnOnce() -> R + Send) -> R {
        match self {
            Workers::Current => work(),
            Workers::Own(pool) => pool.install(work),
        }
    }
}

/// A rayon pool of `threads` workers (0: one per core).
pub fn start_workers(threads: usize) -> Result<rayon::ThreadPool, RuntimeError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| RuntimeError::Threads(format!("cannot start worker threads: {e}")))
}

/// The workers a run of `exp` executes on: the caller's pool when it is inside one (the
/// thread count is then the pool's, which results do not depend on), else a new pool of
/// `threads` workers. Called outside an entry point, a pool that cannot start is reported
/// as an error of the experiment file as a whole.
pub fn worker_pool(exp: &LoadedExperiment, threads: usize) -> Result<Workers, ConfigError> {
    if rayon::current_thread_index().is_some() {
        return Ok(Workers::Current);
    }
    start_workers(threads)
        .map(Workers::Own)
        .map_err(|e| ConfigError::whole_file(&exp.path, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_inside_a_pool_uses_that_pool() {
        let exp =
            crate::config::load_experiment(std::path::Path::new("experiments/few-streams.toml"))
                .unwrap();
        let pool = start_workers(2).unwrap();
        let inner = pool.install(|| worker_pool(&exp, 1).unwrap());
        assert!(matches!(inner, Workers::Current));
        assert!(matches!(worker_pool(&exp, 1).unwrap(), Workers::Own(_)));
    }
}
