//! `merge` of the shards' monitoring samples: each shard's `metrics.om` and `timeseries.csv`
//! cut back into per-job parts (a sample names its job by its run labels, which the shard's
//! `runs.csv` maps to jobs), then assembled as one run writes them.

use super::{assemble, run_labels, timeseries_header, SampleFiles};
use crate::config::ConfigError;
use crate::metrics::families::{headers, JobMetrics};
use crate::metrics::tables::key::RUN_COLUMNS;
use crate::report::figures::short;
use crate::report::shard_tables::{self, read_runs, MergeError};
use std::collections::HashMap;
use std::path::Path;

/// The merged `metrics.om` and `timeseries.csv` of shard folders `shards` (each with its
/// `runs.csv`), or `None` if no shard wrote them; refuses shards of which only some did.
pub fn merge(shards: &[std::path::PathBuf]) -> Result<Option<SampleFiles>, MergeError> {
    let with: Vec<bool> = shards
        .iter()
        .map(|d| d.join("metrics.om").is_file())
        .collect();
    if with.iter().all(|w| !w) {
        return Ok(None);
    }
    if let Some(i) = with.iter().position(|w| !w) {
        return Err(MergeError::Input(ConfigError::whole_file(
            &shards[i].join("metrics.om"),
            "missing: the other shards were run with --metrics; run this one with it too (and the same --metrics-start-unix-s)",
        )));
    }
    let mut parts: HashMap<u64, JobMetrics> = HashMap::new();
    for d in shards {
        let jobs = jobs_of(&d.join("runs.csv"))?;
        for &job in jobs.values() {
            parts.insert(
                job,
                JobMetrics {
                    job,
                    families: vec![String::new(); headers().len()],
                    timeseries: Vec::new(),
                },
            );
        }
        split_openmetrics(&d.join("metrics.om"), &jobs, &mut parts)?;
        split_timeseries(&d.join("timeseries.csv"), &mut parts)?;
    }
    Ok(Some(assemble(parts.into_values().collect())))
}

fn located(path: &Path, line: usize, msg: impl Into<String>) -> MergeError {
    MergeError::Input(ConfigError {
        file: path.to_path_buf(),
        line,
        column: 1,
        field: "(line)".into(),
        message: msg.into(),
    })
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

fn split_openmetrics(
    path: &Path,
    jobs: &HashMap<String, u64>,
    parts: &mut HashMap<u64, JobMetrics>,
) -> Result<(), MergeError> {
    let text = crate::config::input::read_text(
        path,
        "shard's metrics.om",
        crate::config::input::MAX_METRICS_BYTES,
    )
    .map_err(MergeError::Input)?;
    let names: Vec<&str> = headers().iter().map(|h| h.0).collect();
    let mut family: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let name = rest.split(' ').next().unwrap_or("");
            let at = names.iter().position(|n| *n == name);
            if at.is_none() || at < family {
                return Err(located(
                    path,
                    i + 1,
                    format!("unexpected metric family {name:?}"),
                ));
            }
            family = at;
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let (Some(f), Some(job)) = (family, job_of_line(line, jobs)) else {
            return Err(located(
                path,
                i + 1,
                "a sample of no run of this shard's runs.csv",
            ));
        };
        if let Some(why) = sample_error(line) {
            return Err(located(path, i + 1, why));
        }
        let part = parts
            .get_mut(&job)
            .expect("every job of runs.csv has a part");
        part.families[f].push_str(line);
        part.families[f].push('\n');
    }
    Ok(())
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

fn split_timeseries(path: &Path, parts: &mut HashMap<u64, JobMetrics>) -> Result<(), MergeError> {
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
    let mut w: HashMap<u64, csv::Writer<Vec<u8>>> = HashMap::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| located(path, i + 2, e.to_string()))?;
        let job = rec
            .get(RUN_COLUMNS.len())
            .and_then(|v| v.parse::<u64>().ok())
            .filter(|j| parts.contains_key(j))
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
        let out = w
            .entry(job)
            .or_insert_with(|| csv::Writer::from_writer(Vec::new()));
        out.write_record(&rec)
            .map_err(|e| located(path, i + 2, e.to_string()))?;
    }
    for (job, out) in w {
        let bytes = out
            .into_inner()
            .map_err(|e| located(path, 0, e.to_string()))?;
        parts.get_mut(&job).expect("checked").timeseries = bytes;
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
        assert!(merge(std::slice::from_ref(&d)).is_err());
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
