//! GPUs in a topology (issue 36, first part): a topology with GPU clusters of every sharing
//! mode is valid, and, since no session table declares GPU work yet, a run on it gives the
//! same tables byte for byte as on the same topology without GPUs.

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
