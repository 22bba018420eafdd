//! Energy and carbon of a session run: totals and per cluster, in joules and grams as the
//! world reports them ([`crate::world::sessions::energy`]), in kWh and kg as reported.

use crate::model::ClusterId;
use crate::world::sessions::EnergySample;

/// Joules per kWh.
const J_PER_KWH: f64 = 3.6e6;

/// A run's energy so far: all clusters together and each one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnergyTotals {
    /// All clusters.
    pub all: EnergySample,
    /// Each cluster, by index (clusters never reported are zero).
    pub clusters: Vec<EnergySample>,
}

impl EnergyTotals {
    /// Adds cluster `c`'s energy over an interval.
    pub fn add(&mut self, c: ClusterId, e: &EnergySample) {
        add_to(&mut self.all, e);
        let i = c.0 as usize;
        if i >= self.clusters.len() {
            self.clusters.resize(i + 1, EnergySample::default());
        }
        add_to(&mut self.clusters[i], e);
    }

    /// The run's figures.
    pub fn figures(&self) -> EnergyFigures {
        EnergyFigures::of(&self.all)
    }
}

fn add_to(total: &mut EnergySample, e: &EnergySample) {
    total.it_j += e.it_j;
    total.facility_j += e.facility_j;
    total.session_j += e.session_j;
    total.carbon_g += e.carbon_g;
    total.session_carbon_g += e.session_carbon_g;
}

/// Energy and carbon of a run or a cluster, in the units of the tables.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EnergyFigures {
    /// Facility energy (IT energy times PUE), kWh.
    pub energy_kwh: f64,
    /// IT energy (the nodes alone), kWh.
    pub energy_it_kwh: f64,
    /// The sessions' part of `energy_kwh`, kWh.
    pub session_energy_kwh: f64,
    /// Carbon of `energy_kwh`, kg CO2e.
    pub carbon_kg: f64,
    /// The sessions' part of `carbon_kg`, kg CO2e.
    pub session_carbon_kg: f64,
}

impl EnergyFigures {
    /// The figures of `e`.
    pub fn of(e: &EnergySample) -> EnergyFigures {
        EnergyFigures {
            energy_kwh: e.facility_j / J_PER_KWH,
            energy_it_kwh: e.it_j / J_PER_KWH,
            session_energy_kwh: e.session_j / J_PER_KWH,
            carbon_kg: e.carbon_g / 1000.0,
            session_carbon_kg: e.session_carbon_g / 1000.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_up_per_cluster_and_convert_to_kwh_and_kg() {
        // Cluster 2: 3.6 MJ (1 kWh) twice; cluster 0: 1.8 MJ. All: 9 MJ = 2.5 kWh.
        let e = |j: f64| EnergySample {
            it_j: j / 2.0,
            facility_j: j,
            session_j: j / 4.0,
            carbon_g: j / 3600.0,
            session_carbon_g: 0.0,
        };
        let mut t = EnergyTotals::default();
        t.add(ClusterId(2), &e(3.6e6));
        t.add(ClusterId(0), &e(1.8e6));
        t.add(ClusterId(2), &e(3.6e6));
        let f = t.figures();
        assert_eq!(t.clusters.len(), 3);
        assert_eq!(t.clusters[1], EnergySample::default());
        assert!((f.energy_kwh - 2.5).abs() < 1e-12);
        assert!((f.energy_it_kwh - 1.25).abs() < 1e-12);
        assert!((f.session_energy_kwh - 0.625).abs() < 1e-12);
        // 9e6 / 3600 = 2500 g = 2.5 kg.
        assert!((f.carbon_kg - 2.5).abs() < 1e-12);
        assert!((EnergyFigures::of(&t.clusters[2]).energy_kwh - 2.0).abs() < 1e-12);
    }
}
