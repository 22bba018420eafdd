//! Session traces: CSV files of arrivals (`time_s,access_site,application,duration_s`).

use super::error::ConfigError;
use std::collections::HashMap;
use std::path::Path;

/// One arrival from a trace, with names resolved to indices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TraceArrival {
    /// Arrival time, s.
    pub time_s: f64,
    /// Index of the access site in the topology.
    pub site: u32,
    /// Index of the application in `[sessions]`.
    pub app: u32,
    /// Session length, s.
    pub duration_s: f64,
}

/// Reads a trace; every bad row is an error naming the file, its line and the column.
pub fn load_trace(
    path: &Path,
    sites: &HashMap<&str, u32>,
    apps: &HashMap<&str, u32>,
) -> Result<Vec<TraceArrival>, ConfigError> {
    parse_trace(path, &mut |s| sites.get(s).copied(), &mut |a| {
        apps.get(a).copied()
    })
}

/// What `xrplace check` says of a trace on its own: its rows, and how many distinct access
/// sites and applications it names (names are resolved against a topology and an
/// experiment when an experiment uses it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceShape {
    /// Arrivals.
    pub arrivals: usize,
    /// Distinct access sites named.
    pub sites: usize,
    /// Distinct applications named.
    pub apps: usize,
}

/// Checks a trace without an experiment: header, columns, numbers, times in order.
pub fn check_trace(path: &Path) -> Result<TraceShape, ConfigError> {
    let (mut sites, mut apps) = (HashMap::new(), HashMap::new());
    let arrivals = parse_trace(path, &mut |s| intern(&mut sites, s), &mut |a| {
        intern(&mut apps, a)
    })?
    .len();
    Ok(TraceShape {
        arrivals,
        sites: sites.len(),
        apps: apps.len(),
    })
}

/// The index of `name` in `names`, given the next one if it is new.
fn intern(names: &mut HashMap<String, u32>, name: &str) -> Option<u32> {
    let next = names.len() as u32;
    Some(*names.entry(name.to_string()).or_insert(next))
}

/// Reads a trace, naming sites and applications through `site` and `app` (`None`: not
/// known).
fn parse_trace(
    path: &Path,
    site: &mut dyn FnMut(&str) -> Option<u32>,
    app: &mut dyn FnMut(&str) -> Option<u32>,
) -> Result<Vec<TraceArrival>, ConfigError> {
    let err = |line: usize, field: &str, message: String| ConfigError {
        file: path.to_path_buf(),
        line,
        column: 1,
        field: field.to_string(),
        message,
    };
    let text = super::input::read_text(path, "trace", super::input::MAX_TRACE_BYTES)?;
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
    match lines.next() {
        Some((_, h)) if h.trim() == "time_s,access_site,application,duration_s" => {}
        Some((i, h)) => {
            let hint = if h.split(',').any(|c| c.trim() == "rtt_ms") {
                " (this looks like a measured RTT CSV: a topology names it in routing.measured_rtt_csv, and `xrplace check TOPOLOGY` checks it)"
            } else {
                ""
            };
            return Err(err(
                i + 1,
                "(header)",
                format!("expected the header time_s,access_site,application,duration_s{hint}"),
            ));
        }
        None => return Err(ConfigError::whole_file(path, "empty trace")),
    }
    let mut out = Vec::new();
    let mut last = 0.0;
    for (i, line) in lines {
        let n = i + 1;
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        if cols.len() != 4 {
            return Err(err(
                n,
                "(row)",
                format!("expected 4 columns, found {}", cols.len()),
            ));
        }
        let number = |v: &str, field: &str| -> Result<f64, ConfigError> {
            match v.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
                _ => Err(err(
                    n,
                    field,
                    format!("expected a number >= 0, found {v:?}"),
                )),
            }
        };
        let time_s = number(cols[0], "time_s")?;
        if time_s < last {
            return Err(err(
                n,
                "time_s",
                format!("expected times in order, {time_s} after {last}"),
            ));
        }
        last = time_s;
        let site = site(cols[1])
            .ok_or_else(|| err(n, "access_site", format!("unknown site {:?}", cols[1])))?;
        let app = app(cols[2]).ok_or_else(|| {
            err(
                n,
                "application",
                format!("unknown application {:?}", cols[2]),
            )
        })?;
        let duration_s = number(cols[3], "duration_s")?;
        // A session's length has the physical range of any `_s` field (at most a year; a
        // longer one would overflow integer nanoseconds). Arrival times past the run are
        // left to the check that the run sees an arrival (its message spots milliseconds).
        if let Some(m) = super::ranges::out_of_range("duration_s", duration_s) {
            return Err(err(n, "duration_s", m));
        }
        out.push(TraceArrival {
            time_s,
            site,
            app,
            duration_s,
        });
    }
    Ok(out)
}
