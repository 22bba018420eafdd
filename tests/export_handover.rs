//! What the export hands its operator (issue 35): placeholders marked and listed, credentials
//! kept outside the export folder, SLO alerts routed to a receiver (or said to go nowhere),
//! and monitoring pods that request what the plan keeps free for them. Each defect is shown
//! fixed in a fresh export, then put back by hand to show `xrplace check` names it.

use crate::common;

use common::{
    export_fresh as export, export_shipped as shipped, fresh_dir, lint_export as lint, stderr,
    xrplace, SHIPPED_PLAN,
};
use serde_yaml_ng::Value;
use std::path::{Path, PathBuf};

/// The shipped plan rewritten by `edits` (from, to), written as `dir/plan.toml`.
fn plan_variant(dir: &Path, edits: &[(&str, &str)]) -> PathBuf {
    let mut text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SHIPPED_PLAN)).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "plan has no {from:?}");
        text = text.replacen(from, to, 1);
    }
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join("plan.toml");
    std::fs::write(&p, text).unwrap();
    p
}

/// Replaces `from` by `to` in `file` of the export, lints, and puts the file back.
fn lint_tampered(dir: &Path, file: &str, from: &str, to: &str) -> (Option<i32>, String) {
    let p = dir.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    let out = lint(dir);
    std::fs::write(&p, text).unwrap();
    assert!(!out.1.contains("panicked"), "{}", out.1);
    out
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The kube-prometheus-stack values `cluster-fra/monitoring-install.sh` (the existing hub)
/// passes to helm.
fn hub_values(dir: &Path) -> Value {
    let script = read(dir, "cluster-fra/monitoring-install.sh");
    let body = script.split_once("<<'VALUES'\n").unwrap().1;
    serde_yaml_ng::from_str(body.split_once("\nVALUES").unwrap().0).unwrap()
}

/// The values of every new cluster's kube-prometheus-stack HelmChartProxy.
fn proxy_values(dir: &Path) -> Vec<Value> {
    serde_yaml_ng::Deserializer::from_str(&read(dir, "management/monitoring.yaml"))
        .map(|d| <Value as serde::Deserialize>::deserialize(d).unwrap())
        .map(|p| serde_yaml_ng::from_str(p["spec"]["valuesTemplate"].as_str().unwrap()).unwrap())
        .collect()
}

fn lines_of<'a>(out: &'a str, rule: &str) -> Vec<&'a str> {
    out.lines().filter(|l| l.contains(rule)).collect()
}

