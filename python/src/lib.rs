//! `xrplace._native`: the simulator behind the `xrplace` Python package. Python calls an
//! experiment file with `--set`-style overrides and gets its output folder written by the
//! command line's own entry points (`xrplace::command::run` and `plan`); strategies written in Python are registered by name and
//! called by the session world like built-ins; [`env::EnvCore`] and [`env::VecEnvCore`]
//! step episodes in place for the Gymnasium environments. The GIL is released while Rust
//! simulates, and taken only to call a Python strategy.

mod env;
mod strategy;

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use xrplace::command::{self, CommandError};
use xrplace::config::experiment::Experiment;
use xrplace::config::{load_experiment_with, ConfigError as XrConfigError, LoadedExperiment};
use xrplace::experiment::budget;
use xrplace::experiment::RunOptions;
use xrplace::report::monitoring::Epoch;
use xrplace::report::Figures;
use xrplace::strategy::Registry;

create_exception!(
    xrplace,
    ConfigError,
    PyException,
    "A bad input file: `file`, `line`, `column` (1-based; 0 when the file as a whole is wrong), `field` (dotted path) and `message`."
);

/// The Python exception of an xrplace input error, with its location as attributes.
fn config_error(py: Python<'_>, e: &XrConfigError) -> PyErr {
    let err = ConfigError::new_err(e.to_string());
    let v = err.value(py);
    let _ = v.setattr("file", e.file.display().to_string());
    let _ = v.setattr("line", e.line);
    let _ = v.setattr("column", e.column);
    let _ = v.setattr("field", e.field.clone());
    let _ = v.setattr("message", e.message.clone());
    err
}

/// The first error a Python strategy raised during a run, raised again when the run ends.
pub type ErrorSlot = Arc<Mutex<Option<PyErr>>>;

fn load(py: Python<'_>, path: &str, sets: &[String]) -> PyResult<LoadedExperiment> {
    let p = PathBuf::from(path);
    py.allow_threads(|| load_experiment_with(&p, sets))
        .map_err(|e| config_error(py, &e))
}

/// The built-in strategies plus every `name -> class` of `strategies`.
fn registry(
    py: Python<'_>,
    strategies: &Bound<'_, PyDict>,
    errors: &ErrorSlot,
) -> PyResult<Registry> {
    let mut r = Registry::builtin();
    for (name, cls) in strategies.iter() {
        let name: String = name.extract()?;
        strategy::register(py, &mut r, &name, cls.unbind(), errors.clone());
    }
    Ok(r)
}

/// The Python exception of a failed command: a located `ConfigError` for bad input, a
/// `ValueError` for input refused, a `RuntimeError` for a failure the input did not cause.
fn command_error(py: Python<'_>, e: &CommandError) -> PyErr {
    match e {
        CommandError::Input(c) => config_error(py, c),
        CommandError::Refused(m) => PyValueError::new_err(m.clone()),
        other => PyRuntimeError::new_err(other.to_string()),
    }
}

/// What a run or a plan works with: the slot for a Python strategy's error and the
/// strategies, the built-ins plus `strategies`.
fn strategies(py: Python<'_>, strategies: &Bound<'_, PyDict>) -> PyResult<(ErrorSlot, Registry)> {
    let errors = ErrorSlot::default();
    let registry = registry(py, strategies, &errors)?;
    Ok((errors, registry))
}

/// Raises what a Python strategy raised during the run, if anything.
fn raise_strategy_error(errors: &ErrorSlot) -> PyResult<()> {
    match errors.lock().expect("error slot").take() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Prints a warning of a run on stderr, as the command line does.
fn warn(message: &str) {
    eprintln!("warning: {message}");
}

/// The experiment's kind: `sessions`, `streaming`, `provisioning` or `interconnects`.
fn kind(exp: &LoadedExperiment) -> &'static str {
    exp.kind().name()
}

/// Runs the experiment at `path` with overrides `sets` (`key=value`, as `--set`) and
/// writes its output folder `out` through the command line's own entry point
/// (`xrplace::command::run`, without `meta.toml` and `timing.toml`). `strategies` maps
/// names to Python strategy classes. Returns the kind. With `metrics`, the monitoring
/// samples are written as `--metrics openmetrics` writes them (simulated time 0 at Unix
/// time 0). Without `figures`, `plots/` is not drawn.
#[pyfunction]
#[pyo3(signature = (path, sets, out, strategies, seed=None, threads=0, metrics=false, figures=true))]
#[allow(clippy::too_many_arguments)]
fn run_experiment(
    py: Python<'_>,
    path: &str,
    sets: Vec<String>,
    out: &str,
    strategies: &Bound<'_, PyDict>,
    seed: Option<u64>,
    threads: usize,
    metrics: bool,
    figures: bool,
) -> PyResult<&'static str> {
    let (errors, registry) = self::strategies(py, strategies)?;
    let source = command::Source::File(PathBuf::from(path));
    let req = command::RunRequest {
        sets,
        out: Some(PathBuf::from(out)),
        seed,
        threads,
        metrics: metrics.then_some(Epoch(0)),
        figures: figures_of(figures),
        provenance: false,
        ..command::RunRequest::new(source, &registry, &warn)
    };
    let ran = py.allow_threads(|| command::run(req));
    raise_strategy_error(&errors)?;
    Ok(ran.map_err(|e| command_error(py, &e))?.kind)
}

