//! The study's streaming figures: latency per scenario as box plots, and CPU and memory
//! per scenario with 95 % confidence intervals.

use super::canvas::{render, Chart, Drawn, Figure};
use super::panel::{self, Axes, Plot};
use super::sessions::Estimate;
use super::style::{font, look, marker, short, Entry};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One scenario's figures, over its runs.
#[derive(Debug, Clone)]
pub struct ScenarioFigures {
    /// Scenario name.
    pub scenario: String,
    /// The scenario's description from the experiment file (may be empty), written under
    /// its name so a figure reads without the TOML beside it.
    pub description: String,
    /// (quantile q, latency ms) averaged over runs, q ascending.
    pub quantiles: Vec<(f64, f64)>,
    /// Mean latency, ms.
    pub latency_mean_ms: f64,
    /// Median CPU over scrapes, percent.
    pub cpu_p50_pct: Estimate,
    /// Median memory over scrapes, percent.
    pub mem_p50_pct: Estimate,
}

/// Latency at quantile `q` (the nearest level written).
fn at(s: &ScenarioFigures, q: f64) -> f64 {
    s.quantiles
        .iter()
        .min_by(|a, b| (a.0 - q).abs().total_cmp(&(b.0 - q).abs()))
        .map_or(f64::NAN, |p| p.1)
}

/// Writes each scenario's name, and under it its description wrapped to the category's
/// width, below a category axis (scenario `i` centred on x = i).
fn categories<DB: DrawingBackend>(chart: &Plot<DB>, s: &[ScenarioFigures]) -> Drawn<DB> {
    let y = chart.y_range().start;
    let area = chart.plotting_area();
    let width = |text: &str, size: u32| {
        area.estimate_text_size(text, &font(size))
            .map_or(0, |s| s.0 as i32)
    };
    // The x range spans n + 0.2 categories; leave a little air between neighbours.
    let column = (area.dim_in_pixel().0 as f64 / (s.len() as f64 + 0.2) * 0.92) as i32;
    for (i, x) in s.iter().enumerate() {
        let mut lines = vec![(x.scenario.clone(), 12)];
        lines.extend(
            description_lines(&x.description, column, |t| width(t, 11))
                .into_iter()
                .map(|l| (l, 11)),
        );
        let mut dy = 6;
        for (text, size) in lines {
            let w = width(&text, size);
            area.draw(
                &(EmptyElement::at((i as f64, y)) + Text::new(text, (-w / 2, dy), font(size))),
            )?;
            dy += 14;
        }
    }
    Ok(())
}

/// A description as label lines of at most `column` px (`width` measures a line), words
/// kept whole, at most [`DESCRIPTION_LINES`]; the last ends in `...` when text is left over.
fn description_lines(description: &str, column: i32, width: impl Fn(&str) -> i32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in description.split_whitespace() {
        let joined = lines.last().map(|line| format!("{line} {word}"));
        match joined {
            Some(j) if width(&j) <= column => {
                if let Some(last) = lines.last_mut() {
                    *last = j;
                }
            }
            _ if lines.len() == DESCRIPTION_LINES => {
                if let Some(last) = lines.last_mut() {
                    last.push_str("...");
                }
                break;
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// Most lines of description under a category; the label band holds them.
const DESCRIPTION_LINES: usize = 3;

fn category_axes<'f>(n: usize, y: std::ops::Range<f64>, y_desc: &'f str) -> Axes<'f> {
    Axes {
        x: -0.6..n as f64 - 0.4,
        y,
        // The category labels name the scenarios; their description lines take the band.
        x_desc: "",
        y_desc,
        y_ticks: None,
        x_numbers: false,
        x_label_px: 20 + 14 * DESCRIPTION_LINES as u32,
    }
}

struct LatencyBoxes<'a>(&'a [ScenarioFigures]);

/// Top of the latency axis: the highest p99, unless one scenario's p99 is more than five
/// times the median p99 (an outage); then twice the median, and the whiskers that reach
/// past it are cut there and labelled with their value, so the other boxes stay readable.
fn axis_top(s: &[ScenarioFigures]) -> f64 {
    let mut p99: Vec<f64> = s
        .iter()
        .map(|x| at(x, 0.99))
        .filter(|v| v.is_finite())
        .collect();
    p99.sort_by(f64::total_cmp);
    let (Some(&max), Some(&median)) = (p99.last(), p99.get(p99.len() / 2)) else {
        return f64::INFINITY;
    };
    if max > 5.0 * median {
        2.0 * median
    } else {
        max
    }
}

/// The box plot's key, drawn as the legend.
fn box_key() -> Vec<Entry> {
    let mut mean = look(3);
    mean.colour = BLACK;
    vec![
        (
            "box p25-p75, bar p50, whiskers p1-p99".into(),
            look(0),
            false,
        ),
        ("mean".into(), mean, false),
    ]
}

impl Chart for LatencyBoxes<'_> {
    fn size(&self) -> (u32, u32) {
        panel::canvas(1, 1)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let s = self.0;
        let areas = panel::frame(root, "Frame latency per scenario", &box_key(), 1)?;
        let top = axis_top(s);
        let y = panel::range(
            s.iter().flat_map(|x| [at(x, 0.01), at(x, 0.99).min(top)]),
            // Fitted to the whiskers, not from 0: the study's differences are a few ms on
            // top of tens, which an axis from 0 flattens.
            false,
        );
        let chart = panel::plot(&areas[0], "", &category_axes(s.len(), y, "latency (ms)"))?;
        categories(&chart, s)?;
        let colour = look(0).colour;
        let area = chart.plotting_area();
        for (i, x) in s.iter().enumerate() {
            let c = i as f64;
            let (p1, p25, p50, p75, p99) = (
                at(x, 0.01),
                at(x, 0.25),
                at(x, 0.5),
                at(x, 0.75),
                at(x, 0.99),
            );
            area.draw(&Rectangle::new(
                [(c - 0.3, p25), (c + 0.3, p75)],
                colour.mix(0.25).filled(),
            ))?;
            area.draw(&Rectangle::new(
                [(c - 0.3, p25), (c + 0.3, p75)],
                colour.stroke_width(2),
            ))?;
            area.draw(&PathElement::new(
                vec![(c - 0.3, p50), (c + 0.3, p50)],
                BLACK.stroke_width(3),
            ))?;
            for (from, to) in [(p1, p25), (p75, p99.min(top))] {
                area.draw(&PathElement::new(
                    vec![(c, from), (c, to)],
                    colour.stroke_width(2),
                ))?;
            }
            for end in [p1, p99.min(top)] {
                area.draw(&PathElement::new(
                    vec![(c - 0.12, end), (c + 0.12, end)],
                    colour.stroke_width(2),
                ))?;
            }
            if p99 > top {
                let text = format!("p99 {} s", short(p99 / 1e3, 1));
                let w = area
                    .estimate_text_size(&text, &font(12))
                    .map_or(0, |s| s.0 as i32);
                panel::boxed_text(&chart, (c, top), (-w / 2, 6), &text, font(12))?;
            }
            if x.latency_mean_ms <= top {
                marker(area, (c, x.latency_mean_ms), box_key()[1].1)?;
            }
        }
        Ok(())
    }
}

