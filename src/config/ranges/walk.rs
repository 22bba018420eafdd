//! The check of a parsed TOML file against both tables: every number within its unit's
//! physical range ([`super::units`]) and its field's bound ([`super::fields`]), refused
//! where it stands, before any validator or conversion sees it.

use super::fields::{matches, FieldRange, When};
use super::scope::Scope;
use super::units::out_of_range;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A number outside its range: the field's path (`links[0].rtt_ms`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeError {
    /// Path of the field at fault.
    pub field: String,
    /// What is wrong with its value.
    pub message: String,
}

/// Checks every number of `table`: its unit's range first ([`out_of_range`]: also infinite
/// or NaN values), then its field's bound if it always applies, from the bounds of the
/// file's [`Scope`]. A field's path is written only for a key some bound ends with.
pub fn check_table(table: &toml::Table) -> Result<(), RangeError> {
    Walk::new(Scope::of(table)).table(table)
}

/// [`check_table`] on the entry `index` of the list `list` of a file of `scope`
/// (`links[7]`): a file too large to hold whole as a table (an import of a large network)
/// is checked entry by entry.
pub fn check_entry(
    scope: Scope,
    list: &str,
    index: usize,
    entry: &toml::Table,
) -> Result<(), RangeError> {
    let mut walk = Walk::new(scope);
    walk.path.push(Step::Key(list));
    walk.path.push(Step::Index(index));
    walk.table(entry)
}

/// The walk's state: the bounds by their last key, the path to the value at hand, and a
/// buffer for that path with its indices written `[]`.
struct Walk<'a> {
    bounds: &'static HashMap<&'static str, Vec<&'static FieldRange>>,
    path: Vec<Step<'a>>,
    normalized: String,
}

/// One step of a field path: a key or an array index.
#[derive(Debug, Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn path_text(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

impl<'a> Walk<'a> {
    fn new(scope: Scope) -> Self {
        Walk {
            bounds: bounds_by_key(scope),
            path: Vec::new(),
            normalized: String::new(),
        }
    }

    fn table(&mut self, t: &'a toml::Table) -> Result<(), RangeError> {
        for (k, v) in t.iter() {
            self.path.push(Step::Key(k));
            self.value(k, v)?;
            self.path.pop();
        }
        Ok(())
    }

    fn value(&mut self, key: &str, v: &'a toml::Value) -> Result<(), RangeError> {
        let number = match v {
            toml::Value::Float(f) => Some((*f, false)),
            toml::Value::Integer(i) => Some((*i as f64, true)),
            toml::Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    self.path.push(Step::Index(i));
                    self.value(key, x)?;
                    self.path.pop();
                }
                None
            }
            toml::Value::Table(t) => {
                self.table(t)?;
                None
            }
            _ => None,
        };
        let Some((x, integer)) = number else {
            return Ok(());
        };
        let refusal = out_of_range(key, x).or_else(|| self.bound_refusal(key, x, integer));
        match refusal {
            Some(message) => Err(RangeError {
                field: path_text(&self.path),
                message,
            }),
            None => Ok(()),
        }
    }

    /// Why `x` at the current path is outside its field's bound, if one always applies.
    fn bound_refusal(&mut self, key: &str, x: f64, integer: bool) -> Option<String> {
        let candidates = self.bounds.get(key)?;
        self.normalized.clear();
        for step in &self.path {
            match step {
                Step::Key(k) => {
                    if !self.normalized.is_empty() {
                        self.normalized.push('.');
                    }
                    self.normalized.push_str(k);
                }
                Step::Index(_) => self.normalized.push_str("[]"),
            }
        }
        candidates
            .iter()
            .find(|r| matches(r.path, &self.normalized))
            .filter(|r| r.when == When::Always)
            .and_then(|r| r.bound.refusal(x, integer))
    }
}

/// The bounds of `scope` by the last key of their path, in the table's order: a number
/// under another key is bounded by its unit only, and its path need not be written (a
/// topology has millions of numbers).
fn bounds_by_key(scope: Scope) -> &'static HashMap<&'static str, Vec<&'static FieldRange>> {
    static EVERY: OnceLock<HashMap<&'static str, Vec<&'static FieldRange>>> = OnceLock::new();
    static TOPOLOGY: OnceLock<HashMap<&'static str, Vec<&'static FieldRange>>> = OnceLock::new();
    let cell = match scope {
        Scope::Every => &EVERY,
        Scope::Topology => &TOPOLOGY,
    };
    cell.get_or_init(|| {
        let mut by_key: HashMap<&'static str, Vec<&'static FieldRange>> = HashMap::new();
        for r in scope.fields() {
            let key = r.path.rsplit('.').next().unwrap_or(r.path);
            by_key.entry(key).or_default().push(r);
        }
        by_key
    })
}
