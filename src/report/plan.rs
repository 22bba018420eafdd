//! Outputs of `xrplace plan`: `plan.toml` (the chosen plan) and `candidates.csv` (every
//! plan simulated, in the order tried), both written atomically.

use super::atomic::write_with;
use super::figures::plan::{CandidateFigures, Failure, PlanFigures};
use super::figures::sessions::Estimate;
use super::figures::Figures;
use super::{figures, number};
use crate::config::plan::PlanSlo;
use crate::experiment::plan::{
    over_target, rejected_ratio, Evaluation, PlanOutcome, SloFigure, HOLDOUT,
};
use std::path::Path;

/// `candidates.csv`: one row per simulated plan with the plan and move it came from, its
/// number of runs, cost, SLO figures (mean and 95 % CI over runs), whether it meets the
/// SLO, and its node counts per candidate cluster.
pub fn candidates_csv(out: &PlanOutcome, names: &[String]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "candidate",
        "phase",
        "parent",
        "move",
        "runs",
        "strategy",
        "plan_usd_per_day",
        "meets_slo",
        "slo_violation_ratio",
        "slo_violation_ratio_ci95",
        "latency_p95_ms",
        "latency_p95_ms_ci95",
        "rejected_ratio",
        "rejected_ratio_ci95",
        "nodes_total",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(names.iter().map(|n| format!("nodes_{n}")));
    w.write_record(&header)?;
    for e in &out.tried {
        w.write_record(row(e))?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

fn row(e: &Evaluation) -> Vec<String> {
    let (v, v_ci) = e.stat(|s| s.slo_violation_ratio);
    let (p, p_ci) = e.quantile_stat(|s| s.latency_p95_ms);
    let (r, r_ci) = e.stat(rejected_ratio);
    let mut cells = vec![
        e.id.to_string(),
        e.phase.to_string(),
        e.parent.map_or(String::new(), |p| p.to_string()),
        e.step.clone(),
        e.runs.len().to_string(),
        e.strategy.clone(),
        number(e.cost_usd_per_day, 2),
        e.meets.to_string(),
        number(v, 6),
        number(v_ci, 6),
        number(p, 3),
        number(p_ci, 3),
        number(r, 6),
        number(r_ci, 6),
        e.nodes.iter().sum::<u32>().to_string(),
    ];
    cells.extend(e.nodes.iter().map(|n| n.to_string()));
    cells
}

/// The plan as TOML, with a header saying where it came from.
pub fn plan_toml(out: &PlanOutcome) -> Option<String> {
    let plan = out.plan.as_ref()?;
    let body = toml::to_string(plan).ok()?;
    Some(format!(
        "# Written by `xrplace plan` for experiment {:?}. Export it with\n# `xrplace export plan.toml --out DIR`.\n{body}",
        plan.experiment
    ))
}

/// What the plan figure shows: every candidate, and the SLO bound.
fn figure_data(out: &PlanOutcome) -> PlanFigures {
    let candidates = out
        .tried
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let (mean, ci95) = e.stat(|s| s.slo_violation_ratio);
            CandidateFigures {
                strategy: e.strategy.clone(),
                plan_usd_per_day: e.cost_usd_per_day,
                slo_violation_ratio: Estimate { mean, ci95 },
                fails_on: failures(e, &out.slo),
                chosen: out.best == Some(i),
            }
        })
        .collect();
    PlanFigures {
        candidates,
        max_violation_ratio: out.slo.max_violation_ratio,
        max_p95_latency_ms: out.slo.max_p95_latency_ms,
        max_rejected_ratio: out.slo.max_rejected_ratio,
    }
}

/// The bounds of `slo` that `e` misses, with the means the figure writes beside them.
fn failures(e: &Evaluation, slo: &PlanSlo) -> Vec<Failure> {
    over_target(e, slo)
        .into_iter()
        .map(|f| match f {
            SloFigure::Violation => Failure::Violation,
            SloFigure::P95Latency => {
                let (ms, ci95_ms) = e.quantile_stat(|s| s.latency_p95_ms);
                Failure::P95 { ms, ci95_ms }
            }
            SloFigure::Rejected => {
                let (ratio, ci95) = e.stat(rejected_ratio);
                Failure::Rejected { ratio, ci95 }
            }
        })
        .collect()
}

