//! A trace replayed at a multiple of its load (`[sessions.load] scale`): every listed
//! session comes ⌊scale⌋ times and once more with probability scale − ⌊scale⌋; the copies
//! after the first arrive up to `scale_spread_s` later (uniform), so the trace's rate over
//! time is kept at that resolution. Drawn from the stream `trace-scale` of the experiment's
//! seed: the same scaled trace for every run, as the trace itself is.

use crate::engine::RngStreams;
use rand::Rng;

/// A listed arrival: (time s, site, application, duration s), as `Arrivals::Trace` holds.
pub type Listed = (f64, u32, u32, f64);

/// `trace` at `scale` times its arrivals, copies spread over `spread_s`, sorted by time
/// (ties keep trace order, then copy order).
pub fn scale_trace(trace: &[Listed], scale: f64, spread_s: f64, seed: u64) -> Vec<Listed> {
    if scale == 1.0 {
        return trace.to_vec();
    }
    let whole = scale.floor();
    let fraction = scale - whole;
    let mut rng = RngStreams::new(seed, 0).stream("trace-scale");
    let mut out = Vec::with_capacity((trace.len() as f64 * scale.ceil()) as usize);
    for a in trace {
        let extra = rng.random::<f64>() < fraction;
        let copies = whole as usize + usize::from(extra);
        for k in 0..copies {
            let shift = if k == 0 {
                0.0
            } else {
                rng.random::<f64>() * spread_s
            };
            out.push((a.0 + shift, a.1, a.2, a.3));
        }
    }
    out.sort_by(|x, y| x.0.total_cmp(&y.0));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace(n: usize) -> Vec<Listed> {
        (0..n)
            .map(|i| (i as f64 * 10.0, i as u32 % 3, 0, 30.0))
            .collect()
    }

    #[test]
    fn one_is_the_trace_itself() {
        assert_eq!(scale_trace(&trace(50), 1.0, 60.0, 7), trace(50));
    }

    #[test]
    fn whole_scales_copy_every_session_and_keep_their_attributes() {
        let t = trace(200);
        let s = scale_trace(&t, 3.0, 60.0, 7);
        assert_eq!(s.len(), 600);
        for site in 0..3 {
            let before = t.iter().filter(|a| a.1 == site).count();
            assert_eq!(s.iter().filter(|a| a.1 == site).count(), 3 * before);
        }
        assert!(s.windows(2).all(|w| w[0].0 <= w[1].0), "sorted by time");
        assert!(s.iter().all(|a| a.3 == 30.0));
        // Every copy lies within the spread after some original at its site.
        assert!(s.iter().all(|c| t
            .iter()
            .any(|a| a.1 == c.1 && c.0 >= a.0 && c.0 < a.0 + 60.0)));
    }

    #[test]
    fn a_fraction_adds_about_its_share_and_is_reproducible() {
        let t = trace(10_000);
        let s = scale_trace(&t, 1.5, 60.0, 11);
        // Binomial(10,000, 0.5) extra copies: sd 50, so ±250 is 5 sd.
        assert!((s.len() as i64 - 15_000).abs() < 250, "{}", s.len());
        assert_eq!(s, scale_trace(&t, 1.5, 60.0, 11));
        assert_ne!(s, scale_trace(&t, 1.5, 60.0, 12));
        assert!(scale_trace(&t, 0.0, 60.0, 11).is_empty());
    }
}
