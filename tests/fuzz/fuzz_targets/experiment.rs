//! Any bytes as an experiment file (streaming, provisioning or sessions), beside a valid
//! topology `t.toml` and trace `t.csv` it may reference: an error or an experiment whose
//! budget is estimated, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = xrplace::fuzzing::scratch("experiment");
    let path = dir.join("e.toml");
    std::fs::write(&path, data).unwrap();
    if let Ok(e) = xrplace::config::load_experiment(&path) {
        let w = xrplace::experiment::budget::estimate(&e, 0, 2);
        let _ = xrplace::experiment::budget::check(&e, &w, &Default::default());
    }
});
