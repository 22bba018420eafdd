//! `xrplace import prometheus` against a real Prometheus started here (Debian's package,
//! as `tests/prometheus.rs` starts it; `.ci/run` installs it), backfilled with `promtool
//! tsdb create-blocks-from openmetrics` with samples under the exporters' own metric names
//! and labels for the estate fixture's three clusters (mgmt at frankfurt, edge-zurich,
//! edge-milan): the imported RTTs, usage and trace must equal what the test wrote, and
//! every file must read back through xrplace. Then its refusals, against a tiny HTTP server
//! the test runs on a loopback port: non-200, `"status":"error"`, not JSON, an over-long
//! answer, no answer at all, NaN and negative values, and a port nobody listens on.

mod common;
use common::{fresh_dir, stderr, xrplace, xrplace_ok};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tool(name: &str) -> String {
    let found = Command::new(name).arg("--version").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "{name} not found: install Debian's prometheus package (.ci/run does)"
    );
    name.to_string()
}

/// The estate: three sites, one cluster each, and the links whose RTTs the model gives.
const TOPOLOGY: &str = r#"name = "estate"

[[sites]]
name = "frankfurt"
lat = 50.11
lon = 8.682
tier = "cloud"

[[sites]]
name = "zurich"
lat = 47.377
lon = 8.541
tier = "edge"

[[sites]]
name = "milan"
lat = 45.464
lon = 9.19
tier = "edge"

[[clusters]]
name = "mgmt"
site = "frankfurt"
nodes = 2
vcpu_per_node = 4
memory_gib_per_node = 8
distribution = "kubeadm"
provider = "openstack"

[[clusters]]
name = "edge-zurich"
site = "zurich"
nodes = 2
vcpu_per_node = 4
memory_gib_per_node = 8
distribution = "k3s"
provider = "openstack"

[[clusters]]
name = "edge-milan"
site = "milan"
nodes = 2
vcpu_per_node = 4
memory_gib_per_node = 8
distribution = "kubeadm"
provider = "openstack"
"#;

/// (site a, site b, RTT ms) of the topology's links: the direct link is each pair's
/// shortest route (8 + 7 > 10, 8 + 10 > 7, 10 + 7 > 8).
const LINKS: [(&str, &str, f64); 3] = [
    ("frankfurt", "zurich", 8.0),
    ("frankfurt", "milan", 10.0),
    ("zurich", "milan", 7.0),
];

fn topology_text(extra_routing: &str) -> String {
    let mut t = format!("{TOPOLOGY}\n{extra_routing}");
    for (a, b, rtt) in LINKS {
        let _ = write!(
            t,
            "\n[[links]]\na = \"{a}\"\nb = \"{b}\"\nrtt_ms = {rtt}\njitter_ms = 0.5\nbandwidth_gbps = 10\n"
        );
    }
    t
}

/// (cluster, site) of the estate.
const CLUSTERS: [(&str, &str); 3] = [
    ("mgmt", "frankfurt"),
    ("edge-zurich", "zurich"),
    ("edge-milan", "milan"),
];
/// edge-milan's Liqo cluster ID is not its name: the import maps it with --cluster-id.
const MILAN_ID: &str = "liqo-milan-4f2a";
/// Scrape interval of the backfilled samples, s.
const SCRAPE_S: u64 = 15;
/// Query step of the import, s.
const STEP_S: u64 = 60;
/// Length of the range, s.
const RANGE_S: u64 = 3600;

/// The OpenMetrics text of the backfill and what the import should find in it.
struct Backfill {
    om: String,
    /// Per peering (clusters in topology order), RTT samples at the query's steps, ms.
    rtt_ms: BTreeMap<(usize, usize), Vec<f64>>,
    /// Per (cluster, node): CPU rate (cores) and working set per step (MiB).
    cpu_cores: BTreeMap<(String, String), f64>,
    memory_mib: BTreeMap<(String, String), Vec<f64>>,
    /// Per (cluster, node): allocatable cores and MiB, requested cores.
    allocatable: BTreeMap<(String, String), (f64, f64)>,
    requested_cores: BTreeMap<(String, String), f64>,
    /// Per cluster: node-exporter CPUs and MiB.
    machine: BTreeMap<String, (f64, f64)>,
    /// Arrivals per (application, site, step index k: the step ending at start + 60 k).
    arrivals: BTreeMap<(String, String, u64), u64>,
    /// Mean session length per (application, site), s.
    duration_s: BTreeMap<(String, String), f64>,
}

/// A series' value at scrape `i`, `None` where it has no sample.
type Values = Box<dyn Fn(u64) -> Option<f64>>;

