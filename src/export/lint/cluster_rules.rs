//! Rules on the new clusters: k3s address ranges, capacity against what the clusters can
//! schedule, pinned versions.

use super::{at, flag, str_at, Doc, ExportSet, Findings};
use crate::base::units::millicores;
use crate::config::topology::Distribution;
use crate::model::allocatable::{kube_reserved, Resources};
use crate::model::monitoring_footprint::workload_allocatable;
use serde_json::Value;

/// A new cluster as its manifests describe it.
pub struct NewCluster<'a> {
    /// The `Cluster` document.
    pub cluster: &'a Doc,
    /// Its control plane document.
    pub control_plane: Option<&'a Doc>,
    /// Its MachineDeployment.
    pub workers: Option<&'a Doc>,
}

impl NewCluster<'_> {
    /// Cluster name.
    pub fn name(&self) -> &str {
        self.cluster.name()
    }
    /// kubeadm or k3s, from the control plane's kind.
    pub fn distribution(&self) -> Option<Distribution> {
        match self.control_plane?.kind() {
            "KThreesControlPlane" => Some(Distribution::K3s),
            "KubeadmControlPlane" => Some(Distribution::Kubeadm),
            _ => None,
        }
    }
}

/// Every `Cluster` of the export with its control plane and workers.
pub fn new_clusters(set: &ExportSet) -> Vec<NewCluster<'_>> {
    set.of_kind("Cluster")
        .map(|c| {
            let cp_name = str_at(&c.value, "spec.controlPlaneRef.name").unwrap_or("");
            NewCluster {
                cluster: c,
                control_plane: set
                    .docs
                    .iter()
                    .find(|d| d.kind().ends_with("ControlPlane") && d.name() == cp_name),
                workers: set
                    .of_kind("MachineDeployment")
                    .find(|d| str_at(&d.value, "spec.clusterName") == Some(c.name())),
            }
        })
        .collect()
}

/// The first string of an array at `path`.
pub fn first_str<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    at(v, path)?.get(0)?.as_str()
}

pub(super) fn k3s_cidrs(set: &ExportSet, f: &mut Findings) {
    for k in new_clusters(set) {
        let Some(cp) = k
            .control_plane
            .filter(|d| d.kind() == "KThreesControlPlane")
        else {
            continue;
        };
        let server = at(&cp.value, "spec.kthreesConfigSpec.serverConfig");
        for (field, net) in [("clusterCidr", "pods"), ("serviceCidr", "services")] {
            let want = first_str(
                &k.cluster.value,
                &format!("spec.clusterNetwork.{net}.cidrBlocks"),
            );
            let got = server.and_then(|s| s.get(field)).and_then(Value::as_str);
            if got != want {
                f.add(
                    &cp.file,
                    &cp.object(),
                    format!(
                        "serverConfig.{field} is {got:?} but the Cluster's {net} CIDR is {want:?}; the k3s provider ignores clusterNetwork, so k3s would run {}",
                        if field == "clusterCidr" { "10.42.0.0/16" } else { "10.43.0.0/16" }
                    ),
                );
            }
        }
    }
}

/// CPU quantity in millicores (`1500m`, `2`, `0.5`).
pub fn cpu_millicores(q: &str) -> Option<u64> {
    match q.strip_suffix('m') {
        Some(m) => m.parse().ok(),
        None => q.parse::<f64>().ok().map(millicores),
    }
}

/// Memory quantity in MiB (`3072Mi`, `3Gi`, `512Ki`, bytes).
pub fn memory_mib(q: &str) -> Option<f64> {
    let units = [
        ("Ki", 1.0 / 1024.0),
        ("Mi", 1.0),
        ("Gi", 1024.0),
        ("Ti", 1024.0 * 1024.0),
    ];
    for (u, f) in units {
        if let Some(n) = q.strip_suffix(u) {
            return n.parse::<f64>().ok().map(|x| x * f);
        }
    }
    q.parse::<f64>().ok().map(|b| b / 1024.0 / 1024.0)
}

/// The flavor name of an OpenStackMachineTemplate (v1beta1 string or v1beta2 filter).
fn flavor_of(set: &ExportSet, template: &str) -> Option<String> {
    let t = set
        .of_kind("OpenStackMachineTemplate")
        .find(|d| d.name() == template)?;
    let f = at(&t.value, "spec.template.spec.flavor")?;
    f.as_str()
        .map(str::to_string)
        .or_else(|| str_at(f, "filter.name").map(str::to_string))
}

