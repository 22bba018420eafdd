//! How series tell themselves apart: colour, marker and dash together, so a figure reads in
//! greyscale and to colour-blind readers, and the shared legend that names them.

use super::canvas::{Drawn, FAMILY};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

/// Okabe and Ito's colour-blind-safe palette ("Color Universal Design", 2008), without its
/// yellow (too light on white) and starting with the darkest hues.
const PALETTE: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
];

/// Marker shapes, in the order series get them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    Circle,
    TriangleUp,
    Square,
    Diamond,
    TriangleDown,
    Cross,
    Plus,
    Ring,
    /// An unfilled square (a plan failing on rejections in `cost_vs_slo`).
    OpenSquare,
    /// An unfilled upward triangle (a plan failing on its p95 in `cost_vs_slo`).
    OpenTriangle,
    /// No marker: a bare line.
    Bare,
}

const MARKERS: [Marker; 8] = [
    Marker::Circle,
    Marker::TriangleUp,
    Marker::Square,
    Marker::Diamond,
    Marker::TriangleDown,
    Marker::Cross,
    Marker::Plus,
    Marker::Ring,
];

/// Dash patterns (dash, gap) in px; `None` is a solid line.
const DASHES: [Option<(u32, u32)>; 4] = [None, Some((9, 4)), Some((3, 3)), Some((14, 4))];

/// The look of series `i`: colour, marker and dash all change with `i`, with periods 7, 8
/// and 4, so no two of the first 56 series look the same.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Look {
    pub colour: RGBColor,
    pub marker: Marker,
    pub dash: Option<(u32, u32)>,
}

/// The look of series `i`.
pub(crate) fn look(i: usize) -> Look {
    Look {
        colour: PALETTE[i % PALETTE.len()],
        marker: MARKERS[i % MARKERS.len()],
        dash: DASHES[i % DASHES.len()],
    }
}

/// Marker half-size, px.
pub(crate) const MARKER_PX: i32 = 4;

/// Draws marker `m` centred on `at` (in `area`'s coordinates).
pub(crate) fn marker<DB, CT>(area: &DrawingArea<DB, CT>, at: CT::From, l: Look) -> Drawn<DB>
where
    DB: DrawingBackend,
    CT: plotters::coord::CoordTranslate,
{
    let s = MARKER_PX;
    let fill = l.colour.filled();
    let line = l.colour.stroke_width(2);
    let e = EmptyElement::at(at);
    match l.marker {
        Marker::Circle => area.draw(&(e + Circle::new((0, 0), s, fill))),
        Marker::Ring => area.draw(&(e + Circle::new((0, 0), s, line))),
        Marker::Bare => Ok(()),
        Marker::Square => area.draw(&(e + Rectangle::new([(-s, -s), (s, s)], fill))),
        Marker::OpenSquare => area.draw(&(e + Rectangle::new([(-s, -s), (s, s)], line))),
        Marker::OpenTriangle => area.draw(
            &(e + PathElement::new(
                vec![(0, -s - 1), (s + 1, s), (-s - 1, s), (0, -s - 1)],
                line,
            )),
        ),
        Marker::TriangleUp => {
            area.draw(&(e + Polygon::new(vec![(0, -s - 1), (s + 1, s), (-s - 1, s)], fill)))
        }
        Marker::TriangleDown => {
            area.draw(&(e + Polygon::new(vec![(0, s + 1), (s + 1, -s), (-s - 1, -s)], fill)))
        }
        Marker::Diamond => area.draw(
            &(e + Polygon::new(vec![(0, -s - 1), (s + 1, 0), (0, s + 1), (-s - 1, 0)], fill)),
        ),
        Marker::Cross => area.draw(
            &(e + PathElement::new(vec![(-s, -s), (s, s)], line)
                + PathElement::new(vec![(-s, s), (s, -s)], line)),
        ),
        Marker::Plus => area.draw(
            &(e + PathElement::new(vec![(-s - 1, 0), (s + 1, 0)], line)
                + PathElement::new(vec![(0, -s - 1), (0, s + 1)], line)),
        ),
    }
}

