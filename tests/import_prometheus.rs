//! `xrplace import prometheus` against a real Prometheus started here (Debian's package,
//! as `tests/prometheus.rs` starts it; `.ci/run` installs it), backfilled with `promtool
//! tsdb create-blocks-from openmetrics` with samples under the exporters' own metric names
//! and labels for the estate fixture's three clusters (mgmt at frankfurt, edge-zurich,
//! edge-milan): the imported RTTs, usage and trace must equal what the test wrote, and
//! every file must read back through xrplace. Then its refusals, against a tiny HTTP server
//! the test runs on a loopback port: non-200, `"status":"error"`, not JSON, an over-long
//! answer, no answer at all, NaN and negative values, and a port nobody listens on.

use crate::common;
use crate::estate;
#[path = "import_prometheus/mock.rs"]
mod mock;
use crate::server;
use common::{fresh_dir, stderr, xrplace, xrplace_ok};
use estate::{backfill, topology_text, Backfill, CLUSTERS, LINKS, MILAN_ID, RANGE_S, STEP_S};
use mock::{latency_answer, mock, Answer};
use server::{free_port, prometheus_with};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::{Duration, Instant};

/// Rows of a CSV (comment lines skipped) as maps of column -> cell.
fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            head.iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

fn num(row: &HashMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} = {:?} in {row:?}", row[column]))
}

/// `got` equals `want` to the `decimals` the CSV keeps.
fn close(got: f64, want: f64, decimals: i32, what: &str) {
    let tol = 0.5 * 10f64.powi(-decimals) + 1e-9 * want.abs();
    assert!(
        (got - want).abs() <= tol,
        "{what}: imported {got}, backfilled {want}"
    );
}

/// Median and standard deviation (n - 1) of `v`.
fn median_sd(v: &[f64]) -> (f64, f64) {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    let median = if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    };
    let mean = s.iter().sum::<f64>() / n as f64;
    let var = s.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    (median, var.sqrt())
}

