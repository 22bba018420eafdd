//! The house rules, checked on the source: a file imports only from its own layer or the
//! layers below it (base -> config -> model/engine -> world -> strategy -> metrics ->
//! experiment -> report/export -> cli), no files import each other in a circle, and no
//! file is over 500 lines.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Rank of each top-level module; a module may import only ranks at or below its own.
fn rank(layer: &str) -> Option<u32> {
    Some(match layer {
        "base" => 0,
        "config" => 1,
        "engine" | "model" => 2,
        "world" => 3,
        "strategy" => 4,
        "metrics" => 5,
        "experiment" => 6,
        "report" | "export" => 7,
        "cli" | "command" | "fuzzing" => 8,
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

/// A module's path inside the crate: `src/a/b.rs` and `src/a/b/mod.rs` are `["a", "b"]`.
type ModPath = Vec<String>;

/// Every source file of `src/` by its module path (the crate roots `lib.rs` and `main.rs`
/// are not modules of their own and are left out).
fn modules(src: &Path) -> BTreeMap<ModPath, PathBuf> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut out = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(src).unwrap().with_extension("");
        let mut path: ModPath = rel
            .iter()
            .map(|s| s.to_string_lossy().to_string())
            .collect();
        if path.last().is_some_and(|l| l == "mod") {
            path.pop();
        }
        if path == ["lib"] || path == ["main"] {
            continue;
        }
        out.insert(path, f);
    }
    out
}

/// The code of a file without its unit tests (a test module may import anything) and
/// without comments; in a `mod.rs`, also without `pub use` lines, which only re-export the
/// folder's parts under its name (a facade, not a dependency of the folder's own code).
fn code_of(text: &str, is_mod_rs: bool) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let next = lines.peek().map(|l| l.trim_start()).unwrap_or("");
        if line.trim() == "#[cfg(test)]"
            && (next.starts_with("mod ") || next.starts_with("pub mod "))
        {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        if is_mod_rs && code.trim_start().starts_with("pub use ") {
            continue;
        }
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// A tiny reader of Rust paths: identifiers separated by `::`, with `{...}` groups.
struct PathReader<'a> {
    s: &'a [u8],
    i: usize,
}

impl PathReader<'_> {
    fn skip_space(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn ident(&mut self) -> Option<String> {
        self.skip_space();
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_')
        {
            self.i += 1;
        }
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).to_string())
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        if self.s[self.i..].starts_with(token.as_bytes()) {
            self.i += token.len();
            true
        } else {
            false
        }
    }

    /// Reads the rest of a path after `prefix::`, pushing every full path it names.
    fn paths(&mut self, prefix: Vec<String>, out: &mut Vec<ModPath>) {
        if self.eat("{") {
            loop {
                if self.eat("}") {
                    return;
                }
                if self.eat("*") || self.eat("self") {
                    out.push(prefix.clone());
                } else if let Some(id) = self.ident() {
                    let mut p = prefix.clone();
                    p.push(id);
                    if self.eat("::") {
                        self.paths(p, out);
                    } else {
                        out.push(p);
                    }
                } else {
                    return;
                }
                if self.eat("as") {
                    self.ident();
                }
                if self.eat(",") {
                    continue;
                }
                self.eat("}");
                return;
            }
        }
        match self.ident() {
            Some(id) => {
                let mut p = prefix;
                p.push(id);
                if self.eat("::") {
                    self.paths(p, out);
                } else {
                    out.push(p);
                }
            }
            None => out.push(prefix),
        }
    }
}

