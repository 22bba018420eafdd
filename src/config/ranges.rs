//! Physical ranges for every numeric field of every TOML input, told by the unit its name
//! carries (units live in field names here: `rtt_ms`, `duration_s`, `bandwidth_gbps`). A
//! value beyond its range is refused where it stands, before any validator or conversion
//! sees it, so no duration overflows integer nanoseconds and no count means "forever".
//! The table is documented in docs/input.md; validators still check lower bounds and
//! relations (a warm-up shorter than the run, a fault smaller than its cluster).

use super::error::ConfigError;
use super::source::Source;

/// One year, s: the longest duration any field may hold.
pub const YEAR_S: f64 = 31_536_000.0;

/// The largest value allowed for a field named `key`, with its unit for messages; `None`
/// for fields without a physical unit (seeds, names, ratios checked elsewhere).
pub fn limit(key: &str) -> Option<(f64, &'static str)> {
    let rules: &[(&str, f64, &str)] = &[
        ("ms_per_frame", 10_000.0, "ms (10 s)"),
        ("_us_per_packet", 1_000_000.0, "us (1 s)"),
        ("_km_per_ms", 300.0, "km/ms (the speed of light)"),
        ("_cpu_per_gbit", 1_000.0, "core-s per Gbit"),
        ("_per_s", 10_000_000.0, "per second"),
        ("_s", YEAR_S, "s (1 year)"),
        ("_h", 10.0 * 8760.0, "h (10 years)"),
        ("_ms", 10_000.0, "ms (10 s)"),
        ("_us", 1_000_000.0, "us (1 s)"),
        ("_gbps", 100_000.0, "Gbit/s"),
        ("_mbps", 100_000_000.0, "Mbit/s"),
        ("_mib", 16_777_216.0, "MiB (16 TiB)"),
        ("_gib", 16_384.0, "GiB (16 TiB)"),
        ("memory_gib_per_node", 16_384.0, "GiB"),
        ("vcpu_per_node", 1_024.0, "vCPUs"),
        ("vcpus", 1_024.0, "vCPUs"),
        ("_cores", 1_000_000.0, "cores"),
        ("_pct", 1_000.0, "%"),
        ("_bytes", 65_535.0, "bytes"),
        ("_fps", 1_000.0, "frames/s"),
        ("nodes", 10_000.0, "nodes per cluster"),
        ("workers", 10_000.0, "nodes"),
        ("replicas", 100_000.0, "replicas"),
        ("users", 1_000_000.0, "users"),
        ("runs", 10_000.0, "runs"),
    ];
    rules
        .iter()
        .find(|(suffix, _, _)| key == *suffix || key.ends_with(suffix))
        .map(|&(_, max, unit)| (max, unit))
}

/// Checks every number of `src` (already parsed into `table`) against [`limit`]; also
/// refuses infinite or NaN values and integers beyond 2^53 in fields with a unit. Field
/// paths are built only for the value at fault.
pub fn check_table(src: &Source, table: &toml::Table) -> Result<(), ConfigError> {
    let mut path = Vec::new();
    walk_table(src, table, &mut path)
}

/// One step of a field path: a key or an array index.
#[derive(Debug, Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn path_text(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn walk_table<'a>(
    src: &Source,
    t: &'a toml::Table,
    path: &mut Vec<Step<'a>>,
) -> Result<(), ConfigError> {
    for (k, v) in t.iter() {
        path.push(Step::Key(k));
        walk_value(src, k, v, path)?;
        path.pop();
    }
    Ok(())
}

fn walk_value<'a>(
    src: &Source,
    key: &str,
    v: &'a toml::Value,
    path: &mut Vec<Step<'a>>,
) -> Result<(), ConfigError> {
    let number = match v {
        toml::Value::Float(f) => Some(*f),
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(Step::Index(i));
                walk_value(src, key, x, path)?;
                path.pop();
            }
            None
        }
        toml::Value::Table(t) => {
            walk_table(src, t, path)?;
            None
        }
        _ => None,
    };
    match number.and_then(|x| out_of_range(key, x)) {
        Some(message) => Err(src.error(&path_text(path), message)),
        None => Ok(()),
    }
}

/// The smallest positive value a field named `key` may hold, with its unit, where a
/// smaller one would make a time of a packet or a frame overflow integer nanoseconds
/// (a link of 1e-300 Gbit/s); zero and negative values are left to the validators, which
/// say what the field needs.
pub fn floor(key: &str) -> Option<(f64, &'static str)> {
    let rules: &[(&str, f64, &str)] = &[
        ("_gbps", 1e-6, "Gbit/s (1 kbit/s)"),
        ("_mbps", 1e-3, "Mbit/s (1 kbit/s)"),
    ];
    rules
        .iter()
        .find(|(suffix, _, _)| key.ends_with(suffix))
        .map(|&(_, min, unit)| (min, unit))
}

/// Why `x`, a value of a field (or CSV column) named `key`, lies outside the physical range
/// its unit gives ([`limit`], [`floor`]): infinite, NaN, beyond the limit or positive but
/// below the floor. `None` if it is within it, or if `key` carries no unit.
pub fn out_of_range(key: &str, x: f64) -> Option<String> {
    let (max, unit) = limit(key)?;
    if !x.is_finite() {
        return Some(format!("expected a finite number, found {x}"));
    }
    if let Some((min, unit)) = floor(key).filter(|&(min, _)| x > 0.0 && x < min) {
        return Some(format!(
            "{x:e} is below the physical range of this field: at least {min} {unit} (docs/input.md)"
        ));
    }
    if x.abs() > max {
        let shown = if x.abs() >= 1e9 {
            format!("{x:e}")
        } else {
            x.to_string()
        };
        return Some(format!(
            "{shown} is beyond the physical range of this field: at most {max} {unit} (docs/input.md)"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn run(text: &str) -> Result<(), ConfigError> {
        let src = Source::from_text(Path::new("t.toml"), text.to_string());
        check_table(&src, &toml::from_str(text).expect("valid TOML"))
    }

    #[test]
    fn units_in_names_bound_every_number() {
        assert!(run("duration_s = 86400\n[[links]]\nrtt_ms = 13.7\n").is_ok());
        let e = run("name = \"x\"\n[[links]]\na = \"p\"\nrtt_ms = 1e300\n").unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (4, "links[0].rtt_ms"));
        let e = run("[sessions]\nfaults = [{ at_s = 1e20, cluster = \"c\" }]\n").unwrap_err();
        assert_eq!(e.field, "sessions.faults[0].at_s");
        assert!(run("nodes = 1000000\n").is_err());
        assert!(run("mtbf_h = inf\n").is_err());
        assert!(run("seed = 18446744073709551\n").is_ok());
        assert_eq!(
            limit("machine_start_timeout_s"),
            Some((YEAR_S, "s (1 year)"))
        );
        assert_eq!(limit("ms_per_frame").unwrap().0, 10_000.0);
    }

    #[test]
    fn a_link_too_slow_to_time_a_packet_is_refused_and_zero_left_to_the_validator() {
        let e = run("[[links]]
bandwidth_gbps = 1e-300
")
        .unwrap_err();
        assert_eq!(e.field, "links[0].bandwidth_gbps");
        assert!(e.message.contains("at least"), "{}", e.message);
        assert!(run("[[links]]
bandwidth_gbps = 0.0
")
        .is_ok());
        assert!(run("[[links]]
bandwidth_gbps = 0.000001
")
        .is_ok());
        assert!(out_of_range("bitrate_mbps", 1e-9).is_some());
    }
}
