//! The standard normal's tails and the complementary error function, fast: a Chebyshev fit
//! of `erfc` that takes an exponential factor in (so products like `exp(s) erfc(x)` neither
//! overflow nor underflow) and a table of the upper tail for inner loops.

use std::sync::OnceLock;

/// Steps per unit of the tabulated normal tail, and its reach (beyond, 0 or 1 to 1e-15).
const NORMAL_STEPS: f64 = 64.0;
const NORMAL_REACH: f64 = 8.0;

/// `P(N(0,1) > z)` from a table, linear between its points (error below 1e-5; the
/// integral calls it 16 times per session group and scrape, where a library call per
/// point costs several times the rest of the scrape).
#[inline]
pub fn upper_normal_fast(z: f64) -> f64 {
    static TABLE: OnceLock<Vec<f64>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let n = (2.0 * NORMAL_REACH * NORMAL_STEPS) as usize;
        (0..=n + 1)
            .map(|i| upper_normal(i as f64 / NORMAL_STEPS - NORMAL_REACH))
            .collect()
    });
    let pos = (z + NORMAL_REACH) * NORMAL_STEPS;
    if pos <= 0.0 {
        return 1.0;
    }
    let i = pos as usize;
    if i + 1 >= table.len() {
        return 0.0;
    }
    let w = pos - i as f64;
    table[i] + w * (table[i + 1] - table[i])
}

/// `P(N(0,1) > z)`.
pub fn upper_normal(z: f64) -> f64 {
    let x = z / std::f64::consts::SQRT_2;
    if x >= 0.0 {
        0.5 * erfc_scaled(x, 0.0)
    } else {
        1.0 - 0.5 * erfc_scaled(-x, 0.0)
    }
}

/// `exp(shift) P(N(0,1) < z)` without overflow or underflow in between (far in the lower
/// tail the exponent and the normal's tail cancel).
pub fn lower_normal_scaled(z: f64, shift: f64) -> f64 {
    let x = -z / std::f64::consts::SQRT_2;
    if x >= 0.0 {
        0.5 * erfc_scaled(x, shift)
    } else {
        shift.exp() * (1.0 - 0.5 * erfc_scaled(-x, 0.0))
    }
}

/// `exp(shift) erfc(x)` for `x >= 0`, from the Chebyshev fit of Numerical Recipes
/// (Press et al., 2nd ed., §6.2, `erfcc`: fractional error below 1.2e-7), which is
/// `t exp(-x^2 + poly(t))` and so takes the shift into one exponential.
pub fn erfc_scaled(x: f64, shift: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.5 * x);
    let poly = -1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    t * (shift - x * x + poly).exp()
}

/// `erfcx(x) = exp(x^2) erfc(x)` for `x >= 0`.
pub fn erfcx(x: f64) -> f64 {
    erfc_scaled(x, x * x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_erfc_fit_is_within_its_stated_error() {
        for i in 0..=600 {
            let x = i as f64 * 0.01;
            let exact = statrs::function::erf::erfc(x);
            let fit = erfc_scaled(x, 0.0);
            assert!((fit - exact).abs() <= 1.2e-7 * exact, "{x}: {fit} {exact}");
        }
    }

    #[test]
    fn the_normal_table_is_within_1e_5() {
        for i in -1000..=1000 {
            let z = i as f64 * 0.0093;
            let exact = 0.5 * statrs::function::erf::erfc(z / std::f64::consts::SQRT_2);
            assert!((upper_normal_fast(z) - exact).abs() < 1e-5, "{z}");
        }
    }

    #[test]
    fn erfcx_stays_finite_far_out() {
        // erfcx(x) ~ 1 / (x sqrt(pi)) for large x.
        let x = 1e3;
        assert!((erfcx(x) * x * std::f64::consts::PI.sqrt() - 1.0).abs() < 1e-6);
    }
}
