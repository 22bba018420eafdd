//! Frame fidelity: every frame of every session is simulated. The user's input travels to
//! the cluster (access latency, half the route's RTT and a per-frame jitter draw), is
//! processed on the session's cores (the contention stretch at that moment, per-frame work
//! scaled by the frame's size, frames of one session served in order), crosses the
//! cross-cluster and central hops, queues first-in first-out behind every other frame
//! leaving the cluster's site and is serialised at its bandwidth, then travels back. Each
//! frame stands for one frame interval of session time.

use super::events::SEvent;
use super::ledger::Ledger;
use super::network::Network;
use super::observer::SessionObserver;
use super::roster::{Roster, Session};
use crate::base::units::round_non_negative;
use crate::engine::rng::truncated_normal;
use crate::engine::{EventQueue, SimDuration, SimTime, StreamRng};
use crate::model::frame_spread::FRAME_SIZE_SD;
use crate::model::relay::{MAX_SESSION_RELAYS, NO_RELAY};
use crate::model::session_platform::SessionPlatform;
use rand::Rng;

/// Most frames of one session processed at once at frame fidelity (one per whole core).
const MAX_FRAME_LANES: usize = 4;

/// The time-so-far of a frame that never left an overloaded cluster's cores.
const OVERLOADED: u32 = u32::MAX;

/// A session's frame state, with what its frames need of its placement and of the network
/// copied in one place (rebuilt when the session moves to another candidate or a fault
/// changes the network).
#[derive(Debug, Clone, Copy)]
struct SlotFrames {
    /// When each of the session's cores finishes its frame (unused lanes stay at
    /// `SimTime::MAX`).
    busy: [SimTime; MAX_FRAME_LANES],
    /// Frames superseded since the last presented one.
    skipped: u32,
    /// The candidate the copy below is of (`u32::MAX`: none yet).
    cand: u32,
    interval_ns: u64,
    /// The session's application.
    app: u32,
    /// Per-frame work at the cluster's vCPU speed, ns.
    work_ns: f64,
    cluster: u32,
    cluster_site: u32,
    first_site: u32,
    access_ms: f64,
    rtt_ms: f64,
    jitter_ms: f64,
    bandwidth_gbps: f64,
    /// Bits of one frame for all users.
    bits: f64,
    penalty_ms: f64,
    /// Cross-cluster and central hops as a duration (constant per candidate).
    hops: SimDuration,
    /// Weight of a frame shown for one interval, microseconds of session time.
    weight_us_one: u64,
    /// The network version the copies of the network are of (`u64::MAX`: none yet).
    net_version: u64,
    /// One way without jitter, ms: access latency and half the RTT, degraded links
    /// included.
    leg_ms: f64,
    /// The uplink as a duration when the route has no jitter.
    up_fixed: SimDuration,
    /// Serialisation time of one per mille of the mean frame at the egress bandwidth of
    /// the cluster's site under faults, ns.
    ns_per_permille: f64,
    /// The relay queues its frames cross, in order ([`NO_RELAY`] after the last): the
    /// copy of each relay this session's pods use.
    relay_queue: [u32; MAX_SESSION_RELAYS],
    /// Time its frames of one interval keep each of those busy, ns.
    relay_ns: [u32; MAX_SESSION_RELAYS],
}

/// Per-slot frame state, per-site egress links and relay queues.
pub struct Frames {
    slots: Vec<SlotFrames>,
    /// When each site's egress link finishes its last frame.
    link_free: Vec<SimTime>,
    /// When each relay copy ([`crate::model::relay::Relays::copies`]) finishes its last
    /// frame.
    relay_free: Vec<SimTime>,
    rng: StreamRng,
}

/// What a frame needs of the world.
pub struct FrameParts<'w, 'a> {
    /// The platform.
    pub p: &'a SessionPlatform,
    /// Sessions.
    pub roster: &'w Roster,
    /// Utilisation.
    pub ledger: &'w Ledger<'a>,
    /// Faults on links.
    pub net: &'w Network,
}

impl Frames {
    /// Idle links at every site and idle relays.
    pub fn new(p: &SessionPlatform, rng: StreamRng) -> Self {
        Frames {
            slots: Vec::new(),
            link_free: vec![SimTime::ZERO; p.topology.sites.len()],
            relay_free: vec![SimTime::ZERO; p.relays.copies() as usize],
            rng,
        }
    }

