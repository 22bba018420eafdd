//! The ranges written into a JSON Schema: `maximum` of every numeric field whose name
//! carries a unit ([`super::units::limit`]), `minimum` and `maximum` of every field the
//! field table bounds always ([`super::fields`]). The schema is the one `schemars` derives
//! from the serde definitions, so names, types and ranges all come from the code.

use super::fields::When;
use super::scope::{range_in, Scope};
use super::units::limit;
use serde_json::{Map, Value};

/// `schema` (a JSON Schema of an input file of `scope`) with the ranges of its numeric
/// fields.
pub fn with_ranges(mut schema: Value, scope: Scope) -> Value {
    let mut found = Vec::new();
    collect(
        &schema,
        &schema,
        Visit::default(),
        &mut Vec::new(),
        &mut found,
    );
    for (pointer, key, path) in found {
        if let Some(Value::Object(node)) = schema.pointer_mut(&pointer) {
            bound(node, &key, &path, scope);
        }
    }
    schema
}

/// Where the walk is: the node's JSON pointer, the field path it stands for, and the key
/// it is the value of.
#[derive(Debug, Clone, Default)]
struct Visit {
    pointer: String,
    path: String,
    key: String,
}

/// Every node a field's value is checked against, with its key and field path, following
/// `$ref`s (each once on the way down, so recursive definitions end).
fn collect(
    root: &Value,
    node: &Value,
    at: Visit,
    refs: &mut Vec<String>,
    out: &mut Vec<(String, String, String)>,
) {
    let Value::Object(map) = node else {
        return;
    };
    if let Some(Value::String(r)) = map.get("$ref") {
        let target = r.trim_start_matches('#').to_string();
        if !refs.contains(&target) {
            if let Some(def) = root.pointer(&target) {
                refs.push(target.clone());
                let inner = Visit {
                    pointer: target,
                    ..at.clone()
                };
                collect(root, def, inner, refs, out);
                refs.pop();
            }
        }
    }
    for alt in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(list)) = map.get(alt) {
            for (i, sub) in list.iter().enumerate() {
                let inner = Visit {
                    pointer: format!("{}/{alt}/{i}", at.pointer),
                    ..at.clone()
                };
                collect(root, sub, inner, refs, out);
            }
        }
    }
    if let Some(Value::Object(props)) = map.get("properties") {
        for (name, sub) in props {
            let path = if at.path.is_empty() {
                name.clone()
            } else {
                format!("{}.{name}", at.path)
            };
            let inner = Visit {
                pointer: format!("{}/properties/{}", at.pointer, escaped(name)),
                path,
                key: name.clone(),
            };
            out.push((inner.pointer.clone(), inner.key.clone(), inner.path.clone()));
            collect(root, sub, inner, refs, out);
        }
    }
    if let Some(items @ Value::Object(_)) = map.get("items") {
        let inner = Visit {
            pointer: format!("{}/items", at.pointer),
            path: format!("{}[]", at.path),
            key: at.key.clone(),
        };
        out.push((inner.pointer.clone(), inner.key.clone(), inner.path.clone()));
        collect(root, items, inner, refs, out);
    }
}

/// A key as a JSON pointer segment.
fn escaped(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Writes the ranges of the field `key` at `path` (of a file of `scope`) into its numeric schema `node`.
fn bound(node: &mut Map<String, Value>, key: &str, path: &str, scope: Scope) {
    let numeric = |t: &Value| matches!(t.as_str(), Some("number" | "integer"));
    let is_number = match node.get("type") {
        Some(Value::Array(types)) => types.iter().any(numeric),
        Some(t) => numeric(t),
        None => false,
    };
    if !is_number {
        return;
    }
    let mut keywords: Vec<(&str, f64)> = Vec::new();
    if let Some(r) = range_in(scope, path).filter(|r| r.when == When::Always) {
        keywords = r.bound.schema_keywords();
    }
    if let Some((max, _)) = limit(key) {
        match keywords.iter_mut().find(|(k, _)| *k == "maximum") {
            Some((_, hi)) => *hi = hi.min(max),
            None => keywords.push(("maximum", max)),
        }
    }
    let integer = node.get("type").is_some_and(|t| t == "integer");
    for (keyword, x) in keywords {
        let value = if integer {
            Value::from(x as i64)
        } else {
            Value::from(x)
        };
        node.insert(keyword.into(), value);
    }
}
