//! Rules on Liqo: liqoctl's real flags, gateways that can be reached, and declarative
//! peerings that hold everything Liqo's guide lists.

use super::{flag, flags, str_at, ExportSet, Findings};
use std::net::Ipv4Addr;

/// Flags every `liqoctl` command takes (kubeconfig, context and namespace selection).
const FACTORY_FLAGS: &[&str] = &[
    "--kubeconfig",
    "--context",
    "--user",
    "--cluster",
    "--namespace",
    "--liqo-namespace",
];
/// Flags of `liqoctl install` for every provider (`cmd/liqoctl/cmd/install.go`).
const INSTALL_FLAGS: &[&str] = &[
    "--version",
    "--repo-url",
    "--local-chart-path",
    "--only-output-values",
    "--dump-values-path",
    "--dry-run",
    "--timeout",
    "--cluster-id",
    "--cluster-labels",
    "--reserved-subnets",
    "--set",
    "--set-string",
    "--values",
    "--disable-api-server-sanity-check",
    "--skip-validation",
    "--enable-metrics",
    "--disable-telemetry",
    "--disable-kernel-version-check",
];
/// Flags only `liqoctl install k3s` adds (`pkg/liqoctl/install/k3s/provider.go`); the
/// kubeadm installer adds none (`kubeadm/provider.go`).
const K3S_FLAGS: &[&str] = &["--api-server-url", "--pod-cidr", "--service-cidr"];
/// Flags of `liqoctl peer` (`cmd/liqoctl/cmd/peer.go`).
const PEER_FLAGS: &[&str] = &[
    "--timeout",
    "--skip-validation",
    "--remote-kubeconfig",
    "--remote-context",
    "--remote-namespace",
    "--remote-liqo-namespace",
    "--networking-disabled",
    "--gw-server-service-location",
    "--gw-server-service-type",
    "--gw-server-service-port",
    "--gw-server-service-nodeport",
    "--gw-server-service-loadbalancerip",
    "--gw-client-address",
    "--gw-client-port",
    "--mtu",
    "--create-resource-slice",
    "--resource-slice-class",
    "--in-band",
    "--proxy-url",
    "--create-virtual-node",
    "--cpu",
    "--memory",
    "--pods",
    "--resource",
];

pub(super) fn liqoctl_flags(set: &ExportSet, f: &mut Findings) {
    for (file, cmd) in set.commands("liqoctl install") {
        let provider = cmd.split_whitespace().nth(2).unwrap_or("");
        let extra: &[&str] = if provider == "k3s" { K3S_FLAGS } else { &[] };
        for fl in flags(cmd) {
            if !(FACTORY_FLAGS.contains(&fl) || INSTALL_FLAGS.contains(&fl) || extra.contains(&fl))
            {
                let why = if K3S_FLAGS.contains(&fl) {
                    format!(" (the {provider} installer reads the CIDRs from the cluster; under set -eu the script aborts)")
                } else {
                    String::new()
                };
                f.add(
                    file,
                    &format!("liqoctl install {provider}"),
                    format!("{fl} is not a flag of this command{why}"),
                );
            }
        }
    }
    for (file, cmd) in set.commands("liqoctl peer") {
        for fl in flags(cmd) {
            if !(FACTORY_FLAGS.contains(&fl) || PEER_FLAGS.contains(&fl)) {
                f.add(
                    file,
                    "liqoctl peer",
                    format!("{fl} is not a flag of liqoctl peer"),
                );
            }
        }
        for need in ["--cpu", "--memory", "--pods"] {
            if flag(cmd, need).is_none() {
                f.add(file, "liqoctl peer", format!("no {need}: the virtual node gets Liqo's default instead of what the plan placed there"));
            }
        }
    }
}

/// Whether `a` is in an RFC 5737 documentation range (never routable).
fn documentation_address(a: &str) -> bool {
    a.parse::<Ipv4Addr>().is_ok_and(|ip| {
        let o = ip.octets();
        matches!(
            (o[0], o[1], o[2]),
            (192, 0, 2) | (198, 51, 100) | (203, 0, 113)
        )
    })
}

