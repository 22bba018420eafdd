//! End-to-end tests of the exporter against each apply-time defect class it once had: the
//! export of a plan exhibiting the class shows the fix, and the export lint
//! (`xrplace check DIR`) finds the defect when it is put back by hand (so every rule can
//! fail). Plans that cannot be fixed are refused with exit code 2 (`tests/malformed-plans`).

use crate::common;

use common::{
    export_fresh as export, export_shipped as shipped, files_under, fresh_dir, keep_for_schemas,
    lint_export as lint, stderr, xrplace, xrplace_ok, SHIPPED_PLAN,
};
use serde_yaml_ng::Value;
use std::path::{Path, PathBuf};

/// The shipped plan with `edits` (from, to) applied, written under `dir`.
fn plan_variant(dir: &Path, edits: &[(&str, &str)]) -> PathBuf {
    plan_variant_with(dir, |mut text| {
        for (from, to) in edits {
            assert!(text.contains(from), "plan has no {from:?}");
            text = text.replacen(from, to, 1);
        }
        text
    })
}

/// The shipped plan rewritten by `edit`, written under `dir`.
fn plan_variant_with(dir: &Path, edit: impl FnOnce(String) -> String) -> PathBuf {
    let text = edit(
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SHIPPED_PLAN)).unwrap(),
    );
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join("plan.toml");
    std::fs::write(&p, text).unwrap();
    p
}

/// `xrplace export` of the shipped plan into `out` with `--force`.
fn export_forced(out: &Path) -> std::process::Output {
    xrplace(&[
        "export",
        SHIPPED_PLAN,
        "--out",
        out.to_str().unwrap(),
        "--force",
    ])
}

/// Asserts the export lints clean: no error, no warning but the shipped plan's
/// placeholders.
fn lints_clean(dir: &Path) {
    let (code, out) = lint(dir);
    assert_eq!(code, Some(0), "{out}");
    common::assert_lint_passes(&out);
}

/// Replaces `from` by `to` in `file` of the export and asserts the lint then reports
/// `rule` in that file.
fn tamper_is_caught(dir: &Path, file: &str, from: &str, to: &str, rule: &str) {
    let p = dir.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    let (code, out) = lint(dir);
    assert_eq!(
        code,
        Some(2),
        "{file}: {from:?} -> {to:?} not caught:\n{out}"
    );
    assert!(
        out.lines().any(|l| l.contains(rule)),
        "{rule} missing:\n{out}"
    );
    assert!(!out.contains("panicked"), "{out}");
    std::fs::write(&p, text).unwrap();
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn docs(dir: &Path, file: &str) -> Vec<Value> {
    serde_yaml_ng::Deserializer::from_str(&read(dir, file))
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .collect()
}

fn find<'a>(all: &'a [Value], kind: &str, name: &str) -> &'a Value {
    all.iter()
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

#[test]
fn shipped_plan_exports_lint_clean_valid_and_safe() {
    let out = shipped("clean");
    lints_clean(&out);
    keep_for_schemas(&out, "shipped");
    for f in files_under(&out)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
    {
        let rel = f.strip_prefix(&out).unwrap().to_str().unwrap().to_string();
        assert!(
            docs(&out, &rel).iter().all(|d| d["kind"] != "Secret"),
            "{rel} holds a Secret"
        );
        assert!(
            !read(&out, &rel).contains("privateKey"),
            "{rel} holds key material"
        );
    }
    for dir in ["management", "cluster-fra/offloading", "cluster-fra/app"] {
        assert!(out.join(dir).join("kustomization.yaml").is_file(), "{dir}");
    }
    let _ = std::fs::remove_dir_all(&out);
}

