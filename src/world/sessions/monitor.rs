//! Monitoring: scrapes of every cluster's state, delayed by the aggregation lag before
//! the control loop and the strategies see them, and utilisation per tier.
//!
//! The scraped state is kept up to date only for clusters whose load changed since the
//! last scrape; a scrape copies it.

use super::ledger::Ledger;
use super::observer::SessionObserver;
use crate::config::topology::Tier;
use crate::engine::SimTime;
use crate::model::session_platform::SessionPlatform;
use crate::model::ClusterId;
use crate::world::policy::{ObservedCluster, ObservedView};
use std::collections::VecDeque;

/// Tiers in report order.
const TIERS: [Tier; 3] = [Tier::Cloud, Tier::Edge, Tier::FarEdge];

/// Scrapes in flight and the view they become.
pub struct Monitor {
    /// The clusters as a scrape now would see them.
    current: Vec<ObservedCluster>,
    /// Reserved share of each cluster's cores, if it offers any.
    util: Vec<Option<f64>>,
    /// Clusters of each tier, by id.
    tier_clusters: [Vec<u32>; 3],
    visible: Vec<ObservedCluster>,
    visible_at: SimTime,
    pending: VecDeque<(SimTime, Vec<ObservedCluster>)>,
    spare: Vec<Vec<ObservedCluster>>,
}

impl Monitor {
    /// The view at time zero.
    pub fn new(p: &SessionPlatform, ledger: &Ledger) -> Self {
        let mut tier_clusters: [Vec<u32>; 3] = Default::default();
        for (i, k) in p.topology.clusters.iter().enumerate() {
            let tier = p.topology.sites[k.site.ix()].tier;
            let t = TIERS.iter().position(|&x| x == tier).unwrap_or(0);
            tier_clusters[t].push(i as u32);
        }
        let mut m = Monitor {
            current: Vec::with_capacity(ledger.len()),
            util: vec![None; ledger.len()],
            tier_clusters,
            visible: Vec::new(),
            visible_at: SimTime::ZERO,
            pending: VecDeque::new(),
            spare: Vec::new(),
        };
        for i in 0..ledger.len() {
            m.current.push(observe(p, ledger, i));
            m.util[i] = reserved_share(ledger, i);
        }
        m.visible = m.current.clone();
        m
    }

    /// What the control loop and the strategies see, on the platform `p`.
    pub fn view<'v>(&'v self, p: &'v SessionPlatform) -> ObservedView<'v> {
        ObservedView {
            scraped_at_s: self.visible_at.0 as f64 / 1e9,
            clusters: &self.visible,
            topology: Some(&p.topology),
        }
    }

    /// Cluster `i` as last seen.
    pub fn visible(&self, i: usize) -> &ObservedCluster {
        &self.visible[i]
    }

    /// Scrapes every cluster at `now` (recomputing the ones the ledger marks changed); the
    /// scrape becomes visible at [`Self::view_ready`].
    pub fn scrape(&mut self, p: &SessionPlatform, ledger: &Ledger, now: SimTime) {
        for &i in ledger.changed_clusters().list() {
            self.current[i as usize] = observe(p, ledger, i as usize);
            self.util[i as usize] = reserved_share(ledger, i as usize);
        }
        let mut snap = self.spare.pop().unwrap_or_default();
        snap.clear();
        snap.extend_from_slice(&self.current);
        self.pending.push_back((now, snap));
    }

    /// The oldest pending scrape reaches the central view.
    pub fn view_ready(&mut self) {
        if let Some((scraped, snap)) = self.pending.pop_front() {
            let old = std::mem::replace(&mut self.visible, snap);
            self.spare.push(old);
            self.visible_at = scraped;
        }
    }

    /// Reports mean and peak reserved share of each tier's clusters at the last scrape.
    pub fn report_utilisation(&self, obs: &mut impl SessionObserver) {
        for (t, tier) in TIERS.iter().enumerate() {
            let (mut sum, mut peak, mut n) = (0.0, 0.0f64, 0);
            for &i in &self.tier_clusters[t] {
                if let Some(u) = self.util[i as usize] {
                    sum += u;
                    peak = peak.max(u);
                    n += 1;
                }
            }
            if n > 0 {
                obs.utilisation(*tier, sum / n as f64, peak);
            }
        }
    }
}

/// Cluster `i` as a scrape sees it now.
fn observe(p: &SessionPlatform, ledger: &Ledger, i: usize) -> ObservedCluster {
    let k = &p.topology.clusters[i];
    let l = ledger.load(i);
    let cap = ledger.capacity(i);
    let util = ledger.cpu_util(i);
    ObservedCluster {
        id: ClusterId(i as u32),
        tier: p.topology.sites[k.site.ix()].tier,
        free_cpu_cores: (cap.0 - l.used_cpu).max(0.0),
        free_memory_mib: (cap.1 - l.used_mem).max(0.0),
        cpu_util: util,
        cpu_stretch: ledger.stretch(i),
        up: l.down == 0 && !l.absent,
        cost_per_vcpu_hour_usd: k.cost_per_vcpu_hour_usd,
        free_gpu_slots: ledger.gpu_slots(i).saturating_sub(l.used_gpu_slots),
        gpu_sessions_per_device: ledger.gpu_sessions_per_device(i),
        gpu_slot_memory_gib: k.gpu.map_or(0.0, |g| g.slot_memory_gib()),
    }
}

/// Reserved share of cluster `i`'s cores, if it offers any now.
fn reserved_share(ledger: &Ledger, i: usize) -> Option<f64> {
    let cores = ledger.capacity(i).0;
    (cores > 0.0).then(|| ledger.load(i).used_cpu / cores)
}
