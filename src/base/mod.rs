//! The ground floor: checked conversions from measured floats to the integer units the
//! simulator counts in, and a stable hash. It imports nothing of the crate, so every layer
//! may use it.

pub mod fnv;
pub mod units;
