//! What every OpenMetrics file xrplace writes shares: the simulated clock on the wall clock
//! ([`Epoch`]), label values escaped as the format asks, and the names of a session
//! experiment's clusters and sites that label its samples.

use crate::config::topology::TopologyConfig;

/// Where simulated time 0 lies on the wall clock, Unix seconds: 0 keeps simulated time;
/// a recent instant lets Prometheus backfill the samples within its retention.
#[derive(Debug, Clone, Copy, Default)]
pub struct Epoch(pub u64);

impl Epoch {
    /// OpenMetrics timestamp (seconds, millisecond resolution) of simulated `t_ns`.
    pub(crate) fn stamp(self, t_ns: u64) -> String {
        let ms = self.0 as u128 * 1000 + (t_ns / 1_000_000) as u128;
        format!("{}.{:03}", ms / 1000, ms % 1000)
    }
}

/// A label value, escaped as the format asks (backslash, quote, newline).
pub(crate) fn quote(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// (cluster, site, tier) names of each topology of a session experiment, by cluster index.
pub struct ClusterNames(
    pub Vec<Vec<(String, String, String)>>,
    /// (site, tier) names of each topology, by site index.
    pub Vec<Vec<(String, String)>>,
);

impl ClusterNames {
    /// The names in each topology, clusters in file order (the session world's ids).
    pub fn of_topologies(topologies: &[TopologyConfig]) -> ClusterNames {
        let names = topologies
            .iter()
            .map(|t| {
                t.clusters
                    .iter()
                    .map(|c| {
                        let tier = t
                            .sites
                            .iter()
                            .find(|s| s.name == c.site)
                            .map_or("", |s| s.tier.name());
                        (c.name.clone(), c.site.clone(), tier.to_string())
                    })
                    .collect()
            })
            .collect();
        let sites = topologies
            .iter()
            .map(|t| {
                t.sites
                    .iter()
                    .map(|s| (s.name.clone(), s.tier.name().to_string()))
                    .collect()
            })
            .collect();
        ClusterNames(names, sites)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_shift_and_keep_milliseconds() {
        assert_eq!(Epoch(0).stamp(1_500_000_000), "1.500");
        assert_eq!(Epoch(1_700_000_000).stamp(15_000_000_000), "1700000015.000");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(quote("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
