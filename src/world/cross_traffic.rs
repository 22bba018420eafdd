//! The first-in first-out queue of a link that carries background traffic, as a frame
//! meets it: the background's backlog when the frame's first packet arrives, background
//! packets served between the frame's packets while they keep arriving, and the frame's
//! own packets, which later background packets wait behind.
//!
//! The queue is kept as its unfinished work (ns) at one instant and advanced exactly
//! between the instants frames touch it, without an event per background packet:
//! - while work is queued, the server cannot idle for that long, so the work after a step
//!   of that length is the background work that arrived in it, a Poisson count of packets;
//! - once the queue is idle, the next arrival is an exponential gap away;
//! - once it has been idle and `to` is more than [`RELAXATIONS`] relaxation times ahead,
//!   the past is forgotten and the work at `to` is drawn from the stationary M/D/1
//!   distribution (the Pollaczek-Khinchine geometric sum of residual service times).
//!
//! So the work one frame causes stays in the queue for the next frame (at high total load
//! the backlog a frame left behind has not drained when the next one comes), and a quiet
//! link costs a handful of draws per frame. A step covers a whole backlog, so a gap costs
//! a few steps per busy period in it (the background's share times one minus it, times the
//! gap, over its packet time); [`MAX_STEPS`] bounds one advance, after which the next idle
//! moment forgets the past.

use crate::base::units::round_to_u64;
use crate::engine::StreamRng;
use crate::model::path::Background;
use rand::Rng;
use rand_distr::{Distribution, Exp, Poisson};

/// Relaxation times of M/D/1 (`packet / (1 - sqrt(util))^2`) after an idle moment past
/// which the queue has forgotten its past; e^-20 of the start is left.
const RELAXATIONS: f64 = 20.0;

/// Most steps one advance takes before it forgets the past at the next idle moment (a
/// bound on the work per frame that realistic gaps do not reach; see the module docs).
const MAX_STEPS: u32 = 100_000;

/// One link's FIFO under background traffic.
#[derive(Debug, Clone, Copy, Default)]
pub struct BackgroundQueue {
    /// Unfinished work at `at`, ns.
    work_ns: u64,
    /// The instant `work_ns` describes, ns.
    at_ns: u64,
}

/// When the first and the last packet of a frame leave the queue, ns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Departures {
    /// The first packet, ns.
    pub first_ns: u64,
    /// The last packet, ns.
    pub last_ns: u64,
}

impl BackgroundQueue {
    /// Serves a frame of `packets` packets of `packet_ns` each, the first arriving at
    /// `first_ns` and the others `spacing_ns` apart, behind and among background `b`.
    pub fn serve(
        &mut self,
        b: &Background,
        rng: &mut StreamRng,
        (first_ns, spacing_ns): (u64, u64),
        packets: u32,
        packet_ns: u64,
    ) -> Departures {
        let mut out = Departures {
            first_ns: 0,
            last_ns: 0,
        };
        let packets = packets.max(1);
        if spacing_ns == 0 {
            let now = self.advance(b, rng, first_ns);
            out.first_ns = now.saturating_add(self.work_ns).saturating_add(packet_ns);
            self.work_ns = self
                .work_ns
                .saturating_add((packets as u64).saturating_mul(packet_ns));
            out.last_ns = now.saturating_add(self.work_ns);
            return out;
        }
        for k in 0..packets as u64 {
            let now = self.advance(b, rng, first_ns + k * spacing_ns);
            self.work_ns = self.work_ns.saturating_add(packet_ns);
            let leave = now.saturating_add(self.work_ns);
            if k == 0 {
                out.first_ns = leave;
            }
            out.last_ns = leave;
        }
        out
    }

    /// Moves the queue to `to_ns`, or stays where it is if it is already later (an arrival
    /// that another flow's earlier hops delivered out of order queues behind it); returns
    /// the queue's instant, ns.
    fn advance(&mut self, b: &Background, rng: &mut StreamRng, to_ns: u64) -> u64 {
        debug_assert!(b.util > 0.0 && b.util < 1.0 && b.packet_ns > 0);
        let rate = b.rate_per_ns();
        let horizon = horizon_ns(b);
        let mut steps = 0u32;
        while self.at_ns < to_ns {
            steps += 1;
            let left = to_ns - self.at_ns;
            if self.work_ns > 0 {
                let step = self.work_ns.min(left);
                let arrived = poisson(rng, rate * step as f64);
                self.work_ns =
                    (self.work_ns - step).saturating_add(arrived.saturating_mul(b.packet_ns));
                self.at_ns += step;
            } else if left as f64 >= horizon || steps > MAX_STEPS {
                self.work_ns = stationary_work_ns(b, rng);
                self.at_ns = to_ns;
            } else {
                let gap = exponential(rng, rate);
                if gap >= left as f64 {
                    self.at_ns = to_ns;
                } else {
                    self.at_ns += round_to_u64(gap).max(1);
                    self.work_ns = b.packet_ns;
                }
            }
        }
        self.at_ns
    }
}

/// How long after an idle moment the queue has forgotten it, ns.
fn horizon_ns(b: &Background) -> f64 {
    RELAXATIONS * b.packet_ns as f64 / (1.0 - b.util.sqrt()).powi(2)
}

