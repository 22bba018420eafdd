//! `merge` of the shards' monitoring samples: each shard's `metrics.om` (or
//! `metrics.om.gz`) and `timeseries.csv` read line by line and cut back into per-job parts
//! (a sample names its job by its run labels, which the shard's `runs.csv` maps to jobs),
//! spooled to disk, then written as one run writes them. Memory holds the spool's index,
//! not the samples.

use super::{run_labels, timeseries_header, timeseries_part, SampleSpool};
use crate::config::input::{open_maybe_gzip, MAX_METRICS_BYTES};
use crate::config::ConfigError;
use crate::metrics::families::headers;
use crate::metrics::tables::key::RUN_COLUMNS;
use crate::report::figures::short;
use crate::report::samples_file::{self, Compression};
use crate::report::shard_tables::{self, read_runs, MergeError};
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

/// Longest line of a shard's `metrics.om`: 1 MiB. xrplace writes lines of a few hundred
/// bytes (the labels of a run and a cluster); a longer one is not a sample of a run.
const MAX_LINE_BYTES: u64 = 1 << 20;

/// The shards' monitoring samples, joined.
pub struct MergedSamples {
    /// Every shard's samples, by job.
    pub spool: SampleSpool,
    /// The form of the merged samples file: gzip if any shard's was gzipped (it was chosen
    /// for a sweep too big for plain text), else plain.
    pub compression: Compression,
}

/// The merged `metrics.om` and `timeseries.csv` of shard folders `shards` (each with its
/// `runs.csv`), spooled in `out` (the merge's output folder), or `None` if no shard wrote
/// them; refuses shards of which only some did, and a shard holding both forms.
pub fn merge(shards: &[PathBuf], out: &Path) -> Result<Option<MergedSamples>, MergeError> {
    let found = shards
        .iter()
        .map(|d| samples_file::find(d).map_err(MergeError::Input))
        .collect::<Result<Vec<_>, _>>()?;
    if found.iter().all(Option::is_none) {
        return Ok(None);
    }
    if let Some(i) = found.iter().position(Option::is_none) {
        return Err(MergeError::Input(ConfigError::whole_file(
            &shards[i].join("metrics.om"),
            "missing (and no metrics.om.gz): the other shards were run with --metrics; run this one with it too (and the same --metrics-start-unix-s)",
        )));
    }
    let spool = SampleSpool::new(out);
    let mut compression = Compression::None;
    for (d, (samples, form)) in shards.iter().zip(found.into_iter().flatten()) {
        let jobs = jobs_of(&d.join("runs.csv"))?;
        split_openmetrics(&samples, &jobs, &spool, out)?;
        let held: HashSet<u64> = jobs.values().copied().collect();
        split_timeseries(&d.join("timeseries.csv"), &held, &spool, out)?;
        if form == Compression::Gzip {
            compression = Compression::Gzip;
        }
    }
    Ok(Some(MergedSamples { spool, compression }))
}

fn located(path: &Path, line: usize, msg: impl Into<String>) -> MergeError {
    located_at(path, line, 1, msg)
}

fn located_at(path: &Path, line: usize, column: usize, msg: impl Into<String>) -> MergeError {
    MergeError::Input(ConfigError {
        file: path.to_path_buf(),
        line,
        column,
        field: "(line)".into(),
        message: msg.into(),
    })
}

/// A failure to spool into the output folder `out`: a runtime failure, not the input's.
fn spool_error(out: &Path, e: std::io::Error) -> MergeError {
    MergeError::Io(format!("cannot write to {}: {e}", out.display()))
}

/// Run labels -> job, from a shard's `runs.csv` read into its typed rows.
fn jobs_of(path: &Path) -> Result<HashMap<String, u64>, MergeError> {
    let mut out = HashMap::new();
    for (_, r) in read_runs(path)? {
        let p = &r.key.point;
        let labels = run_labels(
            &p.strategy,
            &p.topology,
            &short(p.rate_per_s, 6),
            &p.fault_model,
            &r.key.run.to_string(),
        );
        out.insert(labels, r.job);
    }
    Ok(out)
}

