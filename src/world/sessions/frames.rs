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
use super::roster::Roster;
use crate::engine::rng::truncated_normal;
use crate::engine::time::round_non_negative;
use crate::engine::{EventQueue, SimDuration, SimTime, StreamRng};
use crate::model::session_platform::SessionPlatform;
use rand::Rng;

/// Most frames of one session processed at once at frame fidelity (one per whole core).
const MAX_FRAME_LANES: usize = 4;

/// Standard deviation of a frame's size relative to its mean (3GPP TR 38.838).
const FRAME_SIZE_SD: f64 = 0.105;

/// A session's frame state, with what its frames need of its placement copied in one place
/// (rebuilt when the session moves to another candidate).
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
    /// Per-frame work at the cluster's vCPU speed, ms.
    work_ms: f64,
    cluster: u32,
    cluster_site: u32,
    first_site: u32,
    access_ms: f64,
    rtt_ms: f64,
    jitter_ms: f64,
    /// Cross-cluster and central hops, ms.
    hops_ms: f64,
    bandwidth_gbps: f64,
    /// Bits of one frame for all users.
    bits: f64,
    penalty_ms: f64,
}

/// Per-slot frame state and per-site egress links.
pub struct Frames {
    slots: Vec<SlotFrames>,
    /// When each site's egress link finishes its last frame.
    link_free: Vec<SimTime>,
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
    /// Idle links at every site.
    pub fn new(sites: usize, rng: StreamRng) -> Self {
        Frames {
            slots: Vec::new(),
            link_free: vec![SimTime::ZERO; sites],
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
            work_ms: 0.0,
            cluster: 0,
            cluster_site: 0,
            first_site: 0,
            access_ms: 0.0,
            rtt_ms: 0.0,
            jitter_ms: 0.0,
            hops_ms: 0.0,
            bandwidth_gbps: 0.0,
            bits: 0.0,
            penalty_ms: 0.0,
        };
        let i = slot as usize;
        if self.slots.len() <= i {
            self.slots.resize(i + 1, fresh);
        }
        self.slots[i] = fresh;
        let phase = self.rng.random_range(0..a.frame_interval_ns.max(1));
        queue.push(now + SimDuration(phase), SEvent::Frame(slot, gen));
    }

    /// The slot's frame state, its copy of the placement brought up to date.
    #[inline(always)]
    fn slot<'s>(slots: &'s mut [SlotFrames], w: &FrameParts, slot: u32) -> &'s mut SlotFrames {
        let s = w.roster.get(slot);
        let f = &mut slots[slot as usize];
        if f.cand != s.cand {
            let p = w.p;
            let app = &p.apps[s.app as usize];
            let cand = &p.candidates[s.site as usize][s.cand as usize];
            let central = if app.central_in_path {
                cand.central_ms[s.app as usize]
            } else {
                0.0
            };
            *f = SlotFrames {
                cand: s.cand,
                work_ms: app.ms_per_frame / cand.cpu_speed,
                cluster: cand.cluster.0,
                cluster_site: cand.site,
                first_site: s.site,
                access_ms: p.topology.sites[s.site as usize].access_latency_ms,
                rtt_ms: cand.rtt_ms,
                jitter_ms: cand.jitter_ms,
                hops_ms: cand.path_ms[s.app as usize] + central,
                bandwidth_gbps: cand.bandwidth_gbps,
                bits: app.frame_bits * app.users as f64,
                penalty_ms: s.penalty_ms,
                ..*f
            };
        }
        f
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
        let up_ms = draw_leg_ms(rng, w, f);
        let stretch = w.ledger.stretch(f.cluster as usize);
        let proc_ms = f.work_ms * stretch * size;
        let at_cluster = now + SimDuration::from_secs_f64(up_ms.max(0.0) / 1e3);
        let lanes = &mut f.busy;
        let lane = (0..MAX_FRAME_LANES)
            .min_by_key(|&l| lanes[l])
            .expect("at least one lane");
        if lanes[lane] > at_cluster + interval {
            f.skipped += 1;
            return;
        }
        let start = at_cluster.max(lanes[lane]);
        let done = start + SimDuration::from_secs_f64(proc_ms / 1e3);
        lanes[lane] = done;
        let at_link = done + SimDuration::from_secs_f64(f.hops_ms / 1e3);
        let so_far = (at_link - now).0.min(u32::MAX as u64) as u32;
        let permille = round_non_negative(size * 1000.0) as u16;
        queue.push(
            at_link,
            SEvent::FrameAtLink(slot, so_far, permille, gen as u16),
        );
    }

    /// The frame (one per user) of the session in `slot` reaches its site's egress link
    /// `so_far_ns` after it started; it waits for the frames ahead, is serialised, and
    /// travels back to the user. Reports its latency (the slowest user's) for one frame
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
        } = self;
        let f = Self::slot(slots, w, slot);
        let site = f.cluster_site as usize;
        let gbps = f.bandwidth_gbps * w.net.bandwidth_factor(site);
        let bits = f.bits * permille as f64 / 1000.0;
        let start = now.max(link_free[site]);
        let sent = start + SimDuration(round_non_negative(bits / gbps) as i64 as u64);
        link_free[site] = sent;
        let down_ms = draw_leg_ms(rng, w, f);
        let ms = (so_far_ns as u64 + (sent - now).0) as i64 as f64 / 1e6
            + down_ms.max(0.0)
            + f.penalty_ms;
        let shown = 1 + std::mem::take(&mut f.skipped);
        let weight_s = shown as f64 * f.interval_ns as f64 / 1e9;
        obs.latency(
            ms,
            ms > w.p.slo_latency_ms,
            (weight_s * 1e6 + 0.5) as i64 as u64,
        );
    }
}

/// One way between a session's first user and its cluster for one frame, ms: access
/// latency, half the RTT (degraded links included) and a jitter draw.
fn draw_leg_ms(rng: &mut StreamRng, w: &FrameParts, f: &SlotFrames) -> f64 {
    f.access_ms
        + (f.rtt_ms
            + w.net
                .extra_rtt_ms(f.first_site as usize, f.cluster_site as usize))
            / 2.0
        + draw_route_jitter_ms(rng, f.jitter_ms)
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
