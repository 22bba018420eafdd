//! The capacity ledger: what each cluster offers now (faults, scale-outs, standby clusters)
//! and what sessions hold on it (CPU, memory, and the bandwidth out of its site). It
//! answers "does this fit" and books reservations; it knows nothing of strategies.
//!
//! It also remembers which clusters, sites and relays changed since the last scrape, so
//! monitoring recomputes only what changed; the relays' own load is a part of its own
//! ([`super::relay_load`]).

pub use super::changes::Changes;
use super::relay_load::RelayLoad;
use crate::engine::SimTime;
use crate::model::egress::{site_wait_ms, EgressWait};
use crate::model::platform::StretchTable;
use crate::model::session::SessionApp;
use crate::model::session_platform::SessionPlatform;
use crate::model::ClusterId;

/// Load and state of one cluster.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClusterLoad {
    /// Reserved cores.
    pub used_cpu: f64,
    /// Cores the hosted sessions keep busy on average, reference cores (their per-frame
    /// work times their frame rate, at most what they reserve).
    pub busy_cpu: f64,
    /// Reserved memory, MiB.
    pub used_mem: f64,
    /// GPU slots held (whole GPUs, time-slicing replicas or MIG instances: one per session
    /// with GPU work, docs/gpu.md).
    pub used_gpu_slots: u32,
    /// Faults currently taking the whole cluster down.
    pub down: u32,
    /// Nodes currently lost.
    pub lost_nodes: u32,
    /// Nodes added by autoscaling and Ready.
    pub extra_nodes: u32,
    /// Nodes being added.
    pub pending_nodes: u32,
    /// No scaling action before this time (cooldown after the last one).
    pub cool_until: SimTime,
    /// The cluster does not exist (a standby cluster not created, or deleted).
    pub absent: bool,
}

/// Most distinct core counts that get a stretch table (32 KiB each).
const MAX_TABLES: usize = 256;
/// A cluster without a table.
const NO_TABLE: usize = u16::MAX as usize;

/// Reservations on every cluster and site.
pub struct Ledger<'a> {
    p: &'a SessionPlatform,
    load: Vec<ClusterLoad>,
    site_load_mbps: Vec<f64>,
    /// Sessions sending out of each site (one periodic stream each).
    site_streams: Vec<u32>,
    /// Sum over those sessions of bitrate (Mbit/s) x burst (bits per frame interval).
    site_burst_mbps_bits: Vec<f64>,
    /// Processing slowdown of each cluster at its utilisation (kept up to date by every
    /// reservation: frames read it for every frame).
    stretch: Vec<f64>,
    /// Stretch tables, one per distinct core count (at most [`MAX_TABLES`]).
    tables: Vec<StretchTable>,
    /// Each cluster's table ([`NO_TABLE`]: none, use the closed form).
    table_of: Vec<u16>,
    /// Sessions of each application on each cluster, application-major.
    hosted: Vec<u32>,
    /// The frames on each relay of the cross-cluster paths.
    relays: RelayLoad,
    changed_clusters: Changes,
    changed_sites: Changes,
}

impl<'a> Ledger<'a> {
    /// Nothing reserved; standby clusters absent.
    pub fn new(p: &'a SessionPlatform) -> Self {
        let mut load = vec![ClusterLoad::default(); p.topology.clusters.len()];
        for &c in &p.standby {
            load[c.ix()].absent = true;
        }
        let mut ledger = Ledger {
            p,
            load,
            stretch: Vec::new(),
            tables: Vec::new(),
            table_of: Vec::with_capacity(p.topology.clusters.len()),
            site_load_mbps: vec![0.0; p.topology.sites.len()],
            site_streams: vec![0; p.topology.sites.len()],
            site_burst_mbps_bits: vec![0.0; p.topology.sites.len()],
            hosted: vec![0; p.apps.len() * p.topology.clusters.len()],
            relays: RelayLoad::new(p.relays.len()),
            changed_clusters: Changes::new(p.topology.clusters.len()),
            changed_sites: Changes::new(p.topology.sites.len()),
        };
        for k in &p.topology.clusters {
            let t = match ledger.tables.iter().position(|t| t.cores() == k.cpu_cores) {
                Some(t) => t,
                None if ledger.tables.len() < MAX_TABLES => {
                    ledger.tables.push(StretchTable::new(k.cpu_cores));
                    ledger.tables.len() - 1
                }
                None => NO_TABLE,
            };
            ledger.table_of.push(t as u16);
        }
        ledger.stretch = (0..ledger.load.len())
            .map(|i| ledger.stretch_at(i))
            .collect();
        ledger
    }

