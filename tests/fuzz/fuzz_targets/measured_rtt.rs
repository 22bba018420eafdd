//! Any bytes as a measured RTT CSV of eu-continuum's sites: an error, or pairs that fold
//! into the topology's links and give routes and the distance model's error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use xrplace::config::measured_rtt::{apply_measured_rtts, load_measured_rtts};
use xrplace::config::{load_topology, TopologyConfig};
use xrplace::model::{SiteId, Topology};

fuzz_target!(|data: &[u8]| {
    static BASE: OnceLock<TopologyConfig> = OnceLock::new();
    let dir = xrplace::fuzzing::scratch("measured_rtt");
    let base = BASE.get_or_init(|| load_topology(&dir.join("t.toml")).expect("eu-continuum"));
    let path = dir.join("m.csv");
    std::fs::write(&path, data).unwrap();
    let sites = xrplace::config::check::index_by_name(&base.sites, |s| &s.name);
    let Ok(rows) = load_measured_rtts(&path, &sites) else {
        return;
    };
    let mut t = base.clone();
    apply_measured_rtts(&mut t, &rows);
    let topo = Topology::from_config(&t);
    let _ = topo.rtt_from(SiteId(0));
    let _ = topo.route(SiteId(0), SiteId(1));
    let _ = xrplace::model::rtt_error::distance_model_error(&topo, &rows);
});
