//! What the API server checks in every object's `metadata` beyond its schema: the name's
//! syntax for the kind, the namespace's, and label and annotation keys and label values
//! (k8s.io/apimachinery `pkg/api/validation/objectmeta.go` and `pkg/util/validation`;
//! `check_metadata` of the Python validator). A name the API server refuses fails the whole
//! apply, so it is a finding like a schema violation.

use super::Violation;
use serde_json::Value;

/// Every violation of the metadata rules in `doc`, whose API group is `group`.
pub(super) fn check(doc: &Value, group: &str, kind: &str) -> Vec<Violation> {
    let mut out = Vec::new();
    let meta = &doc["metadata"];
    let mut add = |path: String, message: String| out.push(Violation { path, message });
    match meta["name"].as_str() {
        None | Some("") if meta["generateName"].is_string() => add(
            ".metadata.name".into(),
            "missing name: kubectl apply does not support generateName".into(),
        ),
        None | Some("") => add(".metadata".into(), "missing required field \"name\"".into()),
        Some(name) => {
            if let Err(why) = name_rule(group, kind)(name) {
                add(
                    ".metadata.name".into(),
                    format!("invalid name {}: {why}", quoted(name)),
                );
            }
        }
    }
    if let Some(ns) = meta["namespace"].as_str() {
        if let Err(why) = dns1123_label(ns) {
            add(
                ".metadata.namespace".into(),
                format!("invalid namespace {}: {why}", quoted(ns)),
            );
        }
    }
    for (field, values) in [("labels", true), ("annotations", false)] {
        for (key, value) in meta[field].as_object().into_iter().flatten() {
            let path = format!(".metadata.{field}[{}]", quoted(key));
            if let Err(why) = qualified_name(key) {
                add(path.clone(), format!("invalid key {}: {why}", quoted(key)));
            }
            if let (true, Some(v)) = (values, value.as_str()) {
                if let Err(why) = label_value(v) {
                    add(path, format!("invalid value {}: {why}", quoted(v)));
                }
            }
        }
    }
    out
}

