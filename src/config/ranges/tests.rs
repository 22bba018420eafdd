use super::*;

fn run(text: &str) -> Result<(), RangeError> {
    check_table(&toml::from_str(text).expect("valid TOML"))
}

#[test]
fn units_in_names_bound_every_number() {
    assert!(run("duration_s = 86400\n[[links]]\nrtt_ms = 13.7\n").is_ok());
    let e = run("name = \"x\"\n[[links]]\na = \"p\"\nrtt_ms = 1e300\n").unwrap_err();
    assert_eq!(e.field, "links[0].rtt_ms");
    let e = run("[sessions]\nfaults = [{ at_s = 1e20, cluster = \"c\" }]\n").unwrap_err();
    assert_eq!(e.field, "sessions.faults[0].at_s");
    assert!(run("nodes = 1000000\n").is_err());
    assert!(run("mtbf_h = inf\n").is_err());
    assert!(run("seed = 18446744073709551\n").is_ok());
    assert_eq!(
        limit("machine_start_timeout_s"),
        Some((YEAR_S, "s (1 year)"))
    );
    assert_eq!(limit("ms_per_frame").unwrap().0, 10_000.0);
}

#[test]
fn a_link_too_slow_to_time_a_packet_is_refused_and_zero_only_in_a_topology() {
    let e = run("[[links]]\nbandwidth_gbps = 1e-300\n").unwrap_err();
    assert_eq!(e.field, "links[0].bandwidth_gbps");
    assert!(e.message.contains("at least"), "{}", e.message);
    assert!(run("[[links]]\nbandwidth_gbps = 0.0\n").is_ok());
    // In a topology (a file with sites), the range table refuses it.
    let e = run("[[sites]]\n[[links]]\nbandwidth_gbps = 0.0\n").unwrap_err();
    assert_eq!(e.message, "expected a positive number, found 0");
    assert!(run("[[links]]\nbandwidth_gbps = 0.000001\n").is_ok());
    assert!(out_of_range("bitrate_mbps", 1e-9).is_some());
}

#[test]
fn field_bounds_apply_by_path_with_any_index_and_any_depth() {
    let e = run("[sessions]\n[[sessions.applications]]\nshare = 2e6\n").unwrap_err();
    assert_eq!(e.field, "sessions.applications[0].share");
    assert_eq!(
        e.message,
        "expected a number between 0 and 1000000, found 2000000"
    );
    let text =
        "[[sessions.fault_models]]\n[[sessions.fault_models.faults]]\nbandwidth_factor = 0\n";
    let e = run(text).unwrap_err();
    assert_eq!(
        e.field,
        "sessions.fault_models[0].faults[0].bandwidth_factor"
    );
    // The same key elsewhere is not bounded by it.
    assert!(run("[[links]]\nbandwidth_factor = 0\n").is_ok());
    // A conditional bound is left to the validator.
    assert!(run("[sessions.load]\nrate_per_s = 0\n").is_ok());
}

#[test]
fn counts_are_judged_only_as_integers_their_type_holds() {
    let e = run("[sessions]\ncandidates_per_site = 0\n").unwrap_err();
    assert_eq!(e.message, "expected 1 to 10000 clusters");
    // Negative, fractional or too large for u32: the parser says what type it expects.
    assert!(run("[sessions]\ncandidates_per_site = -1\n").is_ok());
    assert!(run("[sessions]\ncandidates_per_site = 0.0\n").is_ok());
    assert!(run("[sessions]\ncandidates_per_site = 5000000000\n").is_ok());
}

#[test]
fn topology_bounds_bind_only_a_topology_and_keep_their_messages() {
    let e = run("[[sites]]\nlat = 91\n").unwrap_err();
    assert_eq!(e.field, "sites[0].lat");
    assert_eq!(e.message, "expected a number between -90 and 90, found 91");
    let e = run("sites = []\n[[clusters]]\nnodes = 0\n").unwrap_err();
    assert_eq!(e.message, "expected at least 1 node, found 0");
    let e = run("sites = []\n[paths.submariner]\nmax_gbps = 0\n").unwrap_err();
    assert_eq!(e.field, "paths.submariner.max_gbps");
    let e = run("sites = []\n[paths.liqo]\nmtu_bytes = 100\n").unwrap_err();
    assert_eq!(
        e.message,
        "expected an MTU between 576 and 9000 bytes, found 100"
    );
    // A plan file's clusters are bounded by its own validator.
    assert!(run("hub = \"h\"\n[[clusters]]\nnodes = 0\n").is_ok());
}

#[test]
fn every_field_pattern_names_its_leaf_key_once() {
    let all: Vec<_> = Scope::Topology.fields().collect();
    for r in &all {
        if let Bound::Real { lo, hi } = r.bound {
            assert!(lo <= hi, "{}", r.path);
        }
        let same = all.iter().filter(|s| s.path == r.path).count();
        assert_eq!(same, 1, "{} is listed twice", r.path);
    }
}

#[test]
fn docs_list_every_field_bound() {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/input.md"))
        .expect("docs/input.md");
    let table = docs::field_table();
    assert!(
        page.contains(&table),
        "docs/input.md is stale: its \"Field bounds\" table should read\n{table}"
    );
}

#[test]
fn an_entry_is_checked_at_its_place_in_its_list() {
    let entry: toml::Table = toml::from_str("lat = 95\n").expect("valid TOML");
    let e = check_entry(Scope::Topology, "sites", 3, &entry).unwrap_err();
    assert_eq!(e.field, "sites[3].lat");
    assert_eq!(e.message, "expected a number between -90 and 90, found 95");
}
