//! Sweeps on cluster engines (issue 18): the Slurm array script runs the shard its task id
//! names, `merge --status` names a missing shard and the resubmit command, which works, and
//! the merged sweep equals an unsharded run byte for byte. The real Slurm round trip (submit,
//! kill, resume) and the Kubernetes manifests against the shared validator run in `.ci/run`.

use crate::common;

use common::{fresh_dir, keep_for_schemas, stderr, xrplace, xrplace_ok};
use std::path::Path;
use std::process::Command;

/// Runs `array.sbatch` as Slurm would for task `k` of an array of `count` tasks.
fn task(dir: &Path, k: u32, count: u32) {
    let o = Command::new("bash")
        .arg(dir.join("array.sbatch"))
        .env("SLURM_ARRAY_TASK_ID", k.to_string())
        .env("SLURM_ARRAY_TASK_COUNT", count.to_string())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "task {k}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_missing_shard_is_named_and_its_resubmit_command_works() {
    let dir = fresh_dir("cluster-slurm");
    let d = dir.to_str().unwrap();
    xrplace_ok(&[
        "sweep",
        "slurm",
        "experiments/sweep-eu.toml",
        "--shards",
        "4",
        "--out",
        d,
    ]);
    for k in [1, 2, 4] {
        task(&dir, k, 4);
    }
    let o = xrplace(&["merge", "--status", d]);
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(out.contains("shard 3 of 4: missing"), "{out}");
    let cmd = format!("sbatch --array=3 {d}/array.sbatch");
    assert!(out.contains(&cmd), "{out}");
    // What `sbatch --array=3` runs: task 3 of a one-task array.
    task(&dir, 3, 1);
    let o = xrplace(&["merge", "--status", d]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let merge = std::fs::read_to_string(dir.join("merge.sbatch")).unwrap();
    assert!(merge.contains(" merge ") && merge.contains("/shards/4-of-4"));
    let shards: Vec<String> = (1..=4).map(|k| format!("{d}/shards/{k}-of-4")).collect();
    let mut args: Vec<&str> = vec!["merge"];
    args.extend(shards.iter().map(String::as_str));
    let merged = format!("{d}/merged");
    args.extend(["--out", &merged]);
    xrplace_ok(&args);
    let all = format!("{d}/all");
    xrplace_ok(&["run", "experiments/sweep-eu.toml", "-q", "--out", &all]);
    for f in [
        "runs.csv",
        "summary.csv",
        "latency_quantiles.csv",
        "app_latency.csv",
    ] {
        assert_eq!(
            std::fs::read(dir.join("all").join(f)).unwrap(),
            std::fs::read(dir.join("merged").join(f)).unwrap(),
            "{f}"
        );
    }
    let submit = std::fs::read_to_string(dir.join("submit.sh")).unwrap();
    assert!(submit.contains("--dependency=afterok:"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn kubernetes_manifests_validate_and_index_the_shards() {
    let dir = fresh_dir("cluster-k8s");
    let d = dir.to_str().unwrap();
    xrplace_ok(&[
        "sweep",
        "k8s",
        "experiments/sweep-eu.toml",
        "--shards",
        "4",
        "--image",
        "registry.example.org/xrplace:0.1.0",
        "--out",
        d,
    ]);
    let job = std::fs::read_to_string(dir.join("sweep-job.yaml")).unwrap();
    for needle in [
        "completionMode: Indexed",
        "completions: 4",
        "backoffLimitPerIndex: 2",
        "- auto",
        "/results/shards/{shard}-of-{shards}",
        "fsGroup: 10001",
        "--for=condition=failed --timeout=24h & wait -n",
    ] {
        assert!(job.contains(needle), "{needle}: {job}");
    }
    // The Job and PersistentVolumeClaim match the Kubernetes 1.33 schemas vendored for
    // `xrplace check` (the Python validator in CI checks the same files, kept below).
    let mut schemas = xrplace::export::schemas::Validator::new();
    for f in ["sweep-job.yaml", "merge-job.yaml"] {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        for doc in serde_yaml_ng::Deserializer::from_str(&text) {
            let v: serde_json::Value = serde::Deserialize::deserialize(doc).unwrap();
            if !v.is_null() {
                assert_eq!(schemas.validate(&v), Ok(Vec::new()), "{f}: {v}");
            }
        }
    }
    let set = fresh_dir("cluster-k8s-set");
    std::fs::create_dir_all(set.join("jobs")).unwrap();
    for f in ["sweep-job.yaml", "merge-job.yaml"] {
        std::fs::copy(dir.join(f), set.join("jobs").join(f)).unwrap();
    }
    keep_for_schemas(&set, "sweep-k8s");
    let _ = std::fs::remove_dir_all(&set);
    let o = xrplace(&[
        "sweep",
        "k8s",
        &format!("{}/experiments/sweep-eu.toml", env!("CARGO_MANIFEST_DIR")),
        "--shards",
        "2",
        "--image",
        "x",
        "--out",
        d,
    ]);
    assert_eq!(o.status.code(), Some(2), "absolute sweep paths are refused");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn shard_auto_refuses_to_guess() {
    let o = Command::new(env!("CARGO_BIN_EXE_xrplace"))
        .args(["run", "experiments/sweep-eu.toml", "-q", "--shard", "auto"])
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("neither SLURM_ARRAY_TASK_ID"));
}

#[test]
fn a_newline_cannot_reach_a_slurm_script() {
    // A newline would end the `#SBATCH` comment line and run the rest as a command when
    // the script is submitted; each value is refused with its flag named, nothing written.
    let canary = fresh_dir("cluster-injected");
    let payload = format!("x\ntouch {}", canary.display());
    let dir = fresh_dir("cluster-inject");
    let out = dir.to_string_lossy().into_owned();
    let out_with_newline = format!("{out}\ntouch {}", canary.display());
    for (flag, args) in [
        (
            "--partition",
            vec!["--out", out.as_str(), "--partition", payload.as_str()],
        ),
        (
            "--time",
            vec!["--out", out.as_str(), "--time", payload.as_str()],
        ),
        ("--out", vec!["--out", out_with_newline.as_str()]),
    ] {
        let mut all = vec![
            "sweep",
            "slurm",
            "experiments/sweep-eu.toml",
            "--shards",
            "2",
        ];
        all.extend(args);
        let o = xrplace(&all);
        assert_eq!(o.status.code(), Some(2), "{flag}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(e.contains(flag) && e.contains("U+000A"), "{flag}: {e}");
        assert!(
            !dir.exists() && !Path::new(&out_with_newline).exists(),
            "{flag}: written"
        );
        assert!(!canary.exists(), "{flag}: the payload ran");
    }
}

#[test]
fn a_tampered_sweep_description_is_refused_with_its_field() {
    // `shards` of billions would have `merge --status` allocate a state per shard; zero
    // shards would report an empty sweep as done.
    let dir = fresh_dir("cluster-tampered");
    std::fs::create_dir_all(&dir).unwrap();
    for shards in ["0", "4000000000"] {
        std::fs::write(
            dir.join("sweep.toml"),
            format!("experiment = \"experiments/sweep-eu.toml\"\nshards = {shards}\nengine = \"slurm\"\n"),
        )
        .unwrap();
        let o = xrplace(&["merge", "--status", dir.to_str().unwrap()]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "shards = {shards}: {e}");
        assert!(
            e.contains("sweep.toml") && e.contains("`shards`") && e.contains(shards),
            "shards = {shards}: {e}"
        );
    }
    // A description that is not a regular file (a folder in its place).
    std::fs::remove_file(dir.join("sweep.toml")).unwrap();
    std::fs::create_dir_all(dir.join("sweep.toml")).unwrap();
    let o = xrplace(&["merge", "--status", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("regular file"), "{}", stderr(&o));
}

/// Two shards of a minute-long sweep-eu under `dir` (s1, s2).
fn two_shards(dir: &Path) -> Vec<String> {
    (1..=2)
        .map(|k| {
            let out = dir.join(format!("s{k}"));
            xrplace_ok(&[
                "run",
                "experiments/sweep-eu.toml",
                "--quiet",
                "--shard",
                &format!("{k}/2"),
                "--set",
                "duration_s=60",
                "--set",
                "runs=1",
                "--out",
                out.to_str().unwrap(),
            ]);
            out.to_string_lossy().into_owned()
        })
        .collect()
}

#[test]
fn a_merge_cannot_write_over_its_own_shards() {
    let dir = fresh_dir("cluster-merge-over");
    let shards = two_shards(&dir);
    let before = std::fs::read(Path::new(&shards[0]).join("runs.csv")).unwrap();
    let inside = format!("{}/merged", shards[1]);
    let deeper = format!("{}/a/b", shards[1]);
    for out in [
        shards[0].as_str(),
        inside.as_str(),
        deeper.as_str(),
        dir.to_str().unwrap(),
    ] {
        let o = xrplace(&["merge", &shards[0], &shards[1], "--out", out]);
        assert_eq!(o.status.code(), Some(2), "--out {out}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("overwrite its own input"),
            "{}",
            stderr(&o)
        );
    }
    assert_eq!(
        std::fs::read(Path::new(&shards[0]).join("runs.csv")).unwrap(),
        before
    );
    assert!(!Path::new(&inside).exists());
}

#[test]
fn merge_reads_a_shards_files_only_if_they_are_regular() {
    // A shard whose runs.csv (or metrics) is a FIFO or a folder: refused before anything is
    // read, naming the file, instead of a merge that blocks for ever.
    let dir = fresh_dir("cluster-fifo-shard");
    let shards = two_shards(&dir);
    let runs = Path::new(&shards[1]).join("runs.csv");
    std::fs::remove_file(&runs).unwrap();
    let made = Command::new("mkfifo")
        .arg(&runs)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let e = refused_merge(&dir, &shards);
    assert!(e.contains("runs.csv") && e.contains("regular file"), "{e}");
}

/// Merges `shards` into `dir/merged`, asserts it is refused (exit 2) with nothing written,
/// and returns what it said.
fn refused_merge(dir: &Path, shards: &[String]) -> String {
    let merged = dir.join("merged");
    let o = xrplace(&[
        "merge",
        &shards[0],
        &shards[1],
        "--out",
        merged.to_str().unwrap(),
    ]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(!merged.exists(), "a partial merge was written");
    e
}

#[test]
fn a_users_own_script_is_not_replaced_by_a_sweep() {
    let dir = fresh_dir("cluster-users-script");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("submit.sh"), "echo mine\n").unwrap();
    let args = [
        "sweep",
        "slurm",
        "experiments/sweep-eu.toml",
        "--shards",
        "2",
        "--out",
        dir.to_str().unwrap(),
    ];
    let o = xrplace(&args);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("submit.sh"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(dir.join("submit.sh")).unwrap(),
        "echo mine\n"
    );
    assert!(!dir.join("array.sbatch").exists());
    // A sweep folder's own files are rewritten on a rerun.
    std::fs::remove_file(dir.join("submit.sh")).unwrap();
    xrplace_ok(&args);
    xrplace_ok(&args);
}

#[test]
fn a_tampered_shard_toml_is_named_at_its_field_not_an_intact_shard() {
    let dir = fresh_dir("cluster-tampered-shard");
    let shards = two_shards(&dir);
    let file = Path::new(&shards[0]).join("shard.toml");
    let intact = std::fs::read_to_string(&file).unwrap();
    for (from, to, field) in [
        ("shards = 2", "shards = 0", "shards"),
        ("shard = 1\n", "shard = 7\n", "shard"),
    ] {
        assert!(intact.contains(from), "{intact}");
        std::fs::write(&file, intact.replacen(from, to, 1)).unwrap();
        let e = refused_merge(&dir, &shards);
        assert!(
            e.contains(&format!("{}:", file.display())) && e.contains(&format!("field `{field}`")),
            "{field}: {e}"
        );
        assert!(!e.contains(&shards[1]), "the intact shard is blamed: {e}");
    }
}

#[test]
fn resume_refuses_kept_jobs_that_were_edited_misnamed_or_foreign() {
    // A short sweep kept job by job; each tampering is refused with exit 2, naming the
    // kept file, its line and field, and the results are left as they were.
    let dir = fresh_dir("cluster-resume");
    let out = dir.join("out");
    let run = || {
        xrplace(&[
            "run",
            "experiments/sweep-eu.toml",
            "--quiet",
            "--set",
            "duration_s=30",
            "--set",
            "runs=1",
            "--resume",
            "--out",
            out.to_str().unwrap(),
        ])
    };
    assert!(run().status.success());
    let jobs = out.join(".xrplace-jobs");
    let kept = std::fs::read_to_string(jobs.join("0.csv")).unwrap();
    let runs_before = std::fs::read(out.join("runs.csv")).unwrap();
    let refused = |what: &str, file: &str, at: &str| {
        let o = run();
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{what}: {e}");
        let place = format!("{}{at}", jobs.join(file).display());
        assert!(e.contains(&place), "{what}: expected {place} in {e}");
        assert_eq!(
            std::fs::read(out.join("runs.csv")).unwrap(),
            runs_before,
            "{what}: results changed"
        );
    };
    // A figure edited in the run row.
    let edited = kept.replacen(",15.000000,", ",14.000000,", 1);
    assert_ne!(edited, kept);
    std::fs::write(jobs.join("0.csv"), &edited).unwrap();
    refused("an edited row", "0.csv", ":");
    let e = stderr(&run());
    assert!(e.contains("field `@sum`"), "{e}");
    std::fs::write(jobs.join("0.csv"), &kept).unwrap();
    // A job the run does not hold.
    std::fs::write(jobs.join("100000.csv"), &kept).unwrap();
    refused("a foreign job", "100000.csv", ": whole file:");
    std::fs::remove_file(jobs.join("100000.csv")).unwrap();
    // Job 0's file under another job's name: its checksum holds, its job does not.
    std::fs::write(jobs.join("3.csv"), &kept).unwrap();
    refused("a renamed job", "3.csv", ":1:");
    assert!(stderr(&run()).contains("field `job`"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn resume_refuses_a_kept_sweep_toml_that_is_no_regular_file() {
    let dir = fresh_dir("cluster-resume-fifo");
    let jobs = dir.join("out/.xrplace-jobs");
    std::fs::create_dir_all(&jobs).unwrap();
    let made = Command::new("mkfifo").arg(jobs.join("sweep.toml")).status();
    assert!(
        made.is_ok_and(|s| s.success()),
        "mkfifo is needed to check that a FIFO sweep.toml is refused"
    );
    let o = xrplace(&[
        "run",
        "experiments/sweep-eu.toml",
        "--quiet",
        "--set",
        "duration_s=30",
        "--set",
        "runs=1",
        "--resume",
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(
        e.contains("sweep.toml") && e.contains("regular file"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
