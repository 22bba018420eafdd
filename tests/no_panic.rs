//! No input makes xrplace panic: random edits of the shipped files are either accepted
//! or refused with a located error.

use proptest::prelude::*;
use std::path::{Path, PathBuf};
use xrplace::config::check_file;

fn shipped(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// Applies an edit: replace a token on a line with one of a few hostile values,
/// delete a line, or cut the file short.
fn mutate(text: &str, line: usize, op: u8, value: usize) -> String {
    const VALUES: [&str; 12] = [
        "-1",
        "0",
        "nan",
        "inf",
        "1e308",
        "\"\"",
        "[]",
        "{}",
        "\"x\"",
        "99999999999",
        "-0.0",
        "true",
    ];
    let lines: Vec<&str> = text.lines().collect();
    let n = line % lines.len().max(1);
    let mut out: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
    match op % 3 {
        0 => {
            if let Some((k, _)) = out[n].split_once('=') {
                out[n] = format!("{k}= {}", VALUES[value % VALUES.len()]);
            }
        }
        1 => {
            out.remove(n);
        }
        _ => out.truncate(n),
    }
    out.join("\n")
}

fn scratch() -> PathBuf {
    let d = std::env::temp_dir().join(format!("xrplace-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(d.join("experiments")).unwrap();
    std::fs::create_dir_all(d.join("topologies")).unwrap();
    for t in ["paper-local.toml", "fra-gva.toml"] {
        std::fs::write(
            d.join("topologies").join(t),
            shipped(&format!("topologies/{t}")),
        )
        .unwrap();
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn edited_files_never_panic(which in 0usize..5, line in 0usize..400, op in 0u8..3, value in 0usize..12) {
        let dir = scratch();
        let (rel, dest) = match which {
            0 => ("experiments/paper-streaming.toml", dir.join("experiments/e.toml")),
            1 => ("topologies/paper-local.toml", dir.join("topologies/t.toml")),
            2 => ("experiments/paper-capi.toml", dir.join("experiments/c.toml")),
            3 => ("experiments/liqo-peering.toml", dir.join("experiments/l.toml")),
            _ => ("topologies/eu-continuum.toml", dir.join("topologies/t.toml")),
        };
        std::fs::write(&dest, mutate(&shipped(rel), line, op, value)).unwrap();
        let outcome = std::panic::catch_unwind(|| check_file(&dest));
        prop_assert!(outcome.is_ok(), "panicked on {rel} edit line {line} op {op} value {value}");
        if let Ok(Err(e)) = outcome {
            prop_assert!(e.line > 0 || e.field == "(file)", "unlocated error: {e}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Edited plans are refused with a located error or exported; never a panic.
    #[test]
    fn edited_plans_never_panic(line in 0usize..120, op in 0u8..3, value in 0usize..12) {
        let dir = scratch();
        let dest = dir.join("experiments/p.toml");
        let text = mutate(&shipped("experiments/plans/study-fra-gva.toml"), line, op, value);
        std::fs::write(&dest, text).unwrap();
        let outcome = std::panic::catch_unwind(|| {
            xrplace::config::plan_file::load_plan(&dest).map(|p| {
                xrplace::export::manifests(&p, &xrplace::export::ExportOptions::default()).is_ok()
            })
        });
        prop_assert!(outcome.is_ok(), "panicked on plan edit line {line} op {op} value {value}");
        match outcome {
            Ok(Err(e)) => prop_assert!(e.line > 0 || e.field == "(file)", "unlocated error: {e}"),
            Ok(Ok(exported)) => prop_assert!(exported, "valid plan failed to export"),
            Err(_) => {}
        }
    }
}
