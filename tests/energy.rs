//! Energy and carbon of a session run against a hand computation: one cluster with set
//! idle and peak power, PUE and grid intensity, one session of known work for a known time.

use crate::common;

use common::{csv_rows, fresh_dir, xrplace_ok};

/// One cloud site "lab" (PUE 1.5, 200 gCO2e/kWh), one cluster of 2 nodes x 8 vCPU at 100 W
/// idle and 300 W peak per node, 1.6 cores of idle baseline.
const TOPOLOGY: &str = r#"
name = "energy-lab"

[[sites]]
name = "lab"
lat = 46.2
lon = 6.1
tier = "cloud"
pue = 1.5
grid_gco2e_per_kwh = 200.0

[[clusters]]
name = "k"
site = "lab"
nodes = 2
vcpu_per_node = 8
memory_gib_per_node = 32
distribution = "kubeadm"
provider = "openstack"
baseline_cpu_cores = 1.6
idle_watts_per_node = 100.0
peak_watts_per_node = 300.0
"#;

/// 100 s with scrapes every 15 s; one session from 10 s to 70 s that reserves 2 cores and
/// keeps 4 ms x 50 fps = 0.2 cores busy.
const EXPERIMENT: &str = r#"
name = "energy-lab"
duration_s = 100
runs = 1
seed = 1

[sessions]
topology = "topology.toml"
strategies = ["latency-greedy"]
slo_latency_ms = 50
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
"#;

const TRACE: &str = "time_s,access_site,application,duration_s\n10,lab,app,60\n";

fn figure(row: &std::collections::HashMap<String, String>, name: &str) -> f64 {
    row[name].parse().unwrap_or(f64::NAN)
}

#[test]
fn a_run_s_energy_and_carbon_match_the_hand_computation() {
    let dir = fresh_dir("lab");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("topology.toml"), TOPOLOGY).unwrap();
    std::fs::write(dir.join("experiment.toml"), EXPERIMENT).unwrap();
    std::fs::write(dir.join("trace.csv"), TRACE).unwrap();
    let out = dir.join("out");
    xrplace_ok(&[
        "run",
        "--quiet",
        dir.join("experiment.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let rows = csv_rows(&out.join("runs.csv"));
    let r = &rows[0];
    // Cores: 2 x 8 = 16. Busy share without the session 1.6 / 16 = 0.1, with it
    // (1.6 + 0.2) / 16 = 0.1125. Per node P(u) = 100 + (300 - 100) u W, so the cluster
    // draws 2 (100 + 20) = 240 W without and 2 (100 + 22.5) = 245 W with the session.
    // The scrapes at 15, 30, 45 and 60 s see the session (60 s); those at 75 and 90 s
    // and the end at 100 s do not (40 s). IT energy 245 x 60 + 240 x 40 = 24,300 J
    // = 0.00675 kWh; facility x 1.5 = 36,450 J = 0.010125 kWh; carbon
    // 0.010125 kWh x 200 g/kWh = 2.025 g = 0.002025 kg.
    let close = |name: &str, want: f64| {
        let got = figure(r, name);
        assert!((got - want).abs() < 2e-6, "{name}: {got}, expected {want}");
    };
    close("energy_it_kwh", 0.00675);
    close("energy_kwh", 0.010125);
    close("carbon_kg", 0.002025);
    // The session's part: dynamic 2 x 200 W x 0.2 / 16 = 5 W (its share of the busy
    // cores); idle 2 x 100 W x 2 / 16 = 25 W (its share of the reserved cores): 30 W for
    // 60 s = 1,800 J, x 1.5 = 2,700 J = 0.00075 kWh; carbon 0.15 g. Per session-hour:
    // 0.75 Wh over 60 s = 1/60 h is 45 Wh.
    close("session_energy_kwh", 0.00075);
    close("session_carbon_kg", 0.00015);
    close("energy_wh_per_session_hour", 45.0);
}
