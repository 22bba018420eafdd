//! One set of axes: a panel of a figure, alone or in a grid of small multiples that share
//! their ranges.

use super::canvas::Drawn;
use super::style::{font, legend, legend_rows, Entry, LEGEND_ROW_PX};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use std::ops::Range;

/// What drawing on a backend `DB` fails with.
pub(crate) type DrawError<DB> = DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>;

/// A chart context with numeric axes.
pub(crate) type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// What a panel's axes show.
pub(crate) struct Axes<'f> {
    /// x range, data units.
    pub x: Range<f64>,
    /// y range, data units.
    pub y: Range<f64>,
    /// x axis title (with unit).
    pub x_desc: &'f str,
    /// y axis title (with unit).
    pub y_desc: &'f str,
    /// Tick labels on the y axis, if not the plain number.
    pub y_ticks: Option<&'f dyn Fn(&f64) -> String>,
    /// Whether the x axis has numeric tick labels (false: the caller writes categories).
    pub x_numbers: bool,
    /// Height of the band under the x axis for its labels and title, px.
    pub x_label_px: u32,
}

/// The band under an x axis with one line of tick labels and its title, px.
pub(crate) const X_LABEL_PX: u32 = 40;

/// Panel size in a grid of small multiples, px.
pub(crate) const PANEL_W: u32 = 380;
/// Panel height, px.
pub(crate) const PANEL_H: u32 = 290;
/// Height of a figure's title band, px.
pub(crate) const TITLE_PX: u32 = 36;

/// Rows and columns for `n` panels: up to 4 columns, as square as that allows.
pub(crate) fn grid(n: usize) -> (usize, usize) {
    let cols = match n {
        0 | 1 => 1,
        2 | 3 => n,
        4 => 2,
        5 | 6 | 9 => 3,
        _ => 4,
    };
    (n.div_ceil(cols).max(1), cols)
}

/// Width of a figure with one panel, px (wide enough for every figure title).
pub(crate) const SINGLE_W: u32 = 820;
/// Height of that panel, px.
pub(crate) const SINGLE_H: u32 = 460;

/// Canvas size for `n` panels and a legend of `legend_rows` rows, px.
pub(crate) fn canvas(n: usize, legend_rows: usize) -> (u32, u32) {
    let (rows, cols) = grid(n);
    let (w, h) = if n <= 1 {
        (SINGLE_W, SINGLE_H)
    } else {
        ((cols as u32 * PANEL_W).max(SINGLE_W), rows as u32 * PANEL_H)
    };
    (
        w,
        TITLE_PX + legend_rows as u32 * LEGEND_ROW_PX as u32 + 8 + h,
    )
}

/// Rows the legend of `entries` takes on a canvas of width `width`, px.
pub(crate) fn rows_for(labels: &[String], width: u32) -> usize {
    // Layout needs a text measure; a scratch SVG canvas gives the same one the figure uses.
    let mut scratch = String::new();
    let area = SVGBackend::with_string(&mut scratch, (width, 100)).into_drawing_area();
    legend_rows(&area, labels, width as i32 - 24)
}

/// Splits a figure into its title, legend and the panel areas, and draws the first two.
pub(crate) fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    entries: &[Entry],
    panels: usize,
) -> Result<Vec<DrawingArea<DB, Shift>>, DrawingAreaErrorKind<DB::ErrorType>> {
    frame_in(root, title, entries, panels, None)
}

/// [`frame`] with the panels in `layout` (rows, columns) instead of the default grid.
pub(crate) fn frame_in<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    entries: &[Entry],
    panels: usize,
    layout: Option<(usize, usize)>,
) -> Result<Vec<DrawingArea<DB, Shift>>, DrawingAreaErrorKind<DB::ErrorType>> {
    let (w, _) = root.dim_in_pixel();
    root.draw(&Text::new(title.to_string(), (12, 8), font(18)))?;
    let (_, rest) = root.split_vertically(TITLE_PX);
    let labels: Vec<String> = entries.iter().map(|e| e.0.clone()).collect();
    let rows = legend_rows(&rest, &labels, w as i32 - 24) as i32;
    let (top, body) = rest.split_vertically(rows * LEGEND_ROW_PX + 8);
    legend(&top.margin(0, 0, 12, 12), entries)?;
    let (r, c) = layout.unwrap_or(grid(panels));
    Ok(body.split_evenly((r, c)).into_iter().take(panels).collect())
}