/// Class 1: `liqoctl install kubeadm` has no CIDR flags (it reads them from the cluster);
/// the k3s installer gets them.
#[test]
fn liqo_install_flags_match_each_installer() {
    let out = shipped("install");
    let kubeadm = read(&out, "cluster-fra/liqo-install.sh");
    assert!(kubeadm.contains("liqoctl install kubeadm") && !kubeadm.contains("--pod-cidr"));
    assert!(kubeadm.contains("--version v1.2.0"));
    tamper_is_caught(
        &out,
        "cluster-fra/liqo-install.sh",
        "--cluster-id",
        "--pod-cidr 10.64.0.0/18 \\\n  --cluster-id",
        "XR01",
    );
    let dir = fresh_dir("variant-install-k3s");
    let k3s = export(
        "install-k3s",
        &plan_variant(
            &dir,
            &[(
                "distribution = \"kubeadm\"\nprovider = \"openstack\"\nprovision = false",
                "distribution = \"k3s\"\nprovider = \"openstack\"\nprovision = false",
            )],
        ),
    );
    let script = read(&k3s, "cluster-fra/liqo-install.sh");
    assert!(script.contains("liqoctl install k3s") && script.contains("--pod-cidr 10.64.0.0/18"));
    lints_clean(&k3s);
    for d in [out, k3s, dir] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// Class 2: k3s gets the plan's CIDRs in its server configuration.
#[test]
fn k3s_control_plane_carries_the_plan_cidrs() {
    let out = shipped("k3s");
    let d = docs(&out, "management/edge-gva-1.yaml");
    let cp = find(&d, "KThreesControlPlane", "edge-gva-1-control-plane");
    let server = &cp["spec"]["kthreesConfigSpec"]["serverConfig"];
    assert_eq!(server["clusterCidr"], "10.64.64.0/18");
    assert_eq!(server["serviceCidr"], "10.32.16.0/20");
    tamper_is_caught(
        &out,
        "management/edge-gva-1.yaml",
        "clusterCidr: 10.64.64.0/18",
        "clusterCidr: 10.42.0.0/16",
        "XR02",
    );
    let _ = std::fs::remove_dir_all(&out);
}

/// Class 3: every virtual node offers what the plan placed on its cluster, which fits what
/// that cluster can schedule with the kubelet reserves the export sets.
#[test]
fn virtual_nodes_and_clusters_fit_what_is_placed() {
    let out = shipped("capacity");
    // Two renderers of 300m / 300 MiB on edge-gva-1 (liqoctl), one on edge-gva-2 (slice).
    let peer = read(&out, "cluster-fra/liqo-peer.sh");
    for flag in ["--cpu 600m", "--memory 600Mi", "--pods 2"] {
        assert!(peer.contains(flag), "{flag}: {peer}");
    }
    let slice = find(
        &docs(&out, "cluster-fra/peering-edge-gva-2/peering.yaml"),
        "ResourceSlice",
        "edge-gva-2",
    )
    .clone();
    assert_eq!(slice["spec"]["resources"]["cpu"], "300m");
    assert_eq!(slice["spec"]["resources"]["pods"], "1");
    let md = docs(&out, "management/edge-gva-1.yaml");
    let workers = find(&md, "KThreesConfigTemplate", "edge-gva-1-md-0");
    let args = workers["spec"]["template"]["spec"]["agentConfig"]["kubeletArgs"]
        .as_sequence()
        .unwrap();
    // m1.large, 4 vCPU / 8 GiB: 0.06 + 0.01 + 2 x 0.005 cores; 0.25 x 4 + 0.2 x 4 GiB.
    assert!(
        args.iter()
            .any(|a| a == "kube-reserved=cpu=80m,memory=1844Mi"),
        "{args:?}"
    );
    tamper_is_caught(
        &out,
        "cluster-fra/liqo-peer.sh",
        "--cpu 600m",
        "--cpu 60000m",
        "XR03",
    );
    tamper_is_caught(
        &out,
        "cluster-fra/liqo-peer.sh",
        "--pods 2",
        "--pods 1",
        "XR03",
    );
    tamper_is_caught(
        &out,
        "cluster-fra/liqo-peer.sh",
        "  --cpu 600m \\\n",
        "",
        "XR01",
    );
    tamper_is_caught(
        &out,
        "cluster-fra/app/workloads.yaml",
        "replicas: 2",
        "replicas: 60",
        "XR03",
    );
    tamper_is_caught(
        &out,
        "management/edge-gva-1.yaml",
        "kube-reserved=cpu=80m,memory=1844Mi",
        "kube-reserved=cpu=1m,memory=1Mi",
        "XR03",
    );
    let _ = std::fs::remove_dir_all(&out);
}

/// Class 4: gateway servers run on the hub; providers dial out, to an address that is not
/// a documentation range, and a NodePort hub gateway needs the address given.
#[test]
fn gateways_run_on_the_hub_and_are_dialled_out() {
    let out = shipped("gateway");
    let servers: Vec<PathBuf> = files_under(&out)
        .into_iter()
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("kind: GatewayServer")))
        .collect();
    assert_eq!(servers.len(), 1);
    assert!(
        servers[0].starts_with(out.join("cluster-fra")),
        "{servers:?}"
    );
    assert!(
        read(&out, "cluster-fra/liqo-peer.sh").contains("--gw-server-service-location Consumer")
    );
    // Without a fixed address the key script creates the client from the server's status.
    assert!(read(&out, "cluster-fra/liqo-peering-edge-gva-2-keys.sh")
        .contains("status.endpoint.addresses[0]"));
    tamper_is_caught(
        &out,
        "cluster-fra/liqo-peer.sh",
        "--gw-server-service-location Consumer",
        "--gw-server-service-location Provider",
        "XR04",
    );
    let dir = fresh_dir("variant-gateway-np");
    let np = export(
        "gateway-np",
        &plan_variant(
            &dir,
            &[(
                "service_type = \"LoadBalancer\"",
                "service_type = \"NodePort\"\naddress = \"198.18.0.10\"",
            )],
        ),
    );
    let client = find(
        &docs(&np, "edge-gva-2/peering-cluster-fra/peering.yaml"),
        "GatewayClient",
        "client",
    )
    .clone();
    assert_eq!(client["spec"]["endpoint"]["addresses"][0], "198.18.0.10");
    assert_eq!(client["spec"]["endpoint"]["port"], 32101);
    lints_clean(&np);
    tamper_is_caught(
        &np,
        "edge-gva-2/peering-cluster-fra/peering.yaml",
        "198.18.0.10",
        "192.0.2.10",
        "XR04",
    );
    for d in [out, np, dir] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// Class 5: a declarative peering holds everything Liqo's guide lists, key material made at
