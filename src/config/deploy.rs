//! Where and how an exported plan deploys: namespaces, pinned versions of every project the
//! export relies on, the hub's Liqo gateway, and the OpenStack settings with the cloud's
//! flavor table. No credentials: Secrets are referenced by name only.

use super::check::{is_host, Checker};
use super::error::ConfigError;
pub use super::monitoring_settings::{AlertReceiver, MonitoringSettings};
use serde::{Deserialize, Serialize};

/// Deploy settings, copied from `[plan.deploy]` into the plan file.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DeploySettings {
    /// Namespace of the XR application (offloaded to the planned clusters).
    pub namespace: String,
    /// Namespace of the Cluster API objects on the management cluster.
    pub management_namespace: String,
    /// Kubernetes version of new clusters (`v1.33.4`; k3s clusters get `+k3s1`).
    pub kubernetes_version: String,
    /// Versions of the providers, charts and tools the export pins.
    pub versions: Versions,
    /// How the hub's Liqo gateway servers are reached by the other clusters.
    pub hub_gateway: HubGateway,
    /// OpenStack settings of new clusters.
    pub openstack: OpenStackSettings,
    /// Where the monitoring of the plan runs and what it scrapes.
    pub monitoring: MonitoringSettings,
}

impl Default for DeploySettings {
    fn default() -> Self {
        DeploySettings {
            namespace: "xr-apps".into(),
            management_namespace: "xr-clusters".into(),
            kubernetes_version: "v1.33.4".into(),
            versions: Versions::default(),
            hub_gateway: HubGateway::default(),
            openstack: OpenStackSettings::default(),
            monitoring: MonitoringSettings::default(),
        }
    }
}

/// Pinned versions. Defaults: the releases whose CRDs `../shared/schemas` holds (Cluster
/// API v1.14.0, cluster-api-k3s v0.3.1, CAPO v0.14.7 as the newest stable release serving
/// v1beta1, CAAPH v0.6.4, Liqo v1.2.0); Calico and the OpenStack cloud controller chart
/// are the releases matching Kubernetes 1.33 (docs/export.md).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Versions {
    /// Cluster API core, kubeadm bootstrap and control plane.
    pub cluster_api: String,
    /// cluster-api-k3s bootstrap and control plane.
    pub k3s_provider: String,
    /// Cluster API Provider OpenStack (v0.14.x serves v1beta1 kinds; v0.15 adds v1beta2).
    pub openstack_provider: String,
    /// Cluster API Add-on Provider for Helm.
    pub helm_addon_provider: String,
    /// Liqo (chart and liqoctl).
    pub liqo: String,
    /// Calico's tigera-operator chart (CNI of kubeadm clusters; k3s brings flannel).
    pub calico: String,
    /// openstack-cloud-controller-manager chart.
    pub openstack_ccm_chart: String,
    /// prometheus-community's kube-prometheus-stack chart (Prometheus Operator and
    /// Prometheus on every cluster).
    pub kube_prometheus_stack: String,
    /// Thanos (sidecar, Receive and Query).
    pub thanos: String,
}

impl Default for Versions {
    fn default() -> Self {
        Versions {
            cluster_api: "v1.14.0".into(),
            k3s_provider: "v0.3.1".into(),
            openstack_provider: "v0.14.7".into(),
            helm_addon_provider: "v0.6.4".into(),
            liqo: "v1.2.0".into(),
            calico: "v3.32.2".into(),
            openstack_ccm_chart: "2.33.1".into(),
            // Chart 88.5.3 ships Prometheus Operator v0.93.1 (its Chart.yaml appVersion),
            // whose CRDs are v0.93.0's; Thanos v0.42.4 is the newest release at the
            // snapshot and has `query --endpoint.sd-config`.
            kube_prometheus_stack: "88.5.3".into(),
            thanos: "v0.42.4".into(),
        }
    }
}

/// How a Liqo gateway server is exposed.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
pub enum GatewayService {
    /// A LoadBalancer Service (Liqo's default, `forge/gatewayserver.go`).
    #[default]
    LoadBalancer,
    /// A NodePort on the hub's nodes; needs `address`.
    NodePort,
}

