//! `xrplace import prometheus URL --topology T --start T --end T --out DIR`: what a live
//! estate's monitoring measured (RTT per Liqo peering, CPU and memory per cluster and Node,
//! session arrivals), read from a Prometheus or Thanos Query over the range and written as
//! files xrplace reads back (`rtt.csv`, `trace.csv`), `usage.csv`, and the drift of the
//! topology's model from the measured RTTs (`drift.csv`, `drift.svg`, `drift.png`).
//! The queries and their sources are in [`crate::config::prometheus::metrics`]; every
//! answer is read whole and checked before anything is written, and the folder's files are
//! written as one set (`report::atomic::write_set`), so a failure writes nothing.

use super::CommandError;
use crate::config::prometheus::arrivals::{arrivals, Arrival, SessionSeries};
use crate::config::prometheus::client::{Client, Limits, Range};
use crate::config::prometheus::instant::parse_instant;
use crate::config::prometheus::metrics::{self as m, Labels};
use crate::config::prometheus::rtt::{peering_rtts, ClusterSites, PeeringRtt, SiteRtt};
use crate::config::prometheus::usage::{usage_rows, UsageRow, UsageSeries};
use crate::config::prometheus::QueryError;
use crate::config::topology::TopologyConfig;
use crate::model::Topology;
use crate::report::drift::{DriftKind, DriftRow};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// What `xrplace import prometheus` was asked.
#[derive(Debug, Clone)]
pub struct ImportPrometheusRequest {
    /// Base URL of the Prometheus or Thanos Query HTTP API (`http://host:9090`).
    pub url: String,
    /// The topology whose clusters and sites the series are mapped onto.
    pub topology: PathBuf,
    /// First instant: RFC 3339 or Unix seconds.
    pub start: String,
    /// Last instant, after the first.
    pub end: String,
    /// Resolution of every range query, s.
    pub step_s: f64,
    /// Output folder.
    pub out: PathBuf,
    /// Labels that place a series (cluster, node, application, site).
    pub labels: Labels,
    /// `ID=CLUSTER`: a Liqo cluster ID that is not the topology cluster's name.
    pub cluster_ids: Vec<String>,
    /// Length of every imported session, s; `None`: from the session-time counter.
    pub duration_s: Option<f64>,
    /// Timeouts and the answer size cap.
    pub limits: Limits,
}

/// What the import found, for the console.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportPrometheusReport {
    /// The folder written.
    pub dir: PathBuf,
    /// Peerings with a measured RTT.
    pub peerings: usize,
    /// Site pairs written to `rtt.csv`.
    pub site_pairs: usize,
    /// Rows of `usage.csv` (clusters and Nodes).
    pub usage_rows: usize,
    /// Arrivals written to `trace.csv`.
    pub arrivals: usize,
    /// The largest relative RTT drift, if any peering was measured.
    pub worst_rtt_drift: Option<(String, f64)>,
    /// Queries that gave no series over the range (a label or metric name the estate spells
    /// otherwise, or an exporter not installed), in the order asked.
    pub empty_queries: Vec<String>,
}

/// A refusal of the import's own arguments.
fn refused(what: &str, message: impl std::fmt::Display) -> CommandError {
    CommandError::Refused(format!("import prometheus: {what}: {message}"))
}

/// The range of the request, checked: end after start, a positive finite step.
fn range_of(req: &ImportPrometheusRequest) -> Result<Range, CommandError> {
    let start_s = parse_instant(&req.start).map_err(|e| refused("--start", e))?;
    let end_s = parse_instant(&req.end).map_err(|e| refused("--end", e))?;
    if end_s <= start_s {
        return Err(refused(
            "--end",
            format!("{} is not after --start {}", req.end, req.start),
        ));
    }
    if !(req.step_s.is_finite() && req.step_s >= 0.001) {
        return Err(refused(
            "--step",
            format!("{}: expected at least 0.001 s", req.step_s),
        ));
    }
    Ok(Range {
        start_s,
        end_s,
        step_s: req.step_s,
    })
}

