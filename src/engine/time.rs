//! Simulated time: integer nanoseconds, never floating point.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// Nanoseconds per millisecond.
pub const NS_PER_MS: u64 = 1_000_000;
/// Nanoseconds per second.
pub const NS_PER_S: u64 = 1_000_000_000;

/// An instant of simulated time, in nanoseconds since the start of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// A span of simulated time, in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(pub u64);

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);

    /// Time elapsed since `earlier`, zero if `earlier` is later.
    pub fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }

    /// This instant in milliseconds (for reports only, never for ordering).
    pub fn as_ms_f64(self) -> f64 {
        self.0 as f64 / NS_PER_MS as f64
    }
}

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);

    /// Converts milliseconds to a duration, rounding to the nearest nanosecond.
    /// Negative and non-finite inputs give zero; callers validate inputs before this.
    pub fn from_ms_f64(ms: f64) -> SimDuration {
        Self::from_ns_f64(ms * NS_PER_MS as f64)
    }

    /// Converts microseconds to a duration, rounding to the nearest nanosecond.
    pub fn from_us_f64(us: f64) -> SimDuration {
        Self::from_ns_f64(us * 1_000.0)
    }

    /// Converts seconds to a duration, rounding to the nearest nanosecond.
    pub fn from_secs_f64(s: f64) -> SimDuration {
        Self::from_ns_f64(s * NS_PER_S as f64)
    }

    /// Converts nanoseconds given as a float, saturating at the `u64` range.
    pub fn from_ns_f64(ns: f64) -> SimDuration {
        // Finite and positive (NaN fails both comparisons).
        if ns > 0.0 && ns < f64::INFINITY {
            let r = round_non_negative(ns);
            SimDuration(if r < 9.0e18 {
                // SAFETY: 0 <= r < 9e18 < 2^63, an integer-valued float within i64: the
                // unchecked conversion is one instruction where the saturating one takes a
                // dozen on x86-64 (this runs several times per simulated frame).
                unsafe { r.to_int_unchecked::<i64>() as u64 }
            } else {
                r.min(u64::MAX as f64) as u64
            })
        } else {
            SimDuration(0)
        }
    }

    /// This duration in milliseconds (for reports and formulas, never for ordering).
    pub fn as_ms_f64(self) -> f64 {
        self.0 as f64 / NS_PER_MS as f64
    }

    /// This duration in seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NS_PER_S as f64
    }

    /// Scales the duration by a non-negative factor, rounding to the nearest nanosecond.
    pub fn mul_f64(self, factor: f64) -> SimDuration {
        Self::from_ns_f64(self.0 as f64 * factor)
    }

    /// Multiplies by an integer count, saturating.
    pub fn times(self, n: u64) -> SimDuration {
        SimDuration(self.0.saturating_mul(n))
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, d: SimDuration) {
        self.0 = self.0.saturating_add(d.0);
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, d: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(d.0))
    }
}

impl AddAssign for SimDuration {
    fn add_assign(&mut self, d: SimDuration) {
        self.0 = self.0.saturating_add(d.0);
    }
}

impl Sub for SimTime {
    type Output = SimDuration;
    fn sub(self, earlier: SimTime) -> SimDuration {
        self.since(earlier)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3} ms", self.as_ms_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_to_nearest_nanosecond() {
        assert_eq!(SimDuration::from_ms_f64(1.5).0, 1_500_000);
        assert_eq!(SimDuration::from_us_f64(0.0004).0, 0);
        assert_eq!(SimDuration::from_secs_f64(2.0).0, 2 * NS_PER_S);
    }

    #[test]
    fn bad_floats_give_zero_and_huge_ones_saturate() {
        assert_eq!(SimDuration::from_ms_f64(f64::NAN).0, 0);
        assert_eq!(SimDuration::from_ms_f64(-3.0).0, 0);
        assert_eq!(SimDuration::from_secs_f64(1e30).0, u64::MAX);
    }

    #[test]
    fn arithmetic_saturates_instead_of_wrapping() {
        assert_eq!((SimTime(u64::MAX) + SimDuration(5)).0, u64::MAX);
        assert_eq!(SimTime(3).since(SimTime(10)), SimDuration::ZERO);
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
mod round_tests {
    use super::round_non_negative;

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
