//! `--metrics-compression gzip`: the samples file written as `metrics.om.gz`, the bytes of
//! `metrics.om` gzipped the same way every time; `merge` reads either form and writes gzip
//! if any shard did. The damaged-input cases are in `malformed_shards.rs`.

use crate::common;
use common::{fresh_dir, xrplace_ok};
use std::io::Read;
use std::path::Path;

/// The text of a gzip file, every member.
pub fn gunzip(p: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(p).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// `run` of a short sweep-eu (12 jobs of 5 simulated minutes) with `--metrics`, in the form
/// `form`, into `out`, with `extra` arguments.
fn run(out: &Path, form: &str, extra: &[&str]) {
    let mut args = vec![
        "run",
        "experiments/sweep-eu.toml",
        "--set",
        "duration_s=300",
        "--set",
        "runs=1",
        "--set",
        r#"sessions.sweep.fault_models=["none","frankfurt-1h"]"#,
        "--set",
        "sessions.sweep.rate_per_s={from=0.1,to=0.2,step=0.1}",
        "--metrics",
        "openmetrics",
        "--metrics-start-unix-s",
        "1700000000",
        "--metrics-compression",
        form,
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    xrplace_ok(&args);
}

#[test]
fn gzip_samples_are_the_plain_ones_the_same_every_time() {
    let d = fresh_dir("forms");
    let (plain, gz, again) = (d.join("plain"), d.join("gz"), d.join("gz-again"));
    run(&plain, "none", &[]);
    run(&gz, "gzip", &[]);
    run(&again, "gzip", &[]);
    let om = std::fs::read(plain.join("metrics.om")).unwrap();
    let packed = std::fs::read(gz.join("metrics.om.gz")).unwrap();
    assert!(
        packed == std::fs::read(again.join("metrics.om.gz")).unwrap(),
        "two gzip runs differ"
    );
    assert!(
        gunzip(&gz.join("metrics.om.gz")) == om,
        "not the plain text"
    );
    // Every sample line repeats its run's labels: far more than ten to one.
    assert!(
        packed.len() * 10 < om.len(),
        "{} of {}",
        packed.len(),
        om.len()
    );
    assert!(!gz.join("metrics.om").exists(), "one form per run");
    assert_eq!(
        std::fs::read(gz.join("timeseries.csv")).unwrap(),
        std::fs::read(plain.join("timeseries.csv")).unwrap()
    );
    // A gzip run into the plain run's folder replaces its samples: one form is left.
    run(&plain, "gzip", &[]);
    assert!(!plain.join("metrics.om").exists());
    assert_eq!(std::fs::read(plain.join("metrics.om.gz")).unwrap(), packed);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn merge_reads_either_form_and_writes_gzip_if_any_shard_did() {
    let d = fresh_dir("merge");
    let (whole, s1, s2) = (d.join("whole"), d.join("s1"), d.join("s2"));
    run(&whole, "gzip", &[]);
    run(&s1, "gzip", &["--shard", "1/2"]);
    run(&s2, "none", &["--shard", "2/2"]);
    let path = |p: &Path| p.to_str().unwrap().to_string();
    let merged = d.join("merged");
    xrplace_ok(&["merge", &path(&s1), &path(&s2), "--out", &path(&merged)]);
    assert!(
        std::fs::read(merged.join("metrics.om.gz")).unwrap()
            == std::fs::read(whole.join("metrics.om.gz")).unwrap(),
        "the merge of a gzip and a plain shard is not the whole run's metrics.om.gz"
    );
    assert!(!merged.join("metrics.om").exists());
    assert_eq!(
        std::fs::read(merged.join("timeseries.csv")).unwrap(),
        std::fs::read(whole.join("timeseries.csv")).unwrap()
    );
    // Both shards plain: the merge is plain, the whole run's text.
    run(&s1, "none", &["--shard", "1/2"]);
    xrplace_ok(&["merge", &path(&s1), &path(&s2), "--out", &path(&merged)]);
    assert!(
        std::fs::read(merged.join("metrics.om")).unwrap() == gunzip(&whole.join("metrics.om.gz"))
    );
    assert!(
        !merged.join("metrics.om.gz").exists(),
        "the earlier form is gone"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn a_streaming_run_gzips_its_samples_too() {
    let d = fresh_dir("streaming");
    let run = |form: &str, out: &Path| {
        xrplace_ok(&[
            "run",
            "experiments/paper-streaming.toml",
            "--set",
            "runs=1",
            "--metrics",
            "openmetrics",
            "--metrics-compression",
            form,
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]);
    };
    let (plain, gz) = (d.join("plain"), d.join("gz"));
    run("none", &plain);
    run("gzip", &gz);
    let text = std::fs::read(plain.join("metrics.om")).unwrap();
    assert!(text.ends_with(b"# EOF\n"));
    assert!(gunzip(&gz.join("metrics.om.gz")) == text);
    assert!(!gz.join("metrics.om").exists());
    // And back: a plain run into the gzip run's folder leaves the plain form alone.
    run("none", &gz);
    assert!(!gz.join("metrics.om.gz").exists());
    let _ = std::fs::remove_dir_all(&d);
}
