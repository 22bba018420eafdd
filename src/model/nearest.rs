//! Sites in order of RTT from one site, without an all-pairs table: a Dijkstra over the
//! measured links that stops when the caller has what it needs, merged with a k-d tree
//! search over the sites no chain of links reaches (their RTT is derived from distance).
//!
//! The RTTs are the ones [`Topology::rtt_from`] gives (the same relaxations in the same
//! order), and [`NearestSites::route_to`] gives the route [`Topology::route`] gives along
//! the same chain of links; only the work is bounded by what the caller asks for.

use super::ids::SiteId;
use super::topology::{chain_route, Route, Topology};
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// A site and its RTT (or distance), ordered by that then site (for the Dijkstra heap and
/// the k-d tree's candidate heap).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Reached(f64, u32);

impl Eq for Reached {}
impl PartialOrd for Reached {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Reached {
    fn cmp(&self, o: &Self) -> Ordering {
        self.0.total_cmp(&o.0).then(self.1.cmp(&o.1))
    }
}

/// Per-thread working memory of a search (reset in time proportional to what it touched).
#[derive(Debug, Clone)]
pub struct Scratch {
    dist: Vec<f64>,
    /// The link a site was reached by: (previous site, link index), `u32::MAX` if none.
    pred: Vec<(u32, u32)>,
    settled: Vec<bool>,
    touched: Vec<u32>,
    heap: BinaryHeap<Reverse<Reached>>,
    derived: Vec<(f64, u32)>,
    from: u32,
}

/// Static search structure over one topology.
#[derive(Debug, Clone)]
pub struct NearestSites<'t> {
    topo: &'t Topology,
    /// Component of each site in the graph of measured links.
    component: Vec<u32>,
    /// Unit vectors of the sites, for distance order on the sphere.
    points: Vec<[f64; 3]>,
    /// k-d tree over site indices (only when some sites are in other components and their
    /// RTTs are derived).
    tree: Option<Vec<u32>>,
}

/// Derived-RTT sites fetched per round of the k-d tree search (doubled when used up).
const DERIVED_BATCH: usize = 32;

impl<'t> NearestSites<'t> {
    /// Prepares searches over `topo`: components of the link graph and, if some sites can
    /// only be reached by derived RTTs, a k-d tree of the sites.
    pub fn new(topo: &'t Topology) -> Self {
        let n = topo.sites.len();
        let component = components(topo);
        let several = component.iter().any(|&c| c != 0);
        let points = topo
            .sites
            .iter()
            .map(|s| {
                let (la, lo) = (s.lat.to_radians(), s.lon.to_radians());
                [la.cos() * lo.cos(), la.cos() * lo.sin(), la.sin()]
            })
            .collect::<Vec<_>>();
        let tree = (several && topo.derives_missing_rtt()).then(|| {
            let mut ix: Vec<u32> = (0..n as u32).collect();
            build_tree(&points, &mut ix, 0);
            ix
        });
        NearestSites {
            topo,
            component,
            points,
            tree,
        }
    }

    /// Fresh working memory for [`Self::visit`].
    pub fn scratch(&self) -> Scratch {
        let n = self.topo.sites.len();
        Scratch {
            dist: vec![f64::INFINITY; n],
            pred: vec![(u32::MAX, u32::MAX); n],
            settled: vec![false; n],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
            derived: Vec::new(),
            from: u32::MAX,
        }
    }

