//! The spread of a session's frames around its mean latency, and the share of them over a
//! budget, at flow fidelity.
//!
//! Flow fidelity evaluates one mean latency per session and scrape. Frame fidelity draws,
//! per frame, what makes frames differ (`src/world/sessions/frames.rs`):
//! - route jitter on the way up and on the way down, each a half-normal excess of the
//!   route's sd centred on zero (`J = |A| + |B| - E`, `A`, `B` ~ N(0, s^2));
//! - the frame's size, a Gaussian of sd 10.5 % around the mean (3GPP TR 38.838), which
//!   scales its processing and its serialisation (`Z` ~ N(0, sigma^2));
//! - its wait at the site's egress: none with the probability the link is free, else
//!   taken as exponential around the conditional mean (`W`, the M/D/1 and N·D/D/1 tails
//!   are near exponential).
//!
//! The share of frames over budget is `P(mean + J + Z + W - E[W] > budget)`. `|A| + |B|`
//! is `sqrt(2) max(|U|, |V|)` for independent `U`, `V` ~ N(0, s^2) (a 45° rotation of
//! `(A, B)`), so its CDF is `erf(r / (2 s))^2`; `Z + W` is a normal mixed with an
//! exponentially modified normal, in closed form. The one integral left, over `J`, is a
//! midpoint rule on [`QUANTILES`] quantiles of `|A| + |B|`, each smoothed by a normal of
//! sd `2 s / QUANTILES` (adds 1.6 % to the variance) so that a narrow `Z` does not see
//! the grid.

use super::egress::EgressWait;
use super::normal::{erfc_scaled, upper_normal_fast};
use statrs::function::erf::erf_inv;
use std::sync::OnceLock;

/// Standard deviation of a frame's size relative to its mean (3GPP TR 38.838, the XR
/// traffic model's frame size, sd 10.5 % of the mean, truncated to 50-150 %).
pub const FRAME_SIZE_SD: f64 = 0.105;

/// Quantiles of the jitter sum in the integral.
const QUANTILES: usize = 16;

/// What spreads one session's frames around its mean latency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameSpread {
    /// Standard deviation of the route's one-way delay, ms (drawn up and down).
    pub jitter_sd_ms: f64,
    /// Standard deviation of the part taken as normal, ms: what scales with the frame's
    /// size (processing and serialisation) and the waits at the path's relays
    /// ([`crate::model::relay`]; their variances add).
    pub normal_sd_ms: f64,
    /// The wait at the site's egress, ms.
    pub wait: EgressWait,
}

/// Expected share of a session's frames whose latency exceeds `budget_ms` when their mean
/// latency is `mean_ms` (0..1).
pub fn share_over(mean_ms: f64, budget_ms: f64, s: &FrameSpread) -> f64 {
    let jitter = s.jitter_sd_ms.max(0.0);
    let mean_jitter_sum = 2.0 * jitter * (2.0 / std::f64::consts::PI).sqrt();
    // P(R + Z + W > y0) with R = |A| + |B| and W uncentred.
    let y0 = budget_ms - mean_ms + mean_jitter_sum + s.wait.mean;
    let smooth = 2.0 * jitter / QUANTILES as f64;
    let sigma = (s.normal_sd_ms * s.normal_sd_ms + smooth * smooth)
        .sqrt()
        .max(1e-9);
    let wait_spread = s.wait.sd();
    let (y0, sigma, wait) = if wait_spread < 0.5 * sigma {
        // A wait this narrow next to the frame-size spread adds its variance and little
        // skew: taken into the normal (the closed form needs an exponential per point).
        let merged = (sigma * sigma + wait_spread * wait_spread).sqrt();
        (y0 - s.wait.mean, merged, EgressWait::NONE)
    } else {
        (y0, sigma, s.wait)
    };
    let quantiles = jitter_quantiles();
    // Past the largest jitter quantile, 7 sd of the frame size and the wait's tail the
    // integrand is below 1e-12: nothing left to integrate.
    let wait_tail = wait.quantile(1.0 - 1e-12);
    if y0 > jitter * quantiles[QUANTILES - 1] + 7.0 * sigma + wait_tail {
        return 0.0;
    }
    if y0 < -7.0 * sigma {
        return 1.0;
    }
    if jitter <= 0.0 {
        return size_and_wait_over(y0, sigma, wait);
    }
    let total: f64 = quantiles
        .iter()
        .map(|r| size_and_wait_over(y0 - jitter * r, sigma, wait))
        .sum();
    (total / QUANTILES as f64).clamp(0.0, 1.0)
}

