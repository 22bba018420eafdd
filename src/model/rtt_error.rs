//! How far the distance model's RTTs ([`Topology::derived_rtt_ms`]: base + inflation x
//! 2 x great-circle km / fibre km per ms) lie from measured ones, so users can judge the
//! model on their own pairs (`xrplace check TOPOLOGY` prints it when the topology names a
//! measured RTT CSV; docs/topologies.md gives the figures on public ping data).

use super::ids::SiteId;
use super::topology::Topology;
use crate::config::measured_rtt::MeasuredRtt;

/// The distance model's error against measured pairs: |model - measured| / measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RttModelError {
    /// Measured pairs compared.
    pub pairs: usize,
    /// Median relative error, percent (nearest rank).
    pub median_error_pct: f64,
    /// 90th percentile of the relative error, percent (nearest rank).
    pub p90_error_pct: f64,
    /// Pairs whose modelled RTT is below the measured one.
    pub below: usize,
}

/// The error of `topo`'s distance model against `rows` (measured on `topo`'s sites; their
/// RTTs are positive, as [`crate::config::measured_rtt::load_measured_rtts`] checks);
/// `None` without rows.
pub fn distance_model_error(topo: &Topology, rows: &[MeasuredRtt]) -> Option<RttModelError> {
    if rows.is_empty() {
        return None;
    }
    let mut errors: Vec<f64> = Vec::with_capacity(rows.len());
    let mut below = 0;
    for r in rows {
        let model_ms = topo.derived_rtt_ms(SiteId(r.site_a), SiteId(r.site_b));
        below += usize::from(model_ms < r.rtt_ms);
        errors.push((model_ms - r.rtt_ms).abs() / r.rtt_ms * 100.0);
    }
    errors.sort_by(f64::total_cmp);
    Some(RttModelError {
        pairs: rows.len(),
        median_error_pct: nearest_rank(&errors, 0.5),
        p90_error_pct: nearest_rank(&errors, 0.9),
        below,
    })
}

/// The `q` quantile of sorted, non-empty `values` by the nearest-rank rule (as
/// `metrics::stats::quantile_of`, which this layer may not import).
fn nearest_rank(values: &[f64], q: f64) -> f64 {
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    values[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::source::Source;
    use crate::config::topology::TopologyConfig;
    use crate::config::topology_check::validate_topology;
    use std::path::Path;

    /// Four sites on the equator, one degree of longitude apart, one cluster.
    fn four_sites() -> Topology {
        let mut text = String::from("name = \"t\"\n");
        for i in 0..4 {
            text.push_str(&format!(
                "[[sites]]\nname = \"s{i}\"\nlat = 0\nlon = {i}\ntier = \"edge\"\n"
            ));
        }
        text.push_str(
            "[[clusters]]\nname = \"c\"\nsite = \"s0\"\nnodes = 1\nvcpu_per_node = 2\n\
             memory_gib_per_node = 4\ndistribution = \"k3s\"\nprovider = \"openstack\"\n",
        );
        let src = Source::from_text(Path::new("t.toml"), text);
        let cfg: TopologyConfig = src.parse().unwrap();
        validate_topology(&src, &cfg).unwrap();
        Topology::from_config(&cfg)
    }

    #[test]
    fn median_and_p90_are_nearest_ranks_of_the_relative_errors() {
        let t = four_sites();
        // Each pair's measured RTT is set so that its relative error is e: model / (1 + e)
        // puts the model above by e, model / (1 - e) below by e.
        let errors = [
            (0.3, true),
            (0.05, false),
            (0.6, true),
            (0.1, false),
            (0.5, false),
            (0.2, true),
        ];
        let pairs = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)];
        let rows: Vec<MeasuredRtt> = pairs
            .iter()
            .zip(errors)
            .enumerate()
            .map(|(i, (&(a, b), (e, model_below)))| {
                let model = t.derived_rtt_ms(SiteId(a), SiteId(b));
                MeasuredRtt {
                    site_a: a,
                    site_b: b,
                    rtt_ms: if model_below {
                        model / (1.0 - e)
                    } else {
                        model / (1.0 + e)
                    },
                    rtt_sd_ms: 0.0,
                    bandwidth_gbps: None,
                    line: i + 2,
                }
            })
            .collect();
        let r = distance_model_error(&t, &rows).unwrap();
        // Sorted errors 5, 10, 20, 30, 50, 60 %: the median is rank ceil(0.5 x 6) = 3 (20 %),
        // the p90 rank ceil(0.9 x 6) = 6 (60 %); the model is below on three pairs.
        assert_eq!((r.pairs, r.below), (6, 3));
        assert!((r.median_error_pct - 20.0).abs() < 1e-9, "{r:?}");
        assert!((r.p90_error_pct - 60.0).abs() < 1e-9, "{r:?}");
        assert_eq!(distance_model_error(&t, &[]), None);
    }
}
