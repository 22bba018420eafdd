//! The import's rules on small estates written here: node size, distribution, provider,
//! peerings and placeholder ranges.

use super::dumps::DumpedCluster;
use super::facts::cluster_facts;
use super::links::peerings;
use super::ranges::plan_ranges;
use crate::config::cidr::Cidr;
use crate::config::k8s::documents::objects_in;
use crate::config::k8s::{Estate, Inventory};
use crate::config::topology::{Distribution, Provider};
use serde_json::{json, Value};
use std::path::Path;

/// A cluster `name` whose dump holds `objects`.
fn dump(name: &str, objects: Vec<Value>) -> DumpedCluster {
    let text = json!({ "apiVersion": "v1", "kind": "List", "items": objects }).to_string();
    let file = Path::new("dump.json");
    let mut inventory = Inventory::default();
    for o in objects_in(file, &text).unwrap() {
        inventory.add(&o).unwrap();
    }
    DumpedCluster {
        name: name.into(),
        estate: Estate {
            files: vec![file.into()],
            inventory,
        },
    }
}

/// A Node of `cpu` cores and `gib` GiB; `role` is a `node-role.kubernetes.io/` label.
fn node(name: &str, cpu: u32, gib: u32, role: Option<&str>, kubelet: &str, id: &str) -> Value {
    let mut labels = json!({});
    if let Some(r) = role {
        labels[format!("node-role.kubernetes.io/{r}")] = json!("");
    }
    let size = json!({ "cpu": cpu.to_string(), "memory": format!("{gib}Gi") });
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": { "name": name, "labels": labels },
        "spec": { "providerID": id },
        "status": { "capacity": size, "allocatable": size, "nodeInfo": { "kubeletVersion": kubelet } },
    })
}

#[test]
fn the_node_size_is_the_most_common_workers_and_the_larger_on_a_tie() {
    let os = "openstack:///x";
    // A 2-core control plane and workers of 4, 4 and 8 cores: 4 cores, the workers' mode.
    let d = dump(
        "a",
        vec![
            node("cp", 2, 4, Some("control-plane"), "v1.33.4", os),
            node("w1", 4, 8, None, "v1.33.4", os),
            node("w2", 4, 8, None, "v1.33.4", os),
            node("w3", 8, 16, None, "v1.33.4", os),
        ],
    );
    let f = cluster_facts(&d, std::slice::from_ref(&d)).unwrap();
    assert_eq!(
        (f.nodes, f.vcpu_per_node, f.memory_gib_per_node),
        (4, 4.0, 8.0)
    );
    assert_eq!(f.distribution, Distribution::Kubeadm);
    assert_eq!(f.provider, Provider::Openstack);
    assert!(
        f.warnings.iter().any(|w| w.contains("unequal sizes")),
        "{:?}",
        f.warnings
    );
    // One worker of 4 and one of 8 cores: a tie, the larger taken.
    let d = dump(
        "b",
        vec![
            node("w1", 4, 8, None, "v1.33.4+k3s1", "docker:////b-1"),
            node("w2", 8, 16, None, "v1.33.4+k3s1", "docker:////b-2"),
        ],
    );
    let f = cluster_facts(&d, std::slice::from_ref(&d)).unwrap();
    assert_eq!((f.vcpu_per_node, f.memory_gib_per_node), (8.0, 16.0));
    assert_eq!(f.distribution, Distribution::K3s);
    assert_eq!(f.provider, Provider::Docker);
}

#[test]
fn a_provider_nothing_names_is_openstack_with_a_warning_and_no_machine_is_no_cluster() {
    let d = dump("a", vec![node("w", 4, 8, None, "v1.33.4", "aws:///eu/i-1")]);
    let f = cluster_facts(&d, std::slice::from_ref(&d)).unwrap();
    assert_eq!(f.provider, Provider::Openstack);
    assert!(f.warnings.iter().any(|w| w.contains("neither Cluster API")));
    let mut virtual_node = node("v", 4, 8, None, "v1.33.4", "");
    virtual_node["metadata"]["labels"] =
        json!({ "liqo.io/type": "virtual-node", "liqo.io/remote-cluster-id": "b" });
    let d = dump("a", vec![virtual_node]);
    assert!(cluster_facts(&d, std::slice::from_ref(&d)).is_none());
}

