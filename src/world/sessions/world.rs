//! The coordinator: one run's event loop, handing each event to the part that owns it.

use super::arrivals::ArrivalSource;
use super::booking;
use super::control::Control;
use super::energy::EnergyMeter;
use super::events::SEvent;
use super::faults;
use super::frames::{FrameParts, Frames};
use super::ledger::Ledger;
use super::monitor::Monitor;
use super::network::Network;
use super::observer::{reason, ClusterSample, SessionObserver, SessionTimeUs, SiteSample};
use super::placement::request_for;
use super::placement::{Parts, Placer};
use super::roster::Roster;
use super::sampling::Sampler;
use super::settings::{Arrivals, SessionSettings};
use crate::engine::{EventQueue, RngStreams, SimDuration, SimTime};
use crate::model::session_platform::SessionPlatform;
use crate::model::ClusterId;
use crate::world::policy::{ObservedView, PlacementRequest, Strategy};

/// A session that arrived and waits for its placement ([`SessionWorld::advance_to_decision`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PendingSession {
    /// Its roster slot.
    slot: u32,
    /// Application index.
    pub app: u32,
    /// First user's access site.
    pub site: u32,
    /// How long it will run if placed, s (drawn at arrival; a strategy is not told it).
    pub duration_s: f64,
}

/// A strategy that ranks what it was given: the answer of a decision made outside.
struct Fixed<'r>(&'r [ClusterId]);

impl Strategy for Fixed<'_> {
    fn place(&mut self, _: &PlacementRequest, _: &ObservedView, ranked: &mut Vec<ClusterId>) {
        ranked.extend_from_slice(self.0);
    }
}

/// The state of one run.
pub struct SessionWorld<'a, Q> {
    p: &'a SessionPlatform,
    s: &'a SessionSettings,
    queue: Q,
    now: SimTime,
    arrivals: ArrivalSource<'a>,
    roster: Roster,
    ledger: Ledger<'a>,
    net: Network,
    monitor: Monitor,
    control: Control<'a>,
    placer: Placer,
    /// Flow fidelity: latency sampled at scrapes.
    sampler: Option<Sampler>,
    /// Frame fidelity: every frame simulated.
    frames: Option<Frames>,
    /// Other users' sites of the arriving session (reused buffer).
    others: Vec<u32>,
    /// Energy accounted so far.
    energy: EnergyMeter,
    /// Events handled.
    pub events: u64,
}

/// Borrows the parts placement needs from a world, field by field.
macro_rules! parts {
    ($w:expr) => {
        Parts {
            p: $w.p,
            s: $w.s,
            roster: &mut $w.roster,
            ledger: &mut $w.ledger,
            net: &$w.net,
            control: &mut $w.control,
            monitor: &$w.monitor,
            queue: &mut $w.queue,
            now: $w.now,
        }
    };
}

