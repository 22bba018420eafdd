//! The check of a parsed TOML file against both tables: every number within its unit's
//! physical range ([`super::units`]) and its field's bound ([`super::fields`]), refused
//! where it stands, before any validator or conversion sees it.

use super::fields::{range_of, When, FIELDS};
use super::units::out_of_range;
use std::collections::HashSet;
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
/// or NaN values), then its field's bound if it always applies. Field paths are built
/// only for the value at fault.
pub fn check_table(table: &toml::Table) -> Result<(), RangeError> {
    let mut path = Vec::new();
    walk_table(table, &mut path)
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

fn walk_table<'a>(t: &'a toml::Table, path: &mut Vec<Step<'a>>) -> Result<(), RangeError> {
    for (k, v) in t.iter() {
        path.push(Step::Key(k));
        walk_value(k, v, path)?;
        path.pop();
    }
    Ok(())
}

fn walk_value<'a>(
    key: &str,
    v: &'a toml::Value,
    path: &mut Vec<Step<'a>>,
) -> Result<(), RangeError> {
    let number = match v {
        toml::Value::Float(f) => Some((*f, false)),
        toml::Value::Integer(i) => Some((*i as f64, true)),
        toml::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(Step::Index(i));
                walk_value(key, x, path)?;
                path.pop();
            }
            None
        }
        toml::Value::Table(t) => {
            walk_table(t, path)?;
            None
        }
        _ => None,
    };
    let Some((x, integer)) = number else {
        return Ok(());
    };
    let refusal = out_of_range(key, x).or_else(|| {
        if !bounded_keys().contains(key) {
            return None;
        }
        let field = path_text(path);
        range_of(&field)
            .filter(|r| r.when == When::Always)
            .and_then(|r| r.bound.refusal(x, integer))
    });
    match refusal {
        Some(message) => Err(RangeError {
            field: path_text(path),
            message,
        }),
        None => Ok(()),
    }
}

/// The last key of every path of the field table: a number under another key is bounded by
/// its unit only, and its path need not be built (a topology has millions of numbers).
fn bounded_keys() -> &'static HashSet<&'static str> {
    static KEYS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    KEYS.get_or_init(|| {
        FIELDS
            .iter()
            .filter_map(|r| r.path.rsplit('.').next())
            .collect()
    })
}
