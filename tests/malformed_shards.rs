//! `merge` reads a shard's tables back into typed rows: a cell that holds no value of its
//! column (NaN or infinity in a figure, a fraction in a count, text in a latency) is refused
//! with exit code 2 at its file, line and column, and nothing is written, instead of
//! becoming NaN or an empty cell of the merged results.

use crate::common;
use common::{fresh_dir, stderr, xrplace, xrplace_ok};
use std::path::Path;

/// One bad cell: the table, its data row (1 is the first after the header), its column,
/// the text put there and what the error says.
struct Case {
    table: &'static str,
    row: usize,
    column: &'static str,
    bad: &'static str,
    says: &'static str,
}

const CASES: [Case; 7] = [
    Case {
        table: "runs.csv",
        row: 2,
        column: "usage_cost_usd",
        bad: "NaN",
        says: "expected a finite number, found \"NaN\"",
    },
    Case {
        table: "runs.csv",
        row: 1,
        column: "slo_latency_ms",
        bad: "inf",
        says: "expected a finite number, found \"inf\"",
    },
    Case {
        table: "runs.csv",
        row: 1,
        column: "arrivals",
        bad: "2.5",
        says: "expected a whole number, found \"2.5\"",
    },
    Case {
        table: "runs.csv",
        row: 3,
        column: "rate_per_s",
        bad: "fast",
        says: "expected a number, found \"fast\"",
    },
    Case {
        table: "latency_quantiles.csv",
        row: 5,
        column: "latency_ms",
        bad: "abc",
        says: "expected a number, found \"abc\"",
    },
    Case {
        table: "latency_quantiles.csv",
        row: 1,
        column: "q",
        bad: "",
        says: "expected a number, found \"\"",
    },
    Case {
        table: "app_latency.csv",
        row: 1,
        column: "session_hours",
        bad: "-inf",
        says: "expected a finite number, found \"-inf\"",
    },
];

/// `text` with the cell of `column` in data row `row` replaced by `bad`.
fn with_cell(text: &str, row: usize, column: &str, bad: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let at = lines[0].split(',').position(|h| h == column).unwrap();
    let mut cells: Vec<&str> = lines[row].split(',').collect();
    cells[at] = bad;
    lines[row] = cells.join(",");
    lines.join("\n") + "\n"
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
fn a_bad_cell_of_a_shard_is_refused_at_its_line_and_column() {
    let dir = fresh_dir("malformed-shards");
    let shard = dir.join("shard");
    let path = |p: &Path| p.to_str().unwrap().to_string();
    xrplace_ok(&[
        "run",
        "experiments/sweep-eu.toml",
        "-q",
        "--set",
        "duration_s=30",
        "--set",
        "runs=1",
        "--shard",
        "1/1",
        "--out",
        &path(&shard),
    ]);
    // The intact shard merges to its own tables.
    let merged = dir.join("merged");
    xrplace_ok(&["merge", &path(&shard), "--out", &path(&merged)]);
    for f in [
        "runs.csv",
        "summary.csv",
        "latency_quantiles.csv",
        "app_latency.csv",
    ] {
        assert!(
            std::fs::read(shard.join(f)).unwrap() == std::fs::read(merged.join(f)).unwrap(),
            "{f} changed in the merge"
        );
    }
    for (i, c) in CASES.iter().enumerate() {
        let bad = dir.join(format!("bad-{i}"));
        copy_dir(&shard, &bad);
        let text = std::fs::read_to_string(bad.join(c.table)).unwrap();
        std::fs::write(bad.join(c.table), with_cell(&text, c.row, c.column, c.bad)).unwrap();
        let out = dir.join(format!("out-{i}"));
        let o = xrplace(&["merge", &path(&bad), "--out", &path(&out)]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{} {}: {e}", c.table, c.column);
        let place = format!(
            "{}:{}:1: field `{}`: {}",
            bad.join(c.table).display(),
            c.row + 1,
            c.column,
            c.says
        );
        assert!(e.contains(&place), "expected {place} in {e}");
        assert!(!out.exists(), "{} {}: wrote output", c.table, c.column);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
