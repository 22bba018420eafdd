//! `xrplace export` of plans built on clusters that run already (issue 32): it emits only
//! what changes. A plan of record (every cluster existing, every peering up) exports no
//! Cluster API object, no peering and no Liqo install, only the workloads, the offloading
//! and the monitoring; a plan that grows one existing Cluster API-managed cluster and adds
//! one new cluster exports exactly one scale step and one new Cluster. Both lint clean and
//! pass the shared manifest validator and shellcheck (both in `.ci/run`). Resizing an
//! existing cluster with no MachineDeployment to scale is refused with a located error.

use crate::common;

use common::{export_fresh, files_under, fresh_dir, keep_for_schemas, stderr, xrplace};
use std::path::{Path, PathBuf};

const SHIPPED_PLAN: &str = "experiments/plans/study-fra-gva.toml";

/// The shipped plan (hub cluster-fra existing; edge-gva-1 and edge-gva-2 new, peered with
/// `liqoctl peer` and declaratively) rewritten by `edit`, written under `dir`.
fn plan_variant(dir: &Path, edit: impl FnOnce(&mut toml::Table)) -> PathBuf {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SHIPPED_PLAN)).unwrap();
    let mut plan: toml::Table = toml::from_str(&text).unwrap();
    edit(&mut plan);
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join("plan.toml");
    std::fs::write(&p, toml::to_string(&plan).unwrap()).unwrap();
    p
}

fn tables<'a>(plan: &'a mut toml::Table, key: &str) -> Vec<&'a mut toml::Table> {
    plan.get_mut(key)
        .and_then(|v| v.as_array_mut())
        .unwrap_or_else(|| panic!("plan has no {key}"))
        .iter_mut()
        .map(|v| v.as_table_mut().unwrap())
        .collect()
}

