//! Model layer: the topology graph and its routes, path kinds, applications and
//! scenarios. Pure data and formulas; nothing here knows about time passing.

pub mod allocatable;
pub mod app;
pub mod egress;
pub mod energy;
pub mod frame_spread;
pub mod gpu;
pub mod ids;
pub mod interconnects;
pub mod monitoring_footprint;
pub mod nearest;
pub mod normal;
pub mod path;
pub mod platform;
pub mod provisioning;
pub mod relay;
pub mod rtt_error;
pub mod scenario;
pub mod session;
pub mod session_platform;
pub mod topology;

pub use app::{Application, Component, Flow};
pub use ids::{ClusterId, ComponentId, FlowId, SiteId};
pub use path::{Hop, PathModel};
pub use scenario::Scenario;
pub use topology::{Cluster, Route, Site, Topology};
