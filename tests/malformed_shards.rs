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

/// A shard's samples file in a state no run leaves it: its `metrics.om.gz` bytes, a
/// `metrics.om` beside it, and what the error says.
struct SamplesCase<'a> {
    name: &'static str,
    gz: Vec<u8>,
    plain: Option<&'a [u8]>,
    says: &'static str,
}

/// A shard's samples file that cannot be read as written: `merge` refuses it with exit 2,
/// naming the file (and, for a bad sample, its line in the decompressed text), and writes
/// nothing.
#[test]
fn a_damaged_or_doubled_samples_file_of_a_shard_is_refused() {
    let dir = fresh_dir("malformed-samples");
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
        "--metrics",
        "openmetrics",
        "--metrics-compression",
        "gzip",
        "--out",
        &path(&shard),
    ]);
    let packed = std::fs::read(shard.join("metrics.om.gz")).unwrap();
    let text = crate::metrics_gzip::gunzip(&shard.join("metrics.om.gz"));
    let text = String::from_utf8(text).unwrap();
    // Line 3 is the first sample (after # TYPE and # HELP); its value made negative.
    let mut lines: Vec<&str> = text.lines().collect();
    let bad_sample = lines[2].replacen("} 0 ", "} -1 ", 1);
    assert_ne!(bad_sample, lines[2], "the first sample is 0: {}", lines[2]);
    lines[2] = &bad_sample;
    let gz = |t: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut e, t).unwrap();
        e.finish().unwrap()
    };
    let cases = [
        SamplesCase {
            name: "cut",
            gz: packed[..packed.len() / 2].to_vec(),
            plain: None,
            says: "cannot read: incomplete deflate stream",
        },
        SamplesCase {
            name: "not-gzip",
            gz: text.as_bytes().to_vec(),
            plain: None,
            says: "metrics.om.gz:1:1: field `(line)`: cannot read: invalid gzip header",
        },
        SamplesCase {
            name: "bad-sample",
            gz: gz((lines.join("\n") + "\n").as_bytes()),
            plain: None,
            says: "metrics.om.gz:3:1: field `(line)`: expected a sample value, a finite number >= 0, found Some(\"-1\")",
        },
        SamplesCase {
            name: "both-forms",
            gz: packed.clone(),
            plain: Some(text.as_bytes()),
            says: "metrics.om.gz is there too",
        },
    ];
    for c in cases {
        let bad = dir.join(c.name);
        copy_dir(&shard, &bad);
        std::fs::write(bad.join("metrics.om.gz"), &c.gz).unwrap();
        if let Some(p) = c.plain {
            std::fs::write(bad.join("metrics.om"), p).unwrap();
        }
        let out = dir.join(format!("out-{}", c.name));
        let o = xrplace(&["merge", &path(&bad), "--out", &path(&out)]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{}: {e}", c.name);
        assert!(e.contains(c.says), "{}: expected {} in {e}", c.name, c.says);
        assert!(!out.exists(), "{}: wrote output", c.name);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A gzip bomb: a 16 MB file of gzip members that decompresses past the 16 GiB limit on
/// a shard's samples (docs/input.md). Refused with exit 2 once that many bytes are read,
/// not read to its end.
#[test]
fn a_gzip_bomb_is_refused_at_the_size_limit() {
    let dir = fresh_dir("gzip-bomb");
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
        "--metrics",
        "openmetrics",
        "--out",
        &path(&shard),
    ]);
    std::fs::remove_file(shard.join("metrics.om")).unwrap();
    // Comment lines (which merge skips) of just under 1 MiB, 64 MiB a member; 257 members
    // are 16 GiB + 64 MiB, one member past the limit of 16 GiB.
    let line = format!("# {}\n", "x".repeat((1 << 20) - 3));
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    for _ in 0..64 {
        std::io::Write::write_all(&mut e, line.as_bytes()).unwrap();
    }
    let member = e.finish().unwrap();
    let mut f = std::fs::File::create(shard.join("metrics.om.gz")).unwrap();
    for _ in 0..257 {
        std::io::Write::write_all(&mut f, &member).unwrap();
    }
    drop(f);
    let out = dir.join("out");
    let o = xrplace(&["merge", &path(&shard), "--out", &path(&out)]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    // 16 GiB of lines of 1 MiB: the limit is passed in line 16,385.
    assert!(
        e.contains("metrics.om.gz:16385:1:") && e.contains("more than 17179869184 bytes"),
        "{e}"
    );
    assert!(!out.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
