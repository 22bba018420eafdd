//! The drift figure: measured against modelled, one panel per kind of subject (RTT per
//! peering, CPU and memory per cluster), each subject a labelled point and the line where
//! both agree.

use super::canvas::{render, Chart, Drawn, Figure};
use super::panel::{self, Axes};
use super::style::{look, marker, Entry};
use crate::report::drift::{DriftKind, DriftRow};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

struct Drift<'a> {
    rows: &'a [DriftRow],
    kinds: Vec<DriftKind>,
}

impl Drift<'_> {
    fn entries(&self) -> Vec<Entry> {
        self.kinds
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("{} ({})", k.name(), k.unit()), look(i), false))
            .collect()
    }
}

impl Chart for Drift<'_> {
    fn size(&self) -> (u32, u32) {
        panel::canvas(self.kinds.len().max(1), 1)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let areas = panel::frame(
            root,
            "Drift: measured against modelled (on the dashed line they agree)",
            &self.entries(),
            self.kinds.len().max(1),
        )?;
        for (i, (kind, area)) in self.kinds.iter().zip(&areas).enumerate() {
            let rows: Vec<&DriftRow> = self.rows.iter().filter(|r| r.kind == *kind).collect();
            let all = || rows.iter().flat_map(|r| [r.modelled, r.measured]);
            let span = panel::range(all(), true);
            let (x_desc, y_desc) = (
                format!("modelled ({})", kind.unit()),
                format!("measured ({})", kind.unit()),
            );
            let axes = Axes {
                x: span.clone(),
                y: span.clone(),
                x_desc: &x_desc,
                y_desc: &y_desc,
                y_ticks: None,
                x_numbers: true,
                x_label_px: panel::X_LABEL_PX,
            };
            let chart = panel::plot(area, kind.name(), &axes)?;
            chart.plotting_area().draw(&DashedPathElement::new(
                [(span.start, span.start), (span.end, span.end)],
                6,
                4,
                RGBColor(90, 90, 90).stroke_width(1),
            ))?;
            for r in &rows {
                marker(chart.plotting_area(), (r.modelled, r.measured), look(i))?;
                let text = super::short(r.measured, 2);
                panel::label_beside(
                    &chart,
                    (r.modelled, r.measured),
                    &format!("{} {text}", r.subject),
                    super::style::font(11),
                )?;
            }
        }
        Ok(())
    }
}

/// `drift`: the figure of `rows` (an empty panel when there are none).
pub fn figure(rows: &[DriftRow]) -> Result<Figure, String> {
    let mut kinds: Vec<DriftKind> = rows.iter().map(|r| r.kind).collect();
    kinds.sort();
    kinds.dedup();
    render("drift", &Drift { rows, kinds })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subject_is_labelled_in_its_kinds_panel() {
        let row = |kind, subject: &str, modelled, measured| DriftRow {
            kind,
            subject: subject.into(),
            modelled,
            measured,
        };
        let f = figure(&[
            row(DriftKind::Rtt, "a<->b", 8.0, 9.5),
            row(DriftKind::Cpu, "a", 16.0, 14.0),
        ])
        .unwrap();
        let texts = super::super::check::texts_of(&f.svg);
        for t in ["a<->b 9.5", "a 14", "rtt", "cpu", "rtt (ms)", "cpu (cores)"] {
            assert!(texts.iter().any(|x| x == t), "{t} missing from {texts:?}");
        }
        assert!(super::super::check::texts_outside(&f.svg).is_empty());
        assert!(figure(&[]).is_ok());
    }
}
