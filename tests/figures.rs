//! Every figure of every shipped experiment kind: drawn in SVG and PNG, every text inside
//! its canvas, the SLO line where the experiment has a budget, every series named in the
//! legend. Runs are shortened with `--set` (the figures' layout does not depend on the
//! number of runs or the simulated duration).

use crate::common;
use common::{fresh_dir, xrplace_ok};
use std::path::Path;
use xrplace::report::figures::check::{texts_of, texts_outside};

/// Runs `args` into a fresh folder and returns it.
fn run(tag: &str, args: &[&str]) -> std::path::PathBuf {
    let dir = fresh_dir(tag);
    let mut all: Vec<&str> = args.to_vec();
    let out = dir.to_string_lossy().into_owned();
    all.extend(["--quiet", "--out", &out]);
    xrplace_ok(&all);
    dir
}

/// The SVG of figure `stem` in `dir`, after checking both files.
fn figure(dir: &Path, stem: &str) -> String {
    let svg = std::fs::read_to_string(dir.join(format!("plots/{stem}.svg")))
        .unwrap_or_else(|e| panic!("{}: {stem}.svg: {e}", dir.display()));
    let png = std::fs::read(dir.join(format!("plots/{stem}.png"))).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{stem}.png is a PNG");
    let outside = texts_outside(&svg);
    assert!(
        outside.is_empty(),
        "{}: {stem}: text off the canvas: {outside:?}",
        dir.display()
    );
    svg
}

fn legend_names(svg: &str, names: &[&str]) {
    for n in names {
        assert!(
            svg.contains(&format!(">{n}</text>")) || svg.contains(&format!("\n{n}\n</text>")),
            "{n} named"
        );
    }
}

#[test]
fn session_figures_show_every_strategy_the_slo_and_fit() {
    let cases: [(&str, &[&str], &str, &[&str]); 4] = [
        (
            "strategies-eu",
            &["--set", "runs=2", "--set", "duration_s=1800"],
            "15",
            &["cloud-only", "network-aware", "local-search"],
        ),
        (
            "sweep-eu",
            &["--set", "runs=1", "--set", "duration_s=1800"],
            "15",
            &["latency-greedy"],
        ),
        (
            "control-eu",
            &["--set", "runs=1", "--set", "duration_s=21600"],
            "",
            &[],
        ),
        ("geant", &["--set", "runs=1"], "", &[]),
    ];
    for (name, set, slo, strategies) in cases {
        let exp = format!("experiments/{name}.toml");
        let mut args = vec!["run", exp.as_str()];
        args.extend_from_slice(set);
        let dir = run(name, &args);
        let cdf = figure(&dir, "latency_cdf");
        let cost = figure(&dir, "slo_vs_cost");
        assert!(
            cdf.contains("SLO ") && cdf.contains(" ms"),
            "{name}: the budget is drawn"
        );
        if !slo.is_empty() {
            assert!(cdf.contains(&format!("SLO {slo} ms")), "{name}");
        }
        assert!(
            texts_of(&cdf).iter().any(|t| t == "0.999"),
            "{name}: the tail is shown"
        );
        assert!(cost.contains("rej "), "{name}: rejections are shown");
        legend_names(&cdf, strategies);
        legend_names(&cost, strategies);
    }
}

#[test]
fn the_study_figures_are_drawn_for_streaming_and_provisioning() {
    let dir = run(
        "paper-streaming",
        &["run", "experiments/paper-streaming.toml", "--set", "runs=1"],
    );
    let boxes = figure(&dir, "latency_box");
    legend_names(&boxes, &["sce1", "sce2", "sce3", "sce4", "sce5"]);
    figure(&dir, "resources");
    let q = std::fs::read_to_string(dir.join("latency_quantiles.csv")).unwrap();
    assert!(q.starts_with("scenario,run,q,latency_ms\n") && q.contains(",0.999,"));
    let dir = run(
        "paper-capi",
        &["run", "experiments/paper-capi.toml", "--set", "runs=2"],
    );
    legend_names(&figure(&dir, "provisioning_time"), &["kubeadm", "k3s"]);
    let dir = run(
        "liqo-peering",
        &["run", "experiments/liqo-peering.toml", "--set", "runs=1"],
    );
    figure(&dir, "latency_box");
}

#[test]
fn the_plan_figure_shows_the_frontier_the_target_and_the_choice() {
    let dir = run(
        "capacity-slice",
        &["plan", "experiments/capacity-slice.toml"],
    );
    let svg = figure(&dir, "cost_vs_slo");
    assert!(svg.contains("SLO target") && svg.contains("frontier"));
    if dir.join("plan.toml").exists() {
        assert!(svg.contains("chosen: "), "the chosen plan is marked");
    }
}
