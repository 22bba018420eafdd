//! Any bytes as Kubernetes objects of a live estate: up to a NUL byte as a YAML file
//! (`objects.yaml`), after it as a JSON file (`objects.json`), read as `import k8s` reads
//! a folder and summed up; each line of the YAML part also as a quantity. Objects or a
//! located error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use xrplace::config::k8s::{read_estate, Quantity};

fuzz_target!(|data: &[u8]| {
    let dir = xrplace::fuzzing::scratch("k8s").join("estate");
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (yaml, json) = data.split_at(split);
    let json = json.get(1..).unwrap_or(&[]);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("objects.yaml"), yaml).unwrap();
    std::fs::write(dir.join("objects.json"), json).unwrap();
    if let Ok(estate) = read_estate(std::slice::from_ref(&dir)) {
        let _ = estate.summary().to_string();
    }
    for line in String::from_utf8_lossy(yaml).lines().take(64) {
        if let Ok(q) = Quantity::parse(line.trim()) {
            let _ = (q.millis(), q.units());
        }
    }
});
