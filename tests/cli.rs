//! End-to-end tests of the `xrplace` binary on the shipped files and the malformed corpus.

use crate::common;

use common::{assert_located, column, corpus, fresh_dir, stderr, xrplace, xrplace_ok};
use std::path::PathBuf;

fn temp_dir(tag: &str) -> PathBuf {
    let d = fresh_dir(tag);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Every malformed file is refused with exit code 2, naming the file, the line carrying
/// the `# <-- error` marker and the field named by its `# expect-field:` header.
#[test]
fn malformed_corpus_is_refused_with_located_errors() {
    for (rel, text) in corpus("tests/malformed", 20) {
        let out = xrplace(&["check", &rel]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{rel}: {err}");
        assert_located(&rel, &text, &err);
    }
}

#[test]
fn shipped_files_are_valid() {
    let mut args = vec!["check"];
    let names = [
        "topologies/paper-local.toml",
        "topologies/fra-gva.toml",
        "topologies/eu-continuum.toml",
        "experiments/paper-streaming.toml",
        "experiments/paper-capi.toml",
        "experiments/liqo-peering.toml",
        "experiments/strategies-eu.toml",
        "experiments/trace-eu-evening.toml",
        "experiments/sweep-eu.toml",
        "experiments/scale-1k.toml",
        "experiments/control-eu.toml",
        "experiments/capacity-eu.toml",
        "experiments/fidelity-eu.toml",
        "experiments/gpu-rendering.toml",
        "experiments/interconnects.toml",
        "experiments/plans/study-fra-gva.toml",
        "topologies/generated-1k.toml",
    ];
    args.extend(names);
    let out = xrplace(&args);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["run", "--help"],
        vec!["check", "--help"],
        vec!["plan", "--help"],
        vec!["export", "--help"],
        vec!["topology", "--help"],
        vec!["topology", "generate", "--help"],
    ] {
        let out = xrplace(&args);
        assert!(out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{args:?}"
        );
    }
    // Every command that does something shows how, with an example.
    for args in [
        vec!["run"],
        vec!["plan"],
        vec!["export"],
        vec!["merge"],
        vec!["sweep"],
        vec!["sweep", "slurm"],
        vec!["sweep", "k8s"],
        vec!["check"],
        vec!["init"],
        vec!["schema"],
        vec!["completions"],
        vec!["topology", "generate"],
        vec!["topology", "import"],
    ] {
        let mut with_help = args.clone();
        with_help.push("--help");
        let out = xrplace_ok(&with_help);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Example"),
            "{args:?} --help has no example:\n{text}"
        );
    }
}