    /// Number of clusters.
    pub fn len(&self) -> usize {
        self.load.len()
    }

    /// Whether there are no clusters.
    pub fn is_empty(&self) -> bool {
        self.load.is_empty()
    }

    /// Cluster `i`'s load and state.
    #[inline]
    pub fn load(&self, i: usize) -> &ClusterLoad {
        &self.load[i]
    }

    /// Cluster `i`'s load and state, to change (a fault, a scale action); marks it changed.
    pub fn load_mut(&mut self, i: usize) -> &mut ClusterLoad {
        self.changed_clusters.mark(i);
        &mut self.load[i]
    }

    /// Reserved bandwidth out of site `i`, Mbit/s.
    #[inline]
    pub fn site_load_mbps(&self, i: usize) -> f64 {
        self.site_load_mbps[i]
    }

    /// The wait at site `i`'s egress link when it carries `bandwidth_gbps` now, ms; `None`
    /// while its reserved bandwidth is at or above that (overloaded).
    pub fn egress_wait_ms(&self, i: usize, bandwidth_gbps: f64) -> Option<EgressWait> {
        let load = self.site_load_mbps[i];
        let burst_bits = if load > 0.0 {
            self.site_burst_mbps_bits[i] / load
        } else {
            0.0
        };
        site_wait_ms(self.site_streams[i], load, burst_bits, bandwidth_gbps)
    }

    /// The wait at relay `r` (one copy of it, its traffic spread evenly over the copies)
    /// now, ms; `None` while its frames keep it busy all the time or more (overloaded).
    pub fn relay_wait_ms(&self, r: u32) -> Option<EgressWait> {
        self.relays.wait_ms(r, self.p.relays.instance(r).copies)
    }

