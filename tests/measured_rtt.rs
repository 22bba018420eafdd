//! Measured RTT matrices (issue 29): a topology's `routing.measured_rtt_csv` overrides the
//! distance model link by link, everywhere routes are taken (routes, `rtt_from`, the
//! nearest-site search, the session world), counts as an input of the outputs that record
//! them (meta.toml, the sweep hash of shards), and `check` measures the distance model
//! against it. Every file here is synthetic, written by the test: no measured RTT CSV is
//! shipped (docs/topologies.md says why).

use crate::common;

use common::{column, fresh_dir, stderr, xrplace, xrplace_ok};
use std::path::{Path, PathBuf};
use xrplace::config::load_topology;
use xrplace::model::nearest::NearestSites;
use xrplace::model::{SiteId, Topology};

/// Frankfurt (a cloud region with one cluster), Geneva and Lisbon, one measured link
/// Frankfurt-Geneva; `routing` is written into its `[routing]` table.
fn topology(routing: &str) -> String {
    format!(
        r#"name = "t"
[routing]
{routing}

[[sites]]
name = "frankfurt"
lat = 50.110
lon = 8.682
tier = "cloud"

[[sites]]
name = "geneva"
lat = 46.204
lon = 6.143
tier = "edge"

[[sites]]
name = "lisbon"
lat = 38.722
lon = -9.139
tier = "edge"

[[clusters]]
name = "k8s-frankfurt"
site = "frankfurt"
nodes = 10
vcpu_per_node = 8
memory_gib_per_node = 32
distribution = "kubeadm"
provider = "openstack"

[[links]]
a = "frankfurt"
b = "geneva"
rtt_ms = 13.7
jitter_ms = 1.5
bandwidth_gbps = 10
"#
    )
}