#[test]
fn peerings_follow_the_peers_role_and_count_once() {
    let fc = |peer: &str, role: &str| {
        json!({
            "apiVersion": "core.liqo.io/v1beta1", "kind": "ForeignCluster",
            "metadata": { "name": peer },
            "spec": { "clusterID": peer },
            "status": { "role": role },
        })
    };
    // a sees b as its provider and c as both; b sees a as its consumer (the same peering).
    let a = dump(
        "a",
        vec![fc("b", "Provider"), fc("c", "ConsumerAndProvider")],
    );
    let b = dump("b", vec![fc("a", "Consumer")]);
    let got: Vec<(String, String)> = peerings(&[a, b]).into_iter().collect();
    let want = [("a", "b"), ("a", "c"), ("c", "a")];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(c, p)| (c.to_string(), p.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn overlapping_ranges_read_are_replaced_and_every_range_is_disjoint() {
    let capi = |name: &str| {
        json!({
            "apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "Cluster",
            "metadata": { "name": name, "namespace": "ns" },
            "spec": { "clusterNetwork": {
                "pods": { "cidrBlocks": ["10.42.0.0/16"] },
                "services": { "cidrBlocks": ["10.43.0.0/16"] },
            } },
        })
    };
    let mgmt = dump("mgmt", vec![capi("a"), capi("b")]);
    let a = dump("a", vec![node("a-0", 4, 8, None, "v1.33.4", "")]);
    let b = dump("b", vec![node("b-0", 4, 8, None, "v1.33.4", "")]);
    let all = [mgmt, a, b];
    let facts: Vec<_> = all[1..]
        .iter()
        .map(|d| cluster_facts(d, &all).unwrap())
        .collect();
    let mut warnings = Vec::new();
    let ranges = plan_ranges(&facts, &mut warnings).unwrap();
    // The first cluster keeps what Cluster API says; the second's overlap, so both of its
    // are placeholders, and said to be.
    assert_eq!(ranges[0].ranges.pod, "10.42.0.0/16");
    assert!(!ranges[0].placeholders.contains(&"pod_cidr"));
    assert!(ranges[1].placeholders.contains(&"pod_cidr"));
    assert!(ranges[1].placeholders.contains(&"service_cidr"));
    assert!(warnings.iter().any(|w| w.contains("overlaps 10.42.0.0/16")));
    let all: Vec<Cidr> = ranges
        .iter()
        .flat_map(|r| {
            let r = &r.ranges;
            [&r.node, &r.pod, &r.service, &r.external, &r.internal].map(|v| Cidr::parse(v).unwrap())
        })
        .collect();
    for (i, x) in all.iter().enumerate() {
        for y in &all[i + 1..] {
            assert!(!x.overlaps(y), "{x} and {y}");
        }
    }
}

#[test]
fn cluster_api_replicas_that_are_not_the_machines_dumped_are_said() {
    let objects = vec![
        json!({
            "apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "Cluster",
            "metadata": { "name": "a", "namespace": "ns" },
            "spec": { "controlPlaneRef": { "apiGroup": "controlplane.cluster.x-k8s.io", "kind": "KThreesControlPlane", "name": "a-cp" } },
        }),
        json!({
            "apiVersion": "controlplane.cluster.x-k8s.io/v1beta2", "kind": "KThreesControlPlane",
            "metadata": { "name": "a-cp", "namespace": "ns" },
            "spec": { "replicas": 1 },
        }),
        json!({
            "apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "MachineDeployment",
            "metadata": { "name": "a-md-0", "namespace": "ns" },
            "spec": { "clusterName": "a", "replicas": 3 },
        }),
    ];
    let mgmt = dump("mgmt", objects);
    // Two machines, kubelets without +k3s: Cluster API's kind decides, with a warning.
    let a = dump(
        "a",
        vec![
            node("a-0", 4, 8, Some("control-plane"), "v1.33.4", ""),
            node("a-1", 4, 8, None, "v1.33.4", ""),
        ],
    );
    let all = [mgmt, a];
    let f = cluster_facts(&all[1], &all).unwrap();
    assert_eq!(f.nodes, 2);
    assert_eq!(f.distribution, Distribution::K3s);
    assert_eq!(f.machine_deployment, "ns/a-md-0");
    let said = |part: &str| f.warnings.iter().any(|w| w.contains(part));
    assert!(
        said("asks for 4 machines (1 control plane, 3 workers) but 2"),
        "{:?}",
        f.warnings
    );
    assert!(said("kubelets' versions say Kubeadm"), "{:?}", f.warnings);
}

#[test]
fn deployments_become_components_placed_where_they_are_pinned() {
    let deployment = |name: &str, labels: Value, pinned: Option<&str>, replicas: u32| {
        let selector = match pinned {
            Some(c) => json!({ "liqo.io/remote-cluster-id": c }),
            None => json!({}),
        };
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": { "name": name, "namespace": "xr", "labels": labels },
            "spec": { "replicas": replicas, "template": { "spec": {
                "nodeSelector": selector,
                "containers": [{ "name": "c", "image": "img:1",
                    "ports": [{ "containerPort": 9400 }, { "containerPort": 5004, "protocol": "UDP" }],
                    "resources": { "requests": { "cpu": "250m", "memory": "128Mi" } } }],
            } } },
        })
    };
    let app = json!({ "app.kubernetes.io/part-of": "vs", "app.kubernetes.io/name": "r" });
    let hub = dump(
        "hub",
        vec![
            deployment("r-edge", app.clone(), Some("edge"), 2),
            deployment("r-hub", app.clone(), None, 1),
            deployment("r-far", app, Some("far"), 1),
            deployment("other", json!({}), None, 1),
        ],
    );
    let mut warnings = Vec::new();
    let got = super::workloads::components(&hub, "xr", &["edge".into()], 9400, &mut warnings);
    assert_eq!(got.len(), 1);
    let c = &got[0];
    assert_eq!(
        (c.port, c.protocol),
        (5004, crate::config::kinds::Protocol::Udp)
    );
    assert_eq!((c.cpu_cores, c.memory_mib), (0.25, 128.0));
    let placed: Vec<(&str, u32)> = c
        .placements
        .iter()
        .map(|p| (p.cluster.as_str(), p.replicas))
        .collect();
    assert_eq!(placed, [("edge", 2), ("hub", 1)]);
    let said = |part: &str| warnings.iter().any(|w| w.contains(part));
    assert!(said("xr/r-far") && said("not offloaded to"), "{warnings:?}");
    assert!(
        said("xr/other") && said("app.kubernetes.io/part-of"),
        "{warnings:?}"
    );
}
