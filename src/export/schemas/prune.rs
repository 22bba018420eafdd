//! What the API server does to a custom resource before validating it.

use serde_json::Value;

/// What the API server does to a custom resource before validating it (and what
/// `prune_and_default` of the Python validator mirrors): nulls of fields that are not
/// `nullable` are dropped, then the `default` of every missing field is filled in. The
/// root's `metadata` is left to ObjectMeta.
pub(super) fn prune_and_default(v: &mut Value, s: &Value, root: bool) {
    let Some(s) = s.as_object() else {
        return;
    };
    match v {
        Value::Object(map) => {
            let props = s.get("properties").and_then(Value::as_object);
            let extra = s.get("additionalProperties").filter(|a| a.is_object());
            let sub_of = |k: &str| props.and_then(|p| p.get(k)).or(extra);
            map.retain(|k, val| {
                !val.is_null() || sub_of(k).is_some_and(|sub| sub["nullable"] == Value::Bool(true))
            });
            for (k, sub) in props.into_iter().flatten() {
                if let Some(d) = sub.get("default") {
                    if !map.contains_key(k) {
                        map.insert(k.clone(), d.clone());
                    }
                }
            }
            for (k, val) in map.iter_mut() {
                if let Some(sub) = sub_of(k).filter(|_| !(root && k == "metadata")) {
                    prune_and_default(val, sub, false);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = s.get("items").filter(|i| i.is_object()) {
                for item in items {
                    prune_and_default(item, item_schema, false);
                }
            }
        }
        _ => {}
    }
}
