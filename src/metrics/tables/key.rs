//! The first cells of every row of a session sweep's tables: the sweep point (strategy,
//! topology, load rate, fault model) and the run, so each table reads without a join.

use super::cells::{real, CellError, Cells};

/// Columns naming the sweep point.
pub const POINT_COLUMNS: [&str; 4] = ["strategy", "topology", "rate_per_s", "fault_model"];
/// Columns naming the run: the point's, then the repetition.
pub const RUN_COLUMNS: [&str; 5] = ["strategy", "topology", "rate_per_s", "fault_model", "run"];

/// A sweep point as the tables name it.
#[derive(Debug, Clone, PartialEq)]
pub struct PointKey {
    /// Strategy name.
    pub strategy: String,
    /// Topology name.
    pub topology: String,
    /// Mean arrival rate, sessions/s (0 for a trace).
    pub rate_per_s: f64,
    /// Fault model name.
    pub fault_model: String,
}

/// One run of a sweep point.
#[derive(Debug, Clone, PartialEq)]
pub struct RunKey {
    /// The sweep point.
    pub point: PointKey,
    /// Repetition.
    pub run: u32,
}

impl PointKey {
    /// The point's cells, in [`POINT_COLUMNS`] order.
    pub fn cells(&self) -> Vec<String> {
        vec![
            self.strategy.clone(),
            self.topology.clone(),
            real(self.rate_per_s),
            self.fault_model.clone(),
        ]
    }

    /// Whether two rows are of one sweep point as the tables write them.
    pub fn same_as(&self, other: &PointKey) -> bool {
        self.cells() == other.cells()
    }
}

impl RunKey {
    /// The run's cells, in [`RUN_COLUMNS`] order.
    pub fn cells(&self) -> Vec<String> {
        let mut c = self.point.cells();
        c.push(self.run.to_string());
        c
    }

    /// The run named by the next five cells of a row.
    pub fn parse(c: &mut Cells) -> Result<RunKey, CellError> {
        let point = PointKey {
            strategy: c.text(),
            topology: c.text(),
            rate_per_s: c.real()?,
            fault_model: c.text(),
        };
        Ok(RunKey {
            point,
            run: c.whole()?,
        })
    }
}
