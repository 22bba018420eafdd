//! A real Prometheus over a simulated run: `run --metrics openmetrics` on a shipped session
//! experiment, backfilled with `promtool tsdb create-blocks-from openmetrics`, served by
//! `prometheus` on a loopback port and queried through its HTTP API. The answers must equal
//! `timeseries.csv` and `runs.csv`. Needs Debian's `prometheus` package (`.ci/run` installs
//! it); the server is stopped by its process id when the test ends.

use crate::common;
use crate::server;
use common::{fresh_dir, xrplace_ok};
use server::{get, prometheus_from, tool};
use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn encode(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The value of the single series an instant query returns at Unix time `t`.
fn instant(port: u16, query: &str, t: u64) -> f64 {
    let path = format!("/api/v1/query?query={}&time={t}", encode(query));
    let (status, body) = get(port, &path).expect("query answered");
    assert!(status.contains("200"), "{query}: {status} {body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let result = v["data"]["result"].as_array().unwrap();
    assert_eq!(result.len(), 1, "{query} at {t}: {body}");
    result[0]["value"][1].as_str().unwrap().parse().unwrap()
}

fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            head.iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

#[test]
#[ignore = "needs Debian's prometheus package (promtool, prometheus); .ci/run installs it and runs cargo test -- --include-ignored"]
fn prometheus_answers_what_the_csv_files_say() {
    let promtool = tool("promtool");
    let dir = fresh_dir("prometheus");
    // Simulated time 0 two hours ago, on a whole hour: within any retention.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let start = now / 3600 * 3600 - 7200;
    let out = dir.join("run");
    xrplace_ok(&[
        "run",
        "experiments/strategies-eu.toml",
        "--set",
        "runs=1",
        "--set",
        "duration_s=3600",
        "--set",
        r#"sessions.strategies=["latency-greedy","network-aware"]"#,
        "--metrics",
        "openmetrics",
        "--metrics-start-unix-s",
        &start.to_string(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let om = out.join("metrics.om");

    // promtool's linter reads the Prometheus text format: without timestamps and `# EOF`.
    // Its one complaint is explained: counters' HELP names the family (OpenMetrics), the
    // text format wants the `_total` sample name.
    let text = std::fs::read_to_string(&om).unwrap();
    let plain: String = text
        .lines()
        .filter(|l| *l != "# EOF")
        .map(|l| match l.starts_with('#') {
            true => format!("{l}\n"),
            false => format!("{}\n", l.rsplit_once(' ').unwrap().0),
        })
        .collect();
    let mut lint = Command::new(&promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    lint.stdin
        .take()
        .unwrap()
        .write_all(plain.as_bytes())
        .unwrap();
    let lint = lint.wait_with_output().unwrap();
    let complaints =
        String::from_utf8_lossy(&lint.stdout).to_string() + &String::from_utf8_lossy(&lint.stderr);
    for c in complaints.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            c.ends_with("_total no help text"),
            "unexplained promtool complaint: {c}"
        );
    }

    let (_server, port) = prometheus_from(&dir, &om);

    let series = rows(&out.join("timeseries.csv"));
    let at = |strategy: &str, cluster: &str, time_s: &str| {
        series
            .iter()
            .find(|r| r["strategy"] == strategy && r["cluster"] == cluster && r["time_s"] == time_s)
            .unwrap_or_else(|| panic!("{strategy} {cluster} at {time_s} s in timeseries.csv"))
    };
    // The busiest edge cluster of each strategy, at three instants.
    let mut busy = 0;
    for strategy in ["latency-greedy", "network-aware"] {
        let busiest = series
            .iter()
            .filter(|r| r["strategy"] == strategy && r["tier"] == "edge")
            .max_by_key(|r| r["sessions"].parse::<u32>().unwrap())
            .unwrap()["cluster"]
            .clone();
        for time_s in ["600", "1800", "3600"] {
            let row = at(strategy, &busiest, time_s);
            let t = start + time_s.parse::<u64>().unwrap();
            let sel = format!("{{strategy=\"{strategy}\",cluster=\"{busiest}\"}}");
            for (metric, column) in [
                (
                    "xrplace_cluster_cpu_utilisation_ratio",
                    "cpu_utilisation_ratio",
                ),
                (
                    "xrplace_cluster_memory_utilisation_ratio",
                    "memory_utilisation_ratio",
                ),
                ("xrplace_cluster_sessions", "sessions"),
            ] {
                let got = instant(port, &format!("{metric}{sel}"), t);
                let want: f64 = row[column].parse().unwrap();
                busy += usize::from(want > 0.0);
                assert!(
                    (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                    "{metric}{sel} at {time_s} s: Prometheus {got}, timeseries.csv {want}"
                );
            }
        }
    }

    // Every site's link share is a finite non-negative ratio, and some link carries load.
    for strategy in ["latency-greedy", "network-aware"] {
        let q = format!("max(xrplace_site_link_utilisation_ratio{{strategy=\"{strategy}\"}})");
        let peak = instant(port, &q, start + 1800);
        assert!(peak.is_finite() && peak > 0.0, "{q}: {peak}");
        let q = format!("min(xrplace_site_link_utilisation_ratio{{strategy=\"{strategy}\"}})");
        assert!(instant(port, &q, start + 1800) >= 0.0, "{q}");
    }

    assert!(
        busy >= 9,
        "most compared samples are of a loaded cluster ({busy} of 18)"
    );

    // Counters and quantiles against runs.csv, at the end of the run.
    let end = start + 3600;
    for run in rows(&out.join("runs.csv")) {
        let sel = format!("{{strategy=\"{}\"}}", run["strategy"]);
        for (metric, column, scale) in [
            ("xrplace_sessions_admitted_total", "admitted", 1.0),
            ("xrplace_sessions_rejected_total", "rejected", 1.0),
            (
                "xrplace_session_latency_seconds{quantile=\"0.99\",",
                "latency_p99_ms",
                1e-3,
            ),
            (
                "xrplace_session_latency_seconds{quantile=\"0.5\",",
                "latency_p50_ms",
                1e-3,
            ),
        ] {
            let query = match metric.strip_suffix(',') {
                Some(open) => format!("{open},{}", &sel[1..]),
                None => format!("{metric}{sel}"),
            };
            let got = instant(port, &query, end);
            let want = run[column].parse::<f64>().unwrap() * scale;
            assert!(
                (got - want).abs() <= 1e-6 * want.abs().max(1e-3),
                "{query}: Prometheus {got}, runs.csv {want}"
            );
        }
        // A rate: admissions per second over the last half hour against the run's mean
        // (arrivals are Poisson at a constant rate; some 300 admissions give about 6 %).
        let rate = instant(
            port,
            &format!("rate(xrplace_sessions_admitted_total{sel}[30m])"),
            end,
        );
        let mean = run["admitted"].parse::<f64>().unwrap() / 3600.0;
        assert!(
            (rate / mean - 1.0).abs() < 0.3,
            "{sel}: {rate} admissions/s in the last 30 min, {mean} over the run"
        );
    }

    // The exported SLO rules, evaluated on the simulated run, give the simulator's ratios:
    // one definition in both. The shipped plan judges its SLO over an hour, the run's
    // length; Prometheus 2.x ranges include their start, where every counter is 0.
    let export = dir.join("export");
    xrplace_ok(&[
        "export",
        "experiments/plans/study-fra-gva.toml",
        "--out",
        export.to_str().unwrap(),
    ]);
    let rule: serde_yaml_ng::Value = serde_yaml_ng::from_str(
        &std::fs::read_to_string(export.join("cluster-fra/monitoring/rules.yaml")).unwrap(),
    )
    .unwrap();
    let groups = &rule["spec"]["groups"];
    let rules_file = dir.join("rules.yml");
    let mut plain = serde_yaml_ng::Mapping::new();
    plain.insert("groups".into(), groups.clone());
    std::fs::write(&rules_file, serde_yaml_ng::to_string(&plain).unwrap()).unwrap();
    let check = Command::new(&promtool)
        .args(["check", "rules"])
        .arg(&rules_file)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "promtool check rules: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let record = |name: &str| -> String {
        groups[0]["rules"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|r| r["record"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("no recording rule {name}"))["expr"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let violation = record("xrplace:session_time_over_budget:ratio");
    let rejected = record("xrplace:sessions_rejected:ratio");
    for run in rows(&out.join("runs.csv")) {
        let only = |expr: &str| {
            expr.replace(
                "_total[",
                &format!("_total{{strategy=\"{}\"}}[", run["strategy"]),
            )
        };
        let got = instant(port, &only(&violation), end);
        let want: f64 = run["slo_violation_ratio"].parse().unwrap();
        assert!(
            // runs.csv keeps six decimals.
            want > 0.0 && (got - want).abs() <= 5.01e-7,
            "{}: the exported rule gives {got}, runs.csv {want}",
            run["strategy"]
        );
        let got = instant(port, &only(&rejected), end);
        let r: f64 = run["rejected"].parse().unwrap();
        let want = r / (r + run["admitted"].parse::<f64>().unwrap());
        assert!(
            (got - want).abs() <= 1e-12,
            "{}: the exported rule gives {got} rejected, runs.csv {want}",
            run["strategy"]
        );
    }
}

/// Shards and resumed runs write their jobs' samples, and `merge` joins them: the files
/// equal those of one whole run, byte for byte.
#[test]
fn sharded_and_resumed_sweeps_write_the_whole_runs_samples() {
    let d = fresh_dir("metrics-shards");
    let out = |name: &str| d.join(name).to_str().unwrap().to_string();
    let run = |extra: &[&str], to: &str| {
        let mut args = vec![
            "run",
            "experiments/sweep-eu.toml",
            "--set",
            "duration_s=900",
            "--set",
            "runs=1",
            "--metrics",
            "openmetrics",
            "--metrics-start-unix-s",
            "1700000000",
            "--quiet",
        ];
        args.extend_from_slice(extra);
        let to = out(to);
        args.extend(["--out", to.as_str()]);
        common::xrplace(&args)
    };
    assert!(run(&[], "whole").status.success());
    for k in ["1/2", "2/2"] {
        let o = run(&["--shard", k], &format!("shard-{}", &k[..1]));
        assert!(o.status.success(), "{}", common::stderr(&o));
    }
    let (s1, s2, merged) = (out("shard-1"), out("shard-2"), out("merged"));
    xrplace_ok(&["merge", &s1, &s2, "--out", &merged]);
    let same = |a: &str, b: &str| {
        for f in ["metrics.om", "timeseries.csv", "runs.csv"] {
            let (x, y) = (d.join(a).join(f), d.join(b).join(f));
            assert!(
                std::fs::read(&x).unwrap() == std::fs::read(&y).unwrap(),
                "{} differs from {}",
                y.display(),
                x.display()
            );
        }
    };
    same("whole", "merged");
    // A resumed run: its kept jobs (samples included) and the ones it runs now.
    assert!(run(&["--resume"], "resumed").status.success());
    let jobs = d.join("resumed/.xrplace-jobs");
    let kept = std::fs::read_dir(&jobs).unwrap().count();
    for j in ["1", "4", "7"] {
        std::fs::remove_file(jobs.join(format!("{j}.csv"))).unwrap();
        std::fs::remove_file(jobs.join(format!("{j}.om"))).unwrap();
    }
    std::fs::remove_file(d.join("resumed/metrics.om")).unwrap();
    assert!(run(&["--resume"], "resumed").status.success());
    assert_eq!(std::fs::read_dir(&jobs).unwrap().count(), kept);
    same("whole", "resumed");
    // A kept job without its samples cannot be made whole: refused, not guessed.
    std::fs::remove_file(jobs.join("2.om")).unwrap();
    let o = run(&["--resume"], "resumed");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::stderr(&o).contains("2.om"),
        "{}",
        common::stderr(&o)
    );
    // A shard run without --metrics cannot join shards with.
    std::fs::remove_file(d.join("shard-2/metrics.om")).unwrap();
    let o = common::xrplace(&["merge", &s1, &s2, "--out", &out("merged-2")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::stderr(&o).contains("--metrics"),
        "{}",
        common::stderr(&o)
    );
    assert!(!d.join("merged-2").exists());
    // About 470 MB of samples: not left behind.
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn metrics_output_is_refused_where_it_cannot_be_whole() {
    let d = fresh_dir("metrics-refused");
    let o = d.to_str().unwrap();
    for (args, says) in [
        (
            vec![
                "run",
                "experiments/paper-capi.toml",
                "--metrics",
                "openmetrics",
            ],
            "session and streaming experiments",
        ),
        (
            vec![
                "run",
                "experiments/scale-1k.toml",
                "--metrics",
                "openmetrics",
            ],
            "more than 2000000 (--max-metric-samples)",
        ),
        (
            vec![
                "run",
                "experiments/sweep-eu.toml",
                "--set",
                "duration_s=60",
                "--metrics",
                "openmetrics",
                "--max-metric-samples",
                "10",
            ],
            "more than 10 (--max-metric-samples)",
        ),
    ] {
        let mut all = args.clone();
        all.extend(["--out", o]);
        let out = common::xrplace(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = common::stderr(&out);
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!d.exists(), "{args:?}: nothing written");
    }
}

#[test]
#[ignore = "needs Debian's prometheus package (promtool, prometheus); .ci/run installs it and runs cargo test -- --include-ignored"]
fn a_streaming_run_backfills_too() {
    let promtool = tool("promtool");
    let d = fresh_dir("metrics-streaming");
    let out = d.join("run");
    xrplace_ok(&[
        "run",
        "experiments/paper-streaming.toml",
        "--set",
        "runs=1",
        "--metrics",
        "openmetrics",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(out.join("metrics.om")).unwrap();
    let series = rows(&out.join("timeseries.csv"));
    let samples = text.lines().filter(|l| !l.starts_with('#')).count();
    assert_eq!(
        samples,
        2 * series.len(),
        "CPU and memory for every timeseries.csv row"
    );
    let blocks = Command::new(&promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(out.join("metrics.om"))
        .arg(d.join("tsdb"))
        .output()
        .unwrap();
    assert!(
        blocks.status.success(),
        "{}",
        String::from_utf8_lossy(&blocks.stderr)
    );
    // The gzipped form, as docs/monitoring.md says: `gunzip -k`, then the same promtool.
    let gz = d.join("gz");
    xrplace_ok(&[
        "run",
        "experiments/paper-streaming.toml",
        "--set",
        "runs=1",
        "--metrics",
        "openmetrics",
        "--metrics-compression",
        "gzip",
        "--quiet",
        "--out",
        gz.to_str().unwrap(),
    ]);
    let unzip = Command::new("gunzip")
        .arg("-k")
        .arg(gz.join("metrics.om.gz"))
        .status()
        .unwrap();
    assert!(unzip.success());
    assert!(std::fs::read_to_string(gz.join("metrics.om")).unwrap() == text);
    let blocks = Command::new(&promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(gz.join("metrics.om"))
        .arg(d.join("tsdb-gz"))
        .output()
        .unwrap();
    assert!(
        blocks.status.success(),
        "{}",
        String::from_utf8_lossy(&blocks.stderr)
    );
}

/// The SLO's session-time counter is exact at every scrape, not only at the end: it equals
/// the sessions running at each scrape (timeseries.csv, summed over clusters) times the
/// scrape interval, accumulated. The two come from different parts of the world (the
/// latency sampler's groups, reported lazily, and the ledger's hosted sessions).
#[test]
fn session_time_adds_up_the_sessions_of_every_scrape() {
    let dir = fresh_dir("session-time");
    xrplace_ok(&[
        "run",
        "experiments/strategies-eu.toml",
        "--set",
        "runs=1",
        "--set",
        "duration_s=3600",
        "--set",
        r#"sessions.strategies=["first-fit","network-aware"]"#,
        "--metrics",
        "openmetrics",
        "--quiet",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let mut running: HashMap<(String, u64), f64> = HashMap::new();
    for r in rows(&dir.join("timeseries.csv")) {
        let t = r["time_s"].parse::<f64>().unwrap() as u64;
        *running.entry((r["strategy"].clone(), t)).or_default() +=
            r["sessions"].parse::<f64>().unwrap();
    }
    let text = std::fs::read_to_string(dir.join("metrics.om")).unwrap();
    let mut checked = 0;
    for strategy in ["first-fit", "network-aware"] {
        let tag = format!("strategy=\"{strategy}\"");
        let mut sum = 0.0;
        for line in text
            .lines()
            .filter(|l| l.starts_with("xrplace_session_seconds_total{") && l.contains(&tag))
        {
            let mut it = line.rsplit(' ');
            let t = it.next().unwrap().parse::<f64>().unwrap() as u64;
            let v: f64 = it.next().unwrap().parse().unwrap();
            if t > 0 {
                sum += running[&(strategy.to_string(), t)] * 15.0;
            }
            assert!(
                (v - sum).abs() < 1e-6,
                "{strategy} at {t} s: counter {v}, sessions x 15 s {sum}"
            );
            checked += 1;
        }
        assert!(sum > 0.0);
    }
    assert_eq!(checked, 2 * 241, "a sample at 0 and at each of 240 scrapes");
}
