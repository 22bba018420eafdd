//! The field table of docs/input.md, made from [`super::fields::FIELDS`] and the topology's
//! [`TOPOLOGY_FIELDS`] (a test keeps the page equal to it).

use super::fields::{When, FIELDS};
use super::topology_fields::TOPOLOGY_FIELDS;

/// The Markdown table of every bounded field: the file it is in, its path, its range and
/// when it applies.
pub fn field_table() -> String {
    let mut out = String::from("| file | field | range | when |\n|---|---|---|---|\n");
    let files = FIELDS.iter().map(|r| ("experiment", r));
    for (file, r) in files.chain(TOPOLOGY_FIELDS.iter().map(|r| ("topology", r))) {
        let range = r.bound.described();
        let when = match r.when {
            When::Always => "always",
            When::Rule(rule) => rule,
        };
        out.push_str(&format!("| {file} | `{}` | {range} | {when} |\n", r.path));
    }
    out
}
