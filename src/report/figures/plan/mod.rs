//! The planner's figure: every candidate plan's daily price against its SLO violation,
//! the cost-SLO frontier, the SLO target and the chosen plan.

use super::canvas::{render, Chart, Drawn, Figure};
use super::panel::{self, Axes};
use super::sessions::Estimate;
use super::style::{distinct, font, line, look, marker, short, Entry, Look, Marker, MARKER_PX};
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
    /// The SLO's bounds it misses, in the order violation, p95, rejections (empty: it
    /// meets the SLO).
    pub fails_on: Vec<Failure>,
    /// Whether it is the plan chosen.
    pub chosen: bool,
}

/// A bound of the SLO a candidate misses (as the SLO judges it: by the mean, or by the
/// upper end of the 95 % interval), with its mean and half-width over runs for the label.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Failure {
    /// SLO violation ratio over `max_violation_ratio` (what the y axis shows).
    Violation,
    /// p95 latency over `max_p95_latency_ms`.
    P95 {
        /// Its mean over runs, ms.
        ms: f64,
        /// Its 95 % half-width, ms.
        ci95_ms: f64,
    },
    /// Share of arrivals rejected over `max_rejected_ratio`.
    Rejected {
        /// Its mean over runs (0-1).
        ratio: f64,
        /// Its 95 % half-width.
        ci95: f64,
    },
}

impl Failure {
    /// The look of a candidate failing first on this bound: grey, one marker per bound.
    fn look(self) -> Look {
        let marker = match self {
            Failure::Violation => Marker::Cross,
            Failure::P95 { .. } => Marker::OpenTriangle,
            Failure::Rejected { .. } => Marker::OpenSquare,
        };
        Look { marker, ..FAILS }
    }

    /// Its short label beside a point (`rej 1.3%`, `p95 16.2 ms`) against the figure's
    /// bounds; none for the violation, which the point's height shows. A mean within its
    /// bound fails on the upper end of its interval, so the label gives both
    /// (`rej 0.49±0.03%`).
    fn label(self, f: &PlanFigures) -> Option<String> {
        let (name, mean, ci, bound, scale, unit) = match self {
            Failure::Violation => return None,
            Failure::P95 { ms, ci95_ms } => ("p95", ms, ci95_ms, f.max_p95_latency_ms, 1.0, " ms"),
            Failure::Rejected { ratio, ci95 } => {
                ("rej", ratio, ci95, f.max_rejected_ratio, 100.0, "%")
            }
        };
        Some(if mean <= bound {
            let (m, c) = (short(mean * scale, 2), short(ci * scale, 2));
            format!("{name} {m}±{c}{unit}")
        } else {
            format!("{name} {}{unit}", short(mean * scale, 1))
        })
    }
}

/// Everything the plan figure shows.
#[derive(Debug, Clone)]
pub struct PlanFigures {
    /// Candidates in the order tried.
    pub candidates: Vec<CandidateFigures>,
    /// The SLO's bound on the violation ratio.
    pub max_violation_ratio: f64,
    /// The SLO's bound on the p95 latency, ms.
    pub max_p95_latency_ms: f64,
    /// The SLO's bound on the share of arrivals rejected.
    pub max_rejected_ratio: f64,
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

/// Colour of the label naming a failure: darker than the grey markers, to be read.
const FAILURE_TEXT: RGBColor = RGBColor(90, 90, 90);

/// How far apart markers at one place are set, px: a marker's width and a gap.
const DODGE_PX: i32 = 2 * MARKER_PX + 3;

/// A candidate as drawn: its index, where (data units, after dodging) and its look.
struct Placed {
    index: usize,
    at: (f64, f64),
    look: Look,
}

impl PlanFigures {
    fn strategies(&self) -> Vec<String> {
        distinct(self.candidates.iter().map(|c| &c.strategy))
    }

