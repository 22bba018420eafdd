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
pub(crate) use style::short;