    /// Calls `visit(site, rtt_ms)` for the sites reachable from `from` in non-decreasing
    /// RTT (the site itself at its intra-site RTT), until `visit` returns false or every
    /// reachable site was visited. Sites of equal RTT come in no particular order.
    pub fn visit(
        &self,
        sc: &mut Scratch,
        from: SiteId,
        mut visit: impl FnMut(SiteId, f64) -> bool,
    ) {
        self.reset(sc, from);
        let mut own = Some(self.topo.sites[from.ix()].intra_site_rtt_ms);
        let mut cursor = 0;
        let mut want = 0;
        let mut exhausted = self.tree.is_none();
        let mut next_link = self.next_settled(sc);
        loop {
            if cursor == sc.derived.len() && !exhausted {
                want = (want * 2).max(DERIVED_BATCH);
                exhausted = self.fetch_derived(sc, from, want) < want;
            }
            let derived = sc.derived.get(cursor).copied();
            let best = [
                own.map(|r| (r, from.0, 0u8)),
                next_link.map(|Reached(r, s)| (r, s, 1)),
                derived.map(|(r, s)| (r, s, 2)),
            ]
            .into_iter()
            .flatten()
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)));
            let Some((rtt, site, source)) = best else {
                return;
            };
            match source {
                0 => own = None,
                1 => next_link = self.next_settled(sc),
                _ => cursor += 1,
            }
            if !visit(SiteId(site), rtt) {
                return;
            }
        }
    }

    /// The route from the last search's origin to `to`, which that search visited: the
    /// chain of links it found, or a derived route, or the intra-site route.
    pub fn route_to(&self, sc: &Scratch, to: SiteId) -> Option<Route> {
        if to.0 == sc.from {
            return self.topo.route(to, to);
        }
        if self.component[to.ix()] != self.component[sc.from as usize] {
            return self.topo.route(SiteId(sc.from), to);
        }
        if !sc.settled[to.ix()] {
            return None;
        }
        let mut chain = Vec::new();
        let mut at = to.0;
        while at != sc.from {
            let (prev, link) = sc.pred[at as usize];
            chain.push(link);
            at = prev;
        }
        Some(chain_route(chain.iter().rev().map(|&l| self.topo.link(l))))
    }

    fn reset(&self, sc: &mut Scratch, from: SiteId) {
        for &t in &sc.touched {
            sc.dist[t as usize] = f64::INFINITY;
            sc.pred[t as usize] = (u32::MAX, u32::MAX);
            sc.settled[t as usize] = false;
        }
        sc.touched.clear();
        sc.heap.clear();
        sc.derived.clear();
        sc.from = from.0;
        sc.dist[from.ix()] = 0.0;
        sc.touched.push(from.0);
        sc.heap.push(Reverse(Reached(0.0, from.0)));
    }

    /// Settles the next site of the Dijkstra (the origin itself is skipped: it is visited
    /// at its intra-site RTT).
    fn next_settled(&self, sc: &mut Scratch) -> Option<Reached> {
        while let Some(Reverse(Reached(d, u))) = sc.heap.pop() {
            if sc.settled[u as usize] {
                continue;
            }
            sc.settled[u as usize] = true;
            for (v, rtt, link) in self.topo.links_from_indexed(SiteId(u)) {
                let v = v.ix();
                if sc.settled[v] {
                    continue;
                }
                let next = d + rtt;
                if next < sc.dist[v] {
                    if sc.dist[v] == f64::INFINITY {
                        sc.touched.push(v as u32);
                    }
                    sc.dist[v] = next;
                    sc.pred[v] = (u, link);
                    sc.heap.push(Reverse(Reached(next, v as u32)));
                }
            }
            if u != sc.from {
                return Some(Reached(d, u));
            }
        }
        None
    }

    /// Fills the derived list with the `want` sites nearest `from` outside its component
    /// (RTT derived from distance), sorted by RTT then site; returns how many it holds.
    fn fetch_derived(&self, sc: &mut Scratch, from: SiteId, want: usize) -> usize {
        let Some(tree) = &self.tree else {
            return sc.derived.len();
        };
        let own = self.component[from.ix()];
        let mut best: BinaryHeap<Reached> = BinaryHeap::new();
        let q = self.points[from.ix()];
        knn(&self.points, tree, 0, &q, want, &mut best, &|s| {
            self.component[s as usize] != own
        });
        sc.derived.clear();
        sc.derived.extend(
            best.into_iter()
                .map(|Reached(_, s)| (self.topo.derived_rtt_ms(from, SiteId(s)), s)),
        );
        sc.derived
            .sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        sc.derived.len()
    }
}

