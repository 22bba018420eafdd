//! The array rules of the walk: item counts, `uniqueItems`, `x-kubernetes-list-type` `set`
//! and `map` (entries unique by their `x-kubernetes-list-map-keys`, as the API server's
//! k8s.io/apiextensions-apiserver `pkg/apiserver/validation` and the Python validator's
//! `kw_list_type` check them), then each item.

use super::super::formats::{canon, short};
use super::{Flavour, Seg, Walker};
use crate::export::schemas::Violation;
use serde_json::{Map, Value};
use std::collections::HashMap;

impl Walker<'_> {
    /// Item counts, uniqueness, `x-kubernetes-list-type` and each item.
    pub(super) fn array(
        &mut self,
        items: &[Value],
        s: &Map<String, Value>,
        fl: Flavour,
        out: &mut Vec<Violation>,
    ) {
        let n = items.len() as u64;
        if let Some(min) = s.get("minItems").and_then(Value::as_u64) {
            if n < min {
                self.report(out, format!("must have at least {min} item(s), got {n}"));
            }
        }
        if let Some(max) = s.get("maxItems").and_then(Value::as_u64) {
            if n > max {
                self.report(out, format!("must have at most {max} item(s), got {n}"));
            }
        }
        if s.get("uniqueItems") == Some(&Value::Bool(true)) {
            self.list_set(items, "uniqueItems", out);
        }
        match s.get("x-kubernetes-list-type").and_then(Value::as_str) {
            Some("set") => self.list_set(items, "x-kubernetes-list-type=set", out),
            Some("map") => self.list_map(items, s, out),
            _ => {}
        }
        if let Some(item_schema) = s.get("items").filter(|i| i.is_object()) {
            for (i, item) in items.iter().enumerate() {
                self.path.push(Seg::Index(i));
                self.node(item, item_schema, fl, out);
                self.path.pop();
            }
        }
    }

    /// Each entry of a set appears once.
    fn list_set(&mut self, items: &[Value], why: &str, out: &mut Vec<Violation>) {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            if let Some(first) = seen.get(&canon(item)) {
                self.path.push(Seg::Index(i));
                self.report(
                    out,
                    format!(
                        "duplicate entry {} (list is {why}; first at [{first}])",
                        short(item, 80)
                    ),
                );
                self.path.pop();
            } else {
                seen.insert(canon(item), i);
            }
        }
    }

    /// Each entry of a map list has its own keys.
    fn list_map(&mut self, items: &[Value], s: &Map<String, Value>, out: &mut Vec<Violation>) {
        let keys: Vec<&str> = s
            .get("x-kubernetes-list-map-keys")
            .and_then(Value::as_array)
            .map(|k| k.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut seen: HashMap<Vec<String>, usize> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            let Some(obj) = item.as_object() else {
                continue;
            };
            let id: Vec<String> = keys
                .iter()
                .map(|k| canon(obj.get(*k).unwrap_or(&Value::Null)))
                .collect();
            if let Some(first) = seen.get(&id) {
                let desc: Vec<String> = keys
                    .iter()
                    .map(|k| format!("{k}={}", short(obj.get(*k).unwrap_or(&Value::Null), 40)))
                    .collect();
                self.path.push(Seg::Index(i));
                self.report(
                    out,
                    format!(
                        "duplicate entry with {} (list is x-kubernetes-list-type=map keyed by {}; first at [{first}])",
                        desc.join(", "),
                        keys.join("/")
                    ),
                );
                self.path.pop();
            } else {
                seen.insert(id, i);
            }
        }
    }
}
