//! Any bytes as a session trace: an error or arrivals, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

fuzz_target!(|data: &[u8]| {
    let dir = xrplace::fuzzing::scratch("trace");
    let path = dir.join("t.csv");
    std::fs::write(&path, data).unwrap();
    let sites: HashMap<&str, u32> = [("berlin", 0), ("paris", 1)].into_iter().collect();
    let apps: HashMap<&str, u32> = [("cloud-vr", 0)].into_iter().collect();
    let _ = xrplace::config::trace::load_trace(&path, &sites, &apps);
});
