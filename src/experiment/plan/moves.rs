//! The plan space and the moves the search takes through it: one-step shrinks, a
//! combination of the shrinks that met the SLO, exchanges (one cluster shrinks or goes
//! while a nearby one grows, where that is cheaper), one-step grows and transfers (a cluster shrinks
//! or goes while a nearby one grows to take its cores, whatever the price), plus the
//! enumeration of every plan for exhaustive search.
//!
//! Each candidate has its own allowed sizes ([`allowed_sizes`]): `[plan] sizes_nodes` for a
//! new cluster; for an existing one (`existing = true` in the topology), its current size
//! and the positive sizes of `sizes_nodes`, never 0, since a plan grows or shrinks what
//! runs already but does not tear it down (issue 32).

use crate::config::topology::{ClusterConfig, TopologyConfig};
use crate::model::topology::Topology;
use crate::model::SiteId;

/// Nearby candidates an exchange may grow when a cluster shrinks.
const EXCHANGE_NEIGHBOURS: usize = 2;
/// Nearby candidates a transfer may move a cluster's capacity to.
const TRANSFER_NEIGHBOURS: usize = 2;

/// A plan derived from another, with the move's description.
pub type Step = (Vec<u32>, String);

/// The sizes candidate `k` may get, increasing: `sizes_nodes` for a new cluster; for an
/// existing one its current `nodes` and the sizes of `sizes_nodes` of at least 1. Offering
/// 0 would mean removing a cluster that runs already, which is a decision about its
/// tenants and data that a capacity plan cannot see; the planner only resizes it.
pub fn allowed_sizes(k: &ClusterConfig, sizes_nodes: &[u32]) -> Vec<u32> {
    if !k.existing {
        return sizes_nodes.to_vec();
    }
    let mut out: Vec<u32> = sizes_nodes.iter().copied().filter(|&n| n >= 1).collect();
    out.push(k.nodes);
    out.sort_unstable();
    out.dedup();
    out
}

/// The allowed sizes of each candidate cluster and who is near whom.
pub struct Space {
    /// Per candidate, its allowed sizes, increasing.
    sizes: Vec<Vec<u32>>,
    names: Vec<String>,
    /// Per candidate, the other candidates by increasing RTT between their sites.
    near: Vec<Vec<usize>>,
}

impl Space {
    /// The space of `candidates` (topology cluster indices) of `base`, each at the sizes
    /// [`allowed_sizes`] gives from `sizes_nodes`.
    pub fn new(base: &TopologyConfig, candidates: &[usize], sizes_nodes: &[u32]) -> Space {
        let topology = Topology::from_config(base);
        let site = |c: usize| -> SiteId { topology.clusters[candidates[c]].site };
        let near = (0..candidates.len())
            .map(|a| {
                let mut others: Vec<(f64, usize)> = (0..candidates.len())
                    .filter(|&b| b != a)
                    .map(|b| {
                        let rtt = topology
                            .route(site(a), site(b))
                            .map_or(f64::INFINITY, |r| r.rtt_ms);
                        (rtt, b)
                    })
                    .collect();
                others.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
                others.into_iter().map(|(_, b)| b).collect()
            })
            .collect();
        Space {
            sizes: candidates
                .iter()
                .map(|&i| allowed_sizes(&base.clusters[i], sizes_nodes))
                .collect(),
            names: candidates
                .iter()
                .map(|&i| base.clusters[i].name.clone())
                .collect(),
            near,
        }
    }

    /// How many plans there are (the product of the candidates' numbers of sizes),
    /// saturating.
    pub fn plans(&self) -> u64 {
        self.sizes
            .iter()
            .fold(1u64, |n, s| n.saturating_mul(s.len() as u64))
    }

    /// Every plan, the first candidate varying slowest.
    pub fn all(&self) -> Vec<Vec<u32>> {
        let mut out = vec![Vec::with_capacity(self.names.len())];
        for sizes in &self.sizes {
            out = out
                .into_iter()
                .flat_map(|p| {
                    sizes.iter().map(move |&s| {
                        let mut q = p.clone();
                        q.push(s);
                        q
                    })
                })
                .collect();
        }
        out
    }