/// One family: its TYPE line and every series' samples, one per scrape.
fn family(om: &mut String, name: &str, kind: &str, start: u64, series: &[(String, Values)]) {
    let _ = writeln!(om, "# TYPE {name} {kind}");
    let sample = match kind {
        "counter" => format!("{name}_total"),
        _ => name.to_string(),
    };
    for (labels, value) in series {
        for i in 0..=RANGE_S / SCRAPE_S {
            if let Some(v) = value(i) {
                let _ = writeln!(om, "{sample}{{{labels}}} {v} {}", start + i * SCRAPE_S);
            }
        }
    }
}

/// Series of constant values.
fn constants(v: Vec<(String, f64)>) -> Vec<(String, Values)> {
    v.into_iter()
        .map(|(l, x)| (l, Box::new(move |_| Some(x)) as Values))
        .collect()
}

/// Scrapes per step.
const PER_STEP: u64 = STEP_S / SCRAPE_S;
/// Steps in the range (the import sees STEPS + 1 instants).
const STEPS: u64 = RANGE_S / STEP_S;
/// Bytes per MiB.
const MIB: f64 = 1_048_576.0;

/// Liqo's latency gauge of the gateway of cluster `a` towards `b` at scrape `i`, µs;
/// edge-zurich's towards mgmt reads 0 at every tenth scrape (a latency Liqo could not parse).
fn latency_us(a: usize, b: usize, i: u64) -> f64 {
    if (a, b) == (1, 0) && i.is_multiple_of(10) {
        return 0.0;
    }
    let base = [
        [0.0, 8200.0, 10400.0],
        [8100.0, 0.0, 7300.0],
        [10600.0, 7100.0, 0.0],
    ][a][b];
    base + ((i * 7 + a as u64 * 3) % 11) as f64 * 90.0
}

/// Liqo's gauges of every gateway towards every peer; the samples the import sees (at the
/// query's steps, zeros left out) go into `b.rtt_ms`.
fn liqo(om: &mut String, b: &mut Backfill, start: u64) {
    let id = |c: usize| if c == 2 { MILAN_ID } else { CLUSTERS[c].0 };
    let mut series: Vec<(String, Values)> = Vec::new();
    for (a, (local, _)) in CLUSTERS.iter().enumerate() {
        for p in (0..3).filter(|&p| p != a) {
            let labels = format!(
                "cluster=\"{local}\",cluster_id=\"{}\",driver=\"wireguard\"",
                id(p)
            );
            series.push((labels, Box::new(move |i| Some(latency_us(a, p, i)))));
            let seen = (0..=STEPS).map(|k| latency_us(a, p, k * PER_STEP));
            b.rtt_ms
                .entry((a.min(p), a.max(p)))
                .or_default()
                .extend(seen.filter(|&us| us > 0.0).map(|us| us / 1000.0));
        }
    }
    family(om, "liqo_peer_latency_us", "gauge", start, &series);
}

