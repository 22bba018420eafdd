//! A session sweep's figures: the latency distribution per sweep point, tail included, and
//! SLO violation against cost with confidence intervals and rejections. One panel per
//! combination of the sweep axes other than the strategy; the strategies are the series.

use super::canvas::{render, Chart, Drawn, Figure};
use super::panel::{self, Axes};
use super::style::{distinct, font, line, look, marker, short, Entry, Look};
use plotters::coord::Shift;
use plotters::prelude::*;

pub use crate::metrics::tables::stats::Estimate;

/// The figures of one sweep point (a strategy at one combination of the other axes).
#[derive(Debug, Clone)]
pub struct PointFigures {
    /// Strategy (the series).
    pub strategy: String,
    /// The other axes' values that vary in the sweep, as "key = value" (the panel).
    pub panel: String,
    /// (quantile q, latency ms) averaged over runs, q ascending.
    pub quantiles: Vec<(f64, f64)>,
    /// Pay-per-use cost of a run, USD.
    pub usage_cost_usd: Estimate,
    /// Share of session time over the latency budget.
    pub slo_violation_ratio: Estimate,
    /// Share of arrivals refused.
    pub rejected_ratio: f64,
}

/// Everything the session figures show.
#[derive(Debug, Clone)]
pub struct SessionFigures {
    /// Latency budget the SLO ratio is measured against, ms.
    pub slo_latency_ms: Option<f64>,
    /// Sweep points in job order.
    pub points: Vec<PointFigures>,
}

impl SessionFigures {
    fn strategies(&self) -> Vec<String> {
        distinct(self.points.iter().map(|p| &p.strategy))
    }

    fn panels(&self) -> Vec<String> {
        distinct(self.points.iter().map(|p| &p.panel))
    }

    /// Title, legend (with line samples when `lines`) and one area per panel, with the
    /// panels' titles.
    fn frame<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        title: &str,
        lines: bool,
    ) -> Result<Vec<Titled<DB>>, panel::DrawError<DB>> {
        let panels = self.panels();
        let areas = panel::frame(root, title, &self.entries(lines), panels.len())?;
        Ok(panels.into_iter().zip(areas).collect())
    }

    fn entries(&self, lines: bool) -> Vec<Entry> {
        self.strategies()
            .into_iter()
            .enumerate()
            .map(|(i, s)| (s, look(i), lines))
            .collect()
    }

    fn size(&self) -> (u32, u32) {
        let n = self.panels().len();
        let width = panel::canvas(n, 0).0;
        panel::canvas(n, panel::rows_for(&self.strategies(), width))
    }

    /// (panel index, series look) of every point.
    fn placed(&self) -> Vec<(usize, Look, &PointFigures)> {
        let (strategies, panels) = (self.strategies(), self.panels());
        self.points
            .iter()
            .map(|p| {
                let s = strategies
                    .iter()
                    .position(|x| *x == p.strategy)
                    .unwrap_or(0);
                let k = panels.iter().position(|x| *x == p.panel).unwrap_or(0);
                (k, look(s), p)
            })
            .collect()
    }
}

/// A panel's title and its area.
type Titled<DB> = (String, DrawingArea<DB, Shift>);

/// Quantile axis position: -log10(1 - q), so 0.9, 0.99 and 0.999 are equally spaced.
fn tail_position(q: f64) -> f64 {
    -(1.0 - q).max(1e-9).log10()
}

fn tail_label(t: &f64) -> String {
    short(1.0 - 10f64.powf(-*t), 4)
}

/// The latency distribution: quantile against latency on a tail-stretched axis.
struct Cdf<'a>(&'a SessionFigures);

