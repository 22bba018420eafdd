//! CPU and memory per cluster and Node over the range: in use (cAdvisor's root cgroup),
//! requested and allocatable (kube-state-metrics), and the machines' own CPUs and memory
//! per cluster (node-exporter); [`super::metrics`] gives the queries and their sources.
//! Each quantity's series are placed by the cluster and node labels; a cluster the topology
//! does not name is refused, as is a negative value or one beyond its unit's physical range.

use super::answer::{selector, Series};
use super::metrics::BYTES_PER_MIB;
use std::collections::{BTreeMap, HashSet};

/// Mean and peak of a quantity over the range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    /// Mean over the points.
    pub mean: f64,
    /// Largest point.
    pub peak: f64,
}

/// One cluster's or Node's usage; a quantity no series gave is `None`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UsageRow {
    /// Topology cluster.
    pub cluster: String,
    /// Node name; `None` for the whole cluster (the sum of its Nodes at each instant).
    pub node: Option<String>,
    /// CPU in use, cores.
    pub cpu_used_cores: Option<Stat>,
    /// Memory in use (working set), MiB.
    pub memory_used_mib: Option<Stat>,
    /// CPU requested by containers at the range's end, cores.
    pub cpu_requested_cores: Option<f64>,
    /// Memory requested at the end, MiB.
    pub memory_requested_mib: Option<f64>,
    /// Allocatable CPU at the end, cores.
    pub cpu_allocatable_cores: Option<f64>,
    /// Allocatable memory at the end, MiB.
    pub memory_allocatable_mib: Option<f64>,
    /// The machines' CPUs (node-exporter), whole-cluster rows only.
    pub cpu_machine_cores: Option<f64>,
    /// The machines' memory (node-exporter `MemTotal`), MiB, whole-cluster rows only.
    pub memory_machine_mib: Option<f64>,
}

/// The answers of the usage queries, one list of series per quantity, in the order of
/// [`QUANTITIES`].
pub type UsageSeries = [Vec<Series>; 8];

/// The quantities of [`UsageSeries`], in order: per node CPU in use (cores), working set
/// (bytes), requested CPU (cores), requested memory (bytes), allocatable CPU (cores),
/// allocatable memory (bytes); per cluster the machines' CPUs and memory (bytes).
pub const QUANTITIES: [&str; 8] = [
    "cpu_used",
    "memory_used",
    "cpu_requested",
    "memory_requested",
    "cpu_allocatable",
    "memory_allocatable",
    "cpu_machine",
    "memory_machine",
];

/// Points by (cluster, node), each value scaled by `scale` and checked against the range
/// of a field named `field`.
type Placed = BTreeMap<(String, String), Vec<(f64, f64)>>;

/// The series placed by cluster and node (node "" when `node_label` is `None`).
fn place(
    series: &[Series],
    cluster_label: &str,
    node_label: Option<&str>,
    clusters: &HashSet<&str>,
    (field, scale): (&str, f64),
) -> Result<Placed, String> {
    let mut out = Placed::new();
    for s in series {
        let cluster = s.label(cluster_label);
        if !clusters.contains(cluster) {
            return Err(format!(
                "series {}: label {cluster_label:?} = {cluster:?} is no cluster of the topology",
                selector(&s.labels)
            ));
        }
        let node = node_label.map_or("", |l| s.label(l));
        let points = out
            .entry((cluster.to_string(), node.to_string()))
            .or_default();
        for &(t, v) in &s.points {
            let x = v * scale;
            let bad = crate::config::ranges::out_of_range(field, x)
                .or_else(|| (x < 0.0).then(|| format!("expected {field} >= 0")));
            if let Some(m) = bad {
                return Err(format!("series {} at {t}: {v}: {m}", selector(&s.labels)));
            }
            points.push((t, x));
        }
    }
    Ok(out)
}

/// Mean and peak of `points`; `None` when there are none.
fn stat(points: &[(f64, f64)]) -> Option<Stat> {
    let n = points.len();
    (n > 0).then(|| Stat {
        mean: points.iter().map(|p| p.1).sum::<f64>() / n as f64,
        peak: points.iter().map(|p| p.1).fold(f64::MIN, f64::max),
    })
}

/// The last point's value.
fn last(points: &[(f64, f64)]) -> Option<f64> {
    points.last().map(|p| p.1)
}

/// The per-instant sum of every node's points of `cluster`.
fn cluster_sum(placed: &Placed, cluster: &str) -> Vec<(f64, f64)> {
    let mut by_t: BTreeMap<u64, (f64, f64)> = BTreeMap::new();
    for ((c, _), points) in placed {
        if c == cluster {
            for &(t, v) in points {
                let e = by_t.entry(t.to_bits()).or_insert((t, 0.0));
                e.1 += v;
            }
        }
    }
    let mut v: Vec<(f64, f64)> = by_t.into_values().collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v
}

