//! The field table of docs/input.md, made from [`super::fields::FIELDS`] (a test keeps
//! the page equal to it).

use super::fields::{When, FIELDS};

/// The Markdown table of every bounded field: its path, its range and when it applies.
pub fn field_table() -> String {
    let mut out = String::from("| field | range | when |\n|---|---|---|\n");
    for r in FIELDS {
        let range = r.bound.described();
        let when = match r.when {
            When::Always => "always",
            When::Rule(rule) => rule,
        };
        out.push_str(&format!("| `{}` | {range} | {when} |\n", r.path));
    }
    out
}
