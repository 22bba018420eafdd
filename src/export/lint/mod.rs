//! `xrplace check DIR`: an apply-time lint of an export folder. A schema check says each
//! object is well formed; these rules say the set would work on the real controllers. One
//! rule per defect class the export once had, each with an id and the source it rests on
//! ([`RULES`]); a finding prints as `file: object: rule: message`, a warning as
//! `file: object: rule: warning: message` (warnings do not fail the check).
//!
//! The lint reads the folder as it is (YAML documents, scripts, `plan.toml`, the marker), so
//! it also catches hand edits after the export.

mod app_rules;
mod cidr_rules;
mod cluster_rules;
mod file_rules;
mod liqo_rules;
mod monitoring_rules;
mod placeholder_rules;
mod schema_rules;

use crate::config::plan_file::PlanFile;
use serde_json::Value;
use std::fmt;
use std::path::{Path, PathBuf};

/// One rule: its id, what it checks, the source it rests on, and the check.
pub struct Rule {
    /// Stable id (`XR01`...).
    pub id: &'static str,
    /// What it checks, in a few words.
    pub name: &'static str,
    /// The documentation or source file the rule rests on.
    pub source: &'static str,
    check: fn(&ExportSet, &mut Findings),
}

/// Every rule, in id order.
pub const RULES: &[Rule] = &[
    Rule { id: "XR01", name: "liqoctl-flags", source: "liqo v1.2.0 cmd/liqoctl/cmd/{install,peer}.go, pkg/liqoctl/install/{kubeadm,k3s}/provider.go", check: liqo_rules::liqoctl_flags },
    Rule { id: "XR02", name: "k3s-cidrs", source: "cluster-api-k3s pkg/k3s/config.go (serverConfig.clusterCidr/serviceCidr; Cluster.spec.clusterNetwork is not read)", check: cluster_rules::k3s_cidrs },
    Rule { id: "XR03", name: "capacity-fit", source: "kubernetes.io reserve-compute-resources; GKE node allocatable; liqo cmd/liqoctl/cmd/peer.go --cpu/--memory/--pods", check: cluster_rules::capacity_fit },
    Rule { id: "XR04", name: "gateway-reachable", source: "liqo v1.2.0 pkg/utils/nodeUtils.go (ExternalIP, else InternalIP), forge/gatewayserver.go; RFC 5737", check: liqo_rules::gateway_reachable },
    Rule { id: "XR05", name: "declarative-peering-complete", source: "liqo v1.2.0 docs/advanced/peering/peering-via-cr.md", check: liqo_rules::declarative_complete },
    Rule { id: "XR06", name: "apply-order", source: "liqo docs/usage/namespace-offloading.md (scheduling-enabled), CAPO templates (provider-id), CAAPH README (add-ons at control plane init)", check: app_rules::apply_order },
    Rule { id: "XR07", name: "cidr-disjoint", source: "liqo v1.2.0 deployments/liqo/values.yaml (ipam), peering-via-cr.md (Configuration holds the peer's CIDRs)", check: cidr_rules::cidrs_disjoint },
    Rule { id: "XR08", name: "versions-pinned", source: "clusterctl provider URLs (releases/<version>/), CAAPH HelmChartProxy.spec.version, CAPO v0.14 serves only v1beta1", check: cluster_rules::versions_pinned },
    Rule { id: "XR09", name: "service-routing", source: "Kubernetes Service selectors; CAPO managedSecurityGroups", check: app_rules::service_routing },
    Rule { id: "XR10", name: "shell-safety", source: "POSIX sh quoting; ShellCheck", check: file_rules::shell_safety },
    Rule { id: "XR11", name: "folder-ownership", source: "xrplace-export.toml (docs/export.md)", check: file_rules::ownership },
    Rule { id: "XR12", name: "references", source: "kustomize resources; CAAPH/ClusterResourceSet clusterSelector; Liqo virtual node labels", check: app_rules::references },
    Rule { id: "XR13", name: "monitoring-as-simulated", source: "kube-prometheus-stack values.yaml (prometheusSpec), Prometheus remote_write queue_config, PrometheusRule groups", check: monitoring_rules::monitoring_as_simulated },
    Rule { id: "XR14", name: "k3s-control-plane-scrapes", source: "kube-prometheus-stack 88.5.3 values.yaml (kubeControllerManager, kubeScheduler, kubeProxy, kubeEtcd; \"For k3s clusters\"), templates/prometheus/rules-1.14/kubernetes-system-*.yaml; k3s runs them in one server process", check: monitoring_rules::k3s_control_plane_scrapes },
    Rule { id: "XR15", name: "remote-offloading-fits", source: "liqo v1.2.0 pkg/webhooks/pod/mutations.go (createNodeSelectorFromNamespaceOffloading: Remote adds liqo.io/type In virtual-node to every term)", check: app_rules::remote_offloading_fits },
    Rule { id: "XR16", name: "placeholders", source: "RFC 9562 section 5.9 (Nil UUID), RFC 2606 (documentation domains); CAPO CRDs (externalNetwork.id format uuid, image.filter.name, sshKeyName)", check: placeholder_rules::placeholders },
    Rule { id: "XR17", name: "alert-receiver", source: "kube-prometheus-stack 88.5.3 values.yaml (alertmanager.config: receiver 'null'; alertmanagerSpec.secrets), Alertmanager v0.34.0 docs/configuration.md (<route>, <webhook_config> url/url_file, http_config)", check: monitoring_rules::alert_receiver },
    Rule { id: "XR18", name: "monitoring-requests", source: "kube-prometheus-stack 88.5.3 values.yaml (every resources: {}), kube-prometheus v0.18.0 components/*.libsonnet, Prometheus Operator v0.93.0 cmd/operator/main.go (config reloader)", check: monitoring_rules::monitoring_requests },
    Rule { id: "XR19", name: "schema", source: "the upstream CRDs and Kubernetes 1.33 schemas in src/export/schemas (SOURCES.toml); structural schemas: k8s.io/apiextensions-apiserver pkg/apiserver/schema", check: schema_rules::schema },
    Rule { id: "XR20", name: "known-kind", source: "src/export/schemas/SOURCES.toml (the kinds and versions the export writes)", check: schema_rules::known_kind },
];

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The export would not work as planned: `check` fails (exit 2).
    Error,
    /// The export works, but something the operator must know or do is left: a
    /// placeholder to replace, alerts that reach nobody. Printed; `check` still passes.
    Warning,
}

