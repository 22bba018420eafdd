//! The planner's search against exhaustive enumeration on `experiments/capacity-slice.toml`
//! (four candidate clusters at 0/2/4/8 nodes: 256 plans per strategy): the best-first
//! search finds the exhaustive optimum for several seeds and both strategies; the
//! relaxation's lower bound is below that optimum; every row of `candidates.csv` says
//! where it came from.

use crate::common;

use common::{csv_rows, fresh_dir, xrplace_ok};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

const SLICE: &str = "experiments/capacity-slice.toml";
const STRATEGIES: [&str; 2] = ["latency-greedy", "network-aware"];

/// The slice with the exhaustive search switched off, written into `dir`.
fn search_only(dir: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join(SLICE))
        .unwrap()
        .replace(
            "../topologies/",
            &format!("{}/", root.join("topologies").display()),
        )
        .replace(
            "sizes_nodes = [0, 2, 4, 8]",
            "sizes_nodes = [0, 2, 4, 8]\nexhaustive_max_plans = 0",
        );
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("slice-search.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Rows of `candidates.csv` as maps from column to cell.
fn rows(dir: &Path) -> Vec<HashMap<String, String>> {
    csv_rows(&dir.join("candidates.csv"))
}

/// The plan's node counts as one string (every `nodes_<cluster>` column, in order).
fn nodes(r: &HashMap<String, String>, names: &[String]) -> String {
    names
        .iter()
        .map(|n| r[n].as_str())
        .collect::<Vec<_>>()
        .join("/")
}

/// Per strategy: the cheapest plan that met the SLO in the search (cost, nodes), and how
/// many plans the search simulated.
fn cheapest(dir: &Path) -> HashMap<String, (f64, String, usize)> {
    let rows = rows(dir);
    let mut names: Vec<String> = rows[0]
        .keys()
        .filter(|k| k.starts_with("nodes_k"))
        .cloned()
        .collect();
    names.sort();
    let mut out = HashMap::new();
    for st in STRATEGIES {
        let mine: Vec<_> = rows
            .iter()
            .filter(|r| r["strategy"] == st && r["phase"] != "holdout")
            .collect();
        let best = mine
            .iter()
            .filter(|r| r["meets_slo"] == "true")
            .min_by(|a, b| {
                let c = |r: &HashMap<String, String>| r["plan_usd_per_day"].parse::<f64>().unwrap();
                c(a).total_cmp(&c(b))
                    .then(a["candidate"].cmp(&b["candidate"]))
            })
            .expect("some plan meets the SLO");
        out.insert(
            st.to_string(),
            (
                best["plan_usd_per_day"].parse().unwrap(),
                nodes(best, &names),
                mine.len(),
            ),
        );
    }
    out
}

/// Runs `xrplace plan EXPERIMENT --out OUT --quiet` with `extra` flags.
fn plan(experiment: &Path, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "plan",
        experiment.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    args.extend(extra);
    xrplace_ok(&args);
}

fn plan_cost(dir: &Path) -> toml::Table {
    let text = std::fs::read_to_string(dir.join("plan.toml")).unwrap();
    let plan: toml::Table = toml::from_str(&text).unwrap();
    plan["cost"].as_table().unwrap().clone()
}

#[test]
fn best_first_search_finds_the_exhaustive_optimum() {
    let dir = fresh_dir("planner-slice");
    let variant = search_only(&dir);
    for seed in 1..=6 {
        let seed = seed.to_string();
        let all = dir.join(format!("all-{seed}"));
        let some = dir.join(format!("search-{seed}"));
        plan(Path::new(SLICE), &all, &["--seed", &seed]);
        plan(&variant, &some, &["--seed", &seed]);
        let (optimum, searched) = (cheapest(&all), cheapest(&some));
        for st in STRATEGIES {
            let (o, s) = (&optimum[st], &searched[st]);
            // 256 plans and the naive one, which is one of them: each simulated once.
            assert_eq!(o.2, 256, "seed {seed}, {st}: every plan once");
            assert!(
                s.2 < 128,
                "seed {seed}, {st}: a search, not an enumeration ({})",
                s.2
            );
            assert_eq!((o.0, &o.1), (s.0, &s.1), "seed {seed}, {st}");
        }
        // Exhaustive: the bound is the optimum over both strategies.
        let cost = plan_cost(&all);
        assert_eq!(cost["lower_bound"].as_str(), Some("exhaustive"));
        let best = STRATEGIES
            .iter()
            .map(|st| optimum[*st].0)
            .fold(f64::INFINITY, f64::min);
        let bound = cost["lower_bound_usd_per_day"].as_float().unwrap();
        assert!(
            (bound - best).abs() < 0.011,
            "seed {seed}: {bound} vs {best}"
        );
        // The relaxation's bound holds: below the true optimum.
        let relaxed = plan_cost(&some);
        let how = relaxed["lower_bound"].as_str().unwrap();
        assert!(
            ["relaxation", "milp", "milp-node-limit"].contains(&how),
            "seed {seed}: {how}"
        );
        let r = relaxed["lower_bound_usd_per_day"].as_float().unwrap();
        assert!(
            r > 0.0 && r <= best,
            "seed {seed}: relaxation {r} above the optimum {best}"
        );
        let usd = relaxed["plan_usd_per_day"].as_float().unwrap();
        let gap = relaxed["gap_ratio"].as_float().unwrap();
        assert!((gap - (usd - r) / usd).abs() < 1e-3);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn candidates_say_where_they_came_from_and_how_many_runs_they_got() {
    let dir = fresh_dir("planner-rows");
    let variant = search_only(&dir);
    let out = dir.join("out");
    plan(&variant, &out, &[]);
    let rows = rows(&out);
    let mut seen = HashSet::new();
    let mut extra_runs = 0;
    for r in &rows {
        let id: u32 = r["candidate"].parse().unwrap();
        let runs: u32 = r["runs"].parse().unwrap();
        // runs = 3 in the file; the sequential rule adds 3 at a time up to 6.
        assert!(runs == 3 || runs == 6, "candidate {id}: {runs} runs");
        extra_runs += usize::from(runs == 6);
        match r["phase"].as_str() {
            "naive" => assert!(r["parent"].is_empty()),
            _ => {
                let parent: u32 = r["parent"].parse().unwrap();
                assert!(parent < id, "candidate {id} from a later plan {parent}");
                assert!(!r["move"].is_empty());
            }
        }
        if r["phase"] != "holdout" {
            let names: Vec<&String> = r.keys().filter(|k| k.starts_with("nodes_k")).collect();
            let mut key: Vec<String> = names.iter().map(|n| format!("{n}={}", r[*n])).collect();
            key.sort();
            key.push(r["strategy"].clone());
            assert!(seen.insert(key), "candidate {id} simulated twice");
        }
    }
    assert!(
        extra_runs > 0,
        "no plan was near enough to the SLO to get more runs"
    );
    let moves: HashSet<String> = rows
        .iter()
        .filter_map(|r| r["move"].split(' ').next().map(String::from))
        .collect();
    // Shrinks, and a move of several clusters at once (a combination of shrinks or an
    // exchange: which one the search reaches depends on the SLO margins it meets).
    assert!(moves.contains("shrink"), "no shrink move in {moves:?}");
    assert!(
        moves.contains("combine") || moves.contains("exchange"),
        "no move of several clusters in {moves:?}"
    );
    // Same outputs on one thread.
    let one = dir.join("one");
    plan(&variant, &one, &["--threads", "1"]);
    for f in ["candidates.csv", "plan.toml"] {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(one.join(f)).unwrap(),
            "{f}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_budget_the_naive_plans_spend_whole_ends_the_search_without_a_panic() {
    // Two strategies, two plans: each strategy's share is its naive plan, and the warm
    // start finds no budget left (it indexed an empty answer before).
    let dir = fresh_dir("planner-tiny");
    let variant = search_only(&dir);
    let out = dir.join("out");
    plan(&variant, &out, &["--set", "plan.max_candidates=2"]);
    let searched: Vec<_> = rows(&out)
        .into_iter()
        .filter(|r| r["phase"] != "holdout")
        .collect();
    assert_eq!(searched.len(), 2);
    assert!(searched.iter().all(|r| r["phase"] == "naive"));
    assert!(out.join("plan.toml").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