/// A scratch folder holding `files` (relative path, text).
fn folder(tag: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = fresh_dir(&format!("measured-rtt-{tag}"));
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

const CSV: &str = "# synthetic, written by tests/measured_rtt.rs\n\
                   site_a,site_b,rtt_ms,rtt_sd_ms,bandwidth_gbps\n\
                   geneva,frankfurt,14.5,1.2,\n\
                   geneva,lisbon,20.0,2.0,\n";

#[test]
fn a_row_replaces_its_link_or_adds_one_and_every_route_search_uses_it() {
    let dir = folder(
        "lib",
        &[
            (
                "topologies/t.toml",
                &topology("measured_rtt_csv = \"../data/rtt.csv\""),
            ),
            ("data/rtt.csv", CSV),
        ],
    );
    let cfg = load_topology(&dir.join("topologies/t.toml")).unwrap();
    assert_eq!(cfg.links.len(), 2, "one replaced, one added");
    let fg = &cfg.links[0];
    // The row gives no bandwidth: the link keeps its 10 Gbit/s.
    assert_eq!(
        (fg.rtt_ms, fg.jitter_ms, fg.bandwidth_gbps),
        (14.5, 1.2, 10.0)
    );
    let gl = &cfg.links[1];
    assert_eq!((gl.a.as_str(), gl.b.as_str()), ("geneva", "lisbon"));
    // A new link without a bandwidth gets routing.derived_bandwidth_gbps (default 10).
    assert_eq!(
        (gl.rtt_ms, gl.jitter_ms, gl.bandwidth_gbps),
        (20.0, 2.0, 10.0)
    );
    let t = Topology::from_config(&cfg);
    let (fra, lis) = (SiteId(0), SiteId(2));
    let r = t.route(fra, lis).unwrap();
    // 14.5 + 20 ms along the measured chain; sqrt(1.2^2 + 2^2) = 2.332 ms.
    assert!(!r.derived);
    assert!((r.rtt_ms - 34.5).abs() < 1e-9, "{r:?}");
    assert!((r.jitter_ms - (1.2f64.powi(2) + 4.0).sqrt()).abs() < 1e-9);
    let rtts = t.rtt_from(fra);
    assert!(
        (rtts[2] - 34.5).abs() < 1e-9 && (rtts[1] - 14.5).abs() < 1e-9,
        "{rtts:?}"
    );
    let near = NearestSites::new(&t);
    let mut sc = near.scratch();
    let mut seen = Vec::new();
    near.visit(&mut sc, fra, |s, rtt| {
        seen.push((s.0, rtt));
        true
    });
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[2].0, 2);
    assert!((seen[2].1 - 34.5).abs() < 1e-9, "{seen:?}");
    // Without the CSV, Lisbon's RTT comes from distance: 1 + 2.5 x 2 x 1,890 km / 200 =
    // 48.3 ms.
    std::fs::write(dir.join("topologies/plain.toml"), topology("")).unwrap();
    let plain = Topology::from_config(&load_topology(&dir.join("topologies/plain.toml")).unwrap());
    let r = plain.route(fra, lis).unwrap();
    assert!(r.derived && (45.0..50.0).contains(&r.rtt_ms), "{r:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn measured_pairs_count_when_every_site_must_be_reached_by_links() {
    let strict = "derive_missing_rtt = false\nmeasured_rtt_csv = \"rtt.csv\"";
    let dir = folder("reach", &[("t.toml", &topology(strict)), ("rtt.csv", CSV)]);
    load_topology(&dir.join("t.toml")).expect("Lisbon is joined by a measured row");
    std::fs::write(
        dir.join("rtt.csv"),
        "site_a,site_b,rtt_ms,rtt_sd_ms\nfrankfurt,geneva,14,1\n",
    )
    .unwrap();
    let e = load_topology(&dir.join("t.toml")).unwrap_err();
    assert_eq!(e.field, "sites[2].name");
    assert!(
        e.message.contains("unreachable") && e.message.contains("measured_rtt_csv"),
        "{e}"
    );
    // A CSV that cannot be read is reported where the topology names it.
    std::fs::remove_file(dir.join("rtt.csv")).unwrap();
    let e = load_topology(&dir.join("t.toml")).unwrap_err();
    assert_eq!((e.line, e.field.as_str()), (4, "routing.measured_rtt_csv"));
    assert!(
        e.message.contains("rtt.csv: cannot read measured RTT CSV"),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A session experiment whose only users arrive at Lisbon, served by the Frankfurt cloud.
const EXPERIMENT: &str = r#"name = "measured-rtt"
duration_s = 3600
runs = 1
seed = 7

[sessions]
topology = "topologies/t.toml"
strategies = ["cloud-only"]
slo_latency_ms = 15

[sessions.load]
kind = "trace"
trace = "arrivals.csv"

[[sessions.applications]]
name = "cloud-vr"
share = 1.0
mean_duration_s = 900
cpu_cores = 2.0
memory_mib = 3072
ms_per_frame = 4.0
frame_rate_fps = 72
bitrate_mbps = 50
protocol = "udp"
"#;

fn arrivals() -> String {
    let mut t = String::from("time_s,access_site,application,duration_s\n");
    for i in 1..=20 {
        t.push_str(&format!("{},lisbon,cloud-vr,600\n", i * 60));
    }
    t
}

/// The mean session latency p50 of a run's `runs.csv`, ms.
fn latency_p50_ms(out: &Path) -> f64 {
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let v = column(&runs, "latency_p50_ms");
    assert_eq!(v.len(), 1, "{runs}");
    v[0].1
}

#[test]
fn a_measured_pair_changes_the_rtt_a_session_experiment_sees() {
    // Lisbon-Frankfurt measured at 60 ms (with the derived links' 0.5 ms deviation, so only
    // the RTT differs) instead of the distance model's 48.3 ms.
    let csv = "site_a,site_b,rtt_ms,rtt_sd_ms\nlisbon,frankfurt,60,0.5\n";
    let arrivals = arrivals();
    let dir = folder(
        "e2e",
        &[
            ("e.toml", EXPERIMENT),
            ("arrivals.csv", &arrivals),
            (
                "topologies/t.toml",
                &topology("measured_rtt_csv = \"../data/rtt.csv\""),
            ),
            ("data/rtt.csv", csv),
            (
                "plain/e.toml",
                &EXPERIMENT.replace("trace = \"", "trace = \"../"),
            ),
            ("plain/topologies/t.toml", &topology("")),
        ],
    );
    let run = |exp: &Path, out: &Path| {
        xrplace_ok(&[
            "run",
            exp.to_str().unwrap(),
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]);
    };
    let (measured, derived) = (dir.join("out-measured"), dir.join("out-derived"));
    run(&dir.join("e.toml"), &measured);
    run(&dir.join("plain/e.toml"), &derived);
    let model =
        Topology::from_config(&load_topology(&dir.join("plain/topologies/t.toml")).unwrap())
            .route(SiteId(2), SiteId(0))
            .unwrap()
            .rtt_ms;
    // Same arrivals, same cluster, same load: the latency moves by the RTT's change,
    // 60 - 48.3 ms.
    let moved = latency_p50_ms(&measured) - latency_p50_ms(&derived);
    assert!(
        (moved - (60.0 - model)).abs() < 0.5,
        "p50 moved by {moved} ms; the RTT by {} ms",
        60.0 - model
    );
    // meta.toml records the CSV as an input, relative to the experiment (not
    // `topologies/../data/rtt.csv`), and a rerun from it gives the same table.
    let meta = std::fs::read_to_string(measured.join("meta.toml")).unwrap();
    assert!(meta.contains("path = \"data/rtt.csv\""), "{meta}");
    let again = dir.join("out-again");
    xrplace_ok(&[
        "run",
        "--from-meta",
        measured.join("meta.toml").to_str().unwrap(),
        "--quiet",
        "--out",
        again.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read(measured.join("runs.csv")).unwrap(),
        std::fs::read(again.join("runs.csv")).unwrap()
    );
    // Shards tell sweeps apart by a hash that covers the measured RTTs.
    let hash = || {
        let e = xrplace::config::load_experiment(&dir.join("e.toml")).unwrap();
        xrplace::experiment::provenance::sweep_hash(&e)
    };
    let before = hash();
    std::fs::write(dir.join("data/rtt.csv"), csv.replace(",60,", ",61,")).unwrap();
    assert_ne!(before, hash(), "an edited RTT CSV is another sweep");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_measures_the_distance_model_against_the_csv() {
    // fra-gva.toml's sites with Frankfurt-Geneva measured at 13.74 ms: their coordinates are
    // 473.3 km apart (haversine), so the model gives 1 + 2.5 x 2 x 473.3 / 200 = 12.83 ms,
    // (13.74 - 12.83) / 13.74 = 6.6 % below.
    let fra_gva = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("topologies/fra-gva.toml"),
    )
    .unwrap();
    // The distance model does not look at links: the shipped link stays.
    let text = format!("{fra_gva}\n[routing]\nmeasured_rtt_csv = \"m.csv\"\n");
    let dir = folder(
        "check",
        &[
            ("t.toml", &text),
            (
                "m.csv",
                "site_a,site_b,rtt_ms,rtt_sd_ms\nfrankfurt,geneva,13.74,1.5\n",
            ),
        ],
    );
    let t = dir.join("t.toml");
    let o = xrplace(&["check", t.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("measured RTTs of 1 site pair from")
            && out.contains("median error 6.6 %, p90 6.6 %")
            && out.contains("below the measured RTT on 1 of 1 pairs"),
        "{out}"
    );
    // Given to `check` on its own, the CSV is named for what it is.
    let o = xrplace(&["check", dir.join("m.csv").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("routing.measured_rtt_csv"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

    /// Random rows after a valid or a mangled header: an error or pairs that fold into the
    /// topology's links and give finite routes, never a panic (the fuzz target
    /// `tests/fuzz/fuzz_targets/measured_rtt.rs` does the same with any bytes).
    #[test]
    fn any_text_is_refused_or_gives_finite_routes(
        header in proptest::sample::select(vec![
            "site_a,site_b,rtt_ms,rtt_sd_ms\n",
            "site_b,rtt_sd_ms,site_a,rtt_ms,bandwidth_gbps\n",
            "site_a,site_b,rtt_ms\n",
            "",
        ]),
        rows in proptest::collection::vec(
            (
                proptest::sample::select(vec!["frankfurt", "geneva", "lisbon", "bern", "", " lisbon"]),
                proptest::sample::select(vec!["frankfurt", "geneva", "lisbon", "x,y"]),
                proptest::sample::select(vec!["13.7", "0", "-1", "nan", "inf", "1e308", "1e-300", "abc", ""]),
                proptest::sample::select(vec!["0.5", "0", "-0.0", "1e4", "1e5", ""]),
                proptest::sample::select(vec!["", ",", ",40", ",0", ",1e9"]),
            ),
            0..6,
        ),
    ) {
        let mut text = String::from(header);
        for (a, b, rtt, sd, bw) in rows {
            text.push_str(&format!("{a},{b},{rtt},{sd}{bw}\n"));
        }
        let mut cfg: xrplace::config::TopologyConfig = toml::from_str(&topology("")).unwrap();
        let sites = xrplace::config::check::index_by_name(&cfg.sites, |s| &s.name);
        if let Ok(rows) =
            xrplace::config::measured_rtt::parse_measured_rtts(Path::new("p.csv"), &text, &sites)
        {
            xrplace::config::measured_rtt::apply_measured_rtts(&mut cfg, &rows);
            let t = Topology::from_config(&cfg);
            for r in t.rtt_from(SiteId(0)) {
                proptest::prop_assert!(r.is_finite() && r >= 0.0);
            }
        }
    }
}
