//! Reading a live estate's Kubernetes objects, as `kubectl get ... -o yaml` or `-o json`
//! writes them (single objects, `List`s, multi-document YAML, folders of them), into a
//! typed [`Inventory`]: Nodes, Deployments, Cluster API and Liqo objects. Unknown kinds are counted and
//! skipped; a known kind with a bad field is a located error (file, document, kind/name,
//! field, what was expected).

pub mod capi;
pub mod documents;
pub mod estate;
pub mod fields;
pub mod inventory;
pub mod liqo;
pub mod location;
pub mod node;
pub mod object;
pub mod openstack;
pub mod quantity;
pub mod workload;

pub use estate::{read_estate, Estate, EstateSummary};
pub use fields::Resources;
pub use inventory::Inventory;
pub use location::Location;
pub use object::RawObject;
pub use quantity::Quantity;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_documents;
