//! The checks of a plan file: references, names, address ranges that overlap, flavors that
//! do not match the planned nodes, peerings and gateways nobody can reach. Whether the
//! placements fit what the clusters can schedule is checked by the exporter
//! (`export::capacity`), which knows the model of allocatable capacity.

use super::check::Checker;
use super::cidr::Cidr;
use super::deploy::{validate_deploy, GatewayService};
use super::error::ConfigError;
use super::plan_file::file::{PlanFile, PlannedCluster, PlannedComponent};
use super::topology::{Distribution, Provider};
use std::collections::HashMap;

/// Checks a parsed plan file.
pub fn validate_plan_file(c: &Checker, p: &PlanFile) -> Result<(), ConfigError> {
    validate_deploy(c, "deploy", &p.deploy)?;
    c.non_negative("liqo_reserve.cpu_cores", p.liqo_reserve.cpu_cores)?;
    c.non_negative("liqo_reserve.memory_mib", p.liqo_reserve.memory_mib)?;
    if p.clusters.is_empty() {
        return Err(c.src.error("clusters", "expected at least one cluster"));
    }
    if p.clusters.len() > super::cidr::MAX_CLUSTERS {
        return Err(c.src.error(
            "clusters",
            format!(
                "a plan holds at most {} clusters (the address plan's size)",
                super::cidr::MAX_CLUSTERS
            ),
        ));
    }
    for (i, k) in p.clusters.iter().enumerate() {
        validate_cluster(c, p, i, k)?;
    }
    validate_cidrs(c, p)?;
    let clusters = c.unique(
        "cluster",
        p.clusters
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("clusters[{i}].name"), k.name.as_str())),
    )?;
    c.resolve("hub", "cluster", &p.hub, &clusters)?;
    validate_peerings(c, p, &clusters)?;
    super::plan_check_existing::validate_existing(c, p)?;
    validate_gateway_ports(c, p)?;
    validate_offloading(c, p, &clusters)?;
    validate_monitoring(c, p)?;
    validate_components(c, p, &clusters)?;
    validate_lenders(c, p)
}

/// A new peering asks its provider for a resource slice: refused when the provider has no
/// node that schedules workloads. Pods placed on such a cluster are left to the export's
/// capacity check, which reports them as what they are (`clusters[i].nodes`).
fn validate_lenders(c: &Checker, p: &PlanFile) -> Result<(), ConfigError> {
    for (i, x) in p.peerings.iter().enumerate() {
        if !x.existing && lends_nothing(p, &x.provider) && !hosts_pods(p, &x.provider) {
            return Err(c.src.error(
                &format!("peerings[{i}].provider"),
                format!(
                    "{:?} is a 1-node kubeadm cluster: its only node is its control plane, tainted NoSchedule by kubeadm, so it has nothing to lend and the resource slice the peering asks of it cannot be met; give it a worker node or drop the peering",
                    x.provider
                ),
            ));
        }
    }
    Ok(())
}

/// The monitoring deployed as simulated: Prometheus durations have millisecond resolution,
/// and the SLO window holds at least two scrapes (a rate needs two samples).
fn validate_monitoring(c: &Checker, p: &PlanFile) -> Result<(), ConfigError> {
    let m = &p.monitoring;
    c.within(
        "monitoring.scrape_interval_s",
        m.scrape_interval_s,
        0.1,
        3600.0,
    )?;
    c.within(
        "monitoring.aggregation_lag_s",
        m.aggregation_lag_s,
        0.0,
        3600.0,
    )?;
    c.within("monitoring.slo_latency_ms", m.slo_latency_ms, 0.001, 1e6)?;
    c.within(
        "monitoring.slo_window_s",
        m.slo_window_s,
        2.0 * m.scrape_interval_s,
        366.0 * 86400.0,
    )?;
    if let Some(k) = p
        .components
        .iter()
        .find(|k| k.port == p.deploy.monitoring.metrics_port)
    {
        return Err(c.src.error(
            "deploy.monitoring.metrics_port",
            format!(
                "component {:?} serves its media on port {}; expected another port for metrics",
                k.name, k.port
            ),
        ));
    }
    Ok(())
}

