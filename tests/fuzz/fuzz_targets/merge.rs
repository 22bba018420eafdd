//! Any bytes as a shard's tables (`runs.csv`, then after a NUL byte
//! `latency_quantiles.csv`, then after another `app_latency.csv`): merged or refused,
//! never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = xrplace::fuzzing::scratch("merge");
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (runs, rest) = data.split_at(split);
    let rest = rest.get(1..).unwrap_or(&[]);
    let split = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    let (quantiles, apps) = rest.split_at(split);
    let apps = apps.get(1..).unwrap_or(&[]);
    let shard = dir.join("shard");
    std::fs::create_dir_all(&shard).unwrap();
    std::fs::write(shard.join("runs.csv"), runs).unwrap();
    std::fs::write(shard.join("latency_quantiles.csv"), quantiles).unwrap();
    std::fs::write(shard.join("app_latency.csv"), apps).unwrap();
    let _ = xrplace::report::session_merge::merge_shards(
        &[shard.join("runs.csv")],
        &dir.join("out"),
        &[],
        &[],
    );
});
