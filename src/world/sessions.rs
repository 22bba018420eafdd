//! Session world: XR sessions arrive at access sites, are placed by a strategy on the
//! monitored (stale) view, hold CPU and memory on their cluster, and leave. Cluster
//! failures re-place or drop the sessions they host.
//!
//! Two fidelities measure latency over the same sessions and placements:
//! - **flow**: each monitoring scrape samples every active session's latency from the
//!   analytic formula ([`crate::model::session`]) at the current load, standing for the
//!   scrape interval of session time;
//! - **frame**: every frame of every session is simulated: the user's input travels to the
//!   cluster (access latency, half the route's RTT and a per-frame jitter draw), is
//!   processed on the session's cores (the same contention stretch, per-frame work scaled
//!   by the frame's size, frames of one session served in order), crosses the cross-cluster
//!   and central hops, queues first-in first-out behind every other frame leaving the
//!   cluster's site and is serialised at its bandwidth, then travels back. Each frame stands
//!   for one frame interval of session time.
//!
//! Capacity is never exceeded: the world admits a session only where it really fits.
//! Every session ends exactly once: completed, rejected or dropped.

use super::policy::UserGroup;
use super::policy::{
    Candidate, Move, ObservedCluster, ObservedView, PlacementRequest, RebalanceContext,
    SessionView, Strategy,
};
use crate::config::experiment::{PathKind, Protocol};
use crate::config::topology::Tier;
use crate::engine::rng::truncated_normal;
use crate::engine::RadixQueue;
use crate::engine::{EventQueue, RngStreams, SimDuration, SimTime, StreamRng};
use crate::model::platform::contention_stretch;
use crate::model::provisioning::{CapiModel, ClusterSpec};
use crate::model::session::{session_latency_ms, LatencyInputs, SessionApp};
use crate::model::{ClusterId, Topology};
use crate::world::provisioning::ProvisioningWorld;
use rand::Rng;
use rand_distr::{Distribution, Exp};
use std::collections::VecDeque;

/// Everything about the platform that does not change during a run.
pub struct SessionPlatform {
    /// Sites and clusters.
    pub topology: Topology,
    /// Applications.
    pub apps: Vec<SessionApp>,
    /// Candidate clusters per site, nearest first; the first is the home cluster.
    pub candidates: Vec<Vec<Candidate>>,
    /// Sites where users attach.
    pub access_sites: Vec<u32>,
    /// For each site, the nearest access sites (itself first): where the other users of a
    /// shared session are drawn.
    pub near_access: Vec<Vec<u32>>,
    /// Site-to-site RTT, ms, row-major.
    pub site_rtt_ms: Vec<f32>,
    /// Bandwidth out of each site, Gbit/s.
    pub site_bandwidth_gbps: Vec<f64>,
    /// Path kind between clusters.
    pub cross_kind: PathKind,
    /// Latency budget, ms.
    pub slo_latency_ms: f64,
    /// The cluster running the applications' central components, if any.
    pub central: Option<ClusterId>,
    /// Clusters that do not exist at the start; the control loop creates them when needed
    /// and deletes them when idle. Never a home cluster.
    pub standby: Vec<ClusterId>,
}

/// Where arrivals come from.
#[derive(Debug, Clone)]
pub enum Arrivals {
    /// Poisson at `rate_per_s`, swung by `amplitude` over a day (0: constant).
    Generated {
        /// Mean rate, sessions/s.
        rate_per_s: f64,
        /// Daily swing, 0..1.
        amplitude: f64,
    },
    /// Listed arrivals: (time s, site, app, duration s).
    Trace(Vec<(f64, u32, u32, f64)>),
}

/// Run settings.
#[derive(Debug, Clone)]
pub struct SessionSettings {
    /// Simulated length.
    pub duration: SimDuration,
    /// Scrape interval.
    pub scrape: SimDuration,
    /// Aggregation lag.
    pub lag: SimDuration,
    /// Faults, in any order.
    pub faults: Vec<Fault>,
    /// Interruption of a migrated session, s.
    pub migration_downtime_s: f64,
    /// Autoscaling and peering.
    pub control: ControlSettings,
    /// Frame fidelity: simulate every frame instead of sampling the formula at scrapes.
    pub frames: bool,
}

/// The control loop's actions besides placement.
#[derive(Debug, Clone)]
pub struct ControlSettings {
    /// Scale clusters out and in.
    pub autoscale: bool,
    /// Observed reserved share above which a cluster scales out.
    pub scale_out_util: f64,
    /// Observed reserved share below which a scaled-out cluster scales in.
    pub scale_in_util: f64,
    /// Nodes per decision.
    pub step_nodes: u32,
    /// Most nodes a cluster may gain.
    pub max_extra_nodes: u32,
    /// Time between two actions on one cluster.
    pub cooldown: SimDuration,
    /// Peerings are made when first needed, taking `peering_delay`.
    pub on_demand_peering: bool,
    /// Time to peer two clusters and offload the namespace.
    pub peering_delay: SimDuration,
    /// Cluster API timings for scale-outs and new clusters.
    pub capi: crate::config::provisioning::CapiConfig,
    /// Unserved sessions a standby cluster would serve within budget, within one decision
    /// interval, that make the control loop create it.
    pub provision_after_sessions: u32,
    /// Time a created cluster stays empty before it is deleted.
    pub deprovision_idle: SimDuration,
}

impl Default for ControlSettings {
    fn default() -> Self {
        ControlSettings {
            autoscale: false,
            scale_out_util: 0.8,
            scale_in_util: 0.3,
            step_nodes: 1,
            max_extra_nodes: 0,
            cooldown: SimDuration::ZERO,
            on_demand_peering: false,
            peering_delay: SimDuration::ZERO,
            capi: crate::config::provisioning::CapiConfig::default(),
            provision_after_sessions: 3,
            deprovision_idle: SimDuration::from_secs_f64(1800.0),
        }
    }
}

/// What a fault does while it lasts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaultEffect {
    /// The cluster is down.
    ClusterDown(ClusterId),
    /// The cluster loses this many nodes.
    NodeLoss(ClusterId, u32),
    /// Links at the site (index) gain RTT (ms) and keep a share of their bandwidth.
    LinkDegradation(u32, f64, f64),
    /// The site (index) is cut off from every other site.
    Partition(u32),
}

/// A fault with its time window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fault {
    /// What it does.
    pub effect: FaultEffect,
    /// When it starts.
    pub at: SimTime,
    /// How long it lasts.
    pub duration: SimDuration,
}

/// Why a session ended early.
pub mod reason {
    /// No ranked cluster had room (or the strategy ranked none).
    pub const NO_CAPACITY: &str = "no-capacity";
    /// Its cluster failed and no other had room.
    pub const CLUSTER_FAILED: &str = "cluster-failed";
    /// Its cluster lost nodes and no other had room.
    pub const NODE_LOST: &str = "node-lost";
    /// A partition separated it from its user and nothing reachable had room.
    pub const PARTITIONED: &str = "partitioned";
}