    /// The session in `slot` (application `app`) was admitted at `now`: its cores are
    /// free and its first input goes out at a uniformly drawn phase of its frame interval
    /// (sessions are not synchronised).
    pub fn start(
        &mut self,
        p: &SessionPlatform,
        now: SimTime,
        (slot, gen): (u32, u32),
        app: u32,
        queue: &mut impl EventQueue<SEvent>,
    ) {
        let a = &p.apps[app as usize];
        let lanes = (a.local_resources().0.floor() as usize).clamp(1, MAX_FRAME_LANES);
        let mut busy = [SimTime(u64::MAX); MAX_FRAME_LANES];
        busy[..lanes].fill(SimTime::ZERO);
        let fresh = SlotFrames {
            busy,
            skipped: 0,
            cand: u32::MAX,
            interval_ns: a.frame_interval_ns,
            app,
            work_ns: 0.0,
            cluster: 0,
            cluster_site: 0,
            first_site: 0,
            access_ms: 0.0,
            rtt_ms: 0.0,
            jitter_ms: 0.0,
            bandwidth_gbps: 0.0,
            bits: 0.0,
            penalty_ms: 0.0,
            hops: SimDuration::ZERO,
            weight_us_one: 0,
            net_version: u64::MAX,
            leg_ms: 0.0,
            up_fixed: SimDuration::ZERO,
            ns_per_permille: 0.0,
            relay_queue: [NO_RELAY; MAX_SESSION_RELAYS],
            relay_ns: [0; MAX_SESSION_RELAYS],
        };
        let i = slot as usize;
        if self.slots.len() <= i {
            self.slots.resize(i + 1, fresh);
        }
        self.slots[i] = fresh;
        let phase = self.rng.random_range(0..a.frame_interval_ns.max(1));
        queue.push(now + SimDuration(phase), SEvent::Frame(slot, gen));
    }

