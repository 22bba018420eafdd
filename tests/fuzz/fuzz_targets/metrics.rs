//! Any bytes as a shard's monitoring samples (`runs.csv`, then after a NUL byte
//! `metrics.om`, then after another `timeseries.csv`), and as a kept job's samples
//! (`.xrplace-jobs/<job>.om`): merged, read back or refused, never a panic. A first byte
//! `z` writes the samples gzipped as `metrics.om.gz` (the text through the decompressing
//! reader), a first byte `g` writes the bytes themselves as `metrics.om.gz` (any gzip
//! stream, damaged ones included).
#![no_main]
use libfuzzer_sys::fuzz_target;
use xrplace::report::samples_file::Compression;

fuzz_target!(|data: &[u8]| {
    let _ = xrplace::report::session_metrics::from_cache(0, data);
    let (form, data) = match data.split_first() {
        Some((b'z', rest)) => (Some(Compression::Gzip), rest),
        // The bytes as they are (None.encode leaves them), under the gzip name.
        Some((b'g', rest)) => (Some(Compression::None), rest),
        _ => (None, data),
    };
    let dir = xrplace::fuzzing::scratch("metrics");
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (runs, rest) = data.split_at(split);
    let rest = rest.get(1..).unwrap_or(&[]);
    let split = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    let (om, series) = rest.split_at(split);
    let series = series.get(1..).unwrap_or(&[]);
    let shard = dir.join("shard");
    std::fs::create_dir_all(&shard).unwrap();
    std::fs::write(shard.join("runs.csv"), runs).unwrap();
    let _ = std::fs::remove_file(shard.join("metrics.om"));
    let _ = std::fs::remove_file(shard.join("metrics.om.gz"));
    match form {
        None => std::fs::write(shard.join("metrics.om"), om).unwrap(),
        Some(c) => std::fs::write(shard.join("metrics.om.gz"), c.encode(om).unwrap()).unwrap(),
    }
    std::fs::write(shard.join("timeseries.csv"), series).unwrap();
    let _ = xrplace::report::session_metrics::merge(&[shard], &dir.join("out"));
});