impl Chart for Cdf<'_> {
    fn size(&self) -> (u32, u32) {
        self.0.size()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let f = self.0;
        let areas = f.frame(
            root,
            "Session latency distribution (quantile axis stretched towards the tail)",
            true,
        )?;
        let x = panel::range(
            f.points
                .iter()
                .flat_map(|p| p.quantiles.iter().map(|q| q.1))
                .chain(f.slo_latency_ms),
            true,
        );
        let axes = Axes {
            x,
            y: 0.0..3.4,
            x_desc: "latency (ms)",
            y_desc: "quantile (share of session time)",
            y_ticks: Some(&tail_label),
            x_numbers: true,
            x_label_px: panel::X_LABEL_PX,
        };
        let placed = f.placed();
        for (k, (title, area)) in areas.iter().enumerate() {
            let chart = panel::plot(area, title, &axes)?;
            if let Some(slo) = f.slo_latency_ms {
                panel::reference(&chart, true, slo, &format!("SLO {} ms", short(slo, 2)))?;
            }
            for (_, l, p) in placed.iter().filter(|p| p.0 == k) {
                let pts: Vec<(f64, f64)> = p
                    .quantiles
                    .iter()
                    .filter(|q| q.1.is_finite())
                    .map(|&(q, ms)| (ms, tail_position(q)))
                    .collect();
                line(chart.plotting_area(), &pts, *l)?;
                for &(q, ms) in &p.quantiles {
                    if [0.5, 0.9, 0.99, 0.999].iter().any(|m| (q - m).abs() < 1e-9) {
                        marker(chart.plotting_area(), (ms, tail_position(q)), *l)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// SLO violation against cost, per point: means with 95 % CIs both ways, and the share
/// of arrivals rejected written beside each marker.
struct SloCost<'a>(&'a SessionFigures);

impl Chart for SloCost<'_> {
    fn size(&self) -> (u32, u32) {
        self.0.size()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let f = self.0;
        let areas = f.frame(
            root,
            "SLO violation against cost (mean and 95 % CI over runs; rej = arrivals refused)",
            false,
        )?;
        let spread = |e: Estimate| [e.mean - e.ci95, e.mean + e.ci95];
        let axes = Axes {
            x: panel::range(f.points.iter().flat_map(|p| spread(p.usage_cost_usd)), true),
            y: panel::range(
                f.points
                    .iter()
                    .flat_map(|p| spread(p.slo_violation_ratio))
                    .chain([0.05]),
                true,
            ),
            x_desc: "usage cost of a run (USD)",
            y_desc: "SLO violation ratio",
            y_ticks: None,
            x_numbers: true,
            x_label_px: panel::X_LABEL_PX,
        };
        let placed = f.placed();
        for (k, (title, area)) in areas.iter().enumerate() {
            let chart = panel::plot(area, title, &axes)?;
            // Labels keep clear of every marker of the panel and of each other.
            let mut labels: Vec<[i32; 4]> = placed
                .iter()
                .filter(|p| p.0 == k)
                .map(|p| (p.2.usage_cost_usd.mean, p.2.slo_violation_ratio.mean))
                .filter(|at| at.0.is_finite() && at.1.is_finite())
                .map(|at| {
                    let (x, y) = chart.backend_coord(&at);
                    [x - 7, y - 7, x + 7, y + 7]
                })
                .collect();
            for (_, l, p) in placed.iter().filter(|p| p.0 == k) {
                let (c, s) = (p.usage_cost_usd, p.slo_violation_ratio);
                if !(c.mean.is_finite() && s.mean.is_finite()) {
                    continue;
                }
                panel::error_bar(
                    &chart,
                    false,
                    c.mean,
                    s.mean - s.ci95,
                    s.mean + s.ci95,
                    l.colour,
                )?;
                panel::error_bar(
                    &chart,
                    true,
                    s.mean,
                    c.mean - c.ci95,
                    c.mean + c.ci95,
                    l.colour,
                )?;
                marker(chart.plotting_area(), (c.mean, s.mean), *l)?;
                if p.rejected_ratio.is_finite() {
                    let text = format!("rej {}%", short(p.rejected_ratio * 100.0, 1));
                    let style = font(11).color(&l.colour);
                    panel::label_clear(&chart, (c.mean, s.mean), &text, style, &mut labels)?;
                }
            }
        }
        Ok(())
    }
}

/// `latency_cdf` and `slo_vs_cost`.
pub fn figures(f: &SessionFigures) -> Result<Vec<Figure>, String> {
    Ok(vec![
        render("latency_cdf", &Cdf(f))?,
        render("slo_vs_cost", &SloCost(f))?,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(strategy: &str, panel: &str, scale: f64) -> PointFigures {
        PointFigures {
            strategy: strategy.into(),
            panel: panel.into(),
            quantiles: [0.5, 0.9, 0.99, 0.999]
                .iter()
                .map(|&q| (q, scale * (1.0 + q)))
                .collect(),
            usage_cost_usd: Estimate {
                mean: 10.0 * scale,
                ci95: 1.0,
            },
            slo_violation_ratio: Estimate {
                mean: 0.1 * scale,
                ci95: 0.01,
            },
            rejected_ratio: 0.02,
        }
    }

    #[test]
    fn one_panel_per_combination_and_the_slo_drawn() {
        let f = SessionFigures {
            slo_latency_ms: Some(15.0),
            points: vec![
                point("a", "load 1", 5.0),
                point("b", "load 1", 7.0),
                point("a", "load 2", 6.0),
                point("b", "load 2", 8.0),
            ],
        };
        let figs = figures(&f).unwrap();
        let cdf = crate::report::figures::check::texts_of(&figs[0].svg);
        let count = |t: &str| cdf.iter().filter(|x| *x == t).count();
        assert_eq!(
            (count("SLO 15 ms"), count("load 1"), count("load 2")),
            (2, 1, 1)
        );
        assert!(count("0.999") == 2, "a tail tick per panel");
        assert!(figs[1].svg.contains("rej 2%"));
    }

    /// The (x, y) attributes of every SVG `<text>` element whose content is `content`.
    fn text_positions(svg: &str, content: &str) -> Vec<(String, String)> {
        svg.split("<text")
            .filter(|t| {
                let inner = t.split_once('>').map_or("", |x| x.1);
                inner.split("</text>").next().map(str::trim) == Some(content)
            })
            .map(|t| {
                let attr = |name: &str| {
                    let from = t.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
                    t[from..].split('"').next().unwrap().to_string()
                };
                (attr("x"), attr("y"))
            })
            .collect()
    }

    #[test]
    fn rejection_labels_of_coinciding_points_do_not_overlap() {
        // Three strategies at the same cost and violation: three labels, three places.
        let f = SessionFigures {
            slo_latency_ms: Some(15.0),
            points: ["a", "b", "c"].map(|s| point(s, "load 1", 5.0)).to_vec(),
        };
        let figs = figures(&f).unwrap();
        let mut at = text_positions(&figs[1].svg, "rej 2%");
        assert_eq!(at.len(), 3, "{}", figs[1].svg);
        at.sort();
        at.dedup();
        assert_eq!(at.len(), 3, "labels written over each other: {at:?}");
    }

    #[test]
    fn tail_positions_space_the_nines_evenly() {
        assert!((tail_position(0.9) - 1.0).abs() < 1e-9);
        assert!((tail_position(0.999) - 3.0).abs() < 1e-9);
        assert_eq!(tail_label(&2.0), "0.99");
    }
}
