//! Any bytes as Topology Zoo GraphML, then imported: an error or a topology, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = std::path::Path::new("fuzz.graphml");
    if let Ok(g) = xrplace::config::graphml::parse_zoo(path, text) {
        let opts = xrplace::experiment::zoo_import::ImportOptions::default();
        let _ = xrplace::experiment::zoo_import::import_zoo(&g, &opts);
    }
});