/// The shipped plan as `import k8s` would write it for the estate it describes, applied:
/// every cluster existing, every peering up.
fn as_record(plan: &mut toml::Table) {
    plan.insert("method".into(), "import".into());
    for k in tables(plan, "clusters") {
        k.insert("provision".into(), false.into());
        k.insert("worker_flavor".into(), "".into());
    }
    for p in tables(plan, "peerings") {
        p.insert("existing".into(), true.into());
    }
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Every file of the export, relative to it.
fn relative_files(dir: &Path) -> Vec<String> {
    files_under(dir)
        .iter()
        .map(|p| p.strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect()
}

/// The `kind`s of every YAML document of the export.
fn kinds(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for f in relative_files(dir).iter().filter(|f| f.ends_with(".yaml")) {
        for d in serde_yaml_ng::Deserializer::from_str(&read(dir, f)) {
            let v: serde_yaml_ng::Value = serde::Deserialize::deserialize(d).unwrap();
            if let Some(k) = v["kind"].as_str() {
                out.push(k.to_string());
            }
        }
    }
    out
}

/// `xrplace check DIR` finds no error (only the intended warnings); the folder is kept for `.ci/run`, which holds every
/// set to the real schemas with the shared validator and its scripts to shellcheck.
fn checks_clean(dir: &Path, name: &str) {
    let o = xrplace(&["check", dir.to_str().unwrap()]);
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert_eq!(o.status.code(), Some(0), "{text}");
    common::assert_lint_passes(&text);
    keep_for_schemas(dir, name);
}

const CAPI_KINDS: [&str; 8] = [
    "Cluster",
    "MachineDeployment",
    "KThreesControlPlane",
    "KubeadmControlPlane",
    "OpenStackCluster",
    "OpenStackMachineTemplate",
    "HelmChartProxy",
    "ClusterResourceSet",
];

#[test]
fn a_plan_of_record_exports_only_workloads_offloading_and_monitoring() {
    let dir = fresh_dir("record-plan");
    let plan = plan_variant(&dir, as_record);
    let out = export_fresh("existing-record", &plan);
    let files = relative_files(&out);
    // No Cluster API, OpenStack or add-on object, nothing for the management cluster.
    assert!(
        !files.iter().any(|f| f.starts_with("management")),
        "{files:?}"
    );
    let kinds = kinds(&out);
    for k in CAPI_KINDS {
        assert!(!kinds.iter().any(|x| x == k), "a {k} was exported");
    }
    // No peering: no liqoctl peer, no declarative folder, no keys script, no gate.
    for f in &files {
        assert!(
            !f.contains("peering") && !f.ends_with("liqo-peer.sh"),
            "peering file {f}"
        );
        assert!(!f.ends_with("liqo-install.sh"), "Liqo reinstalled: {f}");
    }
    for k in ["GatewayServer", "GatewayClient", "ResourceSlice", "Tenant"] {
        assert!(!kinds.iter().any(|x| x == k), "a {k} was exported");
    }
    let apply = read(&out, "apply.sh");
    for absent in [
        "clusterctl",
        "liqoctl",
        "liqo-install.sh",
        "remote-cluster-id",
        "scale ",
    ] {
        assert!(
            !apply.contains(absent),
            "apply.sh runs {absent:?}:\n{apply}"
        );
    }
    // What is left: the workloads, the offloading and the monitoring, applied as before.
    for present in [
        "apply -k ./cluster-fra/offloading",
        "apply -k ./cluster-fra/monitoring",
        "apply -k ./cluster-fra/app",
    ] {
        assert!(apply.contains(present), "apply.sh lacks {present:?}");
    }
    for k in ["cluster-fra", "edge-gva-1", "edge-gva-2"] {
        assert!(files.contains(&format!("{k}/monitoring-install.sh")), "{k}");
    }
    for k in ["Deployment", "NamespaceOffloading", "PrometheusRule"] {
        assert!(kinds.iter().any(|x| x == k), "no {k}");
    }
    let readme = read(&out, "README.md");
    assert!(readme.contains("What this export changes, and what it leaves"));
    assert!(readme.contains("The peering cluster-fra -> edge-gva-2: up already"));
    // cluster-fra has one node (the shipped plan's hub).
    assert!(readme.contains("(1 node, unchanged"), "{readme}");
    checks_clean(&out, "existing-record");
}

#[test]
fn growing_an_existing_cluster_and_adding_one_exports_one_scale_step_and_one_cluster() {
    let dir = fresh_dir("grow-plan");
    let plan = plan_variant(&dir, |p| {
        p.insert("method".into(), "import".into());
        for k in tables(p, "clusters") {
            // edge-gva-1 runs with 2 nodes; the plan grows it to its 3. edge-gva-2 is new.
            if k["name"].as_str() == Some("edge-gva-1") {
                k.insert("provision".into(), false.into());
                k.insert("existing_nodes".into(), 2.into());
                k.insert(
                    "machine_deployment".into(),
                    "xr-clusters/edge-gva-1-md-0".into(),
                );
            }
        }
        for x in tables(p, "peerings") {
            if x["provider"].as_str() == Some("edge-gva-1") {
                x.insert("existing".into(), true.into());
            }
        }
    });
    let out = export_fresh("existing-grow", &plan);
    let apply = read(&out, "apply.sh");
    assert_eq!(
        apply.matches("scale machinedeployment/").count(),
        1,
        "{apply}"
    );
    // 2 -> 3 nodes: one worker more, on the MachineDeployment the plan names.
    assert!(apply.contains("-n xr-clusters scale machinedeployment/edge-gva-1-md-0"));
    assert!(apply.contains("N=$((R + 1))"), "{apply}");
    let clusters: Vec<String> = kinds(&out).into_iter().filter(|k| k == "Cluster").collect();
    assert_eq!(clusters.len(), 1);
    assert!(read(&out, "management/edge-gva-2.yaml").contains("kind: Cluster\n"));
    assert!(!relative_files(&out)
        .iter()
        .any(|f| f.contains("edge-gva-1.yaml") || f.contains("peering-edge-gva-1")));
    // Only the new peering (edge-gva-2, declarative) gets a peering step and a gate.
    assert!(!apply.contains("liqo-peer.sh"), "{apply}");
    assert!(apply.contains("apply -k ./cluster-fra/peering-edge-gva-2"));
    assert_eq!(apply.matches("remote-cluster-id=").count(), 1, "{apply}");
    // The scale step comes before the peerings and the workloads.
    let at = |s: &str| apply.find(s).unwrap_or_else(|| panic!("no {s:?}"));
    assert!(at("scale machinedeployment/") < at("4/7 peerings"));
    let readme = read(&out, "README.md");
    assert!(
        readme.contains("`edge-gva-1` resized from 2 to 3 nodes"),
        "{readme}"
    );
    checks_clean(&out, "existing-grown");
}

#[test]
fn resizing_without_a_machine_deployment_or_a_new_cluster_with_existing_nodes_is_refused() {
    let dir = fresh_dir("refused-plan");
    let plan = plan_variant(&dir, |p| {
        as_record(p);
        for k in tables(p, "clusters") {
            if k["name"].as_str() == Some("edge-gva-1") {
                k.insert("existing_nodes".into(), 2.into());
            }
        }
    });
    let out = dir.join("out");
    let o = xrplace(&[
        "export",
        plan.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("plan.toml"), "{err}");
    assert!(err.contains("clusters[1].machine_deployment"), "{err}");
    assert!(err.contains("edge-gva-1"), "{err}");
    assert!(!out.exists());

    let plan = plan_variant(&dir, |p| {
        for k in tables(p, "clusters") {
            if k["name"].as_str() == Some("edge-gva-2") {
                k.insert("existing_nodes".into(), 1.into());
            }
        }
    });
    let o = xrplace(&["check", plan.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("clusters[2].existing_nodes"),
        "{}",
        stderr(&o)
    );

    let plan = plan_variant(&dir, |p| {
        for x in tables(p, "peerings") {
            x.insert("existing".into(), true.into());
        }
    });
    let o = xrplace(&["check", plan.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("peerings[0].existing"),
        "{}",
        stderr(&o)
    );
}
