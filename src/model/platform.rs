//! CPU contention: how a cluster's load stretches a component's processing time.

use statrs::function::gamma::{gamma_ur, ln_gamma};

/// Slowdown of a job on a cluster of `cores` cores whose utilisation is `utilisation`
/// (0..1): the mean response time of an M/M/c queue over its service time,
/// `1 + C(c, cu) / (c (1 - u))` with `C` the Erlang C probability of waiting (Kleinrock,
/// Queueing Systems vol. 1, §3.5). For one and two cores this is `1 / (1 - u^c)` exactly,
/// which is used there (and between them for fractional cores). Above two cores Erlang B
/// is taken through the incomplete gamma function, which is Erlang B at whole `c` and
/// its continuous extension between, so any core count costs the same. Utilisation is
/// capped at [`STRETCH_UTIL_CAP`]; callers report the time spent at the cap (streaming
/// names the cluster as its bottleneck, sessions count `cpu_saturated_session_hours`).
pub fn contention_stretch(utilisation: f64, cores: f64) -> f64 {
    busy_stretch(utilisation.min(STRETCH_UTIL_CAP), cores)
}

/// [`contention_stretch`] at a busy share without a cap: infinite at or above 1, where the
/// cores' queue grows without bound (the caller reports that as overload). The session
/// world takes it at the share of the cores that work really keeps busy, which stays
/// below 1 while reservations cover the work.
pub fn busy_stretch(utilisation: f64, cores: f64) -> f64 {
    let u = utilisation.max(0.0);
    if u >= 1.0 {
        return f64::INFINITY;
    }
    let c = cores.max(1.0);
    if c <= 2.0 || u == 0.0 {
        return 1.0 / (1.0 - u.powf(c));
    }
    1.0 + erlang_c(c, u) / (c * (1.0 - u))
}

/// [`contention_stretch`] for one core count, tabulated for the session world, which
/// re-evaluates it at every booking: 4,096 steps of utilisation up to the 0.95 cap,
/// linear in between (relative error below 1e-5 at the cap, where the curve bends most;
/// far below elsewhere). One and two cores keep the closed form.
#[derive(Debug, Clone, PartialEq)]
pub struct StretchTable {
    cores: f64,
    values: Vec<f64>,
}

/// Steps of a [`StretchTable`].
const TABLE_STEPS: usize = 4096;
/// The utilisation cap of [`contention_stretch`], which streaming experiments use: their
/// utilisation is measured busy time over a scrape window, and a cluster whose demand
/// reaches 1 is named as the scenario's bottleneck and flagged overloaded
/// (`world::streaming_load`), so the cap is reported there. The session world takes
/// [`busy_stretch`] at its busy share, with no cap; the table goes to this level and the
/// closed form beyond it.
pub const STRETCH_UTIL_CAP: f64 = 0.95;
const UTIL_CAP: f64 = STRETCH_UTIL_CAP;

impl StretchTable {
    /// The table for clusters of `cores` cores.
    pub fn new(cores: f64) -> StretchTable {
        let values = if cores <= 2.0 {
            Vec::new()
        } else {
            (0..=TABLE_STEPS)
                .map(|i| contention_stretch(i as f64 * UTIL_CAP / TABLE_STEPS as f64, cores))
                .collect()
        };
        StretchTable { cores, values }
    }

    /// The core count it is for.
    pub fn cores(&self) -> f64 {
        self.cores
    }

    /// The stretch at `utilisation`, without a cap: past the table's 0.95 the closed
    /// form ([`busy_stretch`]), infinite at 1.
    #[inline]
    pub fn at(&self, utilisation: f64) -> f64 {
        if self.values.is_empty() || utilisation > UTIL_CAP {
            return busy_stretch(utilisation, self.cores);
        }
        let x = utilisation.max(0.0) / UTIL_CAP * TABLE_STEPS as f64;
        let i = (x as usize).min(TABLE_STEPS - 1);
        let f = x - i as f64;
        self.values[i] + f * (self.values[i + 1] - self.values[i])
    }
}

