//! Cluster API Provider OpenStack objects: `OpenStackMachineTemplate` (the flavor of a
//! group of machines) and `OpenStackCluster` (the cloud and availability zones of a
//! cluster).
//!
//! Field paths from `../shared/schemas/crds/cluster-api-provider-openstack/`
//! `infrastructure.cluster.x-k8s.io_openstackmachinetemplates.yaml`
//! (`spec.template.spec.flavor`, a string, or `flavorID` in v1beta1; in v1beta2 `flavor`
//! is `{filter: {name}}` or `{id}`) and `infrastructure.cluster.x-k8s.io_openstackclusters.yaml`
//! (`spec.identityRef.cloudName`, `spec.controlPlaneAvailabilityZones`). The owning
//! Cluster's name is the label `cluster.x-k8s.io/cluster-name` (`cluster-api`
//! `api/core/v1beta2/common_types.go`, `ClusterNameLabel`), which CAPI sets on
//! infrastructure objects it owns.

use super::capi::strings;
use super::location::Location;
use super::object::RawObject;
use crate::config::ConfigError;

/// An OpenStack flavor, by name or by ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flavor {
    /// By name (`m1.large`).
    Name(String),
    /// By ID.
    Id(String),
}

/// An `OpenStackMachineTemplate`.
#[derive(Debug, Clone, PartialEq)]
pub struct MachineTemplate {
    /// Where it was read.
    pub at: Location,
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`, which machine deployments and control planes name.
    pub name: String,
    /// The machines' flavor.
    pub flavor: Flavor,
}

/// An `OpenStackCluster`.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenStackCluster {
    /// Where it was read.
    pub at: Location,
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`, which a `Cluster`'s `infrastructureRef` names.
    pub name: String,
    /// The owning Cluster (label `cluster.x-k8s.io/cluster-name`), if labelled.
    pub cluster: Option<String>,
    /// `spec.identityRef.cloudName`: the cloud in `clouds.yaml`.
    pub cloud: Option<String>,
    /// `spec.controlPlaneAvailabilityZones`.
    pub availability_zones: Vec<String>,
}

/// Reads an `OpenStackMachineTemplate`.
pub fn read_machine_template(obj: &RawObject) -> Result<MachineTemplate, ConfigError> {
    let spec = |k: &'static str| ["spec", "template", "spec", k];
    let flavor = match obj.get(&spec("flavor")) {
        Some(serde_json::Value::Object(_)) => {
            let by_name = obj.string(&["spec", "template", "spec", "flavor", "filter", "name"])?;
            let by_id = obj.string(&["spec", "template", "spec", "flavor", "id"])?;
            by_name.map(Flavor::Name).or(by_id.map(Flavor::Id))
        }
        _ => {
            let by_name = obj.string(&spec("flavor"))?.map(Flavor::Name);
            by_name.or(obj.string(&spec("flavorID"))?.map(Flavor::Id))
        }
    };
    let flavor = flavor
        .filter(|f| !matches!(f, Flavor::Name(s) | Flavor::Id(s) if s.is_empty()))
        .ok_or_else(|| obj.expected(&spec("flavor"), "a flavor (a name, or flavorID)"))?;
    Ok(MachineTemplate {
        at: obj.at.clone(),
        namespace: obj.namespace()?,
        name: obj.name()?,
        flavor,
    })
}

/// Reads an `OpenStackCluster`.
pub fn read_cluster(obj: &RawObject) -> Result<OpenStackCluster, ConfigError> {
    let labels = obj.string_map(&["metadata", "labels"])?;
    Ok(OpenStackCluster {
        at: obj.at.clone(),
        namespace: obj.namespace()?,
        name: obj.name()?,
        cluster: labels.get("cluster.x-k8s.io/cluster-name").cloned(),
        cloud: obj.string(&["spec", "identityRef", "cloudName"])?,
        availability_zones: strings(obj, &["spec", "controlPlaneAvailabilityZones"])?,
    })
}
