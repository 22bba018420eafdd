//! The checks of a topology's meaning: names, references, relations and reachability (the
//! ranges of single fields are the range table's, [`super::ranges`], checked as it is parsed).

use super::check::Checker;
use super::error::ConfigError;
use super::gpu_table as gpu;
use super::paths_check::validate_paths;
use super::ranges;
use super::source::Source;
use super::topology::{
    ClusterConfig, ClusterGpuConfig, GpuSharingMode, RoutingConfig, TopologyConfig,
};
use serde::Serialize;

/// Checks meaning: names, references, relations and reachability (when a measured RTT CSV
/// is named, reachability is checked by [`load_topology`] once its pairs are links).
pub fn validate_topology(src: &Source, t: &TopologyConfig) -> Result<(), ConfigError> {
    let c = Checker { src };
    c.name("name", &t.name)?;
    validate_routing(&c, &t.routing)?;
    if t.sites.is_empty() {
        return Err(src.error("sites", "expected at least one [[sites]] table"));
    }
    let sites = c.unique(
        "site",
        t.sites
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("sites[{i}].name"), s.name.as_str())),
    )?;
    for (i, site) in t.sites.iter().enumerate() {
        validate_country(&c, &format!("sites[{i}].country"), site.country.as_deref())?;
    }
    if t.clusters.is_empty() {
        return Err(src.error("clusters", "expected at least one [[clusters]] table"));
    }
    c.unique(
        "cluster",
        t.clusters
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("clusters[{i}].name"), k.name.as_str())),
    )?;
    for (i, k) in t.clusters.iter().enumerate() {
        validate_cluster(&c, &format!("clusters[{i}]"), k, &sites)?;
    }
    c.distinct(
        "link",
        t.links.iter().enumerate().map(|(i, l)| {
            let pair = if l.a <= l.b {
                (l.a.as_str(), l.b.as_str())
            } else {
                (l.b.as_str(), l.a.as_str())
            };
            (format!("links[{i}]"), pair)
        }),
    )?;
    for (i, l) in t.links.iter().enumerate() {
        let p = format!("links[{i}]");
        let a = c.resolve(&format!("{p}.a"), "site", &l.a, &sites)?;
        let b = c.resolve(&format!("{p}.b"), "site", &l.b, &sites)?;
        if a == b {
            return Err(src.error(&format!("{p}.b"), "a link must join two different sites"));
        }
    }
    if t.routing.measured_rtt_csv.is_none() {
        check_reachable(src, t, false)?;
    }
    validate_paths(&c, &t.paths)
}

/// Checks the numbers of a topology held in memory (an import) against the range table, as
/// parsing its file would: the lists entry by entry, so no copy of the whole file is made.
pub fn check_ranges(src: &Source, t: &TopologyConfig) -> Result<(), ConfigError> {
    let mut rest = toml::Table::new();
    rest.insert("sites".into(), toml::Value::Array(Vec::new()));
    rest.insert("routing".into(), as_toml(src, &t.routing)?);
    rest.insert("paths".into(), as_toml(src, &t.paths)?);
    ranges::check_table(&rest).map_err(|e| src.error(&e.field, e.message))?;
    check_list(src, "sites", &t.sites)?;
    check_list(src, "clusters", &t.clusters)?;
    check_list(src, "links", &t.links)
}

/// Every entry of the topology's list `list` against the range table.
fn check_list<T: Serialize>(src: &Source, list: &str, items: &[T]) -> Result<(), ConfigError> {
    for (i, item) in items.iter().enumerate() {
        let toml::Value::Table(entry) = as_toml(src, item)? else {
            continue;
        };
        ranges::check_entry(ranges::Scope::Topology, list, i, &entry)
            .map_err(|e| src.error(&e.field, e.message))?;
    }
    Ok(())
}

fn as_toml<T: Serialize>(src: &Source, x: &T) -> Result<toml::Value, ConfigError> {
    toml::Value::try_from(x).map_err(|e| ConfigError::whole_file(&src.path, e.to_string()))
}

/// Unless RTTs are derived from distance, every site must be reachable from the first by
/// links (`measured`: some of them came from the measured RTT CSV).
pub(super) fn check_reachable(
    src: &Source,
    t: &TopologyConfig,
    measured: bool,
) -> Result<(), ConfigError> {
    if t.routing.derive_missing_rtt {
        return Ok(());
    }
    let sites = super::check::index_by_name(&t.sites, |s| &s.name);
    let mut components = UnionFind::new(t.sites.len());
    for l in &t.links {
        if let (Some(&a), Some(&b)) = (sites.get(l.a.as_str()), sites.get(l.b.as_str())) {
            components.join(a as usize, b as usize);
        }
    }
    let hint = if measured {
        "add a link, a row of routing.measured_rtt_csv"
    } else {
        "add a link"
    };
    for (i, s) in t.sites.iter().enumerate().skip(1) {
        if components.find(i) != components.find(0) {
            return Err(src.error(
                &format!("sites[{i}].name"),
                format!(
                    "site {:?} is unreachable from {:?}: {hint} or set routing.derive_missing_rtt = true",
                    s.name, t.sites[0].name
                ),
            ));
        }
    }
    Ok(())
}