/// Searches the plan of the experiment at `path` (`xrplace plan`, through its entry point
/// `xrplace::command::plan`) and writes `plan.toml`, `candidates.csv` and its figures into
/// `out` (no figure without `figures`).
#[pyfunction]
#[pyo3(signature = (path, sets, out, strategies, seed=None, threads=0, figures=true))]
#[allow(clippy::too_many_arguments)]
fn plan_experiment(
    py: Python<'_>,
    path: &str,
    sets: Vec<String>,
    out: &str,
    strategies: &Bound<'_, PyDict>,
    seed: Option<u64>,
    threads: usize,
    figures: bool,
) -> PyResult<()> {
    let (errors, registry) = self::strategies(py, strategies)?;
    let req = command::PlanRequest {
        experiment: PathBuf::from(path),
        sets,
        out: Some(PathBuf::from(out)),
        options: RunOptions {
            seed,
            threads,
            ..RunOptions::default()
        },
        figures: figures_of(figures),
        limits: budget::Budget::default(),
        registry: &registry,
        provenance: false,
    };
    let planned = py.allow_threads(|| command::plan(req));
    raise_strategy_error(&errors)?;
    planned.map_err(|e| command_error(py, &e))?;
    Ok(())
}

/// Python's `figures=True/False` as the report's choice.
fn figures_of(figures: bool) -> Figures {
    if figures {
        Figures::Render
    } else {
        Figures::Skip
    }
}

/// Loads and checks the experiment at `path` (strategies named in it must be built in or
/// in `strategies`); returns its kind.
#[pyfunction]
#[pyo3(signature = (path, sets, strategies))]
fn check_experiment(
    py: Python<'_>,
    path: &str,
    sets: Vec<String>,
    strategies: &Bound<'_, PyDict>,
) -> PyResult<&'static str> {
    let exp = load(py, path, &sets)?;
    let with_sessions = match exp.experiment() {
        Experiment::Sessions(_) | Experiment::CapacityPlan(_) => Some(&exp),
        Experiment::Comparison(c) => Some(c.sessions),
        Experiment::Streaming(_) | Experiment::Provisioning(_) => None,
    };
    if let Some(sessions) = with_sessions {
        let errors = ErrorSlot::default();
        let registry = registry(py, strategies, &errors)?;
        xrplace::experiment::sessions::check_strategies(sessions, &registry)
            .map_err(|e| config_error(py, &e))?;
    }
    Ok(kind(&exp))
}

/// The built-in strategies' names.
#[pyfunction]
fn builtin_strategies() -> Vec<String> {
    Registry::builtin()
        .names()
        .into_iter()
        .map(String::from)
        .collect()
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ConfigError", m.py().get_type::<ConfigError>())?;
    m.add_class::<strategy::Request>()?;
    m.add_class::<strategy::View>()?;
    m.add_class::<strategy::Plan>()?;
    m.add_class::<env::EnvCore>()?;
    m.add_class::<env::VecEnvCore>()?;
    m.add_function(wrap_pyfunction!(run_experiment, m)?)?;
    m.add_function(wrap_pyfunction!(plan_experiment, m)?)?;
    m.add_function(wrap_pyfunction!(check_experiment, m)?)?;
    m.add_function(wrap_pyfunction!(builtin_strategies, m)?)?;
    m.add_function(wrap_pyfunction!(env::env_sweep_points, m)?)?;
    m.add("VERSION", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

/// Loads an experiment for the environment (shared with [`env`]).
pub(crate) fn load_for_env(
    py: Python<'_>,
    path: &str,
    sets: &[String],
) -> PyResult<LoadedExperiment> {
    let exp = load(py, path, sets)?;
    if exp.session_sweep().is_none() {
        return Err(config_error(
            py,
            &XrConfigError::whole_file(Path::new(path), "not a session experiment: no [sessions]"),
        ));
    }
    Ok(exp)
}