#[test]
fn placeholders_are_listed_for_replacement_and_warned_about_until_replaced() {
    let out = shipped("placeholders");
    let readme = read(&out, "README.md");
    let section = readme
        .split_once("## Replace before applying")
        .expect("a section lists the placeholders")
        .1
        .split("\n## ")
        .next()
        .unwrap();
    for field in [
        "deploy.openstack.external_network_id",
        "deploy.openstack.image",
        "deploy.openstack.ssh_key_name",
    ] {
        assert!(section.contains(field), "{field} not listed:\n{section}");
    }
    let (code, text) = lint(&out);
    assert_eq!(
        code,
        Some(0),
        "placeholders warn, they do not fail:\n{text}"
    );
    let xr16 = lines_of(&text, "XR16");
    assert_eq!(xr16.len(), 3, "{text}");
    assert!(xr16.iter().all(|l| l.contains(": warning: ")), "{text}");

    // Real values: nothing to replace, nothing to warn about.
    let dir = fresh_dir("real-values");
    let real = export(
        "real-values",
        &plan_variant(
            &dir,
            &[
                (
                    "00000000-0000-0000-0000-000000000000",
                    "5f0a9b1e-1c2d-4e3f-8a9b-0c1d2e3f4a5b",
                ),
                ("\"<glance-image>\"", "\"ubuntu-2404-kube-v1.33.4\""),
                ("\"<nova-keypair>\"", "\"ops-2026\""),
            ],
        ),
    );
    assert!(!read(&real, "README.md").contains("Replace before applying"));
    let (code, text) = lint(&real);
    assert_eq!(code, Some(0), "{text}");
    assert!(lines_of(&text, "XR16").is_empty(), "{text}");
    // A placeholder put back into a manifest by hand is found there.
    let (code, text) = lint_tampered(
        &real,
        "management/edge-gva-2.yaml",
        "ubuntu-2404-kube-v1.33.4",
        "<glance-image>",
    );
    assert_eq!(code, Some(0), "{text}");
    assert!(
        lines_of(&text, "XR16")
            .iter()
            .any(|l| l.starts_with("management/edge-gva-2.yaml") && l.contains("image")),
        "{text}"
    );
    // A config copied from the templates before the convention still exports, flagged.
    let old = fresh_dir("old-template");
    let legacy = export(
        "old-template",
        &plan_variant(
            &old,
            &[(
                "00000000-0000-0000-0000-000000000000",
                "2f5ab8d4-4c5b-4d3e-9f1a-0b7d1c2e3f40",
            )],
        ),
    );
    assert!(read(&legacy, "README.md").contains("`2f5ab8d4-4c5b-4d3e-9f1a-0b7d1c2e3f40` |"));
    for d in [out, dir, real, old, legacy] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// A stand-in for kubectl that writes a manifest for `--dry-run=client -o yaml` and records
/// every call.
const FAKE_KUBECTL: &str = "#!/bin/sh\necho \"$*\" >> \"$FAKE_KUBECTL_LOG\"\ncase \"$*\" in\n  *--dry-run=client*) printf 'apiVersion: v1\\nkind: Secret\\nmetadata:\\n  name: cloud-config\\n' ;;\nesac\n";

/// The README's `sh` block that mentions `needle`.
fn readme_block(readme: &str, needle: &str) -> String {
    readme
        .split("```sh\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .find(|b| b.contains(needle))
        .unwrap_or_else(|| panic!("no sh block with {needle}"))
        .lines()
        .map(|l| format!("{}\n", l.trim_start()))
        .collect()
}

#[cfg(unix)]
#[test]
fn the_readme_keeps_openstack_credentials_outside_the_export_folder() {
    use std::os::unix::fs::PermissionsExt;
    let out = shipped("credentials");
    let readme = read(&out, "README.md");
    assert!(!readme.contains("> cloud-config.yaml"), "{readme}");
    let block = readme_block(&readme, "CREDENTIALS_DIR");
    // Run the README's commands from inside the export, as an operator would.
    let home = fresh_dir("credentials-home");
    let bin = home.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(bin.join("kubectl"), FAKE_KUBECTL).unwrap();
    std::fs::set_permissions(bin.join("kubectl"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let log = home.join("kubectl.log");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let o = std::process::Command::new("sh")
        .args(["-eu", "-c", &block])
        .current_dir(&out)
        .env("HOME", &home)
        .env("PATH", path)
        .env("FAKE_KUBECTL_LOG", &log)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("CREDENTIALS_DIR")
        .env_remove("KUBECONFIG_DIR")
        .env_remove("MANAGEMENT_KUBECONFIG")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let cred = home.join(".config/xrplace/study-fra-gva");
    let wrapped = cred.join("cloud-config.yaml");
    assert!(read(&cred, "cloud-config.yaml").contains("kind: Secret"));
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&cred), 0o700, "the credentials folder is the owner's");
    assert_eq!(
        mode(&wrapped),
        0o600,
        "the wrapped cloud.conf is the owner's"
    );
    let calls = std::fs::read_to_string(&log).unwrap();
    assert!(
        calls.contains(&format!(
            "--from-file=cloud-config.yaml={}",
            wrapped.display()
        )),
        "{calls}"
    );
    let (code, text) = lint(&out);
    assert_eq!(
        code,
        Some(0),
        "the README's commands leave the folder as exported:\n{text}"
    );
    assert!(lines_of(&text, "XR11").is_empty(), "{text}");
    // Written into the folder, as the README once said, each is named as a credential.
    for name in ["cloud-config.yaml", "clouds.yaml", "cloud.conf"] {
        std::fs::write(out.join(name), "apiVersion: v1\n").unwrap();
        let (code, text) = lint(&out);
        std::fs::remove_file(out.join(name)).unwrap();
        assert_eq!(code, Some(2), "{text}");
        let xr11 = lines_of(&text, "XR11");
        assert!(
            xr11.iter().any(|l| l.starts_with(name)
                && l.contains("OpenStack credential")
                && l.contains("$CREDENTIALS_DIR")),
            "{name}: {text}"
        );
    }
    for d in [out, home] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn slo_alerts_reach_the_plans_receiver_or_the_export_says_they_reach_nobody() {
    // The shipped plan names a Secret holding the webhook's URL.
    let out = shipped("alerts");
    let am = &hub_values(&out)["alertmanager"];
    let routes = am["config"]["route"]["routes"].as_sequence().unwrap();
    let slo = routes
        .iter()
        .find(|r| r["receiver"] == "xrplace-slo")
        .expect("a route of the SLO alerts");
    let matchers = serde_yaml_ng::to_string(&slo["matchers"]).unwrap();
    assert!(
        matchers.contains("XrSessionTimeOverBudget") && matchers.contains("XrSessionsRejected"),
        "{matchers}"
    );
    let hook = &am["config"]["receivers"][1]["webhook_configs"][0];
    assert_eq!(
        hook["url_file"],
        "/etc/alertmanager/secrets/xr-alert-webhook/url"
    );
    assert_eq!(
        am["alertmanagerSpec"]["secrets"][0], "xr-alert-webhook",
        "the Secret is mounted where url_file reads"
    );
    // The chart's null receiver and Watchdog route survive the replaced lists.
    assert!(routes.iter().any(|r| r["receiver"] == "null"));
    let readme = read(&out, "README.md");
    assert!(readme.contains("`xr-alert-webhook` (key `url`"), "{readme}");
    for new in proxy_values(&out) {
        assert!(
            new["alertmanager"]["config"].is_null(),
            "only the hub evaluates the SLO rules"
        );
    }
    let (code, text) = lint(&out);
    assert_eq!(code, Some(0), "{text}");
    assert!(lines_of(&text, "XR17").is_empty(), "{text}");
    // Put back by hand: routed to the chart's null receiver, or a credential written in.
    let file = "cluster-fra/monitoring-install.sh";
    for (from, to, says) in [
        ("receiver: xrplace-slo", "receiver: 'null'", "no route sends"),
        (
            "url_file: /etc/alertmanager/secrets/xr-alert-webhook/url",
            "url: https://hooks.ops.eu/x\n        http_config:\n          authorization:\n            credentials: s3cr3t",
            "holds a credential",
        ),
        ("    - xr-alert-webhook\n", "", "does not mount"),
    ] {
        let (code, text) = lint_tampered(&out, file, from, to);
        assert_eq!(code, Some(2), "{from:?} -> {to:?}:\n{text}");
        assert!(
            lines_of(&text, "XR17").iter().any(|l| l.contains(says)),
            "{says}:\n{text}"
        );
    }

    // A plain webhook URL with a bearer token from a Secret.
    let dir = fresh_dir("alerts-url");
    let url = export(
        "alerts-url",
        &plan_variant(
            &dir,
            &[(
                "url_secret = \"xr-alert-webhook\"",
                "webhook_url = \"https://alerts.ops.eu/hooks/xrplace?team=xr\"\ntoken_secret = \"xr-alert-token\"",
            )],
        ),
    );
    let hook = &hub_values(&url)["alertmanager"]["config"]["receivers"][1]["webhook_configs"][0];
    assert_eq!(hook["url"], "https://alerts.ops.eu/hooks/xrplace?team=xr");
    assert_eq!(
        hook["http_config"]["authorization"]["credentials_file"],
        "/etc/alertmanager/secrets/xr-alert-token/token"
    );
    let (code, text) = lint(&url);
    assert_eq!(code, Some(0), "{text}");
    assert!(lines_of(&text, "XR17").is_empty(), "{text}");

    // No receiver: the README and the lint say the alerts go nowhere.
    let none = fresh_dir("alerts-none");
    let silent = export(
        "alerts-none",
        &plan_variant(
            &none,
            &[(
                "[deploy.monitoring.alert_receiver]\nurl_secret = \"xr-alert-webhook\"\n",
                "",
            )],
        ),
    );
    assert!(
        read(&silent, "README.md").contains("these alerts go nowhere"),
        "the README says it plainly"
    );
    let (code, text) = lint(&silent);
    assert_eq!(code, Some(0), "a warning, not a failure:\n{text}");
    let xr17 = lines_of(&text, "XR17");
    assert!(
        xr17.len() == 1
            && xr17[0].contains(": warning: ")
            && xr17[0].contains("nobody is notified"),
        "{text}"
    );
    for d in [out, dir, url, none, silent] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// Keys of the kube-prometheus-stack values whose `resources` configure the components
/// the chart installs by default (chart 88.5.3 `values.yaml`; kube-state-metrics,
/// prometheus-node-exporter and grafana are subcharts).
const COMPONENT_RESOURCES: [&[&str]; 9] = [
    &["prometheusOperator", "resources"],
    &[
        "prometheusOperator",
        "prometheusConfigReloader",
        "resources",
    ],
    &["prometheus", "prometheusSpec", "resources"],
    &["prometheus", "prometheusSpec", "thanos", "resources"],
    &["alertmanager", "alertmanagerSpec", "resources"],
    &["kube-state-metrics", "resources"],
    &["prometheus-node-exporter", "resources"],
    &["grafana", "resources"],
    &["grafana", "sidecar", "resources"],
];

#[test]
fn monitoring_pods_request_what_the_plan_keeps_free_for_them() {
    let out = shipped("requests");
    let mut all = proxy_values(&out);
    all.push(hub_values(&out));
    for values in &all {
        for path in COMPONENT_RESOURCES {
            let r = path.iter().fold(values, |v, k| &v[*k]);
            assert!(
                r["requests"]["cpu"].is_string() && r["requests"]["memory"].is_string(),
                "{path:?} has no requests"
            );
        }
    }
    let thanos = read(&out, "cluster-fra/monitoring/thanos.yaml");
    assert_eq!(thanos.matches("requests:").count(), 2, "{thanos}");
    let (code, text) = lint(&out);
    assert_eq!(code, Some(0), "{text}");
    // Put back by hand: a component without requests, or asking more than was kept free.
    let file = "cluster-fra/monitoring-install.sh";
    let (code, text) = lint_tampered(
        &out,
        file,
        "    resources:\n      requests:\n        cpu: 100m\n        memory: 400Mi\n",
        "",
    );
    assert_eq!(code, Some(2), "{text}");
    assert!(
        lines_of(&text, "XR18")
            .iter()
            .any(|l| l.contains("Prometheus has no CPU and memory requests")),
        "{text}"
    );
    let (code, text) = lint_tampered(
        &out,
        "cluster-fra/monitoring/thanos.yaml",
        "memory: 512Mi",
        "memory: 4Gi",
    );
    assert_eq!(code, Some(2), "{text}");
    assert!(
        lines_of(&text, "XR18")
            .iter()
            .any(|l| l.contains("Deployment/thanos-receive") && l.contains("more than")),
        "{text}"
    );

    // The capacity check counts them. edge-gva-2 is 2 kubeadm nodes of 4 vCPU / 8 GiB, so
    // one node takes pods: 4 - 0.08 (kube-reserved) = 3.92 cores, less Liqo's 0.05 = 3.87.
    // The monitoring stack then requests 0.444 cores for the cluster and 0.102 for the
    // node-exporter on that node: 3.324 cores left. Renderers of 0.3 cores: 12 (3.6 cores)
    // would fit without the monitoring, 11 (3.3) fit with it.
    let dir = fresh_dir("requests-capacity");
    let placed = |n: u32| {
        (
            "{ cluster = \"edge-gva-2\", replicas = 1 }",
            format!("{{ cluster = \"edge-gva-2\", replicas = {n} }}"),
        )
    };
    let (from, to) = placed(12);
    let crowded = plan_variant(&dir, &[(from, &to)]);
    let o = xrplace(&[
        "export",
        crowded.to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("edge-gva-2") && stderr(&o).contains("the monitoring stack"),
        "{}",
        stderr(&o)
    );
    let (from, to) = placed(11);
    let fits = export("requests-fits", &plan_variant(&dir, &[(from, &to)]));
    let (code, text) = lint(&fits);
    assert_eq!(code, Some(0), "{text}");
    for d in [out, dir, fits] {
        let _ = std::fs::remove_dir_all(d);
    }
}
