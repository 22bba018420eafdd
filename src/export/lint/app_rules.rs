//! Rules on what is applied and in which order: offloading before pods, kubelets the cloud
//! controller can match, add-ons for every new cluster, Services that keep users on their
//! cluster, ports opened only where planned, and references that resolve.

use super::cluster_rules::new_clusters;
use super::{str_at, Doc, ExportSet, Findings};
use serde_json::Value;
use std::path::Path;

/// The folder of a file (`<hub>/app`).
fn folder(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(d, _)| d)
}

/// Whether a label selector `matchLabels` holds in `labels`.
fn selects(selector: &Value, labels: &Value) -> bool {
    selector
        .as_object()
        .is_some_and(|m| m.iter().all(|(k, v)| labels.get(k) == Some(v)))
}

/// Whether a `clusterSelector` (matchLabels and `Exists` expressions) selects `labels`.
fn cluster_selects(selector: &Value, labels: &Value) -> bool {
    let labels_ok = selector
        .get("matchLabels")
        .is_none_or(|m| selects(m, labels));
    let exprs_ok = selector["matchExpressions"].as_array().is_none_or(|es| {
        es.iter().all(|e| {
            e["operator"].as_str() == Some("Exists")
                && e["key"].as_str().is_some_and(|k| labels.get(k).is_some())
        })
    });
    labels_ok && exprs_ok
}

/// Does a kubelet configuration document pass a provider ID?
fn has_provider_id(d: &Doc) -> bool {
    let t = d.value.to_string();
    t.contains("provider-id=openstack:///") || t.contains("\"name\":\"provider-id\"")
}

pub(super) fn apply_order(set: &ExportSet, f: &mut Findings) {
    for off in set.of_kind("NamespaceOffloading") {
        let ns = off.namespace();
        let labelled = set.of_kind("Namespace").any(|n| {
            n.name() == ns
                && n.value["metadata"]["labels"]["liqo.io/scheduling-enabled"].as_str()
                    == Some("true")
        });
        if !labelled {
            f.add(&off.file, &off.object(), format!("namespace {ns} lacks liqo.io/scheduling-enabled=true: pods created before offloading is ready escape Liqo's webhook"));
        }
        for d in set.of_kind("Deployment").filter(|d| d.namespace() == ns) {
            if folder(&d.file) == folder(&off.file) {
                f.add(&d.file, &d.object(), "applied together with the NamespaceOffloading; Liqo needs the offloading Ready first, or the pods stay Pending");
            }
        }
        let app = set
            .of_kind("Deployment")
            .find(|d| d.namespace() == ns)
            .map(|d| folder(&d.file).to_string());
        if let (Some(apply), Some(app)) = (set.script("apply.sh"), app) {
            let t = &apply.text;
            let (o, w, a) = (
                t.find(&format!("apply -k ./{}", folder(&off.file))),
                t.find("offloadingPhase"),
                t.find(&format!("apply -k ./{app}")),
            );
            if !matches!((o, w, a), (Some(o), Some(w), Some(a)) if o < w && w < a) {
                f.add("apply.sh", "-", format!("does not apply {} then wait for offloadingPhase Ready before applying {app}", folder(&off.file)));
            }
        }
    }
    for d in set.docs.iter().filter(|d| {
        matches!(
            d.kind(),
            "KThreesControlPlane"
                | "KThreesConfigTemplate"
                | "KubeadmControlPlane"
                | "KubeadmConfigTemplate"
        )
    }) {
        if !has_provider_id(d) {
            f.add(&d.file, &d.object(), "kubelets get no provider-id: the external OpenStack cloud controller cannot match the nodes and leaves them tainted uninitialized");
        }
    }
    for k in new_clusters(set) {
        let labels = &k.cluster.value["metadata"]["labels"];
        let charts: Vec<&str> = set
            .of_kind("HelmChartProxy")
            .filter(|p| cluster_selects(&p.value["spec"]["clusterSelector"], labels))
            .filter_map(|p| str_at(&p.value, "spec.chartName"))
            .collect();
        let mut need = vec!["liqo", "openstack-cloud-controller-manager"];
        if k.control_plane
            .is_some_and(|c| c.kind() == "KubeadmControlPlane")
        {
            need.push("tigera-operator");
        }
        for chart in need {
            if !charts.contains(&chart) {
                f.add(
                    &k.cluster.file,
                    &k.cluster.object(),
                    format!("no HelmChartProxy installs {chart} on this cluster"),
                );
            }
        }
    }
}

