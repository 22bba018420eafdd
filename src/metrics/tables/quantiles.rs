//! `latency_quantiles.csv` rows: a run's latency at each quantile level, typed.

use super::cells::{real, CellError, Cells};
use super::key::{RunKey, RUN_COLUMNS};

/// One run's latency at one quantile level.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantileRecord {
    /// The sweep point and repetition.
    pub key: RunKey,
    /// Job of the run.
    pub job: u64,
    /// Quantile level, 0..1.
    pub q: f64,
    /// Latency at that level, ms (NaN when the run had no sample).
    pub latency_ms: f64,
}

impl QuantileRecord {
    /// The header of `latency_quantiles.csv`.
    pub fn header() -> Vec<&'static str> {
        RUN_COLUMNS
            .iter()
            .chain(&["job", "q", "latency_ms"])
            .copied()
            .collect()
    }

    /// Column of the job.
    pub const JOB: usize = RUN_COLUMNS.len();

    /// The row's cells, in [`Self::header`] order (the level as its shortest decimal).
    pub fn cells(&self) -> Vec<String> {
        let mut c = self.key.cells();
        c.extend([
            self.job.to_string(),
            self.q.to_string(),
            real(self.latency_ms),
        ]);
        c
    }

    /// The row of a `latency_quantiles.csv` line.
    pub fn parse(cells: &[&str]) -> Result<QuantileRecord, CellError> {
        let header = Self::header();
        let mut c = Cells::new(cells, &header)?;
        Ok(QuantileRecord {
            key: RunKey::parse(&mut c)?,
            job: c.whole()?,
            q: c.finite()?,
            latency_ms: c.real()?,
        })
    }
}
