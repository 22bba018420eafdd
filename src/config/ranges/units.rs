//! Physical ranges told by the unit a field's name carries (units live in field names
//! here: `rtt_ms`, `duration_s`, `bandwidth_gbps`), for every numeric field of every TOML
//! input and the numeric columns of CSV inputs.

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
