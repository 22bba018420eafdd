//! Minimal deterministic SVG charts: a line chart and a labelled scatter plot. Written by
//! hand so the bytes depend only on the data (no fonts measured, no timestamps).

use std::fmt::Write;

const W: f64 = 760.0;
const H: f64 = 460.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 200.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 55.0;
const COLOURS: [&str; 10] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

/// A named polyline.
pub struct Series {
    /// Legend text.
    pub label: String,
    /// Points (x, y), drawn in order.
    pub points: Vec<(f64, f64)>,
}

/// Axis range padded to "nice" tick steps: (min, max, step).
fn nice_range(lo: f64, hi: f64) -> (f64, f64, f64) {
    let (lo, hi) = if (hi - lo).abs() < 1e-12 {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo, hi)
    };
    let raw = (hi - lo) / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    ((lo / step).floor() * step, (hi / step).ceil() * step, step)
}

fn fmt_tick(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

struct Frame {
    x: (f64, f64, f64),
    y: (f64, f64, f64),
}

impl Frame {
    fn px(&self, x: f64) -> f64 {
        LEFT + (x - self.x.0) / (self.x.1 - self.x.0) * (W - LEFT - RIGHT)
    }
    fn py(&self, y: f64) -> f64 {
        H - BOTTOM - (y - self.y.0) / (self.y.1 - self.y.0) * (H - TOP - BOTTOM)
    }
}

/// Frame, ticks and titles; returns the SVG so far and the coordinate mapping.
fn axes(title: &str, x_label: &str, y_label: &str, xs: &[f64], ys: &[f64]) -> (String, Frame) {
    let finite = |v: &[f64]| {
        v.iter()
            .copied()
            .filter(|x| x.is_finite())
            .collect::<Vec<f64>>()
    };
    let (xs, ys) = (finite(xs), finite(ys));
    let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let max = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let x = if xs.is_empty() {
        (0.0, 1.0, 0.2)
    } else {
        nice_range(min(&xs), max(&xs))
    };
    let y = if ys.is_empty() {
        (0.0, 1.0, 0.2)
    } else {
        nice_range(min(&ys), max(&ys))
    };
    let f = Frame { x, y };
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"{W}\" height=\"{H}\" fill=\"white\"/>\n\
         <text x=\"{}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{}</text>\n",
        (LEFT + W - RIGHT) / 2.0,
        escape(title)
    );
    let mut t = f.x.0;
    while t <= f.x.1 + f.x.2 / 2.0 {
        let p = f.px(t);
        let _ = writeln!(s, "<line x1=\"{p:.1}\" y1=\"{:.1}\" x2=\"{p:.1}\" y2=\"{:.1}\" stroke=\"#ddd\"/><text x=\"{p:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>", TOP, H - BOTTOM, H - BOTTOM + 16.0, fmt_tick(t));
        t += f.x.2;
    }
    let mut t = f.y.0;
    while t <= f.y.1 + f.y.2 / 2.0 {
        let p = f.py(t);
        let _ = writeln!(s, "<line x1=\"{LEFT}\" y1=\"{p:.1}\" x2=\"{:.1}\" y2=\"{p:.1}\" stroke=\"#ddd\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>", W - RIGHT, LEFT - 6.0, p + 4.0, fmt_tick(t));
        t += f.y.2;
    }
    let _ = write!(
        s,
        "<rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"black\"/>\n\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n\
         <text x=\"16\" y=\"{:.1}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {:.1})\">{}</text>\n",
        W - LEFT - RIGHT,
        H - TOP - BOTTOM,
        (LEFT + W - RIGHT) / 2.0,
        H - 14.0,
        escape(x_label),
        (TOP + H - BOTTOM) / 2.0,
        (TOP + H - BOTTOM) / 2.0,
        escape(y_label)
    );
    (s, f)
}

/// A line chart with a legend on the right.
pub fn line_chart(title: &str, x_label: &str, y_label: &str, series: &[Series]) -> String {
    let xs: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .collect();
    let ys: Vec<f64> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .collect();
    let (mut svg, f) = axes(title, x_label, y_label, &xs, &ys);
    for (i, s) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let pts: Vec<String> = s
            .points
            .iter()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .map(|p| format!("{:.1},{:.1}", f.px(p.0), f.py(p.1)))
            .collect();
        let _ = writeln!(
            svg,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
            pts.join(" ")
        );
        let ly = TOP + 14.0 + 18.0 * i as f64;
        let _ = writeln!(
            svg,
            "<line x1=\"{:.1}\" y1=\"{ly:.1}\" x2=\"{:.1}\" y2=\"{ly:.1}\" stroke=\"{colour}\" stroke-width=\"3\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            W - RIGHT + 12.0,
            W - RIGHT + 32.0,
            W - RIGHT + 38.0,
            ly + 4.0,
            escape(&s.label)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// A scatter plot of labelled points (label, x, y), with a colour legend on the right.
pub fn scatter(title: &str, x_label: &str, y_label: &str, points: &[(String, f64, f64)]) -> String {
    let xs: Vec<f64> = points.iter().map(|p| p.1).collect();
    let ys: Vec<f64> = points.iter().map(|p| p.2).collect();
    let (mut svg, f) = axes(title, x_label, y_label, &xs, &ys);
    for (i, (label, x, y)) in points.iter().enumerate() {
        if !(x.is_finite() && y.is_finite()) {
            continue;
        }
        let colour = COLOURS[i % COLOURS.len()];
        let (px, py) = (f.px(*x), f.py(*y));
        let ly = TOP + 14.0 + 18.0 * i as f64;
        let _ = writeln!(
            svg,
            "<circle cx=\"{px:.1}\" cy=\"{py:.1}\" r=\"5\" fill=\"{colour}\"/><circle cx=\"{:.1}\" cy=\"{ly:.1}\" r=\"5\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            W - RIGHT + 22.0,
            W - RIGHT + 38.0,
            ly + 4.0,
            escape(label)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ranges_cover_the_data_with_round_steps() {
        assert_eq!(nice_range(0.13, 0.94), (0.0, 1.0, 0.2));
        assert_eq!(nice_range(10.2, 48.0), (10.0, 50.0, 10.0));
    }

    #[test]
    fn charts_are_deterministic_and_escape_labels() {
        let s = vec![Series {
            label: "a<b".into(),
            points: vec![(1.0, 0.1), (2.0, 0.5), (f64::NAN, 1.0)],
        }];
        let one = line_chart("t", "x", "y", &s);
        assert_eq!(one, line_chart("t", "x", "y", &s));
        assert!(one.contains("a&lt;b") && one.starts_with("<svg") && one.ends_with("</svg>\n"));
        let p = scatter(
            "t",
            "x",
            "y",
            &[("p".into(), 1.0, 2.0), ("q".into(), f64::NAN, 1.0)],
        );
        assert_eq!(
            p.matches("<circle").count(),
            2,
            "one point and its legend mark"
        );
    }
}