/// What the Deployments pinned to `cluster`'s virtual node request: (millicores, MiB, pods).
pub fn pinned_demand(set: &ExportSet, cluster: &str) -> (u64, f64, u64) {
    let (mut cpu, mut mem, mut pods) = (0, 0.0, 0);
    for d in set.of_kind("Deployment") {
        let spec = &d.value["spec"];
        let pinned = spec["template"]["spec"]["nodeSelector"]["liqo.io/remote-cluster-id"].as_str();
        if pinned != Some(cluster) {
            continue;
        }
        let n = spec["replicas"].as_u64().unwrap_or(1);
        for c in spec["template"]["spec"]["containers"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let r = &c["resources"]["requests"];
            cpu += n * r["cpu"].as_str().and_then(cpu_millicores).unwrap_or(0);
            mem += n as f64 * r["memory"].as_str().and_then(memory_mib).unwrap_or(0.0);
        }
        pods += n;
    }
    (cpu, mem, pods)
}

/// The resources the virtual node of `cluster` offers: a ResourceSlice or the flags of
/// its `liqoctl peer`, with the file that sets them.
pub fn virtual_node(set: &ExportSet, cluster: &str) -> Option<(String, u64, f64, u64)> {
    if let Some(s) = set
        .of_kind("ResourceSlice")
        .find(|d| str_at(&d.value, "spec.providerClusterID") == Some(cluster))
    {
        let r = &s.value["spec"]["resources"];
        return Some((
            s.file.clone(),
            r["cpu"].as_str().and_then(cpu_millicores)?,
            r["memory"].as_str().and_then(memory_mib)?,
            r["pods"]
                .as_str()
                .and_then(|p| p.parse().ok())
                .unwrap_or(110),
        ));
    }
    let (file, cmd) = set.commands("liqoctl peer").find(|(_, c)| {
        flag(c, "--remote-kubeconfig")
            .is_some_and(|k| k.ends_with(&format!("{cluster}.kubeconfig")))
    })?;
    // Liqo's defaults when a flag is missing: 4 CPU, 8 GiB, 110 pods (issue report; chart
    // `offloading.defaultNodeResources`).
    Some((
        file.to_string(),
        flag(cmd, "--cpu").and_then(cpu_millicores).unwrap_or(4000),
        flag(cmd, "--memory").and_then(memory_mib).unwrap_or(8192.0),
        flag(cmd, "--pods")
            .and_then(|p| p.parse().ok())
            .unwrap_or(110),
    ))
}

/// Whether the kubelet configuration of `doc` sets `kube-reserved` to `want`.
fn reserves(doc: &Doc, want: &str) -> bool {
    let text = doc.value.to_string();
    text.contains(&format!("kube-reserved={want}"))
        || text.contains(&format!("\"name\":\"kube-reserved\",\"value\":\"{want}\""))
}