/// The modules a file's code names through `crate::`, `super::` and `self::` paths, each
/// resolved to the deepest module that is a file.
fn imports(module: &[String], code: &str, known: &BTreeMap<ModPath, PathBuf>) -> BTreeSet<ModPath> {
    // Where `self::` and `super::` start from (a mod.rs is its folder's module).
    let here: ModPath = module.to_vec();
    let bytes = code.as_bytes();
    let mut named = Vec::new();
    for (at, _) in code.match_indices("::") {
        let word_start = code[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let head = &code[word_start..at];
        let before = code[..word_start].trim_end();
        if before.ends_with("::") {
            continue;
        }
        let mut base: ModPath = match head {
            "crate" => Vec::new(),
            "self" => here.clone(),
            "super" => here[..here.len().saturating_sub(1)].to_vec(),
            _ => continue,
        };
        let mut r = PathReader {
            s: bytes,
            i: at + 2,
        };
        while head == "super" && r.eat("super::") {
            base.pop();
        }
        r.paths(base, &mut named);
    }
    named
        .into_iter()
        .filter_map(|p| {
            (1..=p.len())
                .rev()
                .map(|k| p[..k].to_vec())
                .find(|k| known.contains_key(k))
        })
        .filter(|m| m.as_slice() != module)
        .collect()
}

/// The groups of files that import each other in a circle: the strongly connected
/// components of more than one file (Tarjan 1972).
fn circles(edges: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<Vec<ModPath>> {
    struct Tarjan<'a> {
        edges: &'a BTreeMap<ModPath, BTreeSet<ModPath>>,
        index: BTreeMap<&'a ModPath, (usize, usize)>,
        stack: Vec<&'a ModPath>,
        out: Vec<Vec<ModPath>>,
    }
    impl<'a> Tarjan<'a> {
        fn visit(&mut self, v: &'a ModPath) -> usize {
            let n = self.index.len();
            self.index.insert(v, (n, n));
            self.stack.push(v);
            let mut low = n;
            for w in self.edges.get(v).into_iter().flatten() {
                low = match self.index.get(w) {
                    None => low.min(self.visit(w)),
                    Some(&(i, _)) if self.stack.contains(&w) => low.min(i),
                    Some(_) => low,
                };
            }
            self.index.insert(v, (n, low));
            if low == n {
                let at = self.stack.iter().position(|s| *s == v).unwrap();
                let group: Vec<ModPath> = self.stack.drain(at..).cloned().collect();
                if group.len() > 1 {
                    self.out.push(group);
                }
            }
            low
        }
    }
    let mut t = Tarjan {
        edges,
        index: BTreeMap::new(),
        stack: Vec::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !t.index.contains_key(v) {
            t.visit(v);
        }
    }
    t.out
}

fn import_graph() -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let known = modules(&src);
    known
        .iter()
        .map(|(m, f)| {
            let is_mod_rs = f.file_name().is_some_and(|n| n == "mod.rs");
            let code = code_of(&fs::read_to_string(f).unwrap(), is_mod_rs);
            (m.clone(), imports(m, &code, &known))
        })
        .collect()
}

#[test]
fn the_circle_finder_finds_each_group() {
    let p = |s: &str| -> ModPath { s.split('/').map(String::from).collect() };
    let mut edges: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for (a, b) in [
        ("a", "b"),
        ("b", "a"),
        ("b", "c"),
        ("c", "d"),
        ("d", "e"),
        ("e", "c"),
    ] {
        edges.entry(p(a)).or_default().insert(p(b));
        edges.entry(p(b)).or_default();
    }
    let mut found: Vec<usize> = circles(&edges).iter().map(Vec::len).collect();
    found.sort();
    assert_eq!(found, [2, 3]);
}

#[test]
fn the_import_reader_sees_groups_nesting_and_super() {
    let known: BTreeMap<ModPath, PathBuf> = [
        vec!["a"],
        vec!["a", "b"],
        vec!["a", "c"],
        vec!["d"],
        vec!["d", "e"],
    ]
    .into_iter()
    .map(|p| (p.into_iter().map(String::from).collect(), PathBuf::new()))
    .collect();
    let here: ModPath = vec!["a".into(), "b".into()];
    let code =
        "use crate::d::{e::{X, Y as Z}, self};\nuse super::c::W;\nfn f() { crate::a::thing(); }";
    let got = imports(&here, code, &known);
    let names: Vec<String> = got.iter().map(|p| p.join("/")).collect();
    assert_eq!(names, ["a", "a/c", "d", "d/e"]);
}

#[test]
fn no_files_import_each_other_in_a_circle() {
    let edges = import_graph();
    assert!(
        edges.len() > 150,
        "the scan found the crate's files ({})",
        edges.len()
    );
    let with_edges = edges.values().filter(|d| !d.is_empty()).count();
    assert!(
        with_edges > 100,
        "the scan found imports in {with_edges} files"
    );
    let found: Vec<String> = circles(&edges)
        .iter()
        .map(|g| g.iter().map(|p| p.join("/")).collect::<Vec<_>>().join(", "))
        .collect();
    assert!(
        found.is_empty(),
        "files that import each other in a circle, one group a line:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_file_in_src_is_over_500_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 150);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = fs::read_to_string(f).unwrap().lines().count();
            (n > 500).then(|| format!("{} ({n} lines)", f.strip_prefix(&src).unwrap().display()))
        })
        .collect();
    assert!(long.is_empty(), "split these by concern: {long:?}");
}
