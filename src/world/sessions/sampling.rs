//! Flow-fidelity latency: at every scrape each running session's latency is sampled from
//! the analytic formula and stands for one scrape interval of session time.
//!
//! Sessions that share an access site, a candidate cluster, an application and the same
//! other-user penalty have the same latency, so they are accounted as one group. A group's
//! latency is recomputed only when something it depends on changed since the last scrape
//! (its size, its cluster's load, its cluster's site's link load, the load of the relays
//! its frames cross, a fault on the network);
//! otherwise the scrapes it goes through are counted and reported together when it changes
//! or the run ends. A recomputed latency that rounds to the same nanosecond (what the
//! histogram records) and the same time over budget continues the group's run. The time
//! over budget is the expected share of the sessions' frames over it, from how frames
//! spread around the mean (route jitter, frame size, egress wait; see
//! [`crate::model::frame_spread`]), not a threshold on the mean. The
//! histogram and the time over budget are sums of integer microseconds, so they are
//! exactly what sampling every session at every scrape gives.

use super::ledger::Ledger;
use super::network::Network;
use super::observer::{SessionObserver, SessionTimeUs};
use super::roster::{Membership, Roster};
use crate::base::units::{ns_from_ms, round_to_u64};
use crate::model::frame_spread::{share_over, spread_deviations, FrameSpread, SPREAD_BANDS};
use crate::model::relay::{MAX_SESSION_RELAYS, NO_RELAY};
use crate::model::session::{frame_spread, gpu_render_ms, session_latency_ms, LatencyInputs};
use crate::model::session_platform::SessionPlatform;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A multiply-rotate hash for small integer keys (the group index is looked up on every
/// start and stop; SipHash's protection against chosen keys is not needed here).
#[derive(Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u32(&mut self, x: u32) {
        self.write_u64(x as u64);
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Identity of a group: access site, candidate index, application, other-user penalty
/// (its bits).
type GroupKey = (u32, u32, u32, u64);

/// Sessions with one latency.
#[derive(Debug, Clone, Copy)]
struct Group {
    key: GroupKey,
    cluster: u32,
    /// The cluster's site.
    site: u32,
    /// The candidate's inputs that do not change (copied so a refresh reads one place).
    access_ms: f64,
    rtt_ms: f64,
    path_ms: f64,
    cpu_speed: f64,
    bandwidth_gbps: f64,
    /// Standard deviation of the route's one-way delay, ms.
    jitter_ms: f64,
    /// How much worse the slowest other user fares, ms.
    penalty_ms: f64,
    /// Wait for central components, ms.
    central_ms: f64,
    /// The relays its frames cross ([`NO_RELAY`] after the last).
    relays: [u32; MAX_SESSION_RELAYS],
    /// Sessions now.
    count: u32,
    /// Sessions at the scrapes since `since`.
    counted: u32,
    /// Latency at the scrapes since `since`, ms.
    ms: f64,
    /// Of one session's scrape interval, the time its frames spend over budget then, µs.
    over_us: u64,
    /// How its frames spread around `ms`.
    spread: FrameSpread,
    /// Its cluster's cores were overloaded (busy share at or above 1).
    saturated: bool,
    /// The first scrape of the current run of `counted` sessions at latency `ms`.
    since: u64,
    /// Size or inputs changed since the last scrape.
    dirty: bool,
    /// Empty and forgotten; the slot may be reused.
    free: bool,
}

/// The groups of a run and the scrapes so far.
pub struct Sampler {
    groups: Vec<Group>,
    index: HashMap<GroupKey, u32, BuildHasherDefault<KeyHasher>>,
    free: Vec<u32>,
    /// Groups per cluster.
    on_cluster: Vec<Vec<u32>>,
    /// Groups per relay instance.
    on_relay: Vec<Vec<u32>>,
    /// Clusters per site.
    at_site: Vec<Vec<u32>>,
    dirty: Vec<u32>,
    /// The group of the session in each slot (while it runs).
    group_of: Vec<u32>,
    /// Starts and stops taken from the roster at a scrape (kept for its allocation).
    log: Vec<Membership>,
    /// Processing slowdown per cluster, as of the last scrape that saw it change.
    stretch: Vec<f64>,
    /// Whether each cluster's cores were overloaded then.
    saturated: Vec<bool>,
    /// Scrapes taken.
    scrapes: u64,
    /// One scrape interval, µs.
    weight_us: u64,
    /// Its share in each band of [`SPREAD_BANDS`], µs (they add up to `weight_us`).
    band_us: [u64; SPREAD_BANDS.len()],
    net_version: u64,
}

impl Sampler {
    /// No sessions yet; each scrape stands for `scrape_s` of session time.
    pub fn new(p: &SessionPlatform, ledger: &Ledger, scrape_s: f64) -> Self {
        let mut at_site = vec![Vec::new(); p.topology.sites.len()];
        for (i, k) in p.topology.clusters.iter().enumerate() {
            at_site[k.site.ix()].push(i as u32);
        }
        Sampler {
            groups: Vec::new(),
            index: HashMap::default(),
            free: Vec::new(),
            on_cluster: vec![Vec::new(); ledger.len()],
            on_relay: vec![Vec::new(); p.relays.len()],
            at_site,
            dirty: Vec::new(),
            group_of: Vec::new(),
            log: Vec::new(),
            stretch: (0..ledger.len()).map(|i| ledger.stretch(i)).collect(),
            saturated: (0..ledger.len()).map(|i| ledger.saturated(i)).collect(),
            scrapes: 0,
            weight_us: (scrape_s * 1e6 + 0.5) as u64,
            band_us: band_weights((scrape_s * 1e6 + 0.5) as u64),
            net_version: 0,
        }
    }

    /// Applies one start or stop of a session to its group.
    fn apply(&mut self, p: &SessionPlatform, m: Membership) {
        let slot = m.slot as usize;
        let g = if m.joined {
            let key = (m.site, m.cand, m.app, m.penalty_ms.to_bits());
            let g = match self.index.get(&key) {
                Some(&g) => g,
                None => self.create(p, key, m),
            };
            if self.group_of.len() <= slot {
                self.group_of.resize(slot + 1, u32::MAX);
            }
            self.group_of[slot] = g;
            self.groups[g as usize].count += 1;
            g
        } else {
            let g = self.group_of[slot];
            self.groups[g as usize].count -= 1;
            g
        };
        self.mark(g);
    }

    fn create(&mut self, p: &SessionPlatform, key: GroupKey, m: Membership) -> u32 {
        let c = &p.candidates[m.site as usize][m.cand as usize];
        let app = &p.apps[m.app as usize];
        let group = Group {
            key,
            cluster: c.cluster.0,
            site: c.site,
            access_ms: p.topology.sites[m.site as usize].access_latency_ms,
            rtt_ms: c.rtt_ms,
            path_ms: c.path_ms[m.app as usize],
            cpu_speed: c.cpu_speed,
            bandwidth_gbps: c.bandwidth_gbps,
            jitter_ms: c.jitter_ms,
            penalty_ms: m.penalty_ms,
            central_ms: if app.central_in_path {
                c.central_ms[m.app as usize]
            } else {
                0.0
            },
            relays: p.relay_uses(m.app, m.site, m.cand).map(|u| u.relay),
            count: 0,
            counted: 0,
            ms: 0.0,
            over_us: 0,
            spread: NO_SPREAD,
            saturated: false,
            since: self.scrapes,
            dirty: false,
            free: false,
        };
        let g = match self.free.pop() {
            Some(g) => {
                self.groups[g as usize] = group;
                g
            }
            None => {
                self.groups.push(group);
                self.groups.len() as u32 - 1
            }
        };
        self.index.insert(key, g);
        self.on_cluster[c.cluster.ix()].push(g);
        for r in relays_of(&group) {
            self.on_relay[r as usize].push(g);
        }
        g
    }

    /// Group `g` is recomputed at the end of this scrape.
    #[inline]
    fn mark(&mut self, g: u32) {
        let group = &mut self.groups[g as usize];
        if !group.dirty {
            group.dirty = true;
            self.dirty.push(g);
        }
    }

    /// A scrape: groups whose size or inputs changed report the scrapes since they last
    /// changed and take their new latency; the others keep counting.
    pub fn scrape(
        &mut self,
        p: &SessionPlatform,
        (roster, ledger, net): (&mut Roster, &Ledger, &Network),
        obs: &mut impl SessionObserver,
    ) {
        let mut log = std::mem::take(&mut self.log);
        roster.take_changes(&mut log);
        for &m in &log {
            self.apply(p, m);
        }
        self.log = log;
        for &c in ledger.changed_clusters().list() {
            self.stretch[c as usize] = ledger.stretch(c as usize);
            self.saturated[c as usize] = ledger.saturated(c as usize);
            self.mark_cluster(c);
        }
        for &r in ledger.changed_relays().list() {
            for i in 0..self.on_relay[r as usize].len() {
                self.mark(self.on_relay[r as usize][i]);
            }
        }
        for &s in ledger.changed_sites().list() {
            for i in 0..self.at_site[s as usize].len() {
                self.mark_cluster(self.at_site[s as usize][i]);
            }
        }
        if net.version() != self.net_version {
            self.net_version = net.version();
            for c in 0..self.on_cluster.len() as u32 {
                self.mark_cluster(c);
            }
        }
        let mut dirty = std::mem::take(&mut self.dirty);
        for &g in &dirty {
            self.refresh(p, ledger, net, g, obs);
        }
        dirty.clear();
        self.dirty = dirty;
        self.scrapes += 1;
    }

    fn mark_cluster(&mut self, c: u32) {
        for i in 0..self.on_cluster[c as usize].len() {
            let g = self.on_cluster[c as usize][i];
            self.mark(g);
        }
    }

    /// Recomputes group `g`'s latency at this scrape. If its size changed, or its latency
    /// no longer rounds to the same nanosecond or its time over budget to the same
    /// microsecond, the scrapes of its run so far are reported and a new run starts; an
    /// empty group is forgotten.
    fn refresh(
        &mut self,
        p: &SessionPlatform,
        ledger: &Ledger,
        net: &Network,
        g: u32,
        obs: &mut impl SessionObserver,
    ) {
        let group = &self.groups[g as usize];
        let (ms, spread) = if group.count == 0 {
            (f64::NAN, NO_SPREAD)
        } else {
            self.latency(p, ledger, net, group)
        };
        let saturated = self.saturated[group.cluster as usize];
        // The time over budget is a function of the mean and the spread alone.
        let same = group.count == group.counted
            && group.count > 0
            && ns_from_ms(ms) == ns_from_ms(group.ms)
            && spread == group.spread
            && saturated == group.saturated;
        self.groups[g as usize].dirty = false;
        if same {
            return;
        }
        let over_us = self.over_budget_us(p, ms, &spread);
        self.flush(g, obs);
        let group = &mut self.groups[g as usize];
        group.since = self.scrapes;
        group.counted = group.count;
        group.ms = ms;
        group.over_us = over_us;
        group.spread = spread;
        group.saturated = saturated;
        if group.count == 0 {
            group.free = true;
            self.index.remove(&group.key);
            self.free.push(g);
            let group = *group;
            forget(&mut self.on_cluster[group.cluster as usize], g);
            for r in relays_of(&group) {
                forget(&mut self.on_relay[r as usize], g);
            }
        }
    }

    /// A group's mean latency now (ms; infinite behind an overloaded egress) and how its
    /// frames spread around the mean.
    fn latency(
        &self,
        p: &SessionPlatform,
        ledger: &Ledger,
        net: &Network,
        group: &Group,
    ) -> (f64, FrameSpread) {
        let (site, _, app, _) = group.key;
        let k = group.site as usize;
        let bandwidth_gbps = group.bandwidth_gbps * net.bandwidth_factor(k);
        let Some(wait) = ledger.egress_wait_ms(k, bandwidth_gbps) else {
            // The site's egress queue grows without bound: overloaded, not merely slow.
            return (f64::INFINITY, NO_SPREAD);
        };
        let (mut relay_wait_ms, mut relay_var) = (0.0, 0.0);
        for r in relays_of(group) {
            let Some(w) = ledger.relay_wait_ms(r) else {
                // A relay's queue grows without bound: overloaded, as at the egress.
                return (f64::INFINITY, NO_SPREAD);
            };
            relay_wait_ms += w.mean;
            relay_var += w.sd() * w.sd();
        }
        let app = &p.apps[app as usize];
        let x = LatencyInputs {
            access_ms: group.access_ms,
            rtt_ms: group.rtt_ms + net.extra_rtt_ms(site as usize, k),
            path_ms: group.path_ms,
            cpu_stretch: self.stretch[group.cluster as usize],
            cpu_speed: group.cpu_speed,
            bandwidth_gbps,
            egress_wait_ms: wait.mean,
            relay_wait_ms,
            relay_sd_ms: relay_var.sqrt(),
            gpu_render_ms: gpu_render_ms(
                app,
                p.topology.clusters[group.cluster as usize].gpu.as_ref(),
                ledger.gpu_sessions_per_device(group.cluster as usize),
            )
            .unwrap_or(f64::INFINITY),
        };
        let ms = session_latency_ms(app, &x) + group.penalty_ms + group.central_ms;
        (ms, frame_spread(app, &x, group.jitter_ms, wait))
    }

    /// The part of one session's scrape interval whose frames are over budget, µs: all of
    /// it behind an overloaded egress, none in an empty group.
    fn over_budget_us(&self, p: &SessionPlatform, ms: f64, spread: &FrameSpread) -> u64 {
        if ms.is_nan() {
            return 0;
        }
        if ms.is_infinite() {
            return self.weight_us;
        }
        let share = share_over(ms, p.slo_latency_ms, spread);
        round_to_u64(share * self.weight_us as f64)
    }

    /// Reports group `g`'s latency for the scrapes since it last changed.
    fn flush(&self, g: u32, obs: &mut impl SessionObserver) {
        let group = &self.groups[g as usize];
        let scrapes = self.scrapes - group.since;
        if group.counted == 0 || scrapes == 0 {
            return;
        }
        let sessions = group.counted as u64 * scrapes;
        let app = group.key.2;
        if group.saturated {
            obs.cpu_saturated(sessions * self.weight_us);
        }
        if group.ms.is_infinite() {
            obs.overloaded(app, sessions * self.weight_us);
            return;
        }
        // The frames' spread, band by band; the time over budget goes with the first.
        let mut over = sessions * group.over_us;
        for (d, w) in spread_deviations(&group.spread).iter().zip(self.band_us) {
            obs.latency(app, (group.ms + d).max(0.0), over, sessions * w);
            over = 0;
        }
    }

    /// Session time the groups went through since they last reported, µs: (all of it,
    /// the part over budget). Read-only, for time series that need the run's session time
    /// at every scrape (`--metrics`); an overloaded group's time is all over budget, as
    /// [`Self::flush`] counts it.
    pub fn unreported_us(&self) -> SessionTimeUs {
        let mut t = SessionTimeUs::default();
        for g in self.groups.iter().filter(|g| !g.free && g.counted > 0) {
            let sessions = g.counted as u64 * (self.scrapes - g.since);
            t.all += sessions * self.weight_us;
            t.over_budget += if g.ms.is_infinite() {
                sessions * self.weight_us
            } else {
                sessions * g.over_us
            };
        }
        t
    }

    /// The run ended: every group reports the scrapes since it last changed.
    pub fn finish(&self, obs: &mut impl SessionObserver) {
        for g in 0..self.groups.len() as u32 {
            if !self.groups[g as usize].free {
                self.flush(g, obs);
            }
        }
    }
}

/// The relays a group's frames cross.
fn relays_of(group: &Group) -> impl Iterator<Item = u32> + '_ {
    group.relays.iter().copied().take_while(|&r| r != NO_RELAY)
}

/// Removes group `g` from a list of groups.
fn forget(list: &mut Vec<u32>, g: u32) {
    if let Some(i) = list.iter().position(|&x| x == g) {
        list.swap_remove(i);
    }
}

/// No spread (a group without sessions, or overloaded).
const NO_SPREAD: FrameSpread = FrameSpread {
    jitter_sd_ms: 0.0,
    normal_sd_ms: 0.0,
    wait: crate::model::egress::EgressWait::NONE,
};

/// One scrape interval of `weight_us` split over [`SPREAD_BANDS`] in whole µs, the
/// rounding left in the widest band so the parts add up exactly.
fn band_weights(weight_us: u64) -> [u64; SPREAD_BANDS.len()] {
    let mut w = SPREAD_BANDS.map(|(lo, hi)| round_to_u64((hi - lo) * weight_us as f64));
    let sum: u64 = w.iter().sum();
    w[1] = (w[1] + weight_us).saturating_sub(sum);
    w
}
