//! Tests of the plan figure: the frontier, coinciding markers, failures and their labels.

use super::*;

fn cand(strategy: &str, cost: f64, slo: f64, fails_on: &[Failure]) -> CandidateFigures {
    CandidateFigures {
        strategy: strategy.into(),
        plan_usd_per_day: cost,
        slo_violation_ratio: Estimate {
            mean: slo,
            ci95: 0.0,
        },
        fails_on: fails_on.to_vec(),
        chosen: false,
    }
}

fn figure(candidates: Vec<CandidateFigures>) -> PlanFigures {
    PlanFigures {
        candidates,
        max_violation_ratio: 0.05,
        max_p95_latency_ms: 15.0,
        max_rejected_ratio: 0.005,
    }
}

/// The x of every element of the SVG that starts with `start` and has `attr`, in order,
/// read from attribute `x_attr` (a circle's `cx`, a polygon's first point).
fn xs(svg: &str, start: &str, attr: &str, x_attr: &str) -> Vec<i32> {
    svg.split(start)
        .skip(1)
        .map(|e| &e[..e.find('>').unwrap()])
        .filter(|e| e.contains(attr))
        .map(|e| {
            let v = &e[e.find(x_attr).unwrap() + x_attr.len()..];
            v[..v.find([',', '"']).unwrap()].parse().unwrap()
        })
        .collect()
}

/// Whether the SVG writes `text` as a whole text element.
fn has_text(svg: &str, text: &str) -> bool {
    svg.contains(&format!(">\n{text}\n</text>"))
}

#[test]
fn the_frontier_keeps_only_improvements() {
    let p = figure(vec![
        cand("s", 10.0, 0.2, &[Failure::Violation]),
        cand("s", 20.0, 0.3, &[Failure::Violation]),
        cand("s", 30.0, 0.01, &[]),
    ]);
    assert_eq!(p.frontier(), vec![(10.0, 0.2), (30.0, 0.2), (30.0, 0.01)]);
    assert_eq!(p.frontier_members(), vec![0, 2]);
    let svg = &figures(&p).unwrap()[0].svg;
    assert!(svg.contains("SLO target 0.05"));
    assert!(has_text(svg, "fails the SLO: violation over target"));
    // No plan fails on p95 or rejections: no legend entry for them.
    assert!(!svg.contains("rejected over") && !svg.contains("p95 over"));
}

#[test]
fn two_strategies_at_one_plan_are_both_seen() {
    // Both strategies reach the plan at 50 USD/day with no violation: strategy a's blue
    // circle and strategy b's vermillion triangle would be drawn at one pixel.
    let p = figure(vec![
        cand("a", 40.0, 0.2, &[Failure::Violation]),
        cand("a", 50.0, 0.0, &[]),
        cand("b", 50.0, 0.0, &[]),
    ]);
    let svg = &figures(&p).unwrap()[0].svg;
    // The legend's sample first, then one per panel.
    let circles = xs(svg, "<circle", "fill=\"#0072B2\"", "cx=\"");
    let triangles = xs(svg, "<polygon", "fill=\"#D55E00\"", "points=\"");
    assert_eq!((circles.len(), triangles.len()), (3, 3), "{svg}");
    for (c, t) in circles[1..].iter().zip(&triangles[1..]) {
        // Set apart by more than a marker's width, so neither hides the other.
        assert!(
            (c - t).abs() > 2 * MARKER_PX,
            "circle at {c}, triangle at {t}"
        );
    }
}

#[test]
fn a_plan_failing_on_rejections_says_so() {
    // The cheapest plan violates least (0.001 < 0.05) but rejects 1.34 % of arrivals
    // (> 0.5 %): the frontier starts at it, so it is labelled with its rejections.
    let p = figure(vec![
        cand(
            "s",
            10.0,
            0.001,
            &[Failure::Rejected {
                ratio: 0.0134,
                ci95: 0.002,
            }],
        ),
        cand(
            "s",
            20.0,
            0.02,
            &[Failure::P95 {
                ms: 16.24,
                ci95_ms: 0.5,
            }],
        ),
        cand("s", 30.0, 0.0, &[]),
    ]);
    let svg = &figures(&p).unwrap()[0].svg;
    assert!(has_text(svg, "fails the SLO: rejected over 0.5%"), "{svg}");
    assert!(has_text(svg, "fails the SLO: p95 over 15 ms"));
    assert!(has_text(svg, "rej 1.3%"));
    // Not on the frontier (30 USD/day violates less): its marker, no label.
    assert!(!svg.contains("p95 16.2 ms"));
    assert_eq!(
        p.look_of(&p.candidates[0], &p.strategies()).marker,
        Marker::OpenSquare
    );
    assert_eq!(
        p.look_of(&p.candidates[1], &p.strategies()).marker,
        Marker::OpenTriangle
    );
}

#[test]
fn failures_are_labelled_only_below_the_chosen_price() {
    let rejects = |ratio| {
        [Failure::Rejected {
            ratio,
            ci95: 0.0003,
        }]
    };
    // At 10 USD/day: mean 0.49 % within the 0.5 % bound, failing on the interval's upper
    // end (0.52 %), so the label gives both. At 40: on the frontier (violation 0 under
    // the chosen plan's 0.002) but dearer than the chosen plan at 30: no label.
    let mut chosen = cand("s", 30.0, 0.002, &[]);
    chosen.chosen = true;
    let p = figure(vec![
        cand("s", 10.0, 0.003, &rejects(0.0049)),
        chosen,
        cand("s", 40.0, 0.0, &rejects(0.02)),
    ]);
    assert_eq!(p.frontier_members(), vec![0, 1, 2]);
    let svg = &figures(&p).unwrap()[0].svg;
    assert!(has_text(svg, "rej 0.49±0.03%"), "{svg}");
    assert!(!svg.contains("rej 2%"));
}
