//! Helpers shared by the end-to-end tests.
#![allow(dead_code)] // each test file uses a subset

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the `xrplace` binary from the crate root.
pub fn xrplace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xrplace"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("binary runs")
}

/// Runs the binary and asserts it succeeded (its stderr is the failure message).
pub fn xrplace_ok(args: &[&str]) -> Output {
    let out = xrplace(args);
    assert!(out.status.success(), "xrplace {args:?}: {}", stderr(&out));
    out
}

/// A path under the system temporary directory, unique to this test binary and `tag`,
/// with nothing left at it from an earlier run (not created).
pub fn fresh_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("xrplace-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// The binary's standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Column `name` of every row of a CSV, keyed by its first column; an empty or
/// non-numeric cell reads as NaN, which fails any comparison a test makes with it.
pub fn column(csv_text: &str, name: &str) -> Vec<(String, f64)> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let i = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    r.records()
        .map(|x| x.unwrap())
        .map(|x| (x[0].to_string(), x[i].parse().unwrap_or(f64::NAN)))
        .collect()
}