/// Bands of the latency distribution a group of sessions is recorded in at flow fidelity
/// (lower edge, upper edge). Each band is recorded at the quantile of its middle level, so
/// the levels users read (p50, p95, p99) are the middles of bands of their own: a
/// histogram of one group then gives its exact p50, p95 and p99, not the quantile of the
/// middle of the band the level falls in (with bands ending at 0.5 and 0.993, p50 was read
/// at 0.4 and p99 at 0.98).
pub const SPREAD_BANDS: [(f64, f64); 11] = [
    (0.0, 0.1),
    (0.1, 0.3),
    (0.3, 0.45),
    (0.45, 0.55),
    (0.55, 0.7),
    (0.7, 0.9),
    (0.9, 0.94),
    (0.94, 0.96),
    (0.96, 0.985),
    (0.985, 0.995),
    (0.995, 1.0),
];

/// Number of bands.
const BANDS: usize = SPREAD_BANDS.len();

/// Where a session's frames lie around its mean latency, ms: one deviation per band of
/// [`SPREAD_BANDS`], at the band's middle level. The quantile of a sum is not the sum of
/// quantiles; each band takes the root of the signed sum of squares of the three parts'
/// deviations at its level, which is exact when every part is normal and keeps each
/// part's skew (the jitter's and the wait's long upper tails) otherwise. The bands are
/// then centred, so the deviations average to zero and the mean latency is kept.
pub fn spread_deviations(s: &FrameSpread) -> [f64; BANDS] {
    let levels = band_levels();
    let waits = s.wait.busy > 0.0 && s.wait.mean > 0.0;
    let ln_busy = if waits { s.wait.busy.ln() } else { 0.0 };
    let mut d = [0.0; BANDS];
    let mut centre = 0.0;
    for (k, x) in d.iter_mut().enumerate() {
        let BandLevel {
            u,
            jitter: r,
            normal: z,
            width,
            ln_above,
        } = levels[k];
        let jitter = s.jitter_sd_ms * r;
        let size = s.normal_sd_ms * z;
        let mut signed = jitter * jitter.abs() + size * size.abs();
        if waits {
            // The wait's quantile at u: zero below 1 - busy, else where busy S(w) = 1 - u.
            let w = if u > 1.0 - s.wait.busy {
                s.wait.beyond(ln_busy - ln_above)
            } else {
                0.0
            } - s.wait.mean;
            signed += w * w.abs();
        }
        *x = signed.signum() * signed.abs().sqrt();
        centre += *x * width;
    }
    for x in &mut d {
        *x -= centre;
    }
    d
}

/// One band of [`SPREAD_BANDS`] at its middle level.
#[derive(Clone, Copy)]
struct BandLevel {
    /// The band's middle level (probability).
    u: f64,
    /// The centred jitter sum's quantile at `u`, in jitter standard deviations.
    jitter: f64,
    /// The standard normal's quantile at `u`.
    normal: f64,
    /// The band's width (probability).
    width: f64,
    /// `ln(1 - u)`.
    ln_above: f64,
}

/// Every band's levels, computed once.
fn band_levels() -> &'static [BandLevel; BANDS] {
    static L: OnceLock<[BandLevel; BANDS]> = OnceLock::new();
    L.get_or_init(|| {
        let jitter_mean = 2.0 * (2.0 / std::f64::consts::PI).sqrt();
        std::array::from_fn(|k| {
            let (lo, hi) = SPREAD_BANDS[k];
            let u = 0.5 * (lo + hi);
            BandLevel {
                u,
                jitter: 2.0 * erf_inv(u.sqrt()) - jitter_mean,
                normal: std::f64::consts::SQRT_2 * erf_inv(2.0 * u - 1.0),
                width: hi - lo,
                ln_above: (1.0 - u).ln(),
            }
        })
    })
}

