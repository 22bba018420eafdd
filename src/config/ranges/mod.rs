//! Ranges of the input files' numbers, in two tables read by validation, the JSON Schema
//! and the docs alike: physical ranges told by the unit a field's name carries
//! ([`units`]), and bounds of single fields by their path ([`fields`], a topology's own in
//! [`topology_fields`]). A value beyond
//! either is refused where it stands as the file is parsed ([`walk`]), so no duration
//! overflows integer nanoseconds and no count means "forever"; validators check what
//! depends on other values (a warm-up shorter than the run, a fault smaller than its
//! cluster) and the conditional bounds the field table names.

pub mod docs;
pub mod fields;
pub mod schema;
pub mod scope;
pub mod topology_fields;
pub mod units;
pub mod walk;

pub use fields::{range_of, Bound, FieldRange, When, FIELDS};
pub use scope::{range_in, Scope};
pub use units::{floor, limit, out_of_range, YEAR_S};
pub use walk::{check_entry, check_table, RangeError};

#[cfg(test)]
mod tests;