/// A draw of the M/D/1 queue's stationary work, ns: a geometric number of residual
/// service times (P(K = k) = (1 - util) util^k), each uniform on (0, packet).
fn stationary_work_ns(b: &Background, rng: &mut StreamRng) -> u64 {
    let u: f64 = rng.random();
    let k = ((1.0 - u).ln() / b.util.ln()).floor() as u64;
    let total: f64 = (0..k)
        .map(|_| rng.random::<f64>() * b.packet_ns as f64)
        .sum();
    round_to_u64(total)
}

/// A Poisson count with `mean`.
fn poisson(rng: &mut StreamRng, mean: f64) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    match Poisson::new(mean) {
        Ok(d) => d.sample(rng) as u64,
        Err(_) => round_to_u64(mean),
    }
}

/// An exponential gap with `rate` per ns, ns.
fn exponential(rng: &mut StreamRng, rate: f64) -> f64 {
    Exp::new(rate).map_or(f64::INFINITY, |d| d.sample(rng))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RngStreams;

    fn background(util: f64) -> Background {
        Background {
            hop: 0,
            util,
            packet_ns: 12_304,
            frame_packet_ns: 12_304,
            arrival_spacing_ns: 0,
        }
    }

    /// Mean of `f` over `n` frames, each 33 ms after the last.
    fn mean_over(n: u64, mut f: impl FnMut(u64) -> f64) -> f64 {
        (0..n).map(|i| f(i * 33_333_333)).sum::<f64>() / n as f64
    }

    #[test]
    fn a_lone_packet_finds_the_pollaczek_khinchine_mean_backlog() {
        for util in [0.3, 0.6, 0.9] {
            let b = background(util);
            // Probes a seventh of the horizon apart: the queue is always advanced step by
            // step (busy steps and idle gaps), never redrawn from the stationary law. A
            // probe's own 1 ns is negligible, and probes at fixed times see the time
            // average of the work, the Pollaczek-Khinchine mean.
            let every = (horizon_ns(&b) / 7.0) as u64;
            let mut rng = RngStreams::new(7, 0).stream("t");
            let mut q = BackgroundQueue::default();
            q.serve(&b, &mut rng, (0, 0), 1, 1);
            let n = 20_000u64;
            let wait = (1..=n)
                .map(|i| {
                    let t = i * every;
                    (q.serve(&b, &mut rng, (t, 0), 1, 1).first_ns - t - 1) as f64
                })
                .sum::<f64>()
                / n as f64;
            let exact = b.mean_wait_ns();
            assert!(
                (wait - exact).abs() < 0.05 * exact,
                "util {util}: {wait} ns against {exact} ns"
            );
        }
    }

    #[test]
    fn the_stationary_draw_has_the_exact_mean_and_idle_share() {
        let b = background(0.75);
        let mut rng = RngStreams::new(3, 0).stream("s");
        let draws: Vec<u64> = (0..200_000)
            .map(|_| stationary_work_ns(&b, &mut rng))
            .collect();
        let mean = draws.iter().sum::<u64>() as f64 / draws.len() as f64;
        let idle = draws.iter().filter(|&&w| w == 0).count() as f64 / draws.len() as f64;
        assert!((mean - b.mean_wait_ns()).abs() < 0.02 * b.mean_wait_ns());
        assert!((idle - 0.25).abs() < 0.005, "idle share {idle}");
    }

    #[test]
    fn a_burst_meets_the_backlog_once_and_paced_packets_meet_what_arrives_meanwhile() {
        let b = background(0.5);
        let (n, s) = (80u32, 12_304u64);
        for spacing in [0, s / 2, s] {
            let mut rng = RngStreams::new(11, 0).stream("b");
            let mut q = BackgroundQueue::default();
            let added = mean_over(20_000, |t| {
                let d = q.serve(&b, &mut rng, (t, spacing), n, s);
                let idle = (n as u64 * s).max((n as u64 - 1) * spacing + s);
                (d.last_ns - t) as f64 - idle as f64
            });
            // Exact in the mean when spacing <= service: W + util (n - 1) a.
            let exact = b.mean_added_ns(n, s, spacing);
            assert!(
                (added - exact).abs() < 0.05 * exact,
                "spacing {spacing}: {added} ns against {exact} ns"
            );
        }
    }

    #[test]
    fn a_frame_leaves_its_backlog_to_the_next_when_they_come_close() {
        // A frame every 1 ms that takes 0.45 ms alone, on a link half-loaded by background:
        // total 0.95, so the backlog a frame leaves behind is still there for the next one.
        let b = background(0.5);
        let s = 10_000;
        let mut rng = RngStreams::new(5, 0).stream("c");
        let mut q = BackgroundQueue::default();
        let n = 20_000u64;
        let mean_first_wait = (0..n)
            .map(|i| {
                let t = i * 1_000_000;
                (q.serve(&b, &mut rng, (t, 0), 45, s).first_ns - t - s) as f64
            })
            .sum::<f64>()
            / n as f64;
        assert!(
            mean_first_wait > 3.0 * b.mean_wait_ns(),
            "first packet waits {mean_first_wait} ns; the background alone gives {}",
            b.mean_wait_ns()
        );
    }
}