fn validate_cluster(
    c: &Checker,
    p: &PlanFile,
    i: usize,
    k: &PlannedCluster,
) -> Result<(), ConfigError> {
    let f = format!("clusters[{i}]");
    if !super::check::is_dns_label(&k.name) {
        return Err(c.src.error(
            &format!("{f}.name"),
            format!(
                "expected a DNS label (lower-case letters, digits and '-', starting with a letter, at most 63 characters; it becomes the Cluster API and Liqo cluster name), found {:?}; for example {:?}",
                k.name,
                super::names::dns_label_from(&k.name, 63)
            ),
        ));
    }
    if k.site.trim().is_empty() || k.site.chars().any(char::is_control) {
        return Err(c.src.error(
            &format!("{f}.site"),
            "expected a site name without control characters",
        ));
    }
    if !(1..=1000).contains(&k.nodes) {
        return Err(c.src.error(
            &format!("{f}.nodes"),
            format!(
                "cluster {:?} has {} nodes; expected 1 to 1000 (leave a cluster with none out)",
                k.name, k.nodes
            ),
        ));
    }
    c.within(
        &format!("{f}.vcpu_per_node"),
        k.vcpu_per_node,
        0.001,
        1024.0,
    )?;
    c.within(
        &format!("{f}.memory_gib_per_node"),
        k.memory_gib_per_node,
        0.001,
        16384.0,
    )?;
    if !k.provision {
        return Ok(());
    }
    if k.provider != Provider::Openstack {
        return Err(c.src.error(
            &format!("{f}.provider"),
            "expected openstack: the exporter provisions clusters with Cluster API Provider OpenStack",
        ));
    }
    let o = &p.deploy.openstack;
    match o.flavor(&k.worker_flavor) {
        None => Err(c.src.error(
            &format!("{f}.worker_flavor"),
            format!(
                "flavor {:?} is not in deploy.openstack.flavors; list the cloud's flavor of {} vCPU / {} GiB there{}",
                k.worker_flavor,
                k.vcpu_per_node,
                k.memory_gib_per_node,
                o.flavor_of(k.vcpu_per_node, k.memory_gib_per_node)
                    .map_or(String::new(), |x| format!(" (or use {:?})", x.name))
            ),
        )),
        Some(fl) if (fl.vcpus - k.vcpu_per_node).abs() > 1e-9
            || (fl.ram_gib - k.memory_gib_per_node).abs() > 1e-9 =>
        {
            Err(c.src.error(
                &format!("{f}.worker_flavor"),
                format!(
                    "flavor {:?} has {} vCPU / {} GiB but the plan sized cluster {:?} for nodes of {} vCPU / {} GiB",
                    fl.name, fl.vcpus, fl.ram_gib, k.name, k.vcpu_per_node, k.memory_gib_per_node
                ),
            ))
        }
        Some(_) => Ok(()),
    }
}

/// Every range of every cluster must be a valid CIDR and overlap no other: Liqo remaps
/// overlapping pod ranges of peers, but a cluster whose own ranges overlap (or overlap its
/// Liqo external/internal range) cannot route.
fn validate_cidrs(c: &Checker, p: &PlanFile) -> Result<(), ConfigError> {
    let mut seen: Vec<(String, Cidr)> = Vec::new();
    for (i, k) in p.clusters.iter().enumerate() {
        for (what, v) in [
            ("node_cidr", &k.node_cidr),
            ("pod_cidr", &k.pod_cidr),
            ("service_cidr", &k.service_cidr),
            ("external_cidr", &k.external_cidr),
            ("internal_cidr", &k.internal_cidr),
        ] {
            let field = format!("clusters[{i}].{what}");
            let Some(cidr) = Cidr::parse(v) else {
                return Err(c.src.error(
                    &field,
                    format!("expected an IPv4 CIDR with no host bits set, like 10.64.0.0/18, found {v:?}"),
                ));
            };
            if let Some((other, o)) = seen.iter().find(|(_, o)| o.overlaps(&cidr)) {
                return Err(c.src.error(
                    &field,
                    format!("{cidr} overlaps {o} of {other}; every range of every cluster must be disjoint"),
                ));
            }
            seen.push((field, cidr));
        }
    }
    Ok(())
}