/// One row per Node seen in any per-node quantity, then one per cluster seen in any, in
/// (cluster, node) order with the whole-cluster row first. An error gives the index in
/// [`QUANTITIES`] of the answer at fault.
pub fn usage_rows(
    u: &UsageSeries,
    cluster_label: &str,
    node_label: &str,
    clusters: &HashSet<&str>,
) -> Result<Vec<UsageRow>, (usize, String)> {
    let cores = ("cpu_cores", 1.0);
    let mib = ("memory_mib", 1.0 / BYTES_PER_MIB);
    let unit = |i: usize| if i.is_multiple_of(2) { cores } else { mib };
    let placed = |i: usize, node: Option<&str>| {
        place(&u[i], cluster_label, node, clusters, unit(i)).map_err(|e| (i, e))
    };
    let per_node: Vec<Placed> = (0..6)
        .map(|i| placed(i, Some(node_label)))
        .collect::<Result<_, _>>()?;
    let machine = [placed(6, None)?, placed(7, None)?];
    let keys: std::collections::BTreeSet<(String, String)> =
        per_node.iter().flat_map(|p| p.keys().cloned()).collect();
    let cluster_names: std::collections::BTreeSet<String> = keys
        .iter()
        .map(|k| k.0.clone())
        .chain(machine.iter().flat_map(|m| m.keys().map(|k| k.0.clone())))
        .collect();
    let mut rows = Vec::new();
    for c in &cluster_names {
        let sum = |i: usize| cluster_sum(&per_node[i], c);
        let m = |i: usize| {
            machine[i]
                .get(&(c.clone(), String::new()))
                .and_then(|p| last(p))
        };
        rows.push(UsageRow {
            cluster: c.clone(),
            node: None,
            cpu_used_cores: stat(&sum(0)),
            memory_used_mib: stat(&sum(1)),
            cpu_requested_cores: last(&sum(2)),
            memory_requested_mib: last(&sum(3)),
            cpu_allocatable_cores: last(&sum(4)),
            memory_allocatable_mib: last(&sum(5)),
            cpu_machine_cores: m(0),
            memory_machine_mib: m(1),
        });
        for k in keys.iter().filter(|k| &k.0 == c && !k.1.is_empty()) {
            let p = |i: usize| per_node[i].get(k).map_or(&[][..], Vec::as_slice);
            rows.push(UsageRow {
                cluster: c.clone(),
                node: Some(k.1.clone()),
                cpu_used_cores: stat(p(0)),
                memory_used_mib: stat(p(1)),
                cpu_requested_cores: last(p(2)),
                memory_requested_mib: last(p(3)),
                cpu_allocatable_cores: last(p(4)),
                memory_allocatable_mib: last(p(5)),
                ..UsageRow::default()
            });
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(cluster: &str, node: &str, values: &[f64]) -> Series {
        let mut labels: BTreeMap<String, String> =
            [("cluster".to_string(), cluster.to_string())].into();
        if !node.is_empty() {
            labels.insert("node".into(), node.into());
        }
        Series {
            labels,
            points: values
                .iter()
                .enumerate()
                .map(|(i, &v)| (60.0 * i as f64, v))
                .collect(),
        }
    }

    #[test]
    fn nodes_and_their_cluster_sum() {
        let mut u = UsageSeries::default();
        u[0] = vec![s("a", "n1", &[1.0, 3.0]), s("a", "n2", &[2.0, 2.0])];
        u[5] = vec![s("a", "n1", &[1024.0 * BYTES_PER_MIB])];
        u[6] = vec![s("a", "", &[8.0])];
        let rows = usage_rows(&u, "cluster", "node", &["a"].into()).unwrap();
        assert_eq!(rows.len(), 3);
        // The cluster: 1 + 2 = 3 then 3 + 2 = 5 cores: mean 4, peak 5.
        assert_eq!(rows[0].node, None);
        assert_eq!(
            rows[0].cpu_used_cores,
            Some(Stat {
                mean: 4.0,
                peak: 5.0
            })
        );
        assert_eq!(rows[0].memory_allocatable_mib, Some(1024.0));
        assert_eq!(rows[0].cpu_machine_cores, Some(8.0));
        assert_eq!(rows[1].node.as_deref(), Some("n1"));
        assert_eq!(
            rows[1].cpu_used_cores,
            Some(Stat {
                mean: 2.0,
                peak: 3.0
            })
        );
        assert_eq!(rows[2].memory_allocatable_mib, None);
    }

    #[test]
    fn unknown_clusters_and_negative_values_are_refused() {
        let bad = |i: usize, one: Series| {
            let mut u = UsageSeries::default();
            u[i] = vec![one];
            usage_rows(&u, "cluster", "node", &["a"].into()).unwrap_err()
        };
        let (i, e) = bad(0, s("b", "n", &[1.0]));
        assert!(i == 0 && e.contains("\"b\" is no cluster"), "{e}");
        let (i, e) = bad(1, s("a", "n", &[-1.0]));
        assert!(i == 1 && e.contains("memory_mib >= 0"), "{e}");
        let (i, e) = bad(2, s("a", "n", &[1e9]));
        assert!(i == 2 && e.contains("physical range"), "{e}");
    }
}