/// A problem found in the export.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// File, relative to the folder.
    pub file: String,
    /// The YAML document of the file it is about, when it is about one.
    pub at: Option<DocAt>,
    /// `Kind/name` of the object, or `-`.
    pub object: String,
    /// Rule id and name.
    pub rule: String,
    /// What is wrong.
    pub message: String,
    /// Whether it fails the check.
    pub severity: Severity,
}

/// Where a YAML document sits in its file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DocAt {
    /// 1-based index among the file's documents (empty ones not counted).
    pub index: usize,
    /// 1-based line of its first line of content.
    pub line: usize,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        write!(f, "{}", self.file)?;
        if let Some(at) = self.at {
            write!(f, "#{} (line {})", at.index, at.line)?;
        }
        write!(
            f,
            ": {}: {}: {level}{}",
            self.object, self.rule, self.message
        )
    }
}

/// Findings of one rule run.
pub struct Findings {
    rule: String,
    out: Vec<Finding>,
}

impl Findings {
    /// Records an error in `file` about `object`.
    pub fn add(&mut self, file: &str, object: &str, message: impl Into<String>) {
        self.push(file, object, message.into(), Severity::Error);
    }

    /// Records a warning in `file` about `object`: printed, but the check passes.
    pub fn warn(&mut self, file: &str, object: &str, message: impl Into<String>) {
        self.push(file, object, message.into(), Severity::Warning);
    }

    fn push(&mut self, file: &str, object: &str, message: String, severity: Severity) {
        self.out.push(Finding {
            file: file.to_string(),
            at: None,
            object: object.to_string(),
            rule: self.rule.clone(),
            message,
            severity,
        });
    }

    /// Records a finding about the document `doc`, located by its index and line.
    pub fn add_in(&mut self, doc: &Doc, message: impl Into<String>) {
        self.out.push(Finding {
            file: doc.file.clone(),
            at: doc.at,
            object: doc.object(),
            rule: self.rule.clone(),
            message: message.into(),
            severity: Severity::Error,
        });
    }
}

/// A YAML document of the export.
#[derive(Debug, Clone)]
pub struct Doc {
    /// File, relative to the folder.
    pub file: String,
    /// Where it sits in the file (None when the file's documents could not be told apart
    /// by their `---` lines).
    pub at: Option<DocAt>,
    /// The parser's message when a mapping of the document repeats a key: kubectl refuses
    /// such a file, while `value` holds the last of the repeated entries.
    pub duplicate_key: Option<String>,
    /// The document.
    pub value: Value,
}

