//! The estate of the test and the samples its exporters would have served: three clusters
//! (mgmt at frankfurt, edge-zurich, edge-milan), Liqo's latency gauges, cAdvisor's root
//! cgroup, kube-state-metrics, node-exporter and the session manager's counters, as
//! OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`, with what the import
//! should find in them, computed here from what is written.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The estate: three sites, one cluster each, and the links whose RTTs the model gives.
pub const TOPOLOGY: &str = r#"name = "estate"

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
pub const LINKS: [(&str, &str, f64); 3] = [
    ("frankfurt", "zurich", 8.0),
    ("frankfurt", "milan", 10.0),
    ("zurich", "milan", 7.0),
];

pub fn topology_text(extra_routing: &str) -> String {
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
pub const CLUSTERS: [(&str, &str); 3] = [
    ("mgmt", "frankfurt"),
    ("edge-zurich", "zurich"),
    ("edge-milan", "milan"),
];
/// edge-milan's Liqo cluster ID is not its name: the import maps it with --cluster-id.
pub const MILAN_ID: &str = "liqo-milan-4f2a";
/// Scrape interval of the backfilled samples, s.
pub const SCRAPE_S: u64 = 15;
/// Query step of the import, s.
pub const STEP_S: u64 = 60;
/// Length of the range, s.
pub const RANGE_S: u64 = 3600;

/// The OpenMetrics text of the backfill and what the import should find in it.
pub struct Backfill {
    /// The OpenMetrics text.
    pub om: String,
    /// Per peering (clusters in topology order), RTT samples at the query's steps, ms.
    pub rtt_ms: BTreeMap<(usize, usize), Vec<f64>>,
    /// Per (cluster, node): CPU rate, cores.
    pub cpu_cores: BTreeMap<(String, String), f64>,
    /// Per (cluster, node): working set at each step, MiB.
    pub memory_mib: BTreeMap<(String, String), Vec<f64>>,
    /// Per (cluster, node): allocatable cores and MiB.
    pub allocatable: BTreeMap<(String, String), (f64, f64)>,
    /// Per (cluster, node): requested cores.
    pub requested_cores: BTreeMap<(String, String), f64>,
    /// Per (cluster, node): requested MiB.
    pub requested_mib: BTreeMap<(String, String), f64>,
    /// Per cluster: node-exporter CPUs and MiB.
    pub machine: BTreeMap<String, (f64, f64)>,
    /// Arrivals per (application, site, step index k: the step ending at start + 60 k).
    pub arrivals: BTreeMap<(String, String, u64), u64>,
    /// Mean session length per (application, site), s.
    pub duration_s: BTreeMap<(String, String), f64>,
}

/// A series' value at scrape `i`, `None` where it has no sample.
pub type Values = Box<dyn Fn(u64) -> Option<f64>>;

/// One family: its TYPE line and every series' samples, one per scrape.
pub fn family(om: &mut String, name: &str, kind: &str, start: u64, series: &[(String, Values)]) {
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
pub fn constants(v: Vec<(String, f64)>) -> Vec<(String, Values)> {
    v.into_iter()
        .map(|(l, x)| (l, Box::new(move |_| Some(x)) as Values))
        .collect()
}

/// Scrapes per step.
pub const PER_STEP: u64 = STEP_S / SCRAPE_S;
/// Steps in the range (the import sees STEPS + 1 instants).
pub const STEPS: u64 = RANGE_S / STEP_S;
/// Bytes per MiB.
pub const MIB: f64 = 1_048_576.0;

/// Liqo's latency gauge of the gateway of cluster `a` towards `b` at scrape `i`, µs;
/// edge-zurich's towards mgmt reads 0 at every tenth scrape (a latency Liqo could not parse).
pub fn latency_us(a: usize, b: usize, i: u64) -> f64 {
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
pub fn liqo(om: &mut String, b: &mut Backfill, start: u64) {
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
pub fn nodes(om: &mut String, b: &mut Backfill, start: u64) {
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
        // Two containers requesting CPU and memory on each node.
        let r = [0.25, 0.125 * (j + 1) as f64];
        b.requested_cores.insert(key.clone(), r[0] + r[1]);
        let r_mib = [512.0, 128.0 * (j + 1) as f64];
        b.requested_mib.insert(key, r_mib[0] + r_mib[1]);
        for (k, r) in r_mib.iter().enumerate() {
            req.push((
                format!("{at},namespace=\"xr\",pod=\"p{j}\",container=\"c{k}\",resource=\"memory\",unit=\"byte\""),
                r * MIB,
            ));
        }
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

pub fn backfill(start: u64) -> Backfill {
    let mut b = Backfill {
        om: String::new(),
        rtt_ms: BTreeMap::new(),
        cpu_cores: BTreeMap::new(),
        memory_mib: BTreeMap::new(),
        allocatable: BTreeMap::new(),
        requested_cores: BTreeMap::new(),
        requested_mib: BTreeMap::new(),
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
pub type Counter = (String, Vec<Option<u64>>);

/// The session manager's counters, scraped on the hub (mgmt), whose values change only at
/// the query's steps, so the arrivals of each step are exactly the rises written:
/// cloud-vr at zurich (its pod restarts at step 30, so its counter falls to the count since),
/// cloud-vr at milan (its rejected counter first appears at step 20, holding that step's
/// arrivals), ar-assist at zurich (no rejections).
pub fn sessions(om: &mut String, b: &mut Backfill, start: u64) {
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