/// Two nodes per cluster, as cAdvisor (root cgroup), kube-state-metrics and node-exporter
/// describe them.
fn nodes(om: &mut String, b: &mut Backfill, start: u64) {
    let (mut cpu, mut mem, mut alloc, mut req, mut node_cpu, mut node_mem) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for j in 0..6 {
        let (c, cluster) = (j / 2, CLUSTERS[j / 2].0);
        let node = format!("{cluster}-node-{}", j % 2);
        let key = (cluster.to_string(), node.clone());
        let at = format!("cluster=\"{cluster}\",node=\"{node}\"");
        // A constant rate: the counter rises by `cores` CPU-seconds per second.
        let cores = 0.5 + 0.25 * j as f64;
        b.cpu_cores.insert(key.clone(), cores);
        let f: Values = Box::new(move |i| Some(1000.0 + cores * (i * SCRAPE_S) as f64));
        cpu.push((format!("{at},id=\"/\",cpu=\"total\""), f));
        // A second cgroup of the node, which the import must not add.
        cpu.push((
            format!("{at},id=\"/kubepods\",cpu=\"total\""),
            Box::new(|i: u64| Some(i as f64)) as Values,
        ));
        // Working set: whole MiB, changing at every scrape.
        let mib = move |i: u64| 1024.0 + 64.0 * j as f64 + ((i * 5 + j as u64) % 7) as f64 * 16.0;
        b.memory_mib.insert(
            key.clone(),
            (0..=STEPS).map(|k| mib(k * PER_STEP)).collect(),
        );
        mem.push((
            format!("{at},id=\"/\""),
            Box::new(move |i| Some(mib(i) * MIB)) as Values,
        ));
        let (a_cores, a_mib) = (3.9 - 0.1 * c as f64, 7168.0 + 256.0 * j as f64);
        b.allocatable.insert(key.clone(), (a_cores, a_mib));
        alloc.push((format!("{at},resource=\"cpu\",unit=\"core\""), a_cores));
        alloc.push((
            format!("{at},resource=\"memory\",unit=\"byte\""),
            a_mib * MIB,
        ));
        alloc.push((format!("{at},resource=\"pods\",unit=\"integer\""), 110.0));
        // Two containers requesting CPU on each node.
        let r = [0.25, 0.125 * (j + 1) as f64];
        b.requested_cores.insert(key, r[0] + r[1]);
        for (k, r) in r.iter().enumerate() {
            req.push((
                format!("{at},namespace=\"xr\",pod=\"p{j}\",container=\"c{k}\",resource=\"cpu\",unit=\"core\""),
                *r,
            ));
        }
        // node-exporter: 4 CPUs per machine (an idle and a user series each), 8 GiB.
        let instance = format!("cluster=\"{cluster}\",instance=\"10.0.{c}.{j}:9100\"");
        for cpu_ix in 0..4 {
            for mode in ["idle", "user"] {
                let l = format!("{instance},cpu=\"{cpu_ix}\",mode=\"{mode}\"");
                node_cpu.push((l, Box::new(|i: u64| Some(100.0 + i as f64)) as Values));
            }
        }
        node_mem.push((instance, 8192.0 * MIB));
        let e = b.machine.entry(cluster.to_string()).or_insert((0.0, 0.0));
        e.0 += 4.0;
        e.1 += 8192.0;
    }
    family(om, "container_cpu_usage_seconds", "counter", start, &cpu);
    family(
        om,
        "container_memory_working_set_bytes",
        "gauge",
        start,
        &mem,
    );
    family(
        om,
        "kube_node_status_allocatable",
        "gauge",
        start,
        &constants(alloc),
    );
    family(
        om,
        "kube_pod_container_resource_requests",
        "gauge",
        start,
        &constants(req),
    );
    family(om, "node_cpu_seconds", "counter", start, &node_cpu);
    family(
        om,
        "node_memory_MemTotal_bytes",
        "gauge",
        start,
        &constants(node_mem),
    );
}

fn backfill(start: u64) -> Backfill {
    let mut b = Backfill {
        om: String::new(),
        rtt_ms: BTreeMap::new(),
        cpu_cores: BTreeMap::new(),
        memory_mib: BTreeMap::new(),
        allocatable: BTreeMap::new(),
        requested_cores: BTreeMap::new(),
        machine: BTreeMap::new(),
        arrivals: BTreeMap::new(),
        duration_s: BTreeMap::new(),
    };
    let mut om = String::new();
    liqo(&mut om, &mut b, start);
    nodes(&mut om, &mut b, start);
    sessions(&mut om, &mut b, start);
    om.push_str("# EOF\n");
    b.om = om;
    b
}

/// A counter's value at each step 0..=STEPS (`None`: no sample yet).
type Counter = (String, Vec<Option<u64>>);

/// The session manager's counters, scraped on the hub (mgmt), whose values change only at
/// the query's steps, so the arrivals of each step are exactly the rises written:
/// cloud-vr at zurich (its pod restarts at step 30, so its counter falls to the count since),
/// cloud-vr at milan (its rejected counter first appears at step 20, holding that step's
/// arrivals), ar-assist at zurich (no rejections).
fn sessions(om: &mut String, b: &mut Backfill, start: u64) {
    let rise = |seed: u64, k: u64| (k * seed + seed / 2) % 4;
    // application, site, admitted seed, rejected seed (0: none), session seconds each.
    let plan = [
        ("cloud-vr", "zurich", 3, 5, 120),
        ("cloud-vr", "milan", 5, 7, 90),
        ("ar-assist", "zurich", 7, 0, 300),
    ];
    let (mut admitted, mut rejected, mut seconds) = (Vec::new(), Vec::new(), Vec::new());
    for (app, site, a_seed, r_seed, per) in plan {
        let labels = format!(
            "cluster=\"mgmt\",pod=\"session-manager-0\",application=\"{app}\",site=\"{site}\""
        );
        let restart = (app, site) == ("cloud-vr", "zurich");
        let key = |k: u64| (app.to_string(), site.to_string(), k);
        // Both start before the range: 10 admitted, 5000 s of sessions.
        let (mut v, mut values) = (10, vec![Some(10)]);
        let (mut s, mut secs) = (5000, vec![Some(5000)]);
        for k in 1..=STEPS {
            let r = rise(a_seed, k);
            v = if restart && k == 30 { r } else { v + r };
            values.push(Some(v));
            s += r * per;
            secs.push(Some(s));
            *b.arrivals.entry(key(k)).or_default() += r;
        }
        admitted.push((labels.clone(), values));
        seconds.push((labels.clone(), secs));
        b.duration_s.insert((app.into(), site.into()), per as f64);
        if r_seed == 0 {
            continue;
        }
        let first = if site == "milan" { 20 } else { 0 };
        let (mut v, mut values) = (0, Vec::new());
        for k in 0..=STEPS {
            if k < first {
                values.push(None);
                continue;
            }
            let r = match k {
                0 => 0,
                k if k == first => rise(r_seed, k) + 1,
                k => rise(r_seed, k),
            };
            v += r;
            values.push(Some(v));
            *b.arrivals.entry(key(k)).or_default() += r;
        }
        rejected.push((labels, values));
    }
    for (name, counters) in [
        ("xrplace_sessions_admitted", admitted),
        ("xrplace_sessions_rejected", rejected),
        ("xrplace_session_seconds", seconds),
    ] {
        let series: Vec<(String, Values)> = counters
            .into_iter()
            .map(|(l, values): Counter| {
                let f: Values =
                    Box::new(move |i| values[(i / PER_STEP) as usize].map(|v| v as f64));
                (l, f)
            })
            .collect();
        family(om, name, "counter", start, &series);
    }
}

