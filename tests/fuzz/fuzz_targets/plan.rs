//! Any bytes as a plan file: an error, or a plan that is capacity-checked and exported in
//! memory (both OpenStack API versions), never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = xrplace::fuzzing::scratch("plan");
    let path = dir.join("p.toml");
    std::fs::write(&path, data).unwrap();
    if let Ok(p) = xrplace::config::plan_file::load_plan(&path) {
        let _ = xrplace::export::capacity::misfit(&p);
        for v2 in [false, true] {
            let opts = xrplace::export::ExportOptions {
                openstack_v1beta2: v2,
            };
            let _ = xrplace::export::manifests(&p, &opts);
        }
    }
});