/// The hub runs the gateway servers of all its peerings, and the new clusters dial out to
/// it: OpenStack workers without floating IPs advertise only their internal address, so a
/// server there is unreachable across sites (Liqo prefers ExternalIP, then InternalIP,
/// `pkg/utils/nodeUtils.go`), while their outgoing UDP is routed by the router.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HubGateway {
    /// How the servers are exposed.
    pub service_type: GatewayService,
    /// Public address (IPv4 or DNS name) the other clusters dial: a hub node's for
    /// NodePort, the load balancer's for LoadBalancer. Needed for NodePort and for
    /// declarative peerings; empty: let Liqo read it from the Service.
    pub address: String,
    /// Port of the first peering's server (NodePort: a node port; each further peering
    /// takes the next port).
    pub first_port: u16,
}

impl Default for HubGateway {
    fn default() -> Self {
        HubGateway {
            service_type: GatewayService::LoadBalancer,
            address: String::new(),
            first_port: 32100,
        }
    }
}

/// A Nova flavor: its name and the size it gives a machine.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flavor {
    /// Flavor name in the cloud.
    pub name: String,
    /// vCPUs.
    pub vcpus: f64,
    /// Memory, GiB.
    pub ram_gib: f64,
}

/// The flavors of a stock OpenStack (Nova's classic defaults, as DevStack creates them);
/// list the cloud's own in `[[plan.deploy.openstack.flavors]]`.
fn default_flavors() -> Vec<Flavor> {
    [
        ("m1.small", 1.0, 2.0),
        ("m1.medium", 2.0, 4.0),
        ("m1.large", 4.0, 8.0),
        ("m1.xlarge", 8.0, 16.0),
    ]
    .into_iter()
    .map(|(n, c, m)| Flavor {
        name: n.into(),
        vcpus: c,
        ram_gib: m,
    })
    .collect()
}

/// OpenStack settings for Cluster API Provider OpenStack.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct OpenStackSettings {
    /// Name of the Secret (in the management namespace) holding `clouds.yaml`; created by
    /// the operator, never exported.
    pub identity_secret: String,
    /// Name of the Secret (in the management namespace) holding the cloud controller's
    /// `cloud.conf`, handed to new clusters by a ClusterResourceSet; never exported.
    pub ccm_secret: String,
    /// Cloud name inside `clouds.yaml`.
    pub cloud_name: String,
    /// ID of the external network for floating IPs and the API server (a UUID; the Nil
    /// UUID marks a placeholder, [`super::placeholder`]).
    pub external_network_id: String,
    /// Glance image name of the nodes (`<...>` marks a placeholder).
    pub image: String,
    /// Nova keypair name (`<...>` marks a placeholder).
    pub ssh_key_name: String,
    /// Flavor of control-plane machines (a name of `flavors`).
    pub control_plane_flavor: String,
    /// Nova availability zone of the workers.
    pub failure_domain: String,
    /// DNS servers of the new clusters' subnets.
    pub dns_nameservers: Vec<String>,
    /// Sources allowed to reach a NodePort the plan exposes on a new cluster.
    pub node_port_source_cidr: String,
    /// The cloud's flavors; worker flavors are chosen from them by exact size.
    pub flavors: Vec<Flavor>,
}

impl Default for OpenStackSettings {
    fn default() -> Self {
        OpenStackSettings {
            identity_secret: "xr-openstack-credentials".into(),
            ccm_secret: "xr-openstack-ccm-config".into(),
            cloud_name: "openstack".into(),
            // Placeholders (config::placeholder): only the operator knows these; the
            // export's README lists them and `xrplace check` warns (XR16).
            external_network_id: super::placeholder::NIL_UUID.into(),
            image: "<glance-image>".into(),
            ssh_key_name: "<nova-keypair>".into(),
            control_plane_flavor: "m1.medium".into(),
            failure_domain: "nova".into(),
            dns_nameservers: vec!["9.9.9.9".into()],
            node_port_source_cidr: "0.0.0.0/0".into(),
            flavors: default_flavors(),
        }
    }
}

