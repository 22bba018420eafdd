//! A plan as `xrplace plan` writes it and `xrplace export` reads it: its schema
//! ([`mod@file`]) and its loader ([`mod@load`]), apart so that the checks of
//! [`crate::config::plan_check`] read the schema and the loader calls them.

pub mod file;
pub mod load;

pub use file::*;
pub use load::load_plan;