/// `--cluster-id ID=CLUSTER` pairs, each CLUSTER a cluster of `topo`.
fn cluster_ids(
    pairs: &[String],
    topo: &TopologyConfig,
) -> Result<HashMap<String, String>, CommandError> {
    let mut out = HashMap::new();
    for p in pairs {
        let (id, cluster) = p
            .split_once('=')
            .filter(|(i, c)| !i.is_empty() && !c.is_empty())
            .ok_or_else(|| refused("--cluster-id", format!("{p:?}: expected ID=CLUSTER")))?;
        if !topo.clusters.iter().any(|k| k.name == cluster) {
            return Err(refused(
                "--cluster-id",
                format!("{p:?}: no cluster {cluster:?} in the topology"),
            ));
        }
        if out.insert(id.to_string(), cluster.to_string()).is_some() {
            return Err(refused("--cluster-id", format!("{id:?} is given twice")));
        }
    }
    Ok(out)
}

/// A query's failure as the command's: exit 2, naming the server and the query.
fn answer_error(e: QueryError) -> CommandError {
    CommandError::Refused(e.to_string())
}

/// The queries of one import: each asked over the range, those that gave no series noted,
/// and a failure to map a query's series turned into an error that names the query.
struct Session<'a> {
    client: &'a Client,
    range: Range,
    empty: std::cell::RefCell<Vec<String>>,
}

impl Session<'_> {
    /// The series of `query` over the range.
    fn get(
        &self,
        query: &str,
    ) -> Result<Vec<crate::config::prometheus::answer::Series>, CommandError> {
        let series = self
            .client
            .query_range(query, self.range)
            .map_err(answer_error)?;
        if series.is_empty() {
            self.empty.borrow_mut().push(query.to_string());
        }
        Ok(series)
    }

    /// A refusal of `query`'s answer.
    fn refuse(&self, query: &str, message: String) -> CommandError {
        answer_error(self.client.error(query, message))
    }
}

/// The measured peerings and site pairs.
fn read_rtts(
    s: &Session,
    req: &ImportPrometheusRequest,
    clusters: &ClusterSites,
    ids: &HashMap<String, String>,
) -> Result<(Vec<PeeringRtt>, Vec<SiteRtt>), CommandError> {
    let q = req.labels.rtt();
    let series = s.get(&q)?;
    peering_rtts(&series, &req.labels.cluster, clusters, ids).map_err(|e| s.refuse(&q, e))
}

/// Usage per cluster and Node.
fn read_usage(
    s: &Session,
    l: &Labels,
    clusters: &HashSet<&str>,
) -> Result<Vec<UsageRow>, CommandError> {
    // A rate needs two samples in its window: a step, and at least a minute (four scrapes
    // at kube-prometheus-stack's 15 s default).
    let window_s = s.range.step_s.max(60.0);
    let queries = [
        l.cpu_used(window_s),
        l.memory_used(),
        l.ksm(m::KSM_REQUESTS, "cpu", "core"),
        l.ksm(m::KSM_REQUESTS, "memory", "byte"),
        l.ksm(m::KSM_ALLOCATABLE, "cpu", "core"),
        l.ksm(m::KSM_ALLOCATABLE, "memory", "byte"),
        l.machine_cpus(),
        l.machine_memory(),
    ];
    let mut u = UsageSeries::default();
    for (answer, q) in u.iter_mut().zip(&queries) {
        *answer = s.get(q)?;
    }
    usage_rows(&u, &l.cluster, &l.node, clusters).map_err(|(i, e)| s.refuse(&queries[i], e))
}

/// The arrivals of the range.
fn read_arrivals(
    s: &Session,
    req: &ImportPrometheusRequest,
    sites: &HashSet<&str>,
) -> Result<Vec<Arrival>, CommandError> {
    let l = &req.labels;
    let c = SessionSeries {
        admitted: s.get(&l.counter(m::ADMITTED))?,
        rejected: s.get(&l.counter(m::REJECTED))?,
        session_seconds: match req.duration_s {
            Some(_) => Vec::new(),
            None => s.get(&l.counter(m::SESSION_SECONDS))?,
        },
    };
    let what = format!("{} + {}", m::ADMITTED, m::REJECTED);
    arrivals(&c, l, sites, s.range, req.duration_s).map_err(|e| s.refuse(&what, e))
}

