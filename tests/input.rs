//! Bad, absurd and hostile input never hurts (issue 11): every file of
//! `tests/malformed-input/` is refused with exit code 2 and a message naming the file and
//! either the line of its `# <-- error` marker and its field (`# expect-field:`), or the
//! words "whole file" with what it expects (`# expect-whole-file:`), or the line and field
//! in a file it names (`# expect-in: FILE:LINE FIELD`, for measured RTT CSVs); with the
//! words of `# expect-message:` if given; the command it is given to (`# command:`, default
//! `check`) leaves no output behind. Files the corpus cannot hold (invalid UTF-8, oversize,
//! special files) are made here.

use crate::common;

use common::{assert_located, corpus, fresh_dir, stderr, xrplace, xrplace_ok};
use std::path::{Path, PathBuf};

fn header<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|l| l.strip_prefix(key))
}

/// Runs `command` on `rel` with a fresh output folder; returns exit code, stderr, and
/// whether the output folder exists afterwards.
fn refuse(command: &str, rel: &str, tag: &str) -> (Option<i32>, String, bool) {
    let out = fresh_dir(&format!("input-{tag}"));
    let o = match command {
        "check" => xrplace(&["check", rel]),
        _ => xrplace(&[command, rel, "--out", out.to_str().unwrap()]),
    };
    let left = out.exists();
    let _ = std::fs::remove_dir_all(&out);
    (o.status.code(), stderr(&o), left)
}

#[test]
fn malformed_input_corpus_is_refused_located_and_leaves_nothing() {
    for (rel, text) in corpus("tests/malformed-input", 40) {
        let name = rel.rsplit('/').next().unwrap().to_string();
        let command = header(&text, "# command: ").unwrap_or("check");
        let (code, err, left) = refuse(command, &rel, &name);
        assert_eq!(code, Some(2), "{rel}: {err}");
        assert!(!err.contains("panicked"), "{rel}: {err}");
        assert!(!left, "{rel}: left output behind");
        if let Some(what) = header(&text, "# expect-message: ") {
            assert!(err.contains(what), "{rel}: expected {what:?} in {err}");
        }
        match (
            header(&text, "# expect-whole-file: "),
            header(&text, "# expect-in: "),
        ) {
            (Some(what), _) => {
                assert!(err.contains(&format!("{rel}: whole file:")), "{rel}: {err}");
                assert!(err.contains(what), "{rel}: expected {what:?} in {err}");
            }
            // An error in a file the topology names (a measured RTT CSV): `FILE:LINE FIELD`,
            // the file beside this one.
            (None, Some(at)) => {
                let (place, field) = at.split_once(' ').expect("FILE:LINE FIELD");
                let place = format!("tests/malformed-input/{place}:");
                assert!(err.contains(&place), "{rel}: expected {place} in {err}");
                assert!(
                    err.contains(&format!("field `{field}`")),
                    "{rel}: expected field {field} in {err}"
                );
            }
            (None, None) => assert_located(&rel, &text, &err),
        }
    }
}