/// apply time, and the provider binds the user the hub authenticates as.
#[test]
fn declarative_peering_has_every_part() {
    let out = shipped("declarative");
    let hub = docs(&out, "cluster-fra/peering-edge-gva-2/peering.yaml");
    for kind in [
        "Namespace",
        "Configuration",
        "GatewayServer",
        "ResourceSlice",
    ] {
        assert!(hub.iter().any(|d| d["kind"] == kind), "{kind}");
    }
    let prov = docs(&out, "edge-gva-2/peering-cluster-fra/peering.yaml");
    let rb = find(
        &prov,
        "RoleBinding",
        "liqo-binding-liqo-remote-controlplane",
    );
    assert_eq!(rb["subjects"][0]["name"], "xrplace-liqo-cluster-fra");
    let keys = read(&out, "cluster-fra/liqo-peering-edge-gva-2-keys.sh");
    assert!(keys.contains("USER_CN=xrplace-liqo-cluster-fra") && keys.contains("kind: PublicKey"));
    tamper_is_caught(
        &out,
        "edge-gva-2/peering-cluster-fra/peering.yaml",
        "name: xrplace-liqo-cluster-fra",
        "name: liqo-cluster-fra",
        "XR05",
    );
    tamper_is_caught(
        &out,
        "cluster-fra/liqo-peering-edge-gva-2-keys.sh",
        "kind: PublicKey",
        "kind: Publickey",
        "XR05",
    );
    tamper_is_caught(
        &out,
        "edge-gva-2/peering-cluster-fra/peering.yaml",
        "kind: Tenant\n",
        "kind: Tenants\n",
        "XR05",
    );
    let _ = std::fs::remove_dir_all(&out);
}

/// Class 6: the namespace is labelled for Liqo's webhook and offloaded before the pods, in
/// separate stages with a wait between; kubelets carry the provider ID the cloud controller
/// needs; add-ons come with the clusters.
#[test]
fn offloading_precedes_pods_and_kubelets_carry_provider_ids() {
    let out = shipped("order");
    let stage1 = docs(&out, "cluster-fra/offloading/namespace.yaml");
    assert_eq!(
        find(&stage1, "Namespace", "xr-demo")["metadata"]["labels"]["liqo.io/scheduling-enabled"],
        "true"
    );
    let apply = read(&out, "apply.sh");
    let (o, w, a) = (
        apply.find("cluster-fra/offloading").unwrap(),
        apply.find("offloadingPhase").unwrap(),
        apply.find("cluster-fra/app").unwrap(),
    );
    assert!(o < w && w < a);
    tamper_is_caught(
        &out,
        "cluster-fra/offloading/namespace.yaml",
        "liqo.io/scheduling-enabled: 'true'",
        "liqo.io/scheduling-enabled: 'false'",
        "XR06",
    );
    tamper_is_caught(
        &out,
        "management/edge-gva-1.yaml",
        "      - provider-id=openstack:///{{ instance_id }}\n",
        "",
        "XR06",
    );
    tamper_is_caught(
        &out,
        "management/addons.yaml",
        "chartName: tigera-operator",
        "chartName: other-cni",
        "XR06",
    );
    let _ = std::fs::remove_dir_all(&out);
}

/// Class 7: every address range of every cluster is disjoint, Liqo's included, and each
/// peer's Configuration holds the peer's real ranges.
#[test]
fn address_ranges_are_disjoint() {
    let out = shipped("cidr");
    let values = read(&out, "management/edge-gva-1-liqo.yaml");
    for r in [
        "10.64.64.0/18",
        "10.32.16.0/20",
        "10.48.16.0/20",
        "10.16.16.0/20",
        "10.6.1.0/24",
    ] {
        assert!(values.contains(r), "{r}");
    }
    tamper_is_caught(
        &out,
        "management/edge-gva-1-liqo.yaml",
        "externalCIDR: 10.48.16.0/20",
        "externalCIDR: 10.64.0.0/20",
        "XR07",
    );
    tamper_is_caught(
        &out,
        "cluster-fra/peering-edge-gva-2/peering.yaml",
        "10.48.32.0/20",
        "10.70.0.0/16",
        "XR07",
    );
    let _ = std::fs::remove_dir_all(&out);
}

/// Class 8: providers and charts are pinned to releases.
#[test]
fn versions_are_pinned() {
    let out = shipped("versions");
    tamper_is_caught(
        &out,
        "clusterctl.yaml",
        "releases/v0.14.7/",
        "releases/latest/",
        "XR08",
    );
    tamper_is_caught(
        &out,
        "management/addons.yaml",
        "version: v3.32.2",
        "version: ''",
        "XR08",
    );
    tamper_is_caught(
        &out,
        "management/edge-gva-1.yaml",
        "infrastructure.cluster.x-k8s.io/v1beta1\nkind: OpenStackCluster",
        "infrastructure.cluster.x-k8s.io/v1beta2\nkind: OpenStackCluster",
        "XR08",
    );
    let _ = std::fs::remove_dir_all(&out);
}

