//! The `[sessions]` section of an experiment: XR sessions arriving at access sites, placed
//! by a strategy on a topology, at flow fidelity or, if the experiment says so, frame
//! fidelity. The schema is split by topic (the section and its control loop and sweep, the
//! applications, the arrivals, the faults); each field's range is in the range table
//! ([`crate::config::ranges::fields`]) and `validate` checks what depends on more than one
//! value.

mod apps;
mod faults;
mod load;
mod section;
mod validate;

pub use apps::{ComponentConfig, ComponentPlacement, SessionAppConfig};
pub use faults::{ClusterFaultConfig, FaultModelConfig, FaultRateConfig, SessionFaultKind};
pub use load::{LoadConfig, LoadKind};
pub use section::{Axis, CapacityModel, ControlConfig, SessionsConfig, SweepConfig};
pub use validate::validate_sessions;