impl OpenStackSettings {
    /// The flavor of exactly `vcpus` vCPUs and `ram_gib` GiB, the first listed.
    pub fn flavor_of(&self, vcpus: f64, ram_gib: f64) -> Option<&Flavor> {
        self.flavors
            .iter()
            .find(|f| (f.vcpus - vcpus).abs() < 1e-9 && (f.ram_gib - ram_gib).abs() < 1e-9)
    }

    /// The flavor named `name`.
    pub fn flavor(&self, name: &str) -> Option<&Flavor> {
        self.flavors.iter().find(|f| f.name == name)
    }
}

/// Whether `v` looks like a release version `vX.Y.Z` (a suffix like `-beta.0` allowed).
fn is_version(v: &str, with_v: bool) -> bool {
    let rest = if with_v { v.strip_prefix('v') } else { Some(v) };
    rest.is_some_and(|r| {
        let core = r.split(['-', '+']).next().unwrap_or("");
        let parts: Vec<&str> = core.split('.').collect();
        parts.len() == 3
            && parts
                .iter()
                .all(|x| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()))
            && r.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-+.".contains(&b))
    })
}

/// Checks deploy settings found at `p` (`plan.deploy` or `deploy`).
pub fn validate_deploy(c: &Checker, p: &str, d: &DeploySettings) -> Result<(), ConfigError> {
    c.dns_label(&format!("{p}.namespace"), &d.namespace)?;
    c.dns_label(
        &format!("{p}.management_namespace"),
        &d.management_namespace,
    )?;
    if !is_version(&d.kubernetes_version, true) || d.kubernetes_version.contains(['-', '+']) {
        return Err(c.src.error(
            &format!("{p}.kubernetes_version"),
            format!(
                "expected a version like \"v1.33.4\", found {:?}",
                d.kubernetes_version
            ),
        ));
    }
    let v = &d.versions;
    for (f, x, with_v) in [
        ("cluster_api", &v.cluster_api, true),
        ("k3s_provider", &v.k3s_provider, true),
        ("openstack_provider", &v.openstack_provider, true),
        ("helm_addon_provider", &v.helm_addon_provider, true),
        ("liqo", &v.liqo, true),
        ("calico", &v.calico, true),
        ("openstack_ccm_chart", &v.openstack_ccm_chart, false),
        ("kube_prometheus_stack", &v.kube_prometheus_stack, false),
        ("thanos", &v.thanos, true),
    ] {
        if !is_version(x, with_v) {
            let example = if with_v { "v1.2.3" } else { "1.2.3" };
            return Err(c.src.error(
                &format!("{p}.versions.{f}"),
                format!("expected a release version like \"{example}\", found {x:?}"),
            ));
        }
    }
    validate_hub_gateway(c, p, &d.hub_gateway)?;
    for (f, ns) in [
        ("namespace", &d.namespace),
        ("management_namespace", &d.management_namespace),
    ] {
        if d.monitoring.namespace == *ns {
            return Err(c.src.error(
                &format!("{p}.monitoring.namespace"),
                format!("expected a namespace of its own, found {p}.{f}'s {ns:?}"),
            ));
        }
    }
    super::monitoring_settings::validate_monitoring(c, p, &d.monitoring)?;
    validate_openstack(c, &format!("{p}.openstack"), &d.openstack)
}