    /// The slot's frame state, its copies of the placement and of the network brought up
    /// to date.
    #[inline(always)]
    fn slot<'s>(slots: &'s mut [SlotFrames], w: &FrameParts, slot: u32) -> &'s mut SlotFrames {
        let s = w.roster.get(slot);
        let f = &mut slots[slot as usize];
        if f.cand != s.cand {
            Self::copy_placement(f, w.p, s, slot);
        }
        if f.net_version != w.net.version() {
            f.copy_network(w.net);
        }
        f
    }

    /// Copies what the session's frames need of its placement into `f`; the session in
    /// `slot` uses copy `slot mod copies` of a relay with several (its pods' node).
    #[cold]
    fn copy_placement(f: &mut SlotFrames, p: &SessionPlatform, s: &Session, slot: u32) {
        let mut relay_queue = [NO_RELAY; MAX_SESSION_RELAYS];
        let mut relay_ns = [0; MAX_SESSION_RELAYS];
        for (i, u) in p.relay_uses(s.app, s.site, s.cand).iter().enumerate() {
            if u.relay == NO_RELAY {
                break;
            }
            let r = p.relays.instance(u.relay);
            relay_queue[i] = r.first_copy + slot % r.copies.max(1);
            relay_ns[i] = round_non_negative(u.service_ns).min(u32::MAX as f64) as u32;
        }
        let app = &p.apps[s.app as usize];
        let cand = &p.candidates[s.site as usize][s.cand as usize];
        let central = if app.central_in_path {
            cand.central_ms[s.app as usize]
        } else {
            0.0
        };
        *f = SlotFrames {
            cand: s.cand,
            work_ns: app.ms_per_frame / cand.cpu_speed * 1e6,
            cluster: cand.cluster.0,
            cluster_site: cand.site,
            first_site: s.site,
            access_ms: p.topology.sites[s.site as usize].access_latency_ms,
            rtt_ms: cand.rtt_ms,
            jitter_ms: cand.jitter_ms,
            bandwidth_gbps: cand.bandwidth_gbps,
            bits: app.frame_bits * app.users as f64,
            penalty_ms: s.penalty_ms,
            hops: SimDuration::from_secs_f64((cand.path_ms[s.app as usize] + central) / 1e3),
            weight_us_one: weight_us(1, f.interval_ns),
            net_version: u64::MAX,
            relay_queue,
            relay_ns,
            ..*f
        };
    }

    /// A frame of the session in `slot` starts at `now` (the user's input). It reaches
    /// the cluster, is processed on the first of the session's whole cores to be free (a
    /// session with two cores pipelines two frames), crosses the cross-cluster and central
    /// hops, and is handed to its site's egress link. A renderer renders for the latest
    /// input: an input that would still be waiting when the next one arrives is superseded
    /// and skipped, so a session that cannot keep up with its frame rate presents fewer
    /// frames instead of queueing without bound.
    #[inline]
    pub fn frame(
        &mut self,
        w: &FrameParts,
        now: SimTime,
        (slot, gen): (u32, u32),
        queue: &mut impl EventQueue<SEvent>,
    ) {
        let Frames { slots, rng, .. } = self;
        let f = Self::slot(slots, w, slot);
        let interval = SimDuration(f.interval_ns);
        queue.push(now + interval, SEvent::Frame(slot, gen));
        let size = draw_frame_size(rng);
        let up = if f.jitter_ms > 0.0 {
            leg_duration(f.leg_ms + draw_route_jitter_ms(rng, f.jitter_ms))
        } else {
            f.up_fixed
        };
        let stretch = w.ledger.stretch(f.cluster as usize);
        if !stretch.is_finite() {
            // The cluster's cores are overloaded (busy share at or above 1): the frame
            // would wait without bound; its interval counts as overloaded.
            queue.push(now, SEvent::FrameAtLink(slot, OVERLOADED, 0, gen as u16));
            return;
        }
        let proc_ns = f.work_ns * stretch * size;
        let at_cluster = now + up;
        let lanes = &mut f.busy;
        let lane = earliest_lane(lanes);
        if lanes[lane] > at_cluster + interval {
            f.skipped += 1;
            return;
        }
        let start = at_cluster.max(lanes[lane]);
        let done = start + SimDuration::from_ns_f64(proc_ns);
        lanes[lane] = done;
        let at_link = done + gpu_render(w, f) + f.hops;
        let so_far = (at_link - now).0.min(OVERLOADED as u64 - 1) as u32;
        let permille = round_non_negative(size * 1000.0) as u16;
        queue.push(
            at_link,
            SEvent::FrameAtLink(slot, so_far, permille, gen as u16),
        );
    }

    /// The frame (one per user) of the session in `slot` reaches its path's relays and its
    /// site's egress link `so_far_ns` after it started; it waits for the frames ahead at
    /// each relay in turn (their idle traversal is in the path cost already) and at the
    /// link, is serialised, and travels back to the user. Reports its latency (the slowest user's) for one frame
    /// interval of session time, plus one for each frame skipped before it (the user sees
    /// it until the next frame is presented).
    #[inline]
    pub fn at_link(
        &mut self,
        w: &FrameParts,
        now: SimTime,
        slot: u32,
        (so_far_ns, permille): (u32, u16),
        obs: &mut impl SessionObserver,
    ) {
        let Frames {
            slots,
            rng,
            link_free,
            relay_free,
        } = self;
        let f = Self::slot(slots, w, slot);
        if so_far_ns == OVERLOADED {
            let weight_us = weight_us(1 + std::mem::take(&mut f.skipped), f.interval_ns);
            obs.overloaded(f.app, weight_us);
            obs.cpu_saturated(weight_us);
            return;
        }
        let site = f.cluster_site as usize;
        let relayed = through_relays(relay_free, f, now);
        let start = relayed.max(link_free[site]);
        let serialise_ns = f.ns_per_permille * permille as f64;
        let sent = start + SimDuration(round_non_negative(serialise_ns) as i64 as u64);
        link_free[site] = sent;
        let down_ms = f.leg_ms + draw_route_jitter_ms(rng, f.jitter_ms);
        let ms = (so_far_ns as u64 + (sent - now).0) as i64 as f64 * 1e-6
            + down_ms.max(0.0)
            + f.penalty_ms;
        let skipped = std::mem::take(&mut f.skipped);
        let weight_us = if skipped == 0 {
            f.weight_us_one
        } else {
            weight_us(1 + skipped, f.interval_ns)
        };
        let over_us = if ms > w.p.slo_latency_ms {
            weight_us
        } else {
            0
        };
        obs.latency(f.app, ms, over_us, weight_us);
        if w.ledger.saturated(f.cluster as usize) {
            obs.cpu_saturated(weight_us);
        }
    }
}

