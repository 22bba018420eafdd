//! A packet-level reference for streaming paths, written apart from xrplace's model: every
//! packet of every frame and every background packet is served one by one by first-in
//! first-out servers in tandem (store and forward), with the exact Lindley recursion
//! `leave = max(arrive, previous leave) + service`.
//!
//! A link serialises a packet in `bits / rate` and then propagates it; background
//! traffic on a link is a Poisson stream of fixed-size packets that enter at that link
//! and leave after it (one direction, as the frames). A packet server (NAT, proxy) takes
//! a fixed time per packet. Frames leave their source as a burst of full packets.

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// Ethernet framing on the wire (preamble, header, FCS, gap), bytes.
pub const ETHERNET_FRAMING_BYTES: u64 = 38;

/// One server of the tandem.
#[derive(Debug, Clone, Copy)]
pub enum Server {
    /// A link of `gbps`, `propagation_ns` long, with `background_util` of its capacity
    /// used by Poisson background packets of `background_wire_bytes` on the wire.
    Link {
        /// Capacity, Gbit/s.
        gbps: f64,
        /// One-way propagation, ns.
        propagation_ns: f64,
        /// Share of the capacity the background uses.
        background_util: f64,
        /// Background packet size on the wire, bytes.
        background_wire_bytes: u64,
    },
    /// A packet processor that takes `per_packet_ns` for every packet.
    Processor {
        /// Service time, ns.
        per_packet_ns: f64,
    },
}

/// A stream of frames into the tandem.
#[derive(Debug, Clone, Copy)]
pub struct Stream {
    /// Frames sent.
    pub frames: usize,
    /// Time between frames, ns.
    pub interval_ns: f64,
    /// Packets per frame.
    pub packets: usize,
    /// Packet size on the wire, bytes.
    pub wire_bytes: u64,
}

/// Delay of every frame through the tandem, from the burst's release to its last
/// packet's departure from the last server, ns.
pub fn frame_delays_ns(stream: Stream, servers: &[Server], seed: u64) -> Vec<f64> {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    // Arrival of every frame packet at the first server, in order.
    let mut times: Vec<f64> = (0..stream.frames)
        .flat_map(|f| std::iter::repeat_n(f as f64 * stream.interval_ns, stream.packets))
        .collect();
    for server in servers {
        times = match *server {
            Server::Processor { per_packet_ns } => {
                fifo(&times, per_packet_ns, std::iter::empty(), 0.0)
            }
            Server::Link {
                gbps,
                propagation_ns,
                background_util,
                background_wire_bytes,
            } => {
                let bg_ns = (8 * background_wire_bytes) as f64 / gbps;
                let background = Poisson {
                    rng: &mut rng,
                    rate: background_util / bg_ns,
                    t: 0.0,
                };
                let own_ns = (8 * stream.wire_bytes) as f64 / gbps;
                let mut out = fifo(&times, own_ns, background, bg_ns);
                out.iter_mut().for_each(|t| *t += propagation_ns);
                out
            }
        };
    }
    (0..stream.frames)
        .map(|f| times[(f + 1) * stream.packets - 1] - f as f64 * stream.interval_ns)
        .collect()
}

/// Departures of the frame packets `own` (sorted arrivals, `own_ns` each) from a FIFO
/// server that also serves `background` arrivals (increasing, `bg_ns` each).
fn fifo(own: &[f64], own_ns: f64, background: impl Iterator<Item = f64>, bg_ns: f64) -> Vec<f64> {
    let mut background = background.peekable();
    let mut out = Vec::with_capacity(own.len());
    let mut free_at = 0.0f64;
    for &arrive in own {
        // Background that arrived first (ties: the background packet) is served first.
        while let Some(b) = background.next_if(|&b| b <= arrive) {
            free_at = free_at.max(b) + bg_ns;
        }
        free_at = free_at.max(arrive) + own_ns;
        out.push(free_at);
    }
    out
}

/// Poisson arrivals of `rate` per ns from time 0 on, generated as they are needed.
struct Poisson<'a> {
    rng: &'a mut Pcg64Mcg,
    rate: f64,
    t: f64,
}

impl Iterator for Poisson<'_> {
    type Item = f64;
    fn next(&mut self) -> Option<f64> {
        if self.rate <= 0.0 {
            return None;
        }
        let u: f64 = self.rng.random();
        self.t += -(1.0 - u).ln() / self.rate;
        Some(self.t)
    }
}

/// The `q` quantile of `values` (nearest rank).
pub fn quantile(values: &[f64], q: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

/// The mean of `values`.
pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}
