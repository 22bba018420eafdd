//! Real topologies: `xrplace topology import` on Internet Topology Zoo GraphML, the shipped
//! GÉANT topology it made, an experiment on it, and located errors for bad GraphML.

use crate::common;

use common::{fresh_dir, stderr, xrplace, xrplace_ok};

/// The command of `topologies/zoo/README.md`, to stdout.
const IMPORT: [&str; 13] = [
    "topology",
    "import",
    "topologies/zoo/Geant2012.graphml",
    "--name",
    "geant",
    "--cloud",
    "DE",
    "--cloud",
    "NL",
    "--cloud",
    "UK",
    "--cloud",
    "FR",
];

#[test]
fn the_shipped_geant_topology_is_what_the_importer_writes() {
    let out = xrplace_ok(&IMPORT);
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/topologies/geant.toml"
    ))
    .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout) == shipped,
        "re-run the import of topologies/zoo/README.md"
    );
    assert!(
        shipped.contains("Knight") && shipped.contains("CC BY 4.0"),
        "attribution"
    );
    // Three PoPs without coordinates, named in the warnings (UA, MD, BY in Geant2012).
    let warned = stderr(&out);
    for id in ["\"10\"", "\"11\"", "\"19\""] {
        assert!(warned.contains(id), "{warned}");
    }
    let t = xrplace::config::load_topology(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/topologies/geant.toml"
    )))
    .unwrap();
    assert_eq!(t.sites.len(), 37);
    let cloud = t
        .sites
        .iter()
        .filter(|s| s.tier == xrplace::config::topology::Tier::Cloud);
    assert_eq!(cloud.count(), 4);
    // 2.5 Gbit/s from LinkSpeed 2.5 G: NL (node 0) to node 34.
    assert!(t.links.iter().any(|l| l.bandwidth_gbps == 2.5));
}

#[test]
fn an_experiment_on_geant_runs_and_ranks_the_strategies() {
    xrplace_ok(&["check", "topologies/geant.toml", "experiments/geant.toml"]);
    let dir = fresh_dir("geant");
    xrplace_ok(&[
        "run",
        "experiments/geant.toml",
        "--out",
        dir.to_str().unwrap(),
        "--quiet",
    ]);
    let summary = std::fs::read_to_string(dir.join("summary.csv")).unwrap();
    let viol = common::column(&summary, "slo_violation_ratio");
    let get = |s: &str| viol.iter().find(|(k, _)| k == s).unwrap().1;
    assert_eq!(viol.len(), 3);
    // Four cloud regions for 37 PoPs: serving everyone from the cloud breaks the budget
    // far more often than placing at the edge.
    assert!(get("cloud-only") > 2.0 * get("latency-greedy"), "{viol:?}");
    assert!(get("network-aware") < get("cloud-only"), "{viol:?}");
}

/// Writes a GraphML file with the given nodes and edges and imports it.
fn import(tag: &str, body: &str) -> std::process::Output {
    let dir = fresh_dir(tag);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("n.graphml");
    std::fs::write(
        &path,
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key attr.name="LinkSpeedUnits" attr.type="string" for="edge" id="d41" />
  <key attr.name="LinkSpeed" attr.type="string" for="edge" id="d39" />
  <key attr.name="Longitude" attr.type="double" for="node" id="d32" />
  <key attr.name="Latitude" attr.type="double" for="node" id="d29" />
  <graph edgedefault="undirected">
    <node id="a"><data key="d29">52.4</data><data key="d32">4.9</data></node>
{body}  </graph>
</graphml>
"#
        ),
    )
    .unwrap();
    xrplace(&["topology", "import", path.to_str().unwrap()])
}

#[test]
fn bad_graphml_names_the_node_or_edge_and_its_line() {
    let o = import(
        "zoo-lat",
        "    <node id=\"b\">\n      <data key=\"d32\">6.1</data>\n    </node>\n",
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("n.graphml:9:") && e.contains("node \"b\"") && e.contains("Latitude"),
        "{e}"
    );

    let o = import(
        "zoo-speed",
        "    <node id=\"b\"><data key=\"d29\">46.2</data><data key=\"d32\">6.1</data></node>\n    <edge source=\"a\" target=\"b\">\n      <data key=\"d39\">ten</data>\n    </edge>\n",
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("n.graphml:11:") && e.contains("LinkSpeed") && e.contains("\"ten\""),
        "{e}"
    );

    let o = import("zoo-xml", "    <node id=\"b\">\n");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn every_shipped_network_imports_to_a_valid_topology() {
    // The repository's own Zoo files; `.ci/run` imports every sample of the shared set.
    let zoo = concat!(env!("CARGO_MANIFEST_DIR"), "/topologies/zoo");
    let dir = fresh_dir("zoo-all");
    std::fs::create_dir_all(&dir).unwrap();
    let mut imported = 0;
    for e in std::fs::read_dir(zoo)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "graphml"))
    {
        let out = dir.join(e.file_name()).with_extension("toml");
        import_and_check(e.path().to_str().unwrap(), &out);
        imported += 1;
    }
    assert!(imported > 0, "no GraphML under {zoo}");
}

#[test]
fn import_reads_only_regular_files_of_bounded_size() {
    // A FIFO would block the read for ever and /dev/zero would fill the memory: both are
    // refused before anything is read, as every other input is.
    let dir = fresh_dir("zoo-special");
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("pipe.graphml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo failed");
    for path in [
        fifo.as_path(),
        std::path::Path::new("/dev/zero"),
        dir.as_path(),
    ] {
        let o = xrplace(&["topology", "import", path.to_str().unwrap()]);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{}: {}",
            path.display(),
            stderr(&o)
        );
        assert!(
            stderr(&o).contains("regular file"),
            "{}: {}",
            path.display(),
            stderr(&o)
        );
    }
}

