//! The estate's round of docs/import.md, end to end on the real binary: import the example
//! estate's objects (`import k8s`), import what its monitoring measured from a real
//! Prometheus started here (`import prometheus`, backfilled as `tests/import_prometheus.rs`
//! backfills it; Debian's package, which `.ci/run` installs), plan the estate for three
//! times the measured load (`plan` on the imported topology, the measured RTTs and the
//! imported trace at `scale = 3`, extending the plan of record), and export only the
//! changes. Every existing cluster stays existing, every peering that is up stays up, the
//! export provisions no cluster of the estate and scales each one the plan resized, and
//! both drift reports are written.

use crate::common;
use crate::estate;
use crate::server;
use common::{files_under, fresh_dir, stderr, xrplace, xrplace_ok};
use estate::{backfill, MILAN_ID, RANGE_S, STEP_S};
use server::prometheus_with;
use std::path::Path;
use xrplace::config::plan_file::load_plan;

const ESTATE: &str = "tests/fixtures/estate";

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The experiment of docs/import.md's example, in `dir` beside `estate/` and `measured/`.
const EXPERIMENT: &str = r#"name = "estate-3x"
description = "The imported estate planned for three times its measured load"
duration_s = 3600
runs = 2
seed = 7

[sessions]
topology = "estate/measured.toml"
strategies = ["latency-greedy", "network-aware"]
slo_latency_ms = 15
cross_cluster_path = "liqo"
capacity = "allocatable"

[sessions.load]
kind = "trace"
trace = "measured/trace.csv"
scale = 3

[[sessions.applications]]
name = "cloud-vr"
share = 0.7
mean_duration_s = 120
cpu_cores = 1.0
memory_mib = 3072
ms_per_frame = 2.0
frame_rate_fps = 72
bitrate_mbps = 50
protocol = "udp"

[[sessions.applications]]
name = "ar-assist"
share = 0.3
mean_duration_s = 300
cpu_cores = 1.0
memory_mib = 2048
ms_per_frame = 2.0
frame_rate_fps = 60
bitrate_mbps = 20
protocol = "udp"

[plan]
record = "estate/plan.toml"
candidate_tiers = ["edge"]
sizes_nodes = [2, 4, 8, 12]

[plan.slo]
max_violation_ratio = 0.01
max_p95_latency_ms = 15
max_rejected_ratio = 0.005
"#;