fn validate_peerings(
    c: &Checker,
    p: &PlanFile,
    clusters: &HashMap<&str, u32>,
) -> Result<(), ConfigError> {
    let mut pairs = HashMap::new();
    for (i, x) in p.peerings.iter().enumerate() {
        let f = format!("peerings[{i}]");
        c.resolve(&format!("{f}.consumer"), "cluster", &x.consumer, clusters)?;
        c.resolve(&format!("{f}.provider"), "cluster", &x.provider, clusters)?;
        // A peering that is up already (a plan of record) may join any two clusters: the
        // export leaves it alone; the ones the export makes start at the hub.
        if x.consumer != p.hub && !x.existing {
            return Err(c.src.error(
                &format!("{f}.consumer"),
                format!(
                    "the exporter peers the hub {:?} with every other cluster; found consumer {:?}",
                    p.hub, x.consumer
                ),
            ));
        }
        if x.provider == x.consumer {
            return Err(c.src.error(
                &format!("{f}.provider"),
                "a cluster cannot peer with itself",
            ));
        }
        if let Some(j) = pairs.insert((x.consumer.as_str(), x.provider.as_str()), i) {
            return Err(c.src.error(
                &format!("{f}.provider"),
                format!(
                    "the peering with {:?} is listed twice (also peerings[{j}])",
                    x.provider
                ),
            ));
        }
        let g = &p.deploy.hub_gateway;
        if x.declarative
            && g.service_type == GatewayService::LoadBalancer
            && !g.address.is_empty()
            && g.address.parse::<std::net::Ipv4Addr>().is_err()
        {
            return Err(c.src.error(
                "deploy.hub_gateway.address",
                "declarative peerings through a LoadBalancer fix its IP (loadBalancerIP): expected an IPv4 address, or none to take the one the load balancer assigns",
            ));
        }
    }
    Ok(())
}

/// A 1-node kubeadm cluster schedules no workload: kubeadm taints its control-plane node
/// `node-role.kubernetes.io/control-plane:NoSchedule` (kubeadm's `mark-control-plane`
/// phase), and it has no other.
fn lends_nothing(p: &PlanFile, name: &str) -> bool {
    p.cluster(name)
        .is_some_and(|k| k.distribution == Distribution::Kubeadm && k.nodes == 1)
}

fn hosts_pods(p: &PlanFile, name: &str) -> bool {
    p.components
        .iter()
        .any(|x| x.placements.iter().any(|pl| pl.cluster == name))
}

/// The hub gives each peering its own port from `first_port` on.
fn validate_gateway_ports(c: &Checker, p: &PlanFile) -> Result<(), ConfigError> {
    let g = &p.deploy.hub_gateway;
    let last = g.first_port as usize + p.peerings.len().saturating_sub(1);
    let max = match g.service_type {
        GatewayService::NodePort => 32767,
        GatewayService::LoadBalancer => 65535,
    };
    if last > max {
        return Err(c.src.error(
            "deploy.hub_gateway.first_port",
            format!(
                "{} peerings need ports {}-{last}, beyond {max}",
                p.peerings.len(),
                g.first_port
            ),
        ));
    }
    Ok(())
}

