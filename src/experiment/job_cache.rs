//! Finished jobs kept as they end, so a killed run loses nothing: `--resume` reads them
//! back, runs only the others, and writes the same bytes as an uninterrupted run. Each job
//! is one small CSV file (its `runs.csv` row, its quantile rows, then its
//! `app_latency.csv` rows, each marked [`APP_MARK`]) in `.xrplace-jobs/`
//! of the output folder, beside `sweep.toml` saying which sweep and shard they belong to.
//! With `--metrics`, each job's monitoring samples are kept too (`<job>.om`).
//!
//! A job file ends with a checksum row ([`SUM_MARK`]: FNV-1a 64 of the rows above it and
//! of `sweep.toml`), so `--resume` refuses a file that was edited, damaged or copied from
//! another sweep, and a file of a job the run does not hold, instead of copying it into
//! the results.

use super::rows::job_rows;
use super::sessions::SessionRow;
use crate::config::output::write_atomic;
use crate::metrics::families::{from_cache, to_cache, JobMetrics};
use crate::metrics::tables::apps::AppRecord;
use crate::metrics::tables::cells::CellError;
use crate::metrics::tables::quantiles::QuantileRecord;
use crate::metrics::tables::runs::RunRecord;
use crate::metrics::tables::JobRows;
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// Folder of the finished jobs, inside the output folder.
pub const DIR: &str = ".xrplace-jobs";
/// What the jobs belong to.
const IDENTITY: &str = "sweep.toml";

/// First cell of a kept job's `app_latency.csv` rows (a quantile row starts with its job).
const APP_MARK: &str = "@app";
/// First cell of a kept job's last row, whose second is the checksum.
const SUM_MARK: &str = "@sum";
/// Largest job file read back (one job's rows: a few KiB).
const MAX_JOB_BYTES: u64 = 16 << 20;

/// The finished jobs of one output folder.
pub struct JobCache {
    dir: PathBuf,
    /// What the jobs belong to (the text of `sweep.toml`).
    identity: String,
    jobs_total: u64,
    /// Application names, in file order.
    apps: Vec<String>,
}

impl JobCache {
    /// Opens (or starts) the cache of `out` for the sweep `identity` (its provenance, with
    /// the number of jobs the run holds); refuses one left by another sweep or shard.
    pub fn open(
        out: &Path,
        identity: &str,
        jobs_total: u64,
        apps: Vec<String>,
    ) -> Result<JobCache, String> {
        let dir = out.join(DIR);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let id = dir.join(IDENTITY);
        let kept = if id.exists() {
            Some(
                crate::config::input::read_text(
                    &id,
                    "sweep.toml",
                    crate::config::input::MAX_TOML_BYTES,
                )
                .map_err(|e| e.to_string())?,
            )
        } else {
            None
        };
        match kept {
            Some(text) if text == identity => {}
            Some(_) => {
                return Err(format!(
                    "{} holds finished jobs of another sweep or shard; remove it or choose another --out",
                    dir.display()
                ))
            }
            None => write_atomic(&id, identity.as_bytes())
                .map_err(|e| format!("{}: {e}", id.display()))?,
        }
        Ok(JobCache {
            dir,
            identity: identity.to_string(),
            jobs_total,
            apps,
        })
    }

