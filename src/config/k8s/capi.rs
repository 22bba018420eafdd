//! Cluster API objects: `Cluster`, `MachineDeployment` and the control planes
//! `KubeadmControlPlane` and `KThreesControlPlane`, v1beta1 and v1beta2 alike.
//!
//! Field paths from the CRDs in `../shared/schemas/crds` (upstream files, commits in
//! `SOURCES.yaml`): `cluster-api/cluster.x-k8s.io_clusters.yaml` (`spec.controlPlaneRef`,
//! `spec.infrastructureRef`: `{apiGroup, kind, name}` in v1beta2, `{apiVersion, kind, name}`
//! in v1beta1; `spec.clusterNetwork.pods.cidrBlocks`),
//! `cluster-api/cluster.x-k8s.io_machinedeployments.yaml` (`spec.clusterName` required,
//! `spec.replicas`, `spec.template.spec.infrastructureRef`, `.version`, `.failureDomain`),
//! `cluster-api/controlplane.cluster.x-k8s.io_kubeadmcontrolplanes.yaml` (`spec.replicas`,
//! `spec.version`; the machine template at `spec.machineTemplate.spec.infrastructureRef` in
//! v1beta2, `spec.machineTemplate.infrastructureRef` in v1beta1) and
//! `cluster-api-k3s/controlplane.cluster.x-k8s.io_kthreescontrolplanes.yaml`
//! (`spec.machineTemplate.infrastructureRef` in v1beta2, `spec.infrastructureTemplate`
//! in v1beta1).

use super::location::Location;
use super::object::RawObject;
use crate::config::topology::Distribution;
use crate::config::ConfigError;

/// A reference to another object of the same namespace, by kind and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    /// `kind`.
    pub kind: String,
    /// `name`.
    pub name: String,
}

/// A Cluster API `Cluster`.
#[derive(Debug, Clone, PartialEq)]
pub struct CapiCluster {
    /// Where it was read.
    pub at: Location,
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`: the cluster's name.
    pub name: String,
    /// `spec.controlPlaneRef`.
    pub control_plane: Option<ObjectRef>,
    /// `spec.infrastructureRef`.
    pub infrastructure: Option<ObjectRef>,
    /// `spec.clusterNetwork.pods.cidrBlocks`.
    pub pod_cidrs: Vec<String>,
    /// `spec.clusterNetwork.services.cidrBlocks`.
    pub service_cidrs: Vec<String>,
}

/// A Cluster API `MachineDeployment`: a group of worker machines.
#[derive(Debug, Clone, PartialEq)]
pub struct MachineDeployment {
    /// Where it was read.
    pub at: Location,
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `spec.clusterName`: the `Cluster` it belongs to.
    pub cluster: String,
    /// `spec.replicas` (CAPI defaults an absent one to 1, or to the autoscaler's minimum).
    pub replicas: Option<u32>,
    /// `spec.template.spec.infrastructureRef`: the machine template (its flavor).
    pub machine_template: Option<ObjectRef>,
    /// `spec.template.spec.version`.
    pub version: Option<String>,
    /// `spec.template.spec.failureDomain`.
    pub failure_domain: Option<String>,
}

/// A control plane: `KubeadmControlPlane` or `KThreesControlPlane`.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlPlane {
    /// Where it was read.
    pub at: Location,
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`, which a `Cluster`'s `controlPlaneRef` names.
    pub name: String,
    /// The distribution its kind provisions.
    pub distribution: Distribution,
    /// `spec.replicas`: control-plane machines.
    pub replicas: Option<u32>,
    /// `spec.version` (e.g. `v1.33.4+k3s1`).
    pub version: Option<String>,
    /// The control-plane machines' template.
    pub machine_template: Option<ObjectRef>,
}

/// The reference at `path` (`kind` and `name`), if present.
pub fn object_ref(obj: &RawObject, path: &[&str]) -> Result<Option<ObjectRef>, ConfigError> {
    if obj.get(path).is_none() {
        return Ok(None);
    }
    let field = |k: &'static str| {
        let mut p = path.to_vec();
        p.push(k);
        obj.required_string(&p, "a string")
    };
    Ok(Some(ObjectRef {
        kind: field("kind")?,
        name: field("name")?,
    }))
}

/// Reads a `Cluster`.
pub fn read_cluster(obj: &RawObject) -> Result<CapiCluster, ConfigError> {
    Ok(CapiCluster {
        at: obj.at.clone(),
        namespace: obj.namespace()?,
        name: obj.name()?,
        control_plane: object_ref(obj, &["spec", "controlPlaneRef"])?,
        infrastructure: object_ref(obj, &["spec", "infrastructureRef"])?,
        pod_cidrs: strings(obj, &["spec", "clusterNetwork", "pods", "cidrBlocks"])?,
        service_cidrs: strings(obj, &["spec", "clusterNetwork", "services", "cidrBlocks"])?,
    })
}

/// The list of strings at `path` (empty if absent).
pub fn strings(obj: &RawObject, path: &[&str]) -> Result<Vec<String>, ConfigError> {
    let n = obj.list(path)?.len();
    (0..n)
        .map(|i| {
            let index = i.to_string();
            let mut p = path.to_vec();
            p.push(&index);
            obj.required_string(&p, "a string")
        })
        .collect()
}

/// Reads a `MachineDeployment`.
pub fn read_machine_deployment(obj: &RawObject) -> Result<MachineDeployment, ConfigError> {
    let template = |k: &'static str| ["spec", "template", "spec", k];
    Ok(MachineDeployment {
        at: obj.at.clone(),
        namespace: obj.namespace()?,
        name: obj.name()?,
        cluster: obj.required_string(&["spec", "clusterName"], "the Cluster's name")?,
        replicas: obj.count(&["spec", "replicas"])?,
        machine_template: object_ref(obj, &template("infrastructureRef"))?,
        version: obj.string(&template("version"))?,
        failure_domain: obj.string(&template("failureDomain"))?,
    })
}

/// Reads a `KubeadmControlPlane` (`Distribution::Kubeadm`) or a `KThreesControlPlane`.
pub fn read_control_plane(
    obj: &RawObject,
    distribution: Distribution,
) -> Result<ControlPlane, ConfigError> {
    let candidates: [&[&str]; 3] = [
        &["spec", "machineTemplate", "spec", "infrastructureRef"],
        &["spec", "machineTemplate", "infrastructureRef"],
        &["spec", "infrastructureTemplate"],
    ];
    let mut machine_template = None;
    for path in candidates {
        if let Some(r) = object_ref(obj, path)? {
            machine_template = Some(r);
            break;
        }
    }
    Ok(ControlPlane {
        at: obj.at.clone(),
        namespace: obj.namespace()?,
        name: obj.name()?,
        distribution,
        replicas: obj.count(&["spec", "replicas"])?,
        version: obj.string(&["spec", "version"])?,
        machine_template,
    })
}