fn validate_offloading(
    c: &Checker,
    p: &PlanFile,
    clusters: &HashMap<&str, u32>,
) -> Result<(), ConfigError> {
    for (i, name) in p.offloading.clusters.iter().enumerate() {
        let f = format!("offloading.clusters[{i}]");
        c.resolve(&f, "cluster", name, clusters)?;
        if !p
            .peerings
            .iter()
            .any(|x| x.consumer == p.hub && &x.provider == name)
        {
            return Err(c.src.error(
                &f,
                format!(
                    "the namespace is offloaded to {name:?}, but no peering from the hub {:?} to it is planned",
                    p.hub
                ),
            ));
        }
        if let Some(j) = p.offloading.clusters[..i].iter().position(|x| x == name) {
            return Err(c.src.error(
                &f,
                format!("{name:?} is listed twice (also offloading.clusters[{j}])"),
            ));
        }
    }
    if !["LocalAndRemote", "Remote"].contains(&p.offloading.pod_offloading_strategy.as_str()) {
        return Err(c.src.error(
            "offloading.pod_offloading_strategy",
            format!(
                "expected LocalAndRemote or Remote (pods pinned to virtual nodes need one of them), found {:?}",
                p.offloading.pod_offloading_strategy
            ),
        ));
    }
    if p.offloading.pod_offloading_strategy == "Remote" {
        let on_hub = |x: &&PlannedComponent| x.placements.iter().any(|y| y.cluster == p.hub);
        if let Some(x) = p.components.iter().find(on_hub) {
            return Err(c.src.error(
                "offloading.pod_offloading_strategy",
                format!(
                    "Remote keeps every pod of the namespace off the hub's own nodes (Liqo's pod webhook adds liqo.io/type In virtual-node to every node selector term, v1.2.0 pkg/webhooks/pod/mutations.go), but component {:?} has replicas on the hub {:?}: they would stay Pending; use LocalAndRemote",
                    x.name, p.hub
                ),
            ));
        }
    }
    Ok(())
}

fn validate_components(
    c: &Checker,
    p: &PlanFile,
    clusters: &HashMap<&str, u32>,
) -> Result<(), ConfigError> {
    let mut names = HashMap::new();
    for (i, k) in p.components.iter().enumerate() {
        let f = format!("components[{i}]");
        c.dns_label(&format!("{f}.name"), &k.name)?;
        c.dns_label(&format!("{f}.application"), &k.application)?;
        if k.image.trim().is_empty() || k.image.chars().any(|ch| ch.is_whitespace()) {
            return Err(c.src.error(
                &format!("{f}.image"),
                format!(
                    "expected a container image reference without spaces, found {:?}",
                    k.image
                ),
            ));
        }
        if let Some(j) = names.insert((&k.application, &k.name), i) {
            return Err(c.src.error(
                &format!("{f}.name"),
                format!(
                    "duplicate component {:?} of application {:?} (also components[{j}])",
                    k.name, k.application
                ),
            ));
        }
        c.within(&format!("{f}.cpu_cores"), k.cpu_cores, 0.0, 1024.0)?;
        c.within(
            &format!("{f}.memory_mib"),
            k.memory_mib,
            0.0,
            16.0 * 1024.0 * 1024.0,
        )?;
        if k.port == 0 {
            return Err(c
                .src
                .error(&format!("{f}.port"), "expected a port from 1 to 65535"));
        }
        if k.placements.is_empty() {
            return Err(c.src.error(
                &format!("{f}.placements"),
                format!(
                    "component {:?} of {:?} has no placement; expected at least one {{ cluster, replicas }}",
                    k.name, k.application
                ),
            ));
        }
        for (j, x) in k.placements.iter().enumerate() {
            let g = format!("{f}.placements[{j}]");
            c.resolve(&format!("{g}.cluster"), "cluster", &x.cluster, clusters)?;
            if !(1..=100_000).contains(&x.replicas) {
                return Err(c
                    .src
                    .error(&format!("{g}.replicas"), "expected 1 to 100000 replicas"));
            }
            if let Some(m) = k.placements[..j]
                .iter()
                .position(|y| y.cluster == x.cluster)
            {
                return Err(c.src.error(
                    &format!("{g}.cluster"),
                    format!("{:?} is listed twice (also {f}.placements[{m}])", x.cluster),
                ));
            }
            if x.cluster != p.hub && !p.offloading.clusters.contains(&x.cluster) {
                return Err(c.src.error(
                    &format!("{g}.cluster"),
                    format!(
                        "component {:?} is placed on {:?}, which the namespace is not offloaded to (offloading.clusters)",
                        k.name, x.cluster
                    ),
                ));
            }
        }
    }
    Ok(())
}
