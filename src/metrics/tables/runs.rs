//! `runs.csv` rows: one run of a sweep point, its bookkeeping and its figures, typed.

use super::cells::{real, CellError, Cells};
use super::key::{RunKey, RUN_COLUMNS};
use crate::metrics::sessions::SessionSummary;

/// What a figure counts in: whole things, written as whole numbers (so a reader such as
/// pandas types them as integers; their means over runs in `summary.csv` keep decimals),
/// or a real quantity written with six decimals, of which a latency quantile read from the
/// run's histogram has an interval over runs no narrower than the histogram's resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A count of things.
    Count,
    /// A real quantity.
    Real,
    /// A latency quantile of the run's histogram, ms: written as a real; its `_ci95` in
    /// `summary.csv` is at least the histogram's resolution there
    /// ([`crate::metrics::stats::quantile_mean_ci95`]).
    HistogramQuantile,
}

/// A reported figure of a run: its column, its kind and its value in the run's summary.
pub struct Figure {
    /// Column name in `runs.csv` (and, with `_ci95`, in `summary.csv`).
    pub name: &'static str,
    /// Count or real.
    pub kind: Kind,
    /// Its value in a run's summary.
    pub of: fn(&SessionSummary) -> f64,
}

/// Reported figures, in column order. A new figure is one entry here (and a field of
/// [`SessionSummary`] if it is a new measure); `runs.csv`, `summary.csv`, the job cache and
/// `merge` follow.
pub const FIGURES: &[Figure] = &[
    Figure {
        name: "arrivals",
        kind: Kind::Count,
        of: |s| s.arrivals as f64,
    },
    Figure {
        name: "admitted",
        kind: Kind::Count,
        of: |s| s.admitted as f64,
    },
    Figure {
        name: "rejected",
        kind: Kind::Count,
        of: |s| s.rejected as f64,
    },
    Figure {
        name: "dropped",
        kind: Kind::Count,
        of: |s| s.dropped as f64,
    },
    Figure {
        name: "dropped_cluster_failed",
        kind: Kind::Count,
        of: |s| s.dropped_by[0] as f64,
    },
    Figure {
        name: "dropped_node_lost",
        kind: Kind::Count,
        of: |s| s.dropped_by[1] as f64,
    },
    Figure {
        name: "dropped_partitioned",
        kind: Kind::Count,
        of: |s| s.dropped_by[2] as f64,
    },
    Figure {
        name: "completed",
        kind: Kind::Count,
        of: |s| s.completed as f64,
    },
    Figure {
        name: "migrations",
        kind: Kind::Count,
        of: |s| s.migrated as f64,
    },
    Figure {
        name: "udp_refused",
        kind: Kind::Count,
        of: |s| s.udp_refused as f64,
    },
    Figure {
        name: "slo_violation_ratio",
        kind: Kind::Real,
        of: |s| s.slo_violation_ratio,
    },
    Figure {
        name: "latency_p50_ms",
        kind: Kind::HistogramQuantile,
        of: |s| s.latency_p50_ms,
    },
    Figure {
        name: "latency_p95_ms",
        kind: Kind::HistogramQuantile,
        of: |s| s.latency_p95_ms,
    },
    Figure {
        name: "latency_p99_ms",
        kind: Kind::HistogramQuantile,
        of: |s| s.latency_p99_ms,
    },
    Figure {
        name: "latency_mean_ms",
        kind: Kind::Real,
        of: |s| s.latency_mean_ms,
    },
    Figure {
        name: "vcpu_hours",
        kind: Kind::Real,
        of: |s| s.vcpu_hours,
    },
    Figure {
        name: "gib_hours",
        kind: Kind::Real,
        of: |s| s.gib_hours,
    },
    Figure {
        name: "egress_gb",
        kind: Kind::Real,
        of: |s| s.egress_gb,
    },
    Figure {
        name: "usage_cost_usd",
        kind: Kind::Real,
        of: |s| s.usage_cost_usd,
    },
    Figure {
        name: "rejected_ratio",
        kind: Kind::Real,
        of: |s| {
            if s.arrivals == 0 {
                0.0
            } else {
                s.rejected as f64 / s.arrivals as f64
            }
        },
    },
    Figure {
        name: "util_mean_cloud",
        kind: Kind::Real,
        of: |s| s.util_mean[0],
    },
    Figure {
        name: "util_mean_edge",
        kind: Kind::Real,
        of: |s| s.util_mean[1],
    },
    Figure {
        name: "util_mean_far_edge",
        kind: Kind::Real,
        of: |s| s.util_mean[2],
    },
    Figure {
        name: "util_peak_cloud",
        kind: Kind::Real,
        of: |s| s.util_peak[0],
    },
    Figure {
        name: "util_peak_edge",
        kind: Kind::Real,
        of: |s| s.util_peak[1],
    },
    Figure {
        name: "util_peak_far_edge",
        kind: Kind::Real,
        of: |s| s.util_peak[2],
    },
    Figure {
        name: "dropped_ratio",
        kind: Kind::Real,
        of: |s| {
            if s.admitted == 0 {
                0.0
            } else {
                s.dropped as f64 / s.admitted as f64
            }
        },
    },
    Figure {
        name: "nodes_added",
        kind: Kind::Count,
        of: |s| s.nodes_added as f64,
    },
    Figure {
        name: "nodes_removed",
        kind: Kind::Count,
        of: |s| s.nodes_removed as f64,
    },
    Figure {
        name: "scale_outs_failed",
        kind: Kind::Count,
        of: |s| s.scale_outs_failed as f64,
    },
    Figure {
        name: "peerings",
        kind: Kind::Count,
        of: |s| s.peerings as f64,
    },
    Figure {
        name: "added_vcpu_hours",
        kind: Kind::Real,
        of: |s| s.added_vcpu_hours,
    },
    Figure {
        name: "clusters_provisioned",
        kind: Kind::Count,
        of: |s| s.clusters_provisioned as f64,
    },
    Figure {
        name: "provisions_failed",
        kind: Kind::Count,
        of: |s| s.provisions_failed as f64,
    },
    Figure {
        name: "clusters_deleted",
        kind: Kind::Count,
        of: |s| s.clusters_deleted as f64,
    },
    Figure {
        name: "offloaded",
        kind: Kind::Count,
        of: |s| s.offloaded as f64,
    },
    Figure {
        name: "overloaded_session_hours",
        kind: Kind::Real,
        of: |s| s.overloaded_session_hours,
    },
    Figure {
        name: "cpu_saturated_session_hours",
        kind: Kind::Real,
        of: |s| s.cpu_saturated_session_hours,
    },
    Figure {
        name: "energy_kwh",
        kind: Kind::Real,
        of: |s| s.energy.energy_kwh,
    },
    Figure {
        name: "energy_it_kwh",
        kind: Kind::Real,
        of: |s| s.energy.energy_it_kwh,
    },
    Figure {
        name: "session_energy_kwh",
        kind: Kind::Real,
        of: |s| s.energy.session_energy_kwh,
    },
    Figure {
        name: "energy_wh_per_session_hour",
        kind: Kind::Real,
        of: |s| {
            let hours: f64 = s.per_app.iter().map(|a| a.session_hours).sum();
            if hours > 0.0 {
                s.energy.session_energy_kwh * 1000.0 / hours
            } else {
                f64::NAN
            }
        },
    },
    Figure {
        name: "carbon_kg",
        kind: Kind::Real,
        of: |s| s.energy.carbon_kg,
    },
    Figure {
        name: "session_carbon_kg",
        kind: Kind::Real,
        of: |s| s.energy.session_carbon_kg,
    },
];

