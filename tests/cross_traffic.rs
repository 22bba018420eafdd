//! Cross traffic in streaming experiments: flows that share a route direction queue
//! behind each other, and background load on a link delays a stream's frames.

use crate::common;

use common::fresh_dir;
use std::path::{Path, PathBuf};
use xrplace::config::load_experiment;
use xrplace::experiment::{run_experiment, RunOptions};

/// Two sites 2 ms apart on a link of `mbps`, with `background_util` of other traffic on it.
fn topology(mbps: f64, background_util: f64) -> String {
    let cluster = |name: &str, site: &str| {
        format!(
            "[[clusters]]\nname = \"{name}\"\nsite = \"{site}\"\nnodes = 4\nvcpu_per_node = 8\nmemory_gib_per_node = 32\ndistribution = \"kubeadm\"\nprovider = \"openstack\"\n"
        )
    };
    format!(
        r#"name = "pair"
[[sites]]
name = "a"
lat = 50.1
lon = 8.7
tier = "cloud"
[[sites]]
name = "b"
lat = 46.2
lon = 6.1
tier = "edge"
{}{}
[[links]]
a = "a"
b = "b"
rtt_ms = 2.0
bandwidth_gbps = {}
background_util = {background_util}
"#,
        cluster("ca", "a"),
        cluster("cb", "b"),
        mbps / 1000.0
    )
}

/// A chain of `placement.len()` components, 30 fps, 30 Mbit/s per flow over NodePort,
/// each component at the given cluster.
fn experiment(placement: &[&str], duration_s: f64, fidelity: &str) -> String {
    let mut s = format!(
        "name = \"x\"\nfidelity = \"{fidelity}\"\nduration_s = {duration_s}\nruns = 1\nseed = 5\n[application]\nname = \"chain\"\n"
    );
    for i in 0..placement.len() {
        s += &format!(
            "[[application.components]]\nname = \"c{i}\"\ncpu_ms_per_frame = 1.0\nmemory_mib = 100\n"
        );
    }
    for i in 1..placement.len() {
        s += &format!(
            "[[application.flows]]\nfrom = \"c{}\"\nto = \"c{i}\"\nprotocol = \"tcp\"\nbitrate_mbps = 30.0\nframe_rate_fps = 30\n",
            i - 1
        );
    }
    let cells: Vec<String> = placement
        .iter()
        .enumerate()
        .map(|(i, c)| format!("c{i} = \"{c}\""))
        .collect();
    s += &format!(
        "[[scenarios]]\nname = \"s\"\ntopology = \"pair.toml\"\ncross_cluster_path = \"nodeport\"\nplacement = {{ {} }}\n",
        cells.join(", ")
    );
    s
}

/// Writes the files into a fresh folder and returns the experiment's path.
fn files(tag: &str, topology: &str, experiment: &str) -> PathBuf {
    let dir = fresh_dir(tag);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("pair.toml"), topology).unwrap();
    std::fs::write(dir.join("x.toml"), experiment).unwrap();
    dir.join("x.toml")
}

/// (mean, p99) end-to-end latency of the one run, ms.
fn latency(path: &Path) -> (f64, f64) {
    let exp = load_experiment(path).unwrap();
    let r = run_experiment(&exp, RunOptions::default()).unwrap();
    let s = &r.rows[0].summary;
    (s.latency_mean_ms, s.latency_p99_ms)
}

#[test]
fn two_flows_on_one_route_direction_queue_behind_each_other() {
    // 30 Mbit/s of frames plus headers is about 0.63 of a 50 Mbit/s link: one flow a -> b
    // keeps up, two (c0 -> c1 and c2 -> c3) need 1.26 of it and their queue grows.
    let topo = topology(50.0, 0.0);
    let mean = |tag: &str, placement: &[&str], d: f64| {
        let p = files(
            &format!("{tag}-{d}"),
            &topo,
            &experiment(placement, d, "frame"),
        );
        latency(&p).0
    };
    let shared = |d| mean("shared", &["ca", "cb", "ca", "cb"], d);
    let single = |d| mean("single", &["ca", "cb", "ca", "ca"], d);
    let (s60, s180) = (shared(60.0), shared(180.0));
    let (o60, o180) = (single(60.0), single(180.0));
    assert!(
        s180 > 2.0 * s60,
        "shared: {s60} ms over 60 s, {s180} ms over 180 s"
    );
    assert!(
        (o180 - o60).abs() < 0.1 * o60,
        "single: {o60} ms, {o180} ms"
    );
    assert!(s60 > 2.0 * o60, "shared {s60} ms against single {o60} ms");
}

