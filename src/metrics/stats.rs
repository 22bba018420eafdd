//! Streaming mean and variance, medians of samples, and confidence intervals.

use super::histogram::resolution_ns;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Welford's running mean and variance; numerically stable and order-deterministic.
#[derive(Debug, Clone, Copy, Default)]
pub struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Moments {
    /// Adds one observation.
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// Observations so far.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Mean (0 when empty).
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Population standard deviation (0 with fewer than two observations).
    pub fn std(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2 / self.n as f64).sqrt()
        }
    }
}

/// The `q` quantile of a sample by the nearest-rank rule; `NaN` when empty.
pub fn quantile_of(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((q.clamp(0.0, 1.0) * values.len() as f64).ceil() as usize).max(1);
    values[rank - 1]
}

/// Mean and half-width of the two-sided 95 % confidence interval of the mean (Student's
/// t with n - 1 degrees of freedom). The half-width is 0 for a single value.
pub fn mean_ci95(values: &[f64]) -> (f64, f64) {
    let n = values.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, 0.0);
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64)
        .map(|d| d.inverse_cdf(0.975))
        .unwrap_or(f64::NAN);
    (mean, t * (var / n as f64).sqrt())
}

/// [`mean_ci95`] of latency quantiles read from each run's [`Histogram`], ms, with the
/// half-width raised to at least the histogram's resolution at the mean
/// ([`resolution_ns`]: 0.1-0.2 % of the value). Each run's quantile may be off the run's
/// exact quantile by up to that much, and by the same amount in every run when the runs'
/// distributions are alike, so a narrower interval would claim more precision than the
/// estimator has (a genuinely deterministic quantile would otherwise read `+/- 0`). NaN
/// stays NaN.
///
/// [`Histogram`]: super::histogram::Histogram
pub fn quantile_mean_ci95(values_ms: &[f64]) -> (f64, f64) {
    let (mean, half) = mean_ci95(values_ms);
    if !(mean.is_finite() && mean >= 0.0) {
        return (mean, half);
    }
    let floor_ms = resolution_ns((mean * 1e6).round() as u64) as f64 / 1e6;
    (mean, half.max(floor_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_of_a_small_sample() {
        let mut m = Moments::default();
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            m.add(x);
        }
        // Textbook example: mean 5, population std 2.
        assert!((m.mean() - 5.0).abs() < 1e-12);
        assert!((m.std() - 2.0).abs() < 1e-12);
    }

    #[test]
    fn ci_uses_student_t() {
        // n = 5, sample sd = sqrt(2.5), t(0.975, 4) = 2.776: half-width 2.776 * 0.7071 = 1.963.
        let (mean, half) = mean_ci95(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(mean, 3.0);
        assert!((half - 1.963).abs() < 1e-3, "half-width {half}");
        assert_eq!(mean_ci95(&[7.0]), (7.0, 0.0));
    }

    #[test]
    fn quantile_intervals_are_never_narrower_than_the_histogram() {
        // 761.79 ms = 761_790_000 ns lies in [2^29, 2^30): 512 buckets of 2^29 / 512 =
        // 2^20 ns = 1.048576 ms each. Five equal runs: Student's half-width 0, floor 1.048576.
        let (mean, half) = quantile_mean_ci95(&[761.79; 5]);
        assert_eq!((mean, half), (761.79, 1.048576));
        // A spread wider than the bucket keeps Student's half-width (1.963, as above).
        let wide: Vec<f64> = [1.0, 2.0, 3.0, 4.0, 5.0].iter().map(|v| v * 10.0).collect();
        let (_, half) = quantile_mean_ci95(&wide);
        assert!((half - 19.63).abs() < 1e-2, "half-width {half}");
        assert!(quantile_mean_ci95(&[f64::NAN, 1.0]).0.is_nan());
    }

    #[test]
    fn nearest_rank_median() {
        assert_eq!(quantile_of(&mut [3.0, 1.0, 2.0, 4.0], 0.5), 2.0);
        assert!(quantile_of(&mut [], 0.5).is_nan());
    }
}