    /// The next smaller size candidate `c` may get than `n`.
    pub fn smaller(&self, c: usize, n: u32) -> Option<u32> {
        self.sizes[c].iter().rev().find(|&&s| s < n).copied()
    }

    /// The next bigger size candidate `c` may get than `n`.
    pub fn bigger(&self, c: usize, n: u32) -> Option<u32> {
        self.sizes[c].iter().find(|&&s| s > n).copied()
    }

    /// The sizes candidate `c` may get, increasing.
    pub fn sizes(&self, c: usize) -> &[u32] {
        &self.sizes[c]
    }

    /// Every candidate's sizes, in candidate order.
    pub fn all_sizes(&self) -> &[Vec<u32>] {
        &self.sizes
    }

    /// The biggest size candidate `c` may get.
    pub fn biggest(&self, c: usize) -> u32 {
        *self.sizes[c].last().expect("validated non-empty")
    }

    /// The naive plan: every candidate at its biggest size.
    pub fn naive(&self) -> Vec<u32> {
        (0..self.sizes.len()).map(|c| self.biggest(c)).collect()
    }

    /// Every plan with one cluster of `nodes` one size smaller, with that cluster's index.
    pub fn shrinks(&self, nodes: &[u32]) -> Vec<(usize, Step)> {
        (0..nodes.len())
            .filter_map(|c| {
                let n = self.smaller(c, nodes[c])?;
                let mut x = nodes.to_vec();
                x[c] = n;
                Some((
                    c,
                    (x, format!("shrink {} {}->{n}", self.names[c], nodes[c])),
                ))
            })
            .collect()
    }

    /// Plans combining the first `k` of `good` (clusters whose one-step shrink met the SLO,
    /// best first) for k = all of them, half, a quarter, ... down to two.
    pub fn combinations(&self, nodes: &[u32], good: &[usize]) -> Vec<Step> {
        let mut out = Vec::new();
        let mut k = good.len();
        while k > 1 {
            let mut x = nodes.to_vec();
            for &c in &good[..k] {
                x[c] = self.smaller(c, nodes[c]).expect("a shrink was possible");
            }
            out.push((x, format!("combine {k} shrinks")));
            k /= 2;
        }
        out
    }

    /// Exchanges from `nodes`: each cluster of `failed` (whose shrink alone missed the SLO)
    /// one size smaller, or at its smallest size (0 for a new cluster: the site is dropped,
    /// and with it the capacity every cluster keeps for itself, such as the monitoring
    /// stack's requests), while one of its nearest candidates grows one size, when that is
    /// cheaper by `price` (USD per day of candidate `c` at `n` nodes).
    pub fn exchanges(
        &self,
        nodes: &[u32],
        failed: &[usize],
        price: impl Fn(usize, u32) -> f64,
    ) -> Vec<Step> {
        let mut out: Vec<Step> = Vec::new();
        for &a in failed {
            let Some(one_down) = self.smaller(a, nodes[a]) else {
                continue;
            };
            let mut downs = vec![one_down, self.sizes[a][0]];
            downs.dedup();
            for down in downs {
                for &b in self.near[a].iter().take(EXCHANGE_NEIGHBOURS) {
                    let Some(up) = self.bigger(b, nodes[b]) else {
                        continue;
                    };
                    let saving = price(a, nodes[a]) - price(a, down);
                    let extra = price(b, up) - price(b, nodes[b]);
                    if extra >= saving {
                        continue;
                    }
                    let mut x = nodes.to_vec();
                    x[a] = down;
                    x[b] = up;
                    let what = format!(
                        "exchange {} {}->{down}, {} {}->{up}",
                        self.names[a], nodes[a], self.names[b], nodes[b]
                    );
                    out.push((x, what));
                }
            }
        }
        out
    }

    /// Every plan with one cluster of `nodes` one size bigger.
    pub fn grows(&self, nodes: &[u32]) -> Vec<Step> {
        (0..nodes.len())
            .filter_map(|c| {
                let n = self.bigger(c, nodes[c])?;
                let mut x = nodes.to_vec();
                x[c] = n;
                Some((x, format!("grow {} {}->{n}", self.names[c], nodes[c])))
            })
            .collect()
    }