/// A copy of a shipped experiment in a scratch folder beside a copy of its topology.
fn scratch_experiment(tag: &str, bytes: &[u8]) -> PathBuf {
    let dir = fresh_dir(&format!("input-files-{tag}"));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("e.toml");
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn unreadable_files_are_whole_file_errors_or_located() {
    // Invalid UTF-8 on line 3: its line and column, and the byte offset.
    let p = scratch_experiment(
        "utf8",
        b"name = \"x\"\nruns = 1\nduration_s = \"\xC3\x28\"\n",
    );
    let o = xrplace(&["check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("e.toml:3:15:") && err.contains("invalid UTF-8 at byte 34"),
        "{err}"
    );
    // Oversize: refused before reading, with the limit.
    let big = scratch_experiment("big", &[]);
    std::fs::File::create(&big)
        .unwrap()
        .set_len(65 << 20)
        .unwrap();
    let o = xrplace(&["check", big.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("whole file:") && stderr(&o).contains("limited to"),
        "{}",
        stderr(&o)
    );
    // Special files and folders given as experiments.
    for special in ["/dev/zero", "/dev/null"] {
        let o = xrplace(&["run", special]);
        assert_eq!(o.status.code(), Some(2), "{special}");
        assert!(
            stderr(&o).contains("regular file"),
            "{special}: {}",
            stderr(&o)
        );
    }
    let o = xrplace(&["run", "experiments"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("regular file"), "{}", stderr(&o));
    for d in [p, big] {
        let _ = std::fs::remove_dir_all(d.parent().unwrap());
    }
}

#[test]
fn unreadable_measured_rtt_csvs_are_refused_with_the_place_that_names_them() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sample =
        std::fs::read_to_string(root.join("tests/malformed-input/m01-rtt-unknown-site.toml"))
            .unwrap();
    let dir = fresh_dir("input-rtt-files");
    std::fs::create_dir_all(&dir).unwrap();
    let check = |csv: &str, bytes: Option<&[u8]>| -> String {
        let topo = dir.join("t.toml");
        std::fs::write(&topo, sample.replace("m01-rtt-unknown-site.csv", csv)).unwrap();
        if let Some(b) = bytes {
            std::fs::write(dir.join(csv), b).unwrap();
        }
        let o = xrplace(&["check", topo.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{csv}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
        stderr(&o)
    };
    // Invalid UTF-8 in the CSV: its own line and column.
    let err = check(
        "utf8.csv",
        Some(b"site_a,site_b,rtt_ms,rtt_sd_ms\ngen\xE8ve,lisbon,30,1\n"),
    );
    assert!(
        err.contains("utf8.csv:2:4:") && err.contains("invalid UTF-8"),
        "{err}"
    );
    // Oversize, a folder and a device: refused before reading, at the topology's field.
    let big = dir.join("big.csv");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(65 << 20)
        .unwrap();
    let err = check("big.csv", None);
    assert!(
        err.contains("t.toml:7:") && err.contains("field `routing.measured_rtt_csv`"),
        "{err}"
    );
    assert!(
        err.contains("big.csv: the measured RTT CSV is 68157440 bytes")
            && err.contains("limited to"),
        "{err}"
    );
    std::fs::create_dir_all(dir.join("folder.csv")).unwrap();
    assert!(check("folder.csv", None).contains("expected a regular file"));
    assert!(check("/dev/zero", None).contains("expected a regular file"));
    let fifo = dir.join("fifo.csv");
    if std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        assert!(check("fifo.csv", None).contains("expected a regular file"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_byte_order_mark_is_accepted_in_every_input_kind() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = fresh_dir("input-bom");
    std::fs::create_dir_all(dir.join("traces")).unwrap();
    std::fs::create_dir_all(dir.join("topologies")).unwrap();
    std::fs::create_dir_all(dir.join("experiments")).unwrap();
    let bom = |rel: &str, to: &str| {
        let mut b = b"\xEF\xBB\xBF".to_vec();
        b.extend(std::fs::read(root.join(rel)).unwrap());
        std::fs::write(dir.join(to), b).unwrap();
    };
    bom("traces/eu-evening.csv", "traces/eu-evening.csv");
    bom(
        "topologies/eu-continuum.toml",
        "topologies/eu-continuum.toml",
    );
    bom("experiments/trace-eu-evening.toml", "experiments/t.toml");
    bom("experiments/plans/study-fra-gva.toml", "experiments/p.toml");
    for f in [
        "experiments/t.toml",
        "experiments/p.toml",
        "topologies/eu-continuum.toml",
    ] {
        let o = xrplace(&["check", dir.join(f).to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{f}: {}", stderr(&o));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn absurd_thread_counts_are_capped_with_a_warning() {
    let out = fresh_dir("input-threads");
    let o = xrplace(&[
        "run",
        "experiments/paper-capi.toml",
        "--threads",
        "100000",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: --threads 100000"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn budgets_can_be_raised_and_check_reports_the_work() {
    let o = xrplace(&["check", "experiments/strategies-eu.toml"]);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(out.contains("24 jobs") && out.contains("sessions"), "{out}");
    let rel = "tests/malformed-input/w01-sweep-of-millions-of-jobs.toml";
    let o = xrplace(&["check", rel]);
    assert!(stderr(&o).contains("--max-jobs"), "{}", stderr(&o));
    let o = xrplace(&[
        "check",
        rel,
        "--max-jobs",
        "100000000",
        "--max-sessions",
        "10000000000000",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn a_failed_write_leaves_the_previous_output_untouched() {
    let out = fresh_dir("input-unwritable");
    let run = |dir: &Path| {
        xrplace(&[
            "run",
            "experiments/paper-capi.toml",
            "--quiet",
            "--out",
            dir.to_str().unwrap(),
        ])
    };
    assert!(run(&out).status.success());
    let before = std::fs::read(out.join("runs.csv")).unwrap();
    // summary.csv replaced by a folder: the run fails and runs.csv is the old one.
    std::fs::remove_file(out.join("summary.csv")).unwrap();
    std::fs::create_dir(out.join("summary.csv")).unwrap();
    std::fs::write(out.join("runs.csv"), b"old").unwrap();
    let o = run(&out);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot write results"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(out.join("runs.csv")).unwrap(), b"old");
    let staging = std::fs::read_dir(&out)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".xrplace")
        })
        .count();
    assert_eq!(staging, 0);
    // An output folder under a regular file: refused, nothing written.
    let under_file = out.join("runs.csv").join("x");
    let o = run(&under_file);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read(out.join("runs.csv")).unwrap(), b"old");
    assert!(!before.is_empty());
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn check_reads_a_trace_on_its_own() {
    let o = xrplace(&["check", "traces/eu-evening.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("traces/eu-evening.csv"),
    )
    .unwrap();
    let rows = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .count()
        - 1;
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        out.contains(&format!("valid Trace ({rows} arrivals")),
        "{out}"
    );
    let dir = fresh_dir("input-trace-check");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "time_s,access_site,application,duration_s\n5,a,b,10\n3,a,b,1\n",
    )
    .unwrap();
    let o = xrplace(&["check", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("bad.csv:3:") && err.contains("time_s") && err.contains("in order"),
        "{err}"
    );
}

#[test]
fn the_frame_budget_counts_frames_within_the_run_not_the_sessions_whole_length() {
    // A minute of frame fidelity with sessions that would last eleven days: each shows at
    // most a minute of frames, so the run is well inside the budget (it was counted as
    // 1e6 s of frames per session and refused).
    use xrplace::config::experiment::Fidelity;
    use xrplace::experiment::budget::{self, Budget};
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/strategies-eu.toml");
    let mut e = xrplace::config::load_experiment(&path).unwrap();
    e.config.fidelity = Some(Fidelity::Frame);
    e.config.duration_s = 60.0;
    e.config.runs = 1;
    let s = e.config.sessions.as_mut().unwrap();
    for a in &mut s.applications {
        a.mean_duration_s = 1e6;
    }
    let fps = s
        .applications
        .iter()
        .map(|a| a.frame_rate_fps)
        .fold(0.0, f64::max);
    let w = budget::estimate(&e, 0, 1);
    assert!(
        w.frame_events <= 2.0 * w.sessions * 60.0 * fps,
        "{} frame events for {} sessions",
        w.frame_events,
        w.sessions
    );
    budget::check(&e, &w, &Budget::default()).unwrap();
}

#[test]
fn set_errors_are_located_at_the_flag_or_the_files_own_line() {
    // A value given by --set is named at the flag, not at a line of the rewritten text.
    let out = fresh_dir("input-set-out");
    let o = xrplace(&[
        "run",
        "experiments/strategies-eu.toml",
        "--set",
        "sessions.load.rate_per_s=-1",
        "--out",
        out.to_str().unwrap(),
    ]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(
        e.contains("--set sessions.load.rate_per_s=-1: field `sessions.load.rate_per_s`"),
        "{e}"
    );
    assert!(!out.exists());
    // An error in the file below a key --set adds: the line in the file itself.
    let dir = fresh_dir("input-set-lines");
    std::fs::create_dir_all(dir.join("topologies")).unwrap();
    std::fs::create_dir_all(dir.join("e")).unwrap();
    std::fs::copy(
        "topologies/eu-continuum.toml",
        dir.join("topologies/eu-continuum.toml"),
    )
    .unwrap();
    let text = std::fs::read_to_string("experiments/strategies-eu.toml").unwrap();
    let line = text
        .lines()
        .position(|l| l == "ms_per_frame = 4.0")
        .unwrap()
        + 1;
    let p = dir.join("e/e.toml");
    std::fs::write(
        &p,
        text.replacen("ms_per_frame = 4.0", "ms_per_frame = -4.0", 1),
    )
    .unwrap();
    let o = xrplace(&[
        "run",
        p.to_str().unwrap(),
        "--set",
        "sessions.capacity=\"allocatable\"",
        "--out",
        out.to_str().unwrap(),
    ]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains(&format!("e.toml:{line}:")), "line {line} in {e}");
    assert!(e.contains("ms_per_frame"), "{e}");
    assert!(!out.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn from_meta_errors_name_the_meta_toml_and_the_recorded_input() {
    // A meta.toml whose recorded topology is broken (its checksum recomputed, as a tool
    // that edits it carefully would): the error names meta.toml, the input and its line,
    // not the scratch copy that is gone, and the scratch folder is removed.
    let dir = fresh_dir("input-from-meta");
    let first = dir.join("first");
    xrplace_ok(&[
        "run",
        "experiments/strategies-eu.toml",
        "--quiet",
        "--set",
        "duration_s=30",
        "--set",
        "runs=1",
        "--out",
        first.to_str().unwrap(),
    ]);
    let meta_path = first.join("meta.toml");
    let mut meta: toml::Table =
        toml::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    let inputs = meta["inputs"].as_array_mut().unwrap();
    let topo = inputs
        .iter_mut()
        .find(|x| x["path"].as_str().unwrap().ends_with("eu-continuum.toml"))
        .unwrap()
        .as_table_mut()
        .unwrap();
    let broken =
        topo["text"]
            .as_str()
            .unwrap()
            .replacen("bandwidth_gbps = ", "bandwidth_gbps = -", 1);
    topo.insert(
        "sha256".into(),
        xrplace::experiment::meta::sha256_hex(broken.as_bytes()).into(),
    );
    topo.insert("text".into(), broken.into());
    std::fs::write(&meta_path, toml::to_string(&meta).unwrap()).unwrap();
    let again = dir.join("again");
    let o = xrplace(&[
        "run",
        "--from-meta",
        meta_path.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains(&format!("{}:", meta_path.display())), "{e}");
    assert!(e.contains("eu-continuum.toml), as recorded: line "), "{e}");
    assert!(e.contains("bandwidth_gbps"), "{e}");
    assert!(
        !e.contains("xrplace-from-meta-"),
        "names the scratch copy: {e}"
    );
    assert!(!again.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}