/// GET `path` from the server on `port`: (status line, body).
fn get(port: u16, path: &str) -> Option<(String, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    Some((head.lines().next()?.to_string(), body.to_string()))
}

/// A free loopback port.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Prometheus serving the blocks backfilled from `om` in `dir`, ready.
fn prometheus_with(dir: &Path, om: &str) -> (Server, u16) {
    let (promtool, prometheus) = (tool("promtool"), tool("prometheus"));
    let file = dir.join("estate.om");
    std::fs::write(&file, om).unwrap();
    let tsdb = dir.join("tsdb");
    let blocks = Command::new(&promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&file)
        .arg(&tsdb)
        .output()
        .unwrap();
    assert!(
        blocks.status.success(),
        "backfill: {}",
        String::from_utf8_lossy(&blocks.stderr)
    );
    let port = free_port();
    std::fs::write(
        dir.join("prometheus.yml"),
        "global:\n  scrape_interval: 15s\n",
    )
    .unwrap();
    let server = Server(
        Command::new(&prometheus)
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!("--storage.tsdb.path={}", tsdb.display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--storage.tsdb.retention.time=3650d")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let t0 = Instant::now();
    while get(port, "/-/ready").is_none_or(|(s, _)| !s.contains("200")) {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "prometheus not ready in 60 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    (server, port)
}

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
        close(num(r, "cpu_used_share"), cores / a_cores, 6, &what);
        let s = sums.entry(cluster.clone()).or_default();
        for (i, v) in [*cores, 0.0, a_cores, a_mib, req, 0.0].iter().enumerate() {
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

/// What the tiny server answers every request with.
#[derive(Clone)]
enum Answer {
    /// A status code and a body.
    Http(u16, String),
    /// Nothing: the connection is held open until the server stops.
    Silent,
}

/// A tiny HTTP server on a loopback port, answering every request alike; it stops when
/// dropped, or by itself after 60 s.
struct Mock {
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads a request's head (bounded), so the client sees its request taken.
fn read_head(s: &mut TcpStream) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    let (mut buf, mut chunk) = (Vec::new(), [0u8; 1024]);
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 65_536 {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn mock(answer: Answer) -> Mock {
    use std::sync::atomic::Ordering;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut held = Vec::new();
        while !flag.load(Ordering::SeqCst) && Instant::now() < deadline {
            match listener.accept() {
                Ok((mut s, _)) => {
                    let _ = s.set_nonblocking(false);
                    read_head(&mut s);
                    match &answer {
                        Answer::Http(code, body) => {
                            let _ = write!(
                                s,
                                "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                                body.len()
                            );
                        }
                        Answer::Silent => held.push(s),
                    }
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    Mock {
        port,
        stop,
        thread: Some(thread),
    }
}

/// A range answer of one Liqo latency series of mgmt towards edge-zurich with `value`.
fn latency_answer(value: &str) -> String {
    format!(
        r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{"__name__":"liqo_peer_latency_us","cluster":"mgmt","cluster_id":"edge-zurich","driver":"wireguard"}},"values":[[1700000000,"8000"],[1700000060,"{value}"]]}}]}}}}"#
    )
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
