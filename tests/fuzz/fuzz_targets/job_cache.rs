//! Any bytes as a kept job's file (`.xrplace-jobs/0.csv`) read back by `--resume`: its
//! rows, or a refusal naming the file, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = xrplace::fuzzing::scratch("job_cache");
    let out = dir.join("out");
    let Ok(cache) = xrplace::experiment::job_cache::JobCache::open(&out, "jobs_in_run = 4\n", 4, vec!["cloud-vr".into()]) else {
        return;
    };
    std::fs::write(out.join(xrplace::experiment::job_cache::DIR).join("0.csv"), data).unwrap();
    let _ = cache.finished(|_| true);
});
