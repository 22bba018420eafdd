//! A session run's rows of every table ([`crate::metrics::tables`]), from what it measured:
//! what a fresh run writes, and what the job cache keeps of it.

use super::sessions::{SessionResult, SessionRow};
use crate::metrics::histogram::quantile_levels;
use crate::metrics::tables::apps::{AppRecord, NO_SAMPLE};
use crate::metrics::tables::key::{PointKey, RunKey};
use crate::metrics::tables::quantiles::QuantileRecord;
use crate::metrics::tables::runs::RunRecord;
use crate::metrics::tables::{JobRows, Tables};

/// The sweep point and repetition of run `r`.
pub fn run_key(r: &SessionRow) -> RunKey {
    RunKey {
        point: PointKey {
            strategy: r.strategy.clone(),
            topology: r.point.topology_name.clone(),
            rate_per_s: r.point.rate_per_s,
            fault_model: r.point.fault_model.clone(),
        },
        run: r.run,
    }
}

/// Run `r`'s rows of every table, in a sweep of `jobs_total` jobs whose applications are
/// `apps` (in file order).
pub fn job_rows(r: &SessionRow, jobs_total: u64, apps: &[String]) -> JobRows {
    let key = run_key(r);
    let run = RunRecord {
        key: key.clone(),
        experiment_seed: r.experiment_seed,
        job: r.job,
        jobs_total,
        events: r.events,
        slo_latency_ms: r.slo_latency_ms,
        figures: RunRecord::figures_of(&r.summary),
    };
    let quantiles = r
        .summary
        .latency_quantiles_ms
        .iter()
        .zip(quantile_levels())
        .map(|(&latency_ms, q)| QuantileRecord {
            key: key.clone(),
            job: r.job,
            q,
            latency_ms,
        })
        .collect();
    let apps = apps
        .iter()
        .enumerate()
        .map(|(i, name)| AppRecord {
            key: key.clone(),
            job: r.job,
            app: name.clone(),
            figures: r.summary.per_app.get(i).copied().unwrap_or(NO_SAMPLE),
        })
        .collect();
    JobRows {
        run,
        quantiles,
        apps,
    }
}

/// The rows of every table of the runs of `res`, in job order.
pub fn tables(res: &SessionResult) -> Tables {
    Tables::of_jobs(
        res.rows
            .iter()
            .map(|r| job_rows(r, res.jobs_total, &res.apps))
            .collect(),
    )
}
