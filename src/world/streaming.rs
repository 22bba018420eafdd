//! Frame-fidelity world: every frame of the stream is an event chain through the
//! components and the hops of the paths between them.
//!
//! A frame is captured at the source on the frame clock (with capture jitter), processed
//! by each component in turn (FIFO, stretched by its cluster's CPU load), held in whole
//! segments where a component segments the stream, carried over each path as a burst of
//! packets through the path's hops (FIFO per hop, then propagation and jitter), and
//! presented by the sink after its player buffer. CPU and memory are accounted per
//! cluster and sampled like a Prometheus scrape.

use super::cross_traffic::BackgroundQueue;
use super::observer::{ClusterSample, RunObserver};
use crate::config::experiment::{PathKind, Protocol};
use crate::engine::rng::truncated_normal;
use crate::engine::{EventQueue, RngStreams, SimDuration, SimTime, StreamRng};
use crate::model::platform::contention_stretch;
use crate::model::{Application, PathModel, Scenario};
use rand::Rng;

/// Frames that may be in flight at once; older slots are reused.
const RING: usize = 1 << 16;

/// Length and sampling of one run.
#[derive(Debug, Clone, Copy)]
pub struct RunSettings {
    /// Simulated length, ns.
    pub duration: SimDuration,
    /// Frames captured before this are not reported, ns.
    pub warmup: SimDuration,
    /// Monitoring scrape interval, ns.
    pub scrape_interval: SimDuration,
}

/// An event: small, copyable, carrying only indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The source captures frame `.0`.
    Capture(u32),
    /// Frame `frame` reaches component `comp`.
    Arrive {
        /// Component index.
        comp: u8,
        /// Frame index.
        frame: u32,
    },
    /// Component `comp` finished processing frame `frame`.
    Done {
        /// Component index.
        comp: u8,
        /// Frame index.
        frame: u32,
    },
    /// Monitoring scrape of all clusters.
    Scrape,
    /// The scenario's milestone number `.0` (peering step, link failure).
    Milestone(u16),
}

/// A frame's slot in the ring.
#[derive(Debug, Clone, Copy, Default)]
struct FrameSlot {
    index: u32,
    in_flight: bool,
    capture: SimTime,
    /// Frame size as a multiple of the flow's mean frame size.
    size_factor: f64,
}

/// Per-cluster accounting.
#[derive(Debug, Clone, Copy, Default)]
struct ClusterState {
    /// CPU used in the current scrape window, core-ns of this cluster's cores.
    busy_core_ns: f64,
    /// Utilisation measured at the last scrape (0..1), used for contention.
    utilisation: f64,
    /// Steady CPU (baseline, idle components, Liqo control plane), this cluster's cores.
    steady_cores: f64,
    /// Steady memory (baseline, components, Liqo), MiB.
    steady_memory_mib: f64,
    /// Bytes held in segment buffers right now.
    buffered_bytes: f64,
}

/// A segment being filled at a segmenting component.
#[derive(Debug, Clone, Copy, Default)]
struct Segment {
    first: u32,
    last: u32,
    open: bool,
}

/// Totals of a finished run, for the trace and the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunCounts {
    /// Events handled.
    pub events: u64,
    /// Frames captured.
    pub frames_captured: u64,
}

/// The state of one run of one scenario.
pub struct StreamingWorld<'a, Q> {
    app: &'a Application,
    scn: &'a Scenario,
    settings: RunSettings,
    queue: Q,
    frames: Vec<FrameSlot>,
    comp_free: Vec<SimTime>,
    segments: Vec<Segment>,
    /// Busy-until per packet server ([`Scenario::servers`]): flows that share a gateway
    /// or a route direction queue behind each other.
    hop_busy: Vec<SimTime>,
    /// The FIFO of each packet server that carries background traffic (indexed like
    /// `hop_busy`), with its own random stream (`background-traffic/<server>`), so the
    /// draws of one loaded link do not depend on another's.
    background: Vec<(BackgroundQueue, StreamRng)>,
    last_arrival: Vec<SimTime>,
    clusters: Vec<ClusterState>,
    samples: Vec<ClusterSample>,
    last_scrape: SimTime,
    rng_size: StreamRng,
    rng_capture: StreamRng,
    rng_jitter: StreamRng,
    rng_loss: StreamRng,
    counts: RunCounts,
    first_byte_seen: bool,
}