/// Component of each site in the graph of measured links (0 for the origin's component of
/// site 0, numbered in site order).
fn components(topo: &Topology) -> Vec<u32> {
    let n = topo.sites.len();
    let mut comp = vec![u32::MAX; n];
    let mut next = 0;
    let mut stack = Vec::new();
    for s in 0..n {
        if comp[s] != u32::MAX {
            continue;
        }
        comp[s] = next;
        stack.push(s);
        while let Some(u) = stack.pop() {
            for (v, _, _) in topo.links_from_indexed(SiteId(u as u32)) {
                if comp[v.ix()] == u32::MAX {
                    comp[v.ix()] = next;
                    stack.push(v.ix());
                }
            }
        }
        next += 1;
    }
    comp
}

fn sq_dist(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)
}

/// Orders `ix` as an implicit k-d tree: the median of each slice on axis `depth % 3` sits
/// in its middle, the smaller half before it.
fn build_tree(points: &[[f64; 3]], ix: &mut [u32], depth: usize) {
    if ix.len() <= 1 {
        return;
    }
    let axis = depth % 3;
    let mid = ix.len() / 2;
    ix.select_nth_unstable_by(mid, |&a, &b| {
        points[a as usize][axis]
            .total_cmp(&points[b as usize][axis])
            .then(a.cmp(&b))
    });
    let (lo, hi) = ix.split_at_mut(mid);
    build_tree(points, lo, depth + 1);
    build_tree(points, &mut hi[1..], depth + 1);
}

