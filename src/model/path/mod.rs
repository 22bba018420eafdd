//! Path kinds between two components as a tandem of packet-processing hops.
//!
//! A frame of `n` packets crosses the hops in order. Each hop serves packets one after
//! another in `per_packet_ns` (serialization, encryption, NAT) and adds `fixed_ns` once
//! (forwarding latency). Propagation and jitter are added by the inter-site route. The
//! world keeps each hop's busy-until time, which gives FIFO queueing between frames.
//! The formulas use integer nanoseconds; parameters come from the topology file.

use super::ids::ClusterId;
use crate::config::experiment::PathKind;

pub mod build;
pub mod parts;
pub mod servers;

/// One packet server on a path.
#[derive(Debug, Clone, PartialEq)]
pub struct Hop {
    /// What it models, for traces and tests.
    pub name: &'static str,
    /// Service time of one packet, ns.
    pub per_packet_ns: u64,
    /// Latency added once per frame (forwarding, proxying), ns.
    pub fixed_ns: u64,
    /// Time the server is busy once per frame (an L7 proxy's work per request) before it
    /// serves the frame's packets, ns; it queues later frames, so a proxy's latency grows
    /// with its request rate.
    pub per_frame_ns: u64,
    /// CPU consumed per packet, reference-core nanoseconds.
    pub cpu_ns_per_packet: u64,
    /// Cluster whose CPU pays for the hop, if any.
    pub cpu_cluster: Option<ClusterId>,
}

/// A path between two placed components.
#[derive(Debug, Clone, PartialEq)]
pub struct PathModel {
    /// Which kind of path.
    pub kind: PathKind,
    /// Application bytes per packet after headers and encapsulation.
    pub payload_bytes_per_packet: u32,
    /// The hops in order.
    pub hops: Vec<Hop>,
    /// One-way propagation, ns.
    pub propagation_ns: u64,
    /// Standard deviation of the one-way delay, ns.
    pub jitter_sd_ns: u64,
    /// Round-trip time of the route, ns (a TCP loss costs one RTT to repair).
    pub rtt_ns: u64,
    /// Probability that one packet is lost.
    pub packet_loss: f64,
    /// Other traffic on the inter-site link, if any.
    pub background: Option<Background>,
    /// Bits of one of the path's packets on the inter-site link's wire (0 without one).
    pub wan_bits: u64,
}

/// Background traffic at one hop of a path: a Poisson stream of packets sharing the hop's
/// first-in first-out queue with the path's frames.
///
/// A frame's packets reach the hop spaced by the hop before it (the narrowest link before
/// the loaded one on the route, or the path's previous hop), not as one burst and not paced
/// at the bottleneck. Background packets that arrive while the frame's packets are still
/// arriving are served between them; those arriving after its last packet wait behind it.
/// So a frame meets the background's backlog once, plus the background that arrives during
/// its own arrival: not a stretch of its whole service by 1 / (1 - util).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Background {
    /// Index of the hop it loads (the inter-site link).
    pub hop: usize,
    /// Share of the loaded link's capacity it uses, 0..1.
    pub util: f64,
    /// Service time of one of its packets on the loaded link, ns (at least 1).
    pub packet_ns: u64,
    /// Service time of one of the path's packets on the loaded link, ns (at least 1); the
    /// route's hop serialises them again at its narrowest link when that is slower.
    pub frame_packet_ns: u64,
    /// Spacing of a frame's packets as the route delivers them to the loaded link, ns:
    /// one path packet on the narrowest link before it (0 when the loaded link is first).
    pub arrival_spacing_ns: u64,
}

impl Background {
    /// Mean backlog an outside arrival finds: the Pollaczek-Khinchine mean of M/D/1,
    /// util x packet / (2 (1 - util)), ns.
    pub fn mean_wait_ns(&self) -> f64 {
        self.util * self.packet_ns as f64 / (2.0 * (1.0 - self.util))
    }

    /// Arrival rate of background packets, per ns.
    pub fn rate_per_ns(&self) -> f64 {
        self.util / self.packet_ns as f64
    }

    /// Mean delay the background adds to the last of `packets` packets served in
    /// `packet_ns` each and arriving `spacing_ns` apart, ns (fluid approximation of the
    /// FIFO; exact in the mean when `spacing_ns <= packet_ns`, where the hop never idles
    /// while the frame arrives). Without background the last packet leaves at
    /// `max(n s, (n - 1) a + s)`; with it, at `max(W + n s + util (n - 1) a,
    /// (n - 1) a + s + W)`, `W` the backlog found ([`Self::mean_wait_ns`]).
    pub fn mean_added_ns(&self, packets: u32, packet_ns: u64, spacing_ns: u64) -> f64 {
        let (n, s, a) = (packets.max(1) as f64, packet_ns as f64, spacing_ns as f64);
        let window = (n - 1.0) * a;
        let w = self.mean_wait_ns();
        let idle = (n * s).max(window + s);
        let loaded = (w + n * s + self.util * window).max(window + s + w);
        loaded - idle
    }
}

/// Name of the hop that serialises packets on the inter-site route.
pub const WAN_HOP: &str = "inter-site-link";

impl PathModel {
    /// Packets needed for `bytes` of application data (at least one).
    pub fn packets(&self, bytes: u32) -> u32 {
        bytes.div_ceil(self.payload_bytes_per_packet).max(1)
    }

    /// Delay of an `n`-packet burst through an idle path, ignoring jitter, ns: every hop's
    /// fixed cost and first packet, plus `n - 1` packets at the slowest hop, plus
    /// propagation. The world's queueing reduces to this when nothing else is in flight.
    pub fn idle_delay_ns(&self, n: u32) -> u64 {
        let first: u64 = self
            .hops
            .iter()
            .map(|h| h.fixed_ns + h.per_frame_ns + h.per_packet_ns)
            .sum();
        let slowest = self.hops.iter().map(|h| h.per_packet_ns).max().unwrap_or(0);
        first + (n as u64 - 1) * slowest + self.propagation_ns
    }
}

#[cfg(test)]
mod tests;
