//! Measured RTT per Liqo peering from `liqo_peer_latency_us`: each cluster's gateway
//! reports, per peer, the round trip of its pings through the tunnel (the Connection's
//! `status.latency`, liqotech/liqo `pkg/gateway/tunnel/wireguard/metrics.go`). A series is
//! placed by two labels: the cluster it was scraped in ([`super::metrics::Labels::cluster`])
//! and the peer's Liqo cluster ID (`cluster_id`). An export installs Liqo with `--cluster-id`
//! set to the cluster's name (`src/export/liqo.rs`), so an ID is a topology cluster's name
//! unless `--cluster-id ID=CLUSTER` says otherwise.
//!
//! Both gateways of a peering report it; their samples are pooled. A sample of 0 is skipped:
//! the gateway sends 0 when it cannot parse the Connection's latency (the same file emits the
//! gauge after an invalid metric, with a zero duration), never for a real round trip.

use super::answer::{selector, Series};
use super::metrics::LIQO_REMOTE;
use std::collections::{BTreeMap, HashMap};

/// One peering's measured round trip: all samples of both directions over the range.
#[derive(Debug, Clone, PartialEq)]
pub struct PeeringRtt {
    /// One cluster (the lower topology index of the two).
    pub cluster_a: String,
    /// The other cluster.
    pub cluster_b: String,
    /// Samples pooled.
    pub samples: usize,
    /// Median RTT, ms.
    pub median_ms: f64,
    /// Standard deviation of the samples, ms (n - 1 in the denominator; 0 for one sample).
    pub sd_ms: f64,
}

/// One site pair's measured RTT: the pooled samples of every peering between their clusters.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteRtt {
    /// One site (the first of the two by name).
    pub site_a: String,
    /// The other site.
    pub site_b: String,
    /// Median RTT, ms.
    pub median_ms: f64,
    /// Standard deviation, ms.
    pub sd_ms: f64,
}

/// The topology's clusters as the reading needs them: name -> (index, site).
pub type ClusterSites<'a> = HashMap<&'a str, (usize, &'a str)>;

/// Samples, ms, and the two clusters' names, by (cluster index, cluster index), lower first.
type BySamples<'a> = BTreeMap<(usize, usize), (Vec<f64>, [&'a str; 2])>;

/// Median and standard deviation of `v` (sorted in place), ms.
fn median_sd(v: &mut [f64]) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = match n % 2 {
        1 => v[n / 2],
        _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    };
    let mean = v.iter().sum::<f64>() / n as f64;
    let var = match n {
        1 => 0.0,
        _ => v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64,
    };
    (median, var.sqrt())
}

/// The samples of every peering, by (cluster index, cluster index), lower first, in ms.
/// Refused, in words: a series without the cluster label or `cluster_id`, a cluster or ID
/// the topology does not name, a peering of a cluster with itself, a negative RTT or one
/// beyond the physical range of an `_ms` field.
fn samples<'a>(
    series: &[Series],
    cluster_label: &str,
    clusters: &ClusterSites<'a>,
    ids: &HashMap<String, String>,
) -> Result<BySamples<'a>, String> {
    let mut out = BySamples::new();
    for s in series {
        let at = || selector(&s.labels);
        let local = s.label(cluster_label);
        let id = s.label(LIQO_REMOTE);
        let remote = ids.get(id).map_or(id, String::as_str);
        let find = |name: &str, what: &str| {
            clusters
                .get_key_value(name)
                .map(|(k, v)| (*k, v.0))
                .ok_or_else(|| {
                    format!(
                        "series {}: {what} {name:?} is no cluster of the topology (map a Liqo \
                     cluster ID with --cluster-id ID=CLUSTER, the scrape's cluster label with \
                     --cluster-label)",
                        at()
                    )
                })
        };
        let (a, ia) = find(local, &format!("label {cluster_label:?}"))?;
        let (b, ib) = find(remote, "Liqo cluster ID")?;
        if ia == ib {
            return Err(format!(
                "series {}: a peering of cluster {a:?} with itself",
                at()
            ));
        }
        let key = (ia.min(ib), ia.max(ib));
        let names = if ia < ib { [a, b] } else { [b, a] };
        let entry = out.entry(key).or_insert_with(|| (Vec::new(), names));
        for &(t, us) in &s.points {
            let ms = us / 1000.0;
            if let Some(m) = crate::config::ranges::out_of_range("rtt_ms", ms).filter(|_| ms != 0.0)
            {
                return Err(format!("series {} at {t}: {us} µs: {m}", at()));
            }
            if ms < 0.0 {
                return Err(format!(
                    "series {} at {t}: {us} µs: expected an RTT >= 0",
                    at()
                ));
            }
            if ms > 0.0 {
                entry.0.push(ms);
            }
        }
    }
    Ok(out)
}

