//! The interconnect comparison's outputs: `summary.csv` with one row per option (latency
//! overhead against one cluster per cross-cluster scenario, path load, agents, set-up,
//! what the option refuses and what the session workload got through it), and a console
//! table that reads like the study's comparison.

use super::csv_out::scenario_stats;
use crate::experiment::interconnects::{ComparisonResult, OptionResult};
use crate::experiment::ExperimentResult;
use crate::metrics::sessions::SessionSummary;

fn num(v: f64) -> String {
    super::number(v, 3)
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// Mean over runs of a streaming scenario's figure, ms (NaN without runs).
fn scenario_mean(r: &ExperimentResult, scenario: &str, figure: &str) -> f64 {
    scenario_stats(&r.rows_of(scenario))
        .iter()
        .find(|s| s.0 == figure)
        .map_or(f64::NAN, |s| s.1)
}

/// Mean over the option's session runs of `get`.
fn session_mean(o: &OptionResult, get: impl Fn(&SessionSummary) -> f64) -> f64 {
    let rows = &o.sessions.rows;
    if rows.is_empty() {
        return f64::NAN;
    }
    rows.iter().map(|r| get(&r.summary)).sum::<f64>() / rows.len() as f64
}

/// Share of arriving sessions that were admitted and stayed within the budget, by session
/// time: admitted / arrivals x (1 - SLO violation ratio).
fn served_within_budget(s: &SessionSummary) -> f64 {
    if s.arrivals == 0 {
        return 0.0;
    }
    s.admitted as f64 / s.arrivals as f64 * (1.0 - s.slo_violation_ratio)
}

/// The latency overhead of `scenario` against the baseline, (mean, p50, p99) in ms.
fn overheads(c: &ComparisonResult, r: &ExperimentResult, scenario: &str) -> [f64; 3] {
    let d = |q: &str| scenario_mean(r, scenario, q) - scenario_mean(r, &c.baseline, q);
    [
        d("latency_mean_ms"),
        d("latency_p50_ms"),
        d("latency_p99_ms"),
    ]
}

/// The header of `summary.csv`.
fn header(c: &ComparisonResult) -> Vec<String> {
    let mut h: Vec<String> = [
        "option",
        "kind",
        "variant",
        "data_path",
        "udp",
        "cross_cluster_scheduling",
        "overhead_bytes",
        "pod_mtu_bytes",
        "max_gbps_per_server",
    ]
    .map(String::from)
    .to_vec();
    for s in &c.cross {
        h.push(format!("{s}_frame_hops_ms"));
        h.push(format!("{s}_mean_overhead_ms"));
        h.push(format!("{s}_p50_overhead_ms"));
        h.push(format!("{s}_p99_overhead_ms"));
        h.push(format!("{s}_bottleneck_util"));
    }
    h.extend(
        [
            "overloaded",
            "gateway_cpu_cores",
            "agent_cpu_cores",
            "agent_memory_mib",
            "agent_cpu_cores_per_node",
            "agent_memory_mib_per_node",
            "setup_s",
            "first_byte_s",
            "failure_detection_s",
            "sessions_arrived",
            "sessions_admitted",
            "sessions_rejected",
            "udp_refused",
            "offloaded",
            "run_time_offloading",
            "slo_violation_ratio",
            "served_within_budget_share",
            "session_latency_p50_ms",
            "session_latency_p99_ms",
            "udp_refusal",
            "source",
        ]
        .map(String::from),
    );
    h
}

/// One option's row.
fn row(c: &ComparisonResult, o: &OptionResult) -> Vec<String> {
    let f = &o.facts;
    let mut r = vec![
        o.option.label(),
        f.kind.name().to_string(),
        f.variant.clone(),
        f.data_path.name().to_string(),
        if f.carries_udp() {
            "carried"
        } else {
            "refused"
        }
        .to_string(),
        yes_no(f.cross_cluster_scheduling()).to_string(),
        f.overhead_bytes.to_string(),
        f.pod_mtu_bytes.to_string(),
        num(f.max_gbps),
    ];
    for (i, s) in c.cross.iter().enumerate() {
        match (&o.streaming, o.loads.get(i)) {
            (Some(res), Some(load)) => {
                let [mean, p50, p99] = overheads(c, res, s);
                r.extend([
                    num(load.frame_hops_ms),
                    num(mean),
                    num(p50),
                    num(p99),
                    num(load.bottleneck_util),
                ]);
            }
            _ => r.extend(std::iter::repeat_n(String::new(), 5)),
        }
    }
    let worst = |get: fn(&crate::experiment::interconnects::PathLoad) -> f64| {
        o.loads.iter().map(get).fold(f64::NAN, f64::max)
    };
    let util = worst(|l| l.bottleneck_util);
    let offloaded = session_mean(o, |s| s.offloaded as f64);
    r.extend([
        yes_no(util >= 1.0).to_string(),
        num(worst(|l| l.gateway_cpu_cores)),
        num(o.agents.cpu_cores),
        num(o.agents.memory_mib),
        num(f.agent_cpu_cores_per_node),
        num(f.agent_memory_mib_per_node),
        num(f.setup_s),
        num(worst(|l| l.first_byte_s)),
        num(f.failure_detection_s),
        num(session_mean(o, |s| s.arrivals as f64)),
        num(session_mean(o, |s| s.admitted as f64)),
        num(session_mean(o, |s| s.rejected as f64)),
        num(session_mean(o, |s| s.udp_refused as f64)),
        num(offloaded),
        yes_no(offloaded > 0.0).to_string(),
        num(session_mean(o, |s| s.slo_violation_ratio)),
        num(session_mean(o, served_within_budget)),
        num(session_mean(o, |s| s.latency_p50_ms)),
        num(session_mean(o, |s| s.latency_p99_ms)),
        f.kind.udp_refusal().unwrap_or("").to_string(),
        f.source.to_string(),
    ]);
    r
}

/// The contents of `summary.csv`.
pub fn summary_csv(c: &ComparisonResult) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header(c))?;
    for o in &c.options {
        w.write_record(row(c, o))?;
    }
    w.flush()?;
    Ok(w.into_inner().unwrap_or_default())
}

