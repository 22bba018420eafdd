//! `xrplace import k8s`: a live estate's Kubernetes objects ([`crate::config::k8s`]), dumped
//! cluster by cluster, and `SITES.toml` ([`crate::config::estate_sites`]) made into a
//! topology of existing clusters and a plan of record (docs/import.md), plus the capacity
//! drift between what the Nodes report and what the model gives.

pub mod drift;
pub mod dumps;
pub mod facts;
pub mod identity;
pub mod import;
pub mod links;
pub mod ranges;
pub mod record;
pub mod workloads;

pub use drift::{capacity_drift, CapacityDrift};
pub use dumps::{read_dumps, resolve_dumps, ClusterDump, DumpedCluster, EstateError};
pub use facts::ClusterFacts;
pub use import::import_estate;
pub use record::ImportedEstate;

#[cfg(test)]
mod tests;