/// Writes `candidates.csv`, `plots/cost_vs_slo.{svg,png}`, the `extra` files (`meta.toml`, `timing.toml`) and, if a plan
/// met the SLO, `plan.toml` into `dir` (built in memory first; an old `plan.toml` is
/// removed when no plan met the SLO).
pub fn write_plan(
    dir: &Path,
    out: &PlanOutcome,
    names: &[String],
    extra: &[(&str, Vec<u8>)],
    plots: Figures,
) -> std::io::Result<()> {
    let table = candidates_csv(out, names).map_err(std::io::Error::other)?;
    let figs = plots
        .draw(|| figures::plan::figures(&figure_data(out)))
        .map_err(std::io::Error::other)?;
    let mut files: Vec<(&str, &[u8])> = vec![("candidates.csv", &table)];
    match plan_toml(out) {
        Some(text) => {
            files.push(("plan.toml", text.as_bytes()));
            write_with(dir, files, &figs, extra)
        }
        None => {
            write_with(dir, files, &figs, extra)?;
            match std::fs::remove_file(dir.join("plan.toml")) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            }
        }
    }
}

/// A short console summary of the search.
pub fn console_summary(out: &PlanOutcome) -> String {
    let naive = &out.tried[out.naive];
    let mut s = format!(
        "{} candidate plans simulated; naive plan ({}): {} USD/day, {}\n",
        out.tried.len(),
        naive.strategy,
        number(naive.cost_usd_per_day, 2),
        if naive.meets {
            "meets the SLO"
        } else {
            "misses the SLO"
        }
    );
    match out.best {
        Some(b) => {
            let e = &out.tried[b];
            let (v, _) = e.stat(|s| s.slo_violation_ratio);
            let (p, _) = e.stat(|s| s.latency_p95_ms);
            let (r, _) = e.stat(rejected_ratio);
            s += &format!(
                "best plan: candidate {} with {}: {} USD/day ({:.1} % of naive), {} nodes; SLO violation {}, p95 {} ms, rejected {}\n",
                e.id,
                e.strategy,
                number(e.cost_usd_per_day, 2),
                100.0 * e.cost_usd_per_day / naive.cost_usd_per_day,
                e.nodes.iter().sum::<u32>(),
                number(v, 4),
                number(p, 2),
                number(r, 4),
            );
        }
        None => s += "no candidate plan meets the SLO\n",
    }
    if let (Some(b), (bound, how)) = (out.best, out.lower_bound) {
        let cost = out.tried[b].cost_usd_per_day;
        let bound = bound.min(cost);
        s += &format!(
            "lower bound ({how}): {} USD/day; the plan is at most {} USD/day ({:.1} %) above the optimum\n",
            number(bound, 2),
            number(cost - bound, 2),
            100.0 * (cost - bound) / cost
        );
    }
    if let Some(h) = out.holdout {
        let e = &out.tried[h];
        s += &format!(
            "on fresh runs (hold-out): SLO violation {}, p95 {} ms, rejected {}: {}\n",
            number(e.stat(|s| s.slo_violation_ratio).0, 4),
            number(e.stat(|s| s.latency_p95_ms).0, 2),
            number(e.stat(rejected_ratio).0, 4),
            if e.meets {
                "meets the SLO"
            } else {
                "MISSES the SLO (no plan tried held it on fresh runs)"
            }
        );
    }
    if !out.fresh.is_empty() {
        let f = &out.fresh;
        s += &format!(
            "on {} further sets of fresh runs: met the SLO on {} (probability {}, 95 % CI {}-{})\n",
            f.sets,
            f.sets_meeting,
            number(f.meets_probability, 2),
            number(f.ci95_low, 2),
            number(f.ci95_high, 2)
        );
    }
    s += &strategy_lines(out);
    s
}

/// One line per strategy searched: its cheapest plan meeting the SLO, or that none of its
/// plans did, so a strategy the search dropped is said, not only visible in
/// `candidates.csv`.
fn strategy_lines(out: &PlanOutcome) -> String {
    let mut names: Vec<&str> = Vec::new();
    for e in &out.tried {
        if !names.contains(&e.strategy.as_str()) {
            names.push(&e.strategy);
        }
    }
    let mut s = String::new();
    for name in names {
        let searched: Vec<_> = out
            .tried
            .iter()
            .filter(|e| e.strategy == name && e.phase != HOLDOUT)
            .collect();
        let best = searched
            .iter()
            .filter(|e| e.meets)
            .map(|e| e.cost_usd_per_day)
            .fold(f64::INFINITY, f64::min);
        s += &if best.is_finite() {
            format!(
                "  {name}: cheapest plan meeting the SLO {} USD/day ({} plans)\n",
                number(best, 2),
                searched.len()
            )
        } else {
            match searched.len() {
                1 => format!("  {name}: its one plan missed the SLO; dropped (candidates.csv)\n"),
                n => format!(
                    "  {name}: none of its {n} plans met the SLO; dropped (candidates.csv)\n"
                ),
            }
        };
    }
    s
}