/// The cluster a Deployment's pods are pinned to (`None`: the hub, off virtual nodes).
fn pinned_cluster(d: &Doc) -> Option<&str> {
    d.value["spec"]["template"]["spec"]["nodeSelector"]["liqo.io/remote-cluster-id"].as_str()
}

pub(super) fn service_routing(set: &ExportSet, f: &mut Findings) {
    let hub = set.plan.as_ref().map(|p| p.hub.clone()).unwrap_or_default();
    // The application's namespace; without the plan, every offloaded one.
    let app_ns: Vec<&str> = match &set.plan {
        Some(p) => vec![p.deploy.namespace.as_str()],
        None => set
            .of_kind("NamespaceOffloading")
            .map(|d| d.namespace())
            .collect(),
    };
    for s in set
        .of_kind("Service")
        .filter(|s| app_ns.contains(&s.namespace()))
    {
        let sel = &s.value["spec"]["selector"];
        let Some(cluster) = sel["xrplace.io/cluster"].as_str() else {
            f.add(
                &s.file,
                &s.object(),
                "selects replicas on every cluster: a user may be routed to a far replica",
            );
            continue;
        };
        let matching: Vec<&Doc> = set
            .of_kind("Deployment")
            .filter(|d| {
                d.namespace() == s.namespace()
                    && selects(sel, &d.value["spec"]["template"]["metadata"]["labels"])
            })
            .collect();
        if matching.len() != 1 {
            f.add(
                &s.file,
                &s.object(),
                format!(
                    "selects {} Deployments; expected exactly one",
                    matching.len()
                ),
            );
        }
        for d in matching {
            let at = pinned_cluster(d).unwrap_or(&hub);
            if at != cluster {
                f.add(
                    &s.file,
                    &s.object(),
                    format!("labelled for {cluster} but its pods are pinned to {at}"),
                );
            }
        }
    }
    let node_ports: Vec<(String, u64, String)> = set
        .of_kind("Service")
        .filter(|s| s.value["spec"]["type"].as_str() == Some("NodePort"))
        .flat_map(|s| {
            let cluster = s.value["spec"]["selector"]["xrplace.io/cluster"]
                .as_str()
                .unwrap_or("")
                .to_string();
            s.value["spec"]["ports"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |p| {
                    (
                        cluster.clone(),
                        p["nodePort"].as_u64().unwrap_or(0),
                        p["protocol"].as_str().unwrap_or("TCP").to_ascii_lowercase(),
                    )
                })
        })
        .collect();
    for o in set.of_kind("OpenStackCluster") {
        let groups = &o.value["spec"]["managedSecurityGroups"];
        for key in [
            "allNodesSecurityGroupRules",
            "clusterNodesSecurityGroupRules",
            "controlPlaneRules",
            "workerRules",
        ] {
            for r in groups[key].as_array().into_iter().flatten() {
                let port = r["portRangeMin"].as_u64().unwrap_or(0);
                let wide = r["portRangeMax"].as_u64().unwrap_or(port) != port;
                let proto = r["protocol"].as_str().unwrap_or("").to_string();
                let planned = node_ports
                    .iter()
                    .any(|(c, p, pr)| c == o.name() && *p == port && *pr == proto);
                if wide || !planned {
                    f.add(&o.file, &o.object(), format!(
                        "opens {proto} {port}-{} to {} though no NodePort Service of the plan uses it on this cluster",
                        r["portRangeMax"].as_u64().unwrap_or(port),
                        r["remoteIPPrefix"].as_str().unwrap_or("any")
                    ));
                }
            }
        }
    }
}