/// The hub: the folder that holds the application stages.
fn hub(set: &ExportSet) -> Option<String> {
    set.plan.as_ref().map(|p| p.hub.clone()).or_else(|| {
        set.of_kind("NamespaceOffloading")
            .next()
            .map(|d| d.target().to_string())
    })
}

pub(super) fn gateway_reachable(set: &ExportSet, f: &mut Findings) {
    let hub = hub(set).unwrap_or_default();
    for s in set.of_kind("GatewayServer") {
        if s.target() != hub {
            f.add(&s.file, &s.object(), format!(
                "a gateway server on {} is reached at its nodes' InternalIP when they have no ExternalIP (new OpenStack workers have none); serve from the hub {hub} and let this cluster dial out", s.target()));
        }
    }
    for c in set.of_kind("GatewayClient") {
        let addrs: Vec<&str> = c.value["spec"]["endpoint"]["addresses"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_str())
            .collect();
        if addrs.is_empty()
            || addrs
                .iter()
                .any(|a| a.is_empty() || documentation_address(a))
        {
            f.add(&c.file, &c.object(), format!("dials {addrs:?}: an empty or documentation-range (RFC 5737) address is never reachable"));
        }
    }
    for (file, cmd) in set.commands("liqoctl peer") {
        if flag(cmd, "--gw-server-service-location") != Some("Consumer") {
            f.add(file, "liqoctl peer", "the gateway server would run on the provider (Liqo's default), unreachable across sites when its nodes have no public address: add --gw-server-service-location Consumer");
        }
    }
}

pub(super) fn declarative_complete(set: &ExportSet, f: &mut Findings) {
    let Some(hub) = hub(set) else { return };
    for server in set.of_kind("GatewayServer") {
        let ns = server.namespace();
        let peer = server.value["metadata"]["labels"]["liqo.io/remote-cluster-id"]
            .as_str()
            .unwrap_or("");
        let here = |kind: &str| {
            set.of_kind(kind)
                .any(|d| d.namespace() == ns && d.target() == server.target())
        };
        for kind in ["Configuration", "ResourceSlice"] {
            if !here(kind) {
                f.add(
                    &server.file,
                    &server.object(),
                    format!("no {kind} in tenant namespace {ns}"),
                );
            }
        }
        let there = |kind: &'static str| {
            set.of_kind(kind).find(|d| {
                d.target() == peer
                    && d.value["metadata"]["labels"]["liqo.io/remote-cluster-id"].as_str()
                        == Some(hub.as_str())
            })
        };
        let script_file = format!("{hub}/liqo-peering-{peer}-keys.sh");
        let script = set.script(&script_file);
        for kind in ["Configuration", "GatewayClient", "Tenant", "RoleBinding"] {
            let made_by_script = kind == "GatewayClient"
                && script.is_some_and(|s| s.text.contains("kind: GatewayClient"));
            if there(kind).is_none() && !made_by_script {
                f.add(
                    &server.file,
                    &server.object(),
                    format!("the provider {peer} has no {kind} for the hub {hub}"),
                );
            }
        }
        let Some(script) = script else {
            f.add(&server.file, &server.object(), format!("no {script_file} creates the WireGuard keys, PublicKeys and the identity Secret"));
            continue;
        };
        for needle in [
            "gw-keys",
            "networking.liqo.io/gateway-resource=true",
            "kind: PublicKey",
            "cplane-secret",
            "liqo.io/identity-type=ControlPlane",
            "liqo.io/remote-tenant-namespace",
        ] {
            if !script.text.contains(needle) {
                f.add(
                    &script.file,
                    "-",
                    format!("does not create {needle:?}, which Liqo's declarative peering needs"),
                );
            }
        }
        let cn = script
            .commands
            .iter()
            .find_map(|c| c.strip_prefix("USER_CN="))
            .map(|v| v.trim_matches('\''));
        if let Some(rb) = there("RoleBinding") {
            let subject = str_at(&rb.value["subjects"][0], "name");
            if subject != cn {
                f.add(
                    &rb.file,
                    &rb.object(),
                    format!("binds user {subject:?} but the hub authenticates as {cn:?}"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documentation_ranges() {
        assert!(documentation_address("192.0.2.10"));
        assert!(documentation_address("203.0.113.1"));
        assert!(!documentation_address("198.18.0.1"));
        assert!(!documentation_address("gw.example.org"));
    }
}