/// The job of a sample line: the run labels it starts with.
fn job_of_line(line: &str, jobs: &HashMap<String, u64>) -> Option<u64> {
    let open = line.find('{')? + 1;
    let labels = &line[open..];
    labels
        .match_indices("run=\"")
        .filter_map(|(at, m)| {
            let close = labels[at + m.len()..].find('"')? + at + m.len();
            jobs.get(&labels[..=close]).copied()
        })
        .next()
}

/// Calls `each` with every line of `r` (its 1-based number, and its text without the line
/// end), checked as `read_text` checks a file: a leading byte-order mark dropped, invalid
/// UTF-8 located. A failed read (a damaged gzip stream, one that decompresses past the
/// size limit) is an error at the line it stopped in.
fn each_line(
    path: &Path,
    mut r: Box<dyn BufRead>,
    mut each: impl FnMut(usize, &str) -> Result<(), MergeError>,
) -> Result<(), MergeError> {
    let mut buf = Vec::new();
    for n in 1.. {
        buf.clear();
        let got = (&mut r)
            .take(MAX_LINE_BYTES + 1)
            .read_until(b'\n', &mut buf)
            .map_err(|e| located(path, n, format!("cannot read: {e}")))?;
        if got == 0 {
            break;
        }
        if got as u64 > MAX_LINE_BYTES {
            let msg = format!("a line longer than {MAX_LINE_BYTES} bytes (expected a sample)");
            return Err(located(path, n, msg));
        }
        let mut body = buf.as_slice();
        if n == 1 {
            body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        }
        if let Some(b) = body.strip_suffix(b"\n") {
            body = b.strip_suffix(b"\r").unwrap_or(b);
        }
        let line = std::str::from_utf8(body).map_err(|e| {
            let msg = "invalid UTF-8 (expected UTF-8 text)";
            located_at(path, n, e.valid_up_to() + 1, msg)
        })?;
        each(n, line)?;
    }
    Ok(())
}

fn split_openmetrics(
    path: &Path,
    jobs: &HashMap<String, u64>,
    spool: &SampleSpool,
    out: &Path,
) -> Result<(), MergeError> {
    let text = open_maybe_gzip(path, "shard's monitoring samples", MAX_METRICS_BYTES)
        .map_err(MergeError::Input)?;
    let names: Vec<&str> = headers().iter().map(|h| h.0).collect();
    let mut family: Option<usize> = None;
    let mut sample = String::new();
    each_line(path, text, |n, line| {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let name = rest.split(' ').next().unwrap_or("");
            let at = names.iter().position(|n| *n == name);
            if at.is_none() || at < family {
                return Err(located(
                    path,
                    n,
                    format!("unexpected metric family {name:?}"),
                ));
            }
            family = at;
            return Ok(());
        }
        if line.starts_with('#') {
            return Ok(());
        }
        let (Some(f), Some(job)) = (family, job_of_line(line, jobs)) else {
            return Err(located(
                path,
                n,
                "a sample of no run of this shard's runs.csv",
            ));
        };
        if let Some(why) = sample_error(line) {
            return Err(located(path, n, why));
        }
        sample.clear();
        sample.push_str(line);
        sample.push('\n');
        spool
            .append(f, job, sample.as_bytes())
            .map_err(|e| spool_error(out, e))
    })
}

/// What is wrong with a sample line's value and timestamp after its labels, if anything:
/// xrplace writes finite numbers at least zero (utilisations, counts, latencies) and
/// timestamps in seconds.
fn sample_error(line: &str) -> Option<String> {
    let rest = line.rsplit_once('}').map_or(line, |(_, r)| r);
    let mut words = rest.split_whitespace();
    let value = words.next();
    let number = |w: &str| w.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0);
    if value.and_then(number).is_none() {
        return Some(format!(
            "expected a sample value, a finite number >= 0, found {value:?}"
        ));
    }
    match words.next() {
        Some(t) if number(t).is_none() => {
            Some(format!("expected a timestamp in seconds >= 0, found {t:?}"))
        }
        _ => None,
    }
}

