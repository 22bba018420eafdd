//! `xrplace plan`: the cheapest cluster sizes and strategy that meet an experiment's SLO,
//! written as `plan.toml` and `candidates.csv`.

use super::{provenance, CommandError};
use crate::config::load_experiment_with;
use crate::experiment::budget::{self, Budget};
use crate::experiment::meta::{meta_toml, MetaContext};
use crate::experiment::plan::PlanSearch;
use crate::experiment::{RunOptions, RuntimeError};
use crate::report::{self, Figures};
use crate::strategy::Registry;
use std::path::PathBuf;
use std::time::Instant;

/// What `xrplace plan` was asked.
pub struct PlanRequest<'a> {
    /// The capacity experiment file (`[sessions]` and `[plan]`).
    pub experiment: PathBuf,
    /// `--set KEY=VALUE` overrides.
    pub sets: Vec<String>,
    /// Output folder (default: `output/<name>`).
    pub out: Option<PathBuf>,
    /// Seed, worker threads and progress bars (no shard, no series).
    pub options: RunOptions,
    /// Draw `plots/cost_vs_slo`, or write only the tables.
    pub figures: Figures,
    /// Limits on the whole work.
    pub limits: Budget,
    /// The strategies the plan may name.
    pub registry: &'a Registry,
    /// Write `meta.toml` and `timing.toml` with the plan.
    pub provenance: bool,
}

/// What a search found and where it wrote it, for the console.
#[derive(Debug, Clone)]
pub struct PlanReport {
    /// The console summary of the search.
    pub summary: String,
    /// The output folder.
    pub dir: PathBuf,
    /// Whether a candidate met the SLO (`plan.toml` holds it).
    pub found: bool,
}

impl PlanReport {
    /// A search that found no plan is a runtime failure (exit 1), reported after its
    /// summary: `candidates.csv` tells why.
    pub fn verdict(&self) -> Result<(), CommandError> {
        if self.found {
            return Ok(());
        }
        Err(RuntimeError::Unmet(format!(
            "no candidate plan meets the SLO of [plan.slo]; see {}",
            self.dir.join("candidates.csv").display()
        ))
        .into())
    }
}

/// Searches the plan of an experiment and writes its folder; the entry point of `xrplace
/// plan` and of the Python package's `plan`.
pub fn plan(req: PlanRequest) -> Result<PlanReport, CommandError> {
    let started = Instant::now();
    let opts = req.options;
    let exp = load_experiment_with(&req.experiment, &req.sets)?;
    let candidates = budget::plan_candidates(&exp);
    budget::check(
        &exp,
        &budget::estimate(&exp, candidates, opts.threads),
        &req.limits,
    )?;
    let search = PlanSearch::new(&exp, req.registry, opts.seed)?;
    let names = search.candidate_names();
    let meta = meta_toml(
        &exp,
        &MetaContext {
            command: "plan",
            seed: opts.seed.unwrap_or(exp.config.seed),
            shard: None,
            overrides: req.sets.clone(),
        },
    )?;
    let workers = crate::experiment::workers::start_workers(opts.threads)?;
    let outcome = workers.install(|| search.run(opts))?;
    let dir = req
        .out
        .unwrap_or_else(|| PathBuf::from("output").join(&exp.config.name));
    let files = provenance(req.provenance, &meta, started, opts.threads);
    report::plan::write_plan(&dir, &outcome, &names, &files, req.figures)
        .map_err(|e| CommandError::write(format!("to {}", dir.display()), e))?;
    Ok(PlanReport {
        summary: report::plan::console_summary(&outcome),
        dir,
        found: outcome.best.is_some(),
    })
}
