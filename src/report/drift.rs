//! The drift report: what the model assumes against what the estate measures, one row per
//! subject (`drift.csv`, and the figure of [`super::figures::drift`]). Two kinds of subject:
//! a peering (the RTT the topology's routes give against Liqo's measured one) and a cluster
//! (planned against allocatable cores and MiB, filled from an estate's Nodes by `import
//! k8s`).
//!
//! ```text
//! kind,subject,modelled,measured,unit,abs_diff,relative_diff
//! rtt,mgmt<->edge-zurich,8.512,9.100,ms,0.588,0.069078
//! ```
//!
//! `abs_diff` is measured - modelled; `relative_diff` is that over the modelled value
//! (empty when the model says 0).

/// What a drift row compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DriftKind {
    /// Round trip of a peering, ms.
    Rtt,
    /// CPU of a cluster, cores.
    Cpu,
    /// Memory of a cluster, MiB.
    Memory,
}

impl DriftKind {
    /// The name in the `kind` column.
    pub fn name(self) -> &'static str {
        match self {
            DriftKind::Rtt => "rtt",
            DriftKind::Cpu => "cpu",
            DriftKind::Memory => "memory",
        }
    }

    /// The unit of its values, in the `unit` column.
    pub fn unit(self) -> &'static str {
        match self {
            DriftKind::Rtt => "ms",
            DriftKind::Cpu => "cores",
            DriftKind::Memory => "MiB",
        }
    }
}

/// One subject's modelled and measured value, in the kind's unit.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftRow {
    /// What is compared.
    pub kind: DriftKind,
    /// The peering (`a<->b`, clusters) or the cluster.
    pub subject: String,
    /// What the model gives.
    pub modelled: f64,
    /// What the estate measures.
    pub measured: f64,
}

impl DriftRow {
    /// Measured less modelled, in the kind's unit.
    pub fn abs_diff(&self) -> f64 {
        self.measured - self.modelled
    }

    /// [`Self::abs_diff`] over the modelled value; `None` when the model says 0.
    pub fn relative_diff(&self) -> Option<f64> {
        (self.modelled != 0.0).then(|| self.abs_diff() / self.modelled)
    }

    /// The subject of the peering of clusters `a` and `b`.
    pub fn peering(a: &str, b: &str) -> String {
        format!("{a}<->{b}")
    }
}

/// The columns of `drift.csv`.
pub const COLUMNS: [&str; 7] = [
    "kind",
    "subject",
    "modelled",
    "measured",
    "unit",
    "abs_diff",
    "relative_diff",
];

/// The contents of `drift.csv`: values with 3 decimals, relative differences with 6.
pub fn drift_csv(rows: &[DriftRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(COLUMNS)?;
    for r in rows {
        w.write_record([
            r.kind.name().to_string(),
            r.subject.clone(),
            super::number(r.modelled, 3),
            super::number(r.measured, 3),
            r.kind.unit().to_string(),
            super::number(r.abs_diff(), 3),
            r.relative_diff()
                .map_or(String::new(), |d| super::number(d, 6)),
        ])?;
    }
    w.flush()?;
    Ok(w.into_inner().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_give_both_differences_in_their_unit() {
        let rows = [
            DriftRow {
                kind: DriftKind::Rtt,
                subject: DriftRow::peering("a", "b"),
                modelled: 8.0,
                measured: 10.0,
            },
            DriftRow {
                kind: DriftKind::Memory,
                subject: "a".into(),
                modelled: 0.0,
                measured: 512.0,
            },
        ];
        let text = String::from_utf8(drift_csv(&rows).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], COLUMNS.join(","));
        // (10 - 8) / 8 = 0.25.
        assert_eq!(lines[1], "rtt,a<->b,8.000,10.000,ms,2.000,0.250000");
        assert_eq!(lines[2], "memory,a,0.000,512.000,MiB,512.000,");
    }
}
