//! The walk of one document through its schema. Two flavours share it: a CRD's structural
//! schema (OpenAPI v3.0 with the Kubernetes extensions, strict on unknown fields unless
//! told otherwise) and the core kinds' JSON Schema (strictness written out as
//! `additionalProperties: false`, types as lists, definitions behind `$ref`).
//!
//! The rules follow the API server's (k8s.io/apiextensions-apiserver
//! `pkg/apiserver/schema`, `pkg/apiserver/validation`) as the Python validator
//! `shared/tools/validate-manifests` (`convert_schema`, `prune_and_default`) implements
//! them, so both give the same verdicts.

mod lists;
mod messages;

use messages::{none_matched, path_text};

use super::formats::{self, json_eq, json_type, short};
use super::prune::prune_and_default;
use super::{Violation, OBJECT_META};
use regex::Regex;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Which kind of schema a node belongs to.
#[derive(Clone, Copy, PartialEq)]
enum Flavour {
    /// A CRD's structural schema.
    Crd {
        /// Inside `allOf`/`anyOf`/`oneOf`/`not`: a value validation, which never prunes, so
        /// it adds no strictness.
        value_validation: bool,
    },
    /// A core kind's JSON Schema.
    Core,
}

const STRUCTURAL: Flavour = Flavour::Crd {
    value_validation: false,
};
const VALUE_VALIDATION: Flavour = Flavour::Crd {
    value_validation: true,
};

/// One step of a JSON path.
#[derive(Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

/// Walks documents through schemas, collecting violations.
pub(super) struct Walker<'a> {
    defs: &'a Map<String, Value>,
    patterns: &'a mut HashMap<String, Option<Regex>>,
    path: Vec<Seg>,
}

impl<'a> Walker<'a> {
    /// A walker resolving `$ref`s in `defs` and caching compiled patterns in `patterns`.
    pub(super) fn new(
        defs: &'a Map<String, Value>,
        patterns: &'a mut HashMap<String, Option<Regex>>,
    ) -> Self {
        Walker {
            defs,
            patterns,
            path: Vec::new(),
        }
    }

    /// Validates a custom resource: nulls pruned and defaults applied to a copy first (as
    /// the API server does before validating), `metadata` held to the core ObjectMeta,
    /// `apiVersion` and `kind` to strings, the rest to the CRD's schema.
    pub(super) fn custom_resource(&mut self, doc: &Value, schema: &Value) -> Vec<Violation> {
        let mut work = doc.clone();
        prune_and_default(&mut work, schema, true);
        let mut out = Vec::new();
        let Some(obj) = work.as_object() else {
            return out;
        };
        let root_props = schema.get("properties").and_then(Value::as_object);
        for (key, v) in obj {
            self.path.push(Seg::Key(key.clone()));
            match key.as_str() {
                "apiVersion" | "kind" => self.expect_string(v, &mut out),
                "metadata" => {
                    self.object_meta(v, &mut out);
                    if let Some(own) = root_props.and_then(|p| p.get("metadata")) {
                        if own.get("properties").is_some() {
                            self.node(v, own, VALUE_VALIDATION, &mut out);
                        }
                    }
                }
                _ => match root_props.and_then(|p| p.get(key)) {
                    Some(sub) => self.node(v, sub, STRUCTURAL, &mut out),
                    None => self.unknown_field(key, root_props, &mut out),
                },
            }
            self.path.pop();
        }
        if let Some(s) = schema.as_object() {
            self.required(obj, s, &mut out);
        }
        out
    }

    /// Validates a core object against its kind's JSON Schema.
    pub(super) fn core_object(&mut self, doc: &Value, schema: &Value) -> Vec<Violation> {
        let mut out = Vec::new();
        self.node(doc, schema, Flavour::Core, &mut out);
        out
    }

    /// `metadata` against the core ObjectMeta definition.
    fn object_meta(&mut self, v: &Value, out: &mut Vec<Violation>) {
        let defs = self.defs;
        if let Some(meta) = defs.get(OBJECT_META) {
            self.node(v, meta, Flavour::Core, out);
        }
    }

    fn expect_string(&mut self, v: &Value, out: &mut Vec<Violation>) {
        if !v.is_string() {
            self.report(
                out,
                format!("expected string, got {} {}", json_type(v), short(v, 60)),
            );
        }
    }

    fn report(&self, out: &mut Vec<Violation>, message: String) {
        out.push(Violation {
            path: path_text(&self.path),
            message,
        });
    }

