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

/// Refuses a value that uses characters no container image reference has. The grammar of
/// `distribution/reference` (`reference.go`: `name [":" tag] ["@" digest]`, name components
/// of `[a-z0-9]` joined by `.`, `_`, `__` or `-`, an optional `host[:port]/` domain, tags
/// `[\w][\w.-]{0,127}`, digests `algorithm:hex`) uses letters, digits and `._-/:@` only,
/// and starts with a letter or digit; so a newline, quote, `$`, backtick, `;` or space
/// never belongs in one. Only the characters and the first one are checked, not the
/// grammar's structure (the registry refuses the rest when the Job pulls).
pub fn image_reference(image: &str) -> Result<(), String> {
    let starts_well = image
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let bad = image
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "._-/:@".contains(*c)));
    match (starts_well && image.len() <= 4096, bad) {
        (true, None) => Ok(()),
        (_, Some(c)) => Err(format!(
            "--image {image:?}: {c:?} cannot be part of an image reference (letters, digits and ._-/:@ only)"
        )),
        (false, None) => Err(format!(
            "--image {image:?}: expected an image reference such as registry.example/xrplace:0.1"
        )),
    }
}

/// Refuses what cannot be a Kubernetes quantity of bytes (`--storage`): digits, an optional
/// fraction, an optional binary or decimal suffix (`apimachinery` `resource.Quantity`).
pub fn storage_quantity(q: &str) -> Result<(), String> {
    let digits = q.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &q[digits.len()..];
    let number = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.matches('.').count() <= 1
        && digits.starts_with(|c: char| c.is_ascii_digit());
    let suffixes = [
        "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "k", "M", "G", "T", "P", "E",
    ];
    if number && suffixes.contains(&suffix) {
        Ok(())
    } else {
        Err(format!(
            "--storage {q:?}: expected a Kubernetes quantity such as 10Gi"
        ))
    }
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

/// The pod of a shard or the merge. `fsGroup` gives the claim's files to the image's
/// non-root group (10001, the Containerfile's `USER`): the kubelet changes a volume's group
/// to it where the volume type supports ownership management (Kubernetes, "Configure a
/// Security Context for a Pod or Container"), so the shards can write their results.
fn pod(claim: &str, c: Value) -> Value {
    json!({
        "restartPolicy": "Never",
        "securityContext": {
            "seccompProfile": {"type": "RuntimeDefault"},
            "runAsGroup": 10001,
            "fsGroup": 10001,
            "fsGroupChangePolicy": "OnRootMismatch",
        },
        "containers": [c],
        "volumes": [{"name": "results", "persistentVolumeClaim": {"claimName": claim}}],
    })
}

/// How to run the sweep, as the comment atop `sweep-job.yaml`. `kubectl wait` takes one
/// condition (kubernetes/kubernetes#100248 asks for an OR), so waiting for
/// `condition=complete` alone would wait out its whole timeout once an index fails for
/// good; two waits in the background, the first to return ending both, is the usual way
/// round it (cilium/cilium-cli#451).
fn shards_comment(name: &str) -> String {
    let job = format!("job/xrplace-{name}-shards");
    format!(
        "Shards of sweep {name}: `kubectl apply -f sweep-job.yaml`, then wait until the Job\n\
         completes or fails (bash):\n\
         kubectl wait {job} --for=condition=complete --timeout=24h & kubectl wait {job} --for=condition=failed --timeout=24h & wait -n; kill %1 %2\n\
         kubectl get {job} -o jsonpath='{{.status.conditions[*].type}}'\n\
         and after Complete, `kubectl apply -f merge-job.yaml`. The claim needs a ReadWriteMany\n\
         storage class."
    )
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
        yaml_file("sweep-job.yaml", &shards_comment(name), &[pvc, job])?,
        yaml_file(
            "merge-job.yaml",
            &format!("Merge of sweep {name}, after job/xrplace-{name}-shards is complete."),
            &[merge_job],
        )?,
        OutFile {
            path: super::FILE.into(),
            text: folder.to_text(),
            executable: false,
        },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references_and_quantities_hold_no_script_text() {
        for ok in [
            "registry.example/xrplace:0.1",
            "localhost:5000/a/b@sha256:0af3",
            "xrplace",
        ] {
            assert!(image_reference(ok).is_ok(), "{ok}");
        }
        for bad in ["x\ny", "x$(id)", "x`id`", "x;id", "x y", "\"x\"", "", "-x"] {
            assert!(image_reference(bad).is_err(), "{bad:?}");
        }
        for ok in ["10Gi", "500M", "1.5Ti", "100"] {
            assert!(storage_quantity(ok).is_ok(), "{ok}");
        }
        for bad in ["10 Gi", "Gi", "1.2.3Gi", "10Gi\n", "10Xi", ".5Gi"] {
            assert!(storage_quantity(bad).is_err(), "{bad:?}");
        }
    }
}
