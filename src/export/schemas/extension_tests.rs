//! Unit tests of the Kubernetes extensions and value validations on small schemas, and of
//! the embedded data against SOURCES.toml.

use super::*;
use serde_json::json;

/// Runs the CRD flavour of the walker on `doc` with `schema` as the root schema.
fn crd_violations(schema: Value, doc: Value) -> Vec<String> {
    let mut patterns = HashMap::new();
    walk::Walker::new(&registry().defs, &mut patterns)
        .custom_resource(&doc, &schema)
        .iter()
        .map(|v| format!("{}: {}", v.path, v.message))
        .collect()
}

#[test]
fn kubernetes_extensions_are_honoured() {
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                 "properties": {"n": {"type": "integer"}}},
        "maybe": {"type": "string", "nullable": true},
        "port": {"x-kubernetes-int-or-string": true},
        "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
        "inner": {"type": "object", "x-kubernetes-embedded-resource": true,
                  "x-kubernetes-preserve-unknown-fields": true},
        "mode": {"type": "string", "default": "fast", "enum": ["fast", "slow"]},
        "dropped": {"type": "string"},
        "ratio": {"type": "number", "minimum": 0, "exclusiveMinimum": true},
    }, "required": ["mode"]}}});
    let ok = json!({"apiVersion": "x.io/v1", "kind": "X", "metadata": {"name": "a"}, "spec": {
        "free": {"n": 1, "anything": {"goes": true}}, "maybe": null, "port": "http",
        "tags": ["a", "b"], "inner": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}},
        "dropped": null, "ratio": 0.5}});
    // `mode` is required and missing, but its default is filled in first; `dropped` is a
    // null of a non-nullable field, which is pruned.
    assert_eq!(crd_violations(schema.clone(), ok), Vec::<String>::new());
    let bad = json!({"apiVersion": "x.io/v1", "kind": "X", "metadata": {"name": "a", "labelz": {}}, "spec": {
        "free": {"n": "one"}, "port": 1.5, "tags": ["a", "a"], "inner": {"metadata": {"nam": "p"}},
        "ratio": 0, "extra": 1}, "status": {}});
    assert_eq!(
        crd_violations(schema, bad),
        vec![
            ".metadata.labelz: unknown field \"labelz\" (did you mean \"labels\"?)",
            ".spec.free.n: expected integer, got string \"one\"",
            ".spec.port: expected integer or string, got number 1.5",
            ".spec.tags[1]: duplicate entry \"a\" (list is x-kubernetes-list-type=set; first at [0])",
            ".spec.inner.metadata.nam: unknown field \"nam\" (did you mean \"name\"?)",
            ".spec.ratio: must be greater than 0, got 0",
            ".spec.extra: unknown field \"extra\"",
            ".status: unknown field \"status\"",
        ]
    );
}

#[test]
fn value_validations_combine_without_adding_strictness() {
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
        "anyOf": [{"required": ["a"]}, {"required": ["b"]}],
        "not": {"required": ["a", "b"]}}}});
    let doc = |spec: Value| json!({"apiVersion": "x.io/v1", "kind": "X", "spec": spec});
    assert_eq!(
        crd_violations(schema.clone(), doc(json!({"a": "x"}))),
        Vec::<String>::new()
    );
    let none = crd_violations(schema.clone(), doc(json!({})));
    assert_eq!(none.len(), 1, "{none:?}");
    assert!(
        none[0].starts_with(".spec: matches none of the anyOf alternatives"),
        "{none:?}"
    );
    let both = crd_violations(schema, doc(json!({"a": "x", "b": "y"})));
    assert_eq!(
        both,
        vec![".spec: {\"a\":\"x\",\"b\":\"y\"} must not match the schema under \"not\""]
    );
}

#[test]
fn the_embedded_schemas_are_those_sources_toml_lists_and_every_pattern_compiles() {
    let sources: toml::Value = toml::from_str(include_str!("SOURCES.toml")).unwrap();
    let listed: Vec<&str> = sources["crd"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["out"].as_str().unwrap())
        .collect();
    let mut embedded: Vec<&str> = CRD_FILES.iter().map(|(name, _)| *name).collect();
    let mut listed = listed;
    listed.sort_unstable();
    embedded.sort_unstable();
    assert_eq!(listed, embedded);
    let kinds = known_kinds();
    for c in sources["crd"].as_array().unwrap() {
        for v in c["versions"].as_array().unwrap() {
            let gvk = format!(
                "{}/{} {}",
                c["group"].as_str().unwrap(),
                v.as_str().unwrap(),
                c["kind"].as_str().unwrap()
            );
            assert!(kinds.contains(&gvk), "{gvk} not embedded");
        }
    }
    assert_eq!(
        kinds.len(),
        20 + sources["core"]["kinds"].as_array().unwrap().len()
    );
    let mut patterns = Vec::new();
    for (_, text) in CRD_FILES {
        collect_patterns(&serde_json::from_str(text).unwrap(), &mut patterns);
    }
    assert!(patterns.len() > 100, "{}", patterns.len());
    let refused: Vec<&String> = patterns
        .iter()
        .filter(|p| formats::go_regex(p).is_none())
        .collect();
    assert!(refused.is_empty(), "{refused:?}");
}

/// Every `pattern` under `v` (schema keywords only: a property may be called "pattern").
fn collect_patterns(v: &Value, out: &mut Vec<String>) {
    let Some(m) = v.as_object() else {
        if let Some(a) = v.as_array() {
            a.iter().for_each(|x| collect_patterns(x, out));
        }
        return;
    };
    for (k, x) in m {
        match (k.as_str(), x) {
            ("pattern", Value::String(p)) => out.push(p.clone()),
            ("properties", Value::Object(props)) => {
                props.values().for_each(|s| collect_patterns(s, out))
            }
            _ => collect_patterns(x, out),
        }
    }
}
