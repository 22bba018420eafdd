//! Interconnect kinds as parts: every kind is registered once under its own id and builds
//! its own path; `local` joins no clusters; and a kind written outside the crate, against
//! the public [`InterconnectKind`] trait and path builders, builds a path too. It cannot be
//! named in a file until it is registered: a kind's name is an entry of
//! `config::path_kinds`, which files are parsed and checked against before any model
//! exists (`docs/interconnects.md`, "Adding a kind").

use std::path::Path;
use xrplace::config::experiment::{PathKind, Protocol};
use xrplace::config::load_experiment_with;
use xrplace::config::topology::{PathsConfig, TopologyConfig};
use xrplace::model::interconnects::{kind_of, Across, Interconnect, InterconnectKind};
use xrplace::model::path::servers::through_servers;
use xrplace::model::{ClusterId, PathModel, Topology};

/// Two sites 10 ms apart on a 10 Gbit/s link, one cluster each.
fn two_sites() -> Topology {
    let mut text = String::from("name = \"t\"\n");
    for (site, lat) in [("a", 50.0), ("b", 46.0)] {
        text += &format!(
            "[[sites]]\nname = \"{site}\"\nlat = {lat}\nlon = 6.0\ntier = \"edge\"\n\
             [[clusters]]\nname = \"c{site}\"\nsite = \"{site}\"\nnodes = 1\n\
             vcpu_per_node = 2\nmemory_gib_per_node = 4\ndistribution = \"kubeadm\"\n\
             provider = \"openstack\"\n"
        );
    }
    text += "[[links]]\na = \"a\"\nb = \"b\"\nrtt_ms = 10\nbandwidth_gbps = 10\n";
    let cfg: TopologyConfig = toml::from_str(&text).unwrap();
    Topology::from_config(&cfg)
}

fn build(kind: PathKind, src: u32, dst: u32) -> Option<PathModel> {
    let paths = PathsConfig::default();
    let (src, dst) = (ClusterId(src), ClusterId(dst));
    PathModel::build(&two_sites(), &paths, Protocol::Tcp, src, dst, kind)
}

#[test]
fn every_kind_is_registered_once_under_its_own_id() {
    let paths = PathsConfig::default();
    for id in PathKind::ALL {
        assert_eq!(kind_of(id).id(), id, "{}", id.name());
        assert_eq!(Interconnect::of(id, &paths).kind, id, "{}", id.name());
    }
}

#[test]
fn every_crossing_kind_builds_its_own_path_and_local_joins_no_clusters() {
    for &id in &PathKind::ALL[1..] {
        let p = build(id, 0, 1).unwrap_or_else(|| panic!("{} builds no path", id.name()));
        assert_eq!(p.kind, id);
        assert_eq!(p.propagation_ns, 5_000_000, "{}", id.name());
    }
    // Once a Liqo path: `local` cannot join two clusters, inside one it is the CNI.
    assert_eq!(build(PathKind::Local, 0, 1), None);
    assert_eq!(build(PathKind::Local, 1, 1).unwrap().kind, PathKind::Local);
}

#[test]
fn sessions_refuse_local_which_joins_no_clusters() {
    let set = ["sessions.cross_cluster_path=\"local\"".to_string()];
    let err = load_experiment_with(Path::new("experiments/few-streams.toml"), &set)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "sessions cross clusters, which `local` cannot; expected one of liqo, nodeport, mesh"
        ),
        "{err}"
    );
}

/// A Submariner cable driver being written: GRE, 24 bytes per packet and no crypto. It
/// answers to Submariner's id (a kind outside the crate has no name files could give),
/// and starts from Submariner's facts.
struct SubmarinerGre;

impl InterconnectKind for SubmarinerGre {
    fn id(&self) -> PathKind {
        PathKind::Submariner
    }

    fn facts(&self, paths: &PathsConfig) -> Interconnect {
        Interconnect {
            variant: "gre".into(),
            overhead_bytes: 24,
            pod_mtu_bytes: 1476,
            added_latency_us: 90.0,
            max_gbps: 9.9,
            cpu_per_gbit: 0.05,
            ..Interconnect::of(PathKind::Submariner, paths)
        }
    }

    fn path(&self, paths: &PathsConfig, headers: u32, across: Across<'_>) -> Option<PathModel> {
        Some(through_servers(&self.facts(paths), paths, headers, across))
    }

    fn cross_cluster_scheduling(&self) -> bool {
        false
    }
}

#[test]
fn a_kind_written_outside_the_crate_builds_its_path() {
    let t = two_sites();
    let route = t.cluster_route(ClusterId(0), ClusterId(1)).unwrap();
    let paths = PathsConfig::default();
    let (src, dst) = (ClusterId(0), ClusterId(1));
    let p = PathModel::through(&SubmarinerGre, &paths, Protocol::Tcp, src, dst, &route).unwrap();
    let names: Vec<&str> = p.hops.iter().map(|h| h.name).collect();
    assert_eq!(
        names,
        [
            "gateway-leg",
            "submariner-gateway",
            "inter-site-link",
            "submariner-gateway",
            "gateway-leg"
        ]
    );
    // A packet is (1476 + 24 + 38) x 8 = 12304 bits: 1243 ns at a 9.9 Gbit/s gateway,
    // which adds 90 / 2 = 45 µs; 1230 ns on the 10 Gbit/s link. A leg carries it in
    // Submariner's VXLAN, (1476 + 50 + 38) x 8 = 12512 bits: 1 µs of CNI + 1251 ns on the
    // node link, 2251 ns, the slowest hop. Ten packets: 2 x 2251 + 2 x 46243 + 1230 = 98218
    // for the first, 9 x 2251 = 20259 for the rest, 5 ms of propagation.
    assert_eq!(p.idle_delay_ns(10), 98_218 + 20_259 + 5_000_000);
    assert_eq!(p.kind, PathKind::Submariner);
}