impl<'a, Q: EventQueue<Event>> StreamingWorld<'a, Q> {
    /// A world at time zero with the first capture and scrape scheduled.
    pub fn new(
        app: &'a Application,
        scn: &'a Scenario,
        settings: RunSettings,
        streams: RngStreams,
        queue: Q,
    ) -> Self {
        let mut world = StreamingWorld {
            app,
            scn,
            settings,
            queue,
            frames: vec![FrameSlot::default(); RING],
            comp_free: vec![SimTime::ZERO; app.components.len()],
            segments: vec![Segment::default(); app.components.len()],
            hop_busy: vec![SimTime::ZERO; scn.server_count as usize],
            background: (0..scn.server_count)
                .map(|k| {
                    let rng = streams.stream(&format!("background-traffic/{k}"));
                    (BackgroundQueue::default(), rng)
                })
                .collect(),
            last_arrival: vec![SimTime::ZERO; scn.paths.len()],
            clusters: vec![ClusterState::default(); scn.topology.clusters.len()],
            samples: Vec::with_capacity(scn.clusters.len()),
            last_scrape: SimTime::ZERO,
            rng_size: streams.stream("frame-size"),
            rng_capture: streams.stream("capture-jitter"),
            rng_jitter: streams.stream("path-jitter"),
            rng_loss: streams.stream("packet-loss"),
            counts: RunCounts::default(),
            first_byte_seen: false,
        };
        world.init_clusters();
        world.queue.push(SimTime(scn.start_ns), Event::Capture(0));
        for (i, &(at, _)) in scn.milestones.iter().enumerate().take(u16::MAX as usize) {
            world.queue.push(SimTime(at), Event::Milestone(i as u16));
        }
        world
            .queue
            .push(SimTime::ZERO + settings.scrape_interval, Event::Scrape);
        world
    }

    fn init_clusters(&mut self) {
        for &c in &self.scn.clusters {
            let k = self.scn.topology.cluster(c);
            let st = &mut self.clusters[c.ix()];
            st.steady_cores = k.baseline_cpu_cores;
            st.steady_memory_mib = k.baseline_memory_mib;
        }
        for (i, comp) in self.app.components.iter().enumerate() {
            let st = &mut self.clusters[self.scn.placement[i].ix()];
            st.steady_cores += comp.idle_cpu_cores;
            st.steady_memory_mib += comp.memory_mib;
        }
        for &c in &self.scn.peered {
            let st = &mut self.clusters[c.ix()];
            st.steady_cores += self.scn.peering.cpu_cores;
            st.steady_memory_mib += self.scn.peering.memory_mib;
        }
        for &c in &self.scn.clusters {
            let k = self.scn.topology.cluster(c);
            let st = &mut self.clusters[c.ix()];
            st.steady_cores /= k.cpu_speed_ratio;
            st.utilisation = st.steady_cores / k.cpu_cores;
        }
    }

    /// Runs to the end of the simulated duration, reporting to `obs`.
    pub fn run(mut self, obs: &mut impl RunObserver) -> RunCounts {
        let end = SimTime::ZERO + self.settings.duration;
        while let Some((now, ev)) = self.queue.pop() {
            if now > end {
                break;
            }
            self.counts.events += 1;
            match ev {
                Event::Capture(i) => self.capture(now, i, obs),
                Event::Arrive { comp, frame } => self.arrive(now, comp as usize, frame, obs),
                Event::Done { comp, frame } => self.done(now, comp as usize, frame, obs),
                Event::Scrape => self.scrape(now, obs),
                Event::Milestone(i) => obs.milestone(now, self.scn.milestones[i as usize].1),
            }
        }
        self.counts
    }

    fn slot(&mut self, frame: u32) -> &mut FrameSlot {
        &mut self.frames[frame as usize & (RING - 1)]
    }

    fn capture(&mut self, now: SimTime, i: u32, obs: &mut impl RunObserver) {
        self.counts.frames_captured += 1;
        self.schedule_next_capture(i);
        let size_factor = self.draw_size_factor();
        let slot = self.slot(i);
        if slot.in_flight {
            obs.frame_lost(now);
            return;
        }
        *slot = FrameSlot {
            index: i,
            in_flight: true,
            capture: now,
            size_factor,
        };
        self.queue.push(now, Event::Arrive { comp: 0, frame: i });
    }

    fn schedule_next_capture(&mut self, i: u32) {
        let next = i as u64 + 1;
        let nominal = self.scn.start_ns + next * self.app.frame_interval_ns;
        if nominal > self.settings.duration.0 || next > u32::MAX as u64 {
            return;
        }
        let sd = self.app.capture_jitter_sd_ns as f64;
        let max = self.app.capture_jitter_max_ns as f64;
        let jitter = truncated_normal(&mut self.rng_capture, sd, max);
        let at = (nominal as f64 + jitter).max(0.0) as u64;
        self.queue.push(SimTime(at), Event::Capture(next as u32));
    }

    /// Frame size relative to the mean: truncated Gaussian (3GPP TR 38.838).
    fn draw_size_factor(&mut self) -> f64 {
        let f = &self.app.flows[0];
        let (lo, hi) = f.size_bounds_ratio;
        let z = truncated_normal(
            &mut self.rng_size,
            f.size_sd_ratio,
            (hi - 1.0).max(1.0 - lo),
        );
        (1.0 + z).clamp(lo, hi)
    }

