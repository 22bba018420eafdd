//! GPUs (issue 36, first part): a topology with GPU clusters of every sharing mode is valid
//! and, for applications without GPU work, runs byte for byte as without GPUs; a GPU
//! application's latency adds the render time on the cluster's GPU, and admission stops at
//! the GPU slots.

use crate::common;

use common::{fresh_dir, xrplace_ok};

/// Two edge clusters at one site: "k" (2 nodes x 8 vCPU) and "m" (1 node x 16 vCPU).
/// `{gpu_k}` and `{gpu_m}` stand for their `gpu` lines.
const TOPOLOGY: &str = r#"
name = "gpu-lab"

[[sites]]
name = "lab"
lat = 46.2
lon = 6.1
tier = "edge"

[[clusters]]
name = "k"
site = "lab"
nodes = 2
vcpu_per_node = 8
memory_gib_per_node = 32
distribution = "k3s"
provider = "openstack"
{gpu_k}

[[clusters]]
name = "m"
site = "lab"
nodes = 1
vcpu_per_node = 16
memory_gib_per_node = 64
distribution = "k3s"
provider = "openstack"
{gpu_m}
"#;

const EXPERIMENT: &str = r#"
name = "gpu-lab"
duration_s = 300
runs = 2
seed = 7

[sessions]
topology = "topology.toml"
strategies = ["latency-greedy", "cloud-only"]
slo_latency_ms = 50
scrape_interval_s = 15
aggregation_lag_s = 5
cross_cluster_path = "liqo"
candidates_per_site = 2

[sessions.load]
kind = "poisson"
rate_per_s = 0.2

[[sessions.applications]]
name = "app"
share = 1.0
mean_duration_s = 60
cpu_cores = 2.0
memory_mib = 1024
ms_per_frame = 4.0
frame_rate_fps = 50
bitrate_mbps = 10
protocol = "udp"
"#;