impl SlotFrames {
    /// Copies what the session's frames need of the network now (degraded links).
    #[cold]
    fn copy_network(&mut self, net: &Network) {
        let (first, site) = (self.first_site as usize, self.cluster_site as usize);
        self.leg_ms = self.access_ms + (self.rtt_ms + net.extra_rtt_ms(first, site)) / 2.0;
        self.up_fixed = leg_duration(self.leg_ms);
        let gbps = self.bandwidth_gbps * net.bandwidth_factor(site);
        self.ns_per_permille = self.bits / 1000.0 / gbps;
        self.net_version = net.version();
    }
}

/// When a frame that reaches its relays at `now` has waited at each in turn behind the
/// frames ahead (first in, first out; it keeps each busy for its service).
#[inline(always)]
fn through_relays(relay_free: &mut [SimTime], f: &SlotFrames, now: SimTime) -> SimTime {
    let mut t = now;
    for (&q, &ns) in f.relay_queue.iter().zip(&f.relay_ns) {
        if q == NO_RELAY {
            break;
        }
        let free = &mut relay_free[q as usize];
        t = t.max(*free);
        *free = t + SimDuration(ns as u64);
    }
    t
}

/// The first of the lanes to be free (the lowest index among equals), chosen without
/// branches: which core frees first is data the predictor cannot learn.
#[inline(always)]
fn earliest_lane(lanes: &[SimTime; MAX_FRAME_LANES]) -> usize {
    let mut best = 0;
    for l in 1..MAX_FRAME_LANES {
        let earlier = (lanes[l] < lanes[best]) as usize;
        best = earlier * l + (1 - earlier) * best;
    }
    best
}

/// One way of a frame as a duration, from the leg's latency in ms (negative jitter
/// excursions stop at zero).
#[inline(always)]
fn leg_duration(ms: f64) -> SimDuration {
    SimDuration::from_ns_f64(ms.max(0.0) * 1e6)
}

/// Session time `shown` frames of `interval_ns` stand for, whole microseconds.
fn weight_us(shown: u32, interval_ns: u64) -> u64 {
    let weight_s = shown as f64 * interval_ns as f64 / 1e9;
    (weight_s * 1e6 + 0.5) as i64 as u64
}

/// A frame's size relative to the mean: truncated Gaussian, sd 10.5 %, within 50-150 %
/// (3GPP TR 38.838). Per-frame processing scales with it too.
fn draw_frame_size(rng: &mut StreamRng) -> f64 {
    1.0 + truncated_normal(rng, FRAME_SIZE_SD, 0.5)
}

/// A one-way delay's deviation from its mean on a route with jitter `sd_ms`, ms: a
/// half-normal excess (queueing on the route, as in the streaming world) centred on zero,
/// because session RTTs are mean round trips.
fn draw_route_jitter_ms(rng: &mut StreamRng, sd_ms: f64) -> f64 {
    if sd_ms <= 0.0 {
        return 0.0;
    }
    truncated_normal(rng, sd_ms, 4.0 * sd_ms).abs() - sd_ms * (2.0 / std::f64::consts::PI).sqrt()
}

/// Rendering the frame of `f`'s session on its cluster's GPU now, after its CPU work: the
/// flow fidelity's term ([`crate::model::session::gpu_render_ms`]) with the sessions on
/// the device at this moment (docs/gpu.md); zero for an application without GPU work.
/// Rendering does not occupy the session's CPU lanes (the GPU works in parallel).
fn gpu_render(w: &FrameParts, f: &SlotFrames) -> SimDuration {
    let app = &w.p.apps[f.app as usize];
    if !app.needs_gpu() {
        return SimDuration(0);
    }
    let k = f.cluster as usize;
    let n = w.ledger.gpu_sessions_per_device(k);
    let ms = crate::model::session::gpu_render_ms(app, w.p.topology.clusters[k].gpu.as_ref(), n);
    // Admission never places a GPU session on a cluster without GPUs; `None` cannot occur.
    SimDuration::from_ns_f64(ms.unwrap_or(0.0) * 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_lane_is_the_first_minimum_like_min_by_key() {
        let cases = [
            [5, 3, 3, 9],
            [1, 1, 1, 1],
            [7, 8, 9, 2],
            [u64::MAX, 4, u64::MAX, 4],
        ];
        for c in cases {
            let lanes = c.map(SimTime);
            let want = (0..MAX_FRAME_LANES).min_by_key(|&l| lanes[l]).unwrap();
            assert_eq!(earliest_lane(&lanes), want, "{c:?}");
        }
    }
}