/// A panel's chart: title, axes, ticks and a light grid.
pub(crate) fn plot<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    axes: &Axes,
) -> Result<Plot<'a, DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut builder = ChartBuilder::on(area);
    if !title.is_empty() {
        builder.caption(title, font(14));
    }
    let mut chart = builder
        .margin(10)
        .x_label_area_size(axes.x_label_px)
        .y_label_area_size(58)
        .build_cartesian_2d(axes.x.clone(), axes.y.clone())?;
    let plain = |v: &f64| super::style::short(*v, 4);
    let y_fmt: &dyn Fn(&f64) -> String = axes.y_ticks.unwrap_or(&plain);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(axes.x_desc)
        .y_desc(axes.y_desc)
        .label_style(font(12))
        .axis_desc_style(font(13))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&plain)
        .y_label_formatter(&y_fmt);
    if !axes.x_numbers {
        mesh.x_labels(0).disable_x_mesh();
    }
    mesh.draw()?;
    Ok(chart)
}

/// A padded range around `values` (finite ones), starting at 0 when `from_zero`.
pub(crate) fn range(values: impl IntoIterator<Item = f64>, from_zero: bool) -> Range<f64> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return 0.0..1.0;
    }
    if from_zero {
        lo = lo.min(0.0);
    }
    let pad = if hi > lo {
        (hi - lo) * 0.06
    } else {
        hi.abs().max(1.0) * 0.1
    };
    let lo = if from_zero && lo >= 0.0 {
        0.0
    } else {
        lo - pad
    };
    lo..hi + pad
}

/// A vertical or horizontal reference line with a label (the SLO budget), dashed grey; the
/// label sits at the top of a vertical line and the right end of a horizontal one.
pub(crate) fn reference<DB: DrawingBackend>(
    chart: &Plot<DB>,
    vertical: bool,
    at: f64,
    label: &str,
) -> Drawn<DB> {
    let (x, y) = (chart.x_range(), chart.y_range());
    let style = RGBColor(60, 60, 60).stroke_width(2);
    let area = chart.plotting_area();
    let w = text_width(chart, label, &font(12));
    let (pts, text_at, offset) = if vertical {
        ([(at, y.start), (at, y.end)], (at, y.end), (4, 4))
    } else {
        ([(x.start, at), (x.end, at)], (x.end, at), (-w - 6, -18))
    };
    area.draw(&DashedPathElement::new(pts, 6, 4, style))?;
    boxed_text(chart, text_at, offset, label, font(12))
}

fn text_width<DB: DrawingBackend>(chart: &Plot<DB>, text: &str, style: &TextStyle) -> i32 {
    chart
        .plotting_area()
        .estimate_text_size(text, style)
        .map_or(0, |s| s.0 as i32)
}

/// `text` at `offset` px from the point `at`, on a white box so lines under it do not
/// cross it.
pub(crate) fn boxed_text<DB: DrawingBackend>(
    chart: &Plot<DB>,
    at: (f64, f64),
    offset: (i32, i32),
    text: &str,
    style: TextStyle,
) -> Drawn<DB> {
    let area = chart.plotting_area();
    let (w, h) = area.estimate_text_size(text, &style).unwrap_or((0, 0));
    let (x0, y0) = (offset.0 - 2, offset.1 - 1);
    let (x1, y1) = (offset.0 + w as i32 + 2, offset.1 + h as i32 + 2);
    area.draw(
        &(EmptyElement::at(at) + Rectangle::new([(x0, y0), (x1, y1)], WHITE.mix(0.85).filled())),
    )?;
    area.draw(&(EmptyElement::at(at) + Text::new(text.to_string(), offset, style)))
}