    /// Cores and memory (MiB) cluster `i` offers now: none while down or absent, less after
    /// node loss.
    pub fn capacity(&self, i: usize) -> (f64, f64) {
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

    /// GPU slots cluster `i` offers now: its nodes' (after node loss and scale-out) times
    /// slots per node; none without GPUs, while down or absent.
    pub fn gpu_slots(&self, i: usize) -> u32 {
        let k = &self.p.topology.clusters[i];
        let l = &self.load[i];
        match &k.gpu {
            Some(g) if l.down == 0 && !l.absent => (k.nodes + l.extra_nodes)
                .saturating_sub(l.lost_nodes)
                .saturating_mul(g.slots_per_node()),
            _ => 0,
        }
    }

    /// Whether cluster `i` has a free GPU slot with the memory `app` needs.
    fn gpu_fits(&self, i: usize, app: &SessionApp) -> bool {
        let slot_gib = self.p.topology.clusters[i]
            .gpu
            .map_or(0.0, |g| g.slot_memory_gib());
        self.load[i].used_gpu_slots < self.gpu_slots(i) && app.gpu_memory_gib <= slot_gib
    }

    /// Sessions rendering on one physical GPU of cluster `i`, taking the device plugin to
    /// spread them evenly over the cluster's GPUs (an assumption): the held slots over the
    /// GPUs, rounded up; what time-slicing contention counts ([`crate::model::gpu`]).
    pub fn gpu_sessions_per_device(&self, i: usize) -> u32 {
        let k = &self.p.topology.clusters[i];
        let devices = k.gpu.map_or(0, |g| k.nodes.saturating_mul(g.gpus_per_node));
        self.load[i].used_gpu_slots.div_ceil(devices.max(1))
    }

    /// Processing slowdown of cluster `i` at its busy share now, from its core count's
    /// table (or the closed form past [`MAX_TABLES`] distinct core counts); infinite at a
    /// busy share of 1.
    fn stretch_at(&self, i: usize) -> f64 {
        let u = self.busy_share(i);
        match self.tables.get(self.table_of[i] as usize) {
            Some(t) => t.at(u),
            None => crate::model::platform::busy_stretch(u, self.p.topology.clusters[i].cpu_cores),
        }
    }

    /// Reserved share of cluster `i`'s cores: idle baseline plus reservations, 0..1 (what
    /// the scheduler and the strategies see).
    #[inline]
    pub fn cpu_util(&self, i: usize) -> f64 {
        let k = &self.p.topology.clusters[i];
        ((k.baseline_cpu_cores / k.cpu_speed_ratio + self.load[i].used_cpu) / k.cpu_cores).min(1.0)
    }

    /// Busy share of cluster `i`'s cores: the idle baseline (measured use) plus the work
    /// its sessions really do, at the cluster's speed, 0.. (not capped: at 1 and above
    /// the cores' queue grows without bound). Contention is taken here, not at the
    /// reservations: requests carry headroom over mean use (cloud VR reserves 2 cores for
    /// 4 ms per frame at 72 fps, 0.29 of a core busy).
    #[inline]
    pub fn busy_share(&self, i: usize) -> f64 {
        let k = &self.p.topology.clusters[i];
        (k.baseline_cpu_cores + self.load[i].busy_cpu) / k.cpu_speed_ratio / k.cpu_cores
    }

    /// Whether cluster `i`'s cores are overloaded: its busy share is at or above 1, so
    /// its processing queue grows without bound.
    #[inline]
    pub fn saturated(&self, i: usize) -> bool {
        self.busy_share(i) >= 1.0
    }

    /// Processing slowdown on cluster `i` at its utilisation now.
    #[inline]
    pub fn stretch(&self, i: usize) -> f64 {
        self.stretch[i]
    }

    /// The central cluster, for an application with central components.
    #[inline]
    pub fn central_of(&self, app: &SessionApp) -> Option<ClusterId> {
        self.p.central.filter(|_| app.has_central)
    }

    /// Whether `app` fits on `c`, its central components included (on the central cluster),
    /// and a GPU slot on `c` if it has GPU work.
    pub fn fits(&self, c: ClusterId, app: &SessionApp) -> bool {
        if app.needs_gpu() && !self.gpu_fits(c.ix(), app) {
            return false;
        }
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

    /// CPU and memory (cores, MiB) a session of `app` running on `runs_on` holds on cluster
    /// `c`: its own part if it runs there, plus its central part if `c` is the central
    /// cluster.
    pub fn held_on(&self, app: &SessionApp, runs_on: ClusterId, c: ClusterId) -> (f64, f64) {
        let (mut cpu, mut mem) = (0.0, 0.0);
        if runs_on == c {
            (cpu, mem) = app.local_resources();
        }
        if self.central_of(app) == Some(c) {
            cpu += app.central_cpu_cores;
            mem += app.central_memory_mib;
        }
        (cpu, mem)
    }

    /// Sessions of application `app` running on cluster `c`.
    pub fn hosted(&self, app: usize, c: usize) -> u32 {
        self.hosted[app * self.load.len() + c]
    }

    /// Books a session of application `a` on candidate `cand` of `site` (cluster `c`; its
    /// central part on the central cluster) with its bandwidth out of `c`'s site and its
    /// frames on the relays of its path.
    pub fn hold(&mut self, a: u32, (site, cand): (u32, u32), c: ClusterId) {
        debug_assert_eq!(self.p.candidates[site as usize][cand as usize].cluster, c);
        let app = &self.p.apps[a as usize];
        self.hosted[a as usize * self.load.len() + c.ix()] += 1;
        self.reserve(app, c, 1.0);
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
        self.send(app, c, 1);
        self.relay(a, (site, cand), 1);
    }

    /// Frees what [`Self::hold`] booked.
    pub fn release(&mut self, a: u32, (site, cand): (u32, u32), c: ClusterId) {
        let app = &self.p.apps[a as usize];
        self.hosted[a as usize * self.load.len() + c.ix()] -= 1;
        self.reserve(app, c, -1.0);
        self.send(app, c, -1);
        self.relay(a, (site, cand), -1);
    }

    /// Adds (`sign` = 1) or removes (-1) a session's frames at the relays of its path.
    fn relay(&mut self, a: u32, (site, cand): (u32, u32), sign: i32) {
        if self.p.relays.is_empty() {
            return;
        }
        let interval_ns = self.p.apps[a as usize].frame_interval_ns.max(1) as f64;
        self.relays
            .add(&self.p.relay_uses(a, site, cand), interval_ns, sign);
    }

    /// Adds (`sign` = 1) or removes (-1) a session's stream out of `c`'s site.
    fn send(&mut self, app: &SessionApp, c: ClusterId, sign: i32) {
        let site = self.p.topology.cluster(c).site.ix();
        self.site_streams[site] = self.site_streams[site].saturating_add_signed(sign);
        if self.site_streams[site] == 0 {
            // Nothing left to send: no rounding residue either.
            self.site_load_mbps[site] = 0.0;
            self.site_burst_mbps_bits[site] = 0.0;
        } else {
            let s = sign as f64;
            let burst = app.frame_bits * app.users as f64;
            self.site_load_mbps[site] = (self.site_load_mbps[site] + s * app.bitrate_mbps).max(0.0);
            self.site_burst_mbps_bits[site] =
                (self.site_burst_mbps_bits[site] + s * app.bitrate_mbps * burst).max(0.0);
        }
        self.changed_sites.mark(site);
    }

    /// Adds (`sign` = 1) or frees (-1) a session's reservations on `c` and, for its
    /// central part, on the central cluster (an application without one has a zero part).
    fn reserve(&mut self, app: &'a SessionApp, c: ClusterId, sign: f64) {
        let (cpu, mem) = app.local_resources();
        let central = self.central_of(app).unwrap_or(c);
        let (busy, central_busy) = app.busy_cores();
        let parts = [
            (c, cpu, mem, busy),
            (
                central,
                app.central_cpu_cores,
                app.central_memory_mib,
                central_busy,
            ),
        ];
        if app.needs_gpu() {
            let l = &mut self.load[c.ix()];
            l.used_gpu_slots = l.used_gpu_slots.saturating_add_signed(sign as i32);
        }
        for (k, cpu, mem, busy) in parts {
            let l = &mut self.load[k.ix()];
            l.used_cpu = (l.used_cpu + sign * cpu).max(0.0);
            l.used_mem = (l.used_mem + sign * mem).max(0.0);
            l.busy_cpu = (l.busy_cpu + sign * busy).max(0.0);
            self.changed_clusters.mark(k.ix());
            self.stretch[k.ix()] = self.stretch_at(k.ix());
        }
    }

    /// Clusters whose load or state changed since [`Self::clear_changes`].
    pub fn changed_clusters(&self) -> &Changes {
        &self.changed_clusters
    }

    /// Sites whose reserved bandwidth changed since [`Self::clear_changes`].
    pub fn changed_sites(&self) -> &Changes {
        &self.changed_sites
    }

    /// Relays whose load changed since [`Self::clear_changes`].
    pub fn changed_relays(&self) -> &Changes {
        self.relays.changed()
    }

    /// Starts a new interval of change tracking (after a scrape has used the changes).
    pub fn clear_changes(&mut self) {
        self.changed_clusters.clear();
        self.changed_sites.clear();
        self.relays.clear_changes();
    }
}

#[cfg(test)]
#[path = "ledger_tests.rs"]
mod tests;
