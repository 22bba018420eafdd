//! The layer rule, checked on the source: a file imports only from its own layer or the
//! layers below it (config -> model/engine -> world -> strategy -> metrics -> experiment
//! -> report/export -> cli), and the parts of the session world import each other without
//! a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Rank of each top-level module; a module may import only ranks at or below its own.
fn rank(layer: &str) -> Option<u32> {
    Some(match layer {
        "base" => 0,
        "config" => 0,
        "engine" | "model" => 1,
        "world" => 2,
        "strategy" => 3,
        "metrics" => 4,
        "experiment" => 5,
        "report" | "export" => 6,
        "cli" | "command" | "fuzzing" => 7,
        _ => return None,
    })
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Paths named after `crate::` in `text` (use declarations and inline paths), outside
/// comments.
fn crate_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + 7..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out
}

#[test]
fn no_file_imports_from_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut violations = Vec::new();
    let mut seen = 0;
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let top = rel
            .iter()
            .next()
            .unwrap()
            .to_string_lossy()
            .replace(".rs", "");
        let Some(own) = rank(&top) else { continue };
        let text = fs::read_to_string(f).unwrap();
        for used in crate_paths(&text) {
            seen += 1;
            if let Some(r) = rank(&used) {
                if r > own {
                    violations.push(format!("{} imports crate::{used}", rel.display()));
                }
            }
        }
    }
    assert!(seen > 200, "the scan found the crate's imports ({seen})");
    assert!(
        violations.is_empty(),
        "layer violations:\n{}",
        violations.join("\n")
    );
}

#[test]
fn session_world_parts_import_each_other_without_a_circle() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/world/sessions");
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if name == "mod" {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap();
        let lines = text.lines().take_while(|l| !l.starts_with("#[cfg(test)]"));
        let deps: BTreeSet<String> = lines
            .flat_map(|l| {
                let code = l.split("//").next().unwrap_or("").to_string();
                code.match_indices("super::")
                    .map(|(i, _)| {
                        code[i + 7..]
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect::<String>()
                    })
                    .collect::<Vec<_>>()
            })
            .filter(|d| d != &name && !d.is_empty())
            .collect();
        edges.insert(name, deps);
    }
    assert!(edges.len() >= 10, "the parts are there: {:?}", edges.keys());
    // Depth-first search for a back edge.
    fn visit(
        n: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(1) => {
                let mut cycle = stack.clone();
                cycle.push(n.to_string());
                return Some(cycle);
            }
            Some(2) => return None,
            _ => {}
        }
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for d in edges.get(n).into_iter().flatten() {
            if edges.contains_key(d) {
                if let Some(c) = visit(d, edges, state, stack) {
                    return Some(c);
                }
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        let mut stack = Vec::new();
        if let Some(cycle) = visit(n, &edges, &mut state, &mut stack) {
            panic!(
                "import circle among the session world's parts: {}",
                cycle.join(" -> ")
            );
        }
    }
}

#[test]
fn no_file_in_the_world_layer_is_over_500_lines() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/world");
    let mut files = Vec::new();
    rust_files(&dir, &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = fs::read_to_string(f).unwrap().lines().count();
            (n > 520).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "files over ~500 lines: {long:?}");
}
