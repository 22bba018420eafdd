//! `apps/v1 Deployment`: what runs, where, and what it asks for: its labels, replicas, its
//! pod template's containers (image, ports, resource requests) and node selector (a pod
//! pinned to a Liqo virtual node runs on the cluster it stands for).
//!
//! Field paths from `k8s.io/api` v0.33.4 `apps/v1/types.go` (`DeploymentSpec.Replicas`,
//! `.Template`) and `core/v1/types.go` (`PodSpec.Containers`, `.NodeSelector`;
//! `Container.Image`, `.Ports` of `containerPort` and `protocol`, `TCP` by default,
//! `.Resources.Requests`).

use super::fields::Resources;
use super::location::Location;
use super::object::RawObject;
use crate::config::ConfigError;
use std::collections::BTreeMap;

/// One Deployment.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    /// Where it was read.
    pub at: Location,
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.labels`.
    pub labels: BTreeMap<String, String>,
    /// `spec.replicas` (Kubernetes defaults an absent one to 1).
    pub replicas: u32,
    /// `spec.template.spec.containers`, in order.
    pub containers: Vec<Container>,
    /// `spec.template.spec.nodeSelector`.
    pub node_selector: BTreeMap<String, String>,
}

/// One container of a pod template.
#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    /// `name`.
    pub name: String,
    /// `image`.
    pub image: String,
    /// `ports`: `containerPort` and `protocol` (`TCP`, `UDP` or `SCTP`).
    pub ports: Vec<(u16, String)>,
    /// `resources.requests` (zero where absent).
    pub requests: Resources,
}

/// Reads a Deployment.
pub fn read_deployment(obj: &RawObject) -> Result<Deployment, ConfigError> {
    let pod = |k: &'static str| ["spec", "template", "spec", k];
    let n = obj.list(&pod("containers"))?.len();
    let containers = (0..n)
        .map(|i| container(obj, &i.to_string()))
        .collect::<Result<_, _>>()?;
    Ok(Deployment {
        at: obj.at.clone(),
        namespace: obj.namespace()?,
        name: obj.name()?,
        labels: obj.string_map(&["metadata", "labels"])?,
        replicas: obj.count(&["spec", "replicas"])?.unwrap_or(1),
        containers,
        node_selector: obj.string_map(&pod("nodeSelector"))?,
    })
}

fn container(obj: &RawObject, index: &str) -> Result<Container, ConfigError> {
    let base = ["spec", "template", "spec", "containers", index];
    fn join<'a>(base: &[&'a str], rest: &[&'a str]) -> Vec<&'a str> {
        let mut p = base.to_vec();
        p.extend_from_slice(rest);
        p
    }
    let at = |rest: &[&'static str]| join(&base, rest);
    let n = obj.list(&at(&["ports"]))?.len();
    let mut ports = Vec::with_capacity(n);
    for i in 0..n {
        let i = i.to_string();
        let port_path = join(&base, &["ports", &i, "containerPort"]);
        let port = obj
            .count(&port_path)?
            .and_then(|p| u16::try_from(p).ok())
            .filter(|p| *p > 0)
            .ok_or_else(|| obj.expected(&port_path, "a port from 1 to 65535"))?;
        let protocol = obj
            .string(&join(&base, &["ports", &i, "protocol"]))?
            .unwrap_or_else(|| "TCP".into());
        ports.push((port, protocol));
    }
    Ok(Container {
        name: obj.required_string(&at(&["name"]), "the container's name")?,
        image: obj.string(&at(&["image"]))?.unwrap_or_default(),
        ports,
        requests: obj
            .resources(&at(&["resources", "requests"]))?
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::k8s::documents::objects_in;
    use std::path::Path;

    fn read(yaml: &str) -> Result<Deployment, ConfigError> {
        let objects = objects_in(Path::new("d.yaml"), yaml).unwrap();
        read_deployment(&objects[0])
    }

    const HEAD: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: r\n  namespace: xr\n  labels:\n    app.kubernetes.io/name: r\nspec:\n  template:\n    spec:\n      nodeSelector:\n        liqo.io/remote-cluster-id: edge\n      containers:\n      - name: r\n        image: img:1\n";

    #[test]
    fn defaults_are_kubernetes_own_and_a_bad_port_is_located() {
        let d = read(&format!(
            "{HEAD}        ports:\n        - containerPort: 5004\n          protocol: UDP\n        - containerPort: 9400\n        resources:\n          requests:\n            cpu: 300m\n            memory: 300Mi\n"
        ))
        .unwrap();
        assert_eq!(d.replicas, 1, "spec.replicas defaults to 1");
        let c = &d.containers[0];
        assert_eq!(c.ports, [(5004, "UDP".into()), (9400, "TCP".into())]);
        assert_eq!(c.requests.cpu_millicores, 300);
        assert_eq!(c.requests.memory_bytes, 300 << 20);
        assert_eq!(d.node_selector["liqo.io/remote-cluster-id"], "edge");
        let e = read(&format!(
            "{HEAD}        ports:\n        - containerPort: 70000\n"
        ))
        .unwrap_err();
        assert_eq!(
            e.field, "spec.template.spec.containers[0].ports[0].containerPort",
            "{e}"
        );
        assert!(e.message.contains("Deployment xr/r"), "{e}");
    }
}
