//! A session sweep's monitoring samples (`metrics.om`, `timeseries.csv`) job by job. Every
//! metric family of `metrics.om`, and `timeseries.csv`, is its header followed by each
//! job's samples in job order, so the files of a sweep are assembled from per-job parts:
//! a whole run renders every job, a shard or a resumed run keeps its jobs' parts as they
//! end (`.xrplace-jobs/<job>.om`), and `merge` cuts the shards' files back into parts.
//! Either way the bytes equal those of one uninterrupted run.

use super::monitoring::{quote, ClusterNames, Epoch};
use super::session_merge::MergeError;
use crate::config::ConfigError;
use crate::experiment::sessions::SessionRow;
use crate::metrics::histogram::quantile_levels;
use crate::metrics::timeseries::ScrapeCounters;
use crate::world::sessions::ClusterSample;
use std::collections::HashMap;
use std::fmt::Write;
use std::path::Path;

/// A family of `metrics.om`: name, OpenMetrics type, help.
type Header = (&'static str, &'static str, &'static str);

/// A gauge of every cluster: its family and the value of a sample.
type ClusterGauge = (Header, fn(&ClusterSample) -> f64);
/// A counter of the run: its family and its value at a scrape.
type RunCounter = (Header, fn(&ScrapeCounters) -> f64);
/// `metrics.om` and `timeseries.csv`, as bytes.
pub type SampleFiles = (Vec<u8>, Vec<u8>);

/// Cluster gauges: header and value of a sample.
const CLUSTER: [ClusterGauge; 4] = [
    (
        (
            "xrplace_cluster_cpu_utilisation_ratio",
            "gauge",
            "Reserved share of the cluster's CPU (session requests over capacity), 0 while down.",
        ),
        |s| s.cpu_utilisation_ratio,
    ),
    (
        (
            "xrplace_cluster_memory_utilisation_ratio",
            "gauge",
            "Reserved share of the cluster's memory, 0 while down.",
        ),
        |s| s.memory_utilisation_ratio,
    ),
    (
        (
            "xrplace_cluster_sessions",
            "gauge",
            "Sessions running on the cluster.",
        ),
        |s| s.sessions as f64,
    ),
    (
        (
            "xrplace_cluster_up",
            "gauge",
            "1 if the cluster answers the scrape, 0 while it is failed.",
        ),
        |s| if s.up { 1.0 } else { 0.0 },
    ),
];

/// The site links' gauge.
const SITE: Header = (
    "xrplace_site_link_utilisation_ratio",
    "gauge",
    "Reserved share of the site's egress bandwidth (session reservations over the link's bandwidth now).",
);

/// The run's counters. The two session-time counters are the SLO's terms: the exported
/// `PrometheusRule` (`src/export/monitoring.rs`) divides their increases, so the rule and
/// `slo_violation_ratio` have one definition.
const COUNTERS: [RunCounter; 9] = [
    (
        (
            "xrplace_sessions_admitted",
            "counter",
            "Sessions admitted on a cluster.",
        ),
        |c| c.admitted as f64,
    ),
    (
        (
            "xrplace_sessions_rejected",
            "counter",
            "Sessions refused at arrival.",
        ),
        |c| c.rejected as f64,
    ),
    (
        (
            "xrplace_sessions_dropped",
            "counter",
            "Sessions ended early by faults.",
        ),
        |c| c.dropped as f64,
    ),
    (
        (
            "xrplace_session_migrations",
            "counter",
            "Sessions moved to another cluster.",
        ),
        |c| c.migrations as f64,
    ),
    (
        (
            "xrplace_control_nodes_added",
            "counter",
            "Nodes the control loop added through Cluster API.",
        ),
        |c| c.nodes_added as f64,
    ),
    (
        (
            "xrplace_control_clusters_created",
            "counter",
            "Clusters the control loop created through Cluster API.",
        ),
        |c| c.clusters_created as f64,
    ),
    (
        (
            "xrplace_liqo_peerings",
            "counter",
            "Liqo peerings established during the run.",
        ),
        |c| c.peerings as f64,
    ),
    (
        (
            "xrplace_session_seconds",
            "counter",
            "Session time, summed over sessions.",
        ),
        |c| c.session_s,
    ),
    (
        (
            "xrplace_session_over_budget_seconds",
            "counter",
            "Session time whose frames were over the latency budget (migration downtime included).",
        ),
        |c| c.over_budget_s,
    ),
];

/// The latency summary.
const LATENCY: Header = (
    "xrplace_session_latency_seconds",
    "summary",
    "Session latency over the whole run, weighted by session time (at the run's end).",
);

/// Every family, in file order.
fn headers() -> Vec<Header> {
    let mut h: Vec<Header> = CLUSTER.iter().map(|(h, _)| *h).collect();
    h.push(SITE);
    h.extend(COUNTERS.iter().map(|(h, _)| *h));
    h.push(LATENCY);
    h
}

/// The header of `timeseries.csv`.
const TIMESERIES: [&str; 8] = [
    "time_s",
    "cluster",
    "site",
    "tier",
    "cpu_utilisation_ratio",
    "memory_utilisation_ratio",
    "sessions",
    "up",
];

/// One job's part of every family of `metrics.om` (sample lines, in family order) and its
/// `timeseries.csv` rows.
#[derive(Debug, Clone, PartialEq)]
pub struct JobMetrics {
    /// Job index in the sweep.
    pub job: u64,
    /// Sample lines per family, in [`headers`] order.
    pub families: Vec<String>,
    /// `timeseries.csv` rows (no header).
    pub timeseries: Vec<u8>,
}

/// Labels naming a run: its sweep point and repetition (`rate` as a label writes it).
fn run_labels(strategy: &str, topology: &str, rate: &str, fault: &str, run: &str) -> String {
    format!(
        "strategy=\"{}\",topology=\"{}\",rate_per_s=\"{rate}\",fault_model=\"{}\",run=\"{run}\"",
        quote(strategy),
        quote(topology),
        quote(fault),
    )
}

fn row_labels(r: &SessionRow) -> String {
    run_labels(
        &r.strategy,
        &r.point.topology_name,
        &super::figures::short(r.point.rate_per_s, 6),
        &r.point.fault_model,
        &r.run.to_string(),
    )
}

fn sample(out: &mut String, name: &str, suffix: &str, labels: &str, value: f64, stamp: &str) {
    let _ = writeln!(out, "{name}{suffix}{{{labels}}} {value} {stamp}");
}

/// Job `r`'s parts, if it kept its samples.
pub fn of_row(r: &SessionRow, names: &ClusterNames, epoch: Epoch) -> Option<JobMetrics> {
    let s = r.series.as_ref()?;
    let run = row_labels(r);
    let mut families = Vec::with_capacity(headers().len());
    // Samples are scrape-major; a family lists each series whole, in time order.
    let mut order: Vec<usize> = (0..s.clusters.len()).collect();
    order.sort_by_key(|&k| s.clusters[k].sample.cluster.0);
    let labels: Vec<String> = names.0[r.point.topology]
        .iter()
        .map(|(cluster, site, tier)| {
            format!(
                "{run},cluster=\"{}\",site=\"{}\",tier=\"{tier}\"",
                quote(cluster),
                quote(site)
            )
        })
        .collect();
    for ((name, _, _), get) in CLUSTER {
        let mut f = String::new();
        for &k in &order {
            let p = &s.clusters[k];
            let l = &labels[p.sample.cluster.0 as usize];
            sample(&mut f, name, "", l, get(&p.sample), &epoch.stamp(p.t_ns));
        }
        families.push(f);
    }
    let sites: Vec<String> = names.1[r.point.topology]
        .iter()
        .map(|(site, tier)| format!("{run},site=\"{}\",tier=\"{tier}\"", quote(site)))
        .collect();
    let mut order: Vec<usize> = (0..s.sites.len()).collect();
    order.sort_by_key(|&k| s.sites[k].sample.site);
    let mut f = String::new();
    for k in order {
        let p = &s.sites[k];
        let l = &sites[p.sample.site as usize];
        let v = p.sample.link_utilisation_ratio;
        sample(&mut f, SITE.0, "", l, v, &epoch.stamp(p.t_ns));
    }
    families.push(f);
    for ((name, _, _), get) in COUNTERS {
        let mut f = String::new();
        // Every counter starts the run at 0: the sample at time 0 lets `increase()` over
        // the whole run need no extrapolation.
        if s.scrapes.first().is_some_and(|c| c.t_ns > 0) {
            sample(&mut f, name, "_total", &run, 0.0, &epoch.stamp(0));
        }
        for c in &s.scrapes {
            sample(&mut f, name, "_total", &run, get(c), &epoch.stamp(c.t_ns));
        }
        families.push(f);
    }
    let mut f = String::new();
    let end = s.scrapes.last().map_or(0, |c| c.t_ns);
    for (q, ms) in quantile_levels().zip(&r.summary.latency_quantiles_ms) {
        if ms.is_finite() {
            let l = format!("{run},quantile=\"{q}\"");
            sample(&mut f, LATENCY.0, "", &l, ms / 1e3, &epoch.stamp(end));
        }
    }
    families.push(f);
    Some(JobMetrics {
        job: r.job,
        families,
        timeseries: timeseries_rows(r, names),
    })
}

fn timeseries_rows(r: &SessionRow, names: &ClusterNames) -> Vec<u8> {
    let Some(series) = &r.series else {
        return Vec::new();
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let point = super::app_latency::point_cells(r);
    let clusters = &names.0[r.point.topology];
    for p in &series.clusters {
        let (cluster, site, tier) = &clusters[p.sample.cluster.0 as usize];
        let mut rec = point.clone();
        rec.extend([
            r.job.to_string(),
            (p.t_ns as f64 / 1e9).to_string(),
            cluster.clone(),
            site.clone(),
            tier.clone(),
            p.sample.cpu_utilisation_ratio.to_string(),
            p.sample.memory_utilisation_ratio.to_string(),
            p.sample.sessions.to_string(),
            u8::from(p.sample.up).to_string(),
        ]);
        let _ = w.write_record(&rec);
    }
    w.into_inner().unwrap_or_default()
}

fn timeseries_header() -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let point = &super::app_latency::HEADER[..=super::app_latency::JOB];
    let _ = w.write_record(point.iter().chain(&TIMESERIES));
    w.into_inner().unwrap_or_default()
}

/// `metrics.om` and `timeseries.csv` of the jobs `parts`, in job order.
pub fn assemble(mut parts: Vec<JobMetrics>) -> SampleFiles {
    parts.sort_by_key(|p| p.job);
    let mut om = String::new();
    for (i, (name, kind, help)) in headers().into_iter().enumerate() {
        let _ = writeln!(om, "# TYPE {name} {kind}");
        let _ = writeln!(om, "# HELP {name} {help}");
        for p in &parts {
            om.push_str(p.families.get(i).map_or("", String::as_str));
        }
    }
    om.push_str("# EOF\n");
    let mut csv = timeseries_header();
    for p in &parts {
        csv.extend_from_slice(&p.timeseries);
    }
    (om.into_bytes(), csv)
}

/// A job's parts as kept in the job cache: each family's and the time series' byte
/// length on a line, then the bytes.
pub fn to_cache(p: &JobMetrics) -> Vec<u8> {
    let mut out = Vec::new();
    for f in &p.families {
        out.extend_from_slice(format!("{}\n", f.len()).as_bytes());
        out.extend_from_slice(f.as_bytes());
    }
    out.extend_from_slice(format!("{}\n", p.timeseries.len()).as_bytes());
    out.extend_from_slice(&p.timeseries);
    out
}

/// Job `job`'s parts read back from the cache (`None` if the bytes are not whole).
pub fn from_cache(job: u64, bytes: &[u8]) -> Option<JobMetrics> {
    let mut rest = bytes;
    let mut take = || -> Option<Vec<u8>> {
        let nl = rest.iter().position(|&b| b == b'\n')?;
        let n: usize = std::str::from_utf8(&rest[..nl]).ok()?.parse().ok()?;
        let end = (nl + 1).checked_add(n)?;
        let body = rest.get(nl + 1..end)?.to_vec();
        rest = &rest[end..];
        Some(body)
    };
    let mut families = Vec::new();
    for _ in headers() {
        families.push(String::from_utf8(take()?).ok()?);
    }
    let timeseries = take()?;
    Some(JobMetrics {
        job,
        families,
        timeseries,
    })
}

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

/// A shard's CSV table, opened through the guarded reader (regular file, bounded size).
fn shard_table(
    path: &Path,
    what: &str,
) -> Result<csv::Reader<std::io::Take<std::fs::File>>, MergeError> {
    let file =
        crate::config::input::open_regular(path, what, crate::config::input::MAX_TABLE_BYTES)
            .map_err(MergeError::Input)?;
    Ok(csv::Reader::from_reader(file))
}

/// Run labels -> job, from a shard's `runs.csv`.
fn jobs_of(path: &Path) -> Result<HashMap<String, u64>, MergeError> {
    let mut r = shard_table(path, "shard's runs.csv")?;
    let mut out = HashMap::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| located(path, i + 2, e.to_string()))?;
        let bad = || located(path, i + 2, "expected a runs.csv row of a session sweep");
        let rate: f64 = rec.get(2).and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let job: u64 = rec.get(6).and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let cell = |k: usize| rec.get(k).unwrap_or("");
        let labels = run_labels(
            cell(0),
            cell(1),
            &super::figures::short(rate, 6),
            cell(3),
            cell(4),
        );
        out.insert(labels, job);
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
    let mut r = shard_table(path, "shard's timeseries.csv")?;
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
            .get(super::app_latency::JOB)
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
    fn cached_parts_read_back_whole() {
        let p = JobMetrics {
            job: 7,
            families: (0..headers().len())
                .map(|i| format!("x{i} 1 2\n"))
                .collect(),
            timeseries: b"a,b\n".to_vec(),
        };
        assert_eq!(from_cache(7, &to_cache(&p)), Some(p.clone()));
        let bytes = to_cache(&p);
        assert_eq!(from_cache(7, &bytes[..bytes.len() - 1]), None);
        assert_eq!(from_cache(7, b"18446744073709551615\nx"), None);
    }

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