/// Imports the GraphML file `graphml` into `out`, checks what it wrote like any topology,
/// and returns its text.
fn import_and_check(graphml: &str, out: &std::path::Path) -> String {
    xrplace_ok(&[
        "topology",
        "import",
        graphml,
        "--out",
        out.to_str().unwrap(),
    ]);
    xrplace_ok(&["check", out.to_str().unwrap()]);
    std::fs::read_to_string(out).unwrap()
}

/// Imports `body` and asserts exit 2 with every one of `words` in the message.
fn refused_with(tag: &str, body: &str, words: &[&str]) {
    let o = import(tag, body);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{tag}: {e}");
    for w in words {
        assert!(e.contains(w), "{tag}: expected {w:?} in {e}");
    }
}

#[test]
fn duplicates_and_absurd_speeds_are_refused_at_their_line() {
    let b = "    <node id=\"b\"><data key=\"d29\">46.2</data><data key=\"d32\">6.1</data></node>\n";
    refused_with(
        "zoo-dup",
        &format!("{b}    <node id=\"a\"><data key=\"d29\">47.2</data><data key=\"d32\">7.1</data></node>\n"),
        &["n.graphml:10:", "node \"a\".id", "line 8"],
    );
    // 10^9 Gbit/s: beyond what a topology's link may carry.
    refused_with(
        "zoo-absurd",
        &format!("{b}    <edge source=\"a\" target=\"b\">\n      <data key=\"d39\">1000000000</data><data key=\"d41\">G</data>\n    </edge>\n"),
        &["n.graphml:10:", "LinkSpeed", "physical range"],
    );
}

#[test]
fn labels_that_fold_to_one_name_import_to_distinct_sites_that_check() {
    // "x" twice gets the node ids appended (x-b, x-c); a label that is already "x-b"
    // would repeat the first, and gets a counter.
    let nodes = [("b", "x"), ("c", "x"), ("d", "X B")]
        .iter()
        .enumerate()
        .map(|(i, (id, label))| {
            format!(
                "    <node id=\"{id}\"><data key=\"d29\">4{i}.0</data><data key=\"d32\">6.0</data><data key=\"label\">{label}</data></node>\n"
            )
        })
        .collect::<String>();
    let dir = fresh_dir("zoo-fold");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("n.graphml");
    std::fs::write(
        &path,
        format!(
            "<graphml><key attr.name=\"label\" for=\"node\" id=\"label\"/>\
             <key attr.name=\"Longitude\" for=\"node\" id=\"d32\"/>\
             <key attr.name=\"Latitude\" for=\"node\" id=\"d29\"/>\
             <graph>\n{nodes}</graph></graphml>\n"
        ),
    )
    .unwrap();
    let out = dir.join("t.toml");
    let text = import_and_check(path.to_str().unwrap(), &out);
    for name in ["\"x-b\"", "\"x-c\"", "\"x-b-d-2\""] {
        assert!(text.contains(&format!("name = {name}")), "{name} in {text}");
    }
}

#[test]
fn a_newline_in_an_argument_cannot_break_the_topologys_header() {
    let dir = fresh_dir("zoo-newline");
    std::fs::create_dir_all(&dir).unwrap();
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/topologies/zoo/Geant2012.graphml"
    ))
    .unwrap();
    let path = dir.join("geant\n[injected]\nx = 1\n.graphml");
    std::fs::write(&path, src).unwrap();
    let out = dir.join("t.toml");
    let text = import_and_check(path.to_str().unwrap(), &out);
    assert!(!text.lines().any(|l| l.starts_with("[injected]")), "{text}");
    // A name that no topology may carry is refused before anything is written.
    let bad = dir.join("bad.toml");
    let o = xrplace(&[
        "topology",
        "import",
        path.to_str().unwrap(),
        "--name",
        "two\nlines",
        "--out",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!bad.exists());
}

/// `tests/malformed-graphml/`: each file is refused by `topology import` with exit 2, at
/// the line and field of its `<!-- expect: LINE FIELD -->` header, and nothing written.
#[test]
fn malformed_graphml_corpus_is_refused_located_and_writes_nothing() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed-graphml");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "graphml"))
        .collect();
    files.sort();
    assert!(files.len() >= 16, "{} files", files.len());
    let out_dir = fresh_dir("zoo-malformed");
    std::fs::create_dir_all(&out_dir).unwrap();
    for f in files {
        let name = f.file_name().unwrap().to_str().unwrap().to_string();
        let rel = format!("tests/malformed-graphml/{name}");
        let text = std::fs::read_to_string(&f).unwrap();
        let expect = text
            .lines()
            .find_map(|l| l.strip_prefix("<!-- expect: "))
            .and_then(|l| l.strip_suffix(" -->"))
            .unwrap_or_else(|| panic!("{rel}: no expect header"));
        let (line, field) = expect.split_once(' ').unwrap();
        let out = out_dir.join(format!("{name}.toml"));
        let o = xrplace(&["topology", "import", &rel, "--out", out.to_str().unwrap()]);
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{rel}: {e}");
        assert!(!e.contains("panicked"), "{rel}: {e}");
        assert!(
            e.contains(&format!("{rel}:{line}:")),
            "{rel}: expected line {line} in {e}"
        );
        assert!(
            e.contains(&format!("field `{field}`")),
            "{rel}: expected {field} in {e}"
        );
        assert!(!out.exists(), "{rel}: wrote {}", out.display());
    }
    std::fs::remove_dir_all(&out_dir).unwrap();
}