impl Doc {
    /// `kind`.
    pub fn kind(&self) -> &str {
        self.value["kind"].as_str().unwrap_or("")
    }
    /// `metadata.name`.
    pub fn name(&self) -> &str {
        self.value["metadata"]["name"].as_str().unwrap_or("")
    }
    /// `metadata.namespace`.
    pub fn namespace(&self) -> &str {
        self.value["metadata"]["namespace"].as_str().unwrap_or("")
    }
    /// `Kind/name`.
    pub fn object(&self) -> String {
        format!("{}/{}", self.kind(), self.name())
    }
    /// The first folder of the file's path (the cluster it is applied to, or
    /// `management`).
    pub fn target(&self) -> &str {
        self.file.split('/').next().unwrap_or("")
    }
}

/// A shell script of the export, with its commands (continuation lines joined, comments
/// dropped).
#[derive(Debug, Clone)]
pub struct Script {
    /// File, relative to the folder.
    pub file: String,
    /// Its text.
    pub text: String,
    /// Its commands, one per logical line.
    pub commands: Vec<String>,
}

/// Everything the rules read.
pub struct ExportSet {
    /// The folder.
    pub root: PathBuf,
    /// Every file, relative and sorted.
    pub files: Vec<String>,
    /// YAML documents (kustomizations included).
    pub docs: Vec<Doc>,
    /// Scripts.
    pub scripts: Vec<Script>,
    /// The plan the export came from (`plan.toml`), if it parses.
    pub plan: Option<PlanFile>,
}

impl ExportSet {
    /// Documents of `kind`.
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Doc> + 'a {
        self.docs.iter().filter(move |d| d.kind() == kind)
    }

    /// The script at `file`.
    pub fn script(&self, file: &str) -> Option<&Script> {
        self.scripts.iter().find(|s| s.file == file)
    }

    /// Commands of every script that start with `prefix`, with their file.
    pub fn commands<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.scripts.iter().flat_map(move |s| {
            s.commands
                .iter()
                .filter(move |c| c.starts_with(prefix))
                .map(move |c| (s.file.as_str(), c.as_str()))
        })
    }
}

/// Joins continuation lines and drops comments and blank lines.
fn commands_of(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        let t = line.trim();
        if cur.is_empty() && (t.is_empty() || t.starts_with('#')) {
            continue;
        }
        if let Some(head) = t.strip_suffix('\\') {
            cur.push_str(head.trim_end());
            cur.push(' ');
        } else {
            cur.push_str(t);
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The first line of content (1-based) of each document of a YAML stream that has any:
/// documents are split at `---` lines and end at `...` lines; blank and comment lines
/// are no content. Used only to locate findings; the parser reads the documents.
fn document_lines(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut first: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_end();
        let separator = t == "---" || t.starts_with("--- ") || t.starts_with("---\t");
        if separator || t == "..." {
            out.extend(first.take());
            let rest = t.get(3..).unwrap_or("").trim();
            if separator && !rest.is_empty() && !rest.starts_with('#') {
                first = Some(i + 1);
            }
            continue;
        }
        let content = !t.trim().is_empty() && !t.trim_start().starts_with('#');
        if content && first.is_none() {
            first = Some(i + 1);
        }
    }
    out.extend(first);
    out
}

/// Each non-empty document of `text` (by its 0-based index among them) that repeats a key
/// in a mapping, with the parser's message (which names the mapping, the key, and a line
/// and column in `text`).
fn duplicate_keys(text: &str) -> std::collections::HashMap<usize, String> {
    let mut out = std::collections::HashMap::new();
    let mut index = 0;
    for d in serde_yaml_ng::Deserializer::from_str(text) {
        match <serde_yaml_ng::Value as serde::Deserialize>::deserialize(d) {
            Ok(v) if v.is_null() => continue,
            Ok(_) => {}
            Err(e) if e.to_string().contains("duplicate entry") => {
                out.insert(index, e.to_string());
            }
            Err(_) => {}
        }
        index += 1;
    }
    out
}

/// Largest manifest or script `check` reads: 64 MiB (an export's largest file, a cluster's
/// manifests, is tens of KiB).
pub const MAX_EXPORT_FILE_BYTES: u64 = 64 << 20;

/// The text of one file of an export folder, read as every input is (regular file, at
/// most [`MAX_EXPORT_FILE_BYTES`], UTF-8).
fn read_export_file(path: &Path) -> Result<String, String> {
    crate::config::input::read_text(path, "export file", MAX_EXPORT_FILE_BYTES)
        .map_err(|e| e.to_string())
}

/// Reads the export folder at `root`.
pub fn load(root: &Path) -> Result<ExportSet, String> {
    let files = super::folder::list_files(root).map_err(|e| format!("{}: {e}", root.display()))?;
    let mut set = ExportSet {
        root: root.to_path_buf(),
        files: files.clone(),
        docs: Vec::new(),
        scripts: Vec::new(),
        plan: None,
    };
    for f in &files {
        let path = root.join(f);
        if f.ends_with(".yaml") || f.ends_with(".yml") {
            let text = read_export_file(&path)?;
            let mut values = Vec::new();
            for d in serde_yaml_ng::Deserializer::from_str(&text) {
                let v = <Value as serde::Deserialize>::deserialize(d)
                    .map_err(|e| format!("{f}: not YAML: {e}"))?;
                if !v.is_null() {
                    values.push(v);
                }
            }
            let starts = document_lines(&text);
            let located = starts.len() == values.len();
            let mut repeated = duplicate_keys(&text);
            for (i, value) in values.into_iter().enumerate() {
                set.docs.push(Doc {
                    file: f.clone(),
                    at: located.then(|| DocAt {
                        index: i + 1,
                        line: starts[i],
                    }),
                    duplicate_key: repeated.remove(&i),
                    value,
                });
            }
        } else if f.ends_with(".sh") {
            let text = read_export_file(&path)?;
            set.scripts.push(Script {
                file: f.clone(),
                commands: commands_of(&text),
                text,
            });
        }
    }
    if files.iter().any(|f| f == "plan.toml") {
        set.plan = crate::config::plan_file::load_plan(&root.join("plan.toml")).ok();
    }
    Ok(set)
}

/// Runs every rule over the export folder `root`; an unreadable folder is an error.
pub fn lint(root: &Path) -> Result<Vec<Finding>, String> {
    if !root.join(super::folder::MARKER).is_file() && !root.join("plan.toml").is_file() {
        return Err(format!(
            "{}: not an export folder (no {} or plan.toml); `xrplace check` lints folders written by `xrplace export`",
            root.display(),
            super::folder::MARKER
        ));
    }
    let set = load(root)?;
    let mut all = Vec::new();
    for r in RULES {
        let mut f = Findings {
            rule: format!("{} {}", r.id, r.name),
            out: Vec::new(),
        };
        (r.check)(&set, &mut f);
        all.extend(f.out);
    }
    Ok(all)
}

/// The string at a dotted path of `v` (`spec.version`).
pub fn str_at<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    at(v, path).and_then(Value::as_str)
}