#[test]
fn generated_topology_checks_and_is_reproducible() {
    let dir = temp_dir("gen");
    let a = dir.join("a.toml");
    let b = dir.join("b.toml");
    for p in [&a, &b] {
        let out = xrplace(&[
            "topology",
            "generate",
            "--sites",
            "300",
            "--seed",
            "9",
            "--out",
            p.to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let text = std::fs::read_to_string(&a).unwrap();
    assert_eq!(text.matches("[[sites]]").count(), 300);
    assert!(xrplace(&["check", a.to_str().unwrap()]).status.success());
}

#[test]
fn a_refused_run_writes_nothing() {
    let dir = temp_dir("refused");
    let out_dir = dir.join("out");
    let out = xrplace(&[
        "run",
        "tests/malformed/e07-zero-runs.toml",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!out_dir.exists());
    // An output directory that cannot be created is a runtime failure (1), not a panic.
    let blocker = dir.join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let out = xrplace(&[
        "run",
        "experiments/paper-streaming.toml",
        "--quiet",
        "--out",
        blocker.join("sub").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

/// The study's figures, reproduced by running the shipped experiment (design.md table):
/// p50 within 3 %, ordering, p90 in 0.9-1.2 s, CPU p50 within 3 points, memory 60-72 %.
/// Also checks that the output does not depend on the thread count.
#[test]
fn paper_streaming_reproduces_the_study_identically_on_1_and_2_threads() {
    let dir = temp_dir("paper");
    let (one, two) = (dir.join("t1"), dir.join("t2"));
    for (threads, out_dir) in [("1", &one), ("2", &two)] {
        xrplace_ok(&[
            "run",
            "experiments/paper-streaming.toml",
            "--quiet",
            "--threads",
            threads,
            "--out",
            out_dir.to_str().unwrap(),
        ]);
    }
    for file in ["runs.csv", "summary.csv", "timeseries.csv"] {
        let a = std::fs::read(one.join(file)).unwrap();
        let b = std::fs::read(two.join(file)).unwrap();
        assert!(a == b, "{file} differs between --threads 1 and --threads 2");
    }
    let summary = std::fs::read_to_string(one.join("summary.csv")).unwrap();
    let runs = std::fs::read_to_string(one.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 1 + 5 * 5, "5 scenarios x 5 runs");
    // 1800 s / 15 s = 120 scrapes per run; sce1 uses one cluster, the others two.
    let series = std::fs::read_to_string(one.join("timeseries.csv")).unwrap();
    assert_eq!(series.lines().count(), 1 + 120 * 5 * (1 + 2 * 4));

    let p50 = column(&summary, "latency_p50_ms");
    let names: Vec<&str> = p50.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(names, ["sce1", "sce2", "sce3", "sce4", "sce5"]);
    let study_p50 = [762.0, 794.0, 811.0, 801.0, 824.0];
    for ((name, got), want) in p50.iter().zip(study_p50) {
        assert!(
            (got - want).abs() <= 0.03 * want,
            "{name}: p50 {got} ms vs study {want} ms"
        );
    }
    let v: Vec<f64> = p50.iter().map(|(_, x)| *x).collect();
    assert!(
        v[1..].iter().all(|x| *x > v[0]),
        "sce1 must be lowest: {v:?}"
    );
    assert!(
        v[2] > v[1] && v[4] > v[3],
        "NodePort above Liqo at both distances: {v:?}"
    );

    for (name, p90) in column(&summary, "latency_p90_ms") {
        assert!((900.0..=1200.0).contains(&p90), "{name}: p90 {p90} ms");
    }
    let study_cpu = [43.2, 31.5, 29.4, 33.5, 31.0];
    for ((name, got), want) in column(&summary, "cpu_p50_pct").iter().zip(study_cpu) {
        assert!(
            (got - want).abs() <= 3.0,
            "{name}: CPU p50 {got} % vs study {want} %"
        );
    }
    for (name, mem) in column(&summary, "mem_p50_pct") {
        assert!((60.0..=72.0).contains(&mem), "{name}: memory p50 {mem} %");
    }
    for (name, std) in column(&summary, "latency_std_ms") {
        assert!(std > 0.0, "{name}: latency must vary");
    }
}

#[test]
fn seed_changes_runs_but_not_shape() {
    let dir = temp_dir("seed");
    xrplace_ok(&[
        "run",
        "experiments/paper-streaming.toml",
        "--quiet",
        "--seed",
        "7",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let runs = std::fs::read_to_string(dir.join("runs.csv")).unwrap();
    assert!(runs.starts_with("scenario,run,experiment_seed,"), "{runs}");
    assert!(runs
        .lines()
        .skip(1)
        .all(|l| l.split(',').nth(2) == Some("7")));
}

/// runs.csv names a run by its `experiment_seed` and `run` (its streams derive from the
/// two), so a run is had again by rerunning with that seed and at least `run + 1` runs:
/// run 1 of a 2-run and of a 3-run experiment are the same row, and runs 0 and 1 differ.
#[test]
fn a_run_is_named_by_the_experiment_seed_and_its_index() {
    let rows = |runs: &str| {
        let dir = fresh_dir(&format!("run-identity-{runs}"));
        xrplace_ok(&[
            "run",
            "experiments/paper-streaming.toml",
            "--quiet",
            "--seed",
            "11",
            "--set",
            &format!("runs={runs}"),
            "--set",
            "duration_s=60",
            "--out",
            dir.to_str().unwrap(),
        ]);
        let text = std::fs::read_to_string(dir.join("runs.csv")).unwrap();
        text.lines().skip(1).map(String::from).collect::<Vec<_>>()
    };
    let (two, three) = (rows("2"), rows("3"));
    let of = |rows: &[String], run: &str| -> Vec<String> {
        rows.iter()
            .filter(|l| l.split(',').nth(1) == Some(run))
            .cloned()
            .collect()
    };
    assert_eq!(of(&two, "1").len(), 5, "one row per scenario");
    assert_eq!(of(&two, "1"), of(&three, "1"));
    assert_eq!(of(&two, "0"), of(&three, "0"));
    // Past the run index and seed, run 0 and run 1 of a scenario differ (their streams do).
    let tail = |l: &String| l.split(',').skip(3).collect::<Vec<_>>().join(",");
    let differ = of(&two, "0")
        .iter()
        .zip(&of(&two, "1"))
        .filter(|(a, b)| tail(a) != tail(b))
        .count();
    assert!(differ > 0, "runs 0 and 1 alike: {two:?}");
}

/// Every file of an output folder except `timing.toml`, as (name, bytes), sorted.
fn described_output(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = common::files_under(dir)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n != "timing.toml"))
        .map(|p| {
            let name = p.strip_prefix(dir).unwrap().display().to_string();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn meta_toml_reproduces_the_run_byte_for_byte() {
    for experiment in ["experiments/geant.toml", "experiments/paper-capi.toml"] {
        let first = temp_dir("meta-first");
        let again = temp_dir("meta-again");
        xrplace_ok(&[
            "run",
            experiment,
            "--quiet",
            "--threads",
            "2",
            "--out",
            first.to_str().unwrap(),
        ]);
        let meta = first.join("meta.toml");
        let text = std::fs::read_to_string(&meta).unwrap();
        assert!(
            text.contains("sha256 = ") && text.contains("[resolved"),
            "{experiment}"
        );
        let timing = std::fs::read_to_string(first.join("timing.toml")).unwrap();
        assert!(
            timing.contains("wall_s = ") && timing.contains("cpu_s = "),
            "{timing}"
        );
        xrplace_ok(&[
            "run",
            "--from-meta",
            meta.to_str().unwrap(),
            "--quiet",
            "--threads",
            "1",
            "--out",
            again.to_str().unwrap(),
        ]);
        let (a, b) = (described_output(&first), described_output(&again));
        assert_eq!(
            a.iter().map(|f| &f.0).collect::<Vec<_>>(),
            b.iter().map(|f| &f.0).collect::<Vec<_>>()
        );
        for ((name, x), (_, y)) in a.iter().zip(&b) {
            assert!(
                x == y,
                "{experiment}: {name} differs when rerun from meta.toml"
            );
        }
        // An edited input no longer matches its recorded hash: refused, exit 2.
        let edited = text.replacen("runs = ", "runs = 1 #", 1);
        std::fs::write(&meta, edited).unwrap();
        let o = xrplace(&[
            "run",
            "--from-meta",
            meta.to_str().unwrap(),
            "--out",
            again.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("sha256"), "{}", stderr(&o));
    }
}

#[test]
fn count_columns_of_runs_csv_are_integers() {
    let out = temp_dir("int-columns");
    xrplace_ok(&[
        "run",
        "experiments/geant.toml",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let counts = [
        "run",
        "experiment_seed",
        "job",
        "jobs_total",
        "events",
        "arrivals",
        "admitted",
        "rejected",
        "dropped",
        "completed",
        "migrations",
        "udp_refused",
        "nodes_added",
        "peerings",
        "offloaded",
    ];
    for name in counts {
        let i = header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name}"));
        for row in &rows {
            assert!(
                row[i].parse::<u64>().is_ok(),
                "{name} = {:?} is not an integer",
                &row[i]
            );
        }
    }
    // The ratios stay decimals.
    let i = header
        .iter()
        .position(|h| h == "slo_violation_ratio")
        .unwrap();
    assert!(rows.iter().all(|row| row[i].contains('.')));
}

#[test]
fn init_writes_templates_that_check_and_run_where_they_are() {
    let kinds = [
        "streaming",
        "sessions",
        "trace",
        "provisioning",
        "plan",
        "interconnects",
        "topology",
    ];
    for kind in kinds {
        let dir = temp_dir(&format!("init-{kind}"));
        let said = xrplace_ok(&["init", kind, dir.to_str().unwrap()]);
        let said = String::from_utf8_lossy(&said.stdout);
        let command = match kind {
            "plan" => Some("xrplace plan "),
            "topology" => None,
            _ => Some("xrplace run "),
        };
        match command {
            Some(c) => assert!(
                said.contains(&format!("run it with: {c}")),
                "{kind}: {said}"
            ),
            None => assert!(!said.contains("run it with"), "{kind}: {said}"),
        }
        let files: Vec<String> = common::files_under(&dir)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .map(|p| p.to_str().unwrap().to_string())
            .collect();
        assert!(!files.is_empty(), "{kind}");
        let mut args = vec!["check"];
        args.extend(files.iter().map(String::as_str));
        xrplace_ok(&args);
        // A second init into the same folder replaces nothing.
        let again = xrplace(&["init", kind, dir.to_str().unwrap()]);
        assert_eq!(again.status.code(), Some(2), "{kind}: {}", stderr(&again));
        if kind == "topology" {
            // The topology template is planning-ready: the one the plan template plans on,
            // with every site's access latency and every cluster's prices.
            let text = std::fs::read_to_string(dir.join("topology.toml")).unwrap();
            // The plan template's folder, written earlier in this loop.
            let name = dir.file_name().unwrap().to_str().unwrap();
            let planned = dir.with_file_name(name.replace("init-topology", "init-plan"));
            assert_eq!(
                text,
                std::fs::read_to_string(planned.join("eu-slice.toml")).unwrap()
            );
            assert_eq!(
                text.matches("access_latency_ms").count(),
                text.matches("[[sites]]").count()
            );
            assert_eq!(
                text.matches("cost_per_vcpu_hour_usd").count(),
                text.matches("[[clusters]]").count()
            );
        }
        if kind == "trace" {
            // The references point at the copies: a template runs from its own folder.
            let out = temp_dir("init-trace-out");
            xrplace_ok(&[
                "run",
                dir.join("experiment.toml").to_str().unwrap(),
                "--quiet",
                "--out",
                out.to_str().unwrap(),
            ]);
            assert!(out.join("summary.csv").exists());
        }
    }
}

#[test]
fn json_schemas_are_current() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let shipped = |kind: &str| root.join(format!("docs/schemas/{kind}.schema.json"));
    for kind in ["experiment", "topology", "plan"] {
        let out = xrplace_ok(&["schema", kind]);
        let text = std::fs::read_to_string(shipped(kind)).unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout) == text,
            "docs/schemas/{kind}.schema.json is stale: xrplace schema {kind} > it"
        );
    }
    // `.ci/run` holds every shipped file to these schemas with Python's jsonschema (the
    // validator's virtualenv), which cargo test does not need.
}

#[test]
fn set_overrides_fields_is_checked_and_recorded_in_meta() {
    let short = temp_dir("set-short");
    xrplace_ok(&[
        "run",
        "experiments/geant.toml",
        "--quiet",
        "--set",
        "duration_s=3600",
        "--set",
        "sessions.strategies=[\"first-fit\"]",
        "--out",
        short.to_str().unwrap(),
    ]);
    let summary = std::fs::read_to_string(short.join("summary.csv")).unwrap();
    let arrivals = column(&summary, "arrivals");
    assert_eq!(arrivals.len(), 1, "one strategy: {summary}");
    assert_eq!(arrivals[0].0, "first-fit");
    // An hour at 0.2/s (the night's low of the diurnal load): far fewer than a day's 17,000.
    assert!(
        arrivals[0].1 > 50.0 && arrivals[0].1 < 1000.0,
        "{arrivals:?}"
    );
    let meta = std::fs::read_to_string(short.join("meta.toml")).unwrap();
    assert!(meta.contains("\"duration_s=3600\""), "{meta}");
    let again = temp_dir("set-again");
    xrplace_ok(&[
        "run",
        "--from-meta",
        short.join("meta.toml").to_str().unwrap(),
        "--quiet",
        "--out",
        again.to_str().unwrap(),
    ]);
    for f in ["runs.csv", "summary.csv", "meta.toml"] {
        assert!(
            std::fs::read(short.join(f)).unwrap() == std::fs::read(again.join(f)).unwrap(),
            "{f} differs when rerun from meta.toml with its overrides"
        );
    }
    // Overrides are checked like the file's values.
    for (set, field) in [
        ("duration_s=-5", "duration_s"),
        ("sessions.load.rate=1", "rate"),
        ("scenarios[3].name=x", "scenarios[3]"),
    ] {
        let o = xrplace(&["run", "experiments/geant.toml", "--set", set]);
        assert_eq!(o.status.code(), Some(2), "{set}: {}", stderr(&o));
        assert!(stderr(&o).contains(field), "{set}: {}", stderr(&o));
    }
}

#[test]
fn off_a_terminal_progress_is_a_line_in_simulated_time() {
    // The tests' stderr is a pipe, as in a batch job's log: no bar, a line at least at the end.
    for experiment in ["experiments/geant.toml", "experiments/paper-capi.toml"] {
        let out = temp_dir("progress-out");
        let o = xrplace_ok(&["run", experiment, "--out", out.to_str().unwrap()]);
        let err = stderr(&o);
        // geant: 3 strategies x 3 runs; paper-capi: 2 distributions x 7 sizes x 10 runs.
        let runs = if experiment.ends_with("geant.toml") {
            9
        } else {
            140
        };
        assert!(
            err.contains(&format!(
                "progress: 100 % of simulated time, {runs}/{runs} runs done"
            )),
            "{experiment}: {err}"
        );
        assert!(!err.contains('\r'), "no bar redraws in a log: {err:?}");
        let quiet = xrplace_ok(&["run", experiment, "--quiet", "--out", out.to_str().unwrap()]);
        assert!(stderr(&quiet).is_empty(), "--quiet: {}", stderr(&quiet));
    }
}

#[test]
fn a_seed_beyond_what_meta_toml_can_record_is_named_as_the_flag() {
    // Seeds are TOML integers in the experiment file and in meta.toml (at most 2^63 - 1);
    // a larger --seed is the flag's fault, not the experiment file's.
    let out = fresh_dir("cli-seed-max");
    let o = xrplace(&[
        "run",
        "experiments/strategies-eu.toml",
        "--seed",
        "18446744073709551615",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--seed") && !stderr(&o).contains("strategies-eu.toml"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

#[test]
fn from_meta_leaves_no_scratch_behind_when_it_fails() {
    // --from-meta restores the recorded inputs into a scratch folder under the temporary
    // folder; a failure after it (here `--shard auto` outside a batch system) removes it.
    let out = fresh_dir("cli-from-meta-src");
    xrplace_ok(&[
        "run",
        "experiments/strategies-eu.toml",
        "--quiet",
        "--set",
        "duration_s=60",
        "--set",
        "runs=1",
        "--out",
        out.to_str().unwrap(),
    ]);
    let tmp = fresh_dir("cli-from-meta-tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_xrplace"))
        .args([
            "run",
            "--from-meta",
            out.join("meta.toml").to_str().unwrap(),
            "--shard",
            "auto",
            "--out",
            tmp.join("never").to_str().unwrap(),
        ])
        .env("TMPDIR", &tmp)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn out_of_range_flags_are_named_in_their_own_errors() {
    let out = fresh_dir("cli-flags");
    for (flag, value) in [
        ("--max-memory-gib", "nan"),
        ("--max-memory-gib", "0"),
        ("--shards", "200000"),
        ("--seed", "18446744073709551615"),
        ("--max-nodes", "-3"),
    ] {
        let mut args = vec!["run", "experiments/sweep-eu.toml", "--quiet"];
        if flag == "--shards" {
            args.extend(["--shard", "auto"]);
        }
        let arg = format!("{flag}={value}");
        args.extend([arg.as_str(), "--out", out.to_str().unwrap()]);
        let o = xrplace(&args);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{flag} {value}: {e}");
        assert!(e.contains(flag), "{flag} {value}: {e}");
        assert!(
            !e.contains("panicked") && !out.exists(),
            "{flag} {value}: {e}"
        );
    }
}

/// `merge` takes shard folders with `--out`, or `--status` alone: its usage says both forms
/// (clap's derived one, `[OPTIONS] [SHARDS]...`, offered shards to `--status`, which
/// refuses them).
#[test]
fn merge_usage_names_its_two_forms() {
    let help = xrplace_ok(&["merge", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains(
            "Usage: xrplace merge <SHARDS>... --out <OUT>\n       xrplace merge --status <DIR>"
        ),
        "{help}"
    );
    let both = xrplace(&["merge", "--status", "x", "y"]);
    assert_eq!(both.status.code(), Some(2), "{}", stderr(&both));
}
