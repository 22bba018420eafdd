//! A Kubernetes Indexed Job for a sweep (`completionMode: Indexed`: pod i gets
//! `JOB_COMPLETION_INDEX=i` and runs shard i + 1; `backoffLimitPerIndex` retries a failed
//! shard on its own), a volume claim the shards write to, and the merge Job to apply once the
//! shards' Job is complete. The image is built from the repository's `Containerfile`, which
//! holds the binary and the shipped experiments, topologies and traces under /opt/xrplace.

use super::SweepFolder;
use crate::export::{yaml_file, ExportError, OutFile};
use serde_json::{json, Value};

/// Options of the Job.
#[derive(Debug, Clone)]
pub struct K8sOptions {
    /// Container image.
    pub image: String,
    /// Shards run at once.
    pub parallelism: u32,
    /// CPU per shard (also its `--threads`).
    pub cpus: u32,
    /// Size of the results volume, Kubernetes quantity.
    pub storage: String,
}

fn container(name: &str, image: &str, args: Vec<String>, cpus: u32) -> Value {
    json!({
        "name": name,
        "image": image,
        "args": args,
        "workingDir": "/opt/xrplace",
        "resources": {
            "requests": {"cpu": cpus.to_string(), "memory": "1Gi"},
            "limits": {"cpu": cpus.to_string(), "memory": "4Gi"},
        },
        "securityContext": {
            "runAsNonRoot": true,
            "runAsUser": 10001,
            "allowPrivilegeEscalation": false,
            "readOnlyRootFilesystem": true,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": "results", "mountPath": "/results"}],
    })
}

fn pod(claim: &str, c: Value) -> Value {
    json!({
        "restartPolicy": "Never",
        "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [c],
        "volumes": [{"name": "results", "persistentVolumeClaim": {"claimName": claim}}],
    })
}

/// The files of a Kubernetes sweep of `experiment` (a path relative to the repository, as
/// the image holds it) as `name` (a DNS label).
pub fn files(
    experiment: &str,
    name: &str,
    shards: u32,
    opts: &K8sOptions,
) -> Result<Vec<OutFile>, ExportError> {
    let claim = format!("xrplace-{name}-results");
    let labels = json!({"app.kubernetes.io/name": "xrplace", "app.kubernetes.io/instance": name});
    let run = vec![
        "run".into(),
        experiment.into(),
        "--shard".into(),
        "auto".into(),
        "--shards".into(),
        shards.to_string(),
        "--resume".into(),
        "--threads".into(),
        opts.cpus.to_string(),
        "--out".into(),
        "/results/shards/{shard}-of-{shards}".into(),
    ];
    let mut merge = vec!["merge".to_string()];
    merge.extend((1..=shards).map(|k| format!("/results/shards/{k}-of-{shards}")));
    merge.extend(["--out".to_string(), "/results/merged".to_string()]);
    let pvc = json!({
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": claim, "labels": labels},
        "spec": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": opts.storage}}},
    });
    let job = json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": format!("xrplace-{name}-shards"), "labels": labels},
        "spec": {
            "completionMode": "Indexed",
            "completions": shards,
            "parallelism": opts.parallelism.clamp(1, shards),
            "backoffLimitPerIndex": 2,
            "template": {"metadata": {"labels": labels}, "spec": pod(&claim, container("shard", &opts.image, run, opts.cpus))},
        },
    });
    let merge_job = json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": format!("xrplace-{name}-merge"), "labels": labels},
        "spec": {
            "backoffLimit": 1,
            "template": {"metadata": {"labels": labels}, "spec": pod(&claim, container("merge", &opts.image, merge, 1))},
        },
    });
    let folder = SweepFolder {
        experiment: experiment.into(),
        shards,
        engine: "k8s".into(),
    };
    Ok(vec![
        yaml_file(
            "sweep-job.yaml",
            &format!("Shards of sweep {name}: `kubectl apply -f sweep-job.yaml`, then\n`kubectl wait --for=condition=complete job/xrplace-{name}-shards --timeout=24h`\nand `kubectl apply -f merge-job.yaml`. The claim needs a ReadWriteMany storage class."),
            &[pvc, job],
        )?,
        yaml_file(
            "merge-job.yaml",
            &format!("Merge of sweep {name}, after job/xrplace-{name}-shards is complete."),
            &[merge_job],
        )?,
        OutFile { path: super::FILE.into(), text: folder.to_text(), executable: false },
    ])
}