/// A fixed-width table for the terminal: per option, the streaming overhead on the last
/// cross-cluster scenario, UDP, offloading and the session outcome.
pub fn console_table(c: &ComparisonResult) -> String {
    let width = c
        .options
        .iter()
        .map(|o| o.option.label().len())
        .max()
        .unwrap_or(6)
        .max(6);
    let far = c.cross.last().cloned().unwrap_or_default();
    let mut out = format!(
        "{:<width$} {:>4} {:>8} {:>10} {:>13} {:>12} {:>10} {:>10} {:>10}\n",
        "option",
        "path",
        "udp",
        "hops_ms",
        "mean_over_ms",
        "p99_over_ms",
        "offloaded",
        "slo_viol",
        "served"
    );
    for o in &c.options {
        let [mean, _, p99] = o
            .streaming
            .as_ref()
            .map_or([f64::NAN; 3], |r| overheads(c, r, &far));
        let hops = o.loads.last().map_or(f64::NAN, |l| l.frame_hops_ms);
        out.push_str(&format!(
            "{:<width$} {:>4} {:>8} {:>10.3} {:>13.3} {:>12.3} {:>10.1} {:>10.4} {:>10.4}\n",
            o.option.label(),
            o.facts.data_path.name(),
            if o.facts.carries_udp() {
                "carried"
            } else {
                "refused"
            },
            hops,
            mean,
            p99,
            session_mean(o, |s| s.offloaded as f64),
            session_mean(o, |s| s.slo_violation_ratio),
            session_mean(o, served_within_budget),
        ));
    }
    out
}

/// Writes `summary.csv` and the `extra` files (`meta.toml`, `timing.toml`) into `dir` as
/// one output.
pub fn write_results(
    dir: &std::path::Path,
    c: &ComparisonResult,
    extra: &[(&str, Vec<u8>)],
) -> std::io::Result<()> {
    let summary = summary_csv(c).map_err(std::io::Error::other)?;
    let files: Vec<(&str, &[u8])> = vec![("summary.csv", &summary)];
    super::atomic::write_with(dir, files, &[], extra)
}