    /// Keeps a finished job.
    pub fn record(&self, row: &SessionRow) -> io::Result<()> {
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_writer(Vec::new());
        let rows = job_rows(row, self.jobs_total, &self.apps);
        w.write_record(rows.run.cells())?;
        for q in &rows.quantiles {
            w.write_record(q.cells())?;
        }
        for a in &rows.apps {
            w.write_record(std::iter::once(APP_MARK.to_string()).chain(a.cells()))?;
        }
        let mut bytes = w
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))?;
        bytes.extend_from_slice(format!("{SUM_MARK},{}\n", self.checksum(&bytes)).as_bytes());
        write_atomic(&self.dir.join(format!("{}.csv", row.job)), &bytes)
    }

    /// The checksum of a job file's rows: 16 hex digits.
    fn checksum(&self, rows: &[u8]) -> String {
        let h = crate::base::fnv::hash64_parts(&[self.identity.as_bytes(), rows]);
        format!("{h:016x}")
    }

    /// Keeps a finished job's monitoring samples (`--metrics`), beside its rows.
    pub fn record_metrics(&self, m: &JobMetrics) -> io::Result<()> {
        let bytes = to_cache(m);
        write_atomic(&self.dir.join(format!("{}.om", m.job)), &bytes)
    }

    /// Hands the monitoring samples kept for `jobs` to `each`, one job at a time (a sweep's
    /// samples need not fit in memory); refuses a job kept without them (or with a damaged
    /// file), which `--resume` cannot make whole.
    pub fn kept_metrics(
        &self,
        jobs: impl Iterator<Item = u64>,
        mut each: impl FnMut(JobMetrics),
    ) -> Result<(), String> {
        for job in jobs {
            each(self.kept_job_metrics(job)?);
        }
        Ok(())
    }

    /// The monitoring samples kept for `job`, or why there are none.
    fn kept_job_metrics(&self, job: u64) -> Result<JobMetrics, String> {
        let p = self.dir.join(format!("{job}.om"));
        crate::config::input::read_bytes(&p, "kept samples", crate::config::input::MAX_METRICS_BYTES)
            .ok()
            .and_then(|b| from_cache(job, &b))
            .ok_or_else(|| {
                format!(
                    "{}: missing or damaged: the kept job {job} has no monitoring samples; remove {} and run again",
                    p.display(),
                    self.dir.display()
                )
            })
    }

    /// Every job kept so far, by job index; `in_run` says which jobs this run holds.
    /// Refuses a file of a job it does not hold, and one whose rows do not match their
    /// checksum or their job, naming the file and line.
    pub fn finished(&self, in_run: impl Fn(u64) -> bool) -> Result<BTreeMap<u64, JobRows>, String> {
        let mut out = BTreeMap::new();
        let entries =
            std::fs::read_dir(&self.dir).map_err(|e| format!("{}: {e}", self.dir.display()))?;
        for entry in entries {
            let p = entry
                .map_err(|e| format!("{}: {e}", self.dir.display()))?
                .path();
            let Some(job) = p
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".csv"))
                .and_then(|n| n.parse::<u64>().ok())
            else {
                continue;
            };
            let remedy = format!(
                "remove it (the job runs again) or remove {} and run again",
                self.dir.display()
            );
            if job >= self.jobs_total || !in_run(job) {
                return Err(format!(
                    "{}: whole file: job {job} is not one of this run's jobs; {remedy}",
                    p.display()
                ));
            }
            let rows = self.read_job(&p, job).map_err(|(line, why)| match line {
                0 => format!("{}: whole file: {why}; {remedy}", p.display()),
                _ => format!("{}:{line}: {why}; {remedy}", p.display()),
            })?;
            out.insert(job, rows);
        }
        Ok(out)
    }

    /// One job file's rows, checked against its checksum and its job; `Err` gives the
    /// line and what is wrong.
    fn read_job(&self, p: &Path, job: u64) -> Result<JobRows, (usize, String)> {
        let text = crate::config::input::read_text(p, "kept job", MAX_JOB_BYTES)
            .map_err(|e| (e.line, e.message))?;
        let body_end = text.trim_end_matches('\n').rfind('\n').map_or(0, |i| i + 1);
        let (body, last) = text.split_at(body_end);
        let last_line = body.lines().count() + 1;
        let sum = last.trim_end().strip_prefix(&format!("{SUM_MARK},"));
        if sum != Some(self.checksum(body.as_bytes()).as_str()) {
            return Err((
                last_line,
                format!(
                    "field `{SUM_MARK}`: the rows do not match the checksum they were kept with \
                     (edited, damaged, or kept by another sweep)"
                ),
            ));
        }
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(body.as_bytes());
        let mut records = Vec::new();
        for (i, rec) in r.records().enumerate() {
            records.push(rec.map_err(|e| (i + 1, format!("not CSV: {e}")))?);
        }
        let found = records.first().and_then(|r| r.get(RUN_JOB));
        if found != Some(job.to_string().as_str()) {
            return Err((
                1,
                format!("field `job`: expected job {job}, the file's name, found {found:?}"),
            ));
        }
        let mut rows = JobRows {
            run: parse_line(1, &records[0], RunRecord::parse)?,
            quantiles: Vec::new(),
            apps: Vec::new(),
        };
        for (i, rec) in records.iter().enumerate().skip(1) {
            if rec.get(0) == Some(APP_MARK) {
                let cells: Vec<&str> = rec.iter().skip(1).collect();
                let app = AppRecord::parse(&cells).map_err(|e| cell_error(i + 1, e))?;
                rows.apps.push(app);
            } else {
                rows.quantiles
                    .push(parse_line(i + 1, rec, QuantileRecord::parse)?);
            }
        }
        Ok(rows)
    }
}