/// Receives what happens to sessions.
pub trait SessionObserver {
    /// A session was admitted on a cluster of `tier`.
    fn admitted(&mut self, tier: Tier);
    /// A session was refused for `reason`.
    fn rejected(&mut self, reason: &'static str);
    /// A running session was ended for `reason`.
    fn dropped(&mut self, reason: &'static str);
    /// A session ran to its end (or to the end of the run).
    fn completed(&mut self);
    /// A session moved to another cluster (after a failure or by the strategy) and was
    /// interrupted for `downtime_s`.
    fn migrated(&mut self, downtime_s: f64);
    /// A UDP flow was refused by a path that cannot carry it.
    fn udp_refused(&mut self);
    /// A session's latency at a scrape, ms, standing for `weight_s` of session time.
    fn latency(&mut self, ms: f64, over_budget: bool, weight_s: f64);
    /// Mean and peak CPU reservation of a tier's clusters at a scrape, 0..1.
    fn utilisation(&mut self, tier: Tier, mean: f64, peak: f64);
    /// A cluster gained (`nodes` > 0) or gave back nodes; `failed` if a scale-out did not
    /// bring its nodes up.
    fn scaled(&mut self, nodes: i64, failed: bool);
    /// A Liqo peering came up.
    fn peered(&mut self);
    /// Capacity added by autoscaling or by created clusters was held for `vcpu_hours`; its
    /// unreserved part cost `usd` (reservations on it are in [`Self::cost`]).
    fn added_capacity(&mut self, vcpu_hours: f64, usd: f64);
    /// A standby cluster was created through Cluster API and peered (`ok`), or its
    /// machines failed. Ignored by default.
    fn provisioned(&mut self, _ok: bool) {}
    /// A created cluster was deleted after staying empty. Ignored by default.
    fn deprovisioned(&mut self) {}
    /// Resources a session held on a cluster: vCPU-hours, GiB-hours, their price (USD) and
    /// inter-site egress (GB).
    fn cost(&mut self, vcpu_hours: f64, gib_hours: f64, usd: f64, egress_gb: f64);
    /// At a scrape, once per running session: a session of application `app` runs on
    /// `cluster` (capacity planning counts replicas from this). Ignored by default.
    fn hosted(&mut self, _app: u32, _cluster: ClusterId) {}
    /// A scrape's samples are all reported. Ignored by default.
    fn scrape_end(&mut self) {}
}

/// Most frames of one session processed at once at frame fidelity (one per whole core).
const MAX_FRAME_LANES: usize = 4;

/// Standard deviation of a frame's size relative to its mean (3GPP TR 38.838).
const FRAME_SIZE_SD: f64 = 0.105;

/// Price of inter-site egress, USD per GB (public inter-region list price).
pub const EGRESS_USD_PER_GB: f64 = 0.02;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Active,
    Done,
}

#[derive(Debug, Clone, Copy)]
struct Session {
    app: u32,
    site: u32,
    cluster: u32,
    /// Index of `cluster` in the site's candidate list.
    cand: u32,
    /// Other users' sites: `others_len` entries of `user_sites` from `others_start`.
    others_start: u32,
    others_len: u32,
    since: SimTime,
    active_pos: u32,
    state: State,
}

#[derive(Debug, Clone, Copy, Default)]
struct ClusterLoad {
    used_cpu: f64,
    used_mem: f64,
    /// Faults currently taking the whole cluster down.
    down: u32,
    /// Nodes currently lost.
    lost_nodes: u32,
    /// Nodes added by autoscaling and Ready.
    extra_nodes: u32,
    /// Nodes being added.
    pending_nodes: u32,
    /// No scaling action before this time (cooldown after the last one).
    cool_until: SimTime,
    /// The cluster does not exist (a standby cluster not created, or deleted).
    absent: bool,
}

/// The control loop's state of a standby cluster.
#[derive(Debug, Clone, Copy, Default)]
struct Standby {
    /// Its creation is under way.
    creating: bool,
    /// Since when the created cluster has held no session.
    idle_since: Option<SimTime>,
    /// Unserved sessions it would have served within budget, since the last decision.
    demand: u32,
}

/// Per-site network state under faults.
#[derive(Debug, Clone, Copy)]
struct SiteNet {
    extra_rtt_ms: f64,
    bandwidth_factor: f64,
    /// Partitions currently cutting this site off.
    cut: u32,
}

/// Events of the session world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SEvent {
    /// The next arrival.
    Arrive,
    /// Session `.0` ends.
    Depart(u32),
    /// Monitoring scrape.
    Scrape,
    /// The oldest pending scrape reaches the central view.
    ViewReady,
    /// Fault `.0` starts.
    Fail(u32),
    /// Fault `.0` ends.
    Recover(u32),
    /// A scale-out of cluster `.0` by `.1` nodes finished (`.2`: whether they came up).
    NodesReady(u32, u32, bool),
    /// Peering number `.0` is established.
    Peered(u32),
    /// Standby cluster `.0` is created and peered (`.1`: whether its machines came up).
    ClusterUp(u32, bool),
    /// Frame fidelity: session `.0`'s user sends its next input (a frame starts).
    Frame(u32),
    /// Frame fidelity: a frame of session `.0` reaches the egress link of its cluster's
    /// site, `.1` ns after it started, with size `.2` per mille of the mean.
    FrameAtLink(u32, u32, u16),
}

/// The state of one run.
pub struct SessionWorld<'a, Q> {
    p: &'a SessionPlatform,
    s: &'a SessionSettings,
    arrivals: &'a Arrivals,
    queue: Q,
    sessions: Vec<Session>,
    active: Vec<u32>,
    load: Vec<ClusterLoad>,
    site_load_mbps: Vec<f64>,
    net: Vec<SiteNet>,
    visible: Vec<ObservedCluster>,
    pending: VecDeque<(SimTime, Vec<ObservedCluster>)>,
    spare: Vec<Vec<ObservedCluster>>,
    visible_at: SimTime,
    ranked: Vec<ClusterId>,
    stretch: Vec<f64>,
    views: Vec<SessionView>,
    scale_in_pending: Vec<u32>,
    now: SimTime,
    moves: Vec<Move>,
    access_ms: Vec<f64>,
    cross_refused: Vec<bool>,
    user_sites: Vec<u32>,
    /// (home cluster, other cluster) -> established, for on-demand peering.
    peerings: std::collections::HashMap<(u32, u32), bool>,
    peering_list: Vec<(u32, u32)>,
    rng_control: StreamRng,
    next_trace: usize,
    app_weights: Vec<f64>,
    rng_arrival: StreamRng,
    rng_pick: StreamRng,
    /// Frame fidelity: when each of a session's cores finishes its frame (unused lanes stay
    /// at `SimTime::MAX`).
    frame_busy: Vec<[SimTime; MAX_FRAME_LANES]>,
    /// Frame fidelity: frames of each session superseded since its last presented one.
    frames_skipped: Vec<u32>,
    /// Frame fidelity: when each site's egress link finishes its last frame.
    link_free: Vec<SimTime>,
    rng_frames: StreamRng,
    /// State of each standby cluster, in `standby` order.
    standby: Vec<Standby>,
    /// Position of each cluster in the platform's `standby` (`u32::MAX` if none); empty when
    /// there are no standby clusters.
    standby_of: Vec<u32>,
    /// Events handled.
    pub events: u64,
}