/// Class 9: one Service per component and cluster, selecting only that cluster's replicas;
/// a NodePort opens exactly its port, only on the clusters that host it.
#[test]
fn each_service_keeps_users_on_its_cluster() {
    let dir = fresh_dir("variant-routing");
    let out = export(
        "routing",
        &plan_variant(&dir, &[("placements = [{ cluster = \"cluster-fra\", replicas = 1 }]", "placements = [{ cluster = \"cluster-fra\", replicas = 1 }, { cluster = \"edge-gva-1\", replicas = 1 }]")]),
    );
    lints_clean(&out);
    let app = docs(&out, "cluster-fra/app/workloads.yaml");
    let svc = find(&app, "Service", "video-streaming-media-server-edge-gva-1");
    assert_eq!(svc["spec"]["selector"]["xrplace.io/cluster"], "edge-gva-1");
    assert_eq!(svc["spec"]["ports"][0]["nodePort"], 30001);
    let os = |c: &str| {
        find(
            &docs(&out, &format!("management/{c}.yaml")),
            "OpenStackCluster",
            c,
        )
        .clone()
    };
    let rules =
        os("edge-gva-1")["spec"]["managedSecurityGroups"]["allNodesSecurityGroupRules"].clone();
    let rules = rules.as_sequence().unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(
        (
            rules[0]["portRangeMin"].clone(),
            rules[0]["portRangeMax"].clone()
        ),
        (Value::from(30001), Value::from(30001))
    );
    assert!(
        os("edge-gva-2")["spec"]["managedSecurityGroups"]["allNodesSecurityGroupRules"].is_null()
    );
    tamper_is_caught(
        &out,
        "management/edge-gva-1.yaml",
        "portRangeMax: 30001",
        "portRangeMax: 32767",
        "XR09",
    );
    tamper_is_caught(&out, "cluster-fra/app/workloads.yaml", "  selector:\n    app.kubernetes.io/name: renderer\n    app.kubernetes.io/part-of: video-streaming\n    xrplace.io/cluster: edge-gva-1\n", "  selector:\n    app.kubernetes.io/name: renderer\n    app.kubernetes.io/part-of: video-streaming\n", "XR09");
    for d in [out, dir] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// Class 10: free-text site names become DNS-safe labels (the original kept in an
/// annotation) and reach scripts quoted; a cluster name that is not a DNS label is refused
/// with a suggestion.
#[test]
fn free_text_site_names_export_to_safe_names_and_scripts() {
    let dir = fresh_dir("variant-names");
    let out = export(
        "names",
        &plan_variant(
            &dir,
            &[
                ("site = \"frankfurt\"", "site = \"Zürich 1\""),
                ("site = \"geneva\"", "site = \"Genève (CERN) $(reboot)\""),
            ],
        ),
    );
    lints_clean(&out);
    keep_for_schemas(&out, "variant-names");
    let c = find(
        &docs(&out, "management/edge-gva-1.yaml"),
        "Cluster",
        "edge-gva-1",
    )
    .clone();
    assert_eq!(
        c["metadata"]["labels"]["xrplace.io/site"],
        "geneve-cern-reboot"
    );
    assert_eq!(
        c["metadata"]["annotations"]["xrplace.io/site-name"],
        "Genève (CERN) $(reboot)"
    );
    let install = read(&out, "cluster-fra/liqo-install.sh");
    assert!(install.contains("xrplace.io/site=zurich-1,"), "{install}");
    tamper_is_caught(
        &out,
        "cluster-fra/liqo-install.sh",
        "xrplace.io/site=zurich-1,xrplace.io/tier=cloud",
        "xrplace.io/site=Zürich $(reboot)",
        "XR10",
    );
    let bad = plan_variant(
        &dir.join("bad"),
        &[("name = \"edge-gva-1\"", "name = \"Genève 1\"")],
    );
    let o = xrplace(&[
        "export",
        bad.to_str().unwrap(),
        "--out",
        dir.join("x").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("\"geneve-1\""), "{}", stderr(&o));
    for d in [out, dir] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// Class 11: the export owns its folder: a re-export replaces exactly what the previous
/// one wrote, foreign files are refused unless forced (and then kept), and a failed export
/// leaves the previous one untouched.
#[test]
fn the_export_owns_its_folder() {
    let out = shipped("owned");
    let dir = fresh_dir("variant-owned");
    // The plan without its second new cluster (its block, peering, offloading, placement).
    let smaller = plan_variant_with(&dir, |text| {
        let start = text.find("[[clusters]]\nname = \"edge-gva-2\"").unwrap();
        let end = text[start..].find("[[peerings]]").unwrap() + start;
        let text = format!("{}{}", &text[..start], &text[end..]);
        text.replacen("[[peerings]]\nconsumer = \"cluster-fra\"\nprovider = \"edge-gva-2\"\ndeclarative = true\n", "", 1)
            .replacen("clusters = [\"edge-gva-1\", \"edge-gva-2\"]", "clusters = [\"edge-gva-1\"]", 1)
            .replacen(", { cluster = \"edge-gva-2\", replicas = 1 }", "", 1)
    });
    let run = |extra: &[&str]| {
        let mut args = vec![
            "export",
            smaller.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        xrplace(&args)
    };
    // Re-export: the dropped cluster's files are gone, the folder lints clean.
    assert!(run(&[]).status.success());
    assert!(!out.join("edge-gva-2").exists() && !out.join("management/edge-gva-2.yaml").exists());
    lints_clean(&out);
    // A foreign file: refused, and nothing changes.
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let before: Vec<(PathBuf, Vec<u8>)> = files_under(&out)
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    let o = xrplace(&["export", SHIPPED_PLAN, "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("notes.txt") && stderr(&o).contains("--force"));
    let after: Vec<(PathBuf, Vec<u8>)> = files_under(&out)
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    assert_eq!(before, after);
    let (code, lint_out) = lint(&out);
    assert_eq!(code, Some(2));
    assert!(
        lint_out.contains("notes.txt") && lint_out.contains("XR11"),
        "{lint_out}"
    );
    // Forced: the foreign file stays, the export is the shipped plan's.
    let o = export_forced(&out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    assert!(out.join("management/edge-gva-2.yaml").is_file());
    for d in [out, dir] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// Kubeconfigs live outside the export folder: every script reads them from
/// `$KUBECONFIG_DIR`, by default `~/.kube/xrplace/<experiment>`, and `apply.sh` writes the new
/// clusters' there for the owner alone; one left inside the folder is named as a credential
/// by XR11.
#[test]
fn kubeconfigs_stay_outside_the_export_folder() {
    let out = shipped("kubeconfigs");
    let scripts: Vec<PathBuf> = files_under(&out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .collect();
    let mut reading = 0;
    for p in &scripts {
        let text = std::fs::read_to_string(p).unwrap();
        assert!(!text.contains("./kubeconfigs"), "{}", p.display());
        if text.contains("$DIR") {
            reading += 1;
            assert!(
                text.contains("PLAN_NAME=study-fra-gva\nDIR=\"${KUBECONFIG_DIR:-$HOME/.kube/xrplace/$PLAN_NAME}\""),
                "{}",
                p.display()
            );
        }
    }
    assert!(
        reading >= 2,
        "apply.sh and the peering scripts read kubeconfigs"
    );
    let apply = std::fs::read_to_string(out.join("apply.sh")).unwrap();
    let umask = apply
        .find("umask 077")
        .expect("apply.sh keeps kubeconfigs private");
    assert!(umask < apply.find("clusterctl get kubeconfig").unwrap());
    let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(readme.contains("~/.kube/xrplace/study-fra-gva"), "{readme}");
    std::fs::create_dir_all(out.join("kubeconfigs")).unwrap();
    std::fs::write(
        out.join("kubeconfigs/edge-gva-1.kubeconfig"),
        "apiVersion: v1\n",
    )
    .unwrap();
    let (code, lint_out) = lint(&out);
    assert_eq!(code, Some(2));
    assert!(
        lint_out.contains("XR11") && lint_out.contains("a kubeconfig (a credential)"),
        "{lint_out}"
    );
    // Any experiment name gives one safe folder name.
    let dir = fresh_dir("kubeconfigs-name");
    let named = export(
        "kubeconfigs-name",
        &plan_variant(
            &dir,
            &[(
                "experiment = \"study-fra-gva\"",
                "experiment = \"Genève/../$(reboot) pilot\"",
            )],
        ),
    );
    let apply = std::fs::read_to_string(named.join("apply.sh")).unwrap();
    assert!(apply.contains("PLAN_NAME=geneve-reboot-pilot\n"), "{apply}");
    for d in [out, named, dir] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// `export --verify` lints what it wrote; `check` refuses a folder that is no export.
#[test]
fn verify_and_check_on_folders() {
    let out = fresh_dir("export-verify");
    xrplace_ok(&[
        "export",
        SHIPPED_PLAN,
        "--out",
        out.to_str().unwrap(),
        "--verify",
    ]);
    let empty = fresh_dir("export-not-one");
    std::fs::create_dir_all(&empty).unwrap();
    let (code, msg) = lint(&empty);
    assert_eq!(code, Some(2));
    assert!(msg.contains("not an export folder"), "{msg}");
    for d in [out, empty] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// The monitoring runs as simulated: the plan's scrape interval and lag in every cluster's
/// Prometheus, remote writes from the other clusters to the hub's Receive through its
/// offloaded namespace, a PodMonitor on every component's `metrics` port, and the SLO
/// rules over the plan's window.
#[test]
fn monitoring_is_deployed_as_simulated() {
    let dir = fresh_dir("export-monitoring-plan");
    let plan = plan_variant_with(&dir, |t| {
        t + "\n[monitoring]\nscrape_interval_s = 10.0\naggregation_lag_s = 2.5\nslo_latency_ms = 12.0\nslo_window_s = 7200.0\n"
    });
    let out = export("monitoring", &plan);
    lints_clean(&out);
    keep_for_schemas(&out, "variant-monitoring");
    let values = |text: &str| -> Value { serde_yaml_ng::from_str(text).unwrap() };
    let proxies = docs(&out, "management/monitoring.yaml");
    for name in ["edge-gva-1", "edge-gva-2"] {
        let p = find(&proxies, "HelmChartProxy", &format!("monitoring-{name}"));
        assert_eq!(
            p["spec"]["clusterSelector"]["matchLabels"]["xrplace.io/cluster"],
            name
        );
        let v = values(p["spec"]["valuesTemplate"].as_str().unwrap());
        let spec = &v["prometheus"]["prometheusSpec"];
        assert_eq!(spec["scrapeInterval"], "10s");
        assert_eq!(spec["evaluationInterval"], "10s");
        assert_eq!(spec["externalLabels"]["cluster"], name);
        assert!(spec["thanos"]["version"].as_str().unwrap().starts_with('v'));
        let rw = &spec["remoteWrite"][0];
        assert_eq!(rw["queueConfig"]["batchSendDeadline"], "2500ms");
        assert_eq!(
            rw["url"],
            "http://thanos-receive.xr-monitoring.svc.cluster.local:19291/api/v1/receive"
        );
    }
    // The hub keeps its own data (its sidecar answers the Query) and writes nowhere.
    let script = read(&out, "cluster-fra/monitoring-install.sh");
    let (_, body) = script.split_once("<<'VALUES'\n").unwrap();
    let hub = values(body.split_once("VALUES\n").unwrap().0);
    assert_eq!(hub["prometheus"]["prometheusSpec"]["scrapeInterval"], "10s");
    assert!(hub["prometheus"]["prometheusSpec"]["remoteWrite"].is_null());
    assert_eq!(hub["prometheus"]["thanosService"]["enabled"], true);
    let apply = read(&out, "apply.sh");
    assert!(
        apply.find("monitoring-install.sh").unwrap()
            < apply.find("-k ./cluster-fra/monitoring").unwrap()
    );
    assert!(
        apply.find("-k ./cluster-fra/monitoring").unwrap()
            < apply.find("-k ./cluster-fra/app").unwrap()
    );

    let ns = docs(&out, "cluster-fra/offloading/monitoring-namespace.yaml");
    let off = find(&ns, "NamespaceOffloading", "offloading");
    assert_eq!(off["metadata"]["namespace"], "xr-monitoring");
    assert_eq!(off["spec"]["podOffloadingStrategy"], "Local");
    assert_eq!(off["spec"]["namespaceMappingStrategy"], "EnforceSameName");
    let thanos = docs(&out, "cluster-fra/monitoring/thanos.yaml");
    let receive = find(&thanos, "Deployment", "thanos-receive");
    let args = receive["spec"]["template"]["spec"]["containers"][0]["args"]
        .as_sequence()
        .unwrap();
    assert!(args.iter().any(|a| a == "--tsdb.retention=24h"), "{args:?}");
    let query = find(&thanos, "Deployment", "thanos-query");
    let q = serde_yaml_ng::to_string(&query["spec"]["template"]["spec"]["containers"][0]["args"])
        .unwrap();
    assert!(
        q.contains("xr-prom-thanos-discovery.monitoring.svc.cluster.local:10901"),
        "{q}"
    );
    assert!(
        q.contains("thanos-receive.xr-monitoring.svc.cluster.local:10901"),
        "{q}"
    );

    let monitor = docs(&out, "cluster-fra/app/monitoring.yaml");
    let pm = find(&monitor, "PodMonitor", "xr-components");
    assert_eq!(pm["spec"]["podMetricsEndpoints"][0]["port"], "metrics");
    assert_eq!(pm["spec"]["podMetricsEndpoints"][0]["interval"], "10s");
    for d in docs(&out, "cluster-fra/app/workloads.yaml")
        .iter()
        .filter(|d| d["kind"] == "Deployment")
    {
        let ports = &d["spec"]["template"]["spec"]["containers"][0]["ports"];
        assert!(
            ports
                .as_sequence()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "metrics" && p["containerPort"] == 9400),
            "{:?} has no metrics port",
            d["metadata"]["name"]
        );
    }
    let rules = docs(&out, "cluster-fra/monitoring/rules.yaml");
    let group = &find(&rules, "PrometheusRule", "xrplace-slo")["spec"]["groups"][0];
    assert_eq!(group["interval"], "10s");
    let text = serde_yaml_ng::to_string(group).unwrap();
    assert!(
        text.contains("xrplace_session_over_budget_seconds_total[2h]"),
        "{text}"
    );
    assert!(text.contains("> 0.01"), "{text}");
    assert!(text.contains("12 ms"), "{text}");

    // The lint holds the monitoring to the plan.
    let rule = "XR13 monitoring-as-simulated";
    tamper_is_caught(
        &out,
        "management/monitoring.yaml",
        "batchSendDeadline: 2500ms",
        "batchSendDeadline: 30s",
        rule,
    );
    tamper_is_caught(
        &out,
        "cluster-fra/monitoring-install.sh",
        "scrapeInterval: 10s",
        "scrapeInterval: 1m",
        rule,
    );
    tamper_is_caught(
        &out,
        "cluster-fra/monitoring/rules.yaml",
        "seconds_total[2h]",
        "seconds_total[1h]",
        rule,
    );
    tamper_is_caught(
        &out,
        "cluster-fra/monitoring/rules.yaml",
        "interval: 10s",
        "interval: 1m",
        rule,
    );
    let _ = std::fs::remove_dir_all(&out);
}

/// Links in an export folder are neither read by `check` nor written through by `export
/// --force`: a link to /etc/passwd is not linted as a manifest, and a linked sub-folder
/// does not carry the export outside the output.
#[test]
fn links_in_an_export_folder_are_refused_by_check_and_export() {
    let out = fresh_dir("export-links");
    xrplace_ok(&["export", SHIPPED_PLAN, "--out", out.to_str().unwrap()]);
    std::os::unix::fs::symlink("/etc/passwd", out.join("users.yaml")).unwrap();
    let (code, text) = lint(&out);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("users.yaml") && text.contains("symbolic link"),
        "{text}"
    );
    std::fs::remove_file(out.join("users.yaml")).unwrap();
    // A cluster's folder replaced by a link to a folder outside the output.
    let outside = fresh_dir("export-links-outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::remove_dir_all(out.join("cluster-fra")).unwrap();
    std::os::unix::fs::symlink(&outside, out.join("cluster-fra")).unwrap();
    let o = export_forced(&out);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("cluster-fra") && stderr(&o).contains("symbolic link"));
    assert_eq!(
        std::fs::read_dir(&outside).unwrap().count(),
        0,
        "written outside the output"
    );
    for d in [out, outside] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// A forced export that cannot be written whole leaves the folder as it was: a file the
/// user keeps where the export needs a folder fails it after the manifests are built, and
/// none of them is left behind (the export is built beside the folder and swapped in).
#[test]
fn a_failed_forced_export_leaves_the_folder_as_it_was() {
    let out = fresh_dir("export-failed-forced");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("management"), "a file of mine").unwrap();
    let o = export_forced(&out);
    assert!(!o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert_eq!(files_under(&out), vec![out.join("management")]);
    assert_eq!(
        std::fs::read_to_string(out.join("management")).unwrap(),
        "a file of mine"
    );
    let parent = out.parent().unwrap();
    let name = out.file_name().unwrap().to_string_lossy().to_string();
    let leftovers: Vec<_> = std::fs::read_dir(parent)
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!(".{name}.xrplace-"))
        })
        .collect();
    assert!(leftovers.is_empty(), "staging left behind");
    let _ = std::fs::remove_dir_all(&out);
}

/// `--out .` with `--force` keeps the user's files and swaps the export in whole; a FIFO
/// in the folder is named and refused, never read.
#[test]
fn a_forced_export_into_the_current_folder_keeps_the_users_files() {
    let out = fresh_dir("export-dot");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join(SHIPPED_PLAN);
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_xrplace"))
            .args(["export", plan.to_str().unwrap(), "--out", ".", "--force"])
            .current_dir(&out)
            .output()
            .unwrap()
    };
    let o = run();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    assert!(out.join("apply.sh").is_file());
    if std::process::Command::new("mkfifo")
        .arg(out.join("pipe"))
        .status()
        .is_ok_and(|s| s.success())
    {
        let o = run();
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("pipe is not a regular file"),
            "{}",
            stderr(&o)
        );
    } else {
        panic!("mkfifo is needed to check that a FIFO in an export folder is refused");
    }
    let _ = std::fs::remove_dir_all(&out);
}

/// Every string of a plan that could reach a generated script, one at a time, set to a
/// value carrying a newline, quotes, `$(...)`, backticks or `;` with a command in it: the
/// export either refuses it (exit 2, nothing written) or writes scripts that, run with
/// `kubectl`, `clusterctl`, `liqoctl`, `helm` and the other tools they call replaced by
/// stubs, never run the injected command.
#[test]
fn hostile_plan_values_never_run_as_commands() {
    let dir = fresh_dir("export-inject");
    let stubs = dir.join("stubs");
    std::fs::create_dir_all(&stubs).unwrap();
    let log = dir.join("calls.log");
    for tool in [
        "kubectl",
        "clusterctl",
        "liqoctl",
        "helm",
        "kustomize",
        "wg",
        "openssl",
        "curl",
        "jq",
        "base64",
        "sleep",
    ] {
        let p = stubs.join(tool);
        // Prints an address for `get`s the scripts wait on, so no loop waits for ever.
        std::fs::write(
            &p,
            format!(
                "#!/bin/sh\necho \"$0 $*\" >> '{}'\necho 10.0.0.1\nexit 0\n",
                log.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let canary = dir.join("CANARY");
    let c = canary.display().to_string();
    let payloads = [
        format!("x$(touch {c})"),
        format!("x`touch {c}`"),
        format!("x\"; touch {c}; echo \""),
        format!("x'; touch {c}; echo '"),
        format!("x\ntouch {c}\n"),
    ];
    let shipped =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SHIPPED_PLAN)).unwrap();
    let plan: toml::Table = toml::from_str(&shipped).unwrap();
    let mut fields = Vec::new();
    string_leaves(
        &toml::Value::Table(plan.clone()),
        &mut Vec::new(),
        &mut fields,
    );
    assert!(fields.len() > 30, "{} string fields", fields.len());
    let (mut refused, mut written) = (0, 0);
    for (i, path) in fields.iter().enumerate() {
        for (j, payload) in payloads.iter().enumerate() {
            let mut variant = toml::Value::Table(plan.clone());
            *leaf_mut(&mut variant, path) = toml::Value::String(payload.clone());
            let case = dir.join(format!("case-{i}-{j}"));
            std::fs::create_dir_all(&case).unwrap();
            let p = case.join("plan.toml");
            std::fs::write(&p, toml::to_string(&variant).unwrap()).unwrap();
            let out = case.join("out");
            let o = xrplace(&[
                "export",
                p.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ]);
            let what = format!("{} = {payload:?}", path.join("."));
            assert!(!stderr(&o).contains("panicked"), "{what}: {}", stderr(&o));
            if !o.status.success() {
                assert_eq!(o.status.code(), Some(2), "{what}: {}", stderr(&o));
                assert!(!out.exists(), "{what}: refused but wrote");
                refused += 1;
                continue;
            }
            written += 1;
            for script in files_under(&out)
                .into_iter()
                .filter(|f| f.extension().is_some_and(|e| e == "sh"))
            {
                let _ = std::process::Command::new("timeout")
                    .args(["10", "sh"])
                    .arg(&script)
                    .current_dir(&out)
                    .env("PATH", format!("{}:/usr/bin:/bin", stubs.display()))
                    .env("KUBECONFIG_DIR", case.join("kubeconfigs"))
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .status()
                    .unwrap();
                assert!(
                    !canary.exists(),
                    "{what}: {} ran the injected command",
                    script.display()
                );
            }
            std::fs::remove_dir_all(&case).unwrap();
        }
    }
    eprintln!(
        "{} fields x {} payloads: {refused} refused, {written} exported and run",
        fields.len(),
        payloads.len()
    );
    assert!(
        written > 0,
        "some values are free text the scripts must quote"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Paths (keys and array indices) of every string in `v`.
fn string_leaves(v: &toml::Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        toml::Value::String(_) => out.push(path.clone()),
        toml::Value::Table(t) => {
            for (k, x) in t {
                path.push(k.clone());
                string_leaves(x, path, out);
                path.pop();
            }
        }
        toml::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(i.to_string());
                string_leaves(x, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The value at `path` in `v`.
fn leaf_mut<'a>(v: &'a mut toml::Value, path: &[String]) -> &'a mut toml::Value {
    path.iter().fold(v, |v, step| match v {
        toml::Value::Table(t) => t.get_mut(step).unwrap(),
        toml::Value::Array(a) => &mut a[step.parse::<usize>().unwrap()],
        _ => unreachable!("a path into tables and arrays"),
    })
}

/// The export's own marker, replaced by a FIFO, is refused unread by `export` and `check`
/// (a read would block for ever).
#[test]
fn a_fifo_in_place_of_the_export_marker_is_refused_unread() {
    let out = shipped("marker-fifo");
    let marker = out.join("xrplace-export.toml");
    std::fs::remove_file(&marker).unwrap();
    let made = std::process::Command::new("mkfifo").arg(&marker).status();
    assert!(
        made.is_ok_and(|s| s.success()),
        "mkfifo is needed to check that a FIFO marker is refused"
    );
    let o = export_forced(&out);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("regular file"), "{}", stderr(&o));
    let (code, msg) = lint(&out);
    assert_eq!(code, Some(2), "{msg}");
    let _ = std::fs::remove_dir_all(&out);
}

/// On a k3s cluster kube-prometheus-stack scrapes no controller manager, scheduler,
/// kube-proxy or etcd: k3s runs them in its server, and the chart's alerts for them would
/// fire for ever (chart 88.5.3 values.yaml, "For k3s clusters"). A kubeadm cluster keeps
/// the chart's defaults. Turning one back on is XR14.
#[test]
fn k3s_clusters_scrape_no_control_plane_components_they_do_not_run() {
    let out = shipped("k3s-scrapes");
    let proxies = docs(&out, "management/monitoring.yaml");
    let values_of = |cluster: &str| -> Value {
        let p = proxies
            .iter()
            .find(|p| {
                p["kind"] == "HelmChartProxy"
                    && p["spec"]["chartName"] == "kube-prometheus-stack"
                    && p["spec"]["clusterSelector"]["matchLabels"]["xrplace.io/cluster"] == cluster
            })
            .unwrap_or_else(|| panic!("no kube-prometheus-stack proxy for {cluster}"));
        serde_yaml_ng::from_str(p["spec"]["valuesTemplate"].as_str().unwrap()).unwrap()
    };
    // edge-gva-1 is k3s, edge-gva-2 kubeadm (experiments/plans/study-fra-gva.toml).
    let (k3s, kubeadm) = (values_of("edge-gva-1"), values_of("edge-gva-2"));
    for c in [
        "kubeControllerManager",
        "kubeScheduler",
        "kubeProxy",
        "kubeEtcd",
    ] {
        assert_eq!(k3s[c]["enabled"], Value::Bool(false), "k3s {c}");
        assert!(kubeadm[c].is_null(), "kubeadm {c}: the chart's default");
    }
    tamper_is_caught(
        &out,
        "management/monitoring.yaml",
        "kubeScheduler:\n      enabled: false",
        "kubeScheduler:\n      enabled: true",
        "XR14",
    );
    let _ = std::fs::remove_dir_all(&out);
}

/// A namespace offloaded with `Remote` cannot hold the hub's own pods: Liqo's webhook adds
/// `liqo.io/type In virtual-node` to every term (v1.2.0 `pkg/webhooks/pod/mutations.go`),
/// so the media server pinned off virtual nodes would stay Pending. The export keeps
/// `LocalAndRemote`; switching it is XR15 (and the plan itself is refused,
/// `tests/malformed-plans/b23-remote-offloading-with-hub-pods.toml`).
#[test]
fn remote_offloading_with_pods_on_the_hub_is_caught() {
    let out = shipped("remote-offloading");
    tamper_is_caught(
        &out,
        "cluster-fra/offloading/namespace.yaml",
        "podOffloadingStrategy: LocalAndRemote",
        "podOffloadingStrategy: Remote",
        "XR15",
    );
    let _ = std::fs::remove_dir_all(&out);
}
