//! Rendering one chart description to SVG and PNG.

use plotters::coord::Shift;
use plotters::prelude::*;
use std::sync::Once;

/// DejaVu Sans (Bitstream Vera licence, `DejaVuSans-LICENSE.txt`): every text of every
/// figure, so layout and glyphs are the same on every machine.
static FONT: &[u8] = include_bytes!("DejaVuSans.ttf");

/// Font family name the charts ask for.
pub(crate) const FAMILY: &str = "sans-serif";

/// Result of drawing onto a backend `DB`.
pub(crate) type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// Something that can draw itself onto any plotters backend.
pub(crate) trait Chart {
    /// Canvas size, px.
    fn size(&self) -> (u32, u32);
    /// Draws the whole chart onto `root` (already cleared to white).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB>;
}

/// One figure in both formats.
#[derive(Debug, Clone)]
pub struct Figure {
    /// File name without extension (`latency_cdf`).
    pub stem: String,
    /// SVG document.
    pub svg: String,
    /// PNG image (8-bit RGB).
    pub png: Vec<u8>,
    /// Paths of the two files under an output folder: `plots/<stem>.svg` and `.png`.
    paths: [String; 2],
}

impl Figure {
    /// (path under the output folder, bytes) of both files, in `plots/`.
    pub fn files(&self) -> [(&str, &[u8]); 2] {
        [
            (self.paths[0].as_str(), self.svg.as_bytes()),
            (self.paths[1].as_str(), &self.png),
        ]
    }
}

pub(crate) fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is compiled in; a failure here is a broken build, reported on drawing.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

/// Draws `chart` to an SVG document and a PNG image named `stem`.
pub(crate) fn render(stem: &str, chart: &impl Chart) -> Result<Figure, String> {
    register_font();
    let (w, h) = chart.size();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        chart.draw(&root).map_err(|e| format!("{stem}.svg: {e}"))?;
        root.present().map_err(|e| e.to_string())?;
    }
    let mut rgb = vec![255u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        chart.draw(&root).map_err(|e| format!("{stem}.png: {e}"))?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(Figure {
        stem: stem.to_string(),
        svg,
        png: encode_png(&rgb, w, h).map_err(|e| format!("{stem}.png: {e}"))?,
        paths: [format!("plots/{stem}.svg"), format!("plots/{stem}.png")],
    })
}

/// PNG of an RGB buffer; the encoder's settings are fixed, so the bytes are too.
fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Balanced);
        let mut writer = enc.write_header()?;
        writer.write_image_data(rgb)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Dot;
    impl Chart for Dot {
        fn size(&self) -> (u32, u32) {
            (40, 30)
        }
        fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
            root.draw(&Circle::new((20, 15), 5, BLACK.filled()))?;
            root.draw(&Text::new("x", (2, 2), (FAMILY, 12).into_font()))
        }
    }

    #[test]
    fn both_formats_are_drawn_and_repeatable() {
        let a = render("dot", &Dot).unwrap();
        let b = render("dot", &Dot).unwrap();
        assert!(a.svg.contains("<circle") && super::super::check::texts_of(&a.svg) == ["x"]);
        assert_eq!(&a.png[1..4], b"PNG");
        assert_eq!((a.svg, a.png), (b.svg, b.png));
    }
}