/// Where a label `w` px wide may go beside the point `at`, as pixel offsets, best first:
/// to the right, or to the left when the point is in the right fifth of the panel; above,
/// or below when it is in the top tenth; then further above and below, so the text stays
/// inside the panel.
fn beside_offsets<DB: DrawingBackend>(
    chart: &Plot<DB>,
    at: (f64, f64),
    w: i32,
) -> ([i32; 2], [i32; 8]) {
    let (x, y) = (chart.x_range(), chart.y_range());
    let mut dxs = [8, -8 - w];
    if at.0 > x.start + 0.8 * (x.end - x.start) {
        dxs.swap(0, 1);
    }
    let mut dys = [-18, 6, -32, 20, -46, 34, -60, 48];
    if at.1 > y.start + 0.9 * (y.end - y.start) {
        dys.chunks_exact_mut(2).for_each(|pair| pair.swap(0, 1));
    }
    (dxs, dys)
}

/// Writes `text` beside the point `at`, at the first of [`beside_offsets`].
pub(crate) fn label_beside<DB: DrawingBackend>(
    chart: &Plot<DB>,
    at: (f64, f64),
    text: &str,
    style: TextStyle,
) -> Drawn<DB> {
    let (dxs, dys) = beside_offsets(chart, at, text_width(chart, text, &style));
    boxed_text(chart, at, (dxs[0], dys[0]), text, style)
}

/// Writes `text` beside the point `at` like [`label_beside`], but clear of the labels
/// already written in this panel (`taken`, their pixel boxes, to which this one is added):
/// the first of [`beside_offsets`] that overlaps none of them and stays inside the panel.
/// Points that nearly coincide get their labels stacked instead of printed over each other;
/// with no free place left, the first.
pub(crate) fn label_clear<DB: DrawingBackend>(
    chart: &Plot<DB>,
    at: (f64, f64),
    text: &str,
    style: TextStyle,
    taken: &mut Vec<[i32; 4]>,
) -> Drawn<DB> {
    let area = chart.plotting_area();
    let (w, h) = area
        .estimate_text_size(text, &style)
        .map_or((0, 0), |s| (s.0 as i32, s.1 as i32));
    let (dxs, dys) = beside_offsets(chart, at, w);
    let (px, py) = chart.backend_coord(&at);
    let (xs, ys) = area.get_pixel_range();
    let boxed = |dx: i32, dy: i32| [px + dx - 2, py + dy - 1, px + dx + w + 2, py + dy + h + 2];
    let inside =
        |b: &[i32; 4]| b[0] >= xs.start && b[2] <= xs.end && b[1] >= ys.start && b[3] <= ys.end;
    let clear = |b: &[i32; 4]| {
        taken
            .iter()
            .all(|t| b[2] <= t[0] || t[2] <= b[0] || b[3] <= t[1] || t[3] <= b[1])
    };
    let (dx, dy) = dys
        .iter()
        .flat_map(|&dy| dxs.map(|dx| (dx, dy)))
        .find(|&(dx, dy)| {
            let b = boxed(dx, dy);
            inside(&b) && clear(&b)
        })
        .unwrap_or((dxs[0], dys[0]));
    taken.push(boxed(dx, dy));
    boxed_text(chart, at, (dx, dy), text, style)
}

/// How close two marker centres are, px on both axes, to count as drawn at one place:
/// a marker then covers nearly all of the other. Markers further apart overlap at most in
/// part, and stay where their values put them.
const SAME_PLACE_PX: i32 = 2;

