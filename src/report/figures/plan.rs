//! The planner's figure: every candidate plan's daily price against its SLO violation,
//! the cost-SLO frontier, the SLO target and the chosen plan.

use super::canvas::{render, Chart, Drawn, Figure};
use super::panel::{self, Axes};
use super::sessions::Estimate;
use super::style::{distinct, font, line, look, marker, short, Entry, Look, Marker};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One candidate plan as `candidates.csv` reports it.
#[derive(Debug, Clone)]
pub struct CandidateFigures {
    /// Strategy placing the sessions.
    pub strategy: String,
    /// Price of the plan, USD per day.
    pub plan_usd_per_day: f64,
    /// SLO violation ratio over its runs.
    pub slo_violation_ratio: Estimate,
    /// Whether it met the whole SLO (violation and rejection bounds).
    pub meets_slo: bool,
    /// Whether it is the plan chosen.
    pub chosen: bool,
}

/// Everything the plan figure shows.
#[derive(Debug, Clone)]
pub struct PlanFigures {
    /// Candidates in the order tried.
    pub candidates: Vec<CandidateFigures>,
    /// The SLO's bound on the violation ratio.
    pub max_violation_ratio: f64,
}

const FAILS: Look = Look {
    colour: RGBColor(150, 150, 150),
    marker: Marker::Cross,
    dash: None,
};
const FRONT: Look = Look {
    colour: BLACK,
    marker: Marker::Bare,
    dash: Some((9, 4)),
};
const CHOSEN: Look = Look {
    colour: BLACK,
    marker: Marker::Ring,
    dash: None,
};

impl PlanFigures {
    fn strategies(&self) -> Vec<String> {
        distinct(self.candidates.iter().map(|c| &c.strategy))
    }

    fn entries(&self) -> Vec<Entry> {
        let mut e: Vec<Entry> = self
            .strategies()
            .into_iter()
            .enumerate()
            .map(|(i, s)| (format!("{s} (meets the SLO)"), look(i), false))
            .collect();
        e.push(("fails the SLO".into(), FAILS, false));
        e.push((
            "frontier: least violation at this price".into(),
            FRONT,
            true,
        ));
        e.push(("chosen plan".into(), CHOSEN, false));
        e
    }

    /// The frontier: candidates by price, each kept if it violates less than every
    /// cheaper one.
    fn frontier(&self) -> Vec<(f64, f64)> {
        let mut by_cost: Vec<(f64, f64)> = self
            .candidates
            .iter()
            .map(|c| (c.plan_usd_per_day, c.slo_violation_ratio.mean))
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .collect();
        by_cost.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let mut out: Vec<(f64, f64)> = Vec::new();
        for p in by_cost {
            if out.last().is_none_or(|l| p.1 < l.1) {
                if let Some(&l) = out.last() {
                    out.push((p.0, l.1));
                }
                out.push(p);
            }
        }
        out
    }
}

impl PlanFigures {
    /// One panel: the candidates within `y` (all of them, or those near the target).
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        title: &str,
        y: std::ops::Range<f64>,
    ) -> Drawn<DB> {
        let c = &self.candidates;
        let axes = Axes {
            x: panel::range(c.iter().map(|c| c.plan_usd_per_day), false),
            y: y.clone(),
            x_desc: "plan price (USD per day)",
            y_desc: "SLO violation ratio",
            y_ticks: None,
            x_numbers: true,
            x_label_px: panel::X_LABEL_PX,
        };
        let chart = panel::plot(area, title, &axes)?;
        let inside = |v: f64| v >= y.start && v <= y.end;
        let front: Vec<(f64, f64)> = self
            .frontier()
            .into_iter()
            .map(|p| (p.0, p.1.min(y.end)))
            .collect();
        line(chart.plotting_area(), &front, FRONT)?;
        let strategies = self.strategies();
        for cand in c.iter().filter(|c| inside(c.slo_violation_ratio.mean)) {
            let (x, s) = (cand.plan_usd_per_day, cand.slo_violation_ratio);
            let l = if cand.meets_slo {
                look(
                    strategies
                        .iter()
                        .position(|n| *n == cand.strategy)
                        .unwrap_or(0),
                )
            } else {
                FAILS
            };
            let hi = (s.mean + s.ci95).min(y.end);
            panel::error_bar(&chart, false, x, s.mean - s.ci95, hi, l.colour)?;
            marker(chart.plotting_area(), (x, s.mean), l)?;
        }
        let target = format!("SLO target {}", short(self.max_violation_ratio, 4));
        panel::reference(&chart, false, self.max_violation_ratio, &target)?;
        for cand in c
            .iter()
            .filter(|c| c.chosen && inside(c.slo_violation_ratio.mean))
        {
            let at = (cand.plan_usd_per_day, cand.slo_violation_ratio.mean);
            let area = chart.plotting_area();
            area.draw(&(EmptyElement::at(at) + Circle::new((0, 0), 10, BLACK.stroke_width(2))))?;
            let label = format!("chosen: {} USD/day", short(at.0, 2));
            panel::label_beside(&chart, at, &label, font(13))?;
        }
        Ok(())
    }
}

impl Chart for PlanFigures {
    fn size(&self) -> (u32, u32) {
        let labels: Vec<String> = self.entries().into_iter().map(|e| e.0).collect();
        let rows = panel::rows_for(&labels, panel::SINGLE_W);
        let (w, h) = panel::canvas(1, rows);
        (w, h + panel::SINGLE_H * 3 / 4)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let entries = self.entries();
        let areas = panel::frame_in(
            root,
            "Capacity plans tried: price against SLO violation (mean and 95 % CI over runs)",
            &entries,
            2,
            Some((2, 1)),
        )?;
        let all = panel::range(
            self.candidates
                .iter()
                .map(|c| c.slo_violation_ratio.mean + c.slo_violation_ratio.ci95)
                .chain([self.max_violation_ratio * 1.5]),
            true,
        );
        self.panel(&areas[0], "every candidate", all)?;
        let near = 0.0..self.max_violation_ratio * 4.0;
        self.panel(
            &areas[1],
            "near the SLO target (y up to 4 x the target)",
            near,
        )
    }
}

/// `cost_vs_slo`.
pub fn figures(p: &PlanFigures) -> Result<Vec<Figure>, String> {
    Ok(vec![render("cost_vs_slo", p)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(cost: f64, slo: f64, meets: bool) -> CandidateFigures {
        CandidateFigures {
            strategy: "s".into(),
            plan_usd_per_day: cost,
            slo_violation_ratio: Estimate {
                mean: slo,
                ci95: 0.0,
            },
            meets_slo: meets,
            chosen: false,
        }
    }

    #[test]
    fn the_frontier_keeps_only_improvements() {
        let p = PlanFigures {
            candidates: vec![
                cand(10.0, 0.2, false),
                cand(20.0, 0.3, false),
                cand(30.0, 0.01, true),
            ],
            max_violation_ratio: 0.05,
        };
        assert_eq!(p.frontier(), vec![(10.0, 0.2), (30.0, 0.2), (30.0, 0.01)]);
        let svg = &figures(&p).unwrap()[0].svg;
        assert!(svg.contains("SLO target 0.05") && svg.contains("fails the SLO"));
    }
}
