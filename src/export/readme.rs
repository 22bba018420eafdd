//! The README of an export: what the folders hold, what must exist before applying, and
//! the apply order with its wait gates (the same order `apply.sh` runs).

use super::app::NodePortService;
use super::estate::{builds_on_estate, readme_section, resize, runs_liqo};
use super::handover::shown;
use super::ExportOptions;
use crate::base::units::mib_from_gib;
use crate::config::deploy::{Flavor, GatewayService};
use crate::config::plan_file::PlanFile;

/// The README text.
pub fn text(plan: &PlanFile, opts: &ExportOptions, exposed: &[NodePortService]) -> String {
    let d = &plan.deploy;
    let v = &d.versions;
    let new = plan.new_cluster_names();
    let cost = if plan.cost.plan_usd_per_day > 0.0 {
        format!(
            "Planned capacity: {:.2} USD/day (the naive plan: {:.2} USD/day).",
            plan.cost.plan_usd_per_day, plan.cost.naive_usd_per_day
        )
    } else {
        "The plan carries no cost (written by hand).".to_string()
    };
    let mut s = format!(
        "# Manifests for plan `{exp}`\n\nWritten by `xrplace export` from the plan of experiment `{exp}` (strategy `{st}`).\n{cost} `plan.toml` is the plan itself; `xrplace check .`\nlints this folder; `xrplace-export.toml` lists what the export wrote.\n\n",
        exp = plan.experiment,
        st = plan.strategy,
    );
    s += &super::handover::placeholders_section(plan);
    s += "## Folders\n\n";
    if !new.is_empty() {
        s += "- `management/`: Cluster API objects of the new clusters and their add-ons (CNI, OpenStack cloud\n  controller, Liqo, kube-prometheus-stack in `monitoring.yaml`), for the management cluster (`kubectl apply -k management/`).\n";
    }
    for k in &plan.clusters {
        let declarative = plan
            .peerings
            .iter()
            .any(|p| p.provider == k.name && p.declarative);
        let (folder, role) = if k.name == plan.hub {
            (
                "/",
                "hub: Liqo consumer and gateway server; `offloading/`, `monitoring/` (Thanos, SLO rules), then `app/`".to_string(),
            )
        } else if k.provision && declarative {
            ("/", format!("new cluster (`management/{0}.yaml`, `management/{0}-liqo.yaml`); `peering-{1}/` for its declarative peering", k.name, plan.hub))
        } else if k.provision {
            ("", format!("new cluster, no folder of its own: `management/{0}.yaml`, `management/{0}-liqo.yaml`", k.name))
        } else if runs_liqo(plan, &k.name) {
            (
                "/",
                "existing cluster running Liqo: `monitoring-install.sh`".to_string(),
            )
        } else {
            (
                "/",
                "existing cluster: `liqo-install.sh`, `monitoring-install.sh`".to_string(),
            )
        };
        s += &format!(
            "- `{}{folder}`: {role} (site {:?}, {} x {} vCPU / {} GiB nodes).\n",
            k.name, k.site, k.nodes, k.vcpu_per_node, k.memory_gib_per_node
        );
    }
    if builds_on_estate(plan) {
        s += "\n";
        s += &readme_section(plan);
    }
    s += &format!(
        "\n## Tools and versions\n\nkubectl, clusterctl {capi}, liqoctl {liqo}, helm 3 (monitoring of existing clusters), openssl (declarative peerings). `clusterctl.yaml` pins the\nproviders: Cluster API {capi}, cluster-api-k3s {k3s}, CAPO {capo} ({kinds} OpenStack kinds), add-on provider\nfor Helm {caaph}. Charts: Liqo {liqo}, Calico tigera-operator {calico} (kubeadm clusters), OpenStack cloud\ncontroller manager {ccm}, kube-prometheus-stack {kps}; Thanos {thanos}.\n\n",
        capi = v.cluster_api,
        liqo = v.liqo,
        k3s = v.k3s_provider,
        capo = v.openstack_provider,
        kinds = if opts.openstack_v1beta2 { "v1beta2" } else { "v1beta1" },
        caaph = v.helm_addon_provider,
        calico = v.calico,
        ccm = v.openstack_ccm_chart,
        kps = v.kube_prometheus_stack,
        thanos = v.thanos,
    );
    s += "## Before you apply\n\n";
    s += &format!(
        "- Kubeconfigs in `$KUBECONFIG_DIR` (default `~/.kube/xrplace/{}`, outside this folder:\n  they are credentials, and `xrplace check` and a re-export own every file here):\n  `management.kubeconfig` and one `<cluster>.kubeconfig` per existing cluster; those of new\n  clusters are fetched there by `apply.sh`.\n",
        super::liqo::kubeconfig_folder(plan)
    );
    s += &format!(
        "- The XR components serve Prometheus metrics at `/metrics` on their `metrics` port ({}),\n  among them `xrplace_session_seconds_total` and `xrplace_session_over_budget_seconds_total`\n  (the SLO rules divide them; xrplace's docs/monitoring.md).\n",
        d.monitoring.metrics_port
    );
    if !new.is_empty() {
        s += &super::handover::credentials_item(plan);
        s += &format!(
            "- In OpenStack: the image {image}, the keypair {key}, the external network {net} and the\n  flavors {flavors}.\n",
            image = shown(&d.openstack.image),
            key = shown(&d.openstack.ssh_key_name),
            net = shown(&d.openstack.external_network_id),
            flavors = flavors_used(plan),
        );
        for f in custom_flavors(plan) {
            s += &format!(
                "  `{name}` is not one of Nova's classic defaults: create it if your cloud lacks it, e.g.\n  `openstack flavor create {name} --vcpus {vcpus} --ram {ram} --disk 40`.\n",
                name = f.name,
                vcpus = f.vcpus,
                ram = mib_from_gib(f.ram_gib),
            );
        }
    }
    let g = &d.hub_gateway;
    s += &format!(
        "- The hub `{}` serves every WireGuard tunnel ({}): {}. The other clusters only dial out.\n",
        plan.hub,
        match g.service_type {
            GatewayService::LoadBalancer => "LoadBalancer Services",
            GatewayService::NodePort => "NodePorts",
        },
        if g.address.is_empty() {
            "the hub needs a load-balancer implementation that gives each gateway Service a public address".to_string()
        } else {
            format!(
                "UDP ports {}-{} of `{}` must be reachable from the other clusters",
                g.first_port,
                g.first_port as usize + plan.peerings.len().saturating_sub(1),
                g.address
            )
        }
    );
    s += &super::handover::alert_secrets_item(plan);
    s += &super::handover::alerts_section(plan);
    s += "\n## Order (what `./apply.sh` does)\n\n";
    let mut steps: Vec<String> = Vec::new();
    if !new.is_empty() {
        steps.push("`clusterctl init --config clusterctl.yaml` with every provider pinned; wait for its controllers.".into());
        steps.push(format!(
            "`kubectl apply -k management/`; wait until each Cluster is `Available` ({}). Cluster API\n   installs the CNI, the cloud controller, Liqo and the monitoring as soon as each control plane\n   answers; `clusterctl get kubeconfig` fetches the new kubeconfigs; wait for the Liqo and\n   monitoring HelmChartProxies.",
            new.join(", ")
        ));
    }
    if plan.clusters.iter().any(|k| resize(k).is_some()) {
        steps.push("Resize the existing clusters the plan resizes: scale each one's MachineDeployment on the\n   management cluster by its change in nodes; wait until it has that many machines, all available.".into());
    }
    let existing_note = if builds_on_estate(plan) {
        " (`liqo-install.sh` only where Liqo does not run yet)"
    } else {
        ""
    };
    steps.push(format!(
        "On each existing cluster: `<cluster>/liqo-install.sh` and `<cluster>/monitoring-install.sh`{existing_note}\n   (KUBECONFIG pointing at it; the second installs kube-prometheus-stack with helm)."
    ));
    let peer_note = if plan.peerings.iter().any(|p| p.existing) {
        " Peerings that are up already get no step."
    } else {
        ""
    };
    steps.push(format!(
        "Peer: `{hub}/liqo-peer.sh`; for declarative peerings apply `{hub}/peering-<p>/` on the hub and\n   `<p>/peering-{hub}/` on the provider, then run `{hub}/liqo-peering-<p>-keys.sh` (it makes the\n   WireGuard keys and the hub's credentials on the spot). Wait until each virtual node is Ready.{peer_note}",
        hub = plan.hub
    ));
    steps.push(format!(
        "`kubectl apply -k {hub}/offloading` on the hub; wait until `namespaceoffloading/offloading` in\n   `{ns}` and in `{mon}` reports `offloadingPhase` Ready (pods created before would stay Pending).",
        hub = plan.hub,
        ns = d.namespace,
        mon = d.monitoring.namespace,
    ));
    steps.push(format!(
        "`kubectl apply -k {hub}/monitoring` on the hub: Thanos Receive (the other clusters' Prometheus\n   write to it through the offloaded `{mon}` namespace) and Thanos Query, and the SLO rules\n   (scrapes every {scrape}, SLO over {window}, as simulated).",
        hub = plan.hub,
        mon = plan.deploy.monitoring.namespace,
        scrape = super::monitoring::prom_duration(plan.monitoring.scrape_interval_s),
        window = super::monitoring::prom_duration(plan.monitoring.slo_window_s),
    ));
    steps.push(format!(
        "`kubectl apply -k {}/app`: one Deployment and one Service per component and cluster, each\n   pinned to its cluster's virtual node (`liqo.io/remote-cluster-id`).",
        plan.hub
    ));
    for (i, st) in steps.iter().enumerate() {
        s += &format!("{}. {st}\n", i + 1);
    }
    if !exposed.is_empty() {
        s += &format!(
            "\n**Warning**: {} are NodePort Services, reachable from `{}` on their node ports. The study used\nNodePorts as a benchmark path; do not expose them in production. New clusters open exactly these\nports in their security group, and their nodes must be reachable from the users for them to work.\n",
            exposed
                .iter()
                .map(|x| format!("`{}` (port {}/{})", x.name, x.port, x.protocol))
                .collect::<Vec<_>>()
                .join(", "),
            d.openstack.node_port_source_cidr
        );
    }
    s += "\nCapacity: each new cluster's kubelets reserve `kube-reserved` (and a k3s server `system-reserved`)\nas the plan assumed; the pods pinned to a cluster fit what it can schedule after that, the\ncontrol plane, Liqo and the monitoring stack's requests (set in its chart values; `xrplace check`\nverifies both), and each virtual node offers exactly that.\n";
    s
}

/// Flavors the new clusters use that are not Nova's classic defaults of the same size.
fn custom_flavors(plan: &PlanFile) -> Vec<&Flavor> {
    let stock = crate::config::deploy::OpenStackSettings::default();
    used(plan)
        .into_iter()
        .filter(|f| !stock.flavors.contains(f))
        .collect()
}

/// The flavors the new clusters use (workers and control planes), by name.
fn used(plan: &PlanFile) -> Vec<&Flavor> {
    let o = &plan.deploy.openstack;
    let mut names: Vec<&str> = plan
        .new_clusters()
        .map(|k| k.worker_flavor.as_str())
        .collect();
    names.push(&o.control_plane_flavor);
    names.sort();
    names.dedup();
    names.iter().filter_map(|n| o.flavor(n)).collect()
}

/// The flavors the new clusters use, with their sizes.
fn flavors_used(plan: &PlanFile) -> String {
    used(plan)
        .iter()
        .map(|f| format!("`{}` ({} vCPU / {} GiB)", f.name, f.vcpus, f.ram_gib))
        .collect::<Vec<_>>()
        .join(", ")
}
