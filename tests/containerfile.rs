//! The image `sweep k8s` runs is built from `Containerfile`: its build stage must copy every
//! file the crate compiles in (`include_str!`/`include_bytes!` under `src/`), or `cargo
//! build` fails inside the image while it works in a checkout.

use crate::common;
use std::path::{Component, Path, PathBuf};

/// Top-level folders and files the build stage copies (`COPY <src>... <dest>` between the
/// first and the second `FROM`).
fn build_stage_copies(containerfile: &str) -> Vec<String> {
    let mut stages = containerfile.split("\nFROM ");
    let build = stages.nth(1).unwrap_or_default();
    build
        .lines()
        .filter_map(|l| l.strip_prefix("COPY "))
        .filter(|l| !l.starts_with("--from"))
        .flat_map(|l| {
            let mut words: Vec<&str> = l.split_whitespace().collect();
            words.pop();
            words.into_iter().map(String::from).collect::<Vec<_>>()
        })
        .collect()
}

/// The repository-relative paths every `include_str!`/`include_bytes!` under `src/` names.
fn compiled_in(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for file in common::files_under(&root.join("src")) {
        if file.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for macro_name in ["include_str!(\"", "include_bytes!(\""] {
            for (i, _) in text.match_indices(macro_name) {
                let rest = &text[i + macro_name.len()..];
                let rel = &rest[..rest.find('"').unwrap()];
                out.push(normalise(&file.parent().unwrap().join(rel), root));
            }
        }
    }
    out
}

fn normalise(p: &Path, root: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out.strip_prefix(root).unwrap().to_path_buf()
}

#[test]
fn the_image_build_copies_every_file_the_crate_compiles_in() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let containerfile = std::fs::read_to_string(root.join("Containerfile")).unwrap();
    let copied = build_stage_copies(&containerfile);
    assert!(copied.iter().any(|c| c == "src"), "{copied:?}");
    let included = compiled_in(root);
    assert!(included.len() >= 10, "{included:?}");
    for path in included {
        let top = path
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        assert!(
            copied.iter().any(|c| *c == top),
            "src compiles in {} but the Containerfile's build stage copies only {copied:?}",
            path.display()
        );
    }
}
