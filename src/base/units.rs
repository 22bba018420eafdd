//! Checked conversions from floats (what configurations and models measure in: seconds,
//! milliseconds, microseconds, cores) to the integers the simulator counts in (nanoseconds,
//! millicores). One rounding rule everywhere: to the nearest integer, halves away from
//! zero; a negative or non-finite value gives zero (inputs are validated before they get
//! here, so this is the safe floor, not an error path); a value past the `u64` range
//! saturates instead of wrapping.

/// Nanoseconds per microsecond.
pub const NS_PER_US: f64 = 1e3;
/// Nanoseconds per millisecond.
pub const NS_PER_MS: f64 = 1e6;
/// Nanoseconds per second.
pub const NS_PER_S: f64 = 1e9;

/// Nanoseconds in `s` seconds.
#[inline]
pub fn ns_from_s(s: f64) -> u64 {
    round_to_u64(s * NS_PER_S)
}

/// Nanoseconds in `ms` milliseconds.
#[inline]
pub fn ns_from_ms(ms: f64) -> u64 {
    round_to_u64(ms * NS_PER_MS)
}

/// Nanoseconds in `us` microseconds.
#[inline]
pub fn ns_from_us(us: f64) -> u64 {
    round_to_u64(us * NS_PER_US)
}

/// Milliseconds in `s` seconds (run lengths, scrape intervals).
#[inline]
pub fn ms_from_s(s: f64) -> u64 {
    round_to_u64(s * 1e3)
}

/// Kubernetes millicores in `cores` CPU cores (requests, reservations).
#[inline]
pub fn millicores(cores: f64) -> u64 {
    round_to_u64(cores * 1000.0)
}

/// Whole MiB in `gib` GiB (flavor memory).
#[inline]
pub fn mib_from_gib(gib: f64) -> u64 {
    round_to_u64(gib * 1024.0)
}

/// `x` rounded to the nearest integer, as a `u64`: zero for a negative or non-finite `x`,
/// `u64::MAX` past the range. Also the rule for counts that are not durations (millicores,
/// MiB, nanoseconds of CPU work).
#[inline]
pub fn round_to_u64(x: f64) -> u64 {
    // Finite and positive (NaN fails both comparisons).
    if x > 0.0 && x < f64::INFINITY {
        let r = round_non_negative(x);
        if r < 9.0e18 {
            // SAFETY: 0 <= r < 9e18 < 2^63, an integer-valued float within i64: the
            // unchecked conversion is one instruction where the saturating one takes a
            // dozen on x86-64 (this runs several times per simulated frame).
            unsafe { r.to_int_unchecked::<i64>() as u64 }
        } else {
            r.min(u64::MAX as f64) as u64
        }
    } else {
        0
    }
}

/// `x.round()` (halves away from zero), without the libm call `f64::round` compiles to on
/// baseline x86-64 for the values that matter here, non-negative and below 2^52 (it runs
/// several times per simulated frame); any other value goes to `f64::round`. Exact: below
/// 2^52 the difference `x - trunc(x)` is exact (Sterbenz).
#[inline]
pub fn round_non_negative(x: f64) -> f64 {
    // NaN fails the comparison too.
    if !(0.0..4_503_599_627_370_496.0).contains(&x) {
        return x.round();
    }
    // SAFETY: 0 <= x < 2^52, so x truncates into i64 exactly.
    let t = unsafe { x.to_int_unchecked::<i64>() } as f64;
    // Without a branch: whether to round up is a coin toss the predictor cannot learn.
    t + (x - t >= 0.5) as u8 as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_round_to_the_nearest_nanosecond() {
        assert_eq!(ns_from_ms(1.5), 1_500_000);
        assert_eq!(ns_from_us(0.0004), 0);
        assert_eq!(ns_from_us(0.0005), 1);
        assert_eq!(ns_from_s(2.0), 2_000_000_000);
        assert_eq!(ms_from_s(0.0015), 2);
    }

    #[test]
    fn bad_floats_give_zero_and_huge_ones_saturate() {
        assert_eq!(ns_from_ms(f64::NAN), 0);
        assert_eq!(ns_from_ms(-3.0), 0);
        assert_eq!(ns_from_s(f64::INFINITY), 0);
        assert_eq!(ns_from_s(1e30), u64::MAX);
        assert_eq!(round_to_u64(9.5e18), 9_500_000_000_000_000_000);
    }

    #[test]
    fn agrees_with_the_saturating_cast_of_round() {
        // What `x.round() as u64` gives (the code this replaced), for every value here.
        let mut x = 0.0f64;
        for i in 0..100_000u64 {
            x = (x * 1.618_033_988_75 + i as f64 * 0.371) % 1e13;
            for v in [x, -x, x * 1e7, f64::from_bits(x.to_bits() + 1)] {
                assert_eq!(round_to_u64(v), v.round() as u64, "{v}");
            }
        }
    }

    #[test]
    fn rounds_like_f64_round() {
        let mut x = 0.0f64;
        let tricky = [
            0.5,
            1.5,
            2.5,
            0.49999999999999994,
            4503599627370495.5,
            1e300,
        ];
        for &v in &tricky {
            assert_eq!(round_non_negative(v), v.round(), "{v}");
        }
        assert!(round_non_negative(f64::NAN).is_nan());
        for i in 0..100_000u64 {
            x = (x * 1.618_033_988_75 + i as f64 * 0.371) % 1e7;
            assert_eq!(round_non_negative(x), x.round(), "{x}");
            let y = f64::from_bits(x.to_bits() + 1);
            assert_eq!(round_non_negative(y), y.round(), "{y}");
        }
    }
}