/// Column of a kept run row holding its job.
const RUN_JOB: usize = 6;

/// Line `line` of a job file, parsed by `parse`.
fn parse_line<T>(
    line: usize,
    rec: &csv::StringRecord,
    parse: fn(&[&str]) -> Result<T, CellError>,
) -> Result<T, (usize, String)> {
    let cells: Vec<&str> = rec.iter().collect();
    parse(&cells).map_err(|e| cell_error(line, e))
}

/// A bad cell of line `line`, as the job cache reports it.
fn cell_error(line: usize, e: CellError) -> (usize, String) {
    (line, format!("field `{}`: {}", e.column, e.message))
}

/// How many jobs of `out` are finished, and how many the run holds, if it keeps any.
pub fn progress(out: &Path) -> Option<(u64, u64)> {
    let dir = out.join(DIR);
    let id = crate::config::input::read_text(
        &dir.join(IDENTITY),
        "sweep.toml",
        crate::config::input::MAX_TOML_BYTES,
    )
    .ok()?;
    let held = id
        .lines()
        .find_map(|l| l.strip_prefix("jobs_in_run = "))
        .and_then(|v| v.trim().parse().ok())?;
    let done = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".csv"))
        .count() as u64;
    Some((done, held))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Job 0's `runs.csv` row with `usage_cost_usd` set to `cost`, as text.
    fn run_line(cost: &str) -> String {
        let r = RunRecord {
            jobs_total: 4,
            ..RunRecord::example(0)
        };
        let mut cells = r.cells();
        let at = RunRecord::header()
            .iter()
            .position(|h| *h == "usage_cost_usd")
            .unwrap();
        cells[at] = cost.to_string();
        cells.join(",") + "\n"
    }

    #[test]
    fn a_kept_cell_that_holds_no_number_is_refused_at_its_line_and_field() {
        let out = std::env::temp_dir().join(format!("xrplace-job-cell-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let cache = JobCache::open(&out, "jobs_in_run = 4\n", 4, Vec::new()).unwrap();
        let keep = |body: String| {
            let sum = cache.checksum(body.as_bytes());
            let text = format!("{body}{SUM_MARK},{sum}\n");
            std::fs::write(out.join(DIR).join("0.csv"), text).unwrap();
        };
        keep(run_line("2.000000"));
        let kept = cache.finished(|_| true).unwrap();
        assert_eq!(kept[&0].run.figure("usage_cost_usd"), 2.0);
        // The checksum holds (recomputed), the cell does not.
        keep(run_line("NaN"));
        let e = cache.finished(|_| true).unwrap_err();
        assert!(
            e.contains("0.csv:1: field `usage_cost_usd`: expected a finite number, found \"NaN\""),
            "{e}"
        );
        keep(run_line("1.0") + "first-fit,eu,0.200000,none,0,0,0.5,x\n");
        let e = cache.finished(|_| true).unwrap_err();
        assert!(
            e.contains("0.csv:2: field `latency_ms`: expected a number, found \"x\""),
            "{e}"
        );
        let _ = std::fs::remove_dir_all(&out);
    }
}
