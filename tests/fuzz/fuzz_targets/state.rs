//! Any bytes as a shard's `shard.toml`, then after a NUL byte as a `meta.toml` replayed by
//! `run --from-meta`: read, restored or refused, never a panic, and nothing restored
//! outside the scratch folder.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = xrplace::fuzzing::scratch("state");
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (shard, meta) = data.split_at(split);
    let meta = meta.get(1..).unwrap_or(&[]);
    let shard_dir = dir.join("shard");
    std::fs::create_dir_all(&shard_dir).unwrap();
    std::fs::write(shard_dir.join(xrplace::report::shard::FILE), shard).unwrap();
    let _ = xrplace::report::shard::read(&shard_dir);
    let meta_path = dir.join("meta.toml");
    std::fs::write(&meta_path, meta).unwrap();
    let scratch = dir.join("restored");
    let _ = std::fs::remove_dir_all(&scratch);
    if let Ok(r) = xrplace::experiment::meta::restore(&meta_path, &scratch) {
        assert!(r.experiment.starts_with(&scratch), "restored outside the scratch folder");
    }
});