fn validate_routing(c: &Checker, r: &RoutingConfig) -> Result<(), ConfigError> {
    if let Some(f) = &r.measured_rtt_csv {
        if f.trim().is_empty() || f.contains('\0') {
            return Err(c.src.error(
                "routing.measured_rtt_csv",
                format!("expected the path of a CSV file, found {f:?}"),
            ));
        }
    }
    Ok(())
}

fn validate_cluster(
    c: &Checker,
    p: &str,
    k: &ClusterConfig,
    sites: &std::collections::HashMap<&str, u32>,
) -> Result<(), ConfigError> {
    c.resolve(&format!("{p}.site"), "site", &k.site, sites)?;
    let cores = k.nodes as f64 * k.vcpu_per_node;
    if k.baseline_cpu_cores / k.cpu_speed_ratio >= cores {
        return Err(c.src.error(
            &format!("{p}.baseline_cpu_cores"),
            format!("expected less than the cluster's {cores} cores"),
        ));
    }
    if k.baseline_memory_mib >= k.nodes as f64 * k.memory_gib_per_node * 1024.0 {
        return Err(c.src.error(
            &format!("{p}.baseline_memory_mib"),
            "expected less than the cluster's memory",
        ));
    }
    if let (Some(idle), Some(peak)) = (k.idle_watts_per_node, k.peak_watts_per_node) {
        if peak < idle {
            return Err(c.src.error(
                &format!("{p}.peak_watts_per_node"),
                format!("expected at least idle_watts_per_node ({idle} W), found {peak} W"),
            ));
        }
    }
    if let Some(g) = &k.gpu {
        validate_gpu(c, &format!("{p}.gpu"), g)?;
    }
    Ok(())
}

/// A cluster's `gpu` table: a known model, and the field its sharing mode needs (and no
/// other): `replicas` with `time-slicing`, a MIG profile the model offers with `mig`.
fn validate_gpu(c: &Checker, p: &str, g: &ClusterGpuConfig) -> Result<(), ConfigError> {
    let Some(model) = gpu::gpu_model(&g.model) else {
        return Err(c.src.error(
            &format!("{p}.model"),
            format!(
                "expected a GPU model of the table ({}), found {:?}",
                gpu::gpu_model_names().join(", "),
                g.model
            ),
        ));
    };
    let time_slicing = g.sharing == GpuSharingMode::TimeSlicing;
    match (time_slicing, g.replicas) {
        (true, None) => {
            return Err(c.src.error(
                &format!("{p}.replicas"),
                "expected replicas per GPU with sharing = \"time-slicing\"",
            ))
        }
        (false, Some(_)) => {
            return Err(c.src.error(
                &format!("{p}.replicas"),
                "replicas applies only to sharing = \"time-slicing\"",
            ))
        }
        _ => {}
    }
    let mig = g.sharing == GpuSharingMode::Mig;
    match (mig, g.mig_profile.as_deref()) {
        (true, None) => Err(c.src.error(
            &format!("{p}.mig_profile"),
            "expected a MIG profile (such as \"1g.10gb\") with sharing = \"mig\"",
        )),
        (false, Some(_)) => Err(c.src.error(
            &format!("{p}.mig_profile"),
            "mig_profile applies only to sharing = \"mig\"",
        )),
        (true, Some(name)) if model.mig_profile(name).is_none() => Err(c
            .src
            .error(&format!("{p}.mig_profile"), mig_refusal(model, name))),
        _ => Ok(()),
    }
}

/// Why `name` is not a MIG profile of `model`: it has none, or these.
fn mig_refusal(model: &gpu::GpuModel, name: &str) -> String {
    if model.mig_profiles.is_empty() {
        return format!(
            "GPU model {:?} does not support MIG (NVIDIA's MIG User Guide lists the A100 and H100); use sharing = \"whole\" or \"time-slicing\"",
            model.name
        );
    }
    let names: Vec<&str> = model.mig_profiles.iter().map(|p| p.name).collect();
    format!(
        "expected a MIG profile of {} ({}), found {name:?}",
        model.name,
        names.join(", ")
    )
}

/// A site's `country`, if given: an ISO 3166-1 alpha-2 code, two upper-case letters.
fn validate_country(c: &Checker, field: &str, country: Option<&str>) -> Result<(), ConfigError> {
    match country {
        Some(code) if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) => {
            Err(c.src.error(
                field,
                format!("expected an ISO 3166-1 alpha-2 code such as \"DE\", found {code:?}"),
            ))
        }
        _ => Ok(()),
    }
}

/// Disjoint sets over site indices, for the reachability check.
struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind((0..n).collect())
    }
    fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }
    fn join(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        self.0[ra] = rb;
    }
}