/// The measured peerings and site pairs from the RTT gauge's `series`; peerings without a
/// non-zero sample are left out. Site pairs pool every peering between two different
/// sites (clusters of one site peer over the site's own network, which a topology gives as
/// `intra_site_rtt_ms`, not as a link).
pub fn peering_rtts(
    series: &[Series],
    cluster_label: &str,
    clusters: &ClusterSites,
    ids: &HashMap<String, String>,
) -> Result<(Vec<PeeringRtt>, Vec<SiteRtt>), String> {
    let by_peering = samples(series, cluster_label, clusters, ids)?;
    let mut peerings = Vec::new();
    let mut by_sites: BTreeMap<(&str, &str), Vec<f64>> = BTreeMap::new();
    let site_of = |name: &str| clusters[name].1;
    for (mut v, [a, b]) in by_peering.into_values() {
        if v.is_empty() {
            continue;
        }
        let (sa, sb) = (site_of(a), site_of(b));
        if sa != sb {
            let key = if sa <= sb { (sa, sb) } else { (sb, sa) };
            by_sites.entry(key).or_default().extend_from_slice(&v);
        }
        let samples = v.len();
        let (median_ms, sd_ms) = median_sd(&mut v);
        peerings.push(PeeringRtt {
            cluster_a: a.to_string(),
            cluster_b: b.to_string(),
            samples,
            median_ms,
            sd_ms,
        });
    }
    let sites = by_sites
        .into_iter()
        .map(|((a, b), mut v)| {
            let (median_ms, sd_ms) = median_sd(&mut v);
            SiteRtt {
                site_a: a.to_string(),
                site_b: b.to_string(),
                median_ms,
                sd_ms,
            }
        })
        .collect();
    Ok((peerings, sites))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(local: &str, remote: &str, us: &[f64]) -> Series {
        Series {
            labels: [
                ("cluster", local),
                ("cluster_id", remote),
                ("driver", "wireguard"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into(),
            points: us.iter().enumerate().map(|(i, &v)| (i as f64, v)).collect(),
        }
    }

    fn clusters() -> ClusterSites<'static> {
        [
            ("mgmt", (0, "frankfurt")),
            ("zh", (1, "zurich")),
            ("mi", (2, "milan")),
        ]
        .into()
    }

    #[test]
    fn both_directions_pool_and_zeros_are_skipped() {
        let s = [
            series("zh", "mgmt", &[8000.0, 0.0, 9000.0]),
            series("mgmt", "zh", &[10_000.0]),
            series("mi", "liqo-id-of-zh", &[4000.0]),
        ];
        let ids = [("liqo-id-of-zh".to_string(), "zh".to_string())].into();
        let (p, sites) = peering_rtts(&s, "cluster", &clusters(), &ids).unwrap();
        // mgmt-zh: 8, 9, 10 ms: median 9, sd 1; zh-mi: one sample.
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].cluster_a.as_str(), p[0].cluster_b.as_str()),
            ("mgmt", "zh")
        );
        assert_eq!((p[0].samples, p[0].median_ms, p[0].sd_ms), (3, 9.0, 1.0));
        assert_eq!(
            (p[1].cluster_a.as_str(), p[1].median_ms, p[1].sd_ms),
            ("zh", 4.0, 0.0)
        );
        assert_eq!(sites[0].site_a, "frankfurt");
        assert_eq!(
            (sites[1].site_a.as_str(), sites[1].site_b.as_str()),
            ("milan", "zurich")
        );
    }

    #[test]
    fn unknown_clusters_self_peerings_and_absurd_values_are_refused() {
        let ids = HashMap::new();
        let e = |s: Series| peering_rtts(&[s], "cluster", &clusters(), &ids).unwrap_err();
        assert!(e(series("zh", "nowhere", &[1.0])).contains("\"nowhere\" is no cluster"));
        assert!(e(series("", "zh", &[1.0])).contains("label \"cluster\""));
        assert!(e(series("zh", "zh", &[1.0])).contains("with itself"));
        assert!(e(series("zh", "mi", &[-5.0])).contains("expected an RTT >= 0"));
        assert!(e(series("zh", "mi", &[1e12])).contains("beyond the physical range"));
    }
}
