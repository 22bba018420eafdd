//! Makes an xrplace topology from an Internet Topology Zoo network
//! ([`crate::config::graphml`]): a site and one cluster per point of presence that has
//! coordinates, a link per Zoo edge.
//!
//! - Sites sit at the node's `Latitude` / `Longitude` and are named from its `label` as
//!   DNS labels (a repeated label gets the node id appended). Nodes with no coordinates
//!   at all (the Zoo's external peers) are left out, and so are their edges; each is
//!   named in a warning.
//! - A link's bandwidth is the edge's `LinkSpeed` in `LinkSpeedUnits` (or `LinkSpeedRaw`);
//!   an edge without one gets `default_link_gbps`, and the warnings count them. Parallel
//!   edges between one pair are one link with their capacities added.
//! - A link's RTT comes from its length: `2 x link_inflation x great-circle km / 200 km/ms`
//!   (light in fibre covers about 200 km per ms; a conduit runs longer than the
//!   great circle because it follows roads and railways, Durairajan et al., "InterTubes",
//!   SIGCOMM 2015; the 1.5 default is an estimate). Routes between sites then add up their
//!   links, which for multi-hop paths lands near design.md's end-to-end fit
//!   (1 + 2.5 x 2 d / 200 ms).
//! - Tiers: the sites given as cloud regions (by default the best-connected PoP) and as
//!   far-edge sites; every other site is a metro edge site. Cluster sizes come per tier,
//!   or per site.

use super::generate::{cluster_with_defaults, haversine_km, round3, site_with_defaults};
use crate::config::graphml::{ZooEdge, ZooGraph};
use crate::config::names::dns_label_from;
use crate::config::topology::{
    LinkConfig, PathsConfig, RoutingConfig, SiteConfig, Tier, TopologyConfig,
};
use std::collections::{BTreeMap, HashMap};

/// How to turn a Zoo network into a topology.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOptions {
    /// The topology's name (default: the network's label as a DNS label).
    pub name: Option<String>,
    /// Sites (Zoo labels, site names or node ids) that are cloud regions; empty: the
    /// PoP with the most links (the lowest id on a tie).
    pub cloud: Vec<String>,
    /// Sites that are far-edge sites.
    pub far_edge: Vec<String>,
    /// Nodes per cluster in a cloud region, at a metro edge and at a far-edge site.
    pub nodes: [u32; 3],
    /// vCPU per node, per tier in the same order.
    pub vcpu_per_node: [f64; 3],
    /// Nodes of given sites, overriding their tier's.
    pub site_nodes: Vec<(String, u32)>,
    /// Bandwidth of an edge that gives no speed, Gbit/s.
    pub default_link_gbps: f64,
    /// Fibre length of a link over its great-circle length.
    pub link_inflation: f64,
}

impl Default for ImportOptions {
    /// Cloud regions of 20 nodes of 8 vCPU, metro edges of 4 x 4 and far edges of 2 x 4
    /// (within the ranges of the shipped topologies); links without a speed at 10 Gbit/s
    /// (a research backbone's common circuit; an estimate).
    fn default() -> Self {
        ImportOptions {
            name: None,
            cloud: Vec::new(),
            far_edge: Vec::new(),
            nodes: [20, 4, 2],
            vcpu_per_node: [8.0, 4.0, 4.0],
            site_nodes: Vec::new(),
            default_link_gbps: 10.0,
            link_inflation: 1.5,
        }
    }
}

/// An imported topology and what the import left out or guessed.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The topology.
    pub topology: TopologyConfig,
    /// One line per node left out, and a count of links given the default speed.
    pub warnings: Vec<String>,
}

/// Light in fibre, km per ms one way (refractive index about 1.47).
const FIBRE_KM_PER_MS: f64 = 200.0;