#[test]
#[ignore = "needs Debian's prometheus package (promtool, prometheus); .ci/run installs it and runs cargo test -- --include-ignored"]
fn an_imported_estate_is_planned_for_three_times_its_load_and_exported_as_changes() {
    let dir = fresh_dir("estate-e2e");
    std::fs::create_dir_all(&dir).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));

    // 1. The estate's objects.
    let estate = dir.join("estate");
    xrplace_ok(&[
        "import",
        "k8s",
        "--sites",
        s(&root.join(ESTATE).join("sites.toml")),
        s(&root.join(ESTATE)),
        "--out",
        s(&estate),
    ]);
    for f in ["topology.toml", "plan.toml", "drift.csv", "drift.svg"] {
        assert!(estate.join(f).exists(), "import k8s wrote no {f}");
    }
    let record = load_plan(&estate.join("plan.toml")).unwrap();

    // 2. What its monitoring measured over an hour.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let start = now / 3600 * 3600 - 7200;
    let b = backfill(start);
    let (_server, port) = prometheus_with(&dir, &b.om);
    let measured = dir.join("measured");
    xrplace_ok(&[
        "import",
        "prometheus",
        &format!("http://127.0.0.1:{port}"),
        "--topology",
        s(&estate.join("topology.toml")),
        "--start",
        &start.to_string(),
        "--end",
        &(start + RANGE_S).to_string(),
        "--step",
        &STEP_S.to_string(),
        "--cluster-id",
        &format!("{MILAN_ID}=edge-milan"),
        "--out",
        s(&measured),
    ]);
    let arrivals: u64 = b.arrivals.values().sum();
    let trace = std::fs::read_to_string(measured.join("trace.csv")).unwrap();
    let rows = trace
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("time_s"))
        .count() as u64;
    assert_eq!(rows, arrivals, "the trace holds every measured arrival");

    // 3. The imported topology with the measured RTTs, planned for 3 x the load.
    let topology = std::fs::read_to_string(estate.join("topology.toml")).unwrap();
    assert!(topology.contains("\n[routing]\n"), "{topology}");
    std::fs::write(
        estate.join("measured.toml"),
        topology.replacen(
            "\n[routing]\n",
            "\n[routing]\nmeasured_rtt_csv = \"../measured/rtt.csv\"\n",
            1,
        ),
    )
    .unwrap();
    let experiment = dir.join("estate-3x.toml");
    std::fs::write(&experiment, EXPERIMENT).unwrap();
    let planned = dir.join("planned");
    let o = xrplace(&["plan", s(&experiment), "--quiet", "--out", s(&planned)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let plan = load_plan(&planned.join("plan.toml")).unwrap();
    assert_eq!(plan.hub, record.hub, "the record's hub");
    for k in &record.clusters {
        let p = plan
            .cluster(&k.name)
            .unwrap_or_else(|| panic!("the plan dropped {}", k.name));
        assert!(!p.provision, "{} exists: never provisioned anew", k.name);
        assert_eq!(p.pod_cidr, k.pod_cidr, "{} keeps its ranges", k.name);
        match p.existing_nodes {
            Some(n) => assert_eq!(n, k.nodes, "{}", k.name),
            None => assert_eq!(p.nodes, k.nodes, "{}", k.name),
        }
    }
    // Every peering of the record between clusters the plan keeps is in the plan, up.
    for x in &record.peerings {
        let p = plan
            .peerings
            .iter()
            .find(|p| (&p.consumer, &p.provider) == (&x.consumer, &x.provider))
            .unwrap_or_else(|| panic!("{} -> {} lost", x.consumer, x.provider));
        assert!(p.existing, "{} -> {} is up", x.consumer, x.provider);
    }

    // 4. Only the changes exported.
    let manifests = dir.join("manifests");
    xrplace_ok(&[
        "export",
        s(&planned.join("plan.toml")),
        "--out",
        s(&manifests),
    ]);
    let check = xrplace(&["check", s(&manifests)]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let apply = std::fs::read_to_string(manifests.join("apply.sh")).unwrap();
    let yaml: String = files_under(&manifests)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    for k in &plan.clusters {
        let cluster = format!("kind: Cluster\nmetadata:\n  name: {}\n", k.name);
        assert_eq!(
            yaml.contains(&cluster),
            k.provision,
            "{}: a Cluster object",
            k.name
        );
        let scale = format!(
            "machinedeployment/{}",
            k.machine_deployment.rsplit('/').next().unwrap()
        );
        let resized = k.existing_nodes.is_some_and(|n| n != k.nodes);
        assert_eq!(
            !k.machine_deployment.is_empty() && apply.contains(&scale),
            resized,
            "{}: a scale step iff resized ({:?} -> {})",
            k.name,
            k.existing_nodes,
            k.nodes
        );
    }
    for x in plan.peerings.iter().filter(|p| p.existing) {
        let peer = manifests.join(&x.consumer).join("liqo-peer.sh");
        let script = std::fs::read_to_string(&peer).unwrap_or_default();
        assert!(
            !script.contains(&format!("\"$DIR\"/{}.kubeconfig", x.provider)),
            "{} -> {} is up: peered again in {script}",
            x.consumer,
            x.provider
        );
        for end in [&x.consumer, &x.provider] {
            assert!(
                !manifests.join(end).join("liqo-install.sh").exists(),
                "{end} runs Liqo already (a peering is up)"
            );
        }
    }

    // 5. Both drift reports.
    for d in [&estate, &measured] {
        let table = std::fs::read_to_string(d.join("drift.csv")).unwrap();
        assert!(table.lines().count() > 1, "{}: {table}", d.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