/// Midpoint quantiles of `|A| + |B|` for `A`, `B` ~ N(0, 1): `2 erf_inv(sqrt(u))`.
fn jitter_quantiles() -> &'static [f64; QUANTILES] {
    static Q: OnceLock<[f64; QUANTILES]> = OnceLock::new();
    Q.get_or_init(|| {
        std::array::from_fn(|k| {
            let u = (k as f64 + 0.5) / QUANTILES as f64;
            2.0 * erf_inv(u.sqrt())
        })
    })
}

/// `P(Z + W > y)` for `Z` ~ N(0, sigma^2) and `W` zero with probability `1 - busy`, else
/// with survivor `exp(-a w^2 - b w)`: `Q(y / sigma)` plus `busy` times the Gaussian
/// integral `int_0^inf phi_sigma(y - u) exp(-a u^2 - b u) du`, which with
/// `A = 1 / (2 sigma^2) + a` and `B = y / sigma^2 - b` is
/// `exp(B^2 / 4A - y^2 / 2 sigma^2) erfc(-B / 2 sqrt(A)) / (sigma sqrt(8 A))`
/// (for `a = 0` the exponentially modified normal).
fn size_and_wait_over(y: f64, sigma: f64, wait: EgressWait) -> f64 {
    let mut p = upper_normal_fast(y / sigma);
    if wait.busy > 0.0 && wait.mean > 0.0 {
        let big_a = 0.5 / (sigma * sigma) + wait.tail_sq;
        let big_b = y / (sigma * sigma) - wait.tail_lin;
        let shift = big_b * big_b / (4.0 * big_a) - y * y / (2.0 * sigma * sigma);
        let v = -big_b / (2.0 * big_a.sqrt());
        let scaled_erfc = if v >= 0.0 {
            erfc_scaled(v, shift)
        } else {
            shift.exp() * (2.0 - erfc_scaled(-v, 0.0))
        };
        p += wait.busy * scaled_erfc / (sigma * (8.0 * big_a).sqrt());
    }
    p.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_distr::{Distribution, Normal};

    /// The same share drawn frame by frame, as frame fidelity draws it.
    fn monte_carlo(mean_ms: f64, budget_ms: f64, s: &FrameSpread, frames: u32) -> f64 {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let jitter = Normal::new(0.0, s.jitter_sd_ms.max(1e-12)).unwrap();
        let size = Normal::new(0.0, s.normal_sd_ms.max(1e-12)).unwrap();
        let centre = s.jitter_sd_ms * (2.0 / std::f64::consts::PI).sqrt();
        let over = (0..frames)
            .filter(|_| {
                let up: f64 = jitter.sample(&mut rng);
                let down: f64 = jitter.sample(&mut rng);
                let wait = s.wait.quantile(rng.random::<f64>());
                let ms = mean_ms + up.abs() - centre + down.abs() - centre
                    + size.sample(&mut rng)
                    + wait
                    - s.wait.mean;
                ms > budget_ms
            })
            .count();
        over as f64 / frames as f64
    }

    #[test]
    fn the_integral_matches_frames_drawn_one_by_one() {
        let spreads = [
            (0.4, 0.45, EgressWait::NONE),
            (0.4, 0.05, EgressWait::NONE),
            (0.05, 0.45, EgressWait::NONE),
            (
                0.3,
                0.3,
                EgressWait {
                    mean: 0.4,
                    busy: 0.6,
                    tail_sq: 0.0,
                    tail_lin: 1.5,
                },
            ),
            (
                0.0,
                0.2,
                // 20 streams at 90 % of 0.625 ms frames (the N·D/D/1 fit).
                crate::model::egress::periodic_wait(20, 0.9, 0.625),
            ),
            (
                0.4,
                0.45,
                EgressWait {
                    mean: 0.07,
                    busy: 0.5,
                    tail_sq: 0.0,
                    tail_lin: 0.5 / 0.07,
                },
            ),
        ];
        for (jitter, size, wait) in spreads {
            let s = FrameSpread {
                jitter_sd_ms: jitter,
                normal_sd_ms: size,
                wait,
            };
            for mean in [13.0, 14.5, 15.0, 15.4, 17.0] {
                let got = share_over(mean, 15.0, &s);
                let drawn = monte_carlo(mean, 15.0, &s, 400_000);
                assert!(
                    (got - drawn).abs() < 0.004,
                    "{s:?} mean {mean}: integral {got}, drawn {drawn}"
                );
            }
        }
    }

    #[test]
    fn the_bands_cover_the_distribution_and_rise() {
        let mut edge = 0.0;
        for (lo, hi) in SPREAD_BANDS {
            assert!(lo == edge && hi > lo);
            edge = hi;
        }
        assert_eq!(edge, 1.0);
        let s = FrameSpread {
            jitter_sd_ms: 0.3,
            normal_sd_ms: 0.4,
            wait: crate::model::egress::periodic_wait(20, 0.9, 0.625),
        };
        let d = spread_deviations(&s);
        assert!(d.windows(2).all(|w| w[0] < w[1]), "{d:?}");
        // Normal parts alone: the deviations are the normal's quantiles times the total sd.
        let normal = FrameSpread {
            jitter_sd_ms: 0.0,
            normal_sd_ms: 0.5,
            wait: EgressWait::NONE,
        };
        let d = spread_deviations(&normal);
        let mean: f64 = d
            .iter()
            .zip(SPREAD_BANDS)
            .map(|(x, (lo, hi))| x * (hi - lo))
            .sum();
        assert!(mean.abs() < 1e-12);
        // Levels 0.375 and 0.625: z = -/+0.318639.
        assert!((d[4] - d[2] - 0.5 * 2.0 * 0.318_639).abs() < 1e-5, "{d:?}");
        // The levels read as p50, p95 and p99 are their bands' middles (less the centring,
        // 1 % of the sd: the bands are not symmetric about the median).
        for (level, z) in [(0.5, 0.0), (0.95, 1.644_854), (0.99, 2.326_348)] {
            let k = SPREAD_BANDS
                .iter()
                .position(|&(lo, hi)| lo < level && level < hi)
                .unwrap();
            assert!((d[k] - 0.5 * z).abs() < 0.005, "level {level}: {d:?}");
        }
        // A long upper tail (the wait) stretches the upper bands more than the lower.
        let s = FrameSpread {
            jitter_sd_ms: 0.0,
            normal_sd_ms: 0.1,
            wait: crate::model::egress::periodic_wait(20, 0.9, 0.625),
        };
        let d = spread_deviations(&s);
        assert!(d[BANDS - 1] > -2.0 * d[0], "{d:?}");
    }

    #[test]
    fn without_spread_it_is_the_threshold_on_the_mean() {
        let s = FrameSpread {
            jitter_sd_ms: 0.0,
            normal_sd_ms: 0.0,
            wait: EgressWait::NONE,
        };
        assert_eq!(share_over(15.001, 15.0, &s), 1.0);
        assert_eq!(share_over(14.999, 15.0, &s), 0.0);
    }

    #[test]
    fn a_symmetric_spread_puts_half_over_at_the_budget() {
        let s = FrameSpread {
            jitter_sd_ms: 0.0,
            normal_sd_ms: 0.5,
            wait: EgressWait::NONE,
        };
        assert!((share_over(15.0, 15.0, &s) - 0.5).abs() < 1e-6);
    }

    #[test]
    fn the_far_tail_does_not_overflow() {
        let s = FrameSpread {
            jitter_sd_ms: 0.0,
            normal_sd_ms: 5.0,
            wait: EgressWait {
                mean: 1e-4,
                busy: 0.5,
                tail_sq: 0.0,
                tail_lin: 5e3,
            },
        };
        for mean in [-1e6, 0.0, 15.0, 1e6] {
            let p = share_over(mean, 15.0, &s);
            assert!(p.is_finite() && (0.0..=1.0).contains(&p), "{mean}: {p}");
        }
    }
}
