//! The tables `import prometheus` writes, each in a format xrplace reads back:
//!
//! - `rtt.csv`: the measured RTT matrix a topology names in `[routing] measured_rtt_csv`
//!   (`site_a,site_b,rtt_ms,rtt_sd_ms`, [`crate::config::measured_rtt`]);
//! - `trace.csv`: arrivals as `run` replays them (`time_s,access_site,application,duration_s`,
//!   [`crate::config::trace`]);
//! - `usage.csv`: CPU and memory per cluster and Node (docs/import.md gives its columns).
//!
//! Numbers have fixed decimals, so equal answers give equal bytes.

use crate::config::prometheus::arrivals::Arrival;
use crate::config::prometheus::rtt::SiteRtt;
use crate::config::prometheus::usage::{Stat, UsageRow};

/// The columns of `usage.csv`.
pub const USAGE_COLUMNS: [&str; 14] = [
    "cluster",
    "node",
    "cpu_used_mean_cores",
    "cpu_used_peak_cores",
    "memory_used_mean_mib",
    "memory_used_peak_mib",
    "cpu_requested_cores",
    "memory_requested_mib",
    "cpu_allocatable_cores",
    "memory_allocatable_mib",
    "cpu_machine_cores",
    "memory_machine_mib",
    "cpu_used_share",
    "memory_used_share",
];

fn cell(v: Option<f64>, decimals: usize) -> String {
    v.map_or(String::new(), |x| super::number(x, decimals))
}

fn finish(mut w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, csv::Error> {
    w.flush()?;
    Ok(w.into_inner().unwrap_or_default())
}

/// The contents of `rtt.csv`, with the command that made it as a comment line.
pub fn rtt_csv(rows: &[SiteRtt], head: &str) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(format!("# {head}\n").into_bytes());
    w.write_record(["site_a", "site_b", "rtt_ms", "rtt_sd_ms"])?;
    for r in rows {
        w.write_record([
            r.site_a.clone(),
            r.site_b.clone(),
            super::number(r.median_ms, 3),
            super::number(r.sd_ms, 3),
        ])?;
    }
    finish(w)
}

/// The contents of `trace.csv`, with the command that made it as a comment line.
pub fn trace_csv(arrivals: &[Arrival], head: &str) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(format!("# {head}\n").into_bytes());
    w.write_record(["time_s", "access_site", "application", "duration_s"])?;
    for a in arrivals {
        w.write_record([
            super::number(a.time_s, 3),
            a.site.to_string(),
            a.application.to_string(),
            super::number(a.duration_s, 3),
        ])?;
    }
    finish(w)
}

/// A share of allocatable in use (mean use over allocatable), when both are known.
fn share(used: Option<Stat>, allocatable: Option<f64>) -> Option<f64> {
    match (used, allocatable) {
        (Some(u), Some(a)) if a > 0.0 => Some(u.mean / a),
        _ => None,
    }
}

/// The contents of `usage.csv`: the whole cluster's row (empty `node`) before its Nodes'.
pub fn usage_csv(rows: &[UsageRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(USAGE_COLUMNS)?;
    for r in rows {
        w.write_record([
            r.cluster.clone(),
            r.node.clone().unwrap_or_default(),
            cell(r.cpu_used_cores.map(|s| s.mean), 3),
            cell(r.cpu_used_cores.map(|s| s.peak), 3),
            cell(r.memory_used_mib.map(|s| s.mean), 1),
            cell(r.memory_used_mib.map(|s| s.peak), 1),
            cell(r.cpu_requested_cores, 3),
            cell(r.memory_requested_mib, 1),
            cell(r.cpu_allocatable_cores, 3),
            cell(r.memory_allocatable_mib, 1),
            cell(r.cpu_machine_cores, 3),
            cell(r.memory_machine_mib, 1),
            cell(share(r.cpu_used_cores, r.cpu_allocatable_cores), 6),
            cell(share(r.memory_used_mib, r.memory_allocatable_mib), 6),
        ])?;
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_read_back_as_xrplace_inputs() {
        let dir = std::env::temp_dir().join(format!("xrplace-estate-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let rtt = rtt_csv(
            &[SiteRtt {
                site_a: "frankfurt".into(),
                site_b: "zurich".into(),
                median_ms: 8.25,
                sd_ms: 0.5,
            }],
            "imported",
        )
        .unwrap();
        let sites = [("frankfurt", 0), ("zurich", 1)].into();
        let p = dir.join("rtt.csv");
        std::fs::write(&p, &rtt).unwrap();
        let back = crate::config::measured_rtt::load_measured_rtts(&p, &sites).unwrap();
        assert_eq!(
            (
                back[0].site_a,
                back[0].site_b,
                back[0].rtt_ms,
                back[0].rtt_sd_ms
            ),
            (0, 1, 8.25, 0.5)
        );
        let a = |t: f64| Arrival {
            time_s: t,
            site: "zurich".into(),
            application: "cloud-vr".into(),
            duration_s: 60.0,
        };
        let p = dir.join("trace.csv");
        std::fs::write(&p, trace_csv(&[a(0.5), a(1.25)], "imported").unwrap()).unwrap();
        let shape = crate::config::trace::check_trace(&p).unwrap();
        assert_eq!((shape.arrivals, shape.sites, shape.apps), (2, 1, 1));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn usage_shares_are_mean_use_over_allocatable() {
        let row = UsageRow {
            cluster: "a".into(),
            cpu_used_cores: Some(Stat {
                mean: 3.0,
                peak: 4.0,
            }),
            cpu_allocatable_cores: Some(12.0),
            ..UsageRow::default()
        };
        let text = String::from_utf8(usage_csv(&[row]).unwrap()).unwrap();
        // 3 of 12 cores: a share of 0.25.
        assert_eq!(
            text.lines().nth(1),
            Some("a,,3.000,4.000,,,,,12.000,,,,0.250000,")
        );
    }
}
