//! `xrplace check DIR` holds every manifest of an export to the vendored upstream schemas
//! (rules XR19 schema and XR20 known-kind, src/export/schemas): a fresh export of the
//! shipped plan passes, in both OpenStack API versions; a hand-broken manifest (unknown
//! field, wrong type, missing field, repeated key, a name the API server refuses) is
//! reported with its file, document, line, JSON path and what was expected, offline.

use crate::common::{export_fresh, fresh_dir, lint_export as check, xrplace_ok, SHIPPED_PLAN};
use std::path::Path;

/// Replaces the first `from` in `file` of the export by `to`.
fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let p = dir.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

/// The 1-based line of the first line of `file` that is `line`.
fn line_of(dir: &Path, file: &str, line: &str) -> usize {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    1 + text
        .lines()
        .position(|l| l == line)
        .unwrap_or_else(|| panic!("{file} has no line {line:?}"))
}

#[test]
fn fresh_exports_match_the_vendored_schemas() {
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join(SHIPPED_PLAN);
    let v1beta1 = export_fresh("schemas-v1beta1", &plan);
    let v1beta2 = fresh_dir("export-schemas-v1beta2");
    xrplace_ok(&[
        "export",
        SHIPPED_PLAN,
        "--openstack-v1beta2",
        "--out",
        v1beta2.to_str().unwrap(),
    ]);
    for dir in [&v1beta1, &v1beta2] {
        let (code, out) = check(dir);
        assert_eq!(code, Some(0), "{out}");
        assert!(!out.contains("XR19") && !out.contains("XR20"), "{out}");
        // The templates' placeholders may be warned about (XR16); no error is.
        assert!(
            out.contains("0 findings") || out.contains("0 errors"),
            "{out}"
        );
    }
    // Both API versions were written: the check saw each under its own schema.
    let v2 = std::fs::read_to_string(v1beta2.join("management/edge-gva-1.yaml")).unwrap();
    assert!(
        v2.contains("infrastructure.cluster.x-k8s.io/v1beta2"),
        "{v2}"
    );
    for d in [v1beta1, v1beta2] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn a_hand_broken_manifest_is_located_and_explained() {
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join(SHIPPED_PLAN);
    let dir = export_fresh("schemas-broken", &plan);
    let file = "management/edge-gva-1.yaml";
    // The control plane's document: its apiVersion line opens it, after as many `---`
    // lines as documents before it.
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let start = line_of(&dir, file, "kind: KThreesControlPlane") - 1;
    let index = 1 + text.lines().take(start).filter(|l| *l == "---").count();
    // Unknown field (Kubernetes would prune it silently) and a quoted integer.
    edit(
        &dir,
        file,
        "  replicas: 1\n",
        "  replicas: \"1\"\n  replicass: 2\n",
    );
    // A core kind: a misspelt container field, and a key written twice (kubectl refuses the
    // file; a YAML reader keeps the last value).
    let app = "cluster-fra/app/workloads.yaml";
    edit(&dir, app, "containerPort:", "containerPortt:");
    edit(&dir, app, "\n  replicas: ", "\n  replicas: 3\n  replicas: ");
    // A name the API server refuses for a Namespace (not a DNS-1123 label).
    let ns_file = "management/00-namespace.yaml";
    edit(&dir, ns_file, "name: xr-clusters", "name: XR_Clusters");
    let ns_line = line_of(&dir, ns_file, "apiVersion: v1");
    let (code, out) = check(&dir);
    assert_eq!(code, Some(2), "{out}");
    let located = format!("{file}#{index} (line {start}): KThreesControlPlane/edge-gva-1-control-plane: XR19 schema: ");
    for want in [
        format!("{located}.spec.replicas: expected integer, got string \"1\""),
        format!(
            "{located}.spec.replicass: unknown field \"replicass\" (did you mean \"replicas\"?)"
        ),
    ] {
        assert!(
            out.lines().any(|l| l == want),
            "missing {want:?} in:\n{out}"
        );
    }
    let core: Vec<&str> = out
        .lines()
        .filter(|l| {
            l.starts_with("cluster-fra/app/workloads.yaml#1 (line ") && l.contains("XR19 schema")
        })
        .collect();
    assert_eq!(core.len(), 3, "{out}");
    assert!(
        core[0].contains(": .: YAML: spec: duplicate entry with key \"replicas\" at line "),
        "{out}"
    );
    assert!(
        core[1].ends_with(
            ".spec.template.spec.containers[0].ports[0]: missing required field \"containerPort\""
        ),
        "{out}"
    );
    assert!(
        core[2].contains(
            ".containerPortt: unknown field \"containerPortt\" (did you mean \"containerPort\"?)"
        ),
        "{out}"
    );
    let namespace = format!(
        "{ns_file}#1 (line {ns_line}): Namespace/XR_Clusters: XR19 schema: .metadata.name: invalid name \"XR_Clusters\": must be a DNS-1123 label"
    );
    assert!(out.lines().any(|l| l.starts_with(&namespace)), "{out}");
    assert!(!out.contains("panicked"), "{out}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_kind_without_a_vendored_schema_is_reported() {
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join(SHIPPED_PLAN);
    let dir = export_fresh("schemas-kind", &plan);
    let file = "cluster-fra/app/workloads.yaml";
    let p = dir.join(file);
    let mut text = std::fs::read_to_string(&p).unwrap();
    let n = text.matches("\n---\n").count() + 2;
    text.push_str(
        "---\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: media\n",
    );
    std::fs::write(&p, &text).unwrap();
    let line = text.lines().count() - 3;
    let (code, out) = check(&dir);
    assert_eq!(code, Some(2), "{out}");
    let want = format!("{file}#{n} (line {line}): Certificate/media: XR20 known-kind: no schema for cert-manager.io/v1 Certificate");
    assert!(
        out.lines().any(|l| l.starts_with(&want)),
        "missing {want:?} in:\n{out}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