struct Resources<'a>(&'a [ScenarioFigures]);

/// Reads one figure of a scenario.
type Of = fn(&ScenarioFigures) -> Estimate;

impl Chart for Resources<'_> {
    fn size(&self) -> (u32, u32) {
        (panel::SINGLE_W + 100, panel::SINGLE_H)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let s = self.0;
        let key = vec![(
            "median over scrapes, mean and 95 % CI over runs".to_string(),
            look(0),
            false,
        )];
        let areas = panel::frame(root, "CPU and memory per scenario", &key, 2)?;
        let figures: [(&str, Of); 2] = [
            ("CPU (% of the cluster)", |x| x.cpu_p50_pct),
            ("memory (% of the cluster)", |x| x.mem_p50_pct),
        ];
        for (area, (desc, get)) in areas.iter().zip(figures) {
            let y = panel::range(
                s.iter().map(|x| get(x).mean + get(x).ci95).chain([100.0]),
                true,
            );
            let chart = panel::plot(area, "", &category_axes(s.len(), y, desc))?;
            categories(&chart, s)?;
            let colour = look(0).colour;
            for (i, x) in s.iter().enumerate() {
                let (c, e) = (i as f64, get(x));
                chart.plotting_area().draw(&Rectangle::new(
                    [(c - 0.3, 0.0), (c + 0.3, e.mean)],
                    colour.mix(0.6).filled(),
                ))?;
                panel::error_bar(&chart, false, c, e.mean - e.ci95, e.mean + e.ci95, BLACK)?;
            }
        }
        Ok(())
    }
}

/// `latency_box` and `resources`.
pub fn figures(s: &[ScenarioFigures]) -> Result<Vec<Figure>, String> {
    Ok(vec![
        render("latency_box", &LatencyBoxes(s))?,
        render("resources", &Resources(s))?,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_box_per_scenario_with_its_name() {
        let sc = |name: &str, base: f64| ScenarioFigures {
            scenario: name.into(),
            description: format!("{name} alone, on one node"),
            quantiles: [0.01, 0.25, 0.5, 0.75, 0.99]
                .iter()
                .map(|&q| (q, base + 100.0 * q))
                .collect(),
            latency_mean_ms: base + 50.0,
            cpu_p50_pct: Estimate {
                mean: 40.0,
                ci95: 1.0,
            },
            mem_p50_pct: Estimate {
                mean: 60.0,
                ci95: 0.5,
            },
        };
        let figs = figures(&[sc("sce1", 700.0), sc("sce2", 750.0)]).unwrap();
        let texts = crate::report::figures::check::texts_of(&figs[0].svg);
        assert!(texts.iter().any(|t| t == "sce2"));
        // The description under the name, broken after its comma, in both figures.
        for fig in &figs {
            let texts = crate::report::figures::check::texts_of(&fig.svg);
            assert!(
                texts.iter().any(|t| t == "sce2 alone, on one node"),
                "{texts:?}"
            );
        }
        // 10 px per character: lines of at most 4 characters, words whole, three lines.
        let w = |t: &str| 10 * t.chars().count() as i32;
        assert_eq!(description_lines(" a b  cd e ", 40, w), vec!["a b", "cd e"]);
        assert_eq!(
            description_lines("aa bb cc dd", 20, w),
            vec!["aa", "bb", "cc..."]
        );
        assert!(description_lines("", 40, w).is_empty());
        assert_eq!(at(&sc("x", 0.0), 0.26), 25.0);
        assert!(figs[1].svg.contains("memory (% of the cluster)"));
    }
}
