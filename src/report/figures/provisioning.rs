//! The study's provisioning figure: time until every node is Ready against cluster size,
//! one series per distribution, mean and spread over runs.

use super::canvas::{render, Chart, Drawn, Figure};
use super::panel::{self, Axes};
use super::style::{line, look, marker, Entry};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One distribution's times at each size.
#[derive(Debug, Clone)]
pub struct DistributionFigures {
    /// Distribution (`kubeadm`, `k3s`).
    pub distribution: String,
    /// (nodes, mean s, standard deviation s) of the runs that became Ready, by size.
    pub points: Vec<(u32, f64, f64)>,
}

struct ProvisioningTime<'a>(&'a [DistributionFigures]);

impl ProvisioningTime<'_> {
    fn entries(&self) -> Vec<Entry> {
        self.0
            .iter()
            .enumerate()
            .map(|(i, d)| (d.distribution.clone(), look(i), true))
            .collect()
    }
}

impl Chart for ProvisioningTime<'_> {
    fn size(&self) -> (u32, u32) {
        panel::canvas(1, 1)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn<DB> {
        let areas = panel::frame(
            root,
            "Cluster API provisioning: time to all nodes Ready (mean +/- 1 sd over runs)",
            &self.entries(),
            1,
        )?;
        let pts = || self.0.iter().flat_map(|d| d.points.iter());
        let axes = Axes {
            x: panel::range(pts().map(|p| p.0 as f64), true),
            y: panel::range(pts().map(|p| p.1 + p.2), true),
            x_desc: "cluster size (nodes, control plane included)",
            y_desc: "time to Ready (s)",
            y_ticks: None,
            x_numbers: true,
            x_label_px: panel::X_LABEL_PX,
        };
        let chart = panel::plot(&areas[0], "", &axes)?;
        for (i, d) in self.0.iter().enumerate() {
            let l = look(i);
            let xy: Vec<(f64, f64)> = d.points.iter().map(|p| (p.0 as f64, p.1)).collect();
            line(chart.plotting_area(), &xy, l)?;
            for &(n, mean, sd) in &d.points {
                panel::error_bar(&chart, false, n as f64, mean - sd, mean + sd, l.colour)?;
                marker(chart.plotting_area(), (n as f64, mean), l)?;
            }
        }
        Ok(())
    }
}

/// `provisioning_time`.
pub fn figures(d: &[DistributionFigures]) -> Result<Vec<Figure>, String> {
    Ok(vec![render("provisioning_time", &ProvisioningTime(d))?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_per_distribution() {
        let d = |name: &str, k: f64| DistributionFigures {
            distribution: name.into(),
            points: vec![(1, 100.0 * k, 5.0), (25, 250.0 * k, 8.0)],
        };
        let f = figures(&[d("kubeadm", 1.1), d("k3s", 1.0)]).unwrap();
        let texts = crate::report::figures::check::texts_of(&f[0].svg);
        assert!(texts.iter().any(|t| t == "kubeadm") && texts.iter().any(|t| t == "k3s"));
    }
}
