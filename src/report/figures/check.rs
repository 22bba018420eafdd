//! Checks on a drawn figure that tests and users can run on any SVG xrplace wrote: every
//! text inside the canvas.

use super::canvas::FAMILY;
use plotters::style::IntoFont;

/// One `<text>` element of an SVG.
struct SvgText {
    text: String,
    head: String,
}

fn parse(svg: &str) -> Vec<SvgText> {
    svg.split("<text ")
        .skip(1)
        .filter_map(|chunk| {
            let (head, rest) = chunk.split_once('>')?;
            let text = rest.split("</text>").next().unwrap_or("").trim();
            Some(SvgText {
                text: text
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&"),
                head: head.to_string(),
            })
        })
        .collect()
}

/// Every text of `svg`, in document order.
pub fn texts_of(svg: &str) -> Vec<String> {
    parse(svg).into_iter().map(|t| t.text).collect()
}

/// The texts of `svg` that reach outside its canvas, as "text: where" lines (empty when
/// all fit). Widths are measured with the font the figure was drawn with; rotated texts
/// (axis titles) are measured along their rotation.
pub fn texts_outside(svg: &str) -> Vec<String> {
    super::canvas::register_font();
    let (w, h) = (attr(svg, "<svg", "width"), attr(svg, "<svg", "height"));
    let mut out = Vec::new();
    for SvgText { text, head } in parse(svg) {
        let head = head.as_str();
        let (x, y) = (num(head, "x"), num(head, "y"));
        let size = num(head, "font-size");
        let (tw, _) = (FAMILY, size).into_font().box_size(&text).unwrap_or((0, 0));
        let tw = tw as f64;
        let (lo, hi) = match head.split("text-anchor=\"").nth(1).map(|a| &a[..3]) {
            Some("end") => (x - tw, x),
            Some("mid") => (x - tw / 2.0, x + tw / 2.0),
            _ => (x, x + tw),
        };
        let fits = if head.contains("rotate(") {
            // Rotated by -90 or 90 degrees about (x, y): the text runs along y.
            y - tw / 2.0 >= -1.0 && y + tw / 2.0 <= h + 1.0 && x >= 0.0 && x <= w
        } else {
            lo >= -1.0 && hi <= w + 1.0 && y >= -1.0 && y + size <= h + 1.0
        };
        if !fits {
            out.push(format!(
                "{text:?} at x {x}, y {y} (width {tw:.0} px, canvas {w} x {h})"
            ));
        }
    }
    out
}

fn num(head: &str, name: &str) -> f64 {
    let key = format!(" {name}=\"");
    format!(" {head}")
        .split(&key)
        .nth(1)
        .and_then(|v| v.split('"').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

fn attr(svg: &str, element: &str, name: &str) -> f64 {
    svg.split(element)
        .nth(1)
        .and_then(|e| e.split('>').next())
        .map_or(0.0, |head| num(head, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_past_the_right_edge_is_found() {
        let svg = r#"<svg width="100" height="50" viewBox="0 0 100 50">
<text x="10" y="5" text-anchor="start" font-size="12">ok</text>
<text x="90" y="5" text-anchor="start" font-size="12">far too long a label</text>
</svg>"#;
        let found = texts_outside(svg);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("far too long"));
    }
}