/// Horizontal offsets, px, that set markers of different series drawn at one place side by
/// side, so no series hides another. `points` are (pixel position, series) in drawing
/// order. A point within [`SAME_PLACE_PX`] of the first point of a group on both axes joins
/// that group; the `n` series of a group (in order of first appearance) are spread
/// `gap_px` apart, centred on where they were (series `k` moved by
/// `(k - (n - 1) / 2) * gap_px`, rounded). Points of one series at one place stay on one
/// another: they look the same, and spreading them would move markers far from their
/// values where many plans cost nearly the same. A point alone stays where it is.
pub(crate) fn dodge(points: &[((i32, i32), usize)], gap_px: i32) -> Vec<i32> {
    let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut group_of = Vec::with_capacity(points.len());
    for (i, (p, series)) in points.iter().enumerate() {
        let near = |a: (i32, i32)| {
            (a.0 - p.0).abs() <= SAME_PLACE_PX && (a.1 - p.1).abs() <= SAME_PLACE_PX
        };
        let g = match groups.iter().position(|(first, _)| near(points[*first].0)) {
            Some(g) => g,
            None => {
                groups.push((i, Vec::new()));
                groups.len() - 1
            }
        };
        if !groups[g].1.contains(series) {
            groups[g].1.push(*series);
        }
        group_of.push(g);
    }
    points
        .iter()
        .zip(group_of)
        .map(|((_, series), g)| {
            let order = &groups[g].1;
            let k = order.iter().position(|s| s == series).unwrap_or(0);
            let centre = (order.len() as f64 - 1.0) / 2.0;
            ((k as f64 - centre) * gap_px as f64).round() as i32
        })
        .collect()
}

/// `dx_px` pixels along the x axis of `chart`, in data units.
pub(crate) fn x_per_px<DB: DrawingBackend>(chart: &Plot<DB>, dx_px: i32) -> f64 {
    let x = chart.x_range();
    let (px, _) = chart.plotting_area().get_pixel_range();
    let width_px = (px.end - px.start).max(1) as f64;
    dx_px as f64 * (x.end - x.start) / width_px
}

/// An error bar from `lo` to `hi` along y (or x when `horizontal`) at the other coordinate
/// `at`, with caps.
pub(crate) fn error_bar<DB: DrawingBackend>(
    chart: &Plot<DB>,
    horizontal: bool,
    at: f64,
    lo: f64,
    hi: f64,
    colour: RGBColor,
) -> Drawn<DB> {
    if !(lo.is_finite() && hi.is_finite() && at.is_finite()) || hi <= lo {
        return Ok(());
    }
    let area = chart.plotting_area();
    let style = colour.stroke_width(1);
    let (a, b, cap) = if horizontal {
        ((lo, at), (hi, at), [(0, -4), (0, 4)])
    } else {
        ((at, lo), (at, hi), [(-4, 0), (4, 0)])
    };
    area.draw(&PathElement::new(vec![a, b], style))?;
    for end in [a, b] {
        area.draw(&(EmptyElement::at(end) + PathElement::new(cap.to_vec(), style)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_hold_every_panel_in_at_most_four_columns() {
        for n in 1..40 {
            let (r, c) = grid(n);
            assert!(r * c >= n && c <= 4 && (r - 1) * c < n, "{n}: {r}x{c}");
        }
        assert_eq!(grid(12), (3, 4));
    }

    #[test]
    fn coinciding_markers_are_set_apart() {
        // Series 0, 1 and 2 at one pixel or 2 px off on both axes (SAME_PLACE_PX): spread
        // 10 px apart around where they were: -10, 0, +10. One 40 px away stays put, and
        // so do markers 3 px beside and below the first (not hidden by it).
        let at = [
            (100, 50),
            (100, 50),
            (102, 52),
            (140, 50),
            (103, 50),
            (100, 53),
        ];
        let series = [0, 1, 2, 0, 1, 2];
        let points: Vec<_> = at.into_iter().zip(series).collect();
        assert_eq!(dodge(&points, 10), vec![-10, 0, 10, 0, 0, 0]);
        // Two series at one place: 5 px either side, so 10 px apart.
        assert_eq!(dodge(&[((7, 7), 0), ((7, 7), 1)], 10), vec![-5, 5]);
        // One series twice and another once: two places, the first series' points on one.
        let two_and_one = [((7, 7), 3), ((7, 7), 3), ((8, 7), 1)];
        assert_eq!(dodge(&two_and_one, 10), vec![-5, -5, 5]);
        assert_eq!(dodge(&[], 10), Vec::<i32>::new());
    }

    #[test]
    fn ranges_pad_and_start_at_zero() {
        let r = range([2.0, 10.0, f64::NAN], true);
        assert_eq!(r.start, 0.0);
        assert!(r.end > 10.0);
        assert_eq!(range([], false), 0.0..1.0);
    }
}
