//! The words of a violation: the message for a value no `anyOf`/`oneOf` alternative
//! accepts, and the JSON path as the Python validator prints it.

use super::super::formats::{self, json_type, short};
use super::Seg;
use crate::export::schemas::Violation;
use serde_json::Value;

/// The message for a value no alternative of an `anyOf`/`oneOf` accepts: the types, when
/// the alternatives differ only by type; else the alternative that came closest.
pub(super) fn none_matched(
    key: &str,
    v: &Value,
    alternatives: &[Value],
    results: &[Vec<Violation>],
) -> String {
    let only_types: Option<Vec<Vec<&str>>> = alternatives
        .iter()
        .map(|a| match a.as_object() {
            Some(m) if m.len() == 1 => match m.get("type") {
                Some(Value::String(t)) => Some(vec![t.as_str()]),
                Some(Value::Array(ts)) => Some(ts.iter().filter_map(Value::as_str).collect()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    if let Some(types) = only_types {
        let mut named: Vec<&str> = types
            .into_iter()
            .flatten()
            .filter(|t| *t != "null")
            .collect();
        named.dedup();
        return format!(
            "expected {}, got {} {}",
            named.join(" or "),
            json_type(v),
            short(v, 60)
        );
    }
    let closest = results
        .iter()
        .min_by_key(|r| r.len())
        .and_then(|r| r.first());
    match closest {
        Some(c) => format!(
            "matches none of the {key} alternatives (closest: {}: {})",
            c.path, c.message
        ),
        None => format!("matches none of the {key} alternatives"),
    }
}

/// A JSON path as the Python validator prints it: `.spec.ports[0]["app.kubernetes.io/name"]`,
/// `.` for the root.
pub(super) fn path_text(path: &[Seg]) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
            Seg::Key(k) if formats::is_identifier(k) => {
                out.push('.');
                out.push_str(k);
            }
            Seg::Key(k) => out.push_str(&format!("[{}]", Value::String(k.clone()))),
        }
    }
    out
}
