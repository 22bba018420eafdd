//! Report layer: CSV outputs written atomically and the console table.

pub mod atomic;
pub mod csv_out;
pub mod drift;
pub mod estate_csv;
pub mod figures;
pub mod interconnects;
pub mod monitoring;
pub mod openmetrics;
pub mod plan;
pub mod provisioning;
pub mod samples_file;
pub mod session_merge;
pub mod session_metrics;
pub mod sessions;
pub mod shard;
pub mod shard_tables;
pub mod study_figures;
pub mod table;

use crate::experiment::{ExperimentResult, ProvisioningResult, SessionResult};
pub use figures::Figures;
use std::path::Path;

/// A number for a CSV cell with fixed decimals (so equal results give equal bytes);
/// empty for NaN and infinities.
pub(crate) fn number(v: f64, decimals: usize) -> String {
    if v.is_finite() {
        format!("{v:.decimals$}")
    } else {
        String::new()
    }
}

/// Writes `runs.csv`, `summary.csv`, `timeseries.csv`, `trace.csv`, the figures (unless `plots` skips them) and the
/// `extra` files (`meta.toml`, `timing.toml`) into `dir` (created if needed). All contents
/// are built in memory first, so an error leaves earlier files untouched.
pub fn write_results(
    dir: &Path,
    result: &ExperimentResult,
    extra: &[(&str, Vec<u8>)],
    plots: Figures,
) -> std::io::Result<()> {
    let runs = csv_out::runs_csv(result).map_err(std::io::Error::other)?;
    let summary = csv_out::summary_csv(result).map_err(std::io::Error::other)?;
    let series = csv_out::timeseries_csv(result).map_err(std::io::Error::other)?;
    let trace = csv_out::trace_csv(result).map_err(std::io::Error::other)?;
    let quantiles =
        study_figures::streaming_quantiles_csv(result).map_err(std::io::Error::other)?;
    let figs = plots
        .draw(|| study_figures::streaming(result))
        .map_err(std::io::Error::other)?;
    let files: Vec<(&str, &[u8])> = vec![
        ("runs.csv", &runs),
        ("summary.csv", &summary),
        ("timeseries.csv", &series),
        ("trace.csv", &trace),
        ("latency_quantiles.csv", &quantiles),
    ];
    atomic::write_with(dir, files, &figs, extra)
}

/// Writes a provisioning experiment's `runs.csv`, `summary.csv`, `trace.csv`, the figures
/// (unless `plots` skips them) and the `extra` files into `dir` as one output, after building all of them in memory.
pub fn write_provisioning_results(
    dir: &Path,
    result: &ProvisioningResult,
    extra: &[(&str, Vec<u8>)],
    plots: Figures,
) -> std::io::Result<()> {
    let runs = provisioning::runs_csv(result).map_err(std::io::Error::other)?;
    let summary = provisioning::summary_csv(result).map_err(std::io::Error::other)?;
    let trace = provisioning::trace_csv(result).map_err(std::io::Error::other)?;
    let figs = plots
        .draw(|| study_figures::provisioning(result))
        .map_err(std::io::Error::other)?;
    let files: Vec<(&str, &[u8])> = vec![
        ("runs.csv", &runs),
        ("summary.csv", &summary),
        ("trace.csv", &trace),
    ];
    atomic::write_with(dir, files, &figs, extra)
}

/// Writes a session experiment's tables and figures (unless `plots` skips them) into `dir` as one
/// output, with the `extra` files and the `streamed` ones (its monitoring samples).
pub fn write_session_results(
    dir: &Path,
    result: &SessionResult,
    extra: &[(&str, Vec<u8>)],
    streamed: &[atomic::Streamed],
    plots: Figures,
) -> std::io::Result<()> {
    sessions::write_results(dir, result, extra, streamed, plots)
}

/// A fixed-width table of the main figures per scenario, for the terminal.
pub fn console_table(result: &ExperimentResult) -> String {
    let mut t = table::plain(
        &[
            "scenario",
            "runs",
            "latency_p50_ms",
            "p90_ms",
            "std_ms",
            "cpu_p50_pct",
            "mem_p50_pct",
        ],
        1,
    );
    for scenario in &result.scenarios {
        let rows = result.rows_of(scenario);
        let stats = csv_out::scenario_stats(&rows);
        let get = |name: &str| {
            stats
                .iter()
                .find(|s| s.0 == name)
                .map_or((f64::NAN, f64::NAN), |s| (s.1, s.2))
        };
        let (p50, p50_ci) = get("latency_p50_ms");
        t.add_row(vec![
            scenario.clone(),
            rows.len().to_string(),
            format!("{p50:.1} ± {p50_ci:.1}"),
            format!("{:.1}", get("latency_p90_ms").0),
            format!("{:.1}", get("latency_std_ms").0),
            format!("{:.1}", get("cpu_p50_pct").0),
            format!("{:.1}", get("mem_p50_pct").0),
        ]);
    }
    let mut out = table::render(&t);
    for (scenario, neck) in result.scenarios.iter().zip(&result.bottlenecks) {
        if neck.overloaded() {
            out.push_str(&format!(
                "{scenario}: overloaded at {} (utilisation {:.2}): its queue grows for as long \
                 as the run lasts\n",
                neck.at, neck.util
            ));
        }
    }
    out
}