/// The value at a dotted path of `v`.
pub fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

/// The value of `--flag` in a command (`--flag value` or `--flag=value`), unquoted.
pub fn flag<'a>(cmd: &'a str, name: &str) -> Option<&'a str> {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        if *w == name {
            return words.get(i + 1).map(|v| v.trim_matches('\''));
        }
        if let Some(v) = w.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
            return Some(v.trim_matches('\''));
        }
    }
    None
}

/// Every `--flag` of a command.
pub fn flags(cmd: &str) -> Vec<&str> {
    cmd.split_whitespace()
        .filter(|w| w.starts_with("--"))
        .map(|w| w.split('=').next().unwrap_or(w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_join_continuations_and_flags_read_both_forms() {
        let c = commands_of("#!/bin/sh\n# x\nliqoctl install k3s \\\n  --cluster-id a \\\n  --set 'ipam.x=1'\necho done\n");
        assert_eq!(c.len(), 2);
        assert_eq!(flag(&c[0], "--cluster-id"), Some("a"));
        assert_eq!(flag(&c[0], "--set"), Some("ipam.x=1"));
        assert_eq!(flag("x --mtu=1340", "--mtu"), Some("1340"));
        assert_eq!(flags(&c[0]), vec!["--cluster-id", "--set"]);
    }

    #[test]
    fn document_lines_skip_empty_and_comment_only_documents() {
        // Line 1 is a comment, the first document starts on line 2; the second `---` opens
        // a document of comments only; the third starts on the line after its `---`.
        let text = "# made by xrplace\na: 1\n---\n# nothing\n---\n\nb: 2\n...\n";
        assert_eq!(document_lines(text), vec![2, 7]);
        assert_eq!(document_lines("--- {a: 1}\n"), vec![1]);
        assert!(document_lines("# only\n").is_empty());
    }

    #[test]
    fn a_repeated_key_is_found_in_its_document() {
        let text = "a: 1\n---\n# c\n---\nmetadata:\n  name: x\n  name: y\n";
        let found = duplicate_keys(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[&1] == "metadata: duplicate entry with key \"name\" at line 6 column 3",
            "{found:?}"
        );
        assert!(duplicate_keys("a: 1\n---\nb: {a: 1, b: 2}\n").is_empty());
    }
}
