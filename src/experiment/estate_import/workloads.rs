//! The plan's components from the hub's Deployments in the offloaded namespace: one
//! component per `app.kubernetes.io/part-of` (application) and `app.kubernetes.io/name`
//! (component; the recommended labels, kubernetes.io/docs/concepts/overview/working-with-objects/common-labels),
//! its image, first port that is not the metrics port, protocol and requests from its first
//! container, and a placement per cluster: the one its `nodeSelector`'s
//! `liqo.io/remote-cluster-id` pins it to (Liqo's virtual node label), else the hub.
//! A Deployment the plan cannot say (no labels, no port, no requests, a cluster the
//! namespace is not offloaded to) is left out with a warning. Services are not read, so every
//! component is `expose = "cluster-ip"`.

use super::dumps::DumpedCluster;
use crate::config::check::is_dns_label;
use crate::config::k8s::node::LIQO_REMOTE_CLUSTER_ID;
use crate::config::k8s::workload::Deployment;
use crate::config::kinds::Protocol;
use crate::config::plan_file::{Exposure, Placement, PlannedComponent};

/// Bytes in a MiB.
const MIB: f64 = (1u64 << 20) as f64;

/// The components of `hub`'s Deployments in `namespace`, placed on the hub or the
/// `offloaded` clusters; `metrics_port` is the port the export's monitoring scrapes.
pub fn components(
    hub: &DumpedCluster,
    namespace: &str,
    offloaded: &[String],
    metrics_port: u16,
    warnings: &mut Vec<String>,
) -> Vec<PlannedComponent> {
    let mut out: Vec<PlannedComponent> = Vec::new();
    for d in hub
        .estate
        .inventory
        .deployments
        .iter()
        .filter(|d| d.namespace == namespace)
    {
        match component(d, &hub.name, offloaded, metrics_port) {
            Ok((c, place)) => add(&mut out, c, place, d, warnings),
            Err(why) => warnings.push(format!(
                "Deployment {}/{} of the hub {:?}: {why}; not in the plan's components",
                d.namespace, d.name, hub.name
            )),
        }
    }
    out
}

/// One Deployment as a component with its one placement, or why it cannot be one.
fn component(
    d: &Deployment,
    hub: &str,
    offloaded: &[String],
    metrics_port: u16,
) -> Result<(PlannedComponent, Placement), String> {
    let label = |k: &str| d.labels.get(k).cloned().unwrap_or_default();
    let (application, name) = (
        label("app.kubernetes.io/part-of"),
        label("app.kubernetes.io/name"),
    );
    if !is_dns_label(&application) || !is_dns_label(&name) {
        return Err("no DNS-label app.kubernetes.io/part-of and app.kubernetes.io/name".into());
    }
    let c = d.containers.first().ok_or("no container")?;
    let (port, protocol) = c
        .ports
        .iter()
        .find(|(p, _)| *p != metrics_port)
        .ok_or("its first container serves no port but the metrics port")?;
    let protocol = match protocol.as_str() {
        "TCP" => Protocol::Tcp,
        "UDP" => Protocol::Udp,
        other => return Err(format!("protocol {other}, not TCP or UDP")),
    };
    if c.requests.cpu_millicores == 0 || c.requests.memory_bytes == 0 {
        return Err("its first container requests no CPU or no memory".into());
    }
    let cluster = d
        .node_selector
        .get(LIQO_REMOTE_CLUSTER_ID)
        .cloned()
        .unwrap_or_else(|| hub.to_string());
    if cluster != hub && !offloaded.contains(&cluster) {
        return Err(format!(
            "pinned to {cluster:?}, which the namespace is not offloaded to"
        ));
    }
    if d.replicas == 0 {
        return Err("scaled to 0 replicas".into());
    }
    Ok((
        PlannedComponent {
            application,
            name,
            image: c.image.clone(),
            port: *port,
            protocol,
            cpu_cores: c.requests.cpu_millicores as f64 / 1000.0,
            memory_mib: c.requests.memory_bytes as f64 / MIB,
            expose: Exposure::ClusterIp,
            placements: Vec::new(),
        },
        Placement {
            cluster,
            replicas: d.replicas,
        },
    ))
}

/// Adds a placement to its component, which must ask the same of every cluster.
fn add(
    out: &mut Vec<PlannedComponent>,
    c: PlannedComponent,
    place: Placement,
    d: &Deployment,
    warnings: &mut Vec<String>,
) {
    let Some(k) = out
        .iter_mut()
        .find(|k| k.application == c.application && k.name == c.name)
    else {
        out.push(PlannedComponent {
            placements: vec![place],
            ..c
        });
        return;
    };
    let same = k.image == c.image
        && k.port == c.port
        && k.protocol == c.protocol
        && k.cpu_cores == c.cpu_cores
        && k.memory_mib == c.memory_mib;
    if !same {
        warnings.push(format!(
            "Deployment {}/{}: component {:?} of {:?} runs another image, port or request elsewhere; the first one read is recorded, this placement left out",
            d.namespace, d.name, c.name, c.application
        ));
        return;
    }
    match k.placements.iter_mut().find(|p| p.cluster == place.cluster) {
        Some(p) => p.replicas = p.replicas.saturating_add(place.replicas),
        None => k.placements.push(place),
    }
}
