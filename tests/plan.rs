//! End-to-end tests of `xrplace plan` and `xrplace export`: the planner finds a plan that
//! meets its SLO and beats the naive one, the exported manifests pin components to the
//! planned clusters' Liqo virtual nodes, and bad plans are refused with located errors. The
//! exports are held to the real upstream schemas with the shared validator in `.ci/run`.

use crate::common;

use common::{
    assert_located, corpus, files_under, fresh_dir, keep_for_schemas, stderr, xrplace, xrplace_ok,
};
use serde_yaml_ng::Value;
use std::path::{Path, PathBuf};

fn temp_dir(tag: &str) -> PathBuf {
    fresh_dir(&format!("plan-{tag}"))
}

/// Exports `plan` into `out` (with extra flags) and asserts it succeeded.
fn export(plan: &str, out: &Path, flags: &[&str]) -> std::process::Output {
    let mut args = vec!["export", plan, "--out", out.to_str().unwrap()];
    args.extend(flags);
    xrplace_ok(&args)
}

/// The hand-written plan shipped with the repository.
const SHIPPED_PLAN: &str = "experiments/plans/study-fra-gva.toml";

fn docs(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .collect()
}

fn field<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| &v[*k])
}

fn find<'a>(all: &'a [Value], kind: &str, name: &str) -> &'a Value {
    all.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

