//! The inter-site network under faults: RTT added and bandwidth lost by degraded links,
//! and sites cut off by partitions. Faults change it; placement and latency read it.

use crate::model::session_platform::SessionPlatform;
use crate::model::ClusterId;

/// Per-site network state under faults.
#[derive(Debug, Clone, Copy)]
struct SiteNet {
    extra_rtt_ms: f64,
    bandwidth_factor: f64,
    /// Partitions currently cutting this site off.
    cut: u32,
}

/// Fault state of every site's links, with a version that changes whenever it does.
#[derive(Debug, Clone)]
pub struct Network {
    sites: Vec<SiteNet>,
    /// Bumped on every change, so monitoring knows when to look again.
    version: u64,
}

impl Network {
    /// Every link healthy.
    pub fn new(sites: usize) -> Self {
        Network {
            sites: vec![
                SiteNet {
                    extra_rtt_ms: 0.0,
                    bandwidth_factor: 1.0,
                    cut: 0
                };
                sites
            ],
            version: 0,
        }
    }

    /// Changes on every fault start or end.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Whether a user at `site` can reach cluster `c` (partitions cut a site off).
    #[inline]
    pub fn reachable(&self, p: &SessionPlatform, site: u32, c: ClusterId) -> bool {
        let cs = p.topology.cluster(c).site.0;
        site == cs || (self.sites[site as usize].cut == 0 && self.sites[cs as usize].cut == 0)
    }

    /// Added RTT between an access site and a cluster's site from degraded links, ms.
    #[inline]
    pub fn extra_rtt_ms(&self, access: usize, cluster_site: usize) -> f64 {
        let x = self.sites[cluster_site].extra_rtt_ms;
        if access == cluster_site {
            x
        } else {
            x + self.sites[access].extra_rtt_ms
        }
    }

    /// Share of its bandwidth site `i`'s links keep, 0..1.
    #[inline]
    pub fn bandwidth_factor(&self, i: usize) -> f64 {
        self.sites[i].bandwidth_factor
    }

    /// Links at `site` gain `extra_ms` of RTT and keep `factor` of their bandwidth.
    pub fn degrade(&mut self, site: u32, extra_ms: f64, factor: f64) {
        let n = &mut self.sites[site as usize];
        n.extra_rtt_ms += extra_ms;
        n.bandwidth_factor *= factor;
        self.version += 1;
    }

    /// Undoes [`Self::degrade`].
    pub fn restore(&mut self, site: u32, extra_ms: f64, factor: f64) {
        let n = &mut self.sites[site as usize];
        n.extra_rtt_ms = (n.extra_rtt_ms - extra_ms).max(0.0);
        n.bandwidth_factor = (n.bandwidth_factor / factor).min(1.0);
        self.version += 1;
    }

    /// `site` is cut off (`cut`) or one partition of it ends.
    pub fn partition(&mut self, site: u32, cut: bool) {
        let n = &mut self.sites[site as usize];
        if cut {
            n.cut += 1;
        } else {
            n.cut -= 1;
        }
        self.version += 1;
    }
}