#[test]
fn background_load_raises_latency_monotonically_and_flow_fidelity_follows() {
    let chain = experiment(&["ca", "cb"], 120.0, "frame");
    let (mut last_mean, mut last_p99) = (0.0, 0.0);
    for (i, util) in [0.0, 0.15, 0.3, 0.45, 0.6].into_iter().enumerate() {
        let p = files(&format!("bg-{i}"), &topology(100.0, util), &chain);
        let (mean, p99) = latency(&p);
        // A burst meets the background's backlog, which is zero with probability
        // 1 - util: the mean always grows, the p99 may stay in its histogram bucket.
        assert!(
            mean > last_mean && p99 >= last_p99,
            "mean {mean} ms, p99 {p99} ms at background {util}; {last_mean} / {last_p99} ms below it"
        );
        (last_mean, last_p99) = (mean, p99);
        // Flow fidelity: the same path with the mean backlog and the background that
        // arrives while the frame does, in closed form.
        let flow = experiment(&["ca", "cb"], 120.0, "flow");
        let q = files(&format!("bg-flow-{i}"), &topology(100.0, util), &flow);
        let (flow_mean, _) = latency(&q);
        eprintln!("background {util}: frame mean {mean:.3} p99 {p99:.3}, flow mean {flow_mean:.3}");
        assert!(
            (flow_mean - mean).abs() < 0.05 * mean,
            "background {util}: frame mean {mean} ms, flow {flow_mean} ms"
        );
    }
}

/// `summary.csv` of running the experiment at `path` with the binary: (bottleneck,
/// its utilisation, overloaded) of the one scenario.
fn summary_bottleneck(path: &Path, tag: &str) -> (String, f64, String) {
    let out = fresh_dir(&format!("{tag}-out"));
    common::xrplace_ok(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let h = r.headers().unwrap().clone();
    let row = r.records().next().unwrap().unwrap();
    let cell = |name: &str| row[h.iter().position(|x| x == name).unwrap()].to_string();
    (
        cell("bottleneck"),
        cell("bottleneck_util").parse().unwrap(),
        cell("overloaded"),
    )
}

#[test]
fn the_summary_names_a_link_past_capacity_as_overloaded() {
    // By hand: a 1 Mbit frame (30 Mbit/s at 30 fps) is 125,000 B, 86 TCP packets of
    // 1,460 B payload; each is 1,538 B on the wire with Ethernet framing, 12,304 bits, or
    // 246 µs on 50 Mbit/s: 21.2 ms per frame, 0.635 of the link at 30 fps. Two flows in one
    // direction need 1.27 of it; one flow with 45 % background, 1.085.
    let cases = [
        (
            "ov-single",
            0.0,
            vec!["ca", "cb", "ca", "ca"],
            0.635,
            "false",
        ),
        ("ov-shared", 0.0, vec!["ca", "cb", "ca", "cb"], 1.27, "true"),
        ("ov-background", 0.45, vec!["ca", "cb"], 1.085, "true"),
    ];
    for (tag, background, placement, util, overloaded) in cases {
        let p = files(
            tag,
            &topology(50.0, background),
            &experiment(&placement, 5.0, "flow"),
        );
        let (at, u, flag) = summary_bottleneck(&p, tag);
        assert!(at.starts_with("inter-site-link"), "{tag}: bottleneck {at}");
        assert!(
            (u - util).abs() < 0.02 * util,
            "{tag}: utilisation {u}, by hand {util}"
        );
        assert_eq!(flag, overloaded, "{tag}");
    }
}