/// The `k` sites of the implicit tree `ix` nearest `q` (chord distance, ties by site) that
/// `keep` accepts, into the max-heap `best`.
fn knn(
    points: &[[f64; 3]],
    ix: &[u32],
    depth: usize,
    q: &[f64; 3],
    k: usize,
    best: &mut BinaryHeap<Reached>,
    keep: &dyn Fn(u32) -> bool,
) {
    if ix.is_empty() {
        return;
    }
    let mid = ix.len() / 2;
    let s = ix[mid];
    let p = &points[s as usize];
    if keep(s) {
        let here = Reached(sq_dist(p, q), s);
        if best.len() < k {
            best.push(here);
        } else if best.peek().is_some_and(|top| here < *top) {
            best.pop();
            best.push(here);
        }
    }
    let axis = depth % 3;
    let diff = q[axis] - p[axis];
    let (near, far) = if diff < 0.0 {
        (&ix[..mid], &ix[mid + 1..])
    } else {
        (&ix[mid + 1..], &ix[..mid])
    };
    knn(points, near, depth + 1, q, k, best, keep);
    if best.len() < k || best.peek().is_some_and(|top| diff * diff <= top.0) {
        knn(points, far, depth + 1, q, k, best, keep);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::source::Source;
    use crate::config::topology::TopologyConfig;
    use crate::config::topology_check::validate_topology;
    use proptest::prelude::*;
    use std::path::Path;

    /// A random topology as TOML: `n` sites (every third a cloud), one cluster at each
    /// site but the last, the given links (so the graph may be disconnected, with RTTs
    /// derived where no chain exists) or, without `derive`, those plus a chain through
    /// every site.
    pub(crate) fn random_topology(
        n: usize,
        coords: &[(f64, f64)],
        links: &[(usize, usize, f64)],
        derive: bool,
    ) -> TopologyConfig {
        let mut t = format!("name = \"r\"\n[routing]\nderive_missing_rtt = {derive}\n");
        for (i, (lat, lon)) in coords.iter().take(n).enumerate() {
            let tier = if i % 3 == 0 { "cloud" } else { "edge" };
            t += &format!(
                "[[sites]]\nname = \"s{i}\"\nlat = {lat}\nlon = {lon}\ntier = \"{tier}\"\n"
            );
        }
        for i in 0..n.saturating_sub(1) {
            t += &format!(
                "[[clusters]]\nname = \"c{i}\"\nsite = \"s{i}\"\nnodes = 2\nvcpu_per_node = 4\nmemory_gib_per_node = 8\ndistribution = \"k3s\"\nprovider = \"openstack\"\n"
            );
        }
        let mut seen = std::collections::BTreeSet::new();
        // Without derived RTTs every site must be reachable: a chain joins them all.
        let chain: Vec<(usize, usize, f64)> = if derive {
            Vec::new()
        } else {
            (0..n - 1).map(|i| (i, i + 1, 5.0 + i as f64)).collect()
        };
        for &(a, b, rtt) in links.iter().chain(&chain) {
            let (a, b) = (a % n, b % n);
            if a != b && seen.insert((a.min(b), a.max(b))) {
                t += &format!(
                    "[[links]]\na = \"s{a}\"\nb = \"s{b}\"\nrtt_ms = {rtt}\njitter_ms = 0.5\nbandwidth_gbps = 10\n"
                );
            }
        }
        let src = Source::from_text(Path::new("r.toml"), t);
        let cfg: TopologyConfig = src.parse().expect("parses");
        validate_topology(&src, &cfg).expect("valid");
        cfg
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Visiting every site gives exactly the RTTs of the all-pairs rows, in
        /// non-decreasing order, and the route to each is the topology's route.
        #[test]
        fn visits_every_reachable_site_in_rtt_order_with_the_rows_rtts(
            n in 2usize..40,
            coords in prop::collection::vec((-60.0f64..60.0, -150.0f64..150.0), 40),
            links in prop::collection::vec((0usize..40, 0usize..40, 0.2f64..30.0), 0..60),
            derive in any::<bool>(),
        ) {
            let cfg = random_topology(n, &coords, &links, derive);
            let topo = Topology::from_config(&cfg);
            let search = NearestSites::new(&topo);
            let mut sc = search.scratch();
            for a in 0..n as u32 {
                let row = topo.rtt_from(SiteId(a));
                let mut seen = Vec::new();
                search.visit(&mut sc, SiteId(a), |s, rtt| {
                    seen.push((s.0, rtt));
                    true
                });
                prop_assert!(seen.windows(2).all(|w| w[0].1 <= w[1].1), "order {:?}", seen);
                let mut got: Vec<(u32, f64)> = seen.clone();
                got.sort_by_key(|x| x.0);
                let want: Vec<(u32, f64)> = (0..n as u32)
                    .filter(|&b| row[b as usize].is_finite())
                    .map(|b| (b, row[b as usize]))
                    .collect();
                prop_assert_eq!(got.len(), want.len());
                for (g, w) in got.iter().zip(&want) {
                    prop_assert_eq!(g.0, w.0);
                    prop_assert!((g.1 - w.1).abs() <= 1e-9 * w.1.max(1.0), "{:?} vs {:?}", g, w);
                }
                for &(b, _) in &seen {
                    let mine = search.route_to(&sc, SiteId(b)).expect("visited");
                    let theirs = topo.route(SiteId(a), SiteId(b)).expect("reachable");
                    prop_assert!((mine.rtt_ms - theirs.rtt_ms).abs() <= 1e-9 * theirs.rtt_ms.max(1.0));
                    prop_assert_eq!(mine.derived, theirs.derived);
                }
            }
        }
    }

    #[test]
    fn a_search_stops_where_its_caller_does() {
        let coords: Vec<(f64, f64)> = (0..40).map(|i| (i as f64, 0.0)).collect();
        let links: Vec<(usize, usize, f64)> = (0..39).map(|i| (i, i + 1, 1.0)).collect();
        let cfg = random_topology(40, &coords, &links, false);
        let topo = Topology::from_config(&cfg);
        let search = NearestSites::new(&topo);
        let mut sc = search.scratch();
        let mut n = 0;
        search.visit(&mut sc, SiteId(0), |_, _| {
            n += 1;
            n < 3
        });
        assert_eq!(n, 3);
        assert!(
            sc.touched.len() < 10,
            "a bounded search touches only the sites near its origin ({})",
            sc.touched.len()
        );
    }
}