#[test]
fn pinned_component_lands_on_the_planned_virtual_node() {
    let out = temp_dir("pinned");
    let o = export(SHIPPED_PLAN, &out, &[]);
    assert!(
        stderr(&o).contains("NodePort"),
        "expected a NodePort warning"
    );
    let stage1 = docs(&out.join("cluster-fra/offloading/namespace.yaml"));
    let app = docs(&out.join("cluster-fra/app/workloads.yaml"));
    let off = find(&stage1, "NamespaceOffloading", "offloading");
    let ns = off["metadata"]["namespace"].as_str().unwrap();
    assert_eq!(ns, "xr-demo");
    assert_ne!(off["spec"]["podOffloadingStrategy"], "Local");
    let selected = field(off, &["spec", "clusterSelector", "nodeSelectorTerms"])[0]
        ["matchExpressions"][0]
        .clone();
    assert_eq!(selected["key"], "liqo.io/remote-cluster-id");
    for (cluster, replicas) in [("edge-gva-1", 2), ("edge-gva-2", 1)] {
        let d = find(
            &app,
            "Deployment",
            &format!("video-streaming-renderer-{cluster}"),
        );
        assert_eq!(d["metadata"]["namespace"], ns);
        assert_eq!(d["spec"]["replicas"], replicas);
        let sel = field(d, &["spec", "template", "spec", "nodeSelector"]);
        assert_eq!(sel["liqo.io/remote-cluster-id"], cluster);
        assert_eq!(sel["liqo.io/type"], "virtual-node");
        let values = selected["values"].as_sequence().unwrap();
        assert!(
            values.iter().any(|v| v == cluster),
            "{cluster} not offloaded"
        );
        let c = &d["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
        assert_eq!(c["resources"]["requests"]["cpu"], "300m");
    }
    let hub = find(
        &app,
        "Deployment",
        "video-streaming-media-server-cluster-fra",
    );
    let spec = &hub["spec"]["template"]["spec"];
    assert!(spec["nodeSelector"].is_null());
    assert_eq!(
        spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
            ["nodeSelectorTerms"][0]["matchExpressions"][0]["operator"],
        "NotIn"
    );
    assert_eq!(
        find(&app, "Service", "video-streaming-media-server-cluster-fra")["spec"]["type"],
        "NodePort"
    );
    for cluster in ["edge-gva-1", "edge-gva-2"] {
        let svc = find(
            &app,
            "Service",
            &format!("video-streaming-renderer-{cluster}"),
        );
        assert_eq!(svc["spec"]["type"], "ClusterIP");
        assert_eq!(svc["spec"]["selector"]["xrplace.io/cluster"], cluster);
    }
    // The new clusters' Cluster API objects, and no Secret anywhere in the export.
    let k3s = docs(&out.join("management/edge-gva-1.yaml"));
    assert_eq!(
        find(&k3s, "MachineDeployment", "edge-gva-1-md-0")["spec"]["replicas"],
        2
    );
    find(&k3s, "KThreesControlPlane", "edge-gva-1-control-plane");
    let kubeadm = docs(&out.join("management/edge-gva-2.yaml"));
    find(&kubeadm, "KubeadmControlPlane", "edge-gva-2-control-plane");
    for f in files_under(&out) {
        if f.extension().is_some_and(|e| e == "yaml") {
            assert!(docs(&f).iter().all(|d| d["kind"] != "Secret"), "{f:?}");
        }
    }
    assert!(std::fs::read_to_string(out.join("README.md"))
        .unwrap()
        .contains("kubectl apply -k management/"));
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn openstack_kinds_default_to_v1beta1_and_v1beta2_pins_a_capo_that_serves_them() {
    for (flag, version, capo) in [
        (None, "v1beta1", "v0.14.7"),
        (Some("--openstack-v1beta2"), "v1beta2", "v0.15.0-beta.0"),
    ] {
        let out = temp_dir(version);
        export(SHIPPED_PLAN, &out, &flag.into_iter().collect::<Vec<_>>());
        let k = docs(&out.join("management/edge-gva-1.yaml"));
        let osc = find(&k, "OpenStackCluster", "edge-gva-1");
        let api = format!("infrastructure.cluster.x-k8s.io/{version}");
        assert_eq!(osc["apiVersion"], api.as_str());
        let tpl = find(&k, "OpenStackMachineTemplate", "edge-gva-1-md-0");
        let flavor = &tpl["spec"]["template"]["spec"]["flavor"];
        assert!(flavor == "m1.large" || flavor["filter"]["name"] == "m1.large");
        let cp = find(&k, "KThreesControlPlane", "edge-gva-1-control-plane");
        assert_eq!(
            cp["spec"]["machineTemplate"]["infrastructureRef"]["apiVersion"],
            api.as_str()
        );
        let clusterctl = std::fs::read_to_string(out.join("clusterctl.yaml")).unwrap();
        assert!(
            clusterctl.contains(&format!("cluster-api-provider-openstack/releases/{capo}/")),
            "{clusterctl}"
        );
        let _ = std::fs::remove_dir_all(&out);
    }
}

/// Every malformed plan is refused with exit code 2 before anything is written, naming the
/// file, the line of its `# <-- error` marker and the field of its `# expect-field:` header.
#[test]
fn bad_plans_are_refused_with_located_errors() {
    for (rel, text) in corpus("tests/malformed-plans", 10) {
        let out = temp_dir("bad");
        let o = xrplace(&["export", &rel, "--out", out.to_str().unwrap()]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{rel}: {err}");
        assert_located(&rel, &text, &err);
        assert!(!out.exists(), "{rel}: wrote output");
        // `check` reads plans too, capacity included.
        assert_eq!(xrplace(&["check", &rel]).status.code(), Some(2), "{rel}");
    }
}

fn metric(plan: &toml::Table, name: &str) -> (f64, f64) {
    let m = plan["expected"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"].as_str() == Some(name))
        .unwrap();
    (m["mean"].as_float().unwrap(), m["ci95"].as_float().unwrap())
}

#[test]
fn plan_meets_its_slo_beats_naive_and_exports_valid_manifests() {
    let out = temp_dir("small");
    let o = xrplace(&[
        "plan",
        "tests/data/capacity-small.toml",
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(out.join("plan.toml")).unwrap();
    let plan: toml::Table = toml::from_str(&text).unwrap();
    let cost = plan["cost"].as_table().unwrap();
    let plan_usd = cost["plan_usd_per_day"].as_float().unwrap();
    let naive_usd = cost["naive_usd_per_day"].as_float().unwrap();
    assert!(plan_usd < naive_usd, "{plan_usd} vs naive {naive_usd}");
    let slo = plan["slo"].as_table().unwrap();
    let (v, v_ci) = metric(&plan, "slo_violation_ratio");
    let (p95, p95_ci) = metric(&plan, "latency_p95_ms");
    let (rej, rej_ci) = metric(&plan, "rejected_ratio");
    assert!(v + v_ci <= slo["max_violation_ratio"].as_float().unwrap());
    assert!(p95 + p95_ci <= slo["max_p95_latency_ms"].as_float().unwrap());
    assert!(rej + rej_ci <= slo["max_rejected_ratio"].as_float().unwrap());
    // The plan met the SLO in the search and again on fresh runs, and every cheaper plan
    // re-simulated on fresh runs missed it there.
    assert_eq!(plan["holdout_meets_slo"].as_bool(), Some(true));
    let held = plan["holdout"].as_array().unwrap();
    let held_violation = held
        .iter()
        .find(|m| m["metric"].as_str() == Some("slo_violation_ratio"))
        .unwrap();
    assert!(
        held_violation["mean"].as_float().unwrap() + held_violation["ci95"].as_float().unwrap()
            <= slo["max_violation_ratio"].as_float().unwrap()
    );
    // The chosen plan on ten further sets of fresh runs (`fresh_sets` default): a share
    // with its Wilson interval around it.
    let fresh = plan["fresh_runs"].as_table().unwrap();
    let (sets, met) = (
        fresh["sets"].as_integer().unwrap(),
        fresh["sets_meeting"].as_integer().unwrap(),
    );
    let p = fresh["meets_probability"].as_float().unwrap();
    assert_eq!(sets, 10);
    assert!((0..=sets).contains(&met));
    assert!((p - met as f64 / sets as f64).abs() < 1e-4);
    let (lo, hi) = (
        fresh["ci95_low"].as_float().unwrap(),
        fresh["ci95_high"].as_float().unwrap(),
    );
    assert!(0.0 <= lo && lo <= p && p <= hi && hi <= 1.0 && lo < hi);
    let table = std::fs::read_to_string(out.join("candidates.csv")).unwrap();
    let mut r = csv::Reader::from_reader(table.as_bytes());
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (c_phase, c_cost, c_meets) = (col("phase"), col("plan_usd_per_day"), col("meets_slo"));
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let cost = |x: &csv::StringRecord| x[c_cost].parse::<f64>().unwrap();
    assert!(rows.iter().any(|x| &x[c_phase] != "holdout"
        && &x[c_meets] == "true"
        && (cost(x) - plan_usd).abs() < 0.01));
    let passed: Vec<f64> = rows
        .iter()
        .filter(|x| &x[c_phase] == "holdout" && &x[c_meets] == "true")
        .map(cost)
        .collect();
    assert!(!passed.is_empty());
    let first_pass = passed.iter().cloned().fold(f64::INFINITY, f64::min);
    assert!(rows
        .iter()
        .filter(|x| &x[c_phase] == "holdout" && cost(x) < first_pass - 1.0)
        .all(|x| &x[c_meets] == "false"));
    // Same plan with one thread.
    let out1 = temp_dir("small-1");
    let o = xrplace(&[
        "plan",
        "tests/data/capacity-small.toml",
        "--out",
        out1.to_str().unwrap(),
        "--threads",
        "1",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(out1.join("plan.toml")).unwrap(),
        text.as_bytes()
    );
    assert_eq!(
        std::fs::read(out1.join("candidates.csv")).unwrap(),
        table.as_bytes()
    );
    // Its export: every component placed on a planned cluster, offloaded there.
    let manifests = out.join("manifests");
    export(out.join("plan.toml").to_str().unwrap(), &manifests, &[]);
    let hub = plan["hub"].as_str().unwrap();
    let app = docs(&manifests.join(hub).join("app/workloads.yaml"));
    assert!(app.iter().filter(|d| d["kind"] == "Deployment").count() >= 2);
    keep_for_schemas(&manifests, "capacity-small");
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_dir_all(&out1);
}

#[test]
fn an_slo_no_plan_meets_is_reported_without_a_plan_file() {
    let out = temp_dir("infeasible");
    std::fs::create_dir_all(&out).unwrap();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/capacity-small.toml"),
    )
    .unwrap()
    .replace("max_p95_latency_ms = 15", "max_p95_latency_ms = 2")
    .replace("../../topologies/", "TOPO/");
    let topo = Path::new(env!("CARGO_MANIFEST_DIR")).join("topologies/");
    let exp = out.join("infeasible.toml");
    std::fs::write(&exp, text.replace("TOPO/", topo.to_str().unwrap())).unwrap();
    std::fs::write(out.join("plan.toml"), "stale").unwrap();
    let o = xrplace(&[
        "plan",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("no candidate plan meets the SLO"));
    assert!(!out.join("plan.toml").exists(), "a stale plan survived");
    let table = std::fs::read_to_string(out.join("candidates.csv")).unwrap();
    assert!(table.lines().skip(1).all(|l| l.contains(",false,")));
    let _ = std::fs::remove_dir_all(&out);
}

/// The console names every strategy searched: its cheapest plan meeting the SLO, or that
/// the search dropped it, as `candidates.csv` records its plans.
#[test]
fn the_console_says_what_became_of_every_strategy() {
    let out = temp_dir("plan-strategies");
    let o = xrplace(&[
        "plan",
        "tests/data/capacity-small.toml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let said = String::from_utf8_lossy(&o.stdout);
    let mut r = csv::Reader::from_path(out.join("candidates.csv")).unwrap();
    let head = r.headers().unwrap().clone();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let (phase, strategy, meets) = (col("phase"), col("strategy"), col("meets_slo"));
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    for name in ["latency-greedy", "local-search"] {
        let met = rows
            .iter()
            .any(|x| &x[strategy] == name && &x[phase] != "holdout" && &x[meets] == "true");
        let line = said
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{name}:")))
            .unwrap_or_else(|| panic!("no line for {name}: {said}"));
        assert_eq!(line.contains("dropped"), !met, "{line}");
        assert_eq!(
            line.contains("cheapest plan meeting the SLO"),
            met,
            "{line}"
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}
