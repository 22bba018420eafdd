//! Figures of every experiment kind, drawn with plotters to SVG (for papers) and PNG (for a
//! quick look), from the same chart description. The bytes depend only on the data: text is
//! laid out with the embedded DejaVu Sans, never a system font.
//!
//! - `canvas`: rendering a chart to both formats.
//! - `style`: the colour-blind-safe palette, markers and dash patterns, the shared legend.
//! - `panel`: one set of axes inside a grid of small multiples.
//! - `sessions`, `streaming`, `provisioning`, `plan`: the figures of each experiment kind.

mod canvas;
pub mod check;
pub mod drift;
pub mod panel;
pub mod plan;
pub mod provisioning;
pub mod sessions;
pub mod streaming;
mod style;

pub use canvas::Figure;

/// Whether an output's figures are drawn. Rendering the PNGs is most of the time of writing a
/// small run's results, and a notebook or a sweep driver that reads only the tables does not
/// want them (`xrplace run --no-figures`, the Python package's `run(..., figures=False)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Figures {
    /// Draw every figure of the output into `plots/` (the default).
    #[default]
    Render,
    /// Draw none: `plots/` is not written (an earlier run's plots in the folder stay).
    Skip,
}

impl Figures {
    /// The figures `draw` makes, or none (without calling it) when they are skipped.
    pub fn draw<E>(self, draw: impl FnOnce() -> Result<Vec<Figure>, E>) -> Result<Vec<Figure>, E> {
        match self {
            Figures::Render => draw(),
            Figures::Skip => Ok(Vec::new()),
        }
    }
}
pub(crate) use style::short;
