//! IPv4 CIDR blocks: parsing, overlap, and the address plan that gives every cluster of a
//! plan disjoint node, pod, service, Liqo external and Liqo internal ranges.
//!
//! Pools (all inside 10.0.0.0/8, which Liqo's IPAM also draws from; Liqo v1.2
//! `deployments/liqo/values.yaml`, `ipam.pools`):
//! - nodes: 10.6.n.0/24 (CAPO's templates use 10.6.0.0/24 for the first cluster),
//! - Liqo internal: 10.16.0.0/12 in /20s,
//! - services: 10.32.0.0/12 in /20s,
//! - Liqo external: 10.48.0.0/12 in /20s (Liqo would otherwise pick a free /16 itself,
//!   which a declarative `Configuration` cannot know in advance),
//! - pods: 10.64.0.0/10 in /18s.
//!
//! The pools are disjoint, and each holds 256 blocks, so a plan has at most 256 clusters.
//! The export sets every range explicitly (k3s `clusterCidr`/`serviceCidr`, the Cluster's
//! `clusterNetwork`, Liqo's `ipam.*`), so no component falls back to its own default.

use std::net::Ipv4Addr;

/// An IPv4 block `address/prefix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    /// First address, as an integer (host bits zero).
    pub base: u32,
    /// Prefix length, 0 to 32.
    pub prefix: u8,
}

impl Cidr {
    /// Parses `a.b.c.d/n`; `None` if malformed or if host bits are set.
    pub fn parse(v: &str) -> Option<Cidr> {
        let (ip, n) = v.split_once('/')?;
        let ip: Ipv4Addr = ip.parse().ok()?;
        let prefix: u8 = n.parse().ok().filter(|&n| n <= 32)?;
        let base = u32::from(ip);
        let c = Cidr { base, prefix };
        (base & !c.mask() == 0).then_some(c)
    }

    fn mask(&self) -> u32 {
        if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - self.prefix)
        }
    }

    /// Last address of the block.
    pub fn last(&self) -> u32 {
        self.base | !self.mask()
    }

    /// Whether the two blocks share any address.
    pub fn overlaps(&self, other: &Cidr) -> bool {
        self.base <= other.last() && other.base <= self.last()
    }

    /// The `i`-th block of prefix `prefix` inside this one.
    fn sub(&self, prefix: u8, i: u32) -> Cidr {
        Cidr {
            base: self.base + (i << (32 - prefix)),
            prefix,
        }
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", Ipv4Addr::from(self.base), self.prefix)
    }
}

/// Most clusters the address plan has room for.
pub const MAX_CLUSTERS: usize = 256;

/// The ranges of one cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterRanges {
    /// OpenStack subnet of the nodes.
    pub node: String,
    /// Pods.
    pub pod: String,
    /// Services.
    pub service: String,
    /// Liqo external CIDR (where remote clusters' pods are remapped to).
    pub external: String,
    /// Liqo internal CIDR (Liqo's own interfaces).
    pub internal: String,
}

/// The ranges of the `n`-th cluster of a plan (`n < MAX_CLUSTERS`).
pub fn cluster_ranges(n: usize) -> ClusterRanges {
    assert!(
        n < MAX_CLUSTERS,
        "address plan holds {MAX_CLUSTERS} clusters"
    );
    let pool = |v: &str| Cidr::parse(v).expect("valid pool");
    let i = n as u32;
    ClusterRanges {
        node: pool("10.6.0.0/16").sub(24, i).to_string(),
        internal: pool("10.16.0.0/12").sub(20, i).to_string(),
        service: pool("10.32.0.0/12").sub(20, i).to_string(),
        external: pool("10.48.0.0/12").sub(20, i).to_string(),
        pod: pool("10.64.0.0/10").sub(18, i).to_string(),
    }
}

/// The address plan's blocks, in order, whose five ranges overlap none of `taken` (the
/// ranges of clusters that run already): what new clusters of a plan extending a plan of
/// record get. With nothing taken, block `n` is [`cluster_ranges`]`(n)`.
pub fn free_cluster_ranges(taken: &[Cidr]) -> impl Iterator<Item = ClusterRanges> + '_ {
    (0..MAX_CLUSTERS).map(cluster_ranges).filter(move |r| {
        [&r.node, &r.pod, &r.service, &r.external, &r.internal]
            .into_iter()
            .filter_map(|v| Cidr::parse(v))
            .all(|c| !taken.iter().any(|t| t.overlaps(&c)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_overlap() {
        let a = Cidr::parse("10.64.0.0/18").unwrap();
        assert_eq!(a.last(), u32::from(Ipv4Addr::new(10, 64, 63, 255)));
        assert!(Cidr::parse("10.64.0.1/18").is_none());
        assert!(Cidr::parse("10.64.0.0/33").is_none());
        assert!(Cidr::parse("10.64.0/18").is_none());
        let b = Cidr::parse("10.64.32.0/20").unwrap();
        let c = Cidr::parse("10.64.64.0/18").unwrap();
        assert!(a.overlaps(&b) && b.overlaps(&a));
        assert!(!a.overlaps(&c));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().overlaps(&c));
    }

    #[test]
    fn every_range_of_every_cluster_is_disjoint() {
        let all: Vec<Cidr> = (0..MAX_CLUSTERS)
            .flat_map(|n| {
                let r = cluster_ranges(n);
                [r.node, r.pod, r.service, r.external, r.internal]
            })
            .map(|v| Cidr::parse(&v).unwrap())
            .collect();
        let mut sorted = all.clone();
        sorted.sort_by_key(|c| c.base);
        for w in sorted.windows(2) {
            assert!(!w[0].overlaps(&w[1]), "{} and {}", w[0], w[1]);
        }
        assert_eq!(cluster_ranges(5).pod, "10.65.64.0/18");
    }

    #[test]
    fn free_blocks_skip_every_block_a_taken_range_touches() {
        assert_eq!(free_cluster_ranges(&[]).next(), Some(cluster_ranges(0)));
        // k3s' default pods 10.42.0.0/16 lie in the service pool 10.32.0.0/12: 10.42.0.0
        // is 10 x 65536 addresses past 10.32.0.0, i.e. 160 /20 blocks of 4096, and a /16
        // spans 16 of them: blocks 160 to 175.
        let k3s = [Cidr::parse("10.42.0.0/16").unwrap()];
        let free: Vec<ClusterRanges> = free_cluster_ranges(&k3s).collect();
        assert_eq!(free.len(), MAX_CLUSTERS - 16);
        assert_eq!(free[159], cluster_ranges(159));
        assert_eq!(free[160], cluster_ranges(176));
        assert_eq!(
            free_cluster_ranges(&[Cidr::parse("10.0.0.0/8").unwrap()]).count(),
            0
        );
    }
}