impl<'a, Q: EventQueue<SEvent>> SessionWorld<'a, Q> {
    /// A world at time zero.
    pub fn new(
        p: &'a SessionPlatform,
        s: &'a SessionSettings,
        arrivals: &'a Arrivals,
        streams: RngStreams,
        queue: Q,
    ) -> Self {
        let mut load = vec![ClusterLoad::default(); p.topology.clusters.len()];
        let mut standby_of = Vec::new();
        if !p.standby.is_empty() {
            standby_of = vec![u32::MAX; load.len()];
            for (i, &c) in p.standby.iter().enumerate() {
                load[c.ix()].absent = true;
                standby_of[c.ix()] = i as u32;
            }
        }
        let mut w = SessionWorld {
            p,
            s,
            arrivals,
            queue,
            sessions: Vec::new(),
            active: Vec::new(),
            load,
            site_load_mbps: vec![0.0; p.topology.sites.len()],
            net: vec![
                SiteNet {
                    extra_rtt_ms: 0.0,
                    bandwidth_factor: 1.0,
                    cut: 0
                };
                p.topology.sites.len()
            ],
            visible: Vec::new(),
            pending: VecDeque::new(),
            spare: Vec::new(),
            visible_at: SimTime::ZERO,
            ranked: Vec::new(),
            stretch: Vec::new(),
            views: Vec::new(),
            user_sites: Vec::new(),
            scale_in_pending: Vec::new(),
            now: SimTime::ZERO,
            moves: Vec::new(),
            access_ms: p
                .topology
                .sites
                .iter()
                .map(|x| x.access_latency_ms)
                .collect(),
            cross_refused: p
                .apps
                .iter()
                .map(|a| p.cross_kind == PathKind::Mesh && a.protocol == Protocol::Udp)
                .collect(),
            next_trace: 0,
            app_weights: p.apps.iter().map(|a| a.share).collect(),
            peerings: std::collections::HashMap::new(),
            peering_list: Vec::new(),
            rng_control: streams.stream("control-loop"),
            rng_arrival: streams.stream("session-arrivals"),
            rng_pick: streams.stream("session-attributes"),
            frame_busy: Vec::new(),
            frames_skipped: Vec::new(),
            link_free: vec![SimTime::ZERO; p.topology.sites.len()],
            rng_frames: streams.stream("session-frames"),
            standby: vec![Standby::default(); p.standby.len()],
            standby_of,
            events: 0,
        };
        w.visible = w.snapshot();
        w
    }

    /// Runs to the end with `strategy`, reporting to `obs`.
    pub fn run(mut self, strategy: &mut dyn Strategy, obs: &mut impl SessionObserver) -> u64 {
        self.schedule_arrival(SimTime::ZERO);
        self.queue
            .push(SimTime::ZERO + self.s.scrape, SEvent::Scrape);
        for (i, f) in self.s.faults.iter().enumerate() {
            self.queue.push(f.at, SEvent::Fail(i as u32));
        }
        let end = SimTime::ZERO + self.s.duration;
        while let Some((now, ev)) = self.queue.pop() {
            if now > end {
                break;
            }
            self.events += 1;
            self.now = now;
            match ev {
                SEvent::Arrive => self.arrive(now, strategy, obs),
                SEvent::Depart(i) => self.depart(now, i, obs),
                SEvent::Scrape => self.scrape(now, obs),
                SEvent::ViewReady => {
                    self.view_ready();
                    if strategy.wants_rebalance() {
                        self.rebalance(now, strategy, obs);
                    }
                    if self.s.control.autoscale {
                        self.autoscale(now);
                    }
                    if !self.p.standby.is_empty() {
                        self.provision(now, obs);
                    }
                }
                SEvent::Fail(f) => self.fail(now, f, strategy, obs),
                SEvent::Recover(f) => self.recover(f),
                SEvent::NodesReady(c, n, ok) => {
                    let l = &mut self.load[c as usize];
                    l.pending_nodes -= n;
                    if ok {
                        l.extra_nodes += n;
                    }
                    obs.scaled(if ok { n as i64 } else { 0 }, !ok);
                }
                SEvent::Peered(i) => {
                    let pair = self.peering_list[i as usize];
                    self.peerings.insert(pair, true);
                    obs.peered();
                }
                SEvent::ClusterUp(c, ok) => self.cluster_up(now, c, ok, obs),
                SEvent::Frame(i) => self.frame(now, i),
                SEvent::FrameAtLink(i, so_far_ns, size) => {
                    self.frame_at_link(now, i, so_far_ns, size, obs)
                }
            }
        }
        while let Some(&i) = self.active.last() {
            self.release(end, i, obs);
            obs.completed();
        }
        self.events
    }

    fn schedule_arrival(&mut self, now: SimTime) {
        let at = match self.arrivals {
            Arrivals::Trace(list) => match list.get(self.next_trace) {
                Some(a) => SimTime::ZERO + SimDuration::from_secs_f64(a.0),
                None => return,
            },
            &Arrivals::Generated {
                rate_per_s,
                amplitude,
            } => {
                let peak = rate_per_s * (1.0 + amplitude);
                let exp = Exp::new(peak).expect("validated positive rate");
                let mut t = now.0 as f64 / 1e9;
                loop {
                    t += exp.sample(&mut self.rng_arrival);
                    let phase = 2.0 * std::f64::consts::PI * (t / 86_400.0 - 0.25);
                    let rate = rate_per_s * (1.0 + amplitude * phase.sin());
                    if self.rng_arrival.random::<f64>() * peak <= rate {
                        break;
                    }
                }
                SimTime::ZERO + SimDuration::from_secs_f64(t)
            }
        };
        self.queue.push(at, SEvent::Arrive);
    }

    /// The next arrival's site, application and duration (s).
    fn draw_session(&mut self) -> (u32, u32, f64) {
        if let Arrivals::Trace(list) = self.arrivals {
            let a = list[self.next_trace];
            self.next_trace += 1;
            return (a.1, a.2, a.3);
        }
        let sites = &self.p.access_sites;
        let site = sites[self.rng_pick.random_range(0..sites.len())];
        let total: f64 = self.app_weights.iter().sum();
        let mut x = self.rng_pick.random::<f64>() * total;
        let mut app = 0;
        for (i, w) in self.app_weights.iter().enumerate() {
            app = i;
            if x < *w {
                break;
            }
            x -= w;
        }
        let mean = self.p.apps[app].mean_duration_s;
        let d = Exp::new(1.0 / mean)
            .expect("validated positive duration")
            .sample(&mut self.rng_pick);
        (site, app as u32, d)
    }

    fn arrive(
        &mut self,
        now: SimTime,
        strategy: &mut dyn Strategy,
        obs: &mut impl SessionObserver,
    ) {
        let (site, app, duration_s) = self.draw_session();
        self.schedule_arrival(now);
        let id = self.sessions.len() as u32;
        self.sessions.push(Session {
            app,
            site,
            cluster: u32::MAX,
            cand: 0,
            others_start: 0,
            others_len: 0,
            since: now,
            active_pos: 0,
            state: State::Active,
        });
        self.draw_other_users(id, site, app);
        if self.s.frames {
            let cores = self.p.apps[app as usize].local_resources().0;
            let lanes = (cores.floor() as usize).clamp(1, MAX_FRAME_LANES);
            let mut busy = [SimTime(u64::MAX); MAX_FRAME_LANES];
            busy[..lanes].fill(SimTime::ZERO);
            self.frame_busy.push(busy);
            self.frames_skipped.push(0);
        }
        match self.place(id, None, strategy, obs) {
            Some(c) => {
                obs.admitted(self.p.topology.sites[self.p.topology.cluster(c).site.ix()].tier);
                let end = now + SimDuration::from_secs_f64(duration_s);
                self.queue.push(end, SEvent::Depart(id));
                if self.s.frames {
                    self.start_frames(now, id);
                }
            }
            None => {
                self.sessions[id as usize].state = State::Done;
                obs.rejected(reason::NO_CAPACITY);
            }
        }
    }