/// Borrows what a frame needs from a world.
macro_rules! frame_parts {
    ($w:expr) => {
        FrameParts {
            p: $w.p,
            roster: &$w.roster,
            ledger: &$w.ledger,
            net: &$w.net,
        }
    };
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
        let ledger = Ledger::new(p);
        let monitor = Monitor::new(p, &ledger);
        let max_users = p.apps.iter().map(|a| a.users).max().unwrap_or(1);
        let sampler = (!s.frames).then(|| Sampler::new(p, &ledger, s.scrape.as_secs_f64()));
        let frames = s
            .frames
            .then(|| Frames::new(p, streams.stream("session-frames")));
        SessionWorld {
            p,
            s,
            queue,
            now: SimTime::ZERO,
            arrivals: ArrivalSource::new(
                p,
                arrivals,
                streams.stream("session-arrivals"),
                streams.stream("session-attributes"),
            ),
            roster: Roster::new(max_users, !s.frames),
            ledger,
            net: Network::new(p.topology.sites.len()),
            monitor,
            control: Control::new(p, s, streams.stream("control-loop")),
            placer: Placer::default(),
            sampler,
            frames,
            others: Vec::new(),
            energy: EnergyMeter::default(),
            events: 0,
        }
    }

    /// Runs to the end with `strategy`, reporting to `obs`; returns the events handled.
    pub fn run(self, strategy: &mut dyn Strategy, obs: &mut impl SessionObserver) -> u64 {
        self.run_with_progress(strategy, obs, &mut |_| {})
    }

    /// [`Self::run`], telling `progressed` the simulated time at every monitoring scrape
    /// (for a progress display; it cannot change the run).
    pub fn run_with_progress(
        mut self,
        strategy: &mut dyn Strategy,
        obs: &mut impl SessionObserver,
        progressed: &mut dyn FnMut(SimTime),
    ) -> u64 {
        self.start();
        while let Some(ev) = self.next_event() {
            if ev == SEvent::Scrape {
                progressed(self.now);
            }
            self.dispatch(ev, strategy, obs);
        }
        self.finish(obs);
        self.events
    }

    /// Schedules the first arrival, the first scrape and the faults: the world at time
    /// zero, ready to run (what [`Self::run`] does first; call it once).
    pub fn start(&mut self) {
        self.schedule_arrival(SimTime::ZERO);
        self.queue
            .push(SimTime::ZERO + self.s.scrape, SEvent::Scrape);
        for (i, f) in self.s.faults.iter().enumerate() {
            self.queue.push(f.at, SEvent::Fail(i as u32));
        }
    }

    /// The next event within the run, now at its time; `None` at the end of the run.
    fn next_event(&mut self) -> Option<SEvent> {
        let end = SimTime::ZERO + self.s.duration;
        let (now, ev) = self.queue.pop()?;
        if now > end {
            return None;
        }
        self.events += 1;
        self.now = now;
        Some(ev)
    }

    /// Runs events until a session arrives and returns it, its placement pending (answer
    /// with [`Self::decide`] before advancing again); `None` once the run has ended
    /// (then call [`Self::finish`]). Every other event runs as in [`Self::run`], with
    /// `strategy` answering the re-placements of faults and rebalancing. Advancing and
    /// deciding with a strategy's own rankings replays [`Self::run`] with it exactly.
    pub fn advance_to_decision(
        &mut self,
        strategy: &mut dyn Strategy,
        obs: &mut impl SessionObserver,
    ) -> Option<PendingSession> {
        while let Some(ev) = self.next_event() {
            if ev == SEvent::Arrive {
                return Some(self.arrive_draw());
            }
            self.dispatch(ev, strategy, obs);
        }
        None
    }

    /// The placement request of the pending session `pending` and the monitored view it is
    /// decided on (what a strategy would be given).
    pub fn request(&self, pending: PendingSession) -> (PlacementRequest<'_>, ObservedView<'_>) {
        (
            request_for(self.p, &self.roster, pending.slot),
            self.monitor.view(self.p),
        )
    }

    /// Places the pending session on the first of `ranked` that is reachable, can carry
    /// it, is peered and really has room, as for a strategy's ranking; `None` rejects it.
    pub fn decide(
        &mut self,
        pending: PendingSession,
        ranked: &[ClusterId],
        obs: &mut impl SessionObserver,
    ) -> Option<ClusterId> {
        self.arrive_place(pending, &mut Fixed(ranked), obs)
    }

    /// Ends the run: the sampler's last report and every running session completed at the
    /// end (what [`Self::run`] does last; call it once).
    pub fn finish(&mut self, obs: &mut impl SessionObserver) {
        let end = SimTime::ZERO + self.s.duration;
        self.energy.account(self.p, &self.ledger, end.0, obs);
        if let Some(sampler) = &self.sampler {
            sampler.finish(obs);
        }
        while let Some(&slot) = self.roster.active().last() {
            booking::release(self.p, &mut self.roster, &mut self.ledger, end, slot, obs);
            self.roster.finish(slot);
            obs.completed();
        }
    }

    /// Simulated time now.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The run's settings.
    pub fn settings(&self) -> &'a SessionSettings {
        self.s
    }

    fn dispatch(
        &mut self,
        ev: SEvent,
        strategy: &mut dyn Strategy,
        obs: &mut impl SessionObserver,
    ) {
        let now = self.now;
        match ev {
            SEvent::Arrive => self.arrive(strategy, obs),
            SEvent::Depart(slot, gen) => {
                if self.roster.live(slot, gen) {
                    booking::release(self.p, &mut self.roster, &mut self.ledger, now, slot, obs);
                    self.roster.finish(slot);
                    obs.completed();
                }
            }
            SEvent::Scrape => self.scrape(obs),
            SEvent::ViewReady => {
                self.monitor.view_ready();
                if strategy.wants_rebalance() {
                    self.placer.rebalance(&mut parts!(self), strategy, obs);
                }
                if self.s.control.autoscale {
                    self.control
                        .autoscale(now, &mut self.ledger, &self.monitor, &mut self.queue);
                }
                if self.control.has_standby() {
                    self.control
                        .provision(now, &mut self.ledger, &mut self.queue, obs);
                }
            }
            SEvent::Fail(f) => {
                let fault = self.s.faults[f as usize];
                self.queue.push(now + fault.duration, SEvent::Recover(f));
                faults::fail_network(&mut self.net, fault.effect);
                let mut w = parts!(self);
                faults::fail(&mut w, &mut self.placer, fault.effect, strategy, obs);
            }
            SEvent::Recover(f) => {
                let effect = self.s.faults[f as usize].effect;
                faults::recover(&mut self.ledger, &mut self.net, effect);
            }
            SEvent::NodesReady(c, n, ok) => {
                self.control.nodes_ready(&mut self.ledger, c, n, ok, obs)
            }
            SEvent::Peered(i) => self.control.peered(i, obs),
            SEvent::ClusterUp(c, ok) => self.control.cluster_up(now, &mut self.ledger, c, ok, obs),
            SEvent::Frame(slot, gen) => {
                if let (true, Some(frames)) = (self.roster.live(slot, gen), &mut self.frames) {
                    frames.frame(&frame_parts!(self), now, (slot, gen), &mut self.queue);
                }
            }
            SEvent::FrameAtLink(slot, so_far_ns, size, gen) => {
                if let (true, Some(frames)) = (self.roster.live16(slot, gen), &mut self.frames) {
                    frames.at_link(&frame_parts!(self), now, slot, (so_far_ns, size), obs);
                }
            }
        }
    }

    fn schedule_arrival(&mut self, now: SimTime) {
        if let Some(at) = self.arrivals.next_time(now) {
            self.queue.push(at, SEvent::Arrive);
        }
    }

    fn arrive(&mut self, strategy: &mut dyn Strategy, obs: &mut impl SessionObserver) {
        let pending = self.arrive_draw();
        self.arrive_place(pending, strategy, obs);
    }

    /// Draws the arriving session and the next arrival; the session waits for placement.
    fn arrive_draw(&mut self) -> PendingSession {
        let now = self.now;
        let a = self.arrivals.draw(self.p);
        self.schedule_arrival(now);
        let slot = self.roster.add(a.app, a.site, now);
        self.arrivals.draw_others(self.p, a, &mut self.others);
        self.roster.set_others(slot, self.others.iter().copied());
        PendingSession {
            slot,
            app: a.app,
            site: a.site,
            duration_s: a.duration_s,
        }
    }

    /// Places the drawn session as `strategy` ranks, or rejects it.
    fn arrive_place(
        &mut self,
        pending: PendingSession,
        strategy: &mut dyn Strategy,
        obs: &mut impl SessionObserver,
    ) -> Option<ClusterId> {
        let (now, slot) = (self.now, pending.slot);
        let placed = self
            .placer
            .place(&mut parts!(self), slot, None, strategy, obs);
        match placed {
            Some(c) => {
                let p = self.p;
                obs.admitted(p.topology.sites[p.topology.cluster(c).site.ix()].tier);
                let end = now + SimDuration::from_secs_f64(pending.duration_s);
                let gen = self.roster.get(slot).gen;
                self.queue.push(end, SEvent::Depart(slot, gen));
                if let Some(frames) = &mut self.frames {
                    frames.start(p, now, (slot, gen), pending.app, &mut self.queue);
                }
            }
            None => {
                self.roster.finish(slot);
                obs.rejected(reason::NO_CAPACITY);
            }
        }
        placed
    }

    fn scrape(&mut self, obs: &mut impl SessionObserver) {
        let now = self.now;
        self.monitor.scrape(self.p, &self.ledger, now);
        self.queue.push(now + self.s.lag, SEvent::ViewReady);
        if let Some(sampler) = &mut self.sampler {
            sampler.scrape(self.p, (&mut self.roster, &self.ledger, &self.net), obs);
        }
        self.report_hosted(obs);
        self.report_clusters(obs);
        self.energy.account(self.p, &self.ledger, now.0, obs);
        obs.scrape_end();
        self.monitor.report_utilisation(obs);
        self.control
            .charge_added_capacity(&self.ledger, self.s.scrape.as_secs_f64() / 3600.0, obs);
        self.ledger.clear_changes();
        let next = now + self.s.scrape;
        if next.0 <= self.s.duration.0 {
            self.queue.push(next, SEvent::Scrape);
        }
    }

    /// Every existing cluster's monitored state, for observers that keep time series.
    fn report_clusters(&self, obs: &mut impl SessionObserver) {
        if !obs.wants_clusters() {
            return;
        }
        let unreported = self
            .sampler
            .as_ref()
            .map_or_else(SessionTimeUs::default, Sampler::unreported_us);
        obs.scraped(self.now.0, unreported);
        for c in 0..self.ledger.len() {
            let load = self.ledger.load(c);
            if load.absent {
                continue;
            }
            let (cpu, mem) = self.ledger.capacity(c);
            let share = |used: f64, cap: f64| if cap > 0.0 { used / cap } else { 0.0 };
            obs.cluster_sampled(&ClusterSample {
                cluster: crate::model::ClusterId(c as u32),
                cpu_utilisation_ratio: share(load.used_cpu, cpu),
                memory_utilisation_ratio: share(load.used_mem, mem),
                sessions: (0..self.p.apps.len())
                    .map(|a| self.ledger.hosted(a, c))
                    .sum(),
                up: load.down == 0,
            });
        }
        for (k, gbps) in self.p.site_bandwidth_gbps.iter().enumerate() {
            let capacity_mbps = gbps * 1000.0 * self.net.bandwidth_factor(k);
            let load = self.ledger.site_load_mbps(k);
            obs.site_sampled(&SiteSample {
                site: k as u32,
                link_utilisation_ratio: if capacity_mbps > 0.0 {
                    load / capacity_mbps
                } else {
                    0.0
                },
            });
        }
    }

    /// Sessions per application and cluster, for observers that count replicas.
    fn report_hosted(&self, obs: &mut impl SessionObserver) {
        if !obs.wants_hosted() {
            return;
        }
        for a in 0..self.p.apps.len() {
            for c in 0..self.ledger.len() {
                let n = self.ledger.hosted(a, c);
                if n > 0 {
                    obs.hosted(a as u32, crate::model::ClusterId(c as u32), n);
                }
            }
        }
    }
}
