//! The README of an export: what the folders hold and in which order to apply them, with
//! which tools.

use super::app::node_port_services;
use super::ExportOptions;
use crate::config::plan::PlanFile;

/// The README text.
pub fn text(plan: &PlanFile, opts: &ExportOptions) -> String {
    let d = &plan.deploy;
    let new: Vec<&str> = plan
        .clusters
        .iter()
        .filter(|k| k.provision)
        .map(|k| k.name.as_str())
        .collect();
    let existing: Vec<&str> = plan
        .clusters
        .iter()
        .filter(|k| !k.provision)
        .map(|k| k.name.as_str())
        .collect();
    let mut s = format!(
        "# Manifests for plan `{exp}`\n\nWritten by `xrplace export` from the plan of experiment `{exp}` (strategy `{st}`).\nPlanned capacity: {cost:.2} USD/day (the naive plan: {naive:.2} USD/day).\n\n",
        exp = plan.experiment,
        st = plan.strategy,
        cost = plan.cost.plan_usd_per_day,
        naive = plan.cost.naive_usd_per_day,
    );
    s += "## Folders\n\n";
    s += "- `management/`: Cluster API objects of the new clusters (apply on the management cluster).\n";
    for k in &plan.clusters {
        let role = if k.name == plan.hub {
            "hub: Liqo consumer, hosts the application namespace"
        } else if k.provision {
            "new cluster"
        } else {
            "existing cluster"
        };
        s += &format!(
            "- `{}/`: {} ({}, {} nodes at {}).\n",
            k.name, role, k.name, k.nodes, k.site
        );
    }
    s += &format!(
        "\n## Tools\n\nkubectl, clusterctl (Cluster API v1.14, v1beta2 API) with the providers core, {}, infrastructure OpenStack (CAPO {}), and liqoctl (Liqo v1.x).\n\n",
        bootstrap_providers(plan),
        if opts.openstack_v1beta1 {
            "0.14 or later: v1beta1 kinds"
        } else {
            "0.15 or later: v1beta2 kinds; re-export with --openstack-v1beta1 for CAPO 0.14"
        },
    );
    s += "## Order\n\n";
    let mut step = 1;
    if !new.is_empty() {
        s += &format!(
            "{step}. On the management cluster: `kubectl apply -f management/00-namespace.yaml`, then create the\n   OpenStack credentials Secret (never part of this export):\n   `kubectl -n {ns} create secret generic {sec} --from-file=clouds.yaml` and\n   `kubectl -n {ns} label secret {sec} clusterctl.cluster.x-k8s.io/move=true`.\n",
            ns = d.management_namespace,
            sec = d.openstack.identity_secret,
        );
        step += 1;
        s += &format!(
            "{step}. `kubectl apply -f management/`; wait with `clusterctl describe cluster <name> -n {ns}` until\n   every cluster is Ready ({list}). Fetch kubeconfigs with\n   `clusterctl get kubeconfig <name> -n {ns} > kubeconfigs/<name>.kubeconfig`, and install a\n   CNI and the OpenStack cloud controller manager as your clusters need.\n",
            ns = d.management_namespace,
            list = new.join(", "),
        );
        step += 1;
    }
    if !existing.is_empty() {
        s += &format!(
            "{step}. Put the kubeconfigs of the existing clusters ({}) in `kubeconfigs/`.\n",
            existing.join(", ")
        );
        step += 1;
    }
    s += &format!(
        "{step}. On every cluster: run `<cluster>/liqo-install.sh` with KUBECONFIG pointing at it\n   (the Liqo cluster ID is the cluster name).\n"
    );
    step += 1;
    s += &format!(
        "{step}. Peer: `{hub}/liqo-peer.sh` (liqoctl peer, gateways as NodePort over UDP). For peerings\n   marked declarative, apply `<cluster>/liqo-peering-<peer>.yaml` on both sides instead, after\n   creating the WireGuard key Secrets with liqoctl. Check with `liqoctl info`.\n",
        hub = plan.hub
    );
    step += 1;
    s += &format!(
        "{step}. On the hub: `kubectl apply -f {hub}/xr-app.yaml`. It creates namespace `{ns}`, offloads it\n   to {list} (NamespaceOffloading `offloading`), and pins each Deployment to its cluster's\n   virtual node (`liqo.io/remote-cluster-id`).\n",
        hub = plan.hub,
        ns = d.namespace,
        list = plan.offloading.clusters.join(", "),
    );
    let exposed = node_port_services(plan);
    if !exposed.is_empty() {
        s += &format!(
            "\n**Warning**: the Services {} are NodePorts: reachable on every node from outside\nthe cluster. The study used NodePorts as a benchmark path; do not expose them in production.\n",
            exposed.join(", ")
        );
    }
    s += "\nEach cluster's workers are a MachineDeployment of `nodes - 1` machines next to one\ncontrol-plane machine. Flavor and image names come from the plan's `[deploy.openstack]`;\ncheck they exist in your cloud.\n";
    s
}

fn bootstrap_providers(plan: &PlanFile) -> &'static str {
    use crate::config::topology::Distribution::*;
    let k3s = plan
        .clusters
        .iter()
        .any(|k| k.provision && k.distribution == K3s);
    let kubeadm = plan
        .clusters
        .iter()
        .any(|k| k.provision && k.distribution == Kubeadm);
    match (k3s, kubeadm) {
        (true, true) => "bootstrap and control plane kubeadm and k3s (cluster-api-k3s)",
        (true, false) => "bootstrap and control plane k3s (cluster-api-k3s)",
        _ => "bootstrap and control plane kubeadm",
    }
}