    /// The look of candidate `c`: its strategy's if it meets the SLO, else the grey marker
    /// of the first bound it misses.
    fn look_of(&self, c: &CandidateFigures, strategies: &[String]) -> Look {
        match c.fails_on.first() {
            Some(f) => f.look(),
            None => look(self.series_of(c, strategies)),
        }
    }

    /// The legend entry `c` is drawn as: its strategy's index if it meets the SLO, else
    /// one past the strategies for each bound (violation, p95, rejections).
    fn series_of(&self, c: &CandidateFigures, strategies: &[String]) -> usize {
        let strategy = || {
            strategies
                .iter()
                .position(|n| *n == c.strategy)
                .unwrap_or(0)
        };
        match c.fails_on.first() {
            None => strategy(),
            Some(Failure::Violation) => strategies.len(),
            Some(Failure::P95 { .. }) => strategies.len() + 1,
            Some(Failure::Rejected { .. }) => strategies.len() + 2,
        }
    }

    fn entries(&self) -> Vec<Entry> {
        let mut e: Vec<Entry> = self
            .strategies()
            .into_iter()
            .enumerate()
            .map(|(i, s)| (format!("{s} (meets the SLO)"), look(i), false))
            .collect();
        let firsts: Vec<Failure> = self
            .candidates
            .iter()
            .filter_map(|c| c.fails_on.first().copied())
            .collect();
        let bounds = [
            (Failure::Violation, "violation over target".to_string()),
            (
                Failure::P95 {
                    ms: 0.0,
                    ci95_ms: 0.0,
                },
                format!("p95 over {} ms", short(self.max_p95_latency_ms, 2)),
            ),
            (
                Failure::Rejected {
                    ratio: 0.0,
                    ci95: 0.0,
                },
                format!(
                    "rejected over {}%",
                    short(self.max_rejected_ratio * 100.0, 2)
                ),
            ),
        ];
        for (bound, what) in bounds {
            let same = |f: &Failure| std::mem::discriminant(f) == std::mem::discriminant(&bound);
            if firsts.iter().any(same) {
                e.push((format!("fails the SLO: {what}"), bound.look(), false));
            }
        }
        e.push((
            "frontier: least violation at this price".into(),
            FRONT,
            true,
        ));
        e.push(("chosen plan".into(), CHOSEN, false));
        e
    }