/// Columns of `timeseries.csv` whose values are numbers at least zero.
fn numeric_column(name: &str) -> bool {
    name.ends_with("_ratio") || name.ends_with("_s") || matches!(name, "sessions" | "up")
}

/// The spool as the output of a CSV writer: the bytes of each record go to the time series
/// part of the job set before it is written.
struct ToSpool<'a> {
    spool: &'a SampleSpool,
    job: Cell<u64>,
}

impl Write for ToSpool<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.spool.append(timeseries_part(), self.job.get(), buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn split_timeseries(
    path: &Path,
    jobs: &HashSet<u64>,
    spool: &SampleSpool,
    out: &Path,
) -> Result<(), MergeError> {
    let mut r = shard_tables::open(path, "shard's timeseries.csv")?;
    let header: Vec<String> = r
        .headers()
        .map_err(|e| located(path, 1, e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    // The merge writes the canonical header over these rows: they must be its columns.
    let canonical = timeseries_header();
    let expected = String::from_utf8_lossy(&canonical);
    if header.join(",") != expected.trim_end() {
        return Err(located(
            path,
            1,
            format!("expected the header {}", expected.trim_end()),
        ));
    }
    let mut w = csv::Writer::from_writer(ToSpool {
        spool,
        job: Cell::new(0),
    });
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| located(path, i + 2, e.to_string()))?;
        let job = rec
            .get(RUN_COLUMNS.len())
            .and_then(|v| v.parse::<u64>().ok())
            .filter(|j| jobs.contains(j))
            .ok_or_else(|| located(path, i + 2, "a row of no job of this shard's runs.csv"))?;
        for (name, v) in header.iter().zip(rec.iter()) {
            let ok = v.parse::<f64>().is_ok_and(|x| x.is_finite() && x >= 0.0);
            if numeric_column(name) && !ok {
                return Err(located(
                    path,
                    i + 2,
                    format!("column `{name}`: expected a finite number >= 0, found {v:?}"),
                ));
            }
        }
        w.get_ref().job.set(job);
        w.write_record(&rec)
            .and_then(|()| w.flush().map_err(csv::Error::from))
            .map_err(|e| spool_error(out, std::io::Error::other(e)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_of_garbage_are_refused_not_merged() {
        let d = std::env::temp_dir().join(format!("xrplace-garbage-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("runs.csv"), "strategy,topology\nx,y\n").unwrap();
        std::fs::write(
            d.join("metrics.om"),
            "# TYPE nope gauge\nnope{a=\"b\"} 1 2\n",
        )
        .unwrap();
        std::fs::write(d.join("timeseries.csv"), "a\n1\n").unwrap();
        assert!(merge(std::slice::from_ref(&d), &d.join("out")).is_err());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn samples_and_series_values_must_be_numbers_xrplace_writes() {
        let line = |v: &str| format!("xrplace_x{{run=\"0\"}} {v}");
        assert_eq!(sample_error(&line("0.5 15.000")), None);
        assert_eq!(sample_error(&line("3")), None);
        for bad in ["-1 15", "NaN 15", "inf", "x 15", "1 -15", "1 nope", ""] {
            assert!(sample_error(&line(bad)).is_some(), "{bad:?}");
        }
        for col in ["cpu_utilisation_ratio", "time_s", "sessions", "up"] {
            assert!(numeric_column(col), "{col}");
        }
        assert!(!numeric_column("cluster"));
    }

    #[test]
    fn a_sample_names_its_job_by_its_run_labels() {
        let labels = run_labels("first-fit", "eu", "0.2", "default", "3");
        let jobs = HashMap::from([(labels.clone(), 11u64)]);
        let line = format!("xrplace_cluster_up{{{labels},cluster=\"a\"}} 1 15.000");
        assert_eq!(job_of_line(&line, &jobs), Some(11));
        let other = run_labels("first-fit", "eu", "0.2", "default", "4");
        assert_eq!(job_of_line(&format!("m{{{other}}} 1 2"), &jobs), None);
    }
}