/// Builds the topology; `Err` says which option names a site the network lacks.
pub fn import_zoo(g: &ZooGraph, opts: &ImportOptions) -> Result<Imported, String> {
    let mut warnings = Vec::new();
    let placed: Vec<_> = g.nodes.iter().filter(|n| n.position.is_some()).collect();
    for n in g.nodes.iter().filter(|n| n.position.is_none()) {
        warnings.push(format!(
            "node {:?} ({:?}, line {}) has no coordinates: left out with its links",
            n.id, n.label, n.line
        ));
    }
    if placed.is_empty() {
        return Err("no node has coordinates: nothing to import".into());
    }
    let names = site_names(&placed.iter().map(|n| (&n.id, &n.label)).collect::<Vec<_>>());
    let site_of: HashMap<&str, usize> = placed
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let (links, defaulted, dropped) = merged_links(&g.edges, &site_of);
    if dropped > 0 {
        warnings.push(format!(
            "{dropped} links touch a node that was left out (or join a node to itself): left out"
        ));
    }
    if defaulted > 0 {
        warnings.push(format!(
            "{defaulted} links give no speed: {} Gbit/s assumed (--default-link-gbps)",
            opts.default_link_gbps
        ));
    }
    let find = |key: &str| -> Result<usize, String> {
        placed
            .iter()
            .enumerate()
            .position(|(i, n)| n.label == key || n.id == key || names[i] == key)
            .ok_or_else(|| {
                format!("no site {key:?} in the network (give a label, id or site name)")
            })
    };
    let mut tiers = vec![Tier::Edge; placed.len()];
    for key in &opts.far_edge {
        tiers[find(key)?] = Tier::FarEdge;
    }
    if opts.cloud.is_empty() {
        tiers[best_connected(placed.len(), &links)] = Tier::Cloud;
    }
    for key in &opts.cloud {
        tiers[find(key)?] = Tier::Cloud;
    }
    let mut nodes: Vec<u32> = tiers.iter().map(|t| opts.nodes[tier_ix(*t)]).collect();
    for (key, n) in &opts.site_nodes {
        nodes[find(key)?] = *n;
    }
    let sites: Vec<SiteConfig> = placed
        .iter()
        .zip(&names)
        .zip(&tiers)
        .map(|((n, name), tier)| {
            let (lat, lon) = n.position.expect("placed");
            site_with_defaults(name.clone(), lat, lon, *tier)
        })
        .collect();
    let clusters = sites
        .iter()
        .zip(&nodes)
        .map(|(s, n)| cluster_with_defaults(s, *n, opts.vcpu_per_node[tier_ix(s.tier)]))
        .collect();
    let links = links
        .into_iter()
        .map(|((a, b), gbps)| {
            let km = haversine_km(&sites[a], &sites[b]);
            LinkConfig {
                a: sites[a].name.clone(),
                b: sites[b].name.clone(),
                rtt_ms: round3(2.0 * opts.link_inflation * km / FIBRE_KM_PER_MS).max(0.001),
                jitter_ms: RoutingConfig::default().derived_jitter_ms,
                bandwidth_gbps: gbps.unwrap_or(opts.default_link_gbps),
                loss_pct: 0.0,
                background_util: 0.0,
                background_packet_bytes: 1500,
            }
        })
        .collect();
    let name = opts
        .name
        .clone()
        .unwrap_or_else(|| dns_label_from(g.label.as_deref().unwrap_or("imported"), 63));
    Ok(Imported {
        topology: TopologyConfig {
            name,
            routing: RoutingConfig::default(),
            sites,
            clusters,
            links,
            paths: PathsConfig::default(),
        },
        warnings,
    })
}

/// Site names from labels: DNS labels, a repeated one made distinct by the node's id,
/// and a name that still repeats one before it (a label that folds to another's name
/// with an id) by a counter.
fn site_names(nodes: &[(&String, &String)]) -> Vec<String> {
    let base: Vec<String> = nodes.iter().map(|(_, l)| dns_label_from(l, 50)).collect();
    let mut seen: HashMap<&str, u32> = HashMap::new();
    for b in &base {
        *seen.entry(b.as_str()).or_default() += 1;
    }
    let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
    base.iter()
        .zip(nodes)
        .map(|(b, (id, _))| {
            let mut name = if seen[b.as_str()] > 1 {
                dns_label_from(&format!("{b}-{id}"), 63)
            } else {
                b.clone()
            };
            let mut k = 2;
            while taken.contains(&name) {
                name = dns_label_from(&format!("{b}-{id}-{k}"), 63);
                k += 1;
            }
            taken.insert(name.clone());
            name
        })
        .collect()
}

/// One entry per site pair (lower index first) with the summed speed of its edges (`None`
/// if any of them gives none), the number of such pairs without a speed, and the edges
/// left out.
type Merged = (BTreeMap<(usize, usize), Option<f64>>, usize, usize);

fn merged_links(edges: &[ZooEdge], site_of: &HashMap<&str, usize>) -> Merged {
    let mut links: BTreeMap<(usize, usize), Option<f64>> = BTreeMap::new();
    let mut dropped = 0;
    for e in edges {
        let ends = (
            site_of.get(e.source.as_str()),
            site_of.get(e.target.as_str()),
        );
        let (Some(&a), Some(&b)) = ends else {
            dropped += 1;
            continue;
        };
        if a == b {
            dropped += 1;
            continue;
        }
        let key = (a.min(b), a.max(b));
        links
            .entry(key)
            .and_modify(|s| *s = s.zip(e.speed_gbps).map(|(x, y)| x + y))
            .or_insert(e.speed_gbps);
    }
    let defaulted = links.values().filter(|s| s.is_none()).count();
    (links, defaulted, dropped)
}

