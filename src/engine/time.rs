//! Simulated time: integer nanoseconds, never floating point.

use crate::base::units;
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
    /// Negative and non-finite inputs give zero; callers validate inputs before this
    /// ([`crate::base::units`]).
    pub fn from_ms_f64(ms: f64) -> SimDuration {
        SimDuration(units::ns_from_ms(ms))
    }

    /// Converts microseconds to a duration, rounding to the nearest nanosecond.
    pub fn from_us_f64(us: f64) -> SimDuration {
        SimDuration(units::ns_from_us(us))
    }

    /// Converts seconds to a duration, rounding to the nearest nanosecond.
    pub fn from_secs_f64(s: f64) -> SimDuration {
        SimDuration(units::ns_from_s(s))
    }

    /// Converts nanoseconds given as a float, saturating at the `u64` range.
    pub fn from_ns_f64(ns: f64) -> SimDuration {
        SimDuration(units::round_to_u64(ns))
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
