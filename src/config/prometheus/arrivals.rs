//! Session arrivals from the session manager's counters (docs/monitoring.md, the XR
//! components' contract): arrivals are admitted plus rejected sessions, per application and
//! access site (the counters' `application` and `site` labels, flags
//! [`super::metrics::Labels`]). A counter's rise between two steps is that many arrivals in
//! the step, spread evenly over it; a fall is a reset (a restarted pod), after which the
//! value is the count since the restart (Prometheus's own rule for `increase`). A series
//! whose first point comes after the range's start began within the range, from 0.
//!
//! Durations: every arrival of an application at a site gets the mean session length there,
//! `increase(xrplace_session_seconds_total) / increase(xrplace_sessions_admitted_total)`
//! over the range (the application's over all sites where a site admitted none), unless
//! `--duration-s` gives one for all. The trace carries the mean, not the spread, of lengths.

use super::answer::{selector, Series};
use super::client::Range;
use super::metrics::Labels;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// Most arrivals one import writes (some 48 bytes each in memory, 100 MB at most; about
/// 90 MB of trace.csv): a busier estate is imported a shorter range at a time.
pub const MAX_ARRIVALS: u64 = 2_000_000;

/// One arrival of the trace.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    /// Seconds after the range's start.
    pub time_s: f64,
    /// Access site (shared by every arrival of the site).
    pub site: Arc<str>,
    /// Application.
    pub application: Arc<str>,
    /// Session length, s.
    pub duration_s: f64,
}

/// The counters' answers.
#[derive(Debug, Clone, Default)]
pub struct SessionSeries {
    /// `xrplace_sessions_admitted_total`.
    pub admitted: Vec<Series>,
    /// `xrplace_sessions_rejected_total`.
    pub rejected: Vec<Series>,
    /// `xrplace_session_seconds_total`.
    pub session_seconds: Vec<Series>,
}

/// (application, site).
type Key = (String, String);

/// A counter's rises: (start of the step, end of the step, rise) per step with a rise.
fn rises(s: &Series, range: Range) -> Result<Vec<(f64, f64, f64)>, String> {
    let mut out = Vec::new();
    let mut prev: Option<(f64, f64)> = None;
    for &(t, v) in &s.points {
        if v < 0.0 {
            return Err(format!(
                "series {} at {t}: {v}: a counter is never negative",
                selector(&s.labels)
            ));
        }
        let rise = match prev {
            Some((_, p)) if v >= p => v - p,
            Some(_) => v,
            None if t > range.start_s => v,
            None => 0.0,
        };
        let from = prev.map_or(t - range.step_s, |p| p.0).max(range.start_s);
        if rise > 0.0 {
            out.push((from, t, rise));
        }
        prev = Some((t, v));
    }
    Ok(out)
}

/// The (application, site) of a counter's series; refused without them or at a site the
/// topology does not name.
fn key(s: &Series, labels: &Labels, sites: &HashSet<&str>) -> Result<Key, String> {
    let (app, site) = (s.label(&labels.application), s.label(&labels.site));
    if app.is_empty() {
        return Err(format!(
            "series {}: no label {:?} (the application; --application-label names another)",
            selector(&s.labels),
            labels.application
        ));
    }
    if !sites.contains(site) {
        return Err(format!(
            "series {}: label {:?} = {site:?} is no site of the topology (--site-label names another label)",
            selector(&s.labels),
            labels.site
        ));
    }
    Ok((app.to_string(), site.to_string()))
}

/// The total rise of every series of `series` per key.
fn totals(
    series: &[Series],
    labels: &Labels,
    sites: &HashSet<&str>,
    range: Range,
) -> Result<BTreeMap<Key, f64>, String> {
    let mut out = BTreeMap::new();
    for s in series {
        let k = key(s, labels, sites)?;
        let sum: f64 = rises(s, range)?.iter().map(|r| r.2).sum();
        *out.entry(k).or_insert(0.0) += sum;
    }
    Ok(out)
}

/// The mean session length per key: given, or from the counters.
fn durations(
    c: &SessionSeries,
    labels: &Labels,
    sites: &HashSet<&str>,
    range: Range,
    given: Option<f64>,
    keys: &HashSet<Key>,
) -> Result<BTreeMap<Key, f64>, String> {
    if let Some(d) = given {
        return Ok(keys.iter().map(|k| (k.clone(), d)).collect());
    }
    let admitted = totals(&c.admitted, labels, sites, range)?;
    let seconds = totals(&c.session_seconds, labels, sites, range)?;
    let ratio = |f: &dyn Fn(&Key) -> bool| {
        let n: f64 = admitted.iter().filter(|(k, _)| f(k)).map(|e| e.1).sum();
        let s: f64 = seconds.iter().filter(|(k, _)| f(k)).map(|e| e.1).sum();
        (n > 0.0 && s > 0.0).then(|| s / n)
    };
    let mut out = BTreeMap::new();
    for k in keys {
        let d = ratio(&|x| x == k)
            .or_else(|| ratio(&|x| x.0 == k.0))
            .ok_or_else(|| {
                format!(
                    "no session time of {:?} in the range ({} and {} rose nowhere with \
                     that application): give --duration-s",
                    k.0,
                    super::metrics::SESSION_SECONDS,
                    super::metrics::ADMITTED
                )
            })?;
        if let Some(m) = crate::config::ranges::out_of_range("duration_s", d) {
            return Err(format!(
                "the mean session length of {:?} at {:?}, {d} s: {m}",
                k.0, k.1
            ));
        }
        out.insert(k.clone(), d);
    }
    Ok(out)
}

