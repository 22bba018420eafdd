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

/// A path under the system temporary directory, unique to this test process, the test
/// file that asks (its caller's, so two files' tags never meet in the one test binary) and
/// `tag`, with nothing left at it from an earlier run (not created).
#[track_caller]
pub fn fresh_dir(tag: &str) -> PathBuf {
    let file = std::panic::Location::caller().file();
    let stem = std::path::Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("test");
    let d = std::env::temp_dir().join(format!("xrplace-{stem}-{tag}-{}", std::process::id()));
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

/// The plan the export tests start from.
pub const SHIPPED_PLAN: &str = "experiments/plans/study-fra-gva.toml";

/// Exports [`SHIPPED_PLAN`] into a fresh folder `export-TAG` and asserts success.
#[track_caller]
pub fn export_shipped(tag: &str) -> PathBuf {
    export_fresh(
        tag,
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SHIPPED_PLAN),
    )
}

/// `xrplace check DIR`: exit code, and stdout followed by stderr.
pub fn lint_export(dir: &std::path::Path) -> (Option<i32>, String) {
    let o = xrplace(&["check", dir.to_str().unwrap()]);
    (
        o.status.code(),
        format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o)),
    )
}

/// Exports `plan` into a fresh folder `export-TAG` and asserts success.
#[track_caller]
pub fn export_fresh(tag: &str, plan: &std::path::Path) -> PathBuf {
    let out = fresh_dir(&format!("export-{tag}"));
    xrplace_ok(&[
        "export",
        plan.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    out
}

/// Asserts the output of `xrplace check DIR` shows no error and no warning but the ones a
/// template's export carries on purpose: placeholders still to replace (XR16) and SLO
/// alerts without a receiver (XR17).
#[track_caller]
pub fn assert_lint_passes(text: &str) {
    let findings: Vec<&str> = text.lines().filter(|l| l.contains(": XR")).collect();
    for f in &findings {
        assert!(
            f.contains(": warning: ")
                && (f.contains("XR16 placeholders") || f.contains("XR17 alert-receiver")),
            "not an intended warning: {f}\n{text}"
        );
    }
    let summary = if findings.is_empty() {
        "export lint: 0 findings"
    } else {
        "export lint: 0 errors"
    };
    assert!(text.contains(summary), "{text}");
}

/// Every row of the CSV file `path` as a map from column to cell.
pub fn csv_rows(path: &std::path::Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|x| {
            let x = x.unwrap();
            h.iter().cloned().zip(x.iter().map(String::from)).collect()
        })
        .collect()
}

/// The folder `.ci/run` names in `XRPLACE_SCHEMA_SETS` to collect exports in: `cargo test`
/// runs without `../shared`, so the real upstream schemas (the shared manifest validator)
/// are checked there, after the tests, on exactly what the tests exported.
pub const SCHEMA_SETS: &str = "XRPLACE_SCHEMA_SETS";

/// Copies the export folder `dir` into `$XRPLACE_SCHEMA_SETS/name` when `.ci/run` set it;
/// does nothing otherwise.
pub fn keep_for_schemas(dir: &std::path::Path, name: &str) {
    let Some(root) = std::env::var_os(SCHEMA_SETS) else {
        return;
    };
    copy_tree(dir, &std::path::Path::new(&root).join(name));
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

/// Every file under `dir`, recursively, sorted.
pub fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The `.toml` files of the corpus folder `rel` (relative to the crate), sorted, as
/// (relative path, text); asserts it holds at least `min` of them.
pub fn corpus(rel: &str, min: usize) -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= min, "{rel} has {} files", files.len());
    files
        .into_iter()
        .map(|f| {
            let name = f.file_name().unwrap().to_str().unwrap().to_string();
            (
                format!("{rel}/{name}"),
                std::fs::read_to_string(&f).unwrap(),
            )
        })
        .collect()
}

/// Asserts `err` locates the error of corpus file `rel`: the line of its `# <-- error`
/// marker and the field of its `# expect-field:` header, without a panic.
pub fn assert_located(rel: &str, text: &str, err: &str) {
    let line = text
        .lines()
        .position(|l| l.contains("# <-- error"))
        .expect("marker")
        + 1;
    let field = text
        .lines()
        .find_map(|l| l.strip_prefix("# expect-field: "))
        .expect("expect-field header");
    assert!(
        err.contains(&format!("{rel}:{line}:")),
        "{rel}: expected line {line} in {err}"
    );
    assert!(
        err.contains(&format!("field `{field}`")),
        "{rel}: expected field {field} in {err}"
    );
    assert!(!err.contains("panicked"), "{rel}: {err}");
}
