//! Any bytes as a topology file: an error or a topology, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = xrplace::fuzzing::scratch("topology");
    let path = dir.join("t.toml");
    std::fs::write(&path, data).unwrap();
    if let Ok(t) = xrplace::config::load_topology(&path) {
        let _ = xrplace::model::Topology::from_config(&t);
    }
});