/// The arrivals of the range, in time order (then site, then application).
pub fn arrivals(
    c: &SessionSeries,
    labels: &Labels,
    sites: &HashSet<&str>,
    range: Range,
    duration_s: Option<f64>,
) -> Result<Vec<Arrival>, String> {
    let mut steps: Vec<(Key, f64, f64, u64)> = Vec::new();
    let mut total = 0u64;
    for s in c.admitted.iter().chain(&c.rejected) {
        let k = key(s, labels, sites)?;
        for (from, to, rise) in rises(s, range)? {
            if rise.fract() != 0.0 {
                return Err(format!(
                    "series {} rises by {rise} by {to}: expected whole sessions",
                    selector(&s.labels)
                ));
            }
            let n = crate::base::units::round_to_u64(rise);
            total = total.saturating_add(n);
            if total > MAX_ARRIVALS {
                return Err(format!(
                    "over {MAX_ARRIVALS} arrivals in the range: import a shorter one"
                ));
            }
            steps.push((k.clone(), from, to, n));
        }
    }
    let keys: HashSet<Key> = steps.iter().map(|s| s.0.clone()).collect();
    let lengths = durations(c, labels, sites, range, duration_s, &keys)?;
    let mut out = Vec::new();
    for (key, from, to, n) in steps {
        let duration_s = lengths[&key];
        let (app, site): (Arc<str>, Arc<str>) = (key.0.into(), key.1.into());
        let gap = (to - from) / n as f64;
        for i in 0..n {
            out.push(Arrival {
                time_s: from - range.start_s + gap * (i as f64 + 0.5),
                site: site.clone(),
                application: app.clone(),
                duration_s,
            });
        }
    }
    out.sort_by(|a, b| {
        a.time_s
            .total_cmp(&b.time_s)
            .then_with(|| a.site.cmp(&b.site))
            .then_with(|| a.application.cmp(&b.application))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(app: &str, site: &str, values: &[(f64, f64)]) -> Series {
        Series {
            labels: [("application", app), ("site", site)]
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .into(),
            points: values.to_vec(),
        }
    }

    const RANGE: Range = Range {
        start_s: 1000.0,
        end_s: 1240.0,
        step_s: 60.0,
    };

    #[test]
    fn rises_become_evenly_spread_arrivals_and_resets_count_from_zero() {
        let c = SessionSeries {
            // 5 -> 7 (2 in the first step), reset to 1 (1 more), then 3 (2 more).
            admitted: vec![s(
                "vr",
                "zurich",
                &[(1000.0, 5.0), (1060.0, 7.0), (1120.0, 1.0), (1180.0, 3.0)],
            )],
            // Appears at 1120 with 1: one arrival in the step before.
            rejected: vec![s("vr", "zurich", &[(1120.0, 1.0)])],
            // 5 admitted, 500 s in sessions: 100 s each.
            session_seconds: vec![s("vr", "zurich", &[(1000.0, 0.0), (1180.0, 500.0)])],
        };
        let sites = ["zurich"].into();
        let a = arrivals(&c, &Labels::default(), &sites, RANGE, None).unwrap();
        let times: Vec<f64> = a.iter().map(|x| x.time_s).collect();
        assert_eq!(times, [15.0, 45.0, 90.0, 90.0, 135.0, 165.0]);
        assert!(a
            .iter()
            .all(|x| x.duration_s == 100.0 && &*x.site == "zurich"));
        let given = arrivals(&c, &Labels::default(), &sites, RANGE, Some(7.0)).unwrap();
        assert_eq!(given[0].duration_s, 7.0);
    }

    #[test]
    fn bad_counters_are_refused() {
        let sites = ["zurich"].into();
        let run = |admitted: Series| {
            let c = SessionSeries {
                admitted: vec![admitted],
                ..Default::default()
            };
            arrivals(&c, &Labels::default(), &sites, RANGE, Some(1.0)).unwrap_err()
        };
        assert!(run(s("vr", "mars", &[(1000.0, 1.0)])).contains("\"mars\" is no site"));
        assert!(run(s("", "zurich", &[(1000.0, 1.0)])).contains("no label \"application\""));
        assert!(run(s("vr", "zurich", &[(1000.0, -1.0)])).contains("never negative"));
        assert!(run(s("vr", "zurich", &[(1000.0, 0.0), (1060.0, 0.5)])).contains("whole sessions"));
        let c = SessionSeries {
            admitted: vec![s("vr", "zurich", &[(1000.0, 0.0), (1060.0, 2.0)])],
            ..Default::default()
        };
        let e = arrivals(&c, &Labels::default(), &sites, RANGE, None).unwrap_err();
        assert!(e.contains("give --duration-s"), "{e}");
    }
}
