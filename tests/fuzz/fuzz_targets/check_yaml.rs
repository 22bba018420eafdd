//! Any bytes as a manifest of an export folder (`m.yaml`), then after a NUL byte as its
//! `apply.sh`, linted as `xrplace check DIR` does: findings or a refusal, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = xrplace::fuzzing::scratch("check_yaml").join("export");
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (yaml, script) = data.split_at(split);
    let script = script.get(1..).unwrap_or(&[]);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(xrplace::export::folder::MARKER),
        "xrplace_version = \"0\"\nexperiment = \"e\"\nfiles = [\"apply.sh\", \"m.yaml\"]\n",
    )
    .unwrap();
    std::fs::write(dir.join("m.yaml"), yaml).unwrap();
    std::fs::write(dir.join("apply.sh"), script).unwrap();
    let _ = xrplace::export::lint::lint(&dir);
});
