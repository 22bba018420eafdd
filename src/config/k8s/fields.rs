//! Typed reads of an object's fields, each failure a located error naming the field and
//! what was expected there.

use super::object::RawObject;
use super::quantity::Quantity;
use crate::config::ConfigError;
use serde_json::Value;
use std::collections::BTreeMap;

/// Allocatable or offered resources, as a `ResourceList` (`core/v1` `ResourceList`:
/// resource name to quantity) gives them; absent resources are zero, others ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Resources {
    /// `cpu`, in thousandths of a core.
    pub cpu_millicores: u64,
    /// `memory`, in bytes.
    pub memory_bytes: u64,
    /// `nvidia.com/gpu`, in devices.
    pub gpus: u64,
    /// `pods`, the most pods that may run.
    pub pods: u64,
}

impl Resources {
    /// The CPU in cores (the topology's and the plan's unit).
    pub fn cpu_cores(&self) -> f64 {
        self.cpu_millicores as f64 / 1000.0
    }

    /// The memory in MiB (the plan's unit).
    pub fn memory_mib(&self) -> f64 {
        self.memory_bytes as f64 / f64::from(1u32 << 20)
    }
}

/// What a JSON value is, for error messages.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// A value as an error message quotes it: a string in quotes (cut at 60 characters),
/// anything else by its type.
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) if s.chars().count() > 60 => {
            format!("{:?}...", s.chars().take(60).collect::<String>())
        }
        Value::String(s) => format!("{s:?}"),
        Value::Number(n) => n.to_string(),
        other => type_name(other).to_string(),
    }
}

/// A field path as errors show it: `status.allocatable["nvidia.com/gpu"]`.
fn dotted(path: &[&str]) -> String {
    let mut out = String::new();
    for key in path {
        if key.parse::<usize>().is_ok() {
            out.push_str(&format!("[{key}]"));
        } else if key.contains(['.', '/']) {
            out.push_str(&format!("[{key:?}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(key);
        }
    }
    out
}

impl RawObject {
    /// The value at `path`; `None` if absent or null.
    pub fn get(&self, path: &[&str]) -> Option<&Value> {
        let mut v = &self.value;
        for key in path {
            v = match v {
                Value::Array(items) => items.get(key.parse::<usize>().ok()?)?,
                _ => v.get(key)?,
            };
        }
        (!v.is_null()).then_some(v)
    }

    /// The located error for `path`: `expected`, and what was found if anything.
    pub fn expected(&self, path: &[&str], expected: &str) -> ConfigError {
        let found = self.get(path).map_or("nothing".to_string(), shown);
        self.at
            .error(&dotted(path), format!("expected {expected}, found {found}"))
    }

    /// The string at `path`, if present.
    pub fn string(&self, path: &[&str]) -> Result<Option<String>, ConfigError> {
        match self.get(path) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.expected(path, "a string")),
        }
    }

    /// The non-empty string at `path`, which must be there.
    pub fn required_string(&self, path: &[&str], what: &str) -> Result<String, ConfigError> {
        match self.string(path)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(self.expected(path, what)),
        }
    }

    /// `metadata.name`, which every object has.
    pub fn name(&self) -> Result<String, ConfigError> {
        self.required_string(&["metadata", "name"], "the object's name (a string)")
    }

    /// `metadata.namespace` (empty for a cluster-scoped object).
    pub fn namespace(&self) -> Result<String, ConfigError> {
        Ok(self.string(&["metadata", "namespace"])?.unwrap_or_default())
    }

    /// The count (a whole number from 0 to 2^32 - 1) at `path`, if present.
    pub fn count(&self, path: &[&str]) -> Result<Option<u32>, ConfigError> {
        match self.get(path) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| self.expected(path, "a whole number from 0 to 4294967295")),
        }
    }

    /// The boolean at `path`, if present.
    pub fn boolean(&self, path: &[&str]) -> Result<Option<bool>, ConfigError> {
        match self.get(path) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(self.expected(path, "true or false")),
        }
    }

    /// The list at `path` (empty if absent).
    pub fn list(&self, path: &[&str]) -> Result<&[Value], ConfigError> {
        match self.get(path) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(self.expected(path, "a list")),
        }
    }

    /// The map of strings to strings at `path` (labels, annotations, node selectors).
    pub fn string_map(&self, path: &[&str]) -> Result<BTreeMap<String, String>, ConfigError> {
        let Some(value) = self.get(path) else {
            return Ok(BTreeMap::new());
        };
        let Value::Object(map) = value else {
            return Err(self.expected(path, "a mapping of strings to strings"));
        };
        let mut out = BTreeMap::new();
        for (key, v) in map {
            let Value::String(s) = v else {
                let mut at = path.to_vec();
                at.push(key);
                return Err(self.expected(&at, "a string"));
            };
            out.insert(key.clone(), s.clone());
        }
        Ok(out)
    }

    /// The quantity at `path` (a string such as `3920m`, or a number), if present.
    pub fn quantity(&self, path: &[&str]) -> Result<Option<Quantity>, ConfigError> {
        let text = match self.get(path) {
            None => return Ok(None),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => return Err(self.expected(path, QUANTITY)),
        };
        Quantity::parse(&text).map(Some).map_err(|e| {
            let err = self.expected(path, QUANTITY);
            ConfigError {
                message: format!("{} ({e})", err.message),
                ..err
            }
        })
    }

    /// The resources of the `ResourceList` at `path`, if present.
    pub fn resources(&self, path: &[&str]) -> Result<Option<Resources>, ConfigError> {
        match self.get(path) {
            None => return Ok(None),
            Some(Value::Object(_)) => {}
            Some(_) => return Err(self.expected(path, "a mapping of resource names to quantities")),
        }
        let at = |name: &'static str| {
            let mut p = path.to_vec();
            p.push(name);
            self.quantity(&p).map(Option::unwrap_or_default)
        };
        Ok(Some(Resources {
            cpu_millicores: at("cpu")?.millis(),
            memory_bytes: at("memory")?.units(),
            gpus: at("nvidia.com/gpu")?.units(),
            pods: at("pods")?.units(),
        }))
    }
}

/// What a quantity must look like, for error messages.
const QUANTITY: &str =
    "a Kubernetes quantity (a number with a suffix such as 3920m, 16374556Ki, 15Gi or 1e3)";