    /// Every rule of schema node `s` on value `v`.
    fn node(&mut self, v: &Value, s: &Value, fl: Flavour, out: &mut Vec<Violation>) {
        let Some(s) = s.as_object() else {
            return;
        };
        if let Some(target) = s.get("$ref").and_then(Value::as_str) {
            let defs = self.defs;
            let name = target.rsplit("#/$defs/").next().unwrap_or(target);
            if let Some(def) = defs.get(name) {
                self.node(v, def, fl, out);
            }
        }
        if !self.types_and_enum(v, s, fl, out) {
            return;
        }
        if let Flavour::Crd { .. } = fl {
            self.format(v, s, out);
        }
        match v {
            Value::Number(_) => self.number(v, s, out),
            Value::String(text) => self.string(text, s, out),
            Value::Array(items) => self.array(items, s, fl, out),
            Value::Object(map) => self.object(map, s, fl, out),
            _ => {}
        }
        self.composition(v, s, fl, out);
    }

    /// `type` (with `nullable` and `x-kubernetes-int-or-string`) and `enum`; false when the
    /// type is wrong (the other rules would only repeat it).
    fn types_and_enum(
        &mut self,
        v: &Value,
        s: &Map<String, Value>,
        fl: Flavour,
        out: &mut Vec<Violation>,
    ) -> bool {
        let nullable = fl != Flavour::Core && s.get("nullable") == Some(&Value::Bool(true));
        if let Some(types) = allowed_types(s, fl, nullable) {
            if !types.iter().any(|t| formats::is_type(v, t)) {
                let named: Vec<&str> = types.iter().copied().filter(|t| *t != "null").collect();
                self.report(
                    out,
                    format!(
                        "expected {}, got {} {}",
                        named.join(" or "),
                        json_type(v),
                        short(v, 60)
                    ),
                );
                return false;
            }
        }
        if let Some(values) = s.get("enum").and_then(Value::as_array) {
            let allowed = (nullable && v.is_null()) || values.iter().any(|e| json_eq(e, v));
            if !allowed {
                let listed: Vec<String> = values
                    .iter()
                    .filter(|e| !e.is_null())
                    .map(|e| e.to_string())
                    .collect();
                self.report(
                    out,
                    format!(
                        "unsupported value {}: supported values: {}",
                        short(v, 60),
                        listed.join(", ")
                    ),
                );
            }
        }
        true
    }

    /// The formats the API server checks on CRD fields.
    fn format(&mut self, v: &Value, s: &Map<String, Value>, out: &mut Vec<Violation>) {
        if let (Some(text), Some(name)) = (v.as_str(), s.get("format").and_then(Value::as_str)) {
            if !formats::format_ok(name, text) {
                self.report(out, format!("{} is not a valid {name}", short(v, 60)));
            }
        }
    }

    /// `minimum`/`maximum` (with OpenAPI v3.0's boolean `exclusive*`) and `multipleOf`.
    fn number(&mut self, v: &Value, s: &Map<String, Value>, out: &mut Vec<Violation>) {
        let x = v.as_f64().unwrap_or(f64::NAN);
        let excl = |k: &str| s.get(k) == Some(&Value::Bool(true));
        if let Some(min) = s.get("minimum").and_then(Value::as_f64) {
            if excl("exclusiveMinimum") && x <= min {
                self.report(out, format!("must be greater than {min}, got {v}"));
            } else if x < min {
                self.report(
                    out,
                    format!("must be greater than or equal to {min}, got {v}"),
                );
            }
        }
        if let Some(max) = s.get("maximum").and_then(Value::as_f64) {
            if excl("exclusiveMaximum") && x >= max {
                self.report(out, format!("must be less than {max}, got {v}"));
            } else if x > max {
                self.report(out, format!("must be less than or equal to {max}, got {v}"));
            }
        }
        if let Some(m) = s.get("multipleOf").and_then(Value::as_f64) {
            if m > 0.0 && (x / m).fract() != 0.0 {
                self.report(out, format!("must be a multiple of {m}, got {v}"));
            }
        }
    }

    /// `minLength`/`maxLength` (in characters) and `pattern`.
    fn string(&mut self, text: &str, s: &Map<String, Value>, out: &mut Vec<Violation>) {
        let len = text.chars().count() as u64;
        let shown = format!("{} ({len})", short(&Value::String(text.into()), 50));
        if let Some(min) = s.get("minLength").and_then(Value::as_u64) {
            if len < min {
                self.report(
                    out,
                    format!("must be at least {min} characters long, got {shown}"),
                );
            }
        }
        if let Some(max) = s.get("maxLength").and_then(Value::as_u64) {
            if len > max {
                self.report(
                    out,
                    format!("must be at most {max} characters long, got {shown}"),
                );
            }
        }
        if let Some(p) = s.get("pattern").and_then(Value::as_str) {
            let re = self
                .patterns
                .entry(p.to_string())
                .or_insert_with(|| formats::go_regex(p));
            let mismatch = re.as_ref().is_some_and(|re| !re.is_match(text));
            if mismatch {
                let shown = short(&Value::String(text.into()), 80);
                self.report(out, format!("{shown} does not match pattern {p}"));
            }
        }
    }