#[test]
#[ignore = "needs Debian's prometheus package (promtool, prometheus); .ci/run installs it and runs cargo test -- --include-ignored"]
fn the_import_equals_what_was_backfilled() {
    let dir = fresh_dir("import-prometheus");
    std::fs::create_dir_all(&dir).unwrap();
    // Two hours ago on a whole hour: within any retention, and blocks are whole hours.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let start = now / 3600 * 3600 - 7200;
    let b = backfill(start);
    let (_server, port) = prometheus_with(&dir, &b.om);
    let topology = dir.join("topology.toml");
    std::fs::write(&topology, topology_text("")).unwrap();
    xrplace_ok(&["check", topology.to_str().unwrap()]);
    let out = dir.join("imported");
    let url = format!("http://127.0.0.1:{port}");
    let said = xrplace_ok(&[
        "import",
        "prometheus",
        &url,
        "--topology",
        topology.to_str().unwrap(),
        "--start",
        &start.to_string(),
        "--end",
        &(start + RANGE_S).to_string(),
        "--step",
        &STEP_S.to_string(),
        "--cluster-id",
        &format!("{MILAN_ID}=edge-milan"),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        !stderr(&said).contains("gave no series"),
        "{}",
        stderr(&said)
    );
    let said = String::from_utf8_lossy(&said.stdout);
    assert!(said.contains("3 peerings measured"), "{said}");

    // RTT: every peering's samples of both gateways, pooled; one site pair per peering.
    let site = |c: usize| CLUSTERS[c].1;
    let rtt = rows(&out.join("rtt.csv"));
    assert_eq!(rtt.len(), 3);
    let drift = rows(&out.join("drift.csv"));
    assert_eq!(drift.len(), 3);
    for ((a, p), samples) in &b.rtt_ms {
        let (median, sd) = median_sd(samples);
        let row = rtt
            .iter()
            .find(|r| {
                let pair = [r["site_a"].as_str(), r["site_b"].as_str()];
                pair.contains(&site(*a)) && pair.contains(&site(*p))
            })
            .unwrap_or_else(|| panic!("no row of {} and {} in rtt.csv", site(*a), site(*p)));
        close(num(row, "rtt_ms"), median, 3, "rtt_ms");
        close(num(row, "rtt_sd_ms"), sd, 3, "rtt_sd_ms");
        let subject = format!("{}<->{}", CLUSTERS[*a].0, CLUSTERS[*p].0);
        let d = drift
            .iter()
            .find(|r| r["subject"] == subject)
            .unwrap_or_else(|| panic!("no drift row {subject}"));
        let modelled = LINKS
            .iter()
            .find(|l| [l.0, l.1].contains(&site(*a)) && [l.0, l.1].contains(&site(*p)))
            .unwrap()
            .2;
        assert_eq!((d["kind"].as_str(), d["unit"].as_str()), ("rtt", "ms"));
        close(num(d, "modelled"), modelled, 3, "modelled");
        close(num(d, "measured"), median, 3, "measured");
        close(
            num(d, "relative_diff"),
            (median - modelled) / modelled,
            6,
            "relative_diff",
        );
    }
    let svg = std::fs::read_to_string(out.join("drift.svg")).unwrap();
    assert!(svg.contains("mgmt&lt;-&gt;edge-zurich") || svg.contains("mgmt<->edge-zurich"));

    // The measured matrix reads back into the topology.
    let measured = dir.join("measured.toml");
    std::fs::write(
        &measured,
        topology_text("[routing]\nmeasured_rtt_csv = \"imported/rtt.csv\"\n"),
    )
    .unwrap();
    xrplace_ok(&["check", measured.to_str().unwrap()]);

    check_usage(&b, &rows(&out.join("usage.csv")));
    check_trace(&b, &out.join("trace.csv"));
}

/// Every Node's and cluster's usage equals what the exporters said.
fn check_usage(b: &Backfill, usage: &[HashMap<String, String>]) {
    assert_eq!(usage.len(), 9, "3 clusters and 6 nodes");
    let find = |cluster: &str, node: &str| {
        usage
            .iter()
            .find(|r| r["cluster"] == cluster && r["node"] == node)
            .unwrap_or_else(|| panic!("no usage row {cluster}/{node}"))
    };
    let mut sums: BTreeMap<String, [f64; 6]> = BTreeMap::new();
    let mut mem_by_cluster: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for ((cluster, node), cores) in &b.cpu_cores {
        let r = find(cluster, node);
        let what = format!("{cluster}/{node}");
        close(num(r, "cpu_used_mean_cores"), *cores, 3, &what);
        close(num(r, "cpu_used_peak_cores"), *cores, 3, &what);
        let mem = &b.memory_mib[&(cluster.clone(), node.clone())];
        let mean = mem.iter().sum::<f64>() / mem.len() as f64;
        close(num(r, "memory_used_mean_mib"), mean, 1, &what);
        close(
            num(r, "memory_used_peak_mib"),
            mem.iter().copied().fold(0.0, f64::max),
            1,
            &what,
        );
        let (a_cores, a_mib) = b.allocatable[&(cluster.clone(), node.clone())];
        close(num(r, "cpu_allocatable_cores"), a_cores, 3, &what);
        close(num(r, "memory_allocatable_mib"), a_mib, 1, &what);
        let req = b.requested_cores[&(cluster.clone(), node.clone())];
        close(num(r, "cpu_requested_cores"), req, 3, &what);
        let req_mib = b.requested_mib[&(cluster.clone(), node.clone())];
        close(num(r, "memory_requested_mib"), req_mib, 1, &what);
        close(num(r, "cpu_used_share"), cores / a_cores, 6, &what);
        let s = sums.entry(cluster.clone()).or_default();
        for (i, v) in [*cores, 0.0, a_cores, a_mib, req, req_mib]
            .iter()
            .enumerate()
        {
            s[i] += v;
        }
        let m = mem_by_cluster
            .entry(cluster.clone())
            .or_insert(vec![0.0; mem.len()]);
        for (acc, v) in m.iter_mut().zip(mem) {
            *acc += v;
        }
    }
    for (cluster, s) in &sums {
        let r = find(cluster, "");
        close(num(r, "cpu_used_mean_cores"), s[0], 3, cluster);
        close(num(r, "cpu_allocatable_cores"), s[2], 3, cluster);
        close(num(r, "memory_allocatable_mib"), s[3], 1, cluster);
        close(num(r, "cpu_requested_cores"), s[4], 3, cluster);
        close(num(r, "memory_requested_mib"), s[5], 1, cluster);
        let m = &mem_by_cluster[cluster];
        close(
            num(r, "memory_used_peak_mib"),
            m.iter().copied().fold(0.0, f64::max),
            1,
            cluster,
        );
        let (cpus, mib) = b.machine[cluster];
        close(num(r, "cpu_machine_cores"), cpus, 3, cluster);
        close(num(r, "memory_machine_mib"), mib, 1, cluster);
    }
}

/// The trace holds each step's arrivals within the step, with the mean session length of
/// their application and site, and reads back as a trace.
fn check_trace(b: &Backfill, path: &Path) {
    xrplace_ok(&["check", path.to_str().unwrap()]);
    let mut got: BTreeMap<(String, String, u64), u64> = BTreeMap::new();
    for r in rows(path) {
        let t = num(&r, "time_s");
        let k = (t / STEP_S as f64).ceil() as u64;
        assert!(
            t > 0.0 && t < RANGE_S as f64 && t % STEP_S as f64 != 0.0,
            "{r:?}"
        );
        let key = (r["application"].clone(), r["access_site"].clone());
        close(num(&r, "duration_s"), b.duration_s[&key], 3, "duration_s");
        *got.entry((key.0, key.1, k)).or_default() += 1;
    }
    let want: BTreeMap<_, _> = b
        .arrivals
        .iter()
        .filter(|e| *e.1 > 0)
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    assert!(want.values().sum::<u64>() > 100, "a trace worth the name");
    assert_eq!(got, want, "arrivals per application, site and step");
}

/// `import prometheus` of `url` with `extra` flags: it must fail with exit 2 within
/// `within`, write nothing, and say every one of `says` (and which query).
fn refused(dir: &Path, case: &str, url: &str, extra: &[&str], within: Duration, says: &[&str]) {
    let topology = dir.join("topology.toml");
    let out = dir.join(format!("out-{case}"));
    let mut args = vec![
        "import",
        "prometheus",
        url,
        "--topology",
        topology.to_str().unwrap(),
        "--start",
        "1700000000",
        "--end",
        "2023-11-14T23:13:20Z",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let t0 = Instant::now();
    let o = xrplace(&args);
    let took = t0.elapsed();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{case}: {err}");
    assert!(took < within, "{case}: took {took:?}, over {within:?}");
    assert!(!err.contains("panicked"), "{case}: {err}");
    for s in says {
        assert!(err.contains(s), "{case}: {s:?} missing from: {err}");
    }
    assert!(!out.exists(), "{case}: partial output in {}", out.display());
}

#[test]
fn bad_answers_slow_servers_and_unreachable_ports_are_refused_with_the_query() {
    let dir = fresh_dir("import-prometheus-refusals");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("topology.toml"), topology_text("")).unwrap();
    let quick = Duration::from_secs(30);
    let q = "query `liqo_peer_latency_us`";
    let cases: Vec<(&str, Answer, Vec<&str>, Vec<&str>)> = vec![
        (
            "500",
            Answer::Http(500, "oops".into()),
            vec![],
            vec![q, "HTTP 500", "\"oops\""],
        ),
        (
            "400-json",
            Answer::Http(
                400,
                r#"{"status":"error","errorType":"bad_data","error":"parse error at char 3"}"#
                    .into(),
            ),
            vec![],
            vec![q, "HTTP 400, bad_data", "parse error at char 3"],
        ),
        (
            "status-error",
            Answer::Http(
                200,
                r#"{"status":"error","errorType":"execution","error":"boom"}"#.into(),
            ),
            vec![],
            vec![q, "status \"error\", execution", "boom"],
        ),
        (
            "not-json",
            Answer::Http(200, "<html>not an API</html>".into()),
            vec![],
            vec![q, "not the JSON", "<html>"],
        ),
        (
            "over-long",
            Answer::Http(
                200,
                format!(r#"{{"status":"success","pad":"{}"}}"#, "x".repeat(5000)),
            ),
            vec!["--max-response-bytes", "1000"],
            vec![q, "over the 1000 bytes"],
        ),
        (
            "nan",
            Answer::Http(200, latency_answer("NaN")),
            vec![],
            vec![q, "\"NaN\"", "finite number"],
        ),
        (
            "negative",
            Answer::Http(200, latency_answer("-5000")),
            vec![],
            vec![q, "-5000", "RTT >= 0"],
        ),
        (
            "absurd",
            Answer::Http(200, latency_answer("1e15")),
            vec![],
            vec![q, "beyond the physical range"],
        ),
    ];
    for (case, answer, extra, says) in cases {
        let m = mock(answer);
        let url = format!("http://127.0.0.1:{}", m.port);
        refused(&dir, case, &url, &extra, quick, &says);
    }
    // A server that takes the request and never answers: a timeout, well within a bound.
    let m = mock(Answer::Silent);
    let url = format!("http://127.0.0.1:{}", m.port);
    refused(
        &dir,
        "silent",
        &url,
        &["--timeout-s", "2"],
        Duration::from_secs(20),
        &[q, "no answer in time"],
    );
    drop(m);
    // https to a server that speaks plain HTTP: with TLS built in (`--features https`) the
    // handshake fails, named with the query; without it the URL is refused saying how to
    // build it in.
    let m = mock(Answer::Http(200, latency_answer("8000")));
    let url = format!("https://127.0.0.1:{}", m.port);
    let tls_says: &[&str] = if cfg!(feature = "https") {
        &[q, "the request failed"]
    } else {
        &["--features https"]
    };
    refused(&dir, "tls", &url, &[], quick, tls_says);
    drop(m);
    // A port nobody listens on (bound, then let go).
    let url = format!("http://127.0.0.1:{}", free_port());
    refused(&dir, "unreachable", &url, &[], quick, &[q, "connect"]);
    // The import's own arguments.
    refused(
        &dir,
        "scheme",
        "ftp://127.0.0.1:1",
        &[],
        quick,
        &["http:// or https://"],
    );
    refused(
        &dir,
        "step",
        &url,
        &["--step", "0.1"],
        quick,
        &["36000 steps", "--step"],
    );
    refused(
        &dir,
        "cluster-id",
        &url,
        &["--cluster-id", "x=nowhere"],
        quick,
        &["no cluster \"nowhere\""],
    );
}

/// An estate whose monitoring has none of the series: the import writes its files (headers
/// only, an empty drift figure) and warns of every query that gave nothing, so a label or
/// metric spelled otherwise is seen.
#[test]
fn queries_that_give_nothing_are_named_in_warnings() {
    let dir = fresh_dir("import-prometheus-empty");
    std::fs::create_dir_all(&dir).unwrap();
    let topology = dir.join("topology.toml");
    std::fs::write(&topology, topology_text("")).unwrap();
    let m = mock(Answer::Http(
        200,
        r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#.into(),
    ));
    let out = dir.join("out");
    let o = xrplace_ok(&[
        "import",
        "prometheus",
        &format!("http://127.0.0.1:{}/", m.port),
        "--topology",
        topology.to_str().unwrap(),
        "--start",
        "1700000000",
        "--end",
        "1700003600",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    // The RTT gauge, 8 usage queries, and the 3 session counters.
    assert_eq!(err.matches("gave no series").count(), 12, "{err}");
    for q in [
        "`liqo_peer_latency_us`",
        "`xrplace_session_seconds_total`",
        "kube_node_status_allocatable",
    ] {
        assert!(err.contains(q), "{q} not named: {err}");
    }
    for f in [
        "rtt.csv",
        "usage.csv",
        "trace.csv",
        "drift.csv",
        "drift.svg",
        "drift.png",
    ] {
        assert!(out.join(f).is_file(), "{f} not written");
    }
    assert_eq!(rows(&out.join("drift.csv")).len(), 0);
    xrplace_ok(&["check", out.join("trace.csv").to_str().unwrap()]);
}