    fn arrive(&mut self, now: SimTime, c: usize, frame: u32, obs: &mut impl RunObserver) {
        if c > 0 && !self.first_byte_seen && self.scn.paths[c - 1].kind != PathKind::Local {
            self.first_byte_seen = true;
            obs.milestone(now, "first-byte");
        }
        let cluster = self.scn.placement[c];
        let k = self.scn.topology.cluster(cluster);
        let work_ns = self.app.components[c].cpu_ns_per_frame as f64 / k.cpu_speed_ratio;
        let st = &mut self.clusters[cluster.ix()];
        st.busy_core_ns += work_ns;
        let service =
            SimDuration::from_ns_f64(work_ns * contention_stretch(st.utilisation, k.cpu_cores));
        let start = now.max(self.comp_free[c]);
        let finish = start + service;
        self.comp_free[c] = finish;
        self.queue.push(
            finish,
            Event::Done {
                comp: c as u8,
                frame,
            },
        );
    }

    fn done(&mut self, now: SimTime, c: usize, frame: u32, obs: &mut impl RunObserver) {
        if c == self.app.components.len() - 1 {
            self.present(now, c, frame, obs);
        } else if self.app.components[c].segment_ns > 0 {
            self.hold_in_segment(now, c, frame, obs);
        } else {
            self.send(now, c, frame, obs);
        }
    }

    fn present(&mut self, now: SimTime, c: usize, frame: u32, obs: &mut impl RunObserver) {
        let shown = now + SimDuration(self.app.components[c].playout_ns);
        let slot = self.slot(frame);
        slot.in_flight = false;
        let capture = slot.capture;
        if capture.0 >= self.settings.warmup.0 {
            obs.frame_presented(shown, shown - capture);
        }
    }

    /// Adds a frame to the component's open segment; releases the segment when the frame
    /// is its last one, or an earlier segment when a later frame shows up.
    fn hold_in_segment(&mut self, now: SimTime, c: usize, frame: u32, obs: &mut impl RunObserver) {
        let n = self
            .app
            .frames_per_segment(crate::model::ComponentId(c as u32));
        let seg = self.segments[c];
        if seg.open && seg.first / n != frame / n {
            self.release_segment(now, c, obs);
        }
        let bytes = self.frame_bytes(c, frame);
        let cluster = self.scn.placement[c].ix();
        self.clusters[cluster].buffered_bytes += bytes;
        let s = &mut self.segments[c];
        if !s.open {
            *s = Segment {
                first: frame,
                last: frame,
                open: true,
            };
        }
        s.last = frame;
        if (frame + 1).is_multiple_of(n) {
            self.release_segment(now, c, obs);
        }
    }

    fn release_segment(&mut self, now: SimTime, c: usize, obs: &mut impl RunObserver) {
        let s = self.segments[c];
        self.segments[c].open = false;
        for frame in s.first..=s.last {
            let slot = self.frames[frame as usize & (RING - 1)];
            if slot.in_flight && slot.index == frame {
                let bytes = self.frame_bytes(c, frame);
                let cluster = self.scn.placement[c].ix();
                self.clusters[cluster].buffered_bytes -= bytes;
                self.send(now, c, frame, obs);
            }
        }
    }

    /// Bytes of `frame` on the flow leaving component `c`.
    fn frame_bytes(&self, c: usize, frame: u32) -> f64 {
        self.app.flows[c].mean_frame_bytes * self.frames[frame as usize & (RING - 1)].size_factor
    }