    /// For a shared session of generated load, draws the other users' access sites among
    /// the sites nearest the first user's (a group working together is close by).
    fn draw_other_users(&mut self, id: u32, site: u32, app: u32) {
        let users = self.p.apps[app as usize].users;
        if users <= 1 || matches!(self.arrivals, Arrivals::Trace(_)) {
            return;
        }
        let near = &self.p.near_access[site as usize];
        let start = self.user_sites.len() as u32;
        for _ in 1..users {
            let u = near[self.rng_pick.random_range(0..near.len())];
            self.user_sites.push(u);
        }
        let s = &mut self.sessions[id as usize];
        s.others_start = start;
        s.others_len = users - 1;
    }

    /// The users of session `s`.
    fn group(&self, s: &Session) -> UserGroup<'_> {
        UserGroup {
            first: s.site,
            others: &self.user_sites
                [s.others_start as usize..(s.others_start + s.others_len) as usize],
            access_ms: &self.access_ms,
            site_rtt_ms: &self.p.site_rtt_ms,
        }
    }

    /// Asks the strategy and admits session `id` on the first ranked cluster that fits,
    /// never on `avoid`. Returns the cluster, or `None` if nothing fits.
    fn place(
        &mut self,
        id: u32,
        avoid: Option<ClusterId>,
        strategy: &mut dyn Strategy,
        obs: &mut impl SessionObserver,
    ) -> Option<ClusterId> {
        let sess = self.sessions[id as usize];
        let app = &self.p.apps[sess.app as usize];
        // Borrowed by the request while the loop below may start peerings (&mut self).
        let user_sites = std::mem::take(&mut self.user_sites);
        let access_ms = std::mem::take(&mut self.access_ms);
        let req = PlacementRequest {
            app,
            app_index: sess.app as usize,
            access_ms: self.p.topology.sites[sess.site as usize].access_latency_ms,
            candidates: &self.p.candidates[sess.site as usize],
            slo_latency_ms: self.p.slo_latency_ms,
            cross_refused: self.cross_refused[sess.app as usize],
            users: UserGroup {
                first: sess.site,
                others: &user_sites
                    [sess.others_start as usize..(sess.others_start + sess.others_len) as usize],
                access_ms: &access_ms,
                site_rtt_ms: &self.p.site_rtt_ms,
            },
            central: self.p.central,
        };
        let view = ObservedView {
            scraped_at_s: self.visible_at.0 as f64 / 1e9,
            clusters: &self.visible,
        };
        let mut ranked = std::mem::take(&mut self.ranked);
        ranked.clear();
        strategy.place(&req, &view, &mut ranked);
        let mut chosen = None;
        for &c in &ranked {
            let Some(pos) = req.candidates.iter().position(|k| k.cluster == c) else {
                continue;
            };
            let cand = &req.candidates[pos];
            if Some(c) == avoid || !self.reachable(sess.site, c) || !self.central_reachable(c, app)
            {
                continue;
            }
            if !req.allowed(cand) {
                obs.udp_refused();
                continue;
            }
            if cand.cross_cluster && !self.peering_ready(req.candidates[0].cluster, c) {
                continue;
            }
            if self.fits(c, app) {
                chosen = Some((c, pos as u32));
                break;
            }
        }
        if !self.p.standby.is_empty() {
            let view = ObservedView {
                scraped_at_s: self.visible_at.0 as f64 / 1e9,
                clusters: &self.visible,
            };
            let served = chosen.is_some_and(|(_, pos)| {
                req.estimate_ms(&req.candidates[pos as usize], &view) <= req.slo_latency_ms
            });
            if !served {
                let wanted = req.candidates.iter().find_map(|k| {
                    let i = self.standby_of[k.cluster.ix()];
                    let waiting = i != u32::MAX
                        && self.load[k.cluster.ix()].absent
                        && !self.standby[i as usize].creating;
                    (waiting && req.estimate_ms(k, &view) <= req.slo_latency_ms).then_some(i)
                });
                if let Some(i) = wanted {
                    self.standby[i as usize].demand += 1;
                }
            }
        }
        self.ranked = ranked;
        self.user_sites = user_sites;
        self.access_ms = access_ms;
        let (c, pos) = chosen?;
        self.sessions[id as usize].cand = pos;
        self.hold(id, c);
        Some(c)
    }

    /// Offers the running plan to the strategy and applies the moves that are possible.
    fn rebalance(
        &mut self,
        now: SimTime,
        strategy: &mut dyn Strategy,
        obs: &mut impl SessionObserver,
    ) {
        let mut views = std::mem::take(&mut self.views);
        let mut moves = std::mem::take(&mut self.moves);
        views.clear();
        moves.clear();
        views.extend(self.active.iter().map(|&id| {
            let s = &self.sessions[id as usize];
            SessionView {
                id,
                app: s.app,
                site: s.site,
                cluster: ClusterId(s.cluster),
                others_start: s.others_start,
                others_len: s.others_len,
            }
        }));
        let plan = RebalanceContext {
            sessions: &views,
            apps: &self.p.apps,
            candidates: &self.p.candidates,
            access_ms: &self.access_ms,
            slo_latency_ms: self.p.slo_latency_ms,
            cross_refused: &self.cross_refused,
            user_sites: &self.user_sites,
            site_rtt_ms: &self.p.site_rtt_ms,
            central: self.p.central,
        };
        let view = ObservedView {
            scraped_at_s: self.visible_at.0 as f64 / 1e9,
            clusters: &self.visible,
        };
        strategy.rebalance(&plan, &view, &mut moves);
        for m in &moves {
            self.try_move(now, *m, obs);
        }
        self.views = views;
        self.moves = moves;
    }

    fn try_move(&mut self, now: SimTime, m: Move, obs: &mut impl SessionObserver) {
        let Some(s) = self.sessions.get(m.session as usize).copied() else {
            return;
        };
        if s.state != State::Active || s.cluster == m.to.0 {
            return;
        }
        let cands = &self.p.candidates[s.site as usize];
        let Some(pos) = cands.iter().position(|c| c.cluster == m.to) else {
            return;
        };
        let app = &self.p.apps[s.app as usize];
        if (cands[pos].cross_cluster && self.cross_refused[s.app as usize]) || !self.fits(m.to, app)
        {
            return;
        }
        let transfer_s = self.state_transfer_s(app, ClusterId(s.cluster), m.to);
        self.release(now, m.session, obs);
        let s = &mut self.sessions[m.session as usize];
        s.state = State::Active;
        s.since = now;
        s.cand = pos as u32;
        self.hold(m.session, m.to);
        obs.migrated(self.s.migration_downtime_s + transfer_s);
    }

    /// Time to copy a session's state from cluster `from` to `to` during a live migration:
    /// one round trip to set up the copy plus the state at the slower site's bandwidth, s.
    fn state_transfer_s(&self, app: &SessionApp, from: ClusterId, to: ClusterId) -> f64 {
        if app.state_mib <= 0.0 {
            return 0.0;
        }
        let (a, b) = (
            self.p.topology.cluster(from).site.ix(),
            self.p.topology.cluster(to).site.ix(),
        );
        let n = self.p.topology.sites.len();
        let gbps = self.p.site_bandwidth_gbps[a].min(self.p.site_bandwidth_gbps[b]);
        self.p.site_rtt_ms[a * n + b] as f64 / 1e3 + app.state_mib * 8.0 / (gbps * 1e3)
    }

    /// Whether `app` fits on `c`, its central components included (on the central cluster).
    fn fits(&self, c: ClusterId, app: &SessionApp) -> bool {
        let room = |k: ClusterId, cpu_need: f64, mem_need: f64| {
            let (cpu, mem) = self.capacity(k.ix());
            let l = &self.load[k.ix()];
            l.used_cpu + cpu_need <= cpu + 1e-9 && l.used_mem + mem_need <= mem + 1e-9
        };
        match self.central_of(app) {
            Some(k) if k != c => {
                let (cpu, mem) = app.local_resources();
                room(c, cpu, mem) && room(k, app.central_cpu_cores, app.central_memory_mib)
            }
            _ => room(c, app.cpu_cores, app.memory_mib),
        }
    }

    /// The central cluster, for an application with central components.
    fn central_of(&self, app: &SessionApp) -> Option<ClusterId> {
        self.p.central.filter(|_| app.has_central)
    }

    /// Whether cluster `c` reaches the central cluster `app` needs (partitions cut sites off).
    fn central_reachable(&self, c: ClusterId, app: &SessionApp) -> bool {
        self.central_of(app)
            .is_none_or(|k| self.reachable(self.p.topology.cluster(k).site.0, c))
    }

    /// Time a frame of `app` (index `a`) waits for its central components when the session
    /// runs on `cand`, ms (looked up only for applications that have such a wait).
    #[inline]
    fn central_wait_ms(&self, cand: &Candidate, a: u32, app: &SessionApp) -> f64 {
        if app.central_in_path {
            cand.central_ms[a as usize]
        } else {
            0.0
        }
    }

    /// CPU and memory (cores, MiB) session `i` holds on cluster `c`: its own part if it
    /// runs there, plus its central part if `c` is the central cluster.
    fn held_on(&self, i: u32, c: ClusterId) -> (f64, f64) {
        let s = &self.sessions[i as usize];
        let app = &self.p.apps[s.app as usize];
        let (mut cpu, mut mem) = (0.0, 0.0);
        if s.cluster == c.0 {
            (cpu, mem) = app.local_resources();
        }
        if self.central_of(app) == Some(c) {
            cpu += app.central_cpu_cores;
            mem += app.central_memory_mib;
        }
        (cpu, mem)
    }

    /// Adds (`sign` = 1) or frees (-1) session `id`'s reservations on `c` and, for its
    /// central part, on the central cluster (an application without one has a zero part).
    fn reserve(&mut self, id: u32, c: ClusterId, sign: f64) {
        let app = &self.p.apps[self.sessions[id as usize].app as usize];
        let (cpu, mem) = app.local_resources();
        let central = self.central_of(app).unwrap_or(c);
        let parts = [
            (c, cpu, mem),
            (central, app.central_cpu_cores, app.central_memory_mib),
        ];
        for (k, cpu, mem) in parts {
            let l = &mut self.load[k.ix()];
            l.used_cpu = (l.used_cpu + sign * cpu).max(0.0);
            l.used_mem = (l.used_mem + sign * mem).max(0.0);
        }
    }

    /// Cores and memory (MiB) cluster `i` offers now: none while down or absent, less after
    /// node loss.
    fn capacity(&self, i: usize) -> (f64, f64) {
        let k = &self.p.topology.clusters[i];
        let l = &self.load[i];
        if l.down > 0 || l.absent {
            return (0.0, 0.0);
        }
        let share = (k.nodes + l.extra_nodes).saturating_sub(l.lost_nodes) as f64 / k.nodes as f64;
        (
            k.schedulable_cpu_cores * share,
            k.schedulable_memory_mib * share,
        )
    }

    /// Whether a user at `site` can reach cluster `c` (partitions cut a site off).
    fn reachable(&self, site: u32, c: ClusterId) -> bool {
        let cs = self.p.topology.cluster(c).site.0;
        site == cs || (self.net[site as usize].cut == 0 && self.net[cs as usize].cut == 0)
    }

    fn hold(&mut self, id: u32, c: ClusterId) {
        self.reserve(id, c, 1.0);
        let app = &self.p.apps[self.sessions[id as usize].app as usize];
        debug_assert!(
            [Some(c), self.central_of(app)]
                .into_iter()
                .flatten()
                .all(|k| {
                    let (cpu, mem) = self.capacity(k.ix());
                    let l = &self.load[k.ix()];
                    l.used_cpu <= cpu + 1e-6 && l.used_mem <= mem + 1e-6
                }),
            "reservation beyond capacity"
        );
        self.site_load_mbps[self.p.topology.cluster(c).site.ix()] += app.bitrate_mbps;
        let s = &mut self.sessions[id as usize];
        s.cluster = c.0;
        s.active_pos = self.active.len() as u32;
        self.active.push(id);
    }

    /// Frees session `id`'s resources at `now` and reports what it cost.
    fn release(&mut self, now: SimTime, id: u32, obs: &mut impl SessionObserver) {
        let s = self.sessions[id as usize];
        let app = &self.p.apps[s.app as usize];
        let c = ClusterId(s.cluster);
        let k = self.p.topology.cluster(c);
        self.reserve(id, c, -1.0);
        let site = k.site.ix();
        self.site_load_mbps[site] = (self.site_load_mbps[site] - app.bitrate_mbps).max(0.0);
        let last = *self.active.last().expect("active session");
        self.active.swap_remove(s.active_pos as usize);
        if last != id {
            self.sessions[last as usize].active_pos = s.active_pos;
        }
        self.sessions[id as usize].state = State::Done;
        let hours = (now - s.since).as_secs_f64() / 3600.0;
        let (vcpu_h, gib_h) = (app.cpu_cores * hours, app.memory_mib / 1024.0 * hours);
        let price = |k: &crate::model::topology::Cluster, cpu: f64, mem_mib: f64| {
            hours * (cpu * k.cost_per_vcpu_hour_usd + mem_mib / 1024.0 * k.cost_per_gib_hour_usd)
        };
        let usd = match self.central_of(app) {
            Some(central) => {
                let (cpu, mem) = app.local_resources();
                price(k, cpu, mem)
                    + price(
                        self.p.topology.cluster(central),
                        app.central_cpu_cores,
                        app.central_memory_mib,
                    )
            }
            None => price(k, app.cpu_cores, app.memory_mib),
        };
        let egress_gb = if site as u32 != s.site {
            app.bitrate_mbps * hours * 3600.0 / 8.0 / 1000.0
        } else {
            0.0
        };
        obs.cost(
            vcpu_h,
            gib_h,
            usd + egress_gb * EGRESS_USD_PER_GB,
            egress_gb,
        );
    }

    fn depart(&mut self, now: SimTime, id: u32, obs: &mut impl SessionObserver) {
        if self.sessions[id as usize].state == State::Active {
            self.release(now, id, obs);
            obs.completed();
        }
    }

    fn snapshot(&mut self) -> Vec<ObservedCluster> {
        let mut snap = self.spare.pop().unwrap_or_default();
        snap.clear();
        for (i, k) in self.p.topology.clusters.iter().enumerate() {
            let l = &self.load[i];
            let cap = self.capacity(i);
            snap.push(ObservedCluster {
                id: ClusterId(i as u32),
                tier: self.p.topology.sites[k.site.ix()].tier,
                free_cpu_cores: (cap.0 - l.used_cpu).max(0.0),
                free_memory_mib: (cap.1 - l.used_mem).max(0.0),
                cpu_util: self.cpu_util(i),
                cpu_stretch: contention_stretch(self.cpu_util(i), k.cpu_cores),
                up: l.down == 0 && !l.absent,
                cost_per_vcpu_hour_usd: k.cost_per_vcpu_hour_usd,
            });
        }
        snap
    }

    /// CPU utilisation of cluster `i`: idle baseline plus reservations, 0..1.
    fn cpu_util(&self, i: usize) -> f64 {
        let k = &self.p.topology.clusters[i];
        ((k.baseline_cpu_cores / k.cpu_speed_ratio + self.load[i].used_cpu) / k.cpu_cores).min(1.0)
    }

    fn scrape(&mut self, now: SimTime, obs: &mut impl SessionObserver) {
        let snap = self.snapshot();
        self.pending.push_back((now, snap));
        self.queue.push(now + self.s.lag, SEvent::ViewReady);
        self.sample_latencies(obs);
        self.sample_utilisation(obs);
        self.charge_added_capacity(obs);
        let next = now + self.s.scrape;
        if next.0 <= self.s.duration.0 {
            self.queue.push(next, SEvent::Scrape);
        }
    }

    fn view_ready(&mut self) {
        if let Some((scraped, snap)) = self.pending.pop_front() {
            let old = std::mem::replace(&mut self.visible, snap);
            self.spare.push(old);
            self.visible_at = scraped;
        }
    }

    fn sample_latencies(&mut self, obs: &mut impl SessionObserver) {
        let mut stretch = std::mem::take(&mut self.stretch);
        stretch.clear();
        stretch.extend(
            (0..self.load.len()).map(|i| {
                contention_stretch(self.cpu_util(i), self.p.topology.clusters[i].cpu_cores)
            }),
        );
        for &id in &self.active {
            let s = &self.sessions[id as usize];
            if self.s.frames {
                obs.hosted(s.app, ClusterId(s.cluster));
                continue;
            }
            let app = &self.p.apps[s.app as usize];
            let cand = &self.p.candidates[s.site as usize][s.cand as usize];
            let k = self.p.topology.cluster(cand.cluster);
            let site = k.site.ix();
            let ms = session_latency_ms(
                app,
                &LatencyInputs {
                    access_ms: self.p.topology.sites[s.site as usize].access_latency_ms,
                    rtt_ms: cand.rtt_ms + self.extra_rtt_ms(s.site as usize, site),
                    path_ms: cand.path_ms[s.app as usize],
                    cpu_stretch: stretch[cand.cluster.ix()],
                    cpu_speed: cand.cpu_speed,
                    bandwidth_gbps: cand.bandwidth_gbps * self.net[site].bandwidth_factor,
                    link_util: self.site_load_mbps[site]
                        / (self.p.site_bandwidth_gbps[site] * 1000.0),
                },
            );
            let ms = ms
                + self.group(s).penalty_ms(cand.site, cand.rtt_ms)
                + self.central_wait_ms(cand, s.app, app);
            obs.latency(ms, ms > self.p.slo_latency_ms, self.s.scrape.as_secs_f64());
            obs.hosted(s.app, cand.cluster);
        }
        obs.scrape_end();
        self.stretch = stretch;
    }

    fn sample_utilisation(&self, obs: &mut impl SessionObserver) {
        for tier in [Tier::Cloud, Tier::Edge, Tier::FarEdge] {
            let (mut sum, mut peak, mut n) = (0.0, 0.0f64, 0);
            for (i, k) in self.p.topology.clusters.iter().enumerate() {
                let cores = self.capacity(i).0;
                if self.p.topology.sites[k.site.ix()].tier == tier && cores > 0.0 {
                    let u = self.load[i].used_cpu / cores;
                    sum += u;
                    peak = peak.max(u);
                    n += 1;
                }
            }
            if n > 0 {
                obs.utilisation(tier, sum / n as f64, peak);
            }
        }
    }

    /// Whether the Liqo peering from `home` to `other` exists; with on-demand peering the
    /// first request starts it (it becomes usable after the peering delay).
    fn peering_ready(&mut self, home: ClusterId, other: ClusterId) -> bool {
        if !self.s.control.on_demand_peering {
            return true;
        }
        let key = (home.0, other.0);
        match self.peerings.get(&key) {
            Some(&ready) => ready,
            None => {
                self.peerings.insert(key, false);
                self.peering_list.push(key);
                let at = self.now + self.s.control.peering_delay;
                self.queue
                    .push(at, SEvent::Peered(self.peering_list.len() as u32 - 1));
                false
            }
        }
    }

    /// Scale-out and scale-in decisions on the monitored view (reserved share of CPU).
    fn autoscale(&mut self, now: SimTime) {
        let c = &self.s.control;
        for i in 0..self.load.len() {
            let o = self.visible[i];
            let cap = self.capacity(i).0;
            let l = self.load[i];
            let cooling = now < l.cool_until;
            if !o.up || cap <= 0.0 || cooling || l.pending_nodes > 0 {
                continue;
            }
            let share = 1.0 - o.free_cpu_cores / cap;
            if share > c.scale_out_util && l.extra_nodes + c.step_nodes <= c.max_extra_nodes {
                let (ok, delay) = self.scale_out_time(i, c.step_nodes);
                let l = &mut self.load[i];
                l.pending_nodes += c.step_nodes;
                l.cool_until = now + c.cooldown;
                self.queue
                    .push(now + delay, SEvent::NodesReady(i as u32, c.step_nodes, ok));
            } else if share < c.scale_in_util && l.extra_nodes >= c.step_nodes {
                let k = &self.p.topology.clusters[i];
                let per_node = k.schedulable_cpu_cores / k.nodes as f64;
                let mem_per_node = k.schedulable_memory_mib / k.nodes as f64;
                let (cpu, mem) = self.capacity(i);
                let step = c.step_nodes as f64;
                if l.used_cpu <= cpu - step * per_node && l.used_mem <= mem - step * mem_per_node {
                    let l = &mut self.load[i];
                    l.extra_nodes -= c.step_nodes;
                    l.cool_until = now + c.cooldown;
                    self.scale_in_pending.push(c.step_nodes);
                }
            }
        }
    }

    /// Creates standby clusters that unserved sessions ask for and deletes created clusters
    /// that stayed empty for `deprovision_idle` (checked on the cluster itself, as a
    /// controller would before deleting).
    fn provision(&mut self, now: SimTime, obs: &mut impl SessionObserver) {
        for i in 0..self.p.standby.len() {
            let c = self.p.standby[i].ix();
            let (l, st) = (self.load[c], self.standby[i]);
            if l.absent && !st.creating && st.demand >= self.s.control.provision_after_sessions {
                let (ok, delay) = self.creation_time(c);
                self.standby[i].creating = true;
                let at = now + delay + self.s.control.peering_delay;
                self.queue.push(at, SEvent::ClusterUp(c as u32, ok));
            } else if !l.absent {
                let empty = l.used_cpu <= 1e-9 && l.used_mem <= 1e-9 && l.pending_nodes == 0;
                let since = st.idle_since.unwrap_or(now);
                self.standby[i].idle_since = empty.then_some(since);
                if empty && now - since >= self.s.control.deprovision_idle {
                    let l = &mut self.load[c];
                    l.absent = true;
                    l.extra_nodes = 0;
                    self.standby[i].idle_since = None;
                    obs.deprovisioned();
                }
            }
            self.standby[i].demand = 0;
        }
    }

    /// A standby cluster's creation finished: it takes sessions if its machines came up.
    fn cluster_up(&mut self, now: SimTime, c: u32, ok: bool, obs: &mut impl SessionObserver) {
        let st = &mut self.standby[self.standby_of[c as usize] as usize];
        st.creating = false;
        if ok {
            st.idle_since = Some(now);
            self.load[c as usize].absent = false;
        }
        obs.provisioned(ok);
    }

    /// How long creating standby cluster `i` takes, by running the Cluster API model: from
    /// the Cluster object to every node Ready. `false` if the machines failed.
    fn creation_time(&mut self, i: usize) -> (bool, SimDuration) {
        let workers = self.p.topology.clusters[i].nodes.saturating_sub(1);
        match self.run_capi(self.capi_spec(i, workers)).first_ready {
            Some(all) => (true, all - SimTime::ZERO),
            None => (
                false,
                SimDuration::from_secs_f64(self.s.control.capi.machine_start_timeout_s),
            ),
        }
    }

    /// Cluster API spec of cluster `i` (its distribution, provider and node shape) with one
    /// control-plane node and `workers` workers.
    fn capi_spec(&self, i: usize, workers: u32) -> ClusterSpec {
        let k = &self.p.topology.clusters[i];
        ClusterSpec {
            distribution: k.distribution,
            provider: k.provider,
            control_plane_nodes: 1,
            workers,
            vcpu_per_node: k.cpu_cores / k.nodes as f64,
        }
    }

    /// Runs the Cluster API model on `spec` with a seed from the control-loop stream.
    fn run_capi(&mut self, spec: ClusterSpec) -> crate::world::provisioning::ProvisioningReport {
        let model = CapiModel::new(&self.s.control.capi, spec.provider, spec.distribution);
        let streams = RngStreams::new(self.rng_control.random(), 0);
        ProvisioningWorld::new(
            spec,
            model,
            Vec::new(),
            SimDuration::from_secs_f64(86_400.0),
            streams,
            RadixQueue::new(),
        )
        .run()
    }

    /// How long a scale-out of cluster `i` by `nodes` takes, by running the Cluster API
    /// model: from the MachineDeployment change to the new nodes Ready (the control
    /// plane exists already). `false` if the machines failed.
    fn scale_out_time(&mut self, i: usize, nodes: u32) -> (bool, SimDuration) {
        let spec = self.capi_spec(i, nodes);
        let reconcile =
            CapiModel::new(&self.s.control.capi, spec.provider, spec.distribution).reconcile_ns;
        let report = self.run_capi(spec);
        match (report.first_ready, report.control_plane_ready) {
            (Some(all), Some(cp)) => (true, SimDuration(reconcile) + (all - cp)),
            _ => (
                false,
                SimDuration::from_secs_f64(self.s.control.capi.machine_start_timeout_s),
            ),
        }
    }

    /// Charges the capacity the control loop added (scale-outs, created clusters) over the
    /// last scrape interval.
    fn charge_added_capacity(&mut self, obs: &mut impl SessionObserver) {
        for n in self.scale_in_pending.drain(..) {
            obs.scaled(-(n as i64), false);
        }
        let hours = self.s.scrape.as_secs_f64() / 3600.0;
        for (i, k) in self.p.topology.clusters.iter().enumerate() {
            let l = &self.load[i];
            // A created cluster is added capacity as a whole (billed from its creation);
            // any other cluster only for the nodes autoscaling added.
            let standby = self.standby_of.get(i).map_or(u32::MAX, |&x| x);
            let (base_cpu, base_mem, added_nodes) = if standby != u32::MAX {
                let exists = !l.absent || self.standby[standby as usize].creating;
                (0.0, 0.0, if exists { k.nodes + l.extra_nodes } else { 0 })
            } else {
                (k.cpu_cores, k.memory_mib, l.extra_nodes)
            };
            if added_nodes == 0 {
                continue;
            }
            let share = added_nodes as f64 / k.nodes as f64;
            let (cpu, mem) = (k.cpu_cores * share, k.memory_mib * share);
            // Reservations on the added capacity are billed with their sessions; the
            // unreserved rest is billed here, so every vCPU-hour is charged once.
            let idle_cpu = (cpu - (l.used_cpu - base_cpu).max(0.0)).max(0.0);
            let idle_mem = (mem - (l.used_mem - base_mem).max(0.0)).max(0.0);
            obs.added_capacity(
                cpu * hours,
                hours
                    * (idle_cpu * k.cost_per_vcpu_hour_usd
                        + idle_mem / 1024.0 * k.cost_per_gib_hour_usd),
            );
        }
    }

    /// Frame fidelity: the session's first input goes out at a uniformly drawn phase of its
    /// frame interval (sessions are not synchronised).
    fn start_frames(&mut self, now: SimTime, id: u32) {
        let interval = self.p.apps[self.sessions[id as usize].app as usize].frame_interval_ns;
        let phase = self.rng_frames.random_range(0..interval.max(1));
        self.queue.push(now + SimDuration(phase), SEvent::Frame(id));
    }

    /// Frame fidelity: a frame of session `id` starts at `now` (the user's input). It reaches
    /// the cluster, is processed on the first of the session's whole cores to be free (a
    /// session with two cores pipelines two frames), crosses the cross-cluster and central
    /// hops, and is handed to its site's egress link. A renderer renders for the latest
    /// input: an input that would still be waiting when the next one arrives is superseded
    /// and skipped, so a session that cannot keep up with its frame rate presents fewer
    /// frames instead of queueing without bound.
    fn frame(&mut self, now: SimTime, id: u32) {
        let s = self.sessions[id as usize];
        if s.state != State::Active {
            return;
        }
        let app = &self.p.apps[s.app as usize];
        self.queue
            .push(now + SimDuration(app.frame_interval_ns), SEvent::Frame(id));
        let cand = &self.p.candidates[s.site as usize][s.cand as usize];
        let k = cand.cluster.ix();
        let size = self.draw_frame_size();
        let up_ms = self.draw_leg_ms(s.site, cand);
        let stretch = contention_stretch(self.cpu_util(k), self.p.topology.clusters[k].cpu_cores);
        let proc_ms = app.ms_per_frame / cand.cpu_speed * stretch * size;
        let at_cluster = now + SimDuration::from_secs_f64(up_ms.max(0.0) / 1e3);
        let lanes = &mut self.frame_busy[id as usize];
        let lane = (0..MAX_FRAME_LANES)
            .min_by_key(|&l| lanes[l])
            .expect("at least one lane");
        if lanes[lane] > at_cluster + SimDuration(app.frame_interval_ns) {
            self.frames_skipped[id as usize] += 1;
            return;
        }
        let start = at_cluster.max(lanes[lane]);
        let done = start + SimDuration::from_secs_f64(proc_ms / 1e3);
        lanes[lane] = done;
        let hops_ms = cand.path_ms[s.app as usize] + self.central_wait_ms(cand, s.app, app);
        let at_link = done + SimDuration::from_secs_f64(hops_ms / 1e3);
        let so_far = (at_link - now).0.min(u32::MAX as u64) as u32;
        let permille = (size * 1000.0).round() as u16;
        self.queue
            .push(at_link, SEvent::FrameAtLink(id, so_far, permille));
    }

    /// Frame fidelity: the frame (one per user) of session `id` reaches its site's egress
    /// link `so_far_ns` after it started; it waits for the frames ahead, is serialised, and
    /// travels back to the user. Reports its latency (the slowest user's) for one frame
    /// interval of session time, plus one for each frame skipped before it (the user sees
    /// it until the next frame is presented).
    fn frame_at_link(
        &mut self,
        now: SimTime,
        id: u32,
        so_far_ns: u32,
        permille: u16,
        obs: &mut impl SessionObserver,
    ) {
        let s = self.sessions[id as usize];
        if s.state != State::Active {
            return;
        }
        let app = &self.p.apps[s.app as usize];
        let cand = &self.p.candidates[s.site as usize][s.cand as usize];
        let site = cand.site as usize;
        let gbps = cand.bandwidth_gbps * self.net[site].bandwidth_factor;
        let bits = app.frame_bits * app.users as f64 * permille as f64 / 1000.0;
        let start = now.max(self.link_free[site]);
        let sent = start + SimDuration((bits / gbps).round() as u64);
        self.link_free[site] = sent;
        let down_ms = self.draw_leg_ms(s.site, cand);
        let ms = (so_far_ns as u64 + (sent - now).0) as f64 / 1e6
            + down_ms.max(0.0)
            + self.group(&s).penalty_ms(cand.site, cand.rtt_ms);
        let shown = 1 + std::mem::take(&mut self.frames_skipped[id as usize]);
        obs.latency(
            ms,
            ms > self.p.slo_latency_ms,
            shown as f64 * app.frame_interval_ns as f64 / 1e9,
        );
    }

    /// One way between a user at `site` and candidate `cand`'s cluster for one frame, ms:
    /// access latency, half the RTT (degraded links included) and a jitter draw.
    fn draw_leg_ms(&mut self, site: u32, cand: &Candidate) -> f64 {
        self.p.topology.sites[site as usize].access_latency_ms
            + (cand.rtt_ms + self.extra_rtt_ms(site as usize, cand.site as usize)) / 2.0
            + self.draw_route_jitter_ms(cand.jitter_ms)
    }

    /// A frame's size relative to the mean: truncated Gaussian, sd 10.5 %, within 50-150 %
    /// (3GPP TR 38.838). Per-frame processing scales with it too.
    fn draw_frame_size(&mut self) -> f64 {
        1.0 + truncated_normal(&mut self.rng_frames, FRAME_SIZE_SD, 0.5)
    }

    /// A one-way delay's deviation from its mean on a route with jitter `sd_ms`, ms: a
    /// half-normal excess (queueing on the route, as in the streaming world) centred on zero,
    /// because session RTTs are mean round trips.
    fn draw_route_jitter_ms(&mut self, sd_ms: f64) -> f64 {
        if sd_ms <= 0.0 {
            return 0.0;
        }
        truncated_normal(&mut self.rng_frames, sd_ms, 4.0 * sd_ms).abs()
            - sd_ms * (2.0 / std::f64::consts::PI).sqrt()
    }

    /// Added RTT between an access site and a cluster's site from degraded links, ms.
    fn extra_rtt_ms(&self, access: usize, cluster_site: usize) -> f64 {
        let x = self.net[cluster_site].extra_rtt_ms;
        if access == cluster_site {
            x
        } else {
            x + self.net[access].extra_rtt_ms
        }
    }

    fn fail(
        &mut self,
        now: SimTime,
        f: u32,
        strategy: &mut dyn Strategy,
        obs: &mut impl SessionObserver,
    ) {
        let fault = self.s.faults[f as usize];
        self.queue.push(now + fault.duration, SEvent::Recover(f));
        let on = |w: &Self, c: ClusterId| -> Vec<u32> {
            w.active
                .iter()
                .copied()
                .filter(|&i| w.held_on(i, c) != (0.0, 0.0) || w.sessions[i as usize].cluster == c.0)
                .collect()
        };
        match fault.effect {
            FaultEffect::ClusterDown(c) => {
                self.load[c.ix()].down += 1;
                let hit = on(self, c);
                self.evict(now, hit, Some(c), reason::CLUSTER_FAILED, strategy, obs);
            }
            FaultEffect::NodeLoss(c, nodes) => {
                self.load[c.ix()].lost_nodes += nodes;
                let mut hit = on(self, c);
                hit.sort_by_key(|&i| std::cmp::Reverse((self.sessions[i as usize].since, i)));
                let (cpu, mem) = self.capacity(c.ix());
                let (mut over_cpu, mut over_mem) = (
                    self.load[c.ix()].used_cpu - cpu,
                    self.load[c.ix()].used_mem - mem,
                );
                let mut evicted = Vec::new();
                for i in hit {
                    if over_cpu <= 1e-9 && over_mem <= 1e-9 {
                        break;
                    }
                    let (cpu, mem) = self.held_on(i, c);
                    over_cpu -= cpu;
                    over_mem -= mem;
                    evicted.push(i);
                }
                self.evict(now, evicted, Some(c), reason::NODE_LOST, strategy, obs);
            }
            FaultEffect::LinkDegradation(site, extra, factor) => {
                let n = &mut self.net[site as usize];
                n.extra_rtt_ms += extra;
                n.bandwidth_factor *= factor;
            }
            FaultEffect::Partition(site) => {
                self.net[site as usize].cut += 1;
                let hit: Vec<u32> = self
                    .active
                    .iter()
                    .copied()
                    .filter(|&i| {
                        let s = &self.sessions[i as usize];
                        let c = ClusterId(s.cluster);
                        !self.reachable(s.site, c)
                            || !self.central_reachable(c, &self.p.apps[s.app as usize])
                    })
                    .collect();
                self.evict(now, hit, None, reason::PARTITIONED, strategy, obs);
            }
        }
    }

    fn recover(&mut self, f: u32) {
        match self.s.faults[f as usize].effect {
            FaultEffect::ClusterDown(c) => self.load[c.ix()].down -= 1,
            FaultEffect::NodeLoss(c, nodes) => self.load[c.ix()].lost_nodes -= nodes,
            FaultEffect::LinkDegradation(site, extra, factor) => {
                let n = &mut self.net[site as usize];
                n.extra_rtt_ms = (n.extra_rtt_ms - extra).max(0.0);
                n.bandwidth_factor = (n.bandwidth_factor / factor).min(1.0);
            }
            FaultEffect::Partition(site) => self.net[site as usize].cut -= 1,
        }
    }

    /// Moves sessions off a failed resource: each is re-placed by the strategy (never on
    /// `avoid`) or dropped for `why`.
    fn evict(
        &mut self,
        now: SimTime,
        ids: Vec<u32>,
        avoid: Option<ClusterId>,
        why: &'static str,
        strategy: &mut dyn Strategy,
        obs: &mut impl SessionObserver,
    ) {
        for id in ids {
            self.release(now, id, obs);
            self.sessions[id as usize].state = State::Active;
            self.sessions[id as usize].since = now;
            if self.place(id, avoid, strategy, obs).is_some() {
                obs.migrated(self.s.migration_downtime_s);
            } else {
                self.sessions[id as usize].state = State::Done;
                obs.dropped(why);
            }
        }
    }
}