/// Probability that an arrival waits in an M/M/c queue of `c` servers at utilisation `u`.
fn erlang_c(c: f64, u: f64) -> f64 {
    let a = c * u;
    // Erlang B = Poisson(a) at c over Poisson(a) at or below c; the latter is Q(c + 1, a).
    let pmf = (c * a.ln() - a - ln_gamma(c + 1.0)).exp();
    let b = (pmf / gamma_ur(c + 1.0, a)).clamp(0.0, 1.0);
    b / (1.0 - u * (1.0 - b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Erlang C by the textbook recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)),
    /// C = B / (1 - u (1 - B)): the independent computation the closed form is checked on.
    fn erlang_c_recursive(c: u32, u: f64) -> f64 {
        let a = c as f64 * u;
        let mut b = 1.0;
        for k in 1..=c {
            b = a * b / (k as f64 + a * b);
        }
        b / (1.0 - u * (1.0 - b))
    }

    #[test]
    fn idle_cluster_does_not_stretch_and_load_does() {
        assert_eq!(contention_stretch(0.0, 2.0), 1.0);
        assert_eq!(contention_stretch(0.0, 16.0), 1.0);
        // 1 / (1 - 0.5^2) = 4/3.
        assert!((contention_stretch(0.5, 2.0) - 4.0 / 3.0).abs() < 1e-12);
        assert!(contention_stretch(0.5, 1.0) > contention_stretch(0.5, 4.0));
        assert!(contention_stretch(2.0, 2.0).is_finite());
        assert!(contention_stretch(2.0, 64.0).is_finite());
    }

    #[test]
    fn matches_the_erlang_c_recursion_for_whole_core_counts() {
        for c in [1u32, 2, 3, 4, 8, 16, 64, 512] {
            for u in [0.1, 0.5, 0.8, 0.9, 0.95] {
                let want = 1.0 + erlang_c_recursive(c, u) / (c as f64 * (1.0 - u));
                let got = contention_stretch(u, c as f64);
                assert!(
                    (got - want).abs() < 1e-9 * want,
                    "c {c} u {u}: {got} against {want}"
                );
            }
        }
    }

    #[test]
    fn erlang_c_is_above_the_old_approximation_for_four_and_eight_cores() {
        // The check: 1 / (1 - u^c) was 2.6-6.4 % low for 4 and 8 cores at high load.
        for c in [4.0, 8.0] {
            let old = 1.0 / (1.0 - 0.9f64.powf(c));
            let new = contention_stretch(0.9, c);
            assert!(
                new > 1.02 * old && new < 1.10 * old,
                "c {c}: {new} against {old}"
            );
        }
    }

    #[test]
    fn the_table_follows_the_closed_form() {
        for c in [2.0, 4.0, 8.0, 48.0, 1000.0] {
            let t = StretchTable::new(c);
            for i in 0..1000 {
                let u = i as f64 / 1000.0;
                let (got, want) = (t.at(u), busy_stretch(u, c));
                assert!(
                    (got - want).abs() <= 1e-5 * want,
                    "c {c} u {u}: {got} {want}"
                );
            }
            // No cap: past the table the closed form, unbounded at 1.
            assert!(t.at(0.99) > t.at(0.95) && t.at(1.0).is_infinite());
        }
    }

    #[test]
    fn streaming_keeps_its_reported_cap() {
        assert_eq!(
            contention_stretch(2.0, 8.0),
            busy_stretch(STRETCH_UTIL_CAP, 8.0)
        );
        assert!(busy_stretch(1.0, 8.0).is_infinite());
    }

    #[test]
    fn fractional_cores_fall_between_their_neighbours() {
        for u in [0.3, 0.7, 0.9] {
            let (lo, mid, hi) = (
                contention_stretch(u, 3.0),
                contention_stretch(u, 3.5),
                contention_stretch(u, 4.0),
            );
            assert!(lo > mid && mid > hi, "u {u}: {lo} {mid} {hi}");
        }
    }
}