/// Columns after the run's key and before the figures: its bookkeeping.
pub const BOOKKEEPING: [&str; 5] = [
    "experiment_seed",
    "job",
    "jobs_total",
    "events",
    "slo_latency_ms",
];

/// One run of a sweep point as `runs.csv` holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    /// The sweep point and repetition.
    pub key: RunKey,
    /// The seed of the whole experiment (the file's `seed`, or `--seed`), the same in
    /// every run: the run's random streams derive from this and the key's `run` together.
    pub experiment_seed: u64,
    /// Position of the run in the whole sweep (point-major, then run).
    pub job: u64,
    /// Jobs in the whole sweep (all shards).
    pub jobs_total: u64,
    /// Events handled.
    pub events: u64,
    /// Latency budget `slo_violation_ratio` is measured against, ms.
    pub slo_latency_ms: f64,
    /// The value of each of [`FIGURES`], in its order.
    pub figures: Vec<f64>,
}

impl RunRecord {
    /// The figures of `summary`, in [`FIGURES`] order.
    pub fn figures_of(summary: &SessionSummary) -> Vec<f64> {
        FIGURES.iter().map(|f| (f.of)(summary)).collect()
    }

    /// The header of `runs.csv`.
    pub fn header() -> Vec<&'static str> {
        RUN_COLUMNS
            .iter()
            .chain(&BOOKKEEPING)
            .copied()
            .chain(FIGURES.iter().map(|f| f.name))
            .collect()
    }

    /// The row's cells, in [`Self::header`] order.
    pub fn cells(&self) -> Vec<String> {
        let mut c = self.key.cells();
        c.extend([
            self.experiment_seed.to_string(),
            self.job.to_string(),
            self.jobs_total.to_string(),
            self.events.to_string(),
            real(self.slo_latency_ms),
        ]);
        c.extend(
            FIGURES
                .iter()
                .zip(&self.figures)
                .map(|(f, &v)| cell(f.kind, v)),
        );
        c
    }

    /// The run of a `runs.csv` row. The sweep's job count and the job are checked first:
    /// they say which sweep and job the row belongs to.
    pub fn parse(cells: &[&str]) -> Result<RunRecord, CellError> {
        let header = Self::header();
        let mut c = Cells::new(cells, &header)?;
        let jobs_total = first_checked(&c, "jobs_total", "expected a count")?;
        let job = first_checked(&c, "job", "expected a job index")?;
        let key = RunKey::parse(&mut c)?;
        let experiment_seed = c.whole()?;
        c.skip(2);
        let events = c.whole()?;
        let slo_latency_ms = c.real()?;
        let figures = FIGURES
            .iter()
            .map(|f| match f.kind {
                Kind::Count => c.whole::<u64>().map(|v| v as f64),
                Kind::Real | Kind::HistogramQuantile => c.real(),
            })
            .collect::<Result<_, _>>()?;
        Ok(RunRecord {
            key,
            experiment_seed,
            job,
            jobs_total,
            events,
            slo_latency_ms,
            figures,
        })
    }

    /// The value of figure `name` (NaN if there is no such figure).
    pub fn figure(&self, name: &str) -> f64 {
        let i = FIGURES.iter().position(|f| f.name == name);
        i.and_then(|i| self.figures.get(i))
            .copied()
            .unwrap_or(f64::NAN)
    }
}