    /// The candidates on the frontier, by price: each violates less than every cheaper
    /// one (ties in price: the least violation first).
    fn frontier_members(&self) -> Vec<usize> {
        let point = |i: usize| {
            let c = &self.candidates[i];
            (c.plan_usd_per_day, c.slo_violation_ratio.mean)
        };
        let mut by_cost: Vec<usize> = (0..self.candidates.len())
            .filter(|&i| point(i).0.is_finite() && point(i).1.is_finite())
            .collect();
        by_cost.sort_by(|&a, &b| {
            let (a, b) = (point(a), point(b));
            a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1))
        });
        let mut out: Vec<usize> = Vec::new();
        for i in by_cost {
            if out.last().is_none_or(|&l| point(i).1 < point(l).1) {
                out.push(i);
            }
        }
        out
    }

    /// The frontier as a staircase: each member, reached level from the one before.
    fn frontier(&self) -> Vec<(f64, f64)> {
        let mut out: Vec<(f64, f64)> = Vec::new();
        for i in self.frontier_members() {
            let c = &self.candidates[i];
            let p = (c.plan_usd_per_day, c.slo_violation_ratio.mean);
            if let Some(&l) = out.last() {
                out.push((p.0, l.1));
            }
            out.push(p);
        }
        out
    }

    /// The candidates within `y` as drawn on `chart`, in drawing order: first those failing
    /// the SLO, then those meeting it on top, so a grey marker never hides a plan that
    /// meets it. Within each layer, markers of different legend entries that would sit on
    /// one another are set side by side ([`panel::dodge`]), so two strategies that reach
    /// the same plan both show.
    fn placed<DB: DrawingBackend>(
        &self,
        chart: &panel::Plot<DB>,
        y: &std::ops::Range<f64>,
    ) -> Vec<Placed> {
        let strategies = self.strategies();
        let (meeting, failing): (Vec<usize>, Vec<usize>) = (0..self.candidates.len())
            .filter(|&i| (y.start..=y.end).contains(&self.candidates[i].slo_violation_ratio.mean))
            .partition(|&i| self.candidates[i].fails_on.is_empty());
        let at = |i: usize| {
            let c = &self.candidates[i];
            (c.plan_usd_per_day, c.slo_violation_ratio.mean)
        };
        let mut out = Vec::new();
        for layer in [failing, meeting] {
            let px: Vec<((i32, i32), usize)> = layer
                .iter()
                .map(|&i| {
                    let series = self.series_of(&self.candidates[i], &strategies);
                    (chart.backend_coord(&at(i)), series)
                })
                .collect();
            let offsets = panel::dodge(&px, DODGE_PX);
            out.extend(layer.iter().zip(offsets).map(|(&i, dx)| Placed {
                index: i,
                at: (at(i).0 + panel::x_per_px(chart, dx), at(i).1),
                look: self.look_of(&self.candidates[i], &strategies),
            }));
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
        let front: Vec<(f64, f64)> = self
            .frontier()
            .into_iter()
            .map(|p| (p.0, p.1.min(y.end)))
            .collect();
        line(chart.plotting_area(), &front, FRONT)?;
        let placed = self.placed(&chart, &y);
        for p in &placed {
            let s = c[p.index].slo_violation_ratio;
            let hi = (s.mean + s.ci95).min(y.end);
            panel::error_bar(&chart, false, p.at.0, s.mean - s.ci95, hi, p.look.colour)?;
            marker(chart.plotting_area(), p.at, p.look)?;
        }
        let target = format!("SLO target {}", short(self.max_violation_ratio, 4));
        panel::reference(&chart, false, self.max_violation_ratio, &target)?;
        let mut labels: Vec<[i32; 4]> = Vec::new();
        for p in placed.iter().filter(|p| c[p.index].chosen) {
            let area = chart.plotting_area();
            area.draw(&(EmptyElement::at(p.at) + Circle::new((0, 0), 10, BLACK.stroke_width(2))))?;
            let label = format!("chosen: {} USD/day", short(c[p.index].plan_usd_per_day, 2));
            panel::label_clear(&chart, p.at, &label, font(13), &mut labels)?;
        }
        self.label_hidden_failures(&chart, &placed, &mut labels)
    }

    /// Labels each frontier candidate cheaper than the chosen plan (all of them if none
    /// was chosen) that fails on something the y axis does not show (its p95 or its
    /// rejections) with what and how much (`rej 1.3%`): such a plan looks like a better
    /// choice than the one made, and its marker alone says only which bound it misses.
    fn label_hidden_failures<DB: DrawingBackend>(
        &self,
        chart: &panel::Plot<DB>,
        placed: &[Placed],
        labels: &mut Vec<[i32; 4]>,
    ) -> Drawn<DB> {
        let front = self.frontier_members();
        let chosen_usd = self
            .candidates
            .iter()
            .filter(|c| c.chosen)
            .map(|c| c.plan_usd_per_day)
            .fold(f64::INFINITY, f64::min);
        for p in placed.iter().filter(|p| front.contains(&p.index)) {
            let c = &self.candidates[p.index];
            if c.fails_on.contains(&Failure::Violation) || c.plan_usd_per_day >= chosen_usd {
                continue;
            }
            let text: Vec<String> = c.fails_on.iter().filter_map(|f| f.label(self)).collect();
            if text.is_empty() {
                continue;
            }
            let style = font(11).color(&FAILURE_TEXT);
            panel::label_clear(chart, p.at, &text.join(", "), style, labels)?;
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
mod tests;
