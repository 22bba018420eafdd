//! Prices of plans: the list price of candidate capacity per day.

use crate::config::topology::{ClusterConfig, TopologyConfig};

/// Price of the capacity of candidates (topology indices) at `nodes`, USD per day.
pub fn capacity_usd_per_day(base: &TopologyConfig, candidates: &[usize], nodes: &[u32]) -> f64 {
    candidates
        .iter()
        .zip(nodes)
        .map(|(&i, &n)| cluster_usd_per_day(&base.clusters[i], n))
        .sum()
}

/// Price of `nodes` nodes of cluster `k` for a day, USD.
pub fn cluster_usd_per_day(k: &ClusterConfig, nodes: u32) -> f64 {
    nodes as f64
        * (k.vcpu_per_node * k.cost_per_vcpu_hour_usd
            + k.memory_gib_per_node * k.cost_per_gib_hour_usd)
        * 24.0
}

/// `usd` rounded to cents.
pub fn cents(usd: f64) -> f64 {
    (usd * 100.0).round() / 100.0
}