    /// Transfers from `nodes`: each cluster one size smaller, or at its smallest size (0 for
    /// a new cluster: the site is dropped), while one of its nearest candidates grows to the
    /// smallest size that gains at least the cores it gave up (`cores(c, n)`: what sessions
    /// may reserve on candidate `c` at `n` nodes). Not filtered by price: a transfer moves
    /// capacity to where it serves more users, so that a following shrink pays, which is how
    /// the search reaches plans that grow one site to drop another.
    pub fn transfers(&self, nodes: &[u32], cores: impl Fn(usize, u32) -> f64) -> Vec<Step> {
        let mut out: Vec<Step> = Vec::new();
        for a in 0..nodes.len() {
            let Some(one_down) = self.smaller(a, nodes[a]) else {
                continue;
            };
            let mut downs = vec![one_down, self.sizes[a][0]];
            downs.dedup();
            for down in downs {
                let freed = cores(a, nodes[a]) - cores(a, down);
                for &b in self.near[a].iter().take(TRANSFER_NEIGHBOURS) {
                    let have = cores(b, nodes[b]);
                    let Some(&up) = self.sizes[b]
                        .iter()
                        .find(|&&s| s > nodes[b] && cores(b, s) - have >= freed - 1e-9)
                    else {
                        continue;
                    };
                    let mut x = nodes.to_vec();
                    x[a] = down;
                    x[b] = up;
                    let what = format!(
                        "transfer {} {}->{down}, {} {}->{up}",
                        self.names[a], nodes[a], self.names[b], nodes[b]
                    );
                    if !out.iter().any(|(y, _)| *y == x) {
                        out.push((x, what));
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space(n: usize, sizes: &[u32]) -> Space {
        Space {
            sizes: vec![sizes.to_vec(); n],
            names: (0..n).map(|i| format!("c{i}")).collect(),
            near: (0..n)
                .map(|a| (0..n).filter(|&b| b != a).collect())
                .collect(),
        }
    }

    #[test]
    fn enumerates_every_plan_once() {
        let s = space(3, &[0, 2, 4]);
        let all = s.all();
        assert_eq!(all.len() as u64, s.plans());
        assert_eq!(all.len(), 27);
        let set: std::collections::HashSet<_> = all.iter().cloned().collect();
        assert_eq!(set.len(), 27);
        assert!(all.iter().all(|p| p.iter().all(|n| [0, 2, 4].contains(n))));
    }

    #[test]
    fn plans_saturate_instead_of_overflowing() {
        assert_eq!(space(200, &[0, 1, 2, 3]).plans(), u64::MAX);
    }

    #[test]
    fn moves_change_what_they_say() {
        let s = space(3, &[0, 2, 4, 8]);
        let shrinks = s.shrinks(&[4, 0, 8]);
        assert_eq!(shrinks.len(), 2);
        assert_eq!(shrinks[0].1 .0, vec![2, 0, 8]);
        assert_eq!(shrinks[1].1 .0, vec![4, 0, 4]);
        let combos = s.combinations(&[4, 2, 8], &[2, 0, 1]);
        assert_eq!(combos[0].0, vec![2, 0, 4]);
        assert_eq!(combos.len(), 1);
        // Shrinking c0 4->2 saves 2; growing c1 0->2 costs 2 (not cheaper), c2 8->... none.
        // Dropping c0 (4->0) saves 4 against the same 2: that exchange pays.
        let price = |_: usize, n: u32| n as f64;
        let ex = s.exchanges(&[4, 0, 8], &[0], price);
        assert_eq!(ex.len(), 1);
        assert_eq!(ex[0].0, vec![0, 2, 8]);
        // With c1 half the price both pay.
        let price = |c: usize, n: u32| if c == 1 { n as f64 / 2.0 } else { n as f64 };
        let ex = s.exchanges(&[4, 0, 8], &[0], price);
        assert_eq!(ex.len(), 2);
        assert_eq!(ex[0].0, vec![2, 2, 8]);
        assert_eq!(ex[1].0, vec![0, 2, 8]);
        // A cluster one size above its smallest has one way down.
        assert_eq!(s.exchanges(&[2, 0, 8], &[0], price).len(), 1);
    }

    #[test]
    fn transfers_move_the_cores_a_cluster_gives_up_to_a_neighbour() {
        // Cores linear in nodes: c3 4->2 frees 2 nodes' cores, c0 grows 4->8 (the smallest
        // size gaining at least that); c3 4->0 frees 4, also 4->8 (6 would not be offered).
        let s = space(4, &[0, 2, 4, 8]);
        let cores = |_: usize, n: u32| n as f64;
        let t = s.transfers(&[4, 4, 4, 4], cores);
        assert!(t.iter().any(|(x, _)| *x == vec![8, 4, 4, 2]));
        assert!(t.iter().any(|(x, _)| *x == vec![8, 4, 4, 0]));
        // Every transfer keeps at least the cores it moved, changes exactly two clusters.
        for (x, what) in &t {
            let changed = (0..4).filter(|&c| x[c] != 4).count();
            assert_eq!(changed, 2, "{what}");
            assert!(x.iter().sum::<u32>() >= 16, "{what}");
        }
        // No duplicates; a cluster at its smallest size gives nothing.
        let set: std::collections::HashSet<_> = t.iter().map(|(x, _)| x.clone()).collect();
        assert_eq!(set.len(), t.len());
        assert!(s.transfers(&[0, 0, 0, 0], cores).is_empty());
        // A neighbour at its biggest size cannot take anything.
        assert!(s
            .transfers(&[2, 8, 8, 8], cores)
            .iter()
            .all(|(x, _)| x[0] == 8 || x[0] == 2));
        // Grows: one cluster one size bigger, none past the biggest.
        let g = s.grows(&[8, 0, 2, 4]);
        assert_eq!(g.len(), 3);
        assert!(g.iter().all(|(x, _)| x.iter().sum::<u32>() > 14));
    }

    fn cluster(existing: bool, nodes: u32) -> ClusterConfig {
        let site = crate::config::topology::SiteConfig {
            name: "s".into(),
            lat: 0.0,
            lon: 0.0,
            tier: crate::config::topology::Tier::Edge,
            intra_site_rtt_ms: 0.3,
            intra_site_bandwidth_gbps: 10.0,
            access_latency_ms: 2.0,
            pue: None,
            country: None,
            grid_gco2e_per_kwh: None,
        };
        let mut k = crate::experiment::generate::cluster_with_defaults(&site, nodes, 4.0);
        k.existing = existing;
        k
    }

    #[test]
    fn an_existing_cluster_keeps_its_size_as_an_option_and_is_never_removed() {
        // sizes_nodes 0/2/4/8: a new cluster may get any; an existing one of 3 nodes gets
        // its own 3 and the positive ones, 2/3/4/8, never 0.
        assert_eq!(
            allowed_sizes(&cluster(false, 3), &[0, 2, 4, 8]),
            [0, 2, 4, 8]
        );
        assert_eq!(
            allowed_sizes(&cluster(true, 3), &[0, 2, 4, 8]),
            [2, 3, 4, 8]
        );
        assert_eq!(allowed_sizes(&cluster(true, 4), &[0, 2, 4, 8]), [2, 4, 8]);
        assert_eq!(allowed_sizes(&cluster(true, 12), &[0, 2]), [2, 12]);
    }

    #[test]
    fn per_candidate_sizes_flow_through_every_move() {
        let mut s = space(2, &[0, 2, 4]);
        s.sizes[1] = vec![2, 3, 4];
        // 3 sizes x 3 sizes.
        assert_eq!(s.plans(), 9);
        let all = s.all();
        assert_eq!(all.len(), 9);
        assert!(all.iter().all(|p| p[1] != 0));
        assert!(all.contains(&vec![0, 3]));
        assert_eq!(s.naive(), vec![4, 4]);
        // Candidate 1 at its smallest size has no shrink; candidate 0 does.
        let shrinks = s.shrinks(&[2, 2]);
        assert_eq!(shrinks.len(), 1);
        assert_eq!(shrinks[0].1 .0, vec![0, 2]);
        assert_eq!(s.smaller(1, 4), Some(3));
        assert_eq!(s.bigger(1, 2), Some(3));
        assert_eq!(s.bigger(0, 2), Some(4));
        // An exchange never takes candidate 1 below 2.
        let price = |_: usize, n: u32| n as f64;
        assert!(s
            .exchanges(&[4, 2], &[1], price)
            .iter()
            .all(|(x, _)| x[1] >= 2));
    }
}