fn validate_hub_gateway(c: &Checker, p: &str, g: &HubGateway) -> Result<(), ConfigError> {
    if !g.address.is_empty() && !is_host(&g.address) {
        return Err(c.src.error(
            &format!("{p}.hub_gateway.address"),
            format!(
                "expected an IPv4 address or a DNS name, found {:?}",
                g.address
            ),
        ));
    }
    if g.service_type == GatewayService::NodePort {
        if g.address.is_empty() {
            return Err(c.src.error(
                &format!("{p}.hub_gateway.service_type"),
                "a NodePort gateway needs the public address of a hub node that the other clusters can reach",
            ));
        }
        if !(30000..=32767).contains(&g.first_port) {
            return Err(c.src.error(
                &format!("{p}.hub_gateway.first_port"),
                format!(
                    "expected a node port in 30000-32767 (Kubernetes' default range), found {}",
                    g.first_port
                ),
            ));
        }
    } else if g.first_port == 0 {
        return Err(c.src.error(
            &format!("{p}.hub_gateway.first_port"),
            "expected a port from 1 to 65535",
        ));
    }
    Ok(())
}

fn validate_openstack(c: &Checker, p: &str, o: &OpenStackSettings) -> Result<(), ConfigError> {
    for (f, v) in [
        ("cloud_name", &o.cloud_name),
        ("image", &o.image),
        ("ssh_key_name", &o.ssh_key_name),
        ("external_network_id", &o.external_network_id),
        ("failure_domain", &o.failure_domain),
    ] {
        if v.trim().is_empty() || v.chars().any(char::is_control) {
            return Err(c.src.error(
                &format!("{p}.{f}"),
                "expected a non-empty value without control characters",
            ));
        }
    }
    c.dns_label(&format!("{p}.identity_secret"), &o.identity_secret)?;
    c.dns_label(&format!("{p}.ccm_secret"), &o.ccm_secret)?;
    for (i, d) in o.dns_nameservers.iter().enumerate() {
        if d.parse::<std::net::Ipv4Addr>().is_err() {
            return Err(c.src.error(
                &format!("{p}.dns_nameservers[{i}]"),
                format!("expected an IPv4 address, found {d:?}"),
            ));
        }
    }
    if super::cidr::Cidr::parse(&o.node_port_source_cidr).is_none() {
        return Err(c.src.error(
            &format!("{p}.node_port_source_cidr"),
            format!(
                "expected an IPv4 CIDR like 203.0.113.0/24, found {:?}",
                o.node_port_source_cidr
            ),
        ));
    }
    if o.flavors.is_empty() {
        return Err(c
            .src
            .error(&format!("{p}.flavors"), "expected at least one flavor"));
    }
    for (i, f) in o.flavors.iter().enumerate() {
        let q = format!("{p}.flavors[{i}]");
        if f.name.trim().is_empty() || f.name.chars().any(char::is_control) {
            return Err(c.src.error(&format!("{q}.name"), "expected a flavor name"));
        }
        c.within(&format!("{q}.vcpus"), f.vcpus, 0.001, 1024.0)?;
        c.within(&format!("{q}.ram_gib"), f.ram_gib, 0.001, 16384.0)?;
        if let Some(j) = o.flavors[..i].iter().position(|g| g.name == f.name) {
            return Err(c.src.error(
                &format!("{q}.name"),
                format!(
                    "flavor {:?} is listed twice (also {p}.flavors[{j}])",
                    f.name
                ),
            ));
        }
    }
    if o.flavor(&o.control_plane_flavor).is_none() {
        return Err(c.src.error(
            &format!("{p}.control_plane_flavor"),
            format!(
                "flavor {:?} is not in {p}.flavors (known: {})",
                o.control_plane_flavor,
                o.flavors
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_hosts() {
        assert!(is_version("v1.14.0", true));
        assert!(is_version("v0.15.0-beta.0", true));
        assert!(!is_version("1.14.0", true));
        assert!(is_version("2.33.1", false));
        assert!(!is_version("v1.14", true));
        assert!(!is_version("v1.14.0;reboot", true));
        assert!(is_host("203.0.113.7"));
        assert!(is_host("gw.hub.example.org"));
        assert!(!is_host("$(reboot)"));
        assert!(!is_host("-bad.example"));
    }

    #[test]
    fn flavors_match_by_exact_size() {
        let o = OpenStackSettings::default();
        assert_eq!(o.flavor_of(4.0, 8.0).unwrap().name, "m1.large");
        assert!(o.flavor_of(4.0, 16.0).is_none());
    }
}