    /// Field counts, `required`, each field against its schema, unknown fields.
    fn object(
        &mut self,
        map: &Map<String, Value>,
        s: &Map<String, Value>,
        fl: Flavour,
        out: &mut Vec<Violation>,
    ) {
        let n = map.len() as u64;
        if let Some(min) = s.get("minProperties").and_then(Value::as_u64) {
            if n < min {
                self.report(out, format!("must have at least {min} field(s), got {n}"));
            }
        }
        if let Some(max) = s.get("maxProperties").and_then(Value::as_u64) {
            if n > max {
                self.report(out, format!("must have at most {max} field(s), got {n}"));
            }
        }
        self.required(map, s, out);
        let props = s.get("properties").and_then(Value::as_object);
        let extra = s.get("additionalProperties");
        let strict = match (fl, extra) {
            (_, Some(Value::Bool(false))) => true,
            (_, Some(_)) | (Flavour::Core, None) => false,
            (Flavour::Crd { value_validation }, None) => {
                !value_validation
                    && s.get("x-kubernetes-preserve-unknown-fields") != Some(&Value::Bool(true))
                    && (s.get("type").and_then(Value::as_str) == Some("object") || props.is_some())
            }
        };
        let embedded = fl != Flavour::Core
            && s.get("x-kubernetes-embedded-resource") == Some(&Value::Bool(true));
        for (key, v) in map {
            self.path.push(Seg::Key(key.clone()));
            if let Some(sub) = props.and_then(|p| p.get(key)) {
                self.node(v, sub, fl, out);
            } else if embedded && matches!(key.as_str(), "apiVersion" | "kind") {
                self.expect_string(v, out);
            } else if embedded && key == "metadata" {
                self.object_meta(v, out);
            } else if let Some(sub) = extra.filter(|e| e.is_object()) {
                self.node(v, sub, fl, out);
            } else if strict {
                self.unknown_field(key, props, out);
            }
            self.path.pop();
        }
    }

    /// Reports the field at the current path as unknown, with the closest known name.
    fn unknown_field(
        &mut self,
        key: &str,
        props: Option<&Map<String, Value>>,
        out: &mut Vec<Violation>,
    ) {
        let known: Vec<&str> = props
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let hint = formats::did_you_mean(key, &known)
            .map(|k| format!(" (did you mean \"{k}\"?)"))
            .unwrap_or_default();
        self.report(out, format!("unknown field \"{key}\"{hint}"));
    }

    /// `required` fields of an object.
    fn required(
        &mut self,
        map: &Map<String, Value>,
        s: &Map<String, Value>,
        out: &mut Vec<Violation>,
    ) {
        for field in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(f) = field.as_str() {
                if !map.contains_key(f) {
                    self.report(out, format!("missing required field \"{f}\""));
                }
            }
        }
    }

    /// `allOf`, `anyOf`, `oneOf` and `not`.
    fn composition(
        &mut self,
        v: &Value,
        s: &Map<String, Value>,
        fl: Flavour,
        out: &mut Vec<Violation>,
    ) {
        let inner = if fl == Flavour::Core {
            fl
        } else {
            VALUE_VALIDATION
        };
        for sub in s
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            self.node(v, sub, inner, out);
        }
        for (key, exactly_one) in [("anyOf", false), ("oneOf", true)] {
            let Some(alternatives) = s.get(key).and_then(Value::as_array) else {
                continue;
            };
            let results: Vec<Vec<Violation>> = alternatives
                .iter()
                .map(|alt| {
                    let mut o = Vec::new();
                    self.node(v, alt, inner, &mut o);
                    o
                })
                .collect();
            let passed = results.iter().filter(|r| r.is_empty()).count();
            if passed == 0 {
                self.report(out, none_matched(key, v, alternatives, &results));
            } else if exactly_one && passed > 1 {
                self.report(
                    out,
                    format!("matches {passed} of the oneOf alternatives, not exactly one"),
                );
            }
        }
        if let Some(not) = s.get("not") {
            let mut o = Vec::new();
            self.node(v, not, inner, &mut o);
            if o.is_empty() {
                self.report(
                    out,
                    format!("{} must not match the schema under \"not\"", short(v, 60)),
                );
            }
        }
    }
}

/// The types a node allows, or None when it does not constrain the type.
fn allowed_types(s: &Map<String, Value>, fl: Flavour, nullable: bool) -> Option<Vec<&str>> {
    let mut types: Vec<&str> = match (fl, s.get("type")) {
        (Flavour::Crd { .. }, _)
            if s.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) =>
        {
            if s.contains_key("anyOf") || s.contains_key("oneOf") {
                return None;
            }
            vec!["integer", "string"]
        }
        (_, Some(Value::String(t))) => vec![t.as_str()],
        (Flavour::Core, Some(Value::Array(ts))) => ts.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    if nullable {
        types.push("null");
    }
    Some(types)
}
