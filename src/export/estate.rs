//! An export of a plan built on clusters that run already (a plan of record from
//! `xrplace import k8s`, or a plan extending one): it emits only what changes.
//!
//! - Existing clusters (`provision = false`) get no Cluster API or OpenStack object, no
//!   add-on and no bootstrap; every builder of those objects reads only new clusters.
//! - Liqo runs on both ends of a peering that is up (`existing = true`), so those clusters
//!   get no `liqo-install.sh` ([`runs_liqo`]); an existing peering gets no peering step
//!   and no gate (`liqo-peer.sh`, the declarative folders and `apply.sh` skip it).
//! - An existing cluster the plan resizes (`existing_nodes`) gets a scale step: its
//!   MachineDeployment on the management cluster is scaled by the change in nodes
//!   ([`scale_steps`]). A MachineDeployment has the scale subresource (Cluster API
//!   `api/core/v1beta2/machinedeployment_types.go`,
//!   `+kubebuilder:subresource:scale:specpath=.spec.replicas,statuspath=.status.replicas`),
//!   so `kubectl scale machinedeployment/NAME` sets `spec.replicas`. A resized cluster
//!   without one is refused by the plan's checks (`config::plan_check`), because an
//!   `apply.sh` that stops half way for a hand-made resize would then place workloads
//!   on capacity that is not there.
//! - Workloads, offloading, the monitoring stack and its rules are emitted as for any
//!   plan: `kubectl apply` creates the objects that are missing and updates those that
//!   exist (Kubernetes docs, "Declarative Management of Kubernetes Objects Using
//!   Configuration Files"), and `helm upgrade --install` upgrades a release that exists
//!   and installs one that does not (Helm `pkg/cmd/upgrade.go`, flag `--install`), so
//!   applying them over what runs is safe.

use crate::config::names::sh_quote;
use crate::config::plan_file::{PlanFile, PlannedCluster};

/// Whether Liqo runs on cluster `name` already: it is an end of a peering that is up.
pub fn runs_liqo(plan: &PlanFile, name: &str) -> bool {
    plan.peerings
        .iter()
        .any(|p| p.existing && (p.consumer == name || p.provider == name))
}

/// Whether the plan builds on clusters that run already in a way the export must show:
/// a peering that is up, or an existing cluster it resizes. A plan without either
/// exports exactly as before existing clusters were a notion.
pub fn builds_on_estate(plan: &PlanFile) -> bool {
    plan.peerings.iter().any(|p| p.existing) || plan.clusters.iter().any(|k| resize(k).is_some())
}

/// The change in nodes of an existing cluster the plan resizes: (nodes now, planned).
pub fn resize(k: &PlannedCluster) -> Option<(u32, u32)> {
    let now = k.existing_nodes?;
    (!k.provision && now != k.nodes).then_some((now, k.nodes))
}

/// The `apply.sh` lines that scale each resized existing cluster's MachineDeployment by
/// its change in nodes and wait until the MachineDeployment has exactly that many
/// machines, all available. The replicas are read at apply time: the MachineDeployment
/// holds the workers only, however many control-plane nodes the cluster has, so the
/// change, not the total, is what the plan knows; `--current-replicas` makes the scale
/// fail rather than act on a MachineDeployment someone changed in between.
pub fn scale_steps(plan: &PlanFile) -> String {
    let mut s = String::new();
    for k in &plan.clusters {
        let Some((now, planned)) = resize(k) else {
            continue;
        };
        let Some((ns, md)) = k.machine_deployment.split_once('/') else {
            continue;
        };
        let (ns, md) = (sh_quote(ns), sh_quote(md));
        let change = if planned >= now {
            format!("+ {}", planned - now)
        } else {
            format!("- {}", now - planned)
        };
        s += &format!(
            "# {name}: {now} -> {planned} nodes, through its MachineDeployment {ns}/{md}.\nR=$(kubectl --kubeconfig \"$MGMT\" -n {ns} get machinedeployment/{md} -o jsonpath='{{.spec.replicas}}')\nN=$((R {change}))\nif [ \"$N\" -lt 0 ]; then\n  echo \"machinedeployment {md} has $R replicas, too few to take {name} from {now} to {planned} nodes; re-import the estate\" >&2\n  exit 1\nfi\nkubectl --kubeconfig \"$MGMT\" -n {ns} scale machinedeployment/{md} --current-replicas=\"$R\" --replicas=\"$N\"\nkubectl --kubeconfig \"$MGMT\" -n {ns} wait --for=jsonpath='{{.status.replicas}}'=\"$N\" machinedeployment/{md} --timeout=30m\nkubectl --kubeconfig \"$MGMT\" -n {ns} wait --for=jsonpath='{{.status.availableReplicas}}'=\"$N\" machinedeployment/{md} --timeout=30m\n",
            name = k.name,
        );
    }
    if s.is_empty() {
        return s;
    }
    format!(
        "\necho '2/7 existing clusters resized: {}'\n{s}",
        plan.clusters
            .iter()
            .filter_map(|k| resize(k).map(|(a, b)| format!("{} {a}->{b}", k.name)))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The README section saying what this export changes on the estate and what it leaves.
pub fn readme_section(plan: &PlanFile) -> String {
    let mut s = String::from("## What this export changes, and what it leaves\n\nThe plan builds on clusters that run already.\n\nChanges:\n");
    let new = plan.new_cluster_names();
    if !new.is_empty() {
        s += &format!(
            "- New clusters, created through Cluster API: {}.\n",
            new.join(", ")
        );
    }
    for k in &plan.clusters {
        if let Some((now, planned)) = resize(k) {
            s += &format!(
                "- `{}` resized from {now} to {planned} nodes: `apply.sh` scales its MachineDeployment `{}` on the management cluster by {} and waits for the machines.\n",
                k.name,
                k.machine_deployment,
                i64::from(planned) - i64::from(now)
            );
        }
    }
    let new_peerings: Vec<&str> = plan
        .peerings
        .iter()
        .filter(|p| !p.existing)
        .map(|p| p.provider.as_str())
        .collect();
    if !new_peerings.is_empty() {
        s += &format!(
            "- New peerings of the hub `{}` with: {}.\n",
            plan.hub,
            new_peerings.join(", ")
        );
    }
    s += "- Applied over what runs (`kubectl apply` and `helm upgrade --install` create what is missing and\n  update what exists): the namespace offloading, the workloads, kube-prometheus-stack on the\n  existing clusters, Thanos and the SLO rules on the hub.\n\nLeft as they are:\n";
    for k in plan.clusters.iter().filter(|k| !k.provision) {
        let size = match resize(k) {
            Some(_) => "resized as above".to_string(),
            None if k.nodes == 1 => "1 node, unchanged".to_string(),
            None => format!("{} nodes, unchanged", k.nodes),
        };
        let liqo = if runs_liqo(plan, &k.name) {
            "; Liqo runs there, not reinstalled"
        } else {
            "; Liqo installed by `liqo-install.sh`"
        };
        s += &format!(
            "- `{}`: no Cluster API object, add-on or bootstrap ({size}{liqo}).\n",
            k.name
        );
    }
    for p in plan.peerings.iter().filter(|p| p.existing) {
        s += &format!(
            "- The peering {} -> {}: up already, no peering step. Its virtual node keeps the resources\n  its ResourceSlice gave it; the plan's placements there must fit them.\n",
            p.consumer, p.provider
        );
    }
    s + "\n"
}