    /// Carries `frame` over the flow leaving component `c`, starting at `now`.
    fn send(&mut self, now: SimTime, c: usize, frame: u32, obs: &mut impl RunObserver) {
        let path: &PathModel = &self.scn.paths[c];
        let bytes = self.frame_bytes(c, frame);
        let packets = path.packets(bytes.ceil() as u32);
        let Some(start) = self.link_up_at(c, now) else {
            self.slot(frame).in_flight = false;
            obs.frame_lost(now);
            return;
        };
        let (mut first_in, mut last_in) = (start, start);
        for (h, hop) in path.hops.iter().enumerate() {
            let server = self.scn.servers[c][h] as usize;
            let mut per_frame_ns = hop.per_frame_ns;
            if let Some(b) = path.background.filter(|b| b.hop == h) {
                // The loaded link first, at its own speed, behind and among its background.
                let spacing = if packets > 1 {
                    ((last_in.0 - first_in.0) / (packets as u64 - 1)).max(b.arrival_spacing_ns)
                } else {
                    0
                };
                let (queue, rng) = &mut self.background[server];
                let out = queue.serve(
                    &b,
                    rng,
                    (first_in.0 + per_frame_ns, spacing),
                    packets,
                    b.frame_packet_ns,
                );
                per_frame_ns = 0;
                if b.frame_packet_ns >= hop.per_packet_ns {
                    // It is the route's narrowest link: nothing serialises them again.
                    first_in = SimTime(out.first_ns + hop.fixed_ns);
                    last_in = SimTime(out.last_ns + hop.fixed_ns);
                    self.bill_cpu(hop, packets);
                    continue;
                }
                // The narrowest link follows. As without background, the route's hop is
                // one serialisation at its narrowest link: each packet is handed on as it
                // starts on the loaded link, not stored there once more.
                first_in = SimTime(out.first_ns.saturating_sub(b.frame_packet_ns));
                last_in = SimTime(out.last_ns.saturating_sub(b.frame_packet_ns));
            }
            let busy = &mut self.hop_busy[server];
            let start = first_in.max(*busy) + SimDuration(per_frame_ns);
            let served = SimTime(start.0 + packets as u64 * hop.per_packet_ns)
                .max(SimTime(last_in.0 + hop.per_packet_ns));
            *busy = served;
            first_in = SimTime(start.0 + hop.per_packet_ns + hop.fixed_ns);
            last_in = SimTime(served.0 + hop.fixed_ns);
            self.bill_cpu(hop, packets);
        }
        let mut arrival = last_in.0 + path.propagation_ns + self.draw_path_jitter(c);
        if self.frame_hit_by_loss(c, packets) {
            if self.app.flows[c].protocol == Protocol::Udp {
                self.slot(frame).in_flight = false;
                obs.frame_lost(now);
                return;
            }
            arrival += path.rtt_ns;
        }
        let arrival = SimTime(arrival).max(self.last_arrival[c]);
        self.last_arrival[c] = arrival;
        self.queue.push(
            arrival,
            Event::Arrive {
                comp: c as u8 + 1,
                frame,
            },
        );
    }

    /// Bills the CPU `packets` packets cost at `hop` to the cluster that pays for it.
    fn bill_cpu(&mut self, hop: &crate::model::path::Hop, packets: u32) {
        if let Some(k) = hop.cpu_cluster {
            let speed = self.scn.topology.cluster(k).cpu_speed_ratio;
            self.clusters[k.ix()].busy_core_ns +=
                (packets as u64 * hop.cpu_ns_per_packet) as f64 / speed;
        }
    }

    /// When a frame handed to flow `c` at `now` can enter its path: `now`, or the end of
    /// the outage cutting the path (TCP holds the data), or `None` (UDP loses it).
    fn link_up_at(&self, c: usize, now: SimTime) -> Option<SimTime> {
        if self.scn.paths[c].kind == PathKind::Local {
            return Some(now);
        }
        let cut = self
            .scn
            .outages
            .iter()
            .find(|o| (o.down_ns..o.restore_ns).contains(&now.0));
        match cut {
            None => Some(now),
            Some(_) if self.app.flows[c].protocol == Protocol::Udp => None,
            Some(o) => Some(SimTime(o.restore_ns)),
        }
    }

    /// Queueing jitter on the route: the excess one-way delay is half-normal.
    fn draw_path_jitter(&mut self, flow: usize) -> u64 {
        let sd = self.scn.paths[flow].jitter_sd_ns as f64;
        if sd == 0.0 {
            return 0;
        }
        truncated_normal(&mut self.rng_jitter, sd, 4.0 * sd).abs() as u64
    }

    fn frame_hit_by_loss(&mut self, flow: usize, packets: u32) -> bool {
        let p = self.scn.paths[flow].packet_loss;
        p > 0.0 && self.rng_loss.random::<f64>() < 1.0 - (1.0 - p).powi(packets as i32)
    }

    fn scrape(&mut self, now: SimTime, obs: &mut impl RunObserver) {
        let window = (now - self.last_scrape).0.max(1) as f64;
        self.last_scrape = now;
        self.samples.clear();
        for &c in &self.scn.clusters {
            let k = self.scn.topology.cluster(c);
            let st = &mut self.clusters[c.ix()];
            let used = st.busy_core_ns + st.steady_cores * window;
            st.utilisation = (used / (k.cpu_cores * window)).min(1.0);
            st.busy_core_ns = 0.0;
            let mem = st.steady_memory_mib + st.buffered_bytes / (1024.0 * 1024.0);
            self.samples.push(ClusterSample {
                cluster: c,
                cpu_pct: st.utilisation * 100.0,
                mem_pct: (mem / k.memory_mib * 100.0).min(100.0),
            });
        }
        obs.scrape(now, &self.samples);
        let next = now + self.settings.scrape_interval;
        if next.0 <= self.settings.duration.0 {
            self.queue.push(next, Event::Scrape);
        }
    }
}