pub(super) fn references(set: &ExportSet, f: &mut Findings) {
    for k in set.of_kind("Kustomization") {
        for r in k.value["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            let p = Path::new(folder(&k.file)).join(r);
            if !set.root.join(&p).exists() {
                f.add(
                    &k.file,
                    "Kustomization",
                    format!("lists {r}, which is not in the folder"),
                );
            }
        }
    }
    let clusters: Vec<&Value> = set
        .of_kind("Cluster")
        .map(|c| &c.value["metadata"]["labels"])
        .collect();
    for p in set
        .docs
        .iter()
        .filter(|d| matches!(d.kind(), "HelmChartProxy" | "ClusterResourceSet"))
    {
        if !clusters
            .iter()
            .any(|l| cluster_selects(&p.value["spec"]["clusterSelector"], l))
        {
            f.add(
                &p.file,
                &p.object(),
                "its clusterSelector matches no Cluster of the export",
            );
        }
    }
    let offloaded: Vec<String> = set
        .of_kind("NamespaceOffloading")
        .flat_map(|o| {
            o.value["spec"]["clusterSelector"]["nodeSelectorTerms"][0]["matchExpressions"][0]
                ["values"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    for d in set.of_kind("Deployment") {
        let Some(c) = pinned_cluster(d) else { continue };
        if !offloaded.iter().any(|o| o == c) {
            f.add(
                &d.file,
                &d.object(),
                format!("pinned to {c}, which the namespace is not offloaded to"),
            );
        }
        if super::cluster_rules::virtual_node(set, c).is_none() && !peered_already(set, c) {
            f.add(
                &d.file,
                &d.object(),
                format!("pinned to {c}, but no peering gives the hub a virtual node of it"),
            );
        }
    }
    let readme = crate::config::input::read_text(
        &set.root.join("README.md"),
        "README.md",
        super::MAX_EXPORT_FILE_BYTES,
    )
    .unwrap_or_default();
    let mut secrets: Vec<(String, &Doc)> = Vec::new();
    for o in set.of_kind("OpenStackCluster") {
        if let Some(s) = str_at(&o.value, "spec.identityRef.name") {
            secrets.push((s.to_string(), o));
        }
    }
    for c in set.of_kind("ClusterResourceSet") {
        for r in c.value["spec"]["resources"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let Some(s) = r["name"].as_str() {
                secrets.push((s.to_string(), c));
            }
        }
    }
    for (s, d) in secrets {
        if !readme.contains(&s) {
            f.add(&d.file, &d.object(), format!("refers to Secret {s}, which is neither in the export nor a prerequisite README.md names"));
        }
    }
}

/// Whether the plan says the hub's peering with `cluster` is up already (`existing`): its
/// virtual node exists, so the export has no ResourceSlice or `liqoctl peer` for it.
fn peered_already(set: &ExportSet, cluster: &str) -> bool {
    set.plan.as_ref().is_some_and(|p| {
        p.peerings
            .iter()
            .any(|x| x.existing && x.provider == cluster)
    })
}

/// Does a Deployment require nodes that are not Liqo virtual nodes (`liqo.io/type NotIn
/// virtual-node` in a required node selector term)?
fn requires_local_nodes(d: &Doc) -> bool {
    let terms = &d.value["spec"]["template"]["spec"]["affinity"]["nodeAffinity"]
        ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"];
    terms.as_array().into_iter().flatten().any(|t| {
        t["matchExpressions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|e| {
                e["key"] == "liqo.io/type"
                    && e["operator"] == "NotIn"
                    && e["values"]
                        .as_array()
                        .is_some_and(|v| v.iter().any(|x| x == "virtual-node"))
            })
    })
}

/// XR15: a namespace offloaded with `podOffloadingStrategy: Remote` holds no Deployment
/// that requires the hub's own nodes. Liqo's pod webhook adds `liqo.io/type In
/// virtual-node` to every node selector term of such a namespace's pods (v1.2.0
/// `pkg/webhooks/pod/mutations.go`, `createNodeSelectorFromNamespaceOffloading`), which no
/// node meets together with `NotIn virtual-node`: the pods stay Pending.
pub(super) fn remote_offloading_fits(set: &ExportSet, f: &mut Findings) {
    for off in set.of_kind("NamespaceOffloading") {
        if str_at(&off.value, "spec.podOffloadingStrategy") != Some("Remote") {
            continue;
        }
        let ns = off.namespace();
        for d in set.of_kind("Deployment").filter(|d| d.namespace() == ns) {
            if requires_local_nodes(d) {
                f.add(&d.file, &d.object(), format!("requires nodes that are not virtual nodes, but namespace {ns} is offloaded with podOffloadingStrategy Remote: Liqo adds liqo.io/type In virtual-node to every term, so the pods stay Pending (use LocalAndRemote)"));
            }
        }
    }
}
