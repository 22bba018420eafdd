//! Session world: XR sessions arrive at access sites, are placed by a strategy on the
//! monitored (stale) view, hold CPU and memory on their cluster, and leave. Cluster
//! failures re-place or drop the sessions they host.
//!
//! Two fidelities measure latency over the same sessions and placements:
//! - **flow**: each monitoring scrape samples every running session's latency from the
//!   analytic formula ([`crate::model::session`]) at the current load, standing for the
//!   scrape interval of session time ([`sampling`]);
//! - **frame**: every frame of every session is simulated ([`frames`]).
//!
//! Capacity is never exceeded: the world admits a session only where it really fits.
//! Every session ends exactly once: completed, rejected or dropped.
//!
//! The parts, from the ground floor up (each imports only parts below it):
//! - [`settings`], [`events`], [`observer`]: plain data and the reporting trait;
//! - [`changes`] (what changed since the last scrape), [`relay_load`] (frames on the
//!   cross-cluster paths' gateways and agents);
//! - [`roster`] (sessions by recycled slot) and [`ledger`] (capacity and reservations);
//! - [`network`] (faults on links), [`arrivals`] (the arrival process);
//! - [`booking`] (a session onto a cluster and off it, with its cost);
//! - [`monitor`] (scrapes and the lagged view), [`sampling`] (flow latency);
//! - [`control`] (autoscaling, standby clusters, peering), [`energy`] (energy and carbon
//!   per cluster);
//! - [`placement`] (strategy decisions and migrations), [`faults`], [`frames`];
//! - [`world`]: the coordinator's event loop.

pub mod arrivals;
pub mod booking;
pub mod changes;
pub mod control;
pub mod energy;
pub mod events;
pub mod faults;
pub mod frames;
pub mod ledger;
pub mod monitor;
pub mod network;
pub mod observer;
pub mod placement;
pub mod relay_load;
pub mod roster;
pub mod sampling;
pub mod settings;
pub mod world;

pub use crate::model::session_platform::SessionPlatform;
pub use booking::EGRESS_USD_PER_GB;
pub use events::SEvent;
pub use observer::{
    reason, ClusterSample, EnergySample, SessionObserver, SessionTimeUs, SiteSample,
};
pub use settings::{Arrivals, ControlSettings, Fault, FaultEffect, SessionSettings};
pub use world::{PendingSession, SessionWorld};