/// The site with the most links (the first on a tie).
fn best_connected(sites: usize, links: &BTreeMap<(usize, usize), Option<f64>>) -> usize {
    let mut degree = vec![0u32; sites];
    for &(a, b) in links.keys() {
        degree[a] += 1;
        degree[b] += 1;
    }
    (0..sites)
        .max_by_key(|&i| (degree[i], std::cmp::Reverse(i)))
        .unwrap_or(0)
}

fn tier_ix(t: Tier) -> usize {
    match t {
        Tier::Cloud => 0,
        Tier::Edge => 1,
        Tier::FarEdge => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::graphml::ZooNode;
    use crate::config::source::Source;
    use crate::config::topology_check::validate_topology;
    use std::path::Path;

    fn node(id: &str, label: &str, position: Option<(f64, f64)>) -> ZooNode {
        ZooNode {
            id: id.into(),
            label: label.into(),
            position,
            line: 1,
        }
    }

    fn edge(a: &str, b: &str, speed_gbps: Option<f64>) -> ZooEdge {
        ZooEdge {
            source: a.into(),
            target: b.into(),
            speed_gbps,
            line: 1,
        }
    }

    fn graph() -> ZooGraph {
        ZooGraph {
            label: Some("Tiny Net".into()),
            nodes: vec![
                node("0", "Amsterdam", Some((52.37, 4.89))),
                node("1", "Brussels", Some((50.85, 4.35))),
                node("2", "Paris", Some((48.86, 2.35))),
                node("3", "Paris", Some((48.80, 2.30))),
                node("4", "Peer AS", None),
            ],
            edges: vec![
                edge("0", "1", Some(10.0)),
                edge("0", "1", Some(2.5)),
                edge("1", "2", None),
                edge("1", "3", Some(1.0)),
                edge("1", "4", Some(1.0)),
            ],
        }
    }

    #[test]
    fn imports_sites_links_and_tiers() {
        let r = import_zoo(&graph(), &ImportOptions::default()).unwrap();
        let t = &r.topology;
        assert_eq!(t.name, "tiny-net");
        let names: Vec<&str> = t.sites.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["amsterdam", "brussels", "paris-2", "paris-3"]);
        assert_eq!(t.sites[1].tier, Tier::Cloud, "Brussels has the most links");
        assert_eq!(
            t.links.len(),
            3,
            "parallel edges merged, the peer's left out"
        );
        assert_eq!(t.links[0].bandwidth_gbps, 12.5);
        assert_eq!(t.links[1].bandwidth_gbps, 10.0, "no speed: the default");
        // Amsterdam-Brussels, 173 km by great circle: 2 x 1.5 x 173 / 200 = 2.6 ms.
        assert!(
            (t.links[0].rtt_ms - 2.6).abs() < 0.02,
            "{}",
            t.links[0].rtt_ms
        );
        assert!(r.warnings[0].contains("\"4\"") && r.warnings[0].contains("Peer AS"));
        assert_eq!(r.warnings.len(), 3, "{:?}", r.warnings);
        let text = toml::to_string(t).unwrap();
        let src = Source::from_text(Path::new("i.toml"), text);
        validate_topology(&src, &src.parse().unwrap()).unwrap();
    }

    #[test]
    fn options_choose_tiers_and_sizes_and_unknown_sites_are_refused() {
        let opts = ImportOptions {
            cloud: vec!["Amsterdam".into(), "paris-3".into()],
            far_edge: vec!["2".into()],
            site_nodes: vec![("Brussels".into(), 7)],
            ..ImportOptions::default()
        };
        let t = import_zoo(&graph(), &opts).unwrap().topology;
        let tiers: Vec<Tier> = t.sites.iter().map(|s| s.tier).collect();
        assert_eq!(tiers, [Tier::Cloud, Tier::Edge, Tier::FarEdge, Tier::Cloud]);
        assert_eq!(t.clusters[1].nodes, 7);
        assert_eq!(t.clusters[0].nodes, 20);
        let bad = ImportOptions {
            cloud: vec!["Atlantis".into()],
            ..ImportOptions::default()
        };
        assert!(import_zoo(&graph(), &bad).unwrap_err().contains("Atlantis"));
    }
}