/// Runs the experiment on the topology with `gpu_k` and `gpu_m` as the clusters' GPU lines;
/// returns the output folder.
fn run(tag: &str, gpu_k: &str, gpu_m: &str) -> std::path::PathBuf {
    let dir = fresh_dir(tag);
    std::fs::create_dir_all(&dir).unwrap();
    let topology = TOPOLOGY.replace("{gpu_k}", gpu_k).replace("{gpu_m}", gpu_m);
    std::fs::write(dir.join("topology.toml"), topology).unwrap();
    std::fs::write(dir.join("experiment.toml"), EXPERIMENT).unwrap();
    xrplace_ok(&["check", dir.join("topology.toml").to_str().unwrap()]);
    let out = dir.join("out");
    xrplace_ok(&[
        "run",
        "--quiet",
        "--no-figures",
        dir.join("experiment.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    out
}

#[test]
fn gpu_clusters_are_valid_and_change_nothing_for_applications_without_gpu_work() {
    let plain = run("gpu-none", "", "");
    let time_sliced = run(
        "gpu-ts",
        r#"gpu = { model = "l4", per_node = 2, sharing = "time-slicing", replicas = 4 }"#,
        r#"gpu = { model = "a100-80gb", per_node = 1, sharing = "mig", mig_profile = "1g.10gb" }"#,
    );
    let whole = run("gpu-whole", r#"gpu = { model = "t4", per_node = 1 }"#, "");
    for table in ["runs.csv", "summary.csv", "latency_quantiles.csv"] {
        let want = std::fs::read(plain.join(table)).unwrap();
        assert!(!want.is_empty(), "{table} is empty");
        for other in [&time_sliced, &whole] {
            let got = std::fs::read(other.join(table)).unwrap();
            assert!(got == want, "{table} differs in {}", other.display());
        }
    }
}

/// One edge cluster "k" of one node of 16 vCPU, `{gpu}` its GPU line; one application
/// rendering `{render}` on the A10, traced arrivals.
const ONE_CLUSTER: &str = r#"
name = "gpu-one"

[[sites]]
name = "lab"
lat = 46.2
lon = 6.1
tier = "edge"

[[clusters]]
name = "k"
site = "lab"
nodes = 1
vcpu_per_node = 16
memory_gib_per_node = 64
distribution = "k3s"
provider = "openstack"
{gpu}
"#;

const TRACED: &str = r#"
name = "gpu-one"
duration_s = 100
runs = 1
seed = 3

[sessions]
topology = "topology.toml"
strategies = ["latency-greedy"]
slo_latency_ms = 100
scrape_interval_s = 15
aggregation_lag_s = 5
cross_cluster_path = "liqo"
candidates_per_site = 1

[sessions.load]
kind = "trace"
trace = "trace.csv"

[[sessions.applications]]
name = "app"
share = 1.0
mean_duration_s = 60
cpu_cores = 2.0
memory_mib = 1024
ms_per_frame = 4.0
frame_rate_fps = 50
bitrate_mbps = 10
protocol = "udp"
{render}
"#;

/// Runs [`TRACED`] on [`ONE_CLUSTER`] with `trace`; returns runs.csv's only row.
fn traced(
    tag: &str,
    gpu: &str,
    render: &str,
    trace: &str,
) -> std::collections::HashMap<String, String> {
    let dir = fresh_dir(tag);
    std::fs::create_dir_all(&dir).unwrap();
    let t = ONE_CLUSTER.replace("{gpu}", gpu);
    std::fs::write(dir.join("topology.toml"), t).unwrap();
    std::fs::write(
        dir.join("experiment.toml"),
        TRACED.replace("{render}", render),
    )
    .unwrap();
    std::fs::write(dir.join("trace.csv"), trace).unwrap();
    let out = dir.join("out");
    xrplace_ok(&[
        "run",
        "--quiet",
        "--no-figures",
        dir.join("experiment.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    common::csv_rows(&out.join("runs.csv")).remove(0)
}

fn number(row: &std::collections::HashMap<String, String>, name: &str) -> f64 {
    row[name].parse().unwrap_or(f64::NAN)
}

const ONE_SESSION: &str = "time_s,access_site,application,duration_s\n10,lab,app,60\n";
const FIVE_SESSIONS: &str = "time_s,access_site,application,duration_s\n\
10,lab,app,60\n11,lab,app,60\n12,lab,app,60\n13,lab,app,60\n14,lab,app,60\n";

#[test]
fn the_render_time_on_the_cluster_s_gpu_adds_to_a_session_s_latency() {
    let l4 = r#"gpu = { model = "l4", per_node = 1 }"#;
    let cpu_only = traced("cpu-only", l4, "", ONE_SESSION);
    let rendered = traced("rendered", l4, "gpu_render_ms_per_frame = 6.0", ONE_SESSION);
    // 6 ms on the A10 is 6 x 31.2 / 30.3 = 6.17822 ms on an L4 (FP32 TFLOPS ratio, the
    // datasheets' figures), added to every frame's latency.
    let added = number(&rendered, "latency_mean_ms") - number(&cpu_only, "latency_mean_ms");
    assert!((added - 6.0 * 31.2 / 30.3).abs() < 0.01, "added {added} ms");
}

#[test]
fn admission_refuses_gpu_sessions_past_the_slots_though_cores_are_free() {
    // One L4 time-sliced 4 ways: 4 slots. Five sessions of 2 cores each arrive within 5 s
    // and stay 60 s: 10 of 16 cores would do, but the fifth finds no GPU slot.
    let ts = r#"gpu = { model = "l4", per_node = 1, sharing = "time-slicing", replicas = 4 }"#;
    let row = traced("slots", ts, "gpu_render_ms_per_frame = 2.0", FIVE_SESSIONS);
    assert_eq!(number(&row, "admitted"), 4.0);
    assert_eq!(number(&row, "rejected"), 1.0);
    // Without GPUs, a GPU application is admitted nowhere.
    let none = traced("no-gpu", "", "gpu_render_ms_per_frame = 2.0", ONE_SESSION);
    assert_eq!(number(&none, "admitted"), 0.0);
}
