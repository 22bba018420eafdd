//! Session experiments at flow fidelity: the strategy comparison, invariants over random
//! platforms and loads, determinism, and strategies registered from outside the crate.

use crate::common;

use common::{column, fresh_dir, xrplace, xrplace_ok};
use proptest::prelude::*;
use std::path::Path;
use xrplace::config::load_experiment;
use xrplace::config::sessions::{
    ClusterFaultConfig, ComponentConfig, ComponentPlacement, FaultRateConfig, LoadKind,
    SessionFaultKind,
};
use xrplace::config::LoadedExperiment;
use xrplace::experiment::{
    generate_topology, run_sessions, run_sessions_with, RunOptions, SessionResult,
};
use xrplace::model::ClusterId;
use xrplace::strategy::{ObservedView, PlacementRequest, Registry, Strategy};

fn shipped(rel: &str) -> LoadedExperiment {
    load_experiment(&Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

#[test]
fn strategies_eu_ranks_latency_aware_strategies_above_cloud_only() {
    let dir = fresh_dir("strat");
    xrplace_ok(&[
        "run",
        "experiments/strategies-eu.toml",
        "--quiet",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let summary = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let slo = column(&summary, "slo_violation_ratio");
    let names: Vec<&str> = slo.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "cloud-only",
            "random",
            "round-robin",
            "first-fit",
            "best-fit",
            "latency-greedy",
            "network-aware",
            "local-search"
        ]
    );
    for col in [
        "admitted",
        "rejected",
        "dropped",
        "latency_p50_ms",
        "latency_p95_ms",
        "latency_p99_ms",
        "latency_mean_ms",
        "usage_cost_usd",
        "vcpu_hours",
        "gib_hours",
        "egress_gb",
        "util_mean_edge",
        "util_peak_cloud",
        "migrations",
        "udp_refused",
    ] {
        assert_eq!(column(&summary, col).len(), 8, "{col}");
    }
    let get = |n: &str| slo.iter().find(|s| s.0 == n).unwrap().1;
    assert!(get("latency-greedy") < get("cloud-only"), "{slo:?}");
    assert!(get("network-aware") < get("cloud-only"), "{slo:?}");
    // Counts are whole numbers in runs.csv (pandas reads them as integers).
    let runs = std::fs::read_to_string(dir.join("runs.csv")).unwrap();
    for col in [
        "arrivals",
        "admitted",
        "rejected",
        "completed",
        "migrations",
    ] {
        let mut r = csv::Reader::from_reader(runs.as_bytes());
        let i = r.headers().unwrap().iter().position(|h| h == col).unwrap();
        for rec in r.records() {
            let v = rec.unwrap()[i].to_string();
            assert!(v.parse::<u64>().is_ok(), "{col}: {v:?}");
        }
    }
    // Per application: one row per run and application, whose session-time-weighted mean
    // is the run's mean latency.
    let apps = std::fs::read_to_string(dir.join("app_latency.csv")).unwrap();
    let mut app_rows = csv::Reader::from_reader(apps.as_bytes());
    let h = app_rows.headers().unwrap().clone();
    let at = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (job, hours, mean_ms) = (at("job"), at("session_hours"), at("latency_mean_ms"));
    let mut per_job: std::collections::BTreeMap<u64, (f64, f64, usize)> = Default::default();
    for rec in app_rows.records() {
        let rec = rec.unwrap();
        let e = per_job.entry(rec[job].parse().unwrap()).or_default();
        let w: f64 = rec[hours].parse().unwrap();
        e.0 += w;
        e.1 += w * rec[mean_ms].parse::<f64>().unwrap_or(0.0);
        e.2 += 1;
    }
    let mut r = csv::Reader::from_reader(runs.as_bytes());
    let rh = r.headers().unwrap().clone();
    let (rj, rm) = (
        rh.iter().position(|x| x == "job").unwrap(),
        rh.iter().position(|x| x == "latency_mean_ms").unwrap(),
    );
    let mut n_runs = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        let (w, sum, n) = per_job[&rec[rj].parse::<u64>().unwrap()];
        let run_mean: f64 = rec[rm].parse().unwrap();
        assert_eq!(n, 3, "one row per application");
        assert!(
            (sum / w - run_mean).abs() < 1e-5 * run_mean,
            "{} vs {run_mean}",
            sum / w
        );
        n_runs += 1;
    }
    assert_eq!(per_job.len(), n_runs);
    // Placing at the edge lowers the mean latency too, not only the tail over budget.
    let mean = column(&summary, "latency_mean_ms");
    let mean_of = |n: &str| mean.iter().find(|s| s.0 == n).unwrap().1;
    assert!(
        mean_of("latency-greedy") < mean_of("cloud-only"),
        "{mean:?}"
    );
    // The optimiser matches the best heuristic that admits every session (latency-greedy)
    // on time over budget, within 1 % (its migrations' downtime counts as over budget),
    // at no higher cost. (network-aware is lower still only because it rejects sessions it
    // cannot serve within budget.)
    let cost = column(&summary, "usage_cost_usd");
    let cost_of = |n: &str| cost.iter().find(|s| s.0 == n).unwrap().1;
    assert!(
        get("local-search") <= 1.01 * get("latency-greedy"),
        "{slo:?}"
    );
    assert!(
        cost_of("local-search") <= cost_of("latency-greedy"),
        "{cost:?}"
    );
    // The Frankfurt failure moves sessions elsewhere.
    assert!(column(&summary, "migrations").iter().any(|m| m.1 > 0.0));
}

fn fault_rate(kind: SessionFaultKind, mtbf_h: f64, mttr_h: f64) -> FaultRateConfig {
    FaultRateConfig {
        kind,
        mtbf_h,
        mttr_h,
        extra_rtt_ms: 20.0,
        bandwidth_factor: 0.5,
    }
}

fn small(sites: usize, seed: u64, rate: f64, strategies: &[&str]) -> LoadedExperiment {
    let mut e = shipped("experiments/strategies-eu.toml");
    e.topologies[0] = generate_topology(sites, seed);
    e.config.duration_s = 4.0 * 3600.0;
    e.config.runs = 2;
    let s = e.config.sessions.as_mut().unwrap();
    s.strategies = strategies.iter().map(|x| x.to_string()).collect();
    s.load.kind = LoadKind::Poisson;
    s.load.rate_per_s = rate;
    s.scrape_interval_s = 5.0;
    s.faults.clear();
    e
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Every session ends exactly once and reservations never pass a cluster's capacity
    /// (peak utilisation per tier, checked at every scrape, stays at or below 1).
    #[test]
    fn sessions_are_accounted_and_capacity_is_never_exceeded(
        sites in 3usize..25, seed in 0u64..500, rate in 0.01f64..0.5, strategy in 0usize..8,
        mtbf_h in 0.5f64..12.0, node_mtbf_h in 0.5f64..12.0, autoscale in any::<bool>(), on_demand in any::<bool>(),
        central in any::<bool>(), standby in any::<bool>(),
    ) {
        let names = [
            "cloud-only", "random", "round-robin", "first-fit", "best-fit", "latency-greedy", "network-aware", "local-search",
        ];
        let mut e = small(sites, seed, rate, &[names[strategy]]);
        // Random cluster failures and node losses stress eviction and re-placement.
        e.config.sessions.as_mut().unwrap().fault_rates = vec![
            fault_rate(SessionFaultKind::ClusterFailure, mtbf_h, 0.5),
            fault_rate(SessionFaultKind::NodeLoss, node_mtbf_h, 1.0),
            fault_rate(SessionFaultKind::Partition, 4.0 * mtbf_h, 0.25),
            fault_rate(SessionFaultKind::LinkDegradation, node_mtbf_h, 0.5),
        ];
        if central {
            // The collaborative sessions' sync service runs on the first cluster, which the
            // random failures hit too.
            let first = e.topologies[0].clusters[0].name.clone();
            e = with_central_sync(e, true);
            e.config.sessions.as_mut().unwrap().central_cluster = first;
        }
        let clusters: Vec<String> = e.topologies[0].clusters.iter().map(|k| k.name.clone()).collect();
        let control = &mut e.config.sessions.as_mut().unwrap().control;
        control.autoscale = autoscale;
        control.cooldown_s = 60.0;
        if standby {
            // Every other cluster (never the first, which may run central components) is
            // created on demand and deleted after 10 idle minutes.
            control.standby_clusters = clusters.into_iter().skip(1).step_by(2).collect();
            control.provision_after_sessions = 1;
            control.deprovision_idle_s = 600.0;
        }
        if on_demand {
            control.peering = xrplace::config::experiment::PeeringMode::OnDemand;
        }
        assert_invariants(&e)?;
    }

    /// The same invariants at frame fidelity (frames in flight when sessions are evicted,
    /// migrate or end), on smaller loads: every frame is an event.
    #[test]
    fn frame_fidelity_keeps_the_invariants(
        sites in 3usize..15, seed in 0u64..500, rate in 0.005f64..0.04, strategy in 0usize..8,
        mtbf_h in 0.2f64..2.0, central in any::<bool>(),
    ) {
        let names = [
            "cloud-only", "random", "round-robin", "first-fit", "best-fit", "latency-greedy", "network-aware", "local-search",
        ];
        let mut e = small(sites, seed, rate, &[names[strategy]]);
        e.config.fidelity = Some(xrplace::config::experiment::Fidelity::Frame);
        e.config.duration_s = 1800.0;
        e.config.runs = 1;
        e.config.sessions.as_mut().unwrap().fault_rates = vec![
            fault_rate(SessionFaultKind::ClusterFailure, mtbf_h, 0.1),
            fault_rate(SessionFaultKind::NodeLoss, mtbf_h, 0.1),
            fault_rate(SessionFaultKind::Partition, mtbf_h, 0.1),
        ];
        if central {
            let first = e.topologies[0].clusters[0].name.clone();
            e = with_central_sync(e, true);
            e.config.sessions.as_mut().unwrap().central_cluster = first;
        }
        assert_invariants(&e)?;
    }
}

/// Every session ends exactly once, reservations stay within capacity, and latency is
/// measured whenever sessions ran.
fn assert_invariants(e: &LoadedExperiment) -> Result<(), TestCaseError> {
    let r = run_sessions(e, RunOptions::default()).unwrap();
    for row in &r.rows {
        let s = &row.summary;
        prop_assert_eq!(s.arrivals, s.admitted + s.rejected);
        prop_assert_eq!(s.admitted, s.completed + s.dropped);
        for peak in s.util_peak {
            prop_assert!(peak.is_nan() || peak <= 1.0 + 1e-9, "peak {}", peak);
        }
        if s.admitted > 0 {
            prop_assert!(s.latency_p50_ms > 0.0, "p50 {}", s.latency_p50_ms);
        }
    }
    Ok(())
}

fn csv_bytes(r: &SessionResult) -> Vec<u8> {
    xrplace::report::sessions::runs_csv(r).unwrap()
}

#[test]
fn results_do_not_depend_on_threads() {
    let e = small(40, 3, 0.3, &["random", "latency-greedy", "best-fit"]);
    let one = run_sessions(
        &e,
        RunOptions {
            threads: 1,
            ..RunOptions::default()
        },
    )
    .unwrap();
    let two = run_sessions(
        &e,
        RunOptions {
            threads: 2,
            ..RunOptions::default()
        },
    )
    .unwrap();
    assert_eq!(csv_bytes(&one), csv_bytes(&two));
}

/// A strategy written outside the crate: always the farthest candidate.
struct Farthest;

impl Strategy for Farthest {
    fn place(&mut self, req: &PlacementRequest, _view: &ObservedView, ranked: &mut Vec<ClusterId>) {
        ranked.extend(req.candidates.iter().rev().map(|c| c.cluster));
    }
}

#[test]
fn a_strategy_defined_outside_the_crate_can_be_registered() {
    let mut registry = Registry::builtin();
    registry.register("farthest", |_| Box::new(Farthest));
    assert!(registry.names().contains(&"farthest"));
    let e = small(30, 5, 0.2, &["farthest", "latency-greedy"]);
    let r = run_sessions_with(&e, RunOptions::default(), &registry).unwrap();
    let p50 = |n: &str| {
        r.rows
            .iter()
            .find(|x| x.strategy == n)
            .unwrap()
            .summary
            .latency_p50_ms
    };
    assert!(
        p50("farthest") > p50("latency-greedy"),
        "{} vs {}",
        p50("farthest"),
        p50("latency-greedy")
    );
    // Without registering it, the name is refused with its location.
    let err = run_sessions(&e, RunOptions::default()).unwrap_err();
    assert!(
        err.field.starts_with("sessions.strategies[0]") && err.message.contains("farthest"),
        "{err}"
    );
}

#[test]
fn a_bad_trace_row_is_refused_with_its_file_line_and_column_name() {
    let out = xrplace(&["check", "tests/data/bad-trace-experiment.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("bad-trace.csv:3:")
            && err.contains("field `application`")
            && err.contains("teleport"),
        "{err}"
    );
}

/// The sweep expands to every (rate, fault model, strategy) point x 3 seeds, and running
/// it in three shards (two threads) and merging them gives the single-run bytes.
#[test]
fn sharded_sweep_merges_to_the_single_run_bytes() {
    let dir = fresh_dir("sweep");
    let d = |s: &str| dir.join(s).to_str().unwrap().to_string();
    xrplace_ok(&[
        "run",
        "experiments/sweep-eu.toml",
        "-q",
        "--threads",
        "1",
        "--out",
        &d("all"),
    ]);
    for k in ["1/3", "2/3", "3/3"] {
        let name = format!("shard{}", &k[..1]);
        xrplace_ok(&[
            "run",
            "experiments/sweep-eu.toml",
            "-q",
            "--threads",
            "2",
            "--shard",
            k,
            "--out",
            &d(&name),
        ]);
    }
    xrplace_ok(&[
        "merge",
        &d("shard3"),
        &d("shard1"),
        &d("shard2"),
        "--out",
        &d("merged"),
    ]);
    for f in [
        "runs.csv",
        "summary.csv",
        "latency_quantiles.csv",
        "app_latency.csv",
        "plots/latency_cdf.svg",
        "plots/slo_vs_cost.svg",
        "plots/latency_cdf.png",
        "plots/slo_vs_cost.png",
        "meta.toml",
    ] {
        let a = std::fs::read(dir.join("all").join(f)).unwrap();
        let b = std::fs::read(dir.join("merged").join(f)).unwrap();
        assert!(a == b, "{f} differs after shard + merge");
    }
    let shard_meta = std::fs::read_to_string(dir.join("shard2/meta.toml")).unwrap();
    assert!(
        shard_meta.contains("shard = \"2/3\""),
        "a shard says which it is"
    );
    let runs = std::fs::read_to_string(dir.join("all/runs.csv")).unwrap();
    // 3 rates x 4 fault models x 3 strategies x 3 runs.
    assert_eq!(runs.lines().count(), 1 + 108);
    let summary = std::fs::read_to_string(dir.join("all/summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 1 + 36);
    let rates: Vec<f64> = column(&summary, "rate_per_s").iter().map(|r| r.1).collect();
    assert_eq!(&rates[11..14], &[0.1, 0.2, 0.2]);

    let missing = xrplace(&["merge", &d("shard1"), &d("shard2"), "--out", &d("bad")]);
    assert_eq!(missing.status.code(), Some(2));
    let err = String::from_utf8_lossy(&missing.stderr).to_string();
    assert!(
        err.contains("shard 3 of 3 is missing") && err.contains("--shard 3/3"),
        "{err}"
    );
    assert!(!dir.join("bad").exists());
    shards_that_do_not_belong_together_are_refused(&dir);
}

/// `merge` trusts no shard: another seed, an edited sweep, a repeated shard, a tampered or
/// truncated table are refused with exit code 2 and no output; a shard run without `--out`
/// gets its own folder instead of replacing the full results.
fn shards_that_do_not_belong_together_are_refused(dir: &std::path::Path) {
    let d = |s: &str| dir.join(s).to_str().unwrap().to_string();
    let refused = |shards: &[&str], what: &str| {
        let mut args = vec!["merge".to_string()];
        args.extend(shards.iter().map(|s| d(s)));
        args.extend(["--out".to_string(), d("refused")]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = xrplace(&args);
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert_eq!(o.status.code(), Some(2), "{what}: {err}");
        assert!(err.contains(what), "expected {what:?} in {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!dir.join("refused").exists(), "{what}: wrote output");
    };
    let shard = |k: &str, out: &str, extra: &[&str]| {
        let mut args = vec![
            "run",
            "experiments/sweep-eu.toml",
            "-q",
            "--shard",
            k,
            "--out",
        ];
        let out = d(out);
        args.push(&out);
        args.extend_from_slice(extra);
        xrplace_ok(&args);
    };
    shard("2/3", "seed7", &["--seed", "8"]);
    refused(&["shard1", "seed7", "shard3"], "seed");
    refused(&["shard1", "shard2", "shard2", "shard3"], "given twice");
    // The same sweep with one setting edited, beside a copy of its topology.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(dir.join("edited/experiments")).unwrap();
    std::fs::create_dir_all(dir.join("edited/topologies")).unwrap();
    std::fs::copy(
        root.join("topologies/eu-continuum.toml"),
        dir.join("edited/topologies/eu-continuum.toml"),
    )
    .unwrap();
    let sweep = std::fs::read_to_string(root.join("experiments/sweep-eu.toml")).unwrap();
    assert!(sweep.contains("slo_latency_ms = 15"));
    let edited = dir.join("edited/experiments/sweep-eu.toml");
    std::fs::write(
        &edited,
        sweep.replace("slo_latency_ms = 15", "slo_latency_ms = 16"),
    )
    .unwrap();
    xrplace_ok(&[
        "run",
        edited.to_str().unwrap(),
        "-q",
        "--shard",
        "2/3",
        "--out",
        &d("edited2"),
    ]);
    refused(&["shard1", "edited2", "shard3"], "sweep_hash");
    // Tampered tables: a value that is no number, a quantile table cut short.
    let copy = |from: &str, to: &str| {
        std::fs::create_dir_all(dir.join(to)).unwrap();
        for e in std::fs::read_dir(dir.join(from)).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                std::fs::copy(&p, dir.join(to).join(p.file_name().unwrap())).unwrap();
            }
        }
    };
    copy("shard1", "nan1");
    let runs = std::fs::read_to_string(dir.join("nan1/runs.csv")).unwrap();
    let mut lines: Vec<String> = runs.lines().map(String::from).collect();
    let mut cells: Vec<String> = lines[2].split(',').map(String::from).collect();
    let last = cells.len() - 1;
    cells[last] = "abc".into();
    lines[2] = cells.join(",");
    std::fs::write(dir.join("nan1/runs.csv"), lines.join("\n") + "\n").unwrap();
    refused(&["nan1", "shard2", "shard3"], "runs.csv:3:");
    copy("shard1", "cut1");
    std::fs::write(dir.join("cut1/latency_quantiles.csv"), "job,q\n0,0.5\n").unwrap();
    refused(
        &["cut1", "shard2", "shard3"],
        "header strategy,topology,rate_per_s,fault_model,run,job,q,latency_ms",
    );
    copy("shard1", "apps1");
    let apps = std::fs::read_to_string(dir.join("apps1/app_latency.csv")).unwrap();
    let mut lines: Vec<String> = apps.lines().map(String::from).collect();
    let mut cells: Vec<String> = lines[1].split(',').map(String::from).collect();
    cells[7] = "abc".into();
    lines[1] = cells.join(",");
    std::fs::write(dir.join("apps1/app_latency.csv"), lines.join("\n") + "\n").unwrap();
    refused(&["apps1", "shard2", "shard3"], "app_latency.csv:2:");
    refused(
        &["shard1", "shard2", "shard3", "all"],
        "not the output of a shard",
    );
    // Without --out a shard writes to its own folder.
    let cwd = dir.join("edited");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_xrplace"))
        .args(["run", "experiments/sweep-eu.toml", "-q", "--shard", "1/3"])
        .current_dir(&cwd)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(cwd.join("output/sweep-eu/shard-1-of-3/runs.csv").is_file());
    assert!(cwd
        .join("output/sweep-eu/shard-1-of-3/shard.toml")
        .is_file());
    assert!(!cwd.join("output/sweep-eu/runs.csv").exists());
}

fn fault(kind: SessionFaultKind, site: &str, at_s: f64, duration_s: f64) -> ClusterFaultConfig {
    ClusterFaultConfig {
        kind,
        cluster: String::new(),
        site: site.into(),
        nodes: 1,
        extra_rtt_ms: 20.0,
        bandwidth_factor: 0.5,
        at_s,
        duration_s,
    }
}

fn eu(strategies: &[&str], faults: Vec<ClusterFaultConfig>) -> LoadedExperiment {
    let mut e = shipped("experiments/strategies-eu.toml");
    e.config.duration_s = 6.0 * 3600.0;
    e.config.runs = 2;
    let s = e.config.sessions.as_mut().unwrap();
    s.strategies = strategies.iter().map(|x| x.to_string()).collect();
    s.load.kind = LoadKind::Poisson;
    s.load.rate_per_s = 0.3;
    s.faults = faults;
    e
}

#[test]
fn a_partition_cuts_users_off_from_remote_clusters() {
    // Lisbon is cut off for 5 of 6 hours: its users can use only Lisbon's own cluster, which
    // cloud-only never ranks, so their cloud sessions are dropped as partitioned.
    let sites = ["lisbon", "porto", "madrid", "barcelona"];
    let faults = sites
        .iter()
        .map(|s| fault(SessionFaultKind::Partition, s, 3600.0, 18000.0))
        .collect();
    let r = run_sessions(
        &eu(&["cloud-only", "latency-greedy"], faults),
        RunOptions::default(),
    )
    .unwrap();
    let cloud = &r
        .rows
        .iter()
        .find(|x| x.strategy == "cloud-only")
        .unwrap()
        .summary;
    assert!(cloud.dropped_by[2] > 0, "{cloud:?}");
    assert!(
        cloud.rejected > 0,
        "new sessions at cut-off sites find no cloud"
    );
    assert_eq!(cloud.dropped_by[0] + cloud.dropped_by[1], 0);
}

#[test]
fn degraded_links_raise_latency_by_the_added_rtt() {
    let base = run_sessions(&eu(&["latency-greedy"], vec![]), RunOptions::default()).unwrap();
    let topo = shipped("experiments/strategies-eu.toml").topologies[0].clone();
    let faults = topo
        .sites
        .iter()
        .map(|s| fault(SessionFaultKind::LinkDegradation, &s.name, 0.0, 1e7))
        .collect();
    let slow = run_sessions(&eu(&["latency-greedy"], faults), RunOptions::default()).unwrap();
    let p50 = |r: &SessionResult| {
        r.rows.iter().map(|x| x.summary.latency_p50_ms).sum::<f64>() / r.rows.len() as f64
    };
    // Every site's links add 20 ms of RTT: a local session crosses one site, a remote one two.
    let added = p50(&slow) - p50(&base);
    assert!((20.0..=41.0).contains(&added), "p50 rose by {added} ms");
}

fn control(on: bool, scale_out_util: f64) -> SessionResult {
    let mut e = shipped("experiments/control-eu.toml");
    e.config.runs = 1;
    let c = &mut e.config.sessions.as_mut().unwrap().control;
    c.autoscale = on;
    c.scale_out_util = scale_out_util;
    c.standby_clusters.clear();
    if !on {
        c.peering = xrplace::config::experiment::PeeringMode::Established;
    }
    run_sessions(&e, RunOptions::default()).unwrap()
}

#[test]
fn the_control_loop_scales_out_through_cluster_api_and_peers_on_demand() {
    let (on, off) = (control(true, 0.8), control(false, 0.8));
    let get = |r: &SessionResult, n: &str| {
        r.rows
            .iter()
            .find(|x| x.strategy == n)
            .unwrap()
            .summary
            .clone()
    };
    for n in ["latency-greedy", "network-aware", "local-search"] {
        let s = get(&on, n);
        assert!(
            s.nodes_added > 0 && s.nodes_removed <= s.nodes_added,
            "{n}: {s:?}"
        );
        assert!(s.added_vcpu_hours > 0.0 && s.peerings > 0, "{n}: {s:?}");
        assert_eq!(get(&off, n).nodes_added + get(&off, n).peerings, 0);
    }
    // More edge capacity: network-aware turns fewer sessions away.
    assert!(get(&on, "network-aware").rejected < get(&off, "network-aware").rejected);
    // A threshold that is never passed never scales.
    let never = control(true, 1.0);
    assert!(never.rows.iter().all(|r| r.summary.nodes_added == 0));
}

/// The collaborative application with its synchronisation service on `k8s-frankfurt`
/// (`in_frame_path`: frames wait for it), everything else as in [`eu`].
fn with_central_sync(mut e: LoadedExperiment, in_frame_path: bool) -> LoadedExperiment {
    let s = e.config.sessions.as_mut().unwrap();
    s.central_cluster = "k8s-frankfurt".into();
    let collab = s
        .applications
        .iter_mut()
        .find(|a| a.name == "collaborative")
        .unwrap();
    let component = |name: &str, share: f64, placement| ComponentConfig {
        name: name.into(),
        image: format!("registry.example.org/{name}:1"),
        share,
        port: 5004,
        placement,
        in_frame_path,
        protocol: None,
    };
    collab.components = vec![
        component("renderer", 0.6, ComponentPlacement::WithSession),
        component("sync", 0.4, ComponentPlacement::Central),
    ];
    e
}

/// Only collaborative sessions, about 90 at once (no cluster runs full).
fn only_collaborative(mut e: LoadedExperiment) -> LoadedExperiment {
    let s = e.config.sessions.as_mut().unwrap();
    s.load.rate_per_s = 0.05;
    for a in &mut s.applications {
        a.share = if a.name == "collaborative" { 1.0 } else { 0.0 };
    }
    e
}

#[test]
fn a_central_component_in_the_frame_path_adds_its_round_trip() {
    let p50 = |e: LoadedExperiment| {
        let r = run_sessions(&only_collaborative(e), RunOptions::default()).unwrap();
        r.rows.iter().map(|x| x.summary.latency_p50_ms).sum::<f64>() / r.rows.len() as f64
    };
    let plain = p50(eu(&["latency-greedy"], vec![]));
    let off_path = p50(with_central_sync(eu(&["latency-greedy"], vec![]), false));
    let on_path = p50(with_central_sync(eu(&["latency-greedy"], vec![]), true));
    // Off the frame path the split changes only where CPU is held (less contention on the
    // edge); on it, frames wait for the round trip from the edge to Frankfurt (several ms).
    assert!((off_path - plain).abs() < 1.0, "{plain} vs {off_path}");
    assert!(on_path > off_path + 2.0, "{off_path} vs {on_path}");
}

#[test]
fn central_cluster_failure_drops_the_sessions_that_need_it() {
    let failure = |cluster: &str| ClusterFaultConfig {
        kind: SessionFaultKind::ClusterFailure,
        cluster: cluster.into(),
        site: String::new(),
        nodes: 0,
        extra_rtt_ms: 0.0,
        bandwidth_factor: 1.0,
        at_s: 7200.0,
        duration_s: 3600.0,
    };
    let dropped = |e: LoadedExperiment| {
        let r = run_sessions(&only_collaborative(e), RunOptions::default()).unwrap();
        r.rows.iter().map(|x| x.summary.dropped_by[0]).sum::<u64>()
    };
    let frankfurt = vec![failure("k8s-frankfurt")];
    // Without a central component latency-greedy keeps collaborative sessions on the edge:
    // Frankfurt failing touches none of them. With one there, every running session
    // loses its synchronisation service and nothing can replace it.
    assert_eq!(dropped(eu(&["latency-greedy"], frankfurt.clone())), 0);
    let hit = dropped(with_central_sync(eu(&["latency-greedy"], frankfurt), false));
    assert!(hit > 10, "{hit} sessions dropped");
}

#[test]
fn migrating_session_state_lengthens_the_interruption() {
    let run = |state_mib: f64| {
        let mut e = eu(&["local-search"], vec![]);
        for a in &mut e.config.sessions.as_mut().unwrap().applications {
            a.state_mib = state_mib;
        }
        run_sessions(&e, RunOptions::default()).unwrap()
    };
    let (light, heavy) = (run(0.0), run(4096.0));
    for (a, b) in light.rows.iter().zip(&heavy.rows) {
        // The same moves happen; each now also copies 4 GiB (over 3 s at 10 Gbit/s).
        assert_eq!(a.summary.migrated, b.summary.migrated);
        assert!(a.summary.migrated > 0);
        assert!(
            b.summary.slo_violation_ratio > a.summary.slo_violation_ratio,
            "{} vs {}",
            a.summary.slo_violation_ratio,
            b.summary.slo_violation_ratio
        );
    }
}

#[test]
fn link_faults_can_be_drawn_from_rates() {
    let run = |rates: Vec<FaultRateConfig>| {
        let mut e = eu(&["latency-greedy"], vec![]);
        e.config.sessions.as_mut().unwrap().fault_rates = rates;
        run_sessions(&e, RunOptions::default()).unwrap()
    };
    let p50 = |r: &SessionResult| {
        r.rows.iter().map(|x| x.summary.latency_p50_ms).sum::<f64>() / r.rows.len() as f64
    };
    let calm = run(vec![]);
    // Every site's links degrade about half the time (MTBF = MTTR = 1 h): +20 ms RTT.
    let degraded = run(vec![fault_rate(
        SessionFaultKind::LinkDegradation,
        1.0,
        1.0,
    )]);
    assert!(
        p50(&degraded) > p50(&calm) + 5.0,
        "{} vs {}",
        p50(&calm),
        p50(&degraded)
    );
    // Sites cut off now and then: sessions on remote clusters are evicted as partitioned.
    let cut = run(vec![fault_rate(SessionFaultKind::Partition, 2.0, 0.5)]);
    assert!(cut
        .rows
        .iter()
        .all(|x| x.summary.dropped_by[2] + x.summary.migrated > 0));
    assert!(calm.rows.iter().all(|x| x.summary.dropped_by[2] == 0));
}

/// Records, per scrape, whether any of `watch` hosted a session (scrapes are 15 s apart).
#[derive(Default)]
struct FirstHosted {
    inner: xrplace::metrics::sessions::SessionRecorder,
    watch: Vec<ClusterId>,
    scrapes: u32,
    first: Option<u32>,
}

impl xrplace::world::sessions::SessionObserver for FirstHosted {
    fn admitted(&mut self, t: xrplace::config::topology::Tier) {
        self.inner.admitted(t)
    }
    fn rejected(&mut self, r: &'static str) {
        self.inner.rejected(r)
    }
    fn dropped(&mut self, r: &'static str) {
        self.inner.dropped(r)
    }
    fn completed(&mut self) {
        self.inner.completed()
    }
    fn migrated(&mut self, d: f64) {
        self.inner.migrated(d)
    }
    fn udp_refused(&mut self) {
        self.inner.udp_refused()
    }
    fn latency(&mut self, app: u32, ms: f64, over: u64, w: u64) {
        self.inner.latency(app, ms, over, w)
    }
    fn utilisation(&mut self, t: xrplace::config::topology::Tier, m: f64, p: f64) {
        self.inner.utilisation(t, m, p)
    }
    fn scaled(&mut self, n: i64, f: bool) {
        self.inner.scaled(n, f)
    }
    fn peered(&mut self) {
        self.inner.peered()
    }
    fn added_capacity(&mut self, v: f64, u: f64) {
        self.inner.added_capacity(v, u)
    }
    fn cost(&mut self, a: f64, b: f64, c: f64, d: f64) {
        self.inner.cost(a, b, c, d)
    }
    fn provisioned(&mut self, ok: bool) {
        self.inner.provisioned(ok)
    }
    fn deprovisioned(&mut self) {
        self.inner.deprovisioned()
    }
    fn wants_hosted(&self) -> bool {
        true
    }
    fn hosted(&mut self, _app: u32, cluster: ClusterId, _sessions: u32) {
        if self.first.is_none() && self.watch.contains(&cluster) {
            self.first = Some(self.scrapes + 1);
        }
    }
    fn scrape_end(&mut self) {
        self.scrapes += 1;
    }
}

/// One run of control-eu's network-aware strategy with the standby clusters created after
/// `after` unserved sessions, observed by [`FirstHosted`].
fn standby_run(after: u32) -> FirstHosted {
    use xrplace::experiment::sessions::{build_platform, sweep_points};
    let mut e = shipped("experiments/control-eu.toml");
    let s = e.config.sessions.as_mut().unwrap();
    s.strategies = vec!["network-aware".into()];
    s.control.autoscale = false;
    s.control.provision_after_sessions = after;
    let s = e.config.sessions.as_ref().unwrap();
    let platform = build_platform(s, &e.topologies[0], s.capacity);
    let point = &sweep_points(&e, s)[0];
    let mut obs = FirstHosted {
        watch: s
            .control
            .standby_clusters
            .iter()
            .map(|n| platform.topology.cluster_id(n).unwrap())
            .collect(),
        ..FirstHosted::default()
    };
    simulate_first_run(&e, &platform, point, &mut obs);
    obs
}

/// Simulates run 0 of `point` of `e` on `platform` with the experiment's seed and the
/// built-in strategies, reporting to `obs`.
fn simulate_first_run(
    e: &LoadedExperiment,
    platform: &xrplace::world::sessions::SessionPlatform,
    point: &xrplace::experiment::sessions::SweepPoint,
    obs: &mut impl xrplace::world::sessions::SessionObserver,
) {
    let registry = Registry::builtin();
    xrplace::experiment::sessions::simulate(
        e,
        platform,
        &e.topologies[0],
        point,
        (e.config.seed, 0),
        &registry,
        obs,
    );
}

#[test]
fn standby_clusters_are_created_through_cluster_api_when_sessions_go_unserved() {
    let created = standby_run(3);
    let never = standby_run(1_000_000);
    let (a, b) = (created.inner.summary(), never.inner.summary());
    assert!(a.clusters_provisioned > 0, "{a:?}");
    assert!(a.clusters_deleted <= a.clusters_provisioned);
    assert_eq!(b.clusters_provisioned + b.clusters_deleted, 0);
    assert_eq!(
        never.first, None,
        "a standby cluster hosted sessions before it existed"
    );
    // Created clusters are paid for and serve sessions network-aware turned away.
    assert!(a.added_vcpu_hours > 0.0 && b.added_vcpu_hours == 0.0);
    assert!(a.rejected < b.rejected, "{} vs {}", a.rejected, b.rejected);
    // Nothing runs on a created cluster before Cluster API has brought its nodes up (k3s
    // on OpenStack: over 100 s) and Liqo has peered it; the first decision is at 20 s.
    let first_s = created.first.expect("a created cluster hosted sessions") as f64 * 15.0;
    assert!(
        first_s >= 120.0,
        "first session on a created cluster at {first_s} s"
    );
}

/// Counts, independently of the grouped accounting, the session time sampled at flow
/// fidelity: at every scrape, the sessions running (from `hosted`) times the interval.
#[derive(Default)]
struct SampledTime {
    latency_us: u64,
    samples: u64,
    hosted_now: u64,
    hosted_scrapes: u64,
}

impl xrplace::world::sessions::SessionObserver for SampledTime {
    fn admitted(&mut self, _t: xrplace::config::topology::Tier) {}
    fn rejected(&mut self, _r: &'static str) {}
    fn dropped(&mut self, _r: &'static str) {}
    fn completed(&mut self) {}
    fn migrated(&mut self, _d: f64) {}
    fn udp_refused(&mut self) {}
    fn latency(&mut self, _app: u32, _ms: f64, _over: u64, w: u64) {
        self.latency_us += w;
        self.samples += 1;
    }
    fn utilisation(&mut self, _t: xrplace::config::topology::Tier, _m: f64, _p: f64) {}
    fn scaled(&mut self, _n: i64, _f: bool) {}
    fn peered(&mut self) {}
    fn added_capacity(&mut self, _v: f64, _u: f64) {}
    fn cost(&mut self, _a: f64, _b: f64, _c: f64, _d: f64) {}
    fn wants_hosted(&self) -> bool {
        true
    }
    fn hosted(&mut self, _app: u32, _cluster: ClusterId, sessions: u32) {
        self.hosted_now += sessions as u64;
    }
    fn scrape_end(&mut self) {
        self.hosted_scrapes += std::mem::take(&mut self.hosted_now);
    }
}

/// The grouped, incremental latency accounting of flow fidelity reports exactly the
/// session time that sampling every running session at every scrape stands for, under
/// faults, migrations and a strategy that rebalances; and it reports far fewer samples.
#[test]
fn grouped_flow_accounting_covers_every_running_session_at_every_scrape() {
    use xrplace::experiment::sessions::{build_platform, sweep_points};
    let e = shipped("experiments/strategies-eu.toml");
    let s = e.config.sessions.as_ref().unwrap();
    let platform = build_platform(s, &e.topologies[0], s.capacity);
    let scrape_us = (s.scrape_interval_s * 1e6).round() as u64;
    for point in sweep_points(&e, s)
        .iter()
        .filter(|p| ["local-search", "latency-greedy"].contains(&p.strategy.as_str()))
    {
        let mut obs = SampledTime::default();
        simulate_first_run(&e, &platform, point, &mut obs);
        assert!(
            obs.hosted_scrapes > 10_000,
            "{}: a busy run",
            point.strategy
        );
        assert_eq!(
            obs.latency_us,
            obs.hosted_scrapes * scrape_us,
            "{}: sampled time",
            point.strategy
        );
        // Each report of a group comes in the bands of its frames' spread.
        let bands = xrplace::model::frame_spread::SPREAD_BANDS.len() as u64;
        assert_eq!(obs.samples % bands, 0);
        assert!(
            obs.samples / bands * 3 < obs.hosted_scrapes,
            "{}: {} samples for {} session-scrapes",
            point.strategy,
            obs.samples,
            obs.hosted_scrapes
        );
    }
}