pub(super) fn capacity_fit(set: &ExportSet, f: &mut Findings) {
    let Some(plan) = &set.plan else {
        f.add(
            "plan.toml",
            "-",
            "no readable plan.toml: flavor sizes and the Liqo reserve are unknown",
        );
        return;
    };
    let flavors = &plan.deploy.openstack;
    for k in new_clusters(set) {
        let (Some(cp), Some(md), Some(dist)) = (k.control_plane, k.workers, k.distribution())
        else {
            f.add(
                &k.cluster.file,
                &k.cluster.object(),
                "no control plane or MachineDeployment",
            );
            continue;
        };
        let md_tpl = str_at(&md.value, "spec.template.spec.infrastructureRef.name").unwrap_or("");
        let Some(flavor) = flavor_of(set, md_tpl).and_then(|n| flavors.flavor(&n).cloned()) else {
            f.add(
                &md.file,
                &md.object(),
                "the workers' flavor is not in plan.toml's flavor table, so its size is unknown",
            );
            continue;
        };
        let cp_tpl = str_at(&cp.value, "spec.machineTemplate.infrastructureRef.name")
            .or_else(|| {
                str_at(
                    &cp.value,
                    "spec.machineTemplate.spec.infrastructureRef.name",
                )
            })
            .unwrap_or("");
        if dist == Distribution::K3s
            && flavor_of(set, cp_tpl).as_deref() != Some(flavor.name.as_str())
        {
            f.add(&cp.file, &cp.object(), "the k3s server hosts pods like a worker but has another flavor than the workers the plan sized");
        }
        let nodes = (cp.value["spec"]["replicas"].as_u64().unwrap_or(1)
            + md.value["spec"]["replicas"].as_u64().unwrap_or(0)) as u32;
        let r = kube_reserved(flavor.vcpus, flavor.ram_gib);
        let want = format!(
            "cpu={}m,memory={}Mi",
            millicores(r.cpu_cores),
            r.memory_mib as u64
        );
        for d in set.docs.iter().filter(|d| {
            (d.name() == cp.name() && d.kind() == cp.kind())
                || (d.kind().ends_with("ConfigTemplate")
                    && Some(d.name())
                        == str_at(&md.value, "spec.template.spec.bootstrap.configRef.name"))
        }) {
            if !reserves(d, &want) {
                f.add(&d.file, &d.object(), format!("kubelets do not reserve kube-reserved={want}, which the plan's capacity assumed"));
            }
        }
        let a = workload_allocatable(
            nodes,
            flavor.vcpus,
            flavor.ram_gib,
            dist,
            Resources {
                cpu_cores: plan.liqo_reserve.cpu_cores,
                memory_mib: plan.liqo_reserve.memory_mib,
            },
        );
        let (cpu_a, mem_a) = (
            (a.cpu_cores * 1000.0 + 1e-6).floor() as u64,
            a.memory_mib + 1e-6,
        );
        let (cpu, mem, pods) = pinned_demand(set, k.name());
        if pods == 0 {
            continue;
        }
        if cpu > cpu_a || mem > mem_a {
            f.add(&k.cluster.file, &k.cluster.object(), format!(
                "pods pinned here request {cpu}m CPU and {mem:.0} MiB; {nodes} nodes of {} schedule {cpu_a}m and {mem_a:.0} MiB after reserves, control plane, Liqo and the monitoring stack's requests", flavor.name));
        }
        match virtual_node(set, k.name()) {
            None => f.add(
                &k.cluster.file,
                &k.cluster.object(),
                "no ResourceSlice or liqoctl peer gives this cluster a virtual node",
            ),
            Some((file, vc, vm, vp)) => {
                if vc < cpu || vm + 1e-6 < mem || vp < pods {
                    f.add(&file, k.name(), format!("the virtual node offers {vc}m CPU, {vm:.0} MiB, {vp} pods but {cpu}m, {mem:.0} MiB and {pods} pods are pinned to it"));
                }
                if vc > cpu_a || vm > mem_a {
                    f.add(&file, k.name(), format!("the virtual node offers {vc}m CPU and {vm:.0} MiB, more than the cluster can schedule ({cpu_a}m, {mem_a:.0} MiB)"));
                }
            }
        }
    }
}

/// The version of a clusterctl provider URL (`.../releases/v1.2.3/file.yaml`).
fn url_version(url: &str) -> Option<&str> {
    let rest = url.split("/releases/").nth(1)?;
    let v = rest.split('/').next()?;
    (v.starts_with('v') && v != "latest").then_some(v)
}

pub(super) fn versions_pinned(set: &ExportSet, f: &mut Findings) {
    let uses_capi = !new_clusters(set).is_empty();
    let providers: Vec<(String, String)> = set
        .docs
        .iter()
        .filter(|d| d.file == "clusterctl.yaml")
        .flat_map(|d| d.value["providers"].as_array().cloned().unwrap_or_default())
        .map(|p| {
            (
                p["name"].as_str().unwrap_or("").to_string(),
                p["url"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    if uses_capi {
        let mut needed = vec!["cluster-api", "openstack", "helm"];
        if set.of_kind("KThreesControlPlane").next().is_some() {
            needed.push("k3s");
        }
        for n in needed {
            match providers.iter().find(|(name, _)| name == n) {
                None => f.add("clusterctl.yaml", n, "provider not pinned"),
                Some((_, url)) if url_version(url).is_none() => f.add(
                    "clusterctl.yaml",
                    n,
                    format!("{url} names no release version"),
                ),
                _ => {}
            }
        }
        let capo = providers
            .iter()
            .find(|(n, _)| n == "openstack")
            .and_then(|(_, u)| url_version(u))
            .unwrap_or("");
        let minor: u32 = capo
            .strip_prefix("v0.")
            .and_then(|r| r.split('.').next())
            .and_then(|m| m.parse().ok())
            .unwrap_or(99);
        for d in set.docs.iter().filter(|d| {
            d.value["apiVersion"].as_str() == Some("infrastructure.cluster.x-k8s.io/v1beta2")
        }) {
            if minor < 15 {
                f.add(&d.file, &d.object(), format!("OpenStack v1beta2 kinds need CAPO v0.15 or later; clusterctl.yaml pins {capo}, which serves only v1beta1"));
            }
        }
    }
    for p in set.of_kind("HelmChartProxy") {
        if str_at(&p.value, "spec.version").is_none_or(str::is_empty) {
            f.add(
                &p.file,
                &p.object(),
                "chart version not pinned (CAAPH would follow the latest)",
            );
        }
    }
    for (file, cmd) in set.commands("liqoctl install") {
        if flag(cmd, "--version").is_none() {
            f.add(
                file,
                "liqoctl install",
                "no --version: liqoctl installs its own version, not the one checked",
            );
        }
    }
}