/// Draws a polyline through `points` in look `l` (its dash, no markers).
pub(crate) fn line<DB, CT, P>(area: &DrawingArea<DB, CT>, points: &[P], l: Look) -> Drawn<DB>
where
    DB: DrawingBackend,
    CT: plotters::coord::CoordTranslate<From = P>,
    P: Clone + 'static,
{
    let style = l.colour.stroke_width(2);
    match l.dash {
        None => area.draw(&PathElement::new(points.to_vec(), style)),
        Some((dash, gap)) => area.draw(&DashedPathElement::new(
            points.iter().cloned(),
            dash,
            gap,
            style,
        )),
    }
}

/// Text style of body text at `px`.
pub(crate) fn font(px: u32) -> TextStyle<'static> {
    (FAMILY, px).into_font().color(&BLACK)
}

/// Legend entry width beyond its text: the line sample and gaps, px.
const SAMPLE_PX: i32 = 34;
const ENTRY_GAP_PX: i32 = 18;
/// Height of a legend row, px.
pub(crate) const LEGEND_ROW_PX: i32 = 22;

/// How many rows the legend of `labels` needs across `width` px.
pub(crate) fn legend_rows<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: &[String],
    width: i32,
) -> usize {
    layout(area, labels, width).last().map_or(0, |p| p.1 + 1)
}

/// (x offset, row) of each legend entry: entries flow left to right and wrap.
fn layout<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: &[String],
    width: i32,
) -> Vec<(i32, usize)> {
    let mut x = 0;
    let mut row = 0;
    let mut out = Vec::with_capacity(labels.len());
    for label in labels {
        let text_w = area
            .estimate_text_size(label, &font(14))
            .map_or(label.len() as i32 * 8, |s| s.0 as i32);
        let w = SAMPLE_PX + text_w + ENTRY_GAP_PX;
        if x > 0 && x + w > width {
            x = 0;
            row += 1;
        }
        out.push((x, row));
        x += w;
    }
    out
}

/// A legend entry: label, look, and whether the series is drawn as a line.
pub(crate) type Entry = (String, Look, bool);

/// Draws the legend: a line sample (for line series) with its marker and the label, per
/// entry, from the top left of `area`, wrapping within its width.
pub(crate) fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[Entry],
) -> Drawn<DB> {
    let labels: Vec<String> = entries.iter().map(|e| e.0.clone()).collect();
    let width = area.dim_in_pixel().0 as i32;
    for ((label, l, with_line), (x, row)) in entries.iter().zip(layout(area, &labels, width)) {
        let y = row as i32 * LEGEND_ROW_PX + LEGEND_ROW_PX / 2;
        if *with_line {
            line(area, &[(x, y), (x + SAMPLE_PX - 6, y)], *l)?;
        }
        marker(area, (x + (SAMPLE_PX - 6) / 2, y), *l)?;
        area.draw(&Text::new(label.clone(), (x + SAMPLE_PX, y - 8), font(14)))?;
    }
    Ok(())
}

/// The distinct values of `items`, in order of first appearance (series and panels are
/// named in the order the data lists them).
pub(crate) fn distinct<'a>(items: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.contains(i) {
            out.push(i.clone());
        }
    }
    out
}

/// A number for a label: at most `decimals` decimals, trailing zeros dropped.
pub(crate) fn short(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_series_all_look_different() {
        for i in 0..56 {
            for j in 0..i {
                let (a, b) = (look(i), look(j));
                assert!(
                    a.colour != b.colour || a.marker != b.marker || a.dash != b.dash,
                    "{i} and {j}"
                );
            }
        }
    }

    #[test]
    fn the_first_eight_series_differ_in_greyscale() {
        // Colour is lost in greyscale: the marker alone must tell them apart.
        let markers: Vec<Marker> = (0..8).map(|i| look(i).marker).collect();
        for (i, m) in markers.iter().enumerate() {
            assert!(!markers[..i].contains(m), "series {i}");
        }
    }

    #[test]
    fn short_numbers_drop_trailing_zeros() {
        assert_eq!(short(0.100000, 6), "0.1");
        assert_eq!(short(15.0, 2), "15");
        assert_eq!(short(-0.0001, 2), "0");
    }
}