/// `s` as a JSON string.
fn quoted(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

type NameRule = fn(&str) -> Result<(), String>;

/// The name syntax of a kind (`ValidateObjectMeta`'s name function for it; Cluster API
/// copies a Cluster's name into a label value, so it is 63 characters at most).
fn name_rule(group: &str, kind: &str) -> NameRule {
    match (group, kind) {
        ("", "Namespace") => dns1123_label,
        ("", "Service") => dns1035_label,
        ("rbac.authorization.k8s.io", _) => path_segment,
        ("cluster.x-k8s.io", "Cluster") => |n| {
            dns1123_subdomain(n)?;
            if n.chars().count() > 63 {
                return Err("must be no more than 63 characters (Cluster API copies it into the cluster.x-k8s.io/cluster-name label value)".into());
            }
            Ok(())
        },
        _ => dns1123_subdomain,
    }
}

fn lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
fn is_label(s: &str) -> bool {
    s.starts_with(lower_alnum)
        && s.ends_with(lower_alnum)
        && s.chars().all(|c| lower_alnum(c) || c == '-')
}

fn dns1123_label(s: &str) -> Result<(), String> {
    if s.chars().count() > 63 {
        return Err("must be no more than 63 characters".into());
    }
    if !is_label(s) {
        return Err("must be a DNS-1123 label: lower case alphanumeric characters or '-', starting and ending with an alphanumeric character".into());
    }
    Ok(())
}

fn dns1035_label(s: &str) -> Result<(), String> {
    if s.chars().count() > 63 {
        return Err("must be no more than 63 characters".into());
    }
    if !(is_label(s) && s.starts_with(|c: char| c.is_ascii_lowercase())) {
        return Err("must be a DNS-1035 label: lower case alphanumeric characters or '-', starting with a letter and ending with an alphanumeric character".into());
    }
    Ok(())
}

fn dns1123_subdomain(s: &str) -> Result<(), String> {
    if s.chars().count() > 253 {
        return Err("must be no more than 253 characters".into());
    }
    if !s.split('.').all(is_label) {
        return Err("must be a DNS-1123 subdomain: lower case alphanumeric characters, '-' or '.', starting and ending with an alphanumeric character".into());
    }
    Ok(())
}

fn path_segment(s: &str) -> Result<(), String> {
    if s == "." || s == ".." {
        return Err("may not be '.' or '..'".into());
    }
    match s.chars().find(|c| *c == '/' || *c == '%') {
        Some(c) => Err(format!("may not contain '{c}'")),
        None => Ok(()),
    }
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, at most 63 characters.
fn is_qualified_part(s: &str) -> bool {
    let alnum = |c: char| c.is_ascii_alphanumeric();
    s.starts_with(alnum)
        && s.ends_with(alnum)
        && s.chars().all(|c| alnum(c) || matches!(c, '-' | '_' | '.'))
}

/// A label or annotation key: an optional DNS-1123 subdomain prefix, `/`, and a name.
fn qualified_name(key: &str) -> Result<(), String> {
    let name = match key.split('/').collect::<Vec<_>>()[..] {
        [name] => name,
        [prefix, name] => {
            if prefix.is_empty() {
                return Err("prefix part must be non-empty".into());
            }
            dns1123_subdomain(prefix).map_err(|e| format!("prefix part {e}"))?;
            name
        }
        _ => return Err(
            "a qualified name must consist of an optional DNS subdomain prefix and '/' and a name"
                .into(),
        ),
    };
    if name.is_empty() {
        return Err("name part must be non-empty".into());
    }
    if name.chars().count() > 63 {
        return Err("name part must be no more than 63 characters".into());
    }
    if !is_qualified_part(name) {
        return Err("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character".into());
    }
    Ok(())
}

/// A label value: empty, or a qualified name part of at most 63 characters.
fn label_value(v: &str) -> Result<(), String> {
    if v.chars().count() > 63 {
        return Err("must be no more than 63 characters".into());
    }
    if !v.is_empty() && !is_qualified_part(v) {
        return Err("must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn messages(doc: Value, group: &str, kind: &str) -> Vec<String> {
        check(&doc, group, kind)
            .iter()
            .map(|v| format!("{}: {}", v.path, v.message))
            .collect()
    }

    #[test]
    fn names_follow_the_rule_of_their_kind() {
        let ok = json!({"metadata": {"name": "edge-fra-1.example", "namespace": "xr-demo",
            "labels": {"app.kubernetes.io/name": "media", "tier": ""},
            "annotations": {"liqo.io/remote-tenant-namespace": "Any text: 1"}}});
        assert!(messages(ok, "apps", "Deployment").is_empty());
        let ns = messages(json!({"metadata": {"name": "XR_Demo"}}), "", "Namespace");
        assert_eq!(ns.len(), 1);
        assert!(
            ns[0].starts_with(".metadata.name: invalid name \"XR_Demo\": must be a DNS-1123 label"),
            "{ns:?}"
        );
        let svc = messages(json!({"metadata": {"name": "1renderer"}}), "", "Service");
        assert!(svc[0].contains("must be a DNS-1035 label"), "{svc:?}");
        // A dotted name is a subdomain, fine for a Deployment, not for a Namespace.
        assert!(
            messages(json!({"metadata": {"name": "a.b"}}), "", "Namespace")[0]
                .contains("DNS-1123 label")
        );
        assert!(messages(
            json!({"metadata": {"name": "system:liqo"}}),
            "rbac.authorization.k8s.io",
            "RoleBinding"
        )
        .is_empty());
        let long = "c".repeat(64);
        let cluster = messages(
            json!({"metadata": {"name": long}}),
            "cluster.x-k8s.io",
            "Cluster",
        );
        assert!(
            cluster[0].contains("63 characters (Cluster API"),
            "{cluster:?}"
        );
        assert_eq!(
            messages(json!({"metadata": {}}), "apps", "Deployment"),
            vec![".metadata: missing required field \"name\""]
        );
    }

    #[test]
    fn label_and_annotation_keys_and_label_values_are_checked() {
        let doc = json!({"metadata": {"name": "a", "namespace": "Edge_1",
            "labels": {"liqo.io/remote-cluster-id": "Edge_1_", "/x": "a", "a/b/c": "a"},
            "annotations": {"-bad": "whatever value"}}});
        let got = messages(doc, "apps", "Deployment");
        assert_eq!(
            got,
            vec![
                ".metadata.namespace: invalid namespace \"Edge_1\": must be a DNS-1123 label: lower case alphanumeric characters or '-', starting and ending with an alphanumeric character",
                ".metadata.labels[\"liqo.io/remote-cluster-id\"]: invalid value \"Edge_1_\": must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                ".metadata.labels[\"/x\"]: invalid key \"/x\": prefix part must be non-empty",
                ".metadata.labels[\"a/b/c\"]: invalid key \"a/b/c\": a qualified name must consist of an optional DNS subdomain prefix and '/' and a name",
                ".metadata.annotations[\"-bad\"]: invalid key \"-bad\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            ]
        );
    }
}