/// One drift row per measured peering: the model's route RTT against the median.
fn rtt_drift(model: &Topology, peerings: &[PeeringRtt]) -> Vec<DriftRow> {
    peerings
        .iter()
        .filter_map(|p| {
            let (a, b) = (
                model.cluster_id(&p.cluster_a)?,
                model.cluster_id(&p.cluster_b)?,
            );
            Some(DriftRow {
                kind: DriftKind::Rtt,
                subject: DriftRow::peering(&p.cluster_a, &p.cluster_b),
                modelled: model.cluster_route(a, b).map_or(f64::NAN, |r| r.rtt_ms),
                measured: p.median_ms,
            })
        })
        .collect()
}

/// Reads the estate's monitoring over the range and writes the import's folder.
pub fn import_prometheus(
    req: &ImportPrometheusRequest,
) -> Result<ImportPrometheusReport, CommandError> {
    let range = range_of(req)?;
    let topo = crate::config::topology_load::load_topology(&req.topology)?;
    let ids = cluster_ids(&req.cluster_ids, &topo)?;
    if let Some(d) = req.duration_s {
        if let Some(e) = crate::config::ranges::out_of_range("duration_s", d)
            .or_else(|| (d <= 0.0).then(|| "expected a length > 0 s".to_string()))
        {
            return Err(refused("--duration-s", e));
        }
    }
    let clusters: ClusterSites = topo
        .clusters
        .iter()
        .enumerate()
        .map(|(i, k)| (k.name.as_str(), (i, k.site.as_str())))
        .collect();
    let names: HashSet<&str> = clusters.keys().copied().collect();
    let sites: HashSet<&str> = topo.sites.iter().map(|s| s.name.as_str()).collect();
    let client = Client::new(&req.url, req.limits).map_err(answer_error)?;
    let s = Session {
        client: &client,
        range,
        empty: Default::default(),
    };
    let (peerings, site_rtts) = read_rtts(&s, req, &clusters, &ids)?;
    let usage = read_usage(&s, &req.labels, &names)?;
    let trace = read_arrivals(&s, req, &sites)?;
    let drift = rtt_drift(&Topology::from_config(&topo), &peerings);
    write(req, client.url(), range, &site_rtts, &usage, &trace, &drift)?;
    let worst_rtt_drift = drift
        .iter()
        .filter_map(|r| Some((r.subject.clone(), r.relative_diff()?)))
        .filter(|r| r.1.is_finite())
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
    Ok(ImportPrometheusReport {
        dir: req.out.clone(),
        peerings: peerings.len(),
        site_pairs: site_rtts.len(),
        usage_rows: usage.len(),
        arrivals: trace.len(),
        worst_rtt_drift,
        empty_queries: s.empty.into_inner(),
    })
}

/// Writes the folder's files as one set.
fn write(
    req: &ImportPrometheusRequest,
    url: &str,
    range: Range,
    site_rtts: &[SiteRtt],
    usage: &[UsageRow],
    trace: &[Arrival],
    drift: &[DriftRow],
) -> Result<(), CommandError> {
    use crate::report::estate_csv::{rtt_csv, trace_csv, usage_csv};
    let head = format!(
        "Imported by `xrplace import prometheus` from {} over Unix {} to {} s, step {} s.",
        url, range.start_s, range.end_s, range.step_s
    );
    let trace_head = format!("{head} time_s counts from the start.");
    let csv = |r: Result<Vec<u8>, csv::Error>, name: &str| {
        r.map_err(|e| CommandError::write(req.out.join(name).display(), e))
    };
    let rtt = csv(rtt_csv(site_rtts, &head), "rtt.csv")?;
    let usage = csv(usage_csv(usage), "usage.csv")?;
    let trace = csv(trace_csv(trace, &trace_head), "trace.csv")?;
    let drift_table = csv(crate::report::drift::drift_csv(drift), "drift.csv")?;
    let figure = crate::report::figures::drift::figure(drift)
        .map_err(|e| CommandError::write(req.out.join("drift.svg").display(), e))?;
    let files: [(&str, &[u8]); 6] = [
        ("rtt.csv", &rtt),
        ("usage.csv", &usage),
        ("trace.csv", &trace),
        ("drift.csv", &drift_table),
        ("drift.svg", figure.svg.as_bytes()),
        ("drift.png", &figure.png),
    ];
    crate::report::atomic::write_set(&req.out, &files)
        .map_err(|e| CommandError::write_results(&req.out, e))
}