/// The whole number in column `name`, read before the rest of the row.
fn first_checked(c: &Cells, name: &str, what: &str) -> Result<u64, CellError> {
    c.named(name)
        .parse()
        .map_err(|_| CellError::new(name, what))
}

/// A figure's cell: a count as a whole number, a real with six decimals.
pub fn cell(kind: Kind, v: f64) -> String {
    if kind == Kind::Count && v.is_finite() && v >= 0.0 {
        (v as u64).to_string()
    } else {
        real(v)
    }
}

/// A row of job `job` of a first-fit run on `eu` with every figure 1, for unit tests
/// here and in the job cache.
#[cfg(test)]
impl RunRecord {
    pub(crate) fn example(job: u64) -> RunRecord {
        RunRecord {
            key: RunKey {
                point: super::key::PointKey {
                    strategy: "first-fit".into(),
                    topology: "eu".into(),
                    rate_per_s: 0.2,
                    fault_model: "none".into(),
                },
                run: 0,
            },
            experiment_seed: 1,
            job,
            jobs_total: 8,
            events: 10,
            slo_latency_ms: 15.0,
            figures: vec![1.0; FIGURES.len()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_job_column_is_the_seventh() {
        assert_eq!(RunRecord::header()[6], "job");
    }

    #[test]
    fn counts_are_whole_numbers_and_other_figures_keep_decimals() {
        assert_eq!(cell(Kind::Count, 17334.0), "17334");
        assert_eq!(cell(Kind::Real, 17334.0), "17334.000000");
        assert_eq!(cell(Kind::Count, f64::NAN), "");
    }

    #[test]
    fn a_row_reads_back_as_written_and_a_bad_cell_is_named() {
        let mut r = RunRecord::example(3);
        r.figures = (0..FIGURES.len()).map(|i| i as f64).collect();
        let cells = r.cells();
        let text: Vec<&str> = cells.iter().map(String::as_str).collect();
        assert_eq!(RunRecord::parse(&text), Ok(r));
        let mut bad = text.clone();
        let header = RunRecord::header();
        let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
        bad[at("usage_cost_usd")] = "NaN";
        assert_eq!(RunRecord::parse(&bad).unwrap_err().column, "usage_cost_usd");
        bad[at("arrivals")] = "2.5";
        assert_eq!(RunRecord::parse(&bad).unwrap_err().column, "arrivals");
        bad[at("job")] = "x";
        assert_eq!(RunRecord::parse(&bad).unwrap_err().column, "job");
    }
}
